"""The `uplift` command line: parse options, call the core, render. Nothing else.

What the commands share (settings, reading the data, privacy, periods) is in
`uplift.commands`. Heavy libraries (pandas, rich, duckdb) are imported inside commands so
that `uplift --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from uplift import __version__
from uplift.commands import (
    ANALYSIS_COLUMNS,
    GROWTH_COLUMNS,
    DataSource,
    analysis_data,
    analysis_sales,
    build_and_write_report,
    command_settings,
    data_with_stats,
    finest_level,
    growth_periods,
    masked,
    month_option,
    ours_note,
    prescriber_label,
    privacy,
    read_sheets,
    store_loaded,
    window_label,
    without_prescriber_rows,
)
from uplift.errors import NoData, UpliftError, UsageError

app = typer.Typer(
    name="uplift",
    help="Turn partners' usage-detail sheets into tiers, competitor gaps and uplift plans.",
    no_args_is_help=True,
    add_completion=True,  # uplift --install-completion: commands and options on Tab
    context_settings={"help_option_names": ["-h", "--help"]},
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
    typer.Option(
        "--config", help="Settings file (default: uplift.toml here or in the nearest folder above)."
    ),
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
FileHospitalOpt = Annotated[
    str | None,
    typer.Option(
        "--hospital",
        help="The hospital of a file that is one hospital's own (no hospital column).",
    ),
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
        help="Labels in zh (Chinese) or en (English). Default: from the locale, else zh.",
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
    from uplift.analysis.volumes import entity_keys
    from uplift.output.views.tiers import show_tiers

    settings = command_settings(config, workspace, thresholds=thresholds, vip=vip)
    refuse = "uplift tier --by prescriber" if by is Level.prescriber else None
    level = privacy(settings, refuse=refuse)
    needed = tuple(dict.fromkeys(["month", "product", *entity_keys(by.value)]))
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    sales = analysis_sales(source, settings, needed, compact=True)
    ours_note(settings, when=fmt is Format.table)
    # the same choices make the tiers and tell how to show them
    how: dict[str, Any] = {"by": by.value, "basis": basis.value, "method": method.value}
    result = tier_entities(sales, settings=settings, **how)
    summary = tier_summary(result, thresholds=settings.thresholds)
    if by is Level.prescriber:
        result = masked(result, level, workspace)
    shown = result.head(top) if top is not None else result
    # the summary and the VIP count are of every entity, before the --top cut
    vips = int(result["vip"].sum()) if "vip" in result.columns else 0
    show_tiers(
        shown,
        summary,
        sales,
        fmt=fmt.value,
        settings=settings,
        of=len(result),
        vips=vips,
        **how,
    )


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Sheets, folders or globs to check.")],
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    partner: PartnerOpt = None,
    hospital: FileHospitalOpt = None,
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

    source = DataSource(paths, None, partner=partner, sheets=sheet, encoding=encoding)
    settings = command_settings(config, file_hospital=_hospital_name(hospital))
    result = read_sheets(source, settings, competitors=competitors)
    show_check(result, fmt=fmt.value)
    if result.unreadable:
        raise typer.Exit(2)
    if result.rows_rejected:
        raise typer.Exit(1)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Sheets, folders or globs to load.")],
    partner: PartnerOpt = None,
    hospital: FileHospitalOpt = None,
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
    from uplift.commands import LoadInterrupted
    from uplift.output.render import note
    from uplift.output.views.check import show_check
    from uplift.output.views.workspace import show_load
    from uplift.sheets.reading import restore_stderr
    from uplift.store.workspace import workspace_dir

    settings = command_settings(config, workspace, file_hospital=_hospital_name(hospital))
    # the workspace and the name check need DuckDB and rapidfuzz once the sheets are read:
    # import them while the reader works, not after it
    meanwhile = ("duckdb", "rapidfuzz")
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    result = read_sheets(source, settings, competitors=competitors, meanwhile=meanwhile)
    if result.unreadable:
        show_check(result, fmt="table", compact=True)
        result.raise_if_unreadable()
    try:
        summary = store_loaded(result, workspace)
    except LoadInterrupted as stop:
        restore_stderr()
        if stop.saved is None:
            note(f"Interrupted: nothing was saved; {workspace_dir(workspace)} is as it was.")
        else:
            show_load(stop.saved, str(workspace_dir(workspace)))
            note("Interrupted: the load above was saved before the interrupt.")
        raise SystemExit(130) from None  # past click, which would report it again
    show_load(summary, str(workspace_dir(workspace)))


def _hospital_name(value: str | None) -> str | None:
    from uplift.sheets.names import normalise

    if value is None:
        return None
    name = normalise(value)
    if not name:
        raise UsageError("--hospital: give the hospital's name")
    return name


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
def names(
    paths: PathsArg = None,
    accept: Annotated[
        list[int] | None,
        typer.Option("--accept", help="Write suggestion N into [hospital_aliases] (repeatable)."),
    ] = None,
    accept_sure: Annotated[
        bool, typer.Option("--accept-sure", help="Write every suggestion marked sure.")
    ] = False,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = None,
    config: ConfigOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Hospital names to wash: candidates from the customer master, or likely duplicates."""
    from uplift.analysis.hospital_names import accepted_pairs, name_suggestions
    from uplift.config import CONFIG_NAME, add_hospital_aliases
    from uplift.output.views.names import show_accepted, show_names

    settings = command_settings(config, workspace)
    sales = analysis_sales(
        DataSource(paths, workspace), settings, ("partner", "hospital", "prescriber")
    )
    found = name_suggestions(sales, settings)
    if not accept and not accept_sure:
        show_names(found, fmt=fmt.value, with_master=settings.customers is not None)
        return
    pairs, missing = accepted_pairs(found, accept or [], sure=accept_sure)
    if missing:
        raise UsageError(
            f"--accept: no suggestion numbered {', '.join(map(str, missing))}",
            hint=f"uplift names lists {len(found)} suggestions, numbered 1 to {len(found)}",
        )
    target = Path(settings.source) if settings.source else Path(CONFIG_NAME)
    show_accepted(pairs, add_hospital_aliases(target, pairs), str(target))


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
    month = month_option(month, "--month")
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

    settings = command_settings(config, workspace)
    privacy(settings, refuse="uplift trace --prescriber" if prescriber is not None else None)
    sales = analysis_sales(DataSource(paths, workspace), settings)
    month = month_option(month, "--month")
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

    settings = command_settings(config, workspace)
    refuse = "uplift gaps --by prescriber" if by is GapLevel.prescriber else None
    level = privacy(settings, mask_prescribers, refuse=refuse)
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    sales, competitors = analysis_data(source, settings, ANALYSIS_COLUMNS, compact=True)
    ours_note(settings, when=fmt is Format.table)
    result = competitor_gaps(
        sales, competitors, settings=settings, market=market, by=by.value, hospital=hospital
    )
    result = masked(result, level, workspace, hidden=without_prescriber_rows)
    show_gaps(result, fmt=fmt.value, by=by.value, hospital=hospital, window=window_label(sales))


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
    from uplift.output.plan_texts import anonymise_plan_targets, plan_hospitals
    from uplift.output.render import note
    from uplift.output.views.plans import save_plans, show_plans

    settings = command_settings(config, workspace)
    if out is not None and out.suffix.lower() not in (".xlsx", ".md"):
        raise UsageError(f"--out {out}: expected a .xlsx or .md file name")
    if out is not None:
        from uplift.output.export import check_writable

        check_writable(out)
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    sales, competitors = analysis_data(source, settings, ANALYSIS_COLUMNS, compact=True)
    ours_note(settings, when=fmt is Format.table)
    result = plan_hospitals(
        sales, competitors, settings=settings, market=market, hospital=hospital, options=options
    )
    level = privacy(settings, mask_prescribers)
    plans = masked(result.options, level, workspace, hidden=anonymise_plan_targets)
    show_plans(plans, result.summary, fmt=fmt.value)
    if out is not None:
        note(f"Wrote {save_plans(out, plans, result.summary)}")


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
    from uplift.analysis.growth import breadth_depth, growth_bridge, monthly_trend, with_trend
    from uplift.output.views.growth import show_growth

    settings = command_settings(config, workspace)
    refuse = "uplift growth --by prescriber" if by is Level.prescriber else None
    level = privacy(settings, mask_prescribers, refuse=refuse)
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    sales, competitors = analysis_data(source, settings, GROWTH_COLUMNS)
    ours_note(settings, when=fmt is Format.table)
    start, end = growth_periods(sales, from_, to)
    rows, totals = growth_bridge(
        sales, settings=settings, by=by.value, start=start, end=end, competitors=competitors
    )
    finest = finest_level(sales)
    breadth = breadth_depth(sales, settings=settings, level=finest, start=start, end=end)
    rows = with_trend(rows, monthly_trend(sales, settings=settings, by=by.value), by=by.value)
    if by is Level.prescriber:
        rows = masked(rows, level, workspace)
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

    settings = command_settings(config, workspace)
    sales, _ = analysis_data(DataSource(paths, workspace), settings, GROWTH_COLUMNS)
    goals = read_targets(targets_file, settings=settings)
    as_of = month_option(as_of, "--as-of")
    label = prescriber_label(privacy(settings, mask_prescribers), workspace)
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
    from uplift.analysis.partners import partner_scorecard
    from uplift.output.views.partners import show_partners

    settings = command_settings(config, workspace)
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    data = data_with_stats(source, settings, ANALYSIS_COLUMNS)
    ours_note(settings, when=fmt is Format.table)
    card = partner_scorecard(
        data.sales, settings=settings, competitors=data.competitors, load_stats=data.stats
    )
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
    from uplift.output.i18n import current_language
    from uplift.output.render import note

    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {out}: expected a .xlsx file name")
    from uplift.output.export import check_writable

    check_writable(out)
    settings = command_settings(config, workspace)
    source = DataSource(paths, workspace, partner=partner, sheets=sheet, encoding=encoding)
    data = data_with_stats(source, settings, GROWTH_COLUMNS, quality=True)
    if data.sales.empty:
        raise NoData("no sales rows to report")
    ours_note(settings)
    built, written = build_and_write_report(
        out,
        data,
        settings,
        lang=lang.value if lang is not None else current_language(),
        level=privacy(settings, mask_prescribers),
        workspace=workspace,
    )
    note(f"Wrote {written}: {len(built.sheets)} sheets, prescriber detail {built.privacy}")


