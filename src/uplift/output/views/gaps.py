"""How `uplift gaps` shows its result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from uplift.analysis import gaps as G
from uplift.analysis.volumes import collector_paused
from uplift.output.i18n import t
from uplift.output.render import Column, boxes_text, print_table, write_csv, write_json
from uplift.output.views import plain_records
from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

# The stable JSON/CSV keys of `uplift gaps`, in order (documented in the README).
GAPS_KEYS: Final = list(G.GAP_COLUMNS)

COMPETITORS_TEXT: Final = "competitors_text"
ENTITY: Final = "entity"

CAPTION: Final = (
    "Average boxes/month. Conversion: competitor boxes where ours is already used; "
    "development: where none of ours is (white space)."
)
LEVEL_HEADERS: Final = {
    "hospital": "Hospital",
    "department": "Department",
    "prescriber": "Prescriber",
}


def _figure_columns(with_segment: bool) -> list[Column]:
    cols = [
        Column(G.OURS_BOXES, t("Ours"), "float1"),
        Column(COMPETITORS_TEXT, t("Competitors")),
        Column(G.MARKET_BOXES, t("Market"), "float1"),
        Column(G.SHARE, t("Share"), "pct"),
    ]
    if with_segment:
        cols += [Column(G.SHARE_BAND, t("Band")), Column(G.SEGMENT, t("Segment"))]
    cols += [
        Column(G.RANK, t("Rank"), justify="right"),
        Column(G.GAP_TO_LEADER, t("Gap to leader"), "float1"),
        Column(G.CONVERSION_BOXES, t("Conversion"), "float1"),
        Column(G.DEVELOPMENT_BOXES, t("Development"), "float1"),
    ]
    return cols


def _display(df: pd.DataFrame) -> pd.DataFrame:
    """Add the text columns a table shows (competitors as "name boxes" pairs)."""
    out = df.copy()
    out[COMPETITORS_TEXT] = [
        ", ".join(f"{p} {boxes_text(b)}" for p, b in comp.items()) for comp in out[G.COMPETITORS]
    ]
    out[G.RANK] = [str(r) if r else "" for r in out[G.RANK]]
    out[G.SEGMENT] = [t(s) if s else s for s in out[G.SEGMENT]]
    out[G.COMPETITOR_SOURCE] = [t(s) for s in out[G.COMPETITOR_SOURCE]]
    return out


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Nested columns as lists of "name:boxes" text (CSV joins lists with "|")."""
    out = df.copy()
    out[G.COMPETITORS] = [[f"{p}:{b:g}" for p, b in c.items()] for c in out[G.COMPETITORS]]
    out[G.WHITESPACE] = [
        [f"{w['department']}:{w['competitor_boxes']:g}" for w in ws] for ws in out[G.WHITESPACE]
    ]
    return out


def _markets(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df[G.MARKET]))


def _level_note(rows: pd.DataFrame, level: str) -> str:
    """Say so when competitor figures are known only above `level`."""
    coarse = rows[
        rows[G.COMPETITOR_LEVEL].map(lambda lv: G.FINENESS.get(lv, 3)) < G.FINENESS[level]
    ]
    if coarse.empty:
        return ""
    where = sorted(set(coarse[G.COMPETITOR_LEVEL]))
    return t(
        "Competitor data only at {where} level here: {level} rows show no competitor figures."
    ).format(where=" / ".join(t(w) for w in where), level=t(level))


@collector_paused()
def show_gaps(
    result: pd.DataFrame, *, fmt: str, by: str, hospital: str | None, window: str = ""
) -> None:
    """The ranked listing (no `hospital`) or one hospital's drill-down; JSON/CSV: `GAPS_KEYS`."""
    if fmt == "json":
        write_json(plain_records(result, GAPS_KEYS))
        return
    if fmt == "csv":
        write_csv(csv_ready(result), GAPS_KEYS)
        return
    rows = _display(result)
    markets = _markets(rows)
    several = len(markets) > 1
    suffix = f" ({window})" if window else ""
    if rows.empty:
        print_table(
            rows,
            [Column(C.HOSPITAL, t("Hospital"))],
            title=t("Competitor gaps{suffix}: no rows").format(suffix=suffix),
        )
        return
    for market in markets:
        part = rows[rows[G.MARKET] == market]
        label = t(", market {market}").format(market=market) if several else ""
        if hospital is None:
            title = t("Competitor gaps by {by}{label}{suffix}")
            _listing(part, by, title.format(by=t(by), label=label, suffix=suffix))
        else:
            _drill_down(part, f"{label}{suffix}")


def _listing(rows: pd.DataFrame, by: str, title: str) -> None:
    keys = [Column(k, t(LEVEL_HEADERS.get(k, k.title()))) for k in _entity_columns(by)]
    cols = [*keys, *_figure_columns(with_segment=True)]
    if by == "hospital":
        cols.append(Column(G.WHITESPACE_DEPARTMENTS, t("White-space departments")))
    cols.append(Column(G.COMPETITOR_SOURCE, t("Source")))
    caption = " ".join(x for x in (t(CAPTION), _level_note(rows, by)) if x)
    print_table(rows, cols, title=title, caption=caption)


def _entity_columns(by: str) -> list[str]:
    if by == "department":
        return [C.HOSPITAL, C.DEPARTMENT]
    if by == "prescriber":
        return [C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER]
    return [C.HOSPITAL]


def _drill_down(rows: pd.DataFrame, label: str) -> None:
    head = rows[rows[G.LEVEL] == "hospital"]
    name = str(head[C.HOSPITAL].iloc[0]) if len(head) else ""
    cols = [Column(C.HOSPITAL, t("Hospital")), *_figure_columns(with_segment=True)]
    cols += [
        Column(G.LEADER, t("Leader")),
        Column(G.WHITESPACE_DEPARTMENTS, t("White-space departments")),
        Column(G.COMPETITOR_SOURCE, t("Source")),
        Column(G.COMPETITOR_LEVEL, t("Competitor data at")),
    ]
    head = head.assign(**{G.COMPETITOR_LEVEL: [t(v) for v in head[G.COMPETITOR_LEVEL]]})
    print_table(head, cols, title=f"{name}{label}", caption=t(CAPTION))
    for level in ("department", "prescriber"):
        part = rows[rows[G.LEVEL] == level]
        if part.empty:
            continue
        keys = [Column(C.DEPARTMENT, t("Department"))]
        if level == "prescriber":
            keys.append(Column(C.PRESCRIBER, t("Prescriber")))
        cols = [*keys, *_figure_columns(with_segment=False), Column(G.LEADER, t("Leader"))]
        cols.append(Column(G.COMPETITOR_SOURCE, t("Source")))
        print_table(
            part,
            cols,
            title=t("{name}: by {level}").format(name=name, level=t(level)),
            caption=_level_note(part, level),
        )
