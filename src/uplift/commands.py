"""What the commands of `uplift.cli` share: settings, reading the data, privacy, periods.

The command line parses options and calls these; they call the core. Nothing here knows
about typer, and heavy libraries (pandas, rich, duckdb) are imported inside functions so
that `uplift --help` starts fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from uplift.errors import NoData, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings
    from uplift.output.report import Report
    from uplift.sheets.loading import LoadResult
    from uplift.store.workspace import LoadSummary

# what each analysis reads from the workspace (summed by these columns in the database)
ANALYSIS_COLUMNS = ("partner", "month", "hospital", "department", "prescriber", "product")
GROWTH_COLUMNS = (*ANALYSIS_COLUMNS, "unit")


@dataclass(frozen=True)
class DataSource:
    """Where a command's data comes from: the sheets at `paths`, or else the workspace."""

    paths: list[Path] | None
    workspace: Path | None
    partner: str | None = None
    sheets: list[str] | None = None
    encoding: str | None = None


class Loaded(NamedTuple):
    """Sales, competitor figures and per-partner load statistics, with data quality if asked."""

    sales: pd.DataFrame
    competitors: pd.DataFrame
    stats: pd.DataFrame
    quality: pd.DataFrame | None


# Settings and notes ---------------------------------------------------------------------


def command_settings(
    config: Path | None, workspace: Path | None = None, **options: Any
) -> Settings:
    """The settings of `config` (or ./uplift.toml) with the command's options applied,
    and the master data in force: the product catalogue and customer master named in
    uplift.toml (`products = ...`, `hospitals = ...`), else the ones kept in the workspace.
    """
    from uplift.config import load_settings

    settings = load_settings(config).with_options(**options)
    return with_master_data(settings, workspace)


def with_master_data(settings: Settings, workspace: Path | None) -> Settings:
    """`settings` with the catalogue and customer master from uplift.toml or the workspace."""
    from uplift.sheets.loading import read_master

    catalogue = (
        read_master(Path(settings.products), settings, "catalogue") if settings.products else None
    )
    customers = (
        read_master(Path(settings.hospitals), settings, "customers") if settings.hospitals else None
    )
    if catalogue is None or customers is None:
        from uplift.store.workspace import DB_NAME, workspace_dir

        folder = workspace_dir(workspace)
        if (folder / DB_NAME).is_file():
            from uplift.store.workspace import Workspace

            with Workspace.open(folder, readonly=True) as ws:
                kept_catalogue, kept_customers = ws.master_data()
            catalogue = catalogue or kept_catalogue
            customers = customers or kept_customers
    return settings.with_master(catalogue, customers)


def ours_note(settings: Settings, *, when: bool = True) -> None:
    """Say that every product counts as ours when uplift.toml lists none (if `when`)."""
    from uplift.output.render import note

    if when and not settings.ours_declared:
        note("Note: no `ours` list in uplift.toml, so every product counts as ours.")


# Reading sheets and the workspace -------------------------------------------------------


def _report_rejections(result: LoadResult) -> None:
    """Warn about the loader's warnings and the number of rows it rejected."""
    from uplift.output.render import warn

    for message in result.warnings:
        warn(message)
    rejected = result.rows_rejected
    if rejected:
        warn(
            f"{rejected} row(s) rejected while loading; "
            "run `uplift check` on the same files for the reasons."
        )


def _load_progress(paths: list[Path]) -> Any:
    """A progress bar for loads of many or large files (silent when not a terminal)."""
    from uplift.output.render import progress_bar

    many = len(paths) > 3 or any(p.is_dir() for p in paths)
    large = any(p.is_file() and p.stat().st_size > 5 * 2**20 for p in paths)
    if many or large:
        return progress_bar("Reading")
    return contextlib.nullcontext(None)


def read_sheets(
    source: DataSource, settings: Settings, *, competitors: bool, meanwhile: tuple[str, ...] = ()
) -> LoadResult:
    """Read the sheets of `source` with a progress bar, importing `meanwhile` in the background."""
    from uplift.sheets.loading import load_files

    paths = source.paths or []
    if meanwhile:
        _import_meanwhile(*meanwhile)
    with _load_progress(paths) as advance:
        return load_files(
            paths,
            settings=settings,
            partner=source.partner,
            sheets=source.sheets,
            encoding=source.encoding,
            competitors=competitors,
            progress=advance,
        )


