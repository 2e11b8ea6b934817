"""Growth: where the change in boxes between two periods came from.

The bridge answers the deck's question "did last month's growth come from new customers
or from deeper use by existing ones?": start boxes, + new, + grown, - declined, - lost,
= end boxes, per hospital, department, prescriber or partner. Before an entity is called
lost (or new) three data gaps are ruled out, and shown separately when found: its partner
sent nothing for that period (`not_reported`), the hospital name changed
(`possible_rename`), or the unit of its rows changed (`unit_change`).

Figures are average monthly boxes of our products in each period (a month with no rows
counts as zero), so a single month is simply that month's boxes and ranges of different
lengths compare fairly. Each entity's figure is rounded to 0.0001 box and the totals are
summed on that grid in integers, so the reconciliation holds exactly, with no float drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, Literal

from uplift.analysis.volumes import (
    entity_keys,
    monthly_pivot,
    rows_at_level,
    window_months,
)
from uplift.errors import NoData, UsageError
from uplift.sheets import columns as C
from uplift.sheets.names import normalise
from uplift.sheets.products import mark_ours

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

Level = Literal["hospital", "prescriber", "department", "partner"]

# Columns of the bridge rows (besides the entity keys).
START_BOXES: Final = "start_boxes"
END_BOXES: Final = "end_boxes"
CHANGE: Final = "change"
CATEGORY: Final = "category"
SWITCHED_FROM: Final = "switched_from_competitors"
SWITCHED_TO: Final = "switched_to_competitors"
PARTNERS: Final = "partners"
NOTE: Final = "note"
MONTHLY: Final = "monthly"

# Categories, in the order the reconciliation lists them.
NEW: Final = "new"
GROWN: Final = "grown"
DECLINED: Final = "declined"
LOST: Final = "lost"
UNCHANGED: Final = "unchanged"
NOT_REPORTED: Final = "not_reported"
POSSIBLE_RENAME: Final = "possible_rename"
UNIT_CHANGE: Final = "unit_change"
CATEGORIES: Final = (
    NEW,
    GROWN,
    DECLINED,
    LOST,
    UNCHANGED,
    NOT_REPORTED,
    POSSIBLE_RENAME,
    UNIT_CHANGE,
)
# Data gaps: shown with their net change, never counted as new or lost volume.
SPECIAL: Final = (NOT_REPORTED, POSSIBLE_RENAME, UNIT_CHANGE)

# Lines of the reconciliation, in order, with the sign they carry in
# start + new + grown - declined - lost + not_reported + possible_rename + unit_change = end.
# new/grown/declined/lost are positive amounts; the special lines are signed net changes.
BRIDGE_LINES: Final = (
    ("start", 0),
    (NEW, +1),
    (GROWN, +1),
    (DECLINED, -1),
    (LOST, -1),
    (NOT_REPORTED, +1),
    (POSSIBLE_RENAME, +1),
    (UNIT_CHANGE, +1),
    ("end", 0),
)

RENAME_SCORE: Final = 90.0  # rapidfuzz ratio (0-100) at which two hospital names look alike
GRID: Final = 10_000  # figures live on a 0.0001-box grid so that bridge sums are exact

_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})$")


# Months ----------------------------------------------------------------------------------


def add_months(month: str, n: int) -> str:
    """`month` ("YYYY-MM") moved by `n` months."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included ([] when `last` is earlier)."""
    out: list[str] = []
    month = first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


def period_label(months: list[str]) -> str:
    """`2026-04` or `2026-04..2026-06`."""
    if not months:
        return "no months"
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"


def _parse_month(part: str, text: str) -> str:
    match = _MONTH_TEXT.match(part)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(
            f"{text!r} is not a month or a range of months",
            hint="use YYYY-MM, e.g. 2026-04, or a range such as 2026-04..2026-06",
        )
    return f"{match.group(1)}-{int(match.group(2)):02d}"


def parse_period(text: str) -> list[str]:
    """The months ("YYYY-MM") of `2026-04` or of a range `2026-04..2026-06`, in order."""
    raw = normalise(text).replace(" ", "")
    parts = raw.split("..")
    if not raw or len(parts) > 2:
        _parse_month("", text)
    months = [_parse_month(p, text) for p in parts]
    if months[-1] < months[0]:
        raise UsageError(
            f"{text!r}: the range ends before it starts",
            hint="write the earlier month first, e.g. 2026-04..2026-06",
        )
    return month_range(months[0], months[-1])


