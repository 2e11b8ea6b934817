"""How `uplift plan` shows its result: panels for people, records for programs, files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from uplift.analysis import plans as P
from uplift.analysis.gaps import MARKET
from uplift.analysis.volumes import collector_paused
from uplift.errors import UsageError
from uplift.output import plan_texts as PT
from uplift.output.i18n import current_language, t, t_all
from uplift.output.render import write_csv, write_json
from uplift.output.views import plain_records
from uplift.sheets import columns as C
from uplift.store.privacy import TARGETS

if TYPE_CHECKING:
    import pandas as pd

    from uplift.output.panels import PanelSpec

# The stable JSON/CSV keys of `uplift plan`: one record per option (documented in the README).
PLAN_KEYS: Final = [
    MARKET,
    C.HOSPITAL,
    P.RANK,
    P.TYPE,
    TARGETS,
    P.EXTRA_BOXES,
    PT.FORMULA,
    P.ASSUMPTIONS,
    PT.EVIDENCE,
    PT.ACTIONS,
    PT.KPI,
    P.PRIORITY,
]
SUMMARY_KEYS: Final = list(PT.SUMMARY_COLUMNS)

OPTION_HEADERS: Final = {
    P.RANK: "Rank",
    P.TYPE: "Option",
    P.PRIORITY: "Priority",
    P.EXTRA_BOXES: "Extra boxes/month",
    TARGETS: "Targets",
    PT.FORMULA: "Formula",
    PT.EVIDENCE: "Evidence",
    PT.ACTIONS: "Actions",
    PT.KPI: "KPI next month",
    P.ASSUMPTIONS: "Assumptions",
}
SUMMARY_HEADERS: Final = {
    MARKET: "Market",
    C.HOSPITAL: "Hospital",
    P.CURRENT_BOXES: "Boxes/month now",
    P.EXTRA_BOXES: "Extra boxes/month",
    P.PROJECTED_BOXES: "Projected boxes/month",
    P.CURRENT_TIER: "Tier now",
    P.PROJECTED_TIER: "Projected tier",
    C.VIP: "VIP",
    P.OPTIONS: "Options",
    PT.REASON: "Why fewer options",
}
_SHEET_COLUMNS: Final = list(OPTION_HEADERS)


_boxes = PT.fmt_boxes


def _several(summary: pd.DataFrame) -> bool:
    """True when the plans cover more than one market."""
    return len(set(summary[MARKET])) > 1


def _headline(row: dict) -> str:
    comma = "，" if current_language() == "zh" else ", "
    vip = f"{comma}VIP" if row[C.VIP] else ""
    text = t(
        "now {now} boxes/month (tier {tier}{vip}) -> {projected} if the options land (tier {ptier})"
    )
    return text.format(
        now=_boxes(row[P.CURRENT_BOXES]),
        tier=row[P.CURRENT_TIER],
        vip=vip,
        projected=_boxes(row[P.PROJECTED_BOXES]),
        ptier=row[P.PROJECTED_TIER],
    )


def type_label(kind: str) -> str:
    """How an option type reads for people, in the current language."""
    return t(PT.TYPE_LABELS.get(kind, kind))


def _for_people(options: pd.DataFrame, *, english_names: bool) -> pd.DataFrame:
    """Options as a file for people shows them: in Chinese, type and priority by name,
    targets and actions as Chinese lists, the rates as percents; in English, type and priority by name only with `english_names`
    (plan.xlsx keeps its codes there, as it always has). JSON and CSV never come here."""
    zh = current_language() == "zh"
    out = options.copy()
    if zh or english_names:
        out[P.TYPE] = [type_label(kind) for kind in out[P.TYPE]]
        out[P.PRIORITY] = [t(p) for p in out[P.PRIORITY]]
    if zh:  # lists as a Chinese text lists them, not "; "-joined as `export` would
        out[TARGETS] = ["、".join(names) for names in out[TARGETS]]
        out[PT.ACTIONS] = ["；".join(actions) for actions in out[PT.ACTIONS]]
        out[P.ASSUMPTIONS] = [PT.assumptions_text_zh(a) for a in out[P.ASSUMPTIONS]]
    return out


def _action_lines(actions: list[str]) -> list[str]:
    """The actions as list items: "- " in English; "1、" in Chinese, as the deck numbers its
    points (no space, so a long Chinese item wraps beside its number)."""
    if current_language() == "zh":
        return [f"{i}、{a}" for i, a in enumerate(actions, start=1)]
    return [f"- {a}" for a in actions]


def _title(row: dict, several_markets: bool) -> str:
    market = f" [{row[MARKET]}]" if several_markets else ""
    return f"{row[C.HOSPITAL]}{market}"


def _groups(options: pd.DataFrame, summary: pd.DataFrame) -> list[tuple[dict, pd.DataFrame]]:
    """Per summary row (in its order), the options of that hospital and market."""
    out = []
    for row in summary.to_dict("records"):
        mine = options[
            (options[MARKET] == row[MARKET]) & (options[C.HOSPITAL] == row[C.HOSPITAL])
        ].sort_values(P.RANK)
        out.append((row, mine))
    return out


def plan_panels(options: pd.DataFrame, summary: pd.DataFrame) -> list[PanelSpec]:
    """One panel per hospital: the headline, then each option ranked with its arithmetic."""
    from uplift.output.panels import PanelLine, PanelSpec

    several = _several(summary)
    panels = []
    for row, mine in _groups(options, summary):
        lines = [PanelLine(_headline(row), "bold")]
        if row[PT.REASON]:
            lines.append(PanelLine(row[PT.REASON].capitalize(), "yellow"))
        for opt in mine.to_dict("records"):
            heading = t("{rank}. {label}: +{boxes} boxes/month ({priority} priority)").format(
                rank=opt[P.RANK],
                label=type_label(opt[P.TYPE]),
                boxes=_boxes(opt[P.EXTRA_BOXES]),
                priority=t(opt[P.PRIORITY]),
            )
            lines.append(PanelLine(""))
            lines.append(PanelLine(heading, "bold"))
            lines.append(PanelLine(opt[PT.FORMULA], indent=3))
            targets = t("Targets: {names}").format(names="、".join(opt[TARGETS]))
            lines.append(PanelLine(targets, indent=3))
            evidence = t("Evidence: {text}").format(text=opt[PT.EVIDENCE])
            lines.append(PanelLine(evidence, "dim", indent=3))
            lines.extend(PanelLine(a, indent=3) for a in _action_lines(opt[PT.ACTIONS]))
            lines.append(PanelLine(t("KPI: {text}").format(text=opt[PT.KPI]), indent=3))
        panels.append(PanelSpec(title=_title(row, several), lines=lines))
    return panels


@collector_paused()
def show_plans(options: pd.DataFrame, summary: pd.DataFrame, *, fmt: str) -> None:
    """Panels for people; one record per option (`PLAN_KEYS`) for programs."""
    if fmt == "json":
        write_json(plain_records(options, PLAN_KEYS))
    elif fmt == "csv":
        flat = options.copy()
        flat[P.ASSUMPTIONS] = [[f"{k}={v:g}" for k, v in a.items()] for a in flat[P.ASSUMPTIONS]]
        write_csv(flat, PLAN_KEYS)
    else:
        from uplift.output.panels import print_panels

        print_panels(plan_panels(options, summary))


def plan_sheets(options: pd.DataFrame, summary: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The workbook: a summary sheet, then one sheet per hospital (its options ranked)."""
    several = _several(summary)
    summary_cols = [k for k in SUMMARY_KEYS if several or k != MARKET]
    sheets = [(t("Summary"), summary[summary_cols])]
    for row, mine in _groups(options, summary):
        name = f"{row[C.HOSPITAL]} {row[MARKET]}" if several else row[C.HOSPITAL]
        sheets.append((name, _for_people(mine[_SHEET_COLUMNS], english_names=False)))
    return sheets