# Entry point --------------------------------------------------------------------------


# What a value looks like, for --help (instead of the Python type of the parameter)
_METAVARS = {
    "paths": "FILE",
    "file": "FILE",
    "targets_file": "TARGETS",
    "partner": "NAME",
    "hospital": "NAME",
    "prescriber": "NAME",
    "product": "PRODUCT",
    "market": "MARKET",
    "sheet": "SHEET",
    "encoding": "gbk|utf-8|big5|...",
    "month": "YYYY-MM",
    "as_of": "YYYY-MM",
    "from_month": "YYYY-MM",
    "to_month": "YYYY-MM",
    "from_": "PERIOD",
    "to": "PERIOD",
    "thresholds": "100,200,300",
    "vip": "BOXES",
    "top": "N",
    "options": "N",
    "accept": "N",
    "data": "FILE",
    "config": "uplift.toml",
    "workspace": "FOLDER",
    "out": "FILE",
}
# The most common call of each command, and one with options
_EXAMPLES = {
    "tier": ["uplift tier 康源医药_2026-09.xlsx", "uplift tier --by prescriber --top 20"],
    "check": ["uplift check 康源医药_2026-09.xlsx", "uplift check 流向/ --format json"],
    "load": ["uplift load 康源医药_2026-09.xlsx", "uplift load 流向/ --partner 康源医药"],
    "sources": ["uplift sources", "uplift sources --format csv"],
    "names": ["uplift names", "uplift names --accept 1 --accept 3"],
    "forget": [
        "uplift forget 康源医药_2026-09.xlsx",
        "uplift forget --partner 康源医药 --month 2026-09",
    ],
    "trace": ["uplift trace --hospital 华西", "uplift trace --hospital 华西 --month 2026-09"],
    "gaps": ["uplift gaps", "uplift gaps --hospital 华西协和医院 --market cardio"],
    "plan": ["uplift plan", "uplift plan --hospital 华西协和医院 --out plan.xlsx"],
    "growth": ["uplift growth", "uplift growth --by prescriber --from 2026-08 --to 2026-09"],
    "targets": ["uplift targets 指标.xlsx", "uplift targets 指标.xlsx --as-of 2026-09"],
    "partners": ["uplift partners", "uplift partners --format csv"],
    "report": ["uplift report", "uplift report --out 2026-09月报.xlsx --lang zh"],
}