def resolve_periods(
    sales: pd.DataFrame, start: list[str] | None, end: list[str] | None
) -> tuple[list[str], list[str]]:
    """The two periods to compare.

    Default end: the last month in the data. Default start: the same number of months
    right before the end period (so by default, last month against the one before).
    Both periods must hold some rows and the start must come before the end.
    """
    present = sorted(str(m) for m in sales[C.MONTH].unique())
    if not present:
        raise NoData("no sales rows to compare")
    end = list(end) if end else [present[-1]]
    defaulted = not start
    start = (
        list(start) if start else month_range(add_months(end[0], -len(end)), add_months(end[0], -1))
    )
    if start[-1] >= end[0]:
        raise UsageError(
            f"the start period {period_label(start)} must come before the end period "
            f"{period_label(end)}"
        )
    covered = f"the data covers {present[0]}..{present[-1]}"
    if defaulted and len(present) < 2:
        raise NoData(f"growth needs at least two months of data; only {present[0]} found")
    for name, months in (("end", end), ("start", start)):
        if not set(months) & set(present):
            raise UsageError(
                f"no sales rows in the {name} period {period_label(months)}",
                hint=f"{covered}; choose periods with --from/--to",
            )
    return start, end


# Products -------------------------------------------------------------------------------


def mark_competitors(products: pd.Series, settings: Settings) -> pd.Series:
    """True where the product is a competitor's.

    With markets that list competitors, those products; else, when `ours` is declared,
    every other product; without an `ours` list there are no competitors (all is ours).
    """
    import pandas as pd

    if not settings.ours_declared:
        return pd.Series(False, index=products.index)
    listed: set[str] = set()
    for market in settings.markets:
        listed |= market.competitors
    if listed:
        return products.isin(listed)
    return ~mark_ours(products, settings)


# The bridge -----------------------------------------------------------------------------


def _grid(values: pd.Series) -> pd.Series:
    """Figures in integer units of 1/GRID box."""
    import numpy as np
    import pandas as pd

    grid = np.rint(values.to_numpy(dtype="float64") * GRID).astype("int64")
    return pd.Series(grid, index=values.index, dtype="int64")


def _period_figures(
    data: pd.DataFrame, keys: list[str], start: list[str], end: list[str]
) -> pd.DataFrame:
    """Average monthly boxes per entity in each period, on the integer grid."""
    import pandas as pd

    pivot = monthly_pivot(data, keys, [*start, *end])
    if pivot.empty and len(keys) == 1:
        # an empty pivot has a one-level MultiIndex; entities elsewhere have a plain Index
        pivot.index = pd.Index([], name=keys[0], dtype="str")
    out = pd.DataFrame(index=pivot.index)
    out["s"] = _grid(pivot[start].sum(axis=1) / len(start))
    out["e"] = _grid(pivot[end].sum(axis=1) / len(end))
    return out