def _import_meanwhile(*modules: str) -> None:
    """Import modules on a background thread (a failed import shows where it is used)."""
    import importlib
    import threading

    def run() -> None:
        for name in modules:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)

    # not a daemon: an early exit waits for the imports rather than cutting one in half
    threading.Thread(target=run, name="uplift-imports").start()


class LoadInterrupted(Exception):
    """Ctrl-C during a load: `saved` tells whether the load reached the workspace."""

    def __init__(self, saved: LoadSummary | None) -> None:
        super().__init__("interrupted")
        self.saved = saved


class _Cancelled(Exception):
    """Raised inside the write transaction to drop the copy: nothing is saved."""


def store_loaded(result: LoadResult, workspace: Path | None) -> LoadSummary:
    """Store a load in the workspace while its check table is drawn; the load's summary.

    Ctrl-C before the rows are committed drops the private copy (the workspace stays as it
    was); once the commit has begun it finishes. Either way LoadInterrupted says which.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from uplift.output.views.check import show_check
    from uplift.store.workspace import Workspace

    cancel = threading.Event()

    def store() -> LoadSummary:
        with Workspace.transaction(workspace) as ws:
            summary = ws.store(result)
            if cancel.is_set():  # the commit has not begun: drop the copy
                raise _Cancelled
            return summary

    # DuckDB writes without holding the GIL: the check table is drawn meanwhile
    pool = ThreadPoolExecutor(max_workers=1)
    stored = pool.submit(store)
    try:
        try:
            show_check(result, fmt="table", compact=True)
            return stored.result()
        except KeyboardInterrupt:
            cancel.set()
        while True:  # the writer is never left half way: wait for it, Ctrl-C or not
            try:
                summary = stored.result()
            except _Cancelled:
                raise LoadInterrupted(None) from None
            except KeyboardInterrupt:
                continue
            raise LoadInterrupted(summary)
    finally:
        pool.shutdown(wait=True)


def _load_source(source: DataSource, settings: Settings) -> LoadResult:
    """Load the sheets of `source`: an error if one is unreadable, warnings for rejections."""
    from uplift.sheets.loading import load_files

    result = load_files(
        source.paths or [],
        settings=settings,
        partner=source.partner,
        sheets=source.sheets,
        encoding=source.encoding,
    )
    result.raise_if_unreadable()
    _report_rejections(result)
    return result


def analysis_data(
    source: DataSource,
    settings: Settings,
    columns: tuple[str, ...] | None = None,
    *,
    compact: bool = False,
    visits: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales and field-visit competitor tables of `source`; NoData when there are no sales.

    `visits=False` skips reading the competitor table (empty then) for analyses that
    never use it. `compact=True` reads the workspace's names as categoricals and no
    quantity (see `Workspace.sales`), for analyses of boxes by name.
    """
    if source.paths:
        result = _load_source(source, settings)
        sales, competitors = result.sales, result.competitors
    else:
        from uplift.sheets import columns as C
        from uplift.store.workspace import Workspace

        with Workspace.open(source.workspace, readonly=True) as ws:
            sales = ws.sales(columns, compact=compact)
            competitors = ws.competitors() if visits else C.empty_competitors()
        sales, competitors = _aliased(sales, competitors, settings)
    if sales.empty:
        raise NoData("no sales rows to analyse")
    return sales, competitors


