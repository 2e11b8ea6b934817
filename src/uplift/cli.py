"""The `uplift` command line: parse options, call the core, render. Nothing else.

Heavy libraries (pandas, rich, duckdb) are imported inside commands so that
`uplift --help` starts fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from uplift import __version__
from uplift.errors import NoData, UpliftError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings
    from uplift.sheets.loading import LoadResult

app = typer.Typer(
    name="uplift",
    help="Turn partners' usage-detail sheets into tiers, competitor gaps and uplift plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Level(StrEnum):
    hospital = "hospital"
    prescriber = "prescriber"
    department = "department"
    partner = "partner"


class Basis(StrEnum):
    average = "average"
    latest = "latest"


class Method(StrEnum):
    thresholds = "thresholds"
    decile = "decile"


# Shared options -------------------------------------------------------------------------

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Sheets, folders or globs to analyse. Without them, the loaded workspace.",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="table for people; json or csv for programs.")
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="Settings file (default: ./uplift.toml if present)."),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        envvar="UPLIFT_WORKSPACE",
        help="Workspace folder (default ./.uplift).",
    ),
]
PartnerOpt = Annotated[
    str | None, typer.Option("--partner", help="Partner name when the sheet has no partner column.")
]
SheetOpt = Annotated[
    list[str] | None, typer.Option("--sheet", help="Read only this sheet (repeatable).")
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="CSV encoding, e.g. gbk (default: detected).")
]


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def _use_language(value: Lang | None) -> Lang | None:
    if value is not None:
        from uplift.output.i18n import set_language

        set_language(value.value)
    return value


LangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        callback=_use_language,
        envvar="UPLIFT_LANG",
        help="Labels in zh (Chinese) or en (English). Default: from the locale (LANG).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"uplift {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")] = False,
    lang: LangOpt = None,
) -> None:
    """uplift: from usage-detail sheets to tiers, gaps and plans."""
    from uplift.output.i18n import set_language

    set_language(lang.value if lang is not None else None)
    if debug:
        os.environ["UPLIFT_DEBUG"] = "1"


# Helpers shared by commands ---------------------------------------------------------------


def _settings(config: Path | None, **options: Any) -> Settings:
    from uplift.config import load_settings

    return load_settings(config).with_options(**options)


def _ours_note(settings: Settings) -> None:
    from uplift.output.render import note

    if not settings.ours_declared:
        note("Note: no `ours` list in uplift.toml, so every product counts as ours.")


def _report_rejections(result: LoadResult) -> None:
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
    import contextlib

    from uplift.output.render import progress_bar

    many = len(paths) > 3 or any(p.is_dir() for p in paths)
    large = any(p.is_file() and p.stat().st_size > 5 * 2**20 for p in paths)
    if many or large:
        return progress_bar("Reading")
    return contextlib.nullcontext(None)


def _load_paths(
    paths: list[Path],
    settings: Settings,
    *,
    partner: str | None = None,
    sheets: list[str] | None = None,
    encoding: str | None = None,
) -> LoadResult:
    from uplift.sheets.loading import load_files

    result = load_files(paths, settings=settings, partner=partner, sheets=sheets, encoding=encoding)
    result.raise_if_unreadable()
    _report_rejections(result)
    return result


def _sales(
    paths: list[Path] | None,
    settings: Settings,
    workspace: Path | None,
    *,
    columns: tuple[str, ...] | None = None,
    compact: bool = False,
    **load_options: Any,
) -> pd.DataFrame:
    """The canonical sales table: from PATHs when given, else from the workspace."""
    return _data(
        paths, settings, workspace, columns=columns, compact=compact, visits=False, **load_options
    )[0]


# what each analysis reads from the workspace (summed by these columns in the database)
_ANALYSIS_COLUMNS = ("partner", "month", "hospital", "department", "prescriber", "product")
_GROWTH_COLUMNS = (*_ANALYSIS_COLUMNS, "unit")


def _data(
    paths: list[Path] | None,
    settings: Settings,
    workspace: Path | None,
    *,
    columns: tuple[str, ...] | None = None,
    compact: bool = False,
    visits: bool = True,
    **load_options: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales and field-visit competitor tables, from PATHs or else the workspace.

    `visits=False` skips reading the competitor table (empty then) for analyses that
    never use it. `compact=True` reads the workspace's names as categoricals and no
    quantity (see `Workspace.sales`), for analyses of boxes by name.
    """
    if paths:
        result = _load_paths(paths, settings, **load_options)
        sales, competitors = result.sales, result.competitors
    else:
        from uplift.sheets import columns as C
        from uplift.store.workspace import Workspace

        with Workspace.open(workspace, readonly=True) as ws:
            sales = ws.sales(columns, compact=compact)
            competitors = ws.competitors() if visits else C.empty_competitors()
    if sales.empty:
        raise NoData("no sales rows to analyse")
    return sales, competitors