def _joined(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """Per entity, the sorted distinct non-empty values of `column`, joined with ", "."""
    if column in keys:  # e.g. the partners of a partner: itself
        frame = frame[keys].drop_duplicates()
        return frame.set_index(keys, drop=False)[column]
    import pandas as pd

    frame = frame[frame[column] != ""][[*keys, column]].drop_duplicates()
    several = frame.duplicated(keys, keep=False)
    single = frame[~several].set_index(keys)[column]
    if not several.any():  # the usual case: one partner, one unit per entity
        return single
    joined = frame[several].groupby(keys, sort=False)[column].agg(lambda s: ", ".join(sorted(s)))
    return pd.concat([single, joined])


def _unit_names(units: pd.Series) -> pd.Series:
    """Units as compared between periods: every way of writing "box" (盒, box, "") is 盒."""
    from uplift.sheets.quantities import unit_kind

    mapping = {
        u: "盒" if unit_kind(u) == "box" else normalise(u).casefold() for u in units.unique()
    }
    return units.map(mapping).astype("str")


def _looks_renamed(gone: list[str], appeared: list[str]) -> dict[str, list[str]]:
    """Hospital names from `gone` mapped to near-identical names in `appeared` (and back)."""
    from rapidfuzz import fuzz, process

    pairs: dict[str, list[str]] = {}
    if not gone or not appeared:
        return pairs
    a = [normalise(x) for x in gone]
    b = [normalise(x) for x in appeared]
    scores = process.cdist(a, b, scorer=fuzz.ratio)
    for i, old in enumerate(gone):
        for j, new in enumerate(appeared):
            shorter = min(len(a[i]), len(b[j]))
            contained = shorter >= 2 and (a[i] in b[j] or b[j] in a[i])
            if scores[i][j] >= RENAME_SCORE or contained:
                pairs.setdefault(old, []).append(new)
                pairs.setdefault(new, []).append(old)
    return pairs


def _missing_partners(
    ours: pd.DataFrame, keys: list[str], months: list[str], reported: set[str]
) -> pd.Series:
    """Per entity, its partners in `months` that sent no rows at all in the other period."""
    import pandas as pd

    rows = ours[ours[C.MONTH].isin(months)]
    if set(rows[C.PARTNER].unique()) <= reported:  # the usual case: everyone reported
        return pd.Series([], dtype="str")
    columns = list(dict.fromkeys([*keys, C.PARTNER]))
    rows = rows[columns].drop_duplicates()
    rows = rows[~rows[C.PARTNER].isin(reported)]
    return _joined(rows, keys, C.PARTNER)


@dataclass(frozen=True)
class Reporting:
    """Who sent rows for which month, and which hospitals appeared in which month."""

    partners: dict[str, frozenset[str]]  # month -> partners with any row that month
    hospitals: dict[str, frozenset[str]]  # month -> hospitals with any row that month

    def partners_in(self, months: list[str]) -> set[str]:
        return set().union(*(self.partners.get(m, frozenset()) for m in months))

    def hospitals_in(self, months: list[str]) -> set[str]:
        return set().union(*(self.hospitals.get(m, frozenset()) for m in months))

    def hospitals_before(self, month: str) -> set[str]:
        return self.hospitals_in([m for m in self.hospitals if m < month])


def reporting_context(sales: pd.DataFrame) -> Reporting:
    """What `bridge_rows` needs to know of the whole sales table; build it once for many."""
    frame = sales[[C.PARTNER, C.MONTH, C.HOSPITAL]]
    partners = frame.groupby(C.MONTH, sort=False)[C.PARTNER].unique()
    hospitals = frame.groupby(C.MONTH, sort=False)[C.HOSPITAL].unique()
    return Reporting(
        partners={str(m): frozenset(v) for m, v in partners.items()},
        hospitals={str(m): frozenset(v) for m, v in hospitals.items()},
    )


def bridge_rows(
    data: pd.DataFrame,
    *,
    context: pd.DataFrame | Reporting,
    settings: Settings,
    by: str,
    start: list[str],
    end: list[str],
    per_partner: bool = False,
) -> pd.DataFrame:
    """The bridge rows of `growth_bridge`, without checking the periods.

    For a part of the data (one product, say): `data` is that part, while whether a
    partner reported and whether a hospital was renamed are judged on `context`: the
    whole sales table, or its `reporting_context` (build it once when bridging many
    parts). `per_partner` splits each entity by partner (the partner key comes first),
    as if each partner's rows were bridged on their own.
    """
    import numpy as np
    import pandas as pd

    keys = entity_keys(by)
    if per_partner and C.PARTNER not in keys:
        keys = [C.PARTNER, *keys]
    rows = rows_at_level(data, by)
    rows = rows[rows[C.MONTH].isin([*start, *end])]
    ours = rows[mark_ours(rows[C.PRODUCT], settings)]
    rivals = rows[mark_competitors(rows[C.PRODUCT], settings)]

    q = _period_figures(ours, keys, start, end)
    index = q.index

    def aligned(values: pd.Series, fill: Any) -> np.ndarray:
        """`values` (indexed by entity) in the order of the entities, as a plain array."""
        if values.empty:
            return np.full(len(index), fill, dtype=type(fill))
        return values.reindex(index, fill_value=fill).to_numpy(dtype=type(fill))

    # all the figures below are plain arrays aligned with `index`: fast on many entities
    s, e = q["s"].to_numpy(), q["e"].to_numpy()
    d = e - s
    comp = _period_figures(rivals, keys, start, end)
    comp_s, comp_e = aligned(comp["s"], 0), aligned(comp["e"], 0)
    base = np.select(
        [(s <= 0) & (e > 0), (s > 0) & (e <= 0), d > 0, d < 0],
        np.array([NEW, LOST, GROWN, DECLINED], dtype=object),
        default=UNCHANGED,
    ).astype(object)

    # (a) partners that sent nothing at all in the other period
    if not isinstance(context, Reporting):
        context = reporting_context(context)
    in_start, in_end = context.partners_in(start), context.partners_in(end)
    silent_end = aligned(_missing_partners(ours, keys, start, in_end), "").astype(object)
    silent_start = aligned(_missing_partners(ours, keys, end, in_start), "").astype(object)
    losing = (base == LOST) | (base == DECLINED)
    gaining = (base == NEW) | (base == GROWN)
    not_reported = (losing & (silent_end != "")) | (gaining & (silent_start != ""))

    # (b) a hospital name that vanished while a near-identical one appeared for the first time
    renamed_to = np.full(len(index), "", dtype=object)
    renamed_from = np.full(len(index), "", dtype=object)
    if C.HOSPITAL in keys and len(index):
        hospital = pd.Series(index.get_level_values(C.HOSPITAL), dtype="str")
        ctx_end = context.hospitals_in(end)
        gone = context.hospitals_in(start) - ctx_end
        appeared = ctx_end - context.hospitals_before(end[0])
        ours_here = set(hospital)
        # only pairs touching this bridge's hospitals matter
        found = _looks_renamed(sorted(gone & ours_here), sorted(appeared))
        for name, others in _looks_renamed(sorted(gone), sorted(appeared & ours_here)).items():
            found.setdefault(name, [])
            found[name] += [o for o in others if o not in found[name]]
        pairs = {k: ", ".join(sorted(v)) for k, v in found.items()}
        if pairs:
            look_alike = hospital.map(pd.Series(pairs, dtype="str")).fillna("")
            look_alike = look_alike.to_numpy(dtype=object)
            renamed_to = np.where(hospital.isin(gone).to_numpy(), look_alike, "")
            renamed_from = np.where(hospital.isin(appeared).to_numpy(), look_alike, "")
    possible_rename = ((base == LOST) & (renamed_to != "")) | ((base == NEW) & (renamed_from != ""))

    # (c) the unit of its rows changed between the periods
    units_start = units_end = np.full(len(index), "", dtype=object)
    unit_names = _unit_names(ours[C.UNIT])
    names = unit_names.to_numpy()
    if len(names) and (names != names[0]).any():  # one unit throughout: nothing changed
        units = ours[[*keys, C.MONTH]].assign(**{C.UNIT: unit_names})
        units_start = aligned(_joined(units[units[C.MONTH].isin(start)], keys, C.UNIT), "")
        units_end = aligned(_joined(units[units[C.MONTH].isin(end)], keys, C.UNIT), "")
    units_start, units_end = units_start.astype(object), units_end.astype(object)
    unit_changed = (units_start != "") & (units_end != "") & (units_start != units_end)
    unit_change = ((base == LOST) | (base == NEW)) & unit_changed

    category = np.where(unit_change, UNIT_CHANGE, base).astype(object)
    category = np.where(possible_rename, POSSIBLE_RENAME, category).astype(object)
    category = np.where(not_reported, NOT_REPORTED, category).astype(object)

    # switching: the part of a gain matched by a competitor loss at the same entity
    comp_loss = np.clip(comp_s - comp_e, 0, None)
    comp_gain = np.clip(comp_e - comp_s, 0, None)
    switched_from = np.where(category == GROWN, np.minimum(np.clip(d, 0, None), comp_loss), 0)
    switched_to = np.where(category == DECLINED, np.minimum(np.clip(-d, 0, None), comp_gain), 0)

    period_s, period_e = period_label(start), period_label(end)
    note = np.full(len(index), "", dtype=object)
    if unit_changed.any():
        units = "unit " + units_start + " in " + period_s + ", " + units_end + " in " + period_e
        note = np.where(unit_changed, units, note)
    if possible_rename.any():
        note = np.where(
            possible_rename,
            np.where(
                base == NEW, "renamed from " + renamed_from + "?", "renamed to " + renamed_to + "?"
            ),
            note,
        )
    if not_reported.any():
        gap = np.where(
            losing,
            "no rows from " + silent_end + " in " + period_e,
            "no rows from " + silent_start + " in " + period_s,
        )
        note = np.where(not_reported, gap, note)

    out = index.to_frame(index=False)
    for key in keys:
        out[key] = out[key].astype("str")
    out[START_BOXES] = s / GRID
    out[END_BOXES] = e / GRID
    out[CHANGE] = d / GRID
    out[CATEGORY] = pd.array(category, dtype="str")
    out[SWITCHED_FROM] = switched_from.astype("int64") / GRID
    out[SWITCHED_TO] = switched_to.astype("int64") / GRID
    out[PARTNERS] = pd.array(
        aligned(_joined(ours, keys, C.PARTNER), "").astype(object), dtype="str"
    )
    out[NOTE] = pd.array(note, dtype="str")
    out["_abs"] = np.abs(d)
    out = out.sort_values(["_abs", *keys], ascending=[False, *([True] * len(keys))], kind="stable")
    return out.drop(columns="_abs").reset_index(drop=True)


def bridge_totals(rows: pd.DataFrame) -> dict[str, Any]:
    """The reconciliation of bridge `rows`.

    Keys: `start`, `new`, `grown`, `declined`, `lost`, `not_reported`, `possible_rename`,
    `unit_change`, `end` (boxes; see BRIDGE_LINES for the signs), `switched_from_competitors`
    (part of `grown`), `switched_to_competitors` (part of `declined`) and `entities`: a dict
    of entity counts per category plus `start` and `end` (entities with boxes > 0 then).
    start + new + grown - declined - lost + not_reported + possible_rename + unit_change
    equals end exactly on the 0.0001-box grid.
    """
    import numpy as np

    def grid(column: str, mask: Any = None) -> int:
        values = rows[column] if mask is None else rows.loc[mask, column]
        return int(np.rint(values.to_numpy(dtype="float64") * GRID).astype("int64").sum())

    cat = rows[CATEGORY]
    amounts: dict[str, int] = {"start": grid(START_BOXES)}
    for category in (NEW, GROWN, DECLINED, LOST, *SPECIAL):
        amounts[category] = grid(CHANGE, cat == category)
    amounts[DECLINED] = -amounts[DECLINED]
    amounts[LOST] = -amounts[LOST]
    amounts["end"] = grid(END_BOXES)
    out: dict[str, Any] = {name: amounts[name] / GRID for name, _ in BRIDGE_LINES}
    out[SWITCHED_FROM] = grid(SWITCHED_FROM) / GRID
    out[SWITCHED_TO] = grid(SWITCHED_TO) / GRID
    counts = {c: int((cat == c).sum()) for c in CATEGORIES}
    counts["start"] = int((rows[START_BOXES] > 0).sum())
    counts["end"] = int((rows[END_BOXES] > 0).sum())
    out["entities"] = counts
    return out


def growth_bridge(
    sales: pd.DataFrame,
    *,
    settings: Settings,
    by: Level = "hospital",
    start: list[str] | None = None,
    end: list[str] | None = None,
    competitors: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Where the change in our boxes between two periods came from, per entity.

    Periods default to the last month in the data against the month before; with ranges,
    each entity's figure is its average monthly boxes of our products over the range
    (months with no rows count as zero). Returns (rows, totals).

    Rows, one per entity with rows of our products in either period, biggest change
    first: the entity keys, `start_boxes`, `end_boxes`, `change`, `category` (see
    CATEGORIES), `switched_from_competitors`, `switched_to_competitors`, `partners` (who
    sells it our products, ", "-joined) and `note` (why a special category was chosen, or
    a unit change seen on a growing/declining entity).

    Categories: `new` (start <= 0 < end), `lost` (end <= 0 < start), `grown`, `declined`,
    `unchanged`; and instead of lost/declined (or new/grown), the data gaps:
    `not_reported` when one of its partners sent no rows at all in the other period,
    `possible_rename` (lost or new only) when its hospital vanished while a near-identical
    name appeared for the first time (on both names), `unit_change` (lost or new only) when
    the units of its rows differ between the periods.

    Switching, from the competitor rows in the sales sheets at the same entity: for a
    grown entity min(our gain, competitor loss), for a declined one min(our loss,
    competitor gain). The field-visit `competitors` table carries no month, so it cannot
    show a switch; it is accepted for a uniform signature and not used here.

    Totals: see `bridge_totals`.
    """
    del competitors  # undated field-visit figures cannot show a change (see docstring)
    start, end = resolve_periods(sales, start, end)
    rows = bridge_rows(sales, context=sales, settings=settings, by=by, start=start, end=end)
    return rows, bridge_totals(rows)


def breadth_depth(
    sales: pd.DataFrame,
    *,
    settings: Settings,
    level: Level = "prescriber",
    start: list[str] | None = None,
    end: list[str] | None = None,
) -> dict[str, Any]:
    """Split the change in boxes into more (or fewer) users and more (or less) per user.

    N = entities at `level` with average monthly boxes of ours > 0 in the period, V their
    boxes, S = V / N the boxes per entity (0 when N is 0). Midpoint split:
    dV = dN x (S1 + S2) / 2  [breadth]  +  dS x (N1 + N2) / 2  [depth].
    The breadth effect is computed exactly (fractions) and rounded to 0.0001 box; depth is
    the rest, so breadth + depth = change exactly. Entities with net returns (<= 0) are
    left out of N and V, so `change` can differ from the bridge's end - start.

    Keys: level, start, end (period labels), start_entities, end_entities, start_boxes,
    end_boxes, start_per_entity, end_per_entity, change, breadth_effect, depth_effect.
    """
    start, end = resolve_periods(sales, start, end)
    keys = entity_keys(level)
    rows = rows_at_level(sales, level)
    rows = rows[rows[C.MONTH].isin([*start, *end])]
    ours = rows[mark_ours(rows[C.PRODUCT], settings)]
    q = _period_figures(ours, keys, start, end)
    n1, n2 = int((q["s"] > 0).sum()), int((q["e"] > 0).sum())
    v1, v2 = int(q["s"].clip(lower=0).sum()), int(q["e"].clip(lower=0).sum())
    s1 = Fraction(v1, n1) if n1 else Fraction(0)
    s2 = Fraction(v2, n2) if n2 else Fraction(0)
    breadth = round((n2 - n1) * (s1 + s2) / 2)
    depth = (v2 - v1) - breadth
    return {
        "level": level,
        "start": period_label(start),
        "end": period_label(end),
        "start_entities": n1,
        "end_entities": n2,
        "start_boxes": v1 / GRID,
        "end_boxes": v2 / GRID,
        "start_per_entity": round(float(s1) / GRID, 4),
        "end_per_entity": round(float(s2) / GRID, 4),
        "change": (v2 - v1) / GRID,
        "breadth_effect": breadth / GRID,
        "depth_effect": depth / GRID,
    }


def monthly_trend(
    sales: pd.DataFrame,
    *,
    settings: Settings,
    by: Level = "hospital",
    months: list[str] | None = None,
) -> pd.DataFrame:
    """Per entity, boxes of our products per month across the window (for a sparkline).

    Columns: the entity keys and `monthly` (a list of floats, one per window month,
    zero where there were no rows). Entities with rows of our products only.
    """
    keys = entity_keys(by)
    months = months if months is not None else window_months(sales)
    rows = rows_at_level(sales, by)
    rows = rows[rows[C.MONTH].isin(months)]
    ours = rows[mark_ours(rows[C.PRODUCT], settings)]
    pivot = monthly_pivot(ours, keys, months)
    out = pivot.index.to_frame(index=False)
    for key in keys:
        out[key] = out[key].astype("str")
    out[MONTHLY] = pivot.round(4).to_numpy().tolist() if len(pivot) else []
    return out


def with_trend(rows: pd.DataFrame, trend: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """`rows` (bridge rows at `by`) with the `monthly` list of `trend` (from monthly_trend).

    Join before masking prescriber names: the join is on the entity keys. Entities
    without a trend get an empty list.
    """
    keys = entity_keys(by)
    out = rows.drop(columns=[MONTHLY], errors="ignore")
    out = out.merge(trend[[*keys, MONTHLY]], on=keys, how="left")
    out[MONTHLY] = [v if isinstance(v, list) else [] for v in out[MONTHLY]]
    return out