def _aliased(
    sales: pd.DataFrame, competitors: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Workspace tables with the hospital aliases in force applied (accepted after loading)."""
    from uplift.sheets.hospitals import with_aliases

    aliases = settings.hospital_aliases
    return with_aliases(sales, aliases), with_aliases(competitors, aliases)


def analysis_sales(
    source: DataSource,
    settings: Settings,
    columns: tuple[str, ...] | None = None,
    *,
    compact: bool = False,
) -> pd.DataFrame:
    """The canonical sales table of `source`, without the competitor figures."""
    return analysis_data(source, settings, columns, compact=compact, visits=False)[0]


def data_with_stats(
    source: DataSource, settings: Settings, columns: tuple[str, ...], *, quality: bool = False
) -> Loaded:
    """Sales, competitors and load statistics of `source` (and data quality when asked)."""
    from uplift.analysis.partners import load_stats_from

    table = None
    if source.paths:
        result = _load_source(source, settings)
        if quality:
            from uplift.output.report import quality_from_result

            table = quality_from_result(result)
        return Loaded(result.sales, result.competitors, load_stats_from(result.sheets), table)
    from uplift.store.workspace import Workspace

    with Workspace.open(source.workspace) as ws:
        sales, competitors = _aliased(ws.sales(columns), ws.competitors(), settings)
        if quality:
            from uplift.output.report import quality_from_sources

            table = quality_from_sources(ws.sources())
        return Loaded(sales, competitors, ws.load_stats(), table)


# Periods ---------------------------------------------------------------------------------


def month_option(value: str | None, option: str) -> str | None:
    """The month ("YYYY-MM") of an optional month `option`; a bad one is a UsageError."""
    if value is None:
        return None
    from uplift.sheets.periods import PeriodError, parse_period

    try:
        return parse_period(value)
    except PeriodError as exc:
        raise UsageError(f"{option}: {exc}") from None


def growth_periods(
    sales: pd.DataFrame, start: str | None, end: str | None
) -> tuple[list[str], list[str]]:
    """The two periods to compare from the --from and --to texts (defaults from the data)."""
    from uplift.analysis.growth import parse_period, resolve_periods

    return resolve_periods(
        sales, parse_period(start) if start else None, parse_period(end) if end else None
    )


def finest_level(sales: pd.DataFrame) -> Literal["prescriber", "hospital"]:
    """prescriber when any sales row names a doctor, else hospital."""
    return "prescriber" if (sales["prescriber"] != "").any() else "hospital"


def window_label(sales: pd.DataFrame) -> str:
    """The months of the sales, like `2026-04..2026-09, 6 months` (empty without months)."""
    from uplift.analysis.volumes import window_months

    months = window_months(sales)
    if not months:
        return ""
    return f"{months[0]}..{months[-1]}, {len(months)} month{'s' if len(months) != 1 else ''}"


# Privacy ---------------------------------------------------------------------------------


def privacy(settings: Settings, mask: bool = False, *, refuse: str | None = None) -> str:
    """named, pseudonym or hidden: the stricter of uplift.toml's and `mask`.

    With `refuse` (the command, for the message), hidden is a UsageError: that command
    shows prescriber detail.
    """
    from uplift.store.privacy import privacy_level

    level = privacy_level(settings, mask_prescribers=mask)
    if refuse is not None and level == "hidden":
        raise UsageError(
            f"{refuse} shows prescriber detail, which uplift.toml hides "
            '(prescriber_detail = "hidden")'
        )
    return level


def mask_key(workspace: Path | None) -> bytes:
    """The workspace's masking key (created when missing)."""
    from uplift.store.privacy import load_or_create_key
    from uplift.store.workspace import workspace_dir

    return load_or_create_key(workspace_dir(workspace))


def mask_key_for(level: str, workspace: Path | None) -> bytes | None:
    """The masking key when `level` is pseudonym, else None."""
    return mask_key(workspace) if level == "pseudonym" else None


def masked(
    frame: pd.DataFrame,
    level: str,
    workspace: Path | None,
    *,
    hidden: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """`frame` at the privacy `level`: doctors pseudonymised, or `hidden` applied when hidden."""
    if level == "pseudonym":
        from uplift.store.privacy import mask_prescribers

        return mask_prescribers(frame, mask_key(workspace))
    if level == "hidden" and hidden is not None:
        return hidden(frame)
    return frame


def without_prescriber_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` without its rows of level prescriber."""
    return frame[frame["level"] != "prescriber"].reset_index(drop=True)


def prescriber_label(level: str, workspace: Path | None) -> Callable[[str, str], str] | None:
    """How to show a doctor (hospital, name) at the privacy `level`; None shows the name."""
    if level == "hidden":
        return lambda hospital, name: "***"
    if level == "pseudonym":
        from uplift.store.privacy import pseudonym

        key = mask_key(workspace)
        return lambda hospital, name: pseudonym(hospital, name, key)
    return None


# The report ------------------------------------------------------------------------------


def build_and_write_report(
    out: Path,
    data: Loaded,
    settings: Settings,
    *,
    lang: str,
    level: str,
    workspace: Path | None,
) -> tuple[Report, Path]:
    """Build the report workbook under a progress bar and write it to `out`."""
    from uplift.output.render import progress_bar
    from uplift.output.report import build_report, write_report

    with progress_bar("Building the report") as advance:
        built = build_report(
            data.sales,
            data.competitors,
            settings=settings,
            lang=lang,
            privacy=level,
            key=mask_key_for(level, workspace),
            load_report=data.quality,
            load_stats=data.stats,
            progress=advance,
        )
        return built, write_report(built, out)
