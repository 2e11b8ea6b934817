"""The report: one workbook a manager can send, in Chinese or English.

It replaces the pivot tables built by hand: a Summary sheet (key figures, where the growth
came from, hospitals per tier, top opportunities, partners needing attention, three native
charts and a note on what produced it), then Hospital tiers, Prescriber tiers, Gaps, Plans,
Growth, Partners and Data quality.

Every figure comes from the functions the commands call (`tier_entities`, `tier_summary`,
`competitor_gaps`, `plan_hospitals`, `growth_bridge`, `partner_scorecard`) with the same
settings and their default options, so the report says what `uplift tier`, `gaps`, `plan`,
`growth` and `partners` say for the same data.

`build_report` computes those figures once, then builds each sheet with its own function
(`summary_sheet`, `hospital_tiers_sheet`, `prescriber_tiers_sheet`, `gaps_sheet`,
`plans_sheet`, `growth_sheet`, `partners_sheet`, `quality_sheet`) from the figures it shows
and a `ReportContext` (settings, language, prescriber detail, window).

Prescriber detail (`privacy`): "named" shows doctors' names; "pseudonym" shows the stable
pseudonyms of `plan --mask-prescribers` (same key, same pseudonym); "hidden" leaves out
every prescriber-level sheet and column, and plan texts name a plan's doctors only as
"Prescriber 1", "Prescriber 2" ... (numbered within each option, so nobody can be followed
from one option to another). The Summary sheet states the level used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from uplift.analysis import gaps as G
from uplift.analysis import growth as GR
from uplift.analysis import partners as PA
from uplift.analysis import plans as P
from uplift.analysis.tiers import MONTHLY, SHARE, tier_entities, tier_labels, tier_summary
from uplift.config import PRIVACY_LEVELS
from uplift.errors import NoData, UsageError
from uplift.output import plan_texts as PT
from uplift.output.export import Block, Chart, SheetSpec, write_sheets
from uplift.output.i18n import check_language, language, t
from uplift.output.plan_texts import anonymise_plan_targets
from uplift.output.render import boxes_text, round_half_up
from uplift.sheets import columns as C
from uplift.store.privacy import (
    TARGETS,
    mask_prescribers,
)

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings
    from uplift.sheets.loading import LoadResult

# Sheets, in order: stable keys and their English names (translated with `t`).
SHEETS: Final = (
    ("summary", "Summary"),
    ("hospital_tiers", "Hospital tiers"),
    ("prescriber_tiers", "Prescriber tiers"),
    ("gaps", "Gaps"),
    ("plans", "Plans"),
    ("growth", "Growth"),
    ("partners", "Partners"),
    ("data_quality", "Data quality"),
)

# boxes at their 2 decimals and shares at their 4 (as percent with 2), as in JSON and CSV:
# a whole-number format would show 299.5 boxes as "300" beside tier B
BOXES_FORMAT: Final = "#,##0.00"
SHARE_FORMAT: Final = "0.00%"
COUNT_FORMAT: Final = "#,##0"
CHANGE_FORMAT: Final = "+#,##0.00;-#,##0.00;0.00"

TOP_OPPORTUNITIES: Final = 10
LARGEST_HOSPITALS: Final = 10
TOP_COMPETITORS: Final = 3
TREND_PARTNERS: Final = 10  # lines in the trend chart; the table lists every partner
PLAN_OPTIONS: Final = 3  # as `uplift plan`

# Columns of the data-quality table (one row per sheet read, or per file and partner loaded).
QUALITY_COLUMNS: Final = (
    "file",
    "sheet",
    "kind",
    "partners",
    "months",
    "header_row",
    "rows_read",
    "kept",
    "skipped",
    "rejected",
    "skipped_because",
    "rejected_because",
    "examples",
    "note",
    "loaded_at",
)

# Summary blocks (keys of the chart data)
TREND_BLOCK: Final = "trend"
TIERS_BLOCK: Final = "tiers"
SHARE_BLOCK: Final = "share"

STEPS: Final = ("tiers", "gaps", "plans", "growth", "partners", "summary")


@dataclass(frozen=True)
class Report:
    """A built report: what `write_report` writes, and the figures behind it.

    `sheets` maps each sheet name (in the report's language, in order) to its main table,
    with stable column keys (the Summary's is the key-figures table); `kpis` holds the
    key figures under stable English keys; `charts` the chart specs; `notes` the
    (item, value) lines saying what produced the report; `layout` the sheets as written.
    """

    language: str
    privacy: str
    sheets: dict[str, pd.DataFrame]
    kpis: dict[str, Any]
    charts: tuple[Chart, ...]
    notes: tuple[tuple[str, str], ...]
    layout: tuple[SheetSpec, ...]
    names: dict[str, str] = field(default_factory=dict)  # sheet key -> sheet name

    def sheet(self, key: str) -> pd.DataFrame:
        """The main table of the sheet with stable `key` (see SHEETS)."""
        return self.sheets[self.names[key]]


# Inputs ------------------------------------------------------------------------------------


def quality_from_result(result: LoadResult) -> pd.DataFrame:
    """The data-quality table of a load: per sheet, what was kept, skipped and rejected, why.

    Files that could not be read, or that repeat another file, get a row with the reason;
    the loader's warnings and notes follow as rows of kind "note".
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for f in result.files:
        name = Path(f.path).name
        if f.error is not None or f.duplicate_of is not None:
            note = (
                f.error.message
                if f.error is not None
                else f"same content as {Path(str(f.duplicate_of)).name}; read once"
            )
            rows.append({"file": name, "kind": "error" if f.error else "duplicate", "note": note})
            continue
        for s in f.sheets:
            rows.append(
                {
                    "file": name,
                    "sheet": s.sheet,
                    "kind": s.kind,
                    "partners": ", ".join(s.partners),
                    "months": _months_text(s.months),
                    "header_row": s.header_row,
                    "rows_read": s.rows_read,
                    "kept": s.kept,
                    "skipped": sum(s.skipped.values()),
                    "rejected": sum(s.rejected.values()),
                    "skipped_because": _reasons(s.skipped),
                    "rejected_because": _reasons(s.rejected),
                    "examples": list(s.examples),
                    "note": s.note,
                }
            )
    for message in [*result.warnings, *result.notes]:
        rows.append({"kind": "note", "note": message})
    return _quality_frame(pd.DataFrame(rows))


def quality_from_sources(sources: pd.DataFrame) -> pd.DataFrame:
    """The data-quality table of a workspace, from `Workspace.sources()`.

    The workspace keeps counts, not reasons: one row per file and partner with its months,
    rows kept, rows read and rejected at load (per file), and when it was loaded (UTC).
    """
    import pandas as pd

    out = pd.DataFrame(
        {
            "file": sources["file"].map(lambda p: Path(str(p)).name),
            "kind": sources["kind"],
            "partners": sources["partner"],
            "months": sources["months"].map(lambda m: _months_text(str(m).split(",") if m else [])),
            "rows_read": sources["rows_read"],
            "kept": sources["rows"],
            "rejected": sources["rows_rejected"],
            "loaded_at": sources["loaded_at"],
        }
    )
    return _quality_frame(out)


def _quality_frame(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = pd.DataFrame(index=frame.index)
    for col in QUALITY_COLUMNS:
        if col in ("header_row", "rows_read", "kept", "skipped", "rejected"):
            values = frame[col] if col in frame.columns else None
            out[col] = (
                pd.to_numeric(values, errors="coerce") if values is not None else float("nan")
            )
        elif col == "examples":
            values = frame[col] if col in frame.columns else pd.Series(None, index=frame.index)
            out[col] = [v if isinstance(v, list) else [] for v in values]
        else:
            values = frame[col] if col in frame.columns else pd.Series("", index=frame.index)
            out[col] = values.fillna("").astype("str")
    return out.reset_index(drop=True)


def _reasons(counts: Mapping[str, int]) -> str:
    return "; ".join(f"{n} {reason}" for reason, n in sorted(counts.items()) if n)


def _months_text(months: Sequence[str]) -> str:
    months = [m for m in months if m]
    if not months:
        return ""
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"


# The build -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportContext:
    """What every sheet shares: the settings, language, prescriber detail (and its masking
    key) and the months of the window."""

    settings: Settings
    lang: str
    privacy: str
    key: bytes | None
    window: list[str]


@dataclass(frozen=True)
class GrowthFigures:
    """The growth bridge of the last month against the one before (`start`, `end`); no
    bridge nor totals when the data has one month only."""

    start: list[str]
    end: list[str]
    bridge: pd.DataFrame | None
    totals: dict[str, Any] | None
    missing: str = ""  # the month before the last, when the data holds none of it


def build_report(
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None = None,
    *,
    settings: Settings,
    lang: str = "zh",
    privacy: str | None = None,
    key: bytes | None = None,
    load_report: pd.DataFrame | None = None,
    load_stats: pd.DataFrame | None = None,
    months: Sequence[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Build the report of `sales` (and field-visit `competitors`).

    lang: "zh" or "en". privacy: "named", "pseudonym" (needs `key`, the workspace's masking
    key, as `plan --mask-prescribers`) or "hidden"; None takes `settings.prescriber_detail`.
    load_report: the data-quality table (`quality_from_result` or `quality_from_sources`);
    load_stats: per partner rows read and rejected, for the Partners sheet (as `uplift
    partners`: `partners.load_stats_from(result.sheets)` or `Workspace.load_stats()`).
    months: report only these months (the data is cut to them first). progress: called
    with (step done, steps, label) as the build goes.
    """
    from uplift.analysis.volumes import window_months

    lang = check_language(lang)
    level = _privacy_level(privacy, settings, key)
    if months is not None:
        sales = sales[sales[C.MONTH].isin(list(months))]
    if sales.empty:
        raise NoData("no sales rows to report")
    step = _stepper(progress)
    s, comp = settings, competitors
    with language(lang):
        ctx = ReportContext(s, lang, level, key, window_months(sales))
        # the commands' own calls, with their default options
        hospital_tiers = tier_entities(sales, settings=s, by="hospital")
        prescriber_tiers = tier_entities(sales, settings=s, by="prescriber")
        per_tier = tier_summary(hospital_tiers, thresholds=s.thresholds)
        step("tiers")
        gaps = G.competitor_gaps(sales, comp, settings=s, by="hospital")
        step("gaps")
        plans = PT.plan_hospitals(sales, comp, settings=s, options=PLAN_OPTIONS)
        step("plans")
        growth = _growth_figures(sales, comp, s)
        step("growth")
        card = PA.partner_scorecard(sales, settings=s, competitors=comp, load_stats=load_stats)
        step("partners")

        kpis = _kpis(ctx, hospital_tiers, per_tier, gaps, card, growth)
        notes = _notes(ctx, sales, load_report, growth)
        specs: list[tuple[str, SheetSpec, pd.DataFrame]] = [
            ("summary", *summary_sheet(ctx, kpis, per_tier, gaps, card, growth, notes)),
            ("hospital_tiers", *hospital_tiers_sheet(ctx, hospital_tiers)),
        ]
        if level != "hidden":
            specs.append(("prescriber_tiers", *prescriber_tiers_sheet(ctx, prescriber_tiers)))
        specs.append(("gaps", *gaps_sheet(gaps)))
        specs.append(("plans", *plans_sheet(ctx, plans)))
        specs.append(("growth", *growth_sheet(growth)))
        specs.append(("partners", *partners_sheet(ctx, card)))
        specs.append(("data_quality", *quality_sheet(ctx, load_report, sales, comp)))
        step("summary")
        return _assemble(ctx, specs, kpis, notes)


def write_report(report: Report, path: Path) -> Path:
    """Write `report` to an .xlsx workbook at `path` (atomically); returns the path."""
    if Path(path).suffix.lower() != ".xlsx":
        raise UsageError(f"--out {path}: expected a .xlsx file name")
    return write_sheets(Path(path), report.layout)


def _privacy_level(privacy: str | None, settings: Settings, key: bytes | None) -> str:
    """The prescriber detail asked for (or the settings'), checked."""
    level = privacy if privacy is not None else settings.prescriber_detail
    if level not in PRIVACY_LEVELS:
        raise UsageError(f"prescriber detail must be one of {', '.join(PRIVACY_LEVELS)}")
    if level == "pseudonym" and key is None:
        raise UsageError("pseudonyms need the workspace's masking key")
    return level


def _stepper(progress: Callable[[int, int, str], None] | None) -> Callable[[str], None]:
    """A `step(label)` that counts the steps done and reports each to `progress`."""
    done = 0

    def step(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(STEPS), label)

    return step


def _growth_figures(
    sales: pd.DataFrame, competitors: pd.DataFrame | None, settings: Settings
) -> GrowthFigures:
    """The growth bridge of `uplift growth` with its default periods."""
    try:
        start, end = GR.resolve_periods(sales, None, None)
        bridge, totals = GR.growth_bridge(
            sales, settings=settings, by="hospital", start=start, end=end, competitors=competitors
        )
    except NoData:  # one month of data: nothing to compare
        return GrowthFigures([], [], None, None)
    except UsageError:  # no data for the month before the last (07 and 09, no 08)
        months = sorted(str(m) for m in sales[C.MONTH].unique())
        before = GR.add_months(months[-1], -1)
        return GrowthFigures([], [], None, None, missing=before)
    return GrowthFigures(start, end, bridge, totals)


def _assemble(
    ctx: ReportContext,
    specs: list[tuple[str, SheetSpec, pd.DataFrame]],
    kpis: dict[str, Any],
    notes: list[tuple[str, str]],
) -> Report:
    """The report of the sheets built, in order, each as (key, spec, main table)."""
    return Report(
        language=ctx.lang,
        privacy=ctx.privacy,
        sheets={spec.name: frame for _, spec, frame in specs},
        kpis=kpis,
        charts=tuple(chart for _, spec, _ in specs for chart in spec.charts),
        notes=tuple(notes),
        layout=tuple(spec for _, spec, _ in specs),
        names={k: spec.name for k, spec, _ in specs},
    )


# Figures ---------------------------------------------------------------------------------


def _kpis(
    ctx: ReportContext,
    hospital_tiers: pd.DataFrame,
    per_tier: pd.DataFrame,
    gaps: pd.DataFrame,
    card: pd.DataFrame,
    growth: GrowthFigures,
) -> dict[str, Any]:
    """Key figures under stable keys, each taken from a command's own result."""
    window, start, end, totals = ctx.window, growth.start, growth.end, growth.totals
    out: dict[str, Any] = {
        "window": list(window),
        "month": GR.period_label(end) if end else (window[-1] if window else ""),
        "previous_month": GR.period_label(start) if start else growth.missing,
    }
    if totals is not None:
        this, before = totals["end"], totals["start"]
        out["boxes_this_month"] = this
        out["boxes_previous_month"] = before
        out["growth_boxes"] = round(this - before, 4)
        out["growth_pct"] = (this - before) / before if before > 0 else float("nan")
        for line in (GR.NEW, GR.GROWN, GR.DECLINED, GR.LOST):
            out[line] = totals[line]
    else:
        last = window[-1] if window else ""
        out["boxes_this_month"] = float(
            sum(m.get(last, 0.0) for m in hospital_tiers[MONTHLY]) if last else 0.0
        )
        out["boxes_previous_month"] = float("nan")
        out["growth_boxes"] = float("nan")
        out["growth_pct"] = float("nan")
    out["hospitals"] = len(hospital_tiers)
    out["hospitals_per_tier"] = {
        str(tier): int(n) for tier, n in zip(per_tier[C.TIER], per_tier["entities"], strict=True)
    }
    out["vip_hospitals"] = int(hospital_tiers[C.VIP].sum())
    out["vip_hospital_names"] = hospital_tiers.loc[hospital_tiers[C.VIP], C.HOSPITAL].tolist()
    out["opportunity_boxes"] = float(gaps[G.OPPORTUNITY_BOXES].sum())
    out["conversion_boxes"] = float(gaps[G.CONVERSION_BOXES].sum())
    out["development_boxes"] = float(gaps[G.DEVELOPMENT_BOXES].sum())
    attention = _needing_attention(card)
    out["partners"] = len(card)
    out["partners_needing_attention"] = attention[C.PARTNER].tolist()
    return out


def _notes(
    ctx: ReportContext,
    sales: pd.DataFrame,
    load_report: pd.DataFrame | None,
    growth: GrowthFigures,
) -> list[tuple[str, str]]:
    """What produced the report: data, window, thresholds, rates, markets, privacy."""
    s, start, end = ctx.settings, growth.start, growth.end
    files: list[str] = []
    if load_report is not None and len(load_report):
        files = [f for f in dict.fromkeys(load_report["file"]) if f]
    if not files:
        files = sorted({Path(str(f)).name for f in sales[C.SOURCE_FILE] if f})
    partners = sorted(sales[C.PARTNER].unique())
    rates = s.rates
    rate_text = ", ".join(
        f"{name} {_pct(getattr(rates, name))}"
        for name in ("reach", "conversion", "adoption", "recovery", "event")
    )
    markets = "; ".join(
        f"{m.name}: {'、'.join(sorted(m.ours))}"
        + (f" vs {'、'.join(sorted(m.competitors))}" if m.competitors else "")
        for m in s.markets
    )
    ours = "、".join(sorted(s.all_ours())) if s.ours_declared else ""
    levels = {
        "named": "named: doctors' real names",
        "pseudonym": "pseudonym: doctors as stable pseudonyms",
        "hidden": "hidden: no prescriber-level figures or names",
    }
    return [
        (t("Files"), ", ".join(files) or t("(none)")),
        (t("Partners in the data"), ", ".join(partners)),
        (t("Window"), _window_text(ctx.window)),
        (
            t("Growth compares"),
            f"{GR.period_label(end)} vs {GR.period_label(start)}"
            if end
            else t("(none): no data for {month}").format(month=growth.missing)
            if growth.missing
            else t("(none)"),
        ),
        (
            t("Figures"),
            t(
                "Average boxes/month of our products over the window unless a month is "
                "named; every figure as in the uplift commands with the same data and "
                "settings."
            ),
        ),
        (t("Tier thresholds (boxes/month)"), ", ".join(f"{x:g}" for x in s.thresholds)),
        (t("VIP from (boxes/month)"), f"{s.vip:g}"),
        (t("Rates"), rate_text),
        (t("Markets"), markets or t("(none)")),
        (t("Our products"), ours or t("(none: every product counts as ours)")),
        (t("Settings file"), Path(s.source).name if s.source else t("(none)")),
        (t("Prescriber detail"), t(levels[ctx.privacy])),
        (t("Language"), ctx.lang),
        (t("Generated"), datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]


def _window_text(window: list[str]) -> str:
    """The window's months and how many: `2026-01..2026-06 (6 months)`."""
    n = len(window)
    count = t("{n} month" if n == 1 else "{n} months").format(n=n)
    return f"{GR.period_label(window)} ({count})"


# The Summary sheet -------------------------------------------------------------------------


def summary_sheet(
    ctx: ReportContext,
    kpis: dict[str, Any],
    per_tier: pd.DataFrame,
    gaps: pd.DataFrame,
    card: pd.DataFrame,
    growth: GrowthFigures,
    notes: list[tuple[str, str]],
) -> tuple[SheetSpec, pd.DataFrame]:
    """The Summary sheet (its blocks, charts and heading) and its key-figures table."""
    blocks = [_key_figures_block(ctx.settings, kpis)]
    if growth.totals is not None:
        blocks.append(_growth_bridge_block(growth.totals, growth.start, growth.end))
    blocks.append(_tiers_block(ctx.settings, per_tier))
    blocks.append(_opportunities_block(gaps))
    blocks.append(_attention_block(card))
    trend, trend_headers = _trend_block(card, ctx.window)
    blocks.append(trend)
    share, share_headers = _largest_hospitals_block(gaps)
    blocks.append(share)
    blocks.append(_about_block(notes))
    charts = _summary_charts(trend_headers, share_headers)
    heading = [
        t("Uplift report"),
        f"{_window_text(ctx.window)} · {t('Prescriber detail')}: {t(ctx.privacy)}",
    ]
    spec = SheetSpec(t("Summary"), blocks, charts=charts, heading=heading, table=False)
    return spec, spec.blocks[0].frame


def _key_figures_block(settings: Settings, kpis: dict[str, Any]) -> Block:
    """Key figures: boxes and growth, hospitals per tier, VIPs, opportunity, attention."""
    import pandas as pd

    s = settings
    labels = tier_labels(s.thresholds)
    bounds = [*s.thresholds[::-1]]
    figures: list[tuple[str, Any, str, str]] = [
        (t("Boxes this month"), kpis["boxes_this_month"], kpis["month"], BOXES_FORMAT),
        (
            t("Boxes previous month"),
            kpis["boxes_previous_month"],
            t("{month}: no data").format(month=kpis["previous_month"])
            if kpis["previous_month"] and math.isnan(kpis["boxes_previous_month"])
            else kpis["previous_month"],
            BOXES_FORMAT,
        ),
        (t("Growth vs previous month"), kpis["growth_boxes"], "", CHANGE_FORMAT),
        (t("Growth % vs previous month"), kpis["growth_pct"], "", SHARE_FORMAT),
    ]
    for i, tier in enumerate(labels):
        detail = f">= {bounds[i]:g}" if i < len(bounds) else f"< {s.thresholds[0]:g}"
        figures.append(
            (
                t("Hospitals in tier {tier}").format(tier=tier),
                kpis["hospitals_per_tier"].get(tier, 0),
                detail,
                COUNT_FORMAT,
            )
        )
    figures.append(
        (
            t("VIP hospitals (>= {vip} boxes/month)").format(vip=f"{s.vip:g}"),
            kpis["vip_hospitals"],
            "、".join(kpis["vip_hospital_names"]),
            COUNT_FORMAT,
        )
    )
    figures.append(
        (
            t("Opportunity boxes/month (all hospitals)"),
            kpis["opportunity_boxes"],
            f"{t('Conversion')} {boxes_text(kpis['conversion_boxes'])} + "
            f"{t('Development')} {boxes_text(kpis['development_boxes'])}",
            BOXES_FORMAT,
        )
    )
    figures.append(
        (
            t("Partners needing attention"),
            len(kpis["partners_needing_attention"]),
            ", ".join(kpis["partners_needing_attention"]),
            COUNT_FORMAT,
        )
    )
    key_figures = pd.DataFrame(
        [(label, value, detail) for label, value, detail, _ in figures],
        columns=["figure", "value", "detail"],
    )
    return Block(
        key_figures,
        title=t("Key figures"),
        headers={"figure": t("Figure"), "value": t("Value"), "detail": t("Detail")},
        row_formats=[fmt for *_, fmt in figures],
    )


def _growth_bridge_block(totals: dict[str, Any], start: list[str], end: list[str]) -> Block:
    """Where the growth came from: the bridge's lines from `start` to `end`."""
    from uplift.output.views.growth import reconciliation

    lines = reconciliation(totals, start, end)
    return Block(
        lines,
        title=t("Where the growth came from ({start} -> {end})").format(
            start=GR.period_label(start), end=GR.period_label(end)
        ),
        headers={
            "line": t("Bridge"),
            C.BOXES: t("Boxes"),
            "entities": t("Hospitals"),
            GR.NOTE: t("Note"),
        },
        formats={C.BOXES: BOXES_FORMAT, "entities": COUNT_FORMAT},
    )


def _tiers_block(settings: Settings, per_tier: pd.DataFrame) -> Block:
    """Hospitals per tier, with their boxes and share (the bar chart's data)."""
    tiers = per_tier[[C.TIER, "from_boxes", "entities", C.BOXES, SHARE]]
    return Block(
        tiers,
        title=t("Hospitals per tier"),
        headers={
            C.TIER: t("Tier"),
            "from_boxes": t("From boxes"),
            "entities": t("Hospitals"),
            C.BOXES: t("Boxes"),
            SHARE: t("Share of boxes"),
        },
        formats={
            "from_boxes": BOXES_FORMAT,
            "entities": COUNT_FORMAT,
            C.BOXES: BOXES_FORMAT,
            SHARE: SHARE_FORMAT,
        },
        tier_column=C.TIER,
        tier_labels=tier_labels(settings.thresholds),
        key=TIERS_BLOCK,
    )


def _opportunities_block(gaps: pd.DataFrame) -> Block:
    """The hospitals with the most opportunity boxes/month."""
    several = len(set(gaps[G.MARKET])) > 1
    top = gaps.sort_values(
        [G.OPPORTUNITY_BOXES, G.MARKET_BOXES], ascending=False, kind="stable"
    ).head(TOP_OPPORTUNITIES)
    columns = [G.MARKET] if several else []
    columns += [
        C.HOSPITAL,
        G.OPPORTUNITY_BOXES,
        G.CONVERSION_BOXES,
        G.DEVELOPMENT_BOXES,
        G.OURS_BOXES,
        G.SHARE,
        G.LEADER,
        G.SEGMENT,
    ]
    frame = top[columns].copy()
    frame[G.SEGMENT] = [t(x) if x else x for x in frame[G.SEGMENT]]
    return Block(
        frame.reset_index(drop=True),
        title=t("Top opportunities"),
        headers=_gap_headers(),
        formats=_gap_formats(),
    )


def _attention_block(card: pd.DataFrame) -> Block:
    """Partners whose boxes fell last month or who missed a month, and why."""
    attention = _needing_attention(card)
    frame = attention[
        [C.PARTNER, PA.LAST_MONTH_BOXES, PA.GROWTH, PA.GROWTH_PCT, PA.MISSING_MONTHS]
    ].copy()
    frame[PA.MISSING_MONTHS] = [", ".join(m) for m in frame[PA.MISSING_MONTHS]]
    frame["why"] = attention["why"].to_numpy()
    return Block(
        frame.reset_index(drop=True),
        title=t("Partners needing attention"),
        headers={
            C.PARTNER: t("Partner"),
            PA.LAST_MONTH_BOXES: t("Last month"),
            PA.GROWTH: t("Growth"),
            PA.GROWTH_PCT: t("Growth %"),
            PA.MISSING_MONTHS: t("Missing months"),
            "why": t("Why"),
        },
        formats={
            PA.LAST_MONTH_BOXES: BOXES_FORMAT,
            PA.GROWTH: CHANGE_FORMAT,
            PA.GROWTH_PCT: SHARE_FORMAT,
        },
    )


def _trend_block(card: pd.DataFrame, window: list[str]) -> tuple[Block, dict[str, str]]:
    """Monthly boxes per partner (the line chart's data), and its partner columns."""
    trend, trend_headers = _partner_trend(card, window)
    block = Block(
        trend,
        title=t("Monthly boxes per partner"),
        headers={"month": t("Month"), **trend_headers},
        formats=dict.fromkeys(trend_headers, BOXES_FORMAT),
        key=TREND_BLOCK,
    )
    return block, trend_headers


def _largest_hospitals_block(gaps: pd.DataFrame) -> tuple[Block, dict[str, str]]:
    """Share in the largest hospitals (the stacked chart's data), and its columns."""
    share, share_headers = _largest_hospitals(gaps)
    block = Block(
        share,
        title=t("Share in the largest hospitals"),
        headers={C.HOSPITAL: t("Hospital"), **share_headers},
        formats={k: BOXES_FORMAT for k in share_headers if k != SHARE} | {SHARE: SHARE_FORMAT},
        key=SHARE_BLOCK,
    )
    return block, share_headers


def _about_block(notes: list[tuple[str, str]]) -> Block:
    """About this report: the (item, value) notes on what produced it."""
    import pandas as pd

    about = pd.DataFrame(notes, columns=["item", "value"])
    return Block(
        about,
        title=t("About this report"),
        headers={"item": t("Item"), "value": t("Value")},
    )


def _summary_charts(trend_headers: dict[str, str], share_headers: dict[str, str]) -> list[Chart]:
    """The Summary's three charts: partner trend, hospitals per tier, largest hospitals."""
    return [
        Chart(
            "line",
            TREND_BLOCK,
            categories="month",
            series=list(trend_headers)[:TREND_PARTNERS],
            title=t("Monthly boxes per partner"),
            x_title=t("Month"),
            y_title=t("Boxes"),
        ),
        Chart(
            "bar",
            TIERS_BLOCK,
            categories=C.TIER,
            series=["entities"],
            title=t("Hospitals per tier"),
            x_title=t("Tier"),
            y_title=t("Hospitals"),
        ),
        Chart(
            "stacked",
            SHARE_BLOCK,
            categories=C.HOSPITAL,
            series=[k for k in share_headers if k != SHARE],
            title=t("Share in the largest hospitals"),
            y_title=t("Share"),
        ),
    ]


# The other sheets --------------------------------------------------------------------------


def hospital_tiers_sheet(ctx: ReportContext, tiers: pd.DataFrame) -> tuple[SheetSpec, pd.DataFrame]:
    """The Hospital tiers sheet: each hospital's tier, boxes/month, VIP and months."""
    return _tiers_sheet(ctx, tiers, "hospital")


def prescriber_tiers_sheet(
    ctx: ReportContext, tiers: pd.DataFrame
) -> tuple[SheetSpec, pd.DataFrame]:
    """The Prescriber tiers sheet: each prescriber's tier, boxes/month and months."""
    return _tiers_sheet(ctx, tiers, "prescriber")


def _tiers_sheet(
    ctx: ReportContext, tiers: pd.DataFrame, by: str
) -> tuple[SheetSpec, pd.DataFrame]:
    """A tiers sheet of `by` ("hospital" or "prescriber"), with boxes per month."""
    from uplift.analysis.volumes import entity_keys

    keys = entity_keys(by)
    frame = tiers[[*keys, C.TIER, C.BOXES, C.VIP, C.MONTHS, SHARE]].copy()
    if by == "prescriber" and ctx.privacy == "pseudonym":
        assert ctx.key is not None
        frame = mask_prescribers(frame, ctx.key)
    frame[C.VIP] = ["VIP" if v else "" for v in frame[C.VIP]]
    if by != "hospital":
        frame = frame.drop(columns=C.VIP)
    month_headers = {}
    for i, month in enumerate(ctx.window):
        column = f"m{i}"
        frame[column] = [m.get(month, 0.0) for m in tiers[MONTHLY]]
        month_headers[column] = month
    headers = {
        C.HOSPITAL: t("Hospital"),
        C.PRESCRIBER: t("Prescriber"),
        C.TIER: t("Tier"),
        C.BOXES: t("Boxes/month"),
        C.VIP: t("VIP"),
        C.MONTHS: t("Months"),
        SHARE: t("Share"),
        **month_headers,
    }
    formats = {C.BOXES: BOXES_FORMAT, C.MONTHS: COUNT_FORMAT, SHARE: SHARE_FORMAT}
    formats |= dict.fromkeys(month_headers, BOXES_FORMAT)
    block = Block(
        frame,
        headers=headers,
        formats=formats,
        tier_column=C.TIER,
        tier_labels=tier_labels(ctx.settings.thresholds),
    )
    name = "Hospital tiers" if by == "hospital" else "Prescriber tiers"
    return SheetSpec(t(name), [block]), frame


def gaps_sheet(gaps: pd.DataFrame) -> tuple[SheetSpec, pd.DataFrame]:
    """The Gaps sheet: per hospital (and market), ours against the competitors."""
    several = len(set(gaps[G.MARKET])) > 1
    columns = [G.MARKET] if several else []
    columns += [
        C.HOSPITAL,
        G.OURS_BOXES,
        G.COMPETITOR_BOXES,
        G.MARKET_BOXES,
        G.SHARE,
        G.SHARE_BAND,
        G.SEGMENT,
        G.RANK,
        G.LEADER,
        G.LEADER_BOXES,
        G.GAP_TO_LEADER,
        G.CONVERSION_BOXES,
        G.DEVELOPMENT_BOXES,
        G.OPPORTUNITY_BOXES,
        G.COMPETITORS,
        G.WHITESPACE_DEPARTMENTS,
        G.COMPETITOR_SOURCE,
    ]
    frame = gaps[columns].copy()
    frame[G.SEGMENT] = [t(x) if x else x for x in frame[G.SEGMENT]]
    frame[G.COMPETITOR_SOURCE] = [t(x) for x in frame[G.COMPETITOR_SOURCE]]
    frame[G.COMPETITORS] = [
        "; ".join(f"{p} {boxes_text(b)}" for p, b in c.items()) for c in frame[G.COMPETITORS]
    ]
    frame[G.WHITESPACE_DEPARTMENTS] = ["、".join(d) for d in frame[G.WHITESPACE_DEPARTMENTS]]
    frame[G.RANK] = [int(r) if r else None for r in frame[G.RANK]]
    frame = frame.reset_index(drop=True)
    spec = SheetSpec(t("Gaps"), [Block(frame, headers=_gap_headers(), formats=_gap_formats())])
    return spec, frame


def plans_sheet(ctx: ReportContext, plans: P.PlanResult) -> tuple[SheetSpec, pd.DataFrame]:
    """The Plans sheet: per hospital its projection, then one row per option."""
    from uplift.output.views.plans import type_label

    options = plans.options
    if ctx.privacy == "pseudonym":
        assert ctx.key is not None
        options = mask_prescribers(options, ctx.key)
    elif ctx.privacy == "hidden":
        options = anonymise_plan_targets(options)
    summary = plans.summary[
        [
            G.MARKET,
            C.HOSPITAL,
            P.CURRENT_BOXES,
            P.CURRENT_TIER,
            C.VIP,
            P.PROJECTED_BOXES,
            P.PROJECTED_TIER,
            PT.REASON,
        ]
    ]
    shown = options[
        [
            G.MARKET,
            C.HOSPITAL,
            P.RANK,
            P.TYPE,
            P.PRIORITY,
            P.EXTRA_BOXES,
            TARGETS,
            PT.FORMULA,
            PT.EVIDENCE,
            PT.ACTIONS,
            PT.KPI,
        ]
    ]
    frame = summary.merge(shown, on=[G.MARKET, C.HOSPITAL], how="left", sort=False)
    frame[C.VIP] = ["VIP" if v else "" for v in frame[C.VIP]]
    frame[P.TYPE] = [type_label(x) if isinstance(x, str) else "" for x in frame[P.TYPE]]
    frame[P.PRIORITY] = [t(x) if isinstance(x, str) else "" for x in frame[P.PRIORITY]]
    frame[TARGETS] = ["、".join(x) if isinstance(x, list) else "" for x in frame[TARGETS]]
    frame[PT.ACTIONS] = ["\n".join(x) if isinstance(x, list) else "" for x in frame[PT.ACTIONS]]
    frame[P.RANK] = [int(x) if x == x else None for x in frame[P.RANK]]  # NaN: no option
    if len(set(frame[G.MARKET])) <= 1:
        frame = frame.drop(columns=G.MARKET)
    formats = {
        P.CURRENT_BOXES: BOXES_FORMAT,
        P.PROJECTED_BOXES: BOXES_FORMAT,
        P.EXTRA_BOXES: BOXES_FORMAT,
        P.RANK: COUNT_FORMAT,
    }
    block = Block(
        frame,
        headers=_plan_headers(),
        formats=formats,
        tier_column=P.CURRENT_TIER,
        tier_labels=tier_labels(ctx.settings.thresholds),
    )
    return SheetSpec(t("Plans"), [block]), frame


def _plan_headers() -> dict[str, str]:
    """The Plans sheet's headers."""
    return {
        G.MARKET: t("Market"),
        C.HOSPITAL: t("Hospital"),
        P.CURRENT_BOXES: t("Boxes/month now"),
        P.CURRENT_TIER: t("Tier now"),
        C.VIP: t("VIP"),
        P.PROJECTED_BOXES: t("Projected boxes/month"),
        P.PROJECTED_TIER: t("Projected tier"),
        PT.REASON: t("Why fewer options"),
        P.RANK: t("Rank"),
        P.TYPE: t("Option"),
        P.PRIORITY: t("Priority"),
        P.EXTRA_BOXES: t("Extra boxes/month"),
        TARGETS: t("Targets"),
        PT.FORMULA: t("Formula"),
        PT.EVIDENCE: t("Evidence"),
        PT.ACTIONS: t("Actions"),
        PT.KPI: t("KPI next month"),
    }


def growth_sheet(growth: GrowthFigures) -> tuple[SheetSpec, pd.DataFrame]:
    """The Growth sheet: the bridge's rows, per hospital, from one month to the next."""
    import pandas as pd

    bridge, start, end = growth.bridge, growth.start, growth.end
    columns = [
        C.HOSPITAL,
        GR.PARTNERS,
        GR.START_BOXES,
        GR.END_BOXES,
        GR.CHANGE,
        GR.CATEGORY,
        GR.SWITCHED_FROM,
        GR.SWITCHED_TO,
        GR.NOTE,
    ]
    if bridge is None:
        frame = pd.DataFrame({c: [] for c in columns})
    else:
        frame = bridge[columns].copy()
        frame[GR.CATEGORY] = [t(c.replace("_", " ")) for c in frame[GR.CATEGORY]]
    headers = {
        C.HOSPITAL: t("Hospital"),
        GR.PARTNERS: t("Partner"),
        GR.START_BOXES: t("Boxes {month}").format(month=GR.period_label(start))
        if start
        else t("Start"),
        GR.END_BOXES: t("Boxes {month}").format(month=GR.period_label(end)) if end else t("End"),
        GR.CHANGE: t("Change"),
        GR.CATEGORY: t("Category"),
        GR.SWITCHED_FROM: t("Switched from competitors"),
        GR.SWITCHED_TO: t("Switched to competitors"),
        GR.NOTE: t("Note"),
    }
    formats = {
        GR.START_BOXES: BOXES_FORMAT,
        GR.END_BOXES: BOXES_FORMAT,
        GR.CHANGE: CHANGE_FORMAT,
        GR.SWITCHED_FROM: BOXES_FORMAT,
        GR.SWITCHED_TO: BOXES_FORMAT,
    }
    return SheetSpec(t("Growth"), [Block(frame, headers=headers, formats=formats)]), frame


def partners_sheet(ctx: ReportContext, card: pd.DataFrame) -> tuple[SheetSpec, pd.DataFrame]:
    """The Partners sheet: the scorecard, with tiers and boxes per month."""
    labels = tier_labels(ctx.settings.thresholds)
    columns = [
        C.PARTNER,
        C.BOXES,
        PA.LAST_MONTH_BOXES,
        PA.PREVIOUS_MONTH_BOXES,
        PA.GROWTH,
        PA.GROWTH_PCT,
        PA.HOSPITALS,
        PA.DEPARTMENTS,
        PA.PRESCRIBERS,
        PA.SHARE,
        PA.CONCENTRATION,
    ]
    if ctx.privacy == "hidden":  # the top prescribers' share is a prescriber statistic
        columns.remove(PA.CONCENTRATION)
    frame = card[columns].copy()
    tier_headers = {}
    for label in labels:
        column = f"tier_{label}"
        frame[column] = [int(mix.get(label, 0)) for mix in card[PA.TIER_MIX]]
        tier_headers[column] = f"{t('Tier')} {label}"
    frame[PA.VIP_HOSPITALS] = card[PA.VIP_HOSPITALS].to_numpy()
    frame[PA.MONTHS_REPORTED] = card[PA.MONTHS_REPORTED].to_numpy()
    frame[PA.MONTHS_IN_WINDOW] = card[PA.MONTHS_IN_WINDOW].to_numpy()
    frame[PA.TIMELINESS] = card[PA.TIMELINESS].to_numpy()
    frame[PA.MISSING_MONTHS] = [", ".join(m) for m in card[PA.MISSING_MONTHS]]
    frame[PA.ROWS_READ] = card[PA.ROWS_READ].to_numpy()
    frame[PA.ROWS_REJECTED] = card[PA.ROWS_REJECTED].to_numpy()
    frame[PA.REJECTED_RATE] = card[PA.REJECTED_RATE].to_numpy()
    month_headers = {}
    for i, month in enumerate(ctx.window):
        column = f"m{i}"
        frame[column] = [m[i] if i < len(m) else 0.0 for m in card[PA.MONTHLY]]
        month_headers[column] = month
    headers = _partner_headers(tier_headers, month_headers)
    formats = _partner_formats(tier_headers, month_headers)
    spec = SheetSpec(t("Partners"), [Block(frame, headers=headers, formats=formats)])
    return spec, frame


def _partner_headers(tier_headers: dict[str, str], month_headers: dict[str, str]) -> dict[str, str]:
    """The Partners sheet's headers, with its tier and month columns in place."""
    return {
        C.PARTNER: t("Partner"),
        C.BOXES: t("Boxes/month"),
        PA.LAST_MONTH_BOXES: t("Last month"),
        PA.PREVIOUS_MONTH_BOXES: t("Previous month"),
        PA.GROWTH: t("Growth"),
        PA.GROWTH_PCT: t("Growth %"),
        PA.HOSPITALS: t("Hospitals"),
        PA.DEPARTMENTS: t("Departments"),
        PA.PRESCRIBERS: t("Prescribers"),
        PA.SHARE: t("Share"),
        PA.CONCENTRATION: t("Top-5"),
        **tier_headers,
        PA.VIP_HOSPITALS: t("VIP hospitals"),
        PA.MONTHS_REPORTED: t("Months reported"),
        PA.MONTHS_IN_WINDOW: t("Months in window"),
        PA.TIMELINESS: t("Timeliness"),
        PA.MISSING_MONTHS: t("Missing months"),
        PA.ROWS_READ: t("Rows read"),
        PA.ROWS_REJECTED: t("Rows rejected"),
        PA.REJECTED_RATE: t("Rejected %"),
        **month_headers,
    }


def _partner_formats(tier_headers: dict[str, str], month_headers: dict[str, str]) -> dict[str, str]:
    """The Partners sheet's number formats, its tier and month columns included."""
    formats: dict[str, str] = {
        C.BOXES: BOXES_FORMAT,
        PA.LAST_MONTH_BOXES: BOXES_FORMAT,
        PA.PREVIOUS_MONTH_BOXES: BOXES_FORMAT,
        PA.GROWTH: CHANGE_FORMAT,
        PA.GROWTH_PCT: SHARE_FORMAT,
        PA.HOSPITALS: COUNT_FORMAT,
        PA.DEPARTMENTS: COUNT_FORMAT,
        PA.PRESCRIBERS: COUNT_FORMAT,
        PA.SHARE: SHARE_FORMAT,
        PA.CONCENTRATION: SHARE_FORMAT,
        PA.VIP_HOSPITALS: COUNT_FORMAT,
        PA.MONTHS_REPORTED: COUNT_FORMAT,
        PA.MONTHS_IN_WINDOW: COUNT_FORMAT,
        PA.TIMELINESS: SHARE_FORMAT,
        PA.ROWS_READ: COUNT_FORMAT,
        PA.ROWS_REJECTED: COUNT_FORMAT,
        PA.REJECTED_RATE: SHARE_FORMAT,
    }
    formats |= dict.fromkeys(tier_headers, COUNT_FORMAT)
    formats |= dict.fromkeys(month_headers, BOXES_FORMAT)
    return formats


def quality_sheet(
    ctx: ReportContext,
    load_report: pd.DataFrame | None,
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None,
) -> tuple[SheetSpec, pd.DataFrame]:
    """The Data quality sheet: what each sheet read kept, skipped and rejected, and why."""
    import pandas as pd

    if load_report is None:
        frame = _quality_frame(pd.DataFrame({"note": [t("(none)")]}))
    else:
        frame = _quality_frame(load_report)
    frame["kind"] = [t(k) for k in frame["kind"]]
    if ctx.privacy == "named":
        frame["examples"] = ["\n".join(str(p) for p in e) for e in frame["examples"]]
    else:
        # a rejected value may be a doctor's name in the wrong column: keep where and why
        frame["examples"] = ["\n".join(_without_value(p) for p in e) for e in frame["examples"]]
        names = _prescriber_names(sales, competitors)
        frame["note"] = [_scrub(x, names) for x in frame["note"]]
    headers = {
        "file": t("File"),
        "sheet": t("Sheet"),
        "kind": t("Kind"),
        "partners": t("Partner"),
        "months": t("Months covered"),
        "header_row": t("Header row"),
        "rows_read": t("Rows read"),
        "kept": t("Rows kept"),
        "skipped": t("Rows skipped"),
        "rejected": t("Rows rejected"),
        "skipped_because": t("Skipped because"),
        "rejected_because": t("Rejected because"),
        "examples": t("Examples"),
        "note": t("Note"),
        "loaded_at": t("Loaded at (UTC)"),
    }
    # columns the source cannot fill (reasons from a workspace, load times from files)
    empty = [
        c for c in frame.columns if c not in ("file", "kind") and not frame[c].map(_filled).any()
    ]
    frame = frame.drop(columns=empty)
    formats = dict.fromkeys(
        ("header_row", "rows_read", "kept", "skipped", "rejected"), COUNT_FORMAT
    )
    spec = SheetSpec(t("Data quality"), [Block(frame, headers=headers, formats=formats)])
    return spec, frame


# Helpers ----------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    return not (value is None or value == "" or (isinstance(value, float) and value != value))


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def _gap_headers() -> dict[str, str]:
    return {
        G.MARKET: t("Market"),
        C.HOSPITAL: t("Hospital"),
        G.OURS_BOXES: t("Ours"),
        G.COMPETITOR_BOXES: t("Competitor boxes"),
        G.MARKET_BOXES: t("Market boxes"),
        G.SHARE: t("Share"),
        G.SHARE_BAND: t("Band"),
        G.SEGMENT: t("Segment"),
        G.RANK: t("Rank"),
        G.LEADER: t("Leader"),
        G.LEADER_BOXES: t("Leader boxes"),
        G.GAP_TO_LEADER: t("Gap to leader"),
        G.CONVERSION_BOXES: t("Conversion"),
        G.DEVELOPMENT_BOXES: t("Development"),
        G.OPPORTUNITY_BOXES: t("Opportunity"),
        G.COMPETITORS: t("Competitors"),
        G.WHITESPACE_DEPARTMENTS: t("White-space departments"),
        G.COMPETITOR_SOURCE: t("Source"),
    }


def _gap_formats() -> dict[str, str]:
    boxes = (
        G.OURS_BOXES,
        G.COMPETITOR_BOXES,
        G.MARKET_BOXES,
        G.LEADER_BOXES,
        G.GAP_TO_LEADER,
        G.CONVERSION_BOXES,
        G.DEVELOPMENT_BOXES,
        G.OPPORTUNITY_BOXES,
    )
    return dict.fromkeys(boxes, BOXES_FORMAT) | {G.SHARE: SHARE_FORMAT, G.RANK: COUNT_FORMAT}


def _needing_attention(card: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows of partners whose boxes fell last month or who missed a month."""
    falling = (card[PA.GROWTH] < 0).to_numpy()
    late = card[PA.MISSING_MONTHS].map(len).to_numpy() > 0
    out = card[falling | late].copy()
    why = []
    for growth, pct, missing in zip(
        out[PA.GROWTH], out[PA.GROWTH_PCT], out[PA.MISSING_MONTHS], strict=True
    ):
        parts = []
        if growth < 0:
            if pct == pct:  # not NaN
                parts.append(
                    t("falling: {growth} boxes ({pct})").format(
                        growth=boxes_text(growth), pct=f"{round_half_up(pct, 4) * 100:.2f}%"
                    )
                )
            else:
                parts.append(t("falling: {growth} boxes").format(growth=boxes_text(growth)))
        if missing:
            parts.append(t("missing {months}").format(months=", ".join(missing)))
        why.append("; ".join(parts))
    out["why"] = why
    return out


def _partner_trend(card: pd.DataFrame, window: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Boxes per month (rows) and partner (columns, largest first), from the scorecard."""
    import pandas as pd

    ranked = card.sort_values([C.BOXES, C.PARTNER], ascending=[False, True], kind="stable")
    data: dict[str, list[Any]] = {"month": list(window)}
    headers = {}
    for i, (partner, monthly) in enumerate(zip(ranked[C.PARTNER], ranked[PA.MONTHLY], strict=True)):
        column = f"p{i}"
        data[column] = [float(monthly[j]) if j < len(monthly) else 0.0 for j in range(len(window))]
        headers[column] = str(partner)
    return pd.DataFrame(data), headers


def _largest_hospitals(gaps: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Ours and the top competitors (boxes/month) in the largest hospitals with competitor
    figures, every market of a hospital added up; `share` is ours / market."""
    import pandas as pd

    rows = gaps[gaps[G.COMPETITOR_BOXES] > 0]
    ours = rows.groupby(C.HOSPITAL)[G.OURS_BOXES].sum().clip(lower=0.0)
    market = rows.groupby(C.HOSPITAL)[G.MARKET_BOXES].sum()
    largest = (
        market.to_frame()
        .reset_index()
        .sort_values([G.MARKET_BOXES, C.HOSPITAL], ascending=[False, True])
    )
    hospitals = largest[C.HOSPITAL].head(LARGEST_HOSPITALS).tolist()
    per_product: dict[str, dict[str, float]] = {h: {} for h in hospitals}
    for hospital, competitors in zip(rows[C.HOSPITAL], rows[G.COMPETITORS], strict=True):
        if hospital in per_product:
            for product, boxes in competitors.items():
                mine = per_product[hospital]
                mine[product] = mine.get(product, 0.0) + float(boxes)
    totals: dict[str, float] = {}
    for mine in per_product.values():
        for product, boxes in mine.items():
            totals[product] = totals.get(product, 0.0) + boxes
    top = sorted(totals, key=lambda p: (-totals[p], p))[:TOP_COMPETITORS]
    data: dict[str, list[Any]] = {
        C.HOSPITAL: hospitals,
        "ours": [float(ours[h]) for h in hospitals],
    }
    headers = {"ours": t("Ours")}
    for i, product in enumerate(top):
        data[f"c{i}"] = [per_product[h].get(product, 0.0) for h in hospitals]
        headers[f"c{i}"] = product
    data["other"] = [sum(b for p, b in per_product[h].items() if p not in top) for h in hospitals]
    headers["other"] = t("Other competitors")
    data[SHARE] = [
        float(ours[h]) / float(market[h]) if float(market[h]) > 0 else 0.0 for h in hospitals
    ]
    headers[SHARE] = t("Share")
    return pd.DataFrame(data), headers


def _without_value(example: Any) -> str:
    """A rejected-row example (a `Problem`) with the cell value it quotes left out."""
    from uplift.errors import Problem
    from uplift.sheets.loading import reason_kind

    if isinstance(example, Problem):
        return f"{example.location()}: {reason_kind(example.problem)}"
    return ""  # free text: nothing safe to keep


def _prescriber_names(sales: pd.DataFrame, competitors: pd.DataFrame | None) -> list[str]:
    names = set(sales[C.PRESCRIBER].unique())
    if competitors is not None and C.PRESCRIBER in competitors.columns:
        names |= set(competitors[C.PRESCRIBER].unique())
    # longest first, so a name inside a longer one is never left half replaced
    return sorted((n for n in names if n), key=lambda n: (-len(n), n))


def _scrub(text: str, names: Sequence[str]) -> str:
    for name in names:
        if name in text:
            text = text.replace(name, "***")
    return text