def _no_type(ctx: Any) -> str:
    return ""


def _command() -> Any:
    """The click command of `app`, with readable value names and an example per command."""
    command = typer.main.get_command(app)
    for name, sub in getattr(command, "commands", {}).items():
        for param in sub.params:
            if param.name in _METAVARS:
                param.metavar = _METAVARS[param.name]
                if isinstance(param, typer.core.TyperArgument):
                    # the value name says it; no Python type beside it
                    param.display_type = _no_type  # type: ignore[method-assign]
        examples = _EXAMPLES.get(name)
        if examples:
            sub.epilog = "\b\nExamples:\n" + "\n".join(f"  {e}" for e in examples)
    return command


def main() -> None:
    """Run the CLI: known problems become one-line messages, never tracebacks."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("UPLIFT_DEBUG") == "1"
    try:
        code = _command()(standalone_mode=False)
    except SystemExit as exc:
        # click answers a closed pipe (`uplift tier | head`) with exit 1, the bad-data
        # code: a reader that has read enough is no failure
        if exc.code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _quiet_stdout()
            sys.exit(0)
        raise
    except UpliftError as exc:
        if debug:
            raise
        _print_error(exc)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C outside a command
        _interrupted()
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            sys.stderr.write(f"Error: {exc}\n")
        sys.exit(getattr(exc, "exit_code", 2))
    except BrokenPipeError:
        # `uplift ... | head` closed the pipe: end quietly
        _quiet_stdout()
        sys.exit(0)
    except MemoryError:
        _print_error(
            UpliftError(
                "out of memory",
                hint="close other programs, or load the files a few at a time",
            )
        )
        sys.exit(2)
    except OSError as exc:  # a disk, a permission, a path: one line, with the path
        if debug:
            raise
        _print_error(_os_error(exc))
        sys.exit(2)
    except Exception as exc:  # a fault of uplift itself: one line, never a traceback
        if debug:
            raise
        if _is_duckdb_error(exc):
            _print_error(_database_error(exc))
            sys.exit(2)
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        sys.stderr.write(
            f"Error: unexpected problem ({type(exc).__name__}: {first}); "
            "run again with --debug to see where, and report it\n"
        )
        sys.exit(70)
    if code == 130:  # Ctrl-C: click turns KeyboardInterrupt into this exit code
        _interrupted()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader left before the last lines
        _quiet_stdout()
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the exit's flush meets no closed pipe."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)


def _interrupted() -> None:
    from uplift.sheets.reading import restore_stderr

    restore_stderr()  # a reader on another thread may still hold it silenced
    sys.stderr.write("Interrupted: nothing was saved.\n")
    sys.exit(130)


def _os_error(exc: OSError) -> UpliftError:
    import errno

    where = exc.filename or ""
    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some disk space, or use a workspace on another disk (--workspace)",
        errno.EROFS: "the disk is read-only: choose another folder (--workspace, --out)",
        errno.EACCES: "you may not write there: choose another folder (--workspace, --out)",
        errno.EPERM: "you may not write there: choose another folder (--workspace, --out)",
        errno.ENOTDIR: "a file stands where a folder is expected",
    }.get(exc.errno or 0, "")
    return UpliftError(f"{where}: {reason}" if where else reason, hint=hint)


def _is_duckdb_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("duckdb", "_duckdb"))


def _database_error(exc: BaseException) -> UpliftError:
    text = (str(exc).strip().splitlines() or [""])[0][:200]
    lowered = text.casefold()
    if "space" in lowered or "disk" in lowered:
        hint = "free some disk space, or use a workspace on another disk (--workspace)"
    elif "memory" in lowered:
        hint = "close other programs, or load the files a few at a time"
    else:
        hint = "the workspace is unchanged; run again with --debug to see where"
    return UpliftError(f"workspace: {text}", hint=hint)


def _print_error(exc: UpliftError) -> None:
    from uplift.output.safety import visible

    sys.stderr.write(f"Error: {visible(exc.message)}\n")
    if exc.hint:
        sys.stderr.write(f"Hint: {visible(exc.hint)}\n")


__all__ = ["UsageError", "app", "main"]