def _mask_key(workspace: Path | None) -> bytes:
    from uplift.store.privacy import load_or_create_key
    from uplift.store.workspace import workspace_dir

    return load_or_create_key(workspace_dir(workspace))


def _privacy(settings: Settings, mask: bool) -> str:
    """named, pseudonym or hidden: the stricter of uplift.toml's and --mask-prescribers."""
    from uplift.store.privacy import privacy_level

    return privacy_level(settings, mask_prescribers=mask)


def _refuse_hidden(level: str, what: str) -> None:
    if level == "hidden":
        raise UsageError(
            f"{what} shows prescriber detail, which uplift.toml hides "
            '(prescriber_detail = "hidden")'
        )


def _window_label(sales: pd.DataFrame) -> str:
    from uplift.analysis.volumes import window_months

    months = window_months(sales)
    if not months:
        return ""
    return f"{months[0]}..{months[-1]}, {len(months)} month{'s' if len(months) != 1 else ''}"


# Commands ------------------------------------------------------------------------------


@app.command()
def tier(
    paths: PathsArg = None,
    by: Annotated[Level, typer.Option("--by", help="What to tier.")] = Level.hospital,
    basis: Annotated[
        Basis,
        typer.Option("--basis", help="average: monthly mean over the window; latest: last month."),
    ] = Basis.average,
    thresholds: Annotated[
        str | None, typer.Option("--thresholds", help="Monthly boxes per tier, e.g. 100,200,300.")
    ] = None,
    vip: Annotated[
        float | None, typer.Option("--vip", help="VIP hospital from these boxes.")
    ] = None,
    method: Annotated[
        Method, typer.Option("--method", help="thresholds, or volume-weighted deciles.")
    ] = Method.thresholds,
    top: Annotated[int | None, typer.Option("--top", help="Show only the top N.", min=1)] = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Tier hospitals, departments, prescribers or partners by monthly boxes of our products."""
    from uplift.analysis.tiers import tier_entities, tier_summary

    settings = _settings(config, thresholds=thresholds, vip=vip)
    level = _privacy(settings, mask=False)
    if by is Level.prescriber:
        _refuse_hidden(level, "uplift tier --by prescriber")
    from uplift.analysis.volumes import entity_keys

    needed = tuple(dict.fromkeys(["month", "product", *entity_keys(by.value)]))
    sales = _sales(
        paths,
        settings,
        workspace,
        columns=needed,
        compact=True,
        partner=partner,
        sheets=sheet,
        encoding=encoding,
    )
    if fmt is Format.table:
        _ours_note(settings)
    result = tier_entities(
        sales, settings=settings, by=by.value, basis=basis.value, method=method.value
    )
    summary = tier_summary(result, thresholds=settings.thresholds)
    if by is Level.prescriber and level == "pseudonym":
        from uplift.store.privacy import mask_prescribers

        result = mask_prescribers(result, _mask_key(workspace))
    if top is not None:
        result = result.head(top)
    from uplift.output.views.tiers import show_tiers

    show_tiers(
        result,
        summary,
        sales,
        fmt=fmt.value,
        by=by.value,
        basis=basis.value,
        method=method.value,
        settings=settings,
    )


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Sheets, folders or globs to check.")],
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    competitors: Annotated[
        bool, typer.Option("--competitors", help="Read the files as field-visit competitor sheets.")
    ] = False,
) -> None:
    """Show how each sheet is read: header, columns, rows kept, skipped and rejected.

    Exit code 0 when every row loaded, 1 when some rows were rejected, 2 when a file
    could not be read.
    """
    from uplift.output.views.check import show_check
    from uplift.sheets.loading import load_files

    settings = _settings(config)
    with _load_progress(paths) as advance:
        result = load_files(
            paths,
            settings=settings,
            partner=partner,
            sheets=sheet,
            encoding=encoding,
            competitors=competitors,
            progress=advance,
        )
    show_check(result, fmt=fmt.value)
    if result.unreadable:
        raise typer.Exit(2)
    if result.rows_rejected:
        raise typer.Exit(1)


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


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Sheets, folders or globs to load.")],
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    competitors: Annotated[
        bool,
        typer.Option("--competitors", help="The files are field-visit competitor sheets."),
    ] = False,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Load sheets into the workspace. Re-loading the same content changes nothing;
    a new sheet for a partner and month already loaded replaces exactly that month."""
    from concurrent.futures import ThreadPoolExecutor

    from uplift.output.views.check import show_check
    from uplift.output.views.workspace import show_load
    from uplift.sheets.loading import load_files
    from uplift.store.workspace import LoadSummary, Workspace, workspace_dir

    settings = _settings(config)
    # the workspace and the name check need DuckDB and rapidfuzz once the sheets are read:
    # import them while the reader works, not after it
    _import_meanwhile("duckdb", "rapidfuzz")
    with _load_progress(paths) as advance:
        result = load_files(
            paths,
            settings=settings,
            partner=partner,
            sheets=sheet,
            encoding=encoding,
            competitors=competitors,
            progress=advance,
        )
    if result.unreadable:
        show_check(result, fmt="table", compact=True)
        result.raise_if_unreadable()

    def store() -> LoadSummary:
        with Workspace.transaction(workspace) as ws:
            return ws.store(result)

    # DuckDB writes without holding the GIL: the check table is drawn meanwhile
    with ThreadPoolExecutor(max_workers=1) as pool:
        stored = pool.submit(store)
        show_check(result, fmt="table", compact=True)
        summary = stored.result()
    show_load(summary, str(workspace_dir(workspace)))


@app.command()
def sources(
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """What is loaded: file, partner, months, rows, boxes, rejected rows, when, content hash."""
    from uplift.output.views.workspace import show_sources
    from uplift.store.workspace import Workspace

    with Workspace.open(workspace) as ws:
        table = ws.sources()
    show_sources(table, fmt=fmt.value)


@app.command()
def forget(
    file: Annotated[
        str | None, typer.Argument(help="A loaded file (path, name or content hash).")
    ] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Forget this partner.")] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="Only this month (YYYY-MM), with --partner.")
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Remove a loaded file, or a partner (optionally one month), from the workspace."""
    from uplift.output.render import note
    from uplift.store.workspace import Workspace

    if (file is None) == (partner is None):
        raise UsageError("give either a FILE or --partner NAME")
    if month is not None and partner is None:
        raise UsageError("--month needs --partner")
    if month is not None:
        from uplift.sheets.periods import PeriodError, parse_period

        try:
            month = parse_period(month)
        except PeriodError as exc:
            raise UsageError(f"--month: {exc}") from None
    with Workspace.open(workspace):  # fails with the usual message when nothing is loaded
        pass
    with Workspace.transaction(workspace) as ws:
        rows, boxes = ws.forget(file=file, partner=partner, month=month)
    what = file or f"partner {partner}" + (f" for {month}" if month else "")
    note(f"Removed {rows:,} rows ({boxes:,.1f} boxes) of {what}")


@app.command()
def trace(
    paths: PathsArg = None,
    hospital: Annotated[str, typer.Option("--hospital", help="Hospital name.")] = ...,  # type: ignore[assignment]
    prescriber: Annotated[str | None, typer.Option("--prescriber", help="Doctor name.")] = None,
    product: Annotated[str | None, typer.Option("--product", help="Product name.")] = None,
    month: Annotated[str | None, typer.Option("--month", help="Month, YYYY-MM.")] = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """The source rows behind a figure: file, sheet, Excel row, quantity, unit, boxes."""
    from uplift.output.views.workspace import show_trace
    from uplift.sheets.names import normalise, normalise_person
    from uplift.store.tracing import trace_rows

    settings = _settings(config)
    if prescriber is not None:
        _refuse_hidden(_privacy(settings, False), "uplift trace --prescriber")
    sales = _sales(paths, settings, workspace)
    if month is not None:
        from uplift.sheets.periods import PeriodError, parse_period

        try:
            month = parse_period(month)
        except PeriodError as exc:
            raise UsageError(f"--month: {exc}") from None
    found, rows = trace_rows(
        sales,
        hospital=hospital,
        prescriber=normalise_person(prescriber) if prescriber else None,
        product=normalise(product) if product else None,
        month=month,
        aliases=settings.hospital_aliases,
    )
    parts = [found] + [p for p in (prescriber, product, month) if p]
    show_trace(rows, fmt=fmt.value, title="Source rows: " + ", ".join(parts))


class GapLevel(StrEnum):
    hospital = "hospital"
    department = "department"
    prescriber = "prescriber"


MarketOpt = Annotated[
    str | None, typer.Option("--market", help="One market from [markets.NAME] in uplift.toml.")
]
HospitalOpt = Annotated[
    str | None, typer.Option("--hospital", help="One hospital (full or partial name).")
]
MaskOpt = Annotated[
    bool,
    typer.Option("--mask-prescribers", help="Show doctors as stable pseudonyms, for sharing."),
]


@app.command()
def gaps(
    paths: PathsArg = None,
    hospital: HospitalOpt = None,
    by: Annotated[
        GapLevel, typer.Option("--by", help="Rank hospitals, departments or prescribers.")
    ] = GapLevel.hospital,
    market: MarketOpt = None,
    mask_prescribers: MaskOpt = False,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Where competitors hold volume we could win: share, leader, gap, opportunities.

    Without --hospital, every hospital ranked by opportunity; with it, that hospital
    down to departments and prescribers. Volumes are average boxes a month.
    """
    from uplift.analysis.gaps import competitor_gaps
    from uplift.output.views.gaps import show_gaps

    settings = _settings(config)
    level = _privacy(settings, mask_prescribers)
    if by is GapLevel.prescriber:
        _refuse_hidden(level, "uplift gaps --by prescriber")
    sales, competitors = _data(
        paths,
        settings,
        workspace,
        columns=_ANALYSIS_COLUMNS,
        compact=True,
        partner=partner,
        sheets=sheet,
        encoding=encoding,
    )
    if fmt is Format.table:
        _ours_note(settings)
    result = competitor_gaps(
        sales, competitors, settings=settings, market=market, by=by.value, hospital=hospital
    )
    if level == "hidden":
        result = result[result["level"] != "prescriber"].reset_index(drop=True)
    elif level == "pseudonym":
        from uplift.store.privacy import mask_prescribers as mask

        result = mask(result, _mask_key(workspace))
    show_gaps(result, fmt=fmt.value, by=by.value, hospital=hospital, window=_window_label(sales))


@app.command()
def plan(
    paths: PathsArg = None,
    hospital: HospitalOpt = None,
    options: Annotated[
        int, typer.Option("--options", min=1, help="Options per hospital (the best N).")
    ] = 3,
    market: MarketOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write plan.xlsx (for the partner) or plan.md."),
    ] = None,
    mask_prescribers: MaskOpt = False,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Three or more uplift options per hospital, ranked, with the arithmetic shown."""
    from uplift.output.plan_texts import plan_hospitals
    from uplift.output.views.plans import save_plans, show_plans

    settings = _settings(config)
    if out is not None and out.suffix.lower() not in (".xlsx", ".md"):
        raise UsageError(f"--out {out}: expected a .xlsx or .md file name")
    sales, competitors = _data(
        paths,
        settings,
        workspace,
        columns=_ANALYSIS_COLUMNS,
        compact=True,
        partner=partner,
        sheets=sheet,
        encoding=encoding,
    )
    if fmt is Format.table:
        _ours_note(settings)
    result = plan_hospitals(
        sales, competitors, settings=settings, market=market, hospital=hospital, options=options
    )
    plans, summary = result.options, result.summary
    level = _privacy(settings, mask_prescribers)
    if level == "hidden":
        from uplift.output.plan_texts import anonymise_plan_targets

        plans = anonymise_plan_targets(plans)
    elif level == "pseudonym":
        from uplift.store.privacy import mask_prescribers as mask

        plans = mask(plans, _mask_key(workspace))
    show_plans(plans, summary, fmt=fmt.value)
    if out is not None:
        from uplift.output.render import note

        written = save_plans(out, plans, summary)
        note(f"Wrote {written}")


@app.command()
def growth(
    paths: PathsArg = None,
    by: Annotated[
        Level, typer.Option("--by", help="Bridge per hospital, partner, ...")
    ] = Level.hospital,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Start period: 2026-08 or 2026-04..2026-06 (default: the month before --to).",
        ),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="End period (default: the last month).")
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", min=1, help="Show only the N largest changes.")
    ] = None,
    mask_prescribers: MaskOpt = False,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Where the change came from: new, grown, declined, lost, and data gaps, reconciled exactly."""
    from uplift.analysis.growth import (
        breadth_depth,
        growth_bridge,
        monthly_trend,
        parse_period,
        resolve_periods,
        with_trend,
    )
    from uplift.output.views.growth import show_growth

    settings = _settings(config)
    level_of_detail = _privacy(settings, mask_prescribers)
    if by is Level.prescriber:
        _refuse_hidden(level_of_detail, "uplift growth --by prescriber")
    sales, competitors = _data(
        paths,
        settings,
        workspace,
        columns=_GROWTH_COLUMNS,
        partner=partner,
        sheets=sheet,
        encoding=encoding,
    )
    if fmt is Format.table:
        _ours_note(settings)
    start, end = resolve_periods(
        sales, parse_period(from_) if from_ else None, parse_period(to) if to else None
    )
    rows, totals = growth_bridge(
        sales, settings=settings, by=by.value, start=start, end=end, competitors=competitors
    )
    level: Literal["prescriber", "hospital"] = (
        "prescriber" if (sales["prescriber"] != "").any() else "hospital"
    )
    breadth = breadth_depth(sales, settings=settings, level=level, start=start, end=end)
    rows = with_trend(rows, monthly_trend(sales, settings=settings, by=by.value), by=by.value)
    if level_of_detail == "pseudonym" and by is Level.prescriber:
        from uplift.store.privacy import mask_prescribers as mask

        rows = mask(rows, _mask_key(workspace))
    show_growth(
        rows, totals, fmt=fmt.value, by=by.value, start=start, end=end, breadth=breadth, top=top
    )


@app.command()
def targets(
    targets_file: Annotated[Path, typer.Argument(help="Targets sheet (.xlsx or .csv).")],
    paths: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Sales sheets to judge (default: the workspace)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Judge as of this month (default: the last).")
    ] = None,
    mask_prescribers: MaskOpt = False,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Target completion per partner or hospital, with a run-rate forecast and the reasons
    behind every shortfall."""
    from uplift.analysis.targets import read_targets, target_completion, unknown_targets
    from uplift.output.views.targets import show_targets

    settings = _settings(config)
    sales, _ = _data(paths, settings, workspace, columns=_GROWTH_COLUMNS)
    goals = read_targets(targets_file, settings=settings)
    if as_of is not None:
        from uplift.sheets.periods import PeriodError, parse_period

        try:
            as_of = parse_period(as_of)
        except PeriodError as exc:
            raise UsageError(f"--as-of: {exc}") from None
    label = None
    level = _privacy(settings, mask_prescribers)
    if level == "hidden":

        def label(hospital: str, name: str) -> str:
            return "***"

    elif level == "pseudonym":
        from uplift.store.privacy import pseudonym

        key = _mask_key(workspace)

        def label(hospital: str, name: str) -> str:
            return pseudonym(hospital, name, key)

    result = target_completion(sales, goals, settings=settings, as_of=as_of, prescriber_label=label)
    unknown = unknown_targets(sales, goals, settings=settings)
    shown_as_of = as_of or str(sales["month"].max())
    show_targets(result, unknown, fmt=fmt.value, as_of=shown_as_of)


@app.command()
def partners(
    paths: PathsArg = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """A scorecard per partner: coverage, boxes and growth, share, concentration, tier mix,
    timeliness and data quality, ordered by where to spend time."""
    from uplift.analysis.partners import load_stats_from, partner_scorecard
    from uplift.output.views.partners import show_partners

    settings = _settings(config)
    if paths:
        result = _load_paths(paths, settings, partner=partner, sheets=sheet, encoding=encoding)
        sales, competitors = result.sales, result.competitors
        stats = load_stats_from(result.sheets)
    else:
        from uplift.store.workspace import Workspace

        with Workspace.open(workspace) as ws:
            sales = ws.sales(_ANALYSIS_COLUMNS)
            competitors, stats = ws.competitors(), ws.load_stats()
    if fmt is Format.table:
        _ours_note(settings)
    card = partner_scorecard(sales, settings=settings, competitors=competitors, load_stats=stats)
    show_partners(card, fmt=fmt.value)


@app.command()
def report(
    paths: PathsArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The workbook to write (.xlsx).")] = Path(
        "report.xlsx"
    ),
    lang: LangOpt = None,
    mask_prescribers: MaskOpt = False,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
    partner: PartnerOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """One workbook to send: summary with charts, tiers, gaps, plans, growth, partners and
    data quality, in Chinese or English."""
    from uplift.analysis.partners import load_stats_from
    from uplift.output.i18n import current_language
    from uplift.output.render import note, progress_bar
    from uplift.output.report import (
        build_report,
        quality_from_result,
        quality_from_sources,
        write_report,
    )
    from uplift.store.privacy import privacy_level

    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {out}: expected a .xlsx file name")
    settings = _settings(config)
    if paths:
        result = _load_paths(paths, settings, partner=partner, sheets=sheet, encoding=encoding)
        sales, competitors = result.sales, result.competitors
        quality, stats = quality_from_result(result), load_stats_from(result.sheets)
    else:
        from uplift.store.workspace import Workspace

        with Workspace.open(workspace) as ws:
            sales, competitors = ws.sales(_GROWTH_COLUMNS), ws.competitors()
            quality, stats = quality_from_sources(ws.sources()), ws.load_stats()
    if sales.empty:
        raise NoData("no sales rows to report")
    _ours_note(settings)
    level = privacy_level(settings, mask_prescribers=mask_prescribers)
    with progress_bar("Building the report") as advance:
        built = build_report(
            sales,
            competitors,
            settings=settings,
            lang=lang.value if lang is not None else current_language(),
            privacy=level,
            key=_mask_key(workspace) if level == "pseudonym" else None,
            load_report=quality,
            load_stats=stats,
            progress=advance,
        )
        written = write_report(built, out)
    note(f"Wrote {written}: {len(built.sheets)} sheets, prescriber detail {built.privacy}")


# Entry point --------------------------------------------------------------------------


def main() -> None:
    """Run the CLI: known problems become one-line messages, never tracebacks."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("UPLIFT_DEBUG") == "1"
    try:
        code = app(standalone_mode=False)
    except UpliftError as exc:
        if debug:
            raise
        _print_error(exc)
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("Aborted.\n")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            sys.stderr.write(f"Error: {exc}\n")
        sys.exit(getattr(exc, "exit_code", 2))
    except BrokenPipeError:
        # `uplift ... | head` closed the pipe: end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


def _print_error(exc: UpliftError) -> None:
    sys.stderr.write(f"Error: {exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"Hint: {exc.hint}\n")


__all__ = ["UsageError", "app", "main"]
