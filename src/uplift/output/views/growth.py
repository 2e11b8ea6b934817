"""How `uplift growth` shows its result: the bridge rows, the reconciliation, breadth x depth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from uplift.analysis.growth import (
    BRIDGE_LINES,
    CATEGORY,
    CHANGE,
    DECLINED,
    END_BOXES,
    GROWN,
    MONTHLY,
    NOTE,
    PARTNERS,
    SPECIAL,
    START_BOXES,
    SWITCHED_FROM,
    SWITCHED_TO,
    period_label,
    with_trend,
)
from uplift.analysis.volumes import entity_keys
from uplift.output.i18n import t
from uplift.output.render import (
    Column,
    boxes_text,
    console,
    print_table,
    records,
    write_csv,
    write_json,
)
from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

HEADERS = {
    C.HOSPITAL: "Hospital",
    C.DEPARTMENT: "Department",
    C.PRESCRIBER: "Prescriber",
    C.PARTNER: "Partner",
}

# Keys of each bridge row after the entity keys (JSON `rows` and CSV columns).
ROW_KEYS: Final = (
    START_BOXES,
    END_BOXES,
    CHANGE,
    CATEGORY,
    SWITCHED_FROM,
    SWITCHED_TO,
    PARTNERS,
    NOTE,
    MONTHLY,
)
# Top-level keys of the JSON document.
GROWTH_KEYS: Final = ("by", "start", "end", "totals", "breadth_depth", "rows")
# Keys of `totals` in JSON.
TOTALS_KEYS: Final = (*(name for name, _ in BRIDGE_LINES), SWITCHED_FROM, SWITCHED_TO, "entities")
# Keys of `breadth_depth` in JSON (null when not computed).
BREADTH_DEPTH_KEYS: Final = (
    "level",
    "start",
    "end",
    "start_entities",
    "end_entities",
    "start_boxes",
    "end_boxes",
    "start_per_entity",
    "end_per_entity",
    "change",
    "breadth_effect",
    "depth_effect",
)

_LABELS = {
    "new": "+ new",
    "grown": "+ grown",
    "declined": "- declined",
    "lost": "- lost",
    "not_reported": "± not reported (data gap)",
    "possible_rename": "± possible rename",
    "unit_change": "± unit change",
}


def growth_keys(by: str) -> list[str]:
    """The stable keys of a bridge row (CSV columns) at `by`."""
    return [*entity_keys(by), *ROW_KEYS]


def reconciliation(totals: dict[str, Any], start: list[str], end: list[str]) -> pd.DataFrame:
    """The reconciliation lines as a small table: line, boxes, entities, note."""
    import pandas as pd

    counts = totals.get("entities", {})
    lines = []
    for name, _sign in BRIDGE_LINES:
        if name == "start":
            label, note = t("Start ({period})").format(period=period_label(start)), ""
            entities = counts.get("start", 0)
        elif name == "end":
            label, note = t("= End ({period})").format(period=period_label(end)), ""
            entities = counts.get("end", 0)
        else:
            if name in SPECIAL and not counts.get(name):
                continue  # data gaps are listed only when there are some
            label, note = t(_LABELS[name]), ""
            entities = counts.get(name, 0)
            if name == GROWN and totals.get(SWITCHED_FROM):
                note = t("of which {boxes} switched from competitors")
                note = note.format(boxes=boxes_text(totals[SWITCHED_FROM]))
            if name == DECLINED and totals.get(SWITCHED_TO):
                note = t("of which {boxes} switched to competitors")
                note = note.format(boxes=boxes_text(totals[SWITCHED_TO]))
            if name in SPECIAL:
                note = t("net change, not counted as new or lost")
        lines.append({"line": label, C.BOXES: totals[name], "entities": entities, NOTE: note})
    return pd.DataFrame(lines, columns=["line", C.BOXES, "entities", NOTE])


def show_growth(
    rows: pd.DataFrame,
    totals: dict[str, Any],
    *,
    fmt: str,
    by: str,
    start: list[str],
    end: list[str],
    breadth: dict[str, Any] | None = None,
    trend: pd.DataFrame | None = None,
    top: int | None = None,
) -> None:
    """The bridge per entity, then (tables) the reconciliation lines and breadth x depth.

    The trend column comes from `rows["monthly"]` (see growth.with_trend) or from `trend`;
    pass rows already joined with their trend when prescriber names are masked.

    JSON is one object with GROWTH_KEYS; CSV has the bridge rows only (growth_keys(by)).
    `top` limits the rows shown; the totals always cover every entity.
    """
    if trend is not None:
        data = with_trend(rows, trend, by=by)
    elif MONTHLY in rows.columns:
        data = rows
    else:
        data = rows.assign(**{MONTHLY: [[] for _ in range(len(rows))]})
    if top is not None:
        data = data.head(top)
    keys = growth_keys(by)
    if fmt == "json":
        write_json(
            {
                "by": by,
                "start": list(start),
                "end": list(end),
                "totals": {k: totals[k] for k in TOTALS_KEYS},
                "breadth_depth": (
                    {k: breadth[k] for k in BREADTH_DEPTH_KEYS} if breadth is not None else None
                ),
                "rows": records(data, keys),
            }
        )
        return
    if fmt == "csv":
        write_csv(data, keys)
        return
    columns = [Column(k, t(HEADERS[k])) for k in entity_keys(by)]
    columns += [
        Column(START_BOXES, period_label(start), "float1"),
        Column(END_BOXES, period_label(end), "float1"),
        Column(CHANGE, t("Change"), "float1"),
        Column(CATEGORY, t("Category")),
        Column(SWITCHED_FROM, t("From rivals"), "float1"),
        Column(SWITCHED_TO, t("To rivals"), "float1"),
        Column(MONTHLY, t("Trend"), "spark"),
        Column(NOTE, t("Note")),
    ]
    if by != "partner":
        columns.insert(len(entity_keys(by)), Column(PARTNERS, t("Partner")))
    shown = data.copy()
    shown[CATEGORY] = [t(c.replace("_", " ")) for c in shown[CATEGORY]]
    title = t("Growth by {by}: {start} -> {end}, average boxes/month of our products").format(
        by=t(by), start=period_label(start), end=period_label(end)
    )
    caption = ""
    if len(data) < len(rows):
        caption = t("{shown} of {total} rows").format(shown=len(data), total=len(rows))
    print_table(shown, columns, title=title, caption=caption)
    line_cols = [
        Column("line", t("Bridge")),
        Column(C.BOXES, t("Boxes"), "float1"),
        Column("entities", t("Entities"), "int"),
        Column(NOTE, ""),
    ]
    print_table(reconciliation(totals, start, end), line_cols)
    if breadth is not None:
        level = t(breadth["level"])
        text = t(
            "Breadth x depth ({level}s): {n1} -> {n2} {level}s with our boxes, {s1} -> {s2} boxes "
            "each; change {change} = more/fewer {level}s {breadth} + deeper/shallower use {depth}"
        )
        console().print(
            text.format(
                level=level,
                n1=breadth["start_entities"],
                n2=breadth["end_entities"],
                s1=boxes_text(breadth["start_per_entity"]),
                s2=boxes_text(breadth["end_per_entity"]),
                change=boxes_text(breadth["change"], sign=True),
                breadth=boxes_text(breadth["breadth_effect"], sign=True),
                depth=boxes_text(breadth["depth_effect"], sign=True),
            ),
            markup=False,
        )