def plan_markdown(options: pd.DataFrame, summary: pd.DataFrame) -> str:
    """The plans as one Markdown document: a summary table, then a section per hospital."""
    from uplift.output.export import markdown_table, md_escape

    several = _several(summary)
    summary_cols = [k for k in SUMMARY_KEYS if several or k != MARKET]
    number = {k: _boxes for k in (P.CURRENT_BOXES, P.EXTRA_BOXES, P.PROJECTED_BOXES)}
    vip = {C.VIP: lambda v: "VIP" if v else ""}
    parts = [
        f"# {t('Uplift plans')}",
        "",
        markdown_table(
            summary[summary_cols], headers=t_all(SUMMARY_HEADERS), formatters=number | vip
        ),
    ]
    for row, mine in _groups(options, summary):
        parts += ["", f"## {md_escape(_title(row, several))}", "", md_escape(_headline(row))]
        if row[PT.REASON]:
            parts += ["", md_escape(row[PT.REASON].capitalize())]
        if not mine.empty:
            shown = _for_people(mine[_SHEET_COLUMNS], english_names=True)
            parts += [
                "",
                markdown_table(
                    shown, headers=t_all(OPTION_HEADERS), formatters={P.EXTRA_BOXES: _boxes}
                ),
            ]
    return "\n".join(parts) + "\n"


def save_plans(path: Path, options: pd.DataFrame, summary: pd.DataFrame) -> Path:
    """Write the plans to `path`: .xlsx (a workbook for the partner) or .md (Markdown)."""
    from uplift.output.export import write_markdown, write_workbook

    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        headers = t_all({**SUMMARY_HEADERS, **OPTION_HEADERS})
        # boxes at their 2 decimals, as everywhere: 199.95 is not "200.0" beside tier C
        formats = dict.fromkeys((P.CURRENT_BOXES, P.PROJECTED_BOXES, P.EXTRA_BOXES), "#,##0.00")
        sheets = [
            (name, frame.assign(**{C.VIP: ["VIP" if v else "" for v in frame[C.VIP]]}))
            if C.VIP in frame.columns
            else (name, frame)
            for name, frame in plan_sheets(options, summary)
        ]  # VIP as the report writes it, not True/False
        return write_workbook(path, sheets, headers=headers, formats=formats)
    if suffix == ".md":
        return write_markdown(path, plan_markdown(options, summary))
    raise UsageError(f"--out {path}: expected a .xlsx or .md file name")
