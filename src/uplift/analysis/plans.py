"""Uplift plans: three or more options per hospital, each with the arithmetic shown.

Deterministic and explained, so a manager can defend every number to a partner. Every
figure is average monthly boxes over the analysis window (as in `tier` and `gaps`); every
rate comes from `settings.rates` (`[rates]` in uplift.toml).

The six option types (`TYPES`), each estimated independently:

1. deepen: prescribers of ours whose boxes are at least `reach` below the next tier threshold
   but under it (default: within 30% below it) -> lift each to that threshold.
   Thresholds are inclusive lower bounds, as in `tiers.assign_tiers`: a prescriber at
   exactly 200 is tier B already, so his next threshold is 300 (and 200 is not within
   30% below 300).
2. convert: competitor boxes at prescribers (or departments / the hospital, where that is
   the finest level known) who already use ours x `conversion`.
3. develop: competitor boxes at prescribers or departments with none of ours x `adoption`.
4. win_back: prescribers who used ours earlier in the window and stopped or fell by more
   than half. "now" is the last month of the window; "earlier" is the average over every
   window month before it (months without sales count as zero). A prescriber qualifies when
   earlier > 0 and now < earlier / 2 (stopped: now <= 0). The estimate is the volume lost,
   (earlier - now), x `recovery`; for a prescriber who stopped that is his earlier
   average x `recovery`. Needs at least two months.
5. vip: hospitals at or above `settings.vip` boxes: the 5 target customers (prescribers or
   departments) with the most boxes across options 1-4, for this month's joint visits
   with the partner; the estimate is their boxes in those options.
6. event: the department with the most competitor volume, i.e. the largest
   market x (1 - our share), which is its competitor boxes (ties: larger market, then
   name), sized by its market boxes x `event`. Needs department-level competitor data.

Options are ranked by estimated extra boxes (ties in the order above) and the best
`options` are kept per hospital; when fewer can be made, the summary says why.
Priority compares the estimate with the hospital's current boxes (at least the first
tier threshold, so small hospitals are not all "high"): from 10% high, from 3% medium,
else low. The projected boxes add the options shown, counting each target's boxes in
each lever once (a VIP option re-uses the targets of the other options).

Every hospital is worked out at once (`_contexts`: grouped and sorted on integer codes,
see `gaps.SalesCodes`); the builders then only look their hospital up in plain dicts and
lists to gather the figures, so thousands of hospitals cost no pandas call each. The sums
are added in the same order as a groupby over one hospital's rows would add them, so
every figure is the same to the last bit.

This module returns figures only: each option's `facts` and each hospital's reasons are
written into words, in the reader's language, by `output.plan_texts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from uplift.analysis.gaps import (
    COMPETITOR,
    COMPETITOR_BOXES,
    COMPETITORS,
    CONVERSION,
    DEVELOPMENT,
    FACT_LEVEL,
    KIND,
    MARKET,
    MARKET_BOXES,
    OURS_BOXES,
    ROLE,
    SHARE,
    FactCodes,
    SalesCodes,
    code_of,
    coded_facts_and_codes,
    coded_gap_table,
    combine_codes,
    encode_sales,
    find_hospital,
    product_role_codes,
    selected_markets,
    split_codes,
    window_rows,
)
from uplift.analysis.tiers import assign_tiers
from uplift.analysis.volumes import GRID, collector_paused, on_grid, snapped, window_months
from uplift.sheets import columns as C
from uplift.store.privacy import TARGET_KINDS, TARGETS

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from uplift.config import Settings

TYPES: Final = ("deepen", "convert", "develop", "win_back", "vip", "event")
VIP_TARGETS: Final = 5

# Option columns
RANK: Final = "rank"
TYPE: Final = "type"
EXTRA_BOXES: Final = "extra_boxes"
COUNTED_BOXES: Final = "counted_boxes"  # extra boxes not already counted by another option
ASSUMPTIONS: Final = "assumptions"
PRIORITY: Final = "priority"  # "high", "medium" or "low"
FACTS: Final = "facts"  # the figures the option's texts are written from, by type

OPTION_COLUMNS: Final = (
    MARKET,
    C.HOSPITAL,
    RANK,
    TYPE,
    TARGETS,
    TARGET_KINDS,
    EXTRA_BOXES,
    COUNTED_BOXES,
    ASSUMPTIONS,
    PRIORITY,
    FACTS,
)

# Summary columns
CURRENT_BOXES: Final = "current_boxes"
PROJECTED_BOXES: Final = "projected_boxes"
CURRENT_TIER: Final = "current_tier"
PROJECTED_TIER: Final = "projected_tier"
OPTIONS: Final = "options"
# when fewer than the options asked for were made: why not, as (code, figures) per reason;
# None when the hospital has all the options asked for
WHY_FEWER: Final = "why_fewer"

SUMMARY_COLUMNS: Final = (
    MARKET,
    C.HOSPITAL,
    CURRENT_BOXES,
    EXTRA_BOXES,
    PROJECTED_BOXES,
    CURRENT_TIER,
    PROJECTED_TIER,
    C.VIP,
    OPTIONS,
    WHY_FEWER,
)


@dataclass(frozen=True)
class PlanResult:
    """The options (one row per option) and the per-hospital summary."""

    options: pd.DataFrame
    summary: pd.DataFrame


@dataclass
class _Option:
    type: str
    targets: list[str]
    kinds: list[str]
    extra: float
    assumptions: dict[str, float]
    # the figures the option's texts are written from (`output.plan_texts`); called only
    # for the options that are shown, since most options built are never shown
    facts: Callable[[], dict[str, Any]]
    # (target kind, target name, lever, boxes): what the estimate is made of
    levers: list[tuple[str, str, str, float]] = field(default_factory=list)


@dataclass
class _Targets:
    """One hospital's target entities for an option: names, kinds and figures, ranked."""

    names: list[str]
    kinds: list[str]
    boxes: Any  # float64 ndarray, in the order of `names` (numpy sums, as pandas does)
    extra: list[Any] = field(default_factory=list)  # option-specific per-target columns


@dataclass
class _Tables:
    """One market's figures for every hospital, computed once with vectorised pandas.

    The builders below only look their hospital up in these dicts (plain Python), so
    planning thousands of hospitals costs no per-hospital pandas call.
    """

    prescriber_ours: dict[tuple[str, str], float]
    prescriber_department: dict[tuple[str, str], str]
    department_ours: dict[tuple[str, str], float]
    with_ours: set[str]  # hospitals with a prescriber of ours (boxes > 0)
    deepen: dict[str, _Targets]  # extra: thresholds, boxes, tiers before, tiers after
    convert: dict[str, _Targets]  # extra: per target, its [(product, boxes)] largest first
    develop: dict[str, _Targets]
    with_monthly: set[str]  # hospitals with prescriber-level usage detail of ours
    win_back: dict[str, _Targets]  # boxes: lost; extra: earlier, now (lists), now (array)
    events: dict[str, tuple[str, float, float, float, dict[str, float]]]
    window: int = 0  # months the figures average over: sums of them snap to its grid


@dataclass
class _Hospital:
    """What the option builders need to know about one hospital."""

    name: str
    current: float
    competitor_level: int  # -1 none, 0 hospital, 1 department, 2 prescriber
    tables: _Tables


# Reasons ------------------------------------------------------------------------------------
#
# Why an option type could not be made for a hospital: a code and the figures its text
# needs (written by `output.plan_texts`).

NO_COMPETITOR_DATA: Final[tuple[str, dict[str, Any]]] = ("no_competitor_data", {})


def _why(code: str, **figures: Any) -> tuple[str, dict[str, Any]]:
    return (code, figures)


# The builders -------------------------------------------------------------------------------
#
# Each returns an `_Option`, or the reason (`_why`) it cannot be made. An option's `facts`
# gives the figures its texts are written from; it is called only for the options shown.


def _deepen(h: _Hospital, settings: Settings) -> _Option | tuple[str, dict[str, Any]]:
    reach = settings.rates.reach
    if h.name not in h.tables.with_ours:
        return _why("no_prescriber_usage")
    rows = h.tables.deepen.get(h.name)
    if rows is None:
        return _why("none_near_threshold", reach=reach)
    names = rows.names
    extra = float(rows.boxes.sum())

    def facts() -> dict[str, Any]:
        thresholds, boxes, before, after = rows.extra
        return {
            "extra": extra,
            "reach": reach,
            "thresholds": thresholds,
            "boxes": boxes,
            "tiers_before": before,
            "tiers_after": after,
        }

    return _Option(
        type="deepen",
        targets=names,
        kinds=["prescriber"] * len(names),
        extra=extra,
        assumptions={"reach": reach},
        facts=facts,
        levers=[
            ("prescriber", n, "deepen", float(lift))
            for n, lift in zip(names, rows.boxes.tolist(), strict=True)
        ],
    )


def _ours_at(h: _Hospital, kind: str, name: str) -> float:
    if kind == "prescriber":
        return h.tables.prescriber_ours.get((h.name, name), 0.0)
    if kind == "department":
        return h.tables.department_ours.get((h.name, name), 0.0)
    return h.current


def _competitor_option(
    h: _Hospital, settings: Settings, kind: str
) -> _Option | tuple[str, dict[str, Any]]:
    convert = kind == CONVERSION
    if h.competitor_level < 0:
        return NO_COMPETITOR_DATA
    targets = (h.tables.convert if convert else h.tables.develop).get(h.name)
    if targets is None:
        return _why("no_competitor_with_ours" if convert else "no_white_space")
    names = targets.names
    kinds = targets.kinds
    total = float(snapped(targets.boxes.sum(), h.tables.window))
    rate = settings.rates.conversion if convert else settings.rates.adoption
    extra = total * rate
    target_boxes = targets.boxes.tolist()
    lever = "convert" if convert else "develop"
    assumptions = {"conversion": rate} if convert else {"adoption": rate}

    def facts() -> dict[str, Any]:
        plists = targets.extra
        everywhere: dict[str, float] = {}
        for plist in plists:
            for product, boxes in plist:
                everywhere[product] = everywhere.get(product, 0.0) + boxes
        department = h.tables.prescriber_department
        return {
            "extra": extra,
            "rate": rate,
            "competitor_boxes": total,
            "target_boxes": target_boxes,
            "products_per_target": plists,
            # competitor products at the targets, largest first
            "products": [p for p, _ in sorted(everywhere.items(), key=lambda kv: (-kv[1], kv[0]))],
            # the department of each prescriber target ("" for other targets)
            "departments": [
                department.get((h.name, n), "") if k == "prescriber" else ""
                for k, n in zip(kinds, names, strict=True)
            ],
            # our boxes at the targets now
            "ours_now": sum(_ours_at(h, k, n) for k, n in zip(kinds, names, strict=True)),
        }

    return _Option(
        type=lever,
        targets=names,
        kinds=kinds,
        extra=extra,
        assumptions=assumptions,
        facts=facts,
        levers=[
            (k, n, lever, float(b) * rate)
            for k, n, b in zip(kinds, names, target_boxes, strict=True)
        ],
    )


def _win_back(
    h: _Hospital, settings: Settings, months: list[str]
) -> _Option | tuple[str, dict[str, Any]]:
    if len(months) < 2:
        return _why("one_month_only")
    earlier_months, last = months[:-1], months[-1]
    if h.name not in h.tables.with_monthly:
        return _why("no_prescriber_usage")
    rows = h.tables.win_back.get(h.name)
    if rows is None:
        return _why("none_fell", month=last)
    rate = settings.rates.recovery
    names = rows.names
    lost = float(rows.boxes.sum())
    extra = lost * rate

    def facts() -> dict[str, Any]:
        earlier, now, now_boxes = rows.extra
        return {
            "extra": extra,
            "rate": rate,
            "earlier_months": earlier_months,
            "last_month": last,
            "earlier": earlier,
            "now": now,
            "now_total": float(now_boxes.sum()),
        }

    return _Option(
        type="win_back",
        targets=names,
        kinds=["prescriber"] * len(names),
        extra=extra,
        assumptions={"recovery": rate},
        facts=facts,
        levers=[
            ("prescriber", n, "win_back", float(x) * rate)
            for n, x in zip(names, rows.boxes.tolist(), strict=True)
        ],
    )


def _vip(
    h: _Hospital, settings: Settings, others: list[_Option]
) -> _Option | tuple[str, dict[str, Any]] | None:
    if h.current < settings.vip:
        return None  # not a VIP hospital: no reason worth showing
    per_target: dict[tuple[str, str], list[tuple[str, str, str, float]]] = {}
    for option in others:
        for lever in option.levers:
            if lever[0] != "hospital":
                per_target.setdefault((lever[0], lever[1]), []).append(lever)
    if not per_target:
        return _why("no_vip_targets")
    ranked = sorted(
        per_target.items(), key=lambda kv: (-sum(lv[3] for lv in kv[1]), kv[0][1], kv[0][0])
    )[:VIP_TARGETS]
    names = [t[1] for t, _ in ranked]
    kinds = [t[0] for t, _ in ranked]
    levers = [lv for _, lvs in ranked for lv in lvs]
    extra = sum(lv[3] for lv in levers)
    by_lever: dict[str, float] = {}
    for lv in levers:
        by_lever[lv[2]] = by_lever.get(lv[2], 0.0) + lv[3]

    def facts() -> dict[str, Any]:
        return {
            "extra": extra,
            "by_lever": by_lever,
            # per target: (option type, boxes) of each option that counts it
            "levers_per_target": [[(lv[2], lv[3]) for lv in lvs] for _, lvs in ranked],
            "ours_now": sum(_ours_at(h, kd, n) for kd, n in zip(kinds, names, strict=True)),
        }

    rate_names = {"deepen": "reach", "convert": "conversion", "develop": "adoption"}
    rate_names["win_back"] = "recovery"
    assumptions = {
        rate_names[name]: float(getattr(settings.rates, rate_names[name])) for name in by_lever
    }
    return _Option(
        type="vip",
        targets=names,
        kinds=kinds,
        extra=extra,
        assumptions=assumptions,
        facts=facts,
        levers=levers,
    )


def _event(h: _Hospital, settings: Settings) -> _Option | tuple[str, dict[str, Any]]:
    if h.competitor_level < 0:
        return NO_COMPETITOR_DATA
    if h.competitor_level == 0:
        return _why("hospital_level_only")
    best = h.tables.events.get(h.name)
    if best is None:
        return _why("no_department_with_competitors")
    department, market, ours, share, leaders = best
    rate = settings.rates.event
    extra = market * rate

    def facts() -> dict[str, Any]:
        return {
            "extra": extra,
            "rate": rate,
            "market": market,
            "ours": ours,
            "share": share,
            "competitors": leaders,
        }

    return _Option(
        type="event",
        targets=[department],
        kinds=["department"],
        extra=extra,
        assumptions={"event": rate},
        facts=facts,
        levers=[("department", department, "event", extra)],
    )


# Assembly -----------------------------------------------------------------------------------


def _priority(extra: float, current: float, settings: Settings) -> str:
    base = max(current, settings.thresholds[0])
    ratio = extra / base
    if ratio >= 0.10:
        return "high"
    if ratio >= 0.03:
        return "medium"
    return "low"


def _plan_hospital(
    h: _Hospital, settings: Settings, months: list[str], options: int
) -> tuple[list[_Option], list[tuple[str, dict[str, Any]]]]:
    built: list[_Option] = []
    reasons: list[tuple[str, dict[str, Any]]] = []

    def add(result: _Option | tuple[str, dict[str, Any]] | None) -> None:
        if isinstance(result, _Option):
            if result.extra > 0:
                built.append(result)
        elif result:
            reasons.append(result)

    add(_deepen(h, settings))
    add(_competitor_option(h, settings, CONVERSION))
    add(_competitor_option(h, settings, DEVELOPMENT))
    add(_win_back(h, settings, months))
    add(_vip(h, settings, list(built)))
    add(_event(h, settings))
    built.sort(key=lambda o: (-round(o.extra, 9), TYPES.index(o.type)))
    return built[:options], reasons


def _counted(shown: list[_Option]) -> list[float]:
    """Per option, its boxes not already counted by another shown option (VIP re-uses)."""
    elsewhere = {(lv[0], lv[1], lv[2]) for o in shown if o.type != "vip" for lv in o.levers}
    out = []
    for o in shown:
        if o.type == "vip":
            out.append(sum(lv[3] for lv in o.levers if (lv[0], lv[1], lv[2]) not in elsewhere))
        else:
            out.append(o.extra)
    return out


def _spans(keys: Any) -> dict[str, tuple[int, int]]:
    """Start and end of each run of equal keys in a sorted sequence of hospital names."""
    import numpy as np

    values = np.asarray(keys, dtype=object)
    if not len(values):
        return {}
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = [0, *change.tolist()]
    ends = [*change.tolist(), len(values)]
    return {values[s]: (s, e) for s, e in zip(starts, ends, strict=True)}


def _floats(series: pd.Series) -> Any:
    """A float64 column as a contiguous array: slices sum exactly as the Series would."""
    import numpy as np

    return np.ascontiguousarray(series.to_numpy(dtype="float64"))


def _deepen_rows(prescribers: pd.DataFrame, settings: Settings) -> tuple[set[str], dict]:
    """Per hospital, its prescribers within reach below the next tier threshold."""
    import numpy as np

    ours = prescribers[[C.HOSPITAL, C.PRESCRIBER, OURS_BOXES]]
    ours = ours[ours[OURS_BOXES] > 0]
    with_ours = set(ours[C.HOSPITAL].tolist())
    reach = settings.rates.reach
    thresholds = np.asarray(settings.thresholds, dtype="float64")
    boxes = ours[OURS_BOXES].round(6).to_numpy()
    nxt = np.searchsorted(thresholds, boxes, side="right")
    has_next = nxt < len(thresholds)
    target = np.where(has_next, thresholds[np.minimum(nxt, len(thresholds) - 1)], np.inf)
    within = has_next & (boxes >= target * (1 - reach)) & (boxes < target)
    rows = ours.assign(threshold=target, lift=target - boxes, boxes=boxes)[within]
    rows = rows.sort_values([C.HOSPITAL, "lift", C.PRESCRIBER])
    names = rows[C.PRESCRIBER].tolist()
    threshold = rows["threshold"].tolist()
    lifted = rows["boxes"].tolist()
    lift = _floats(rows["lift"])
    before = assign_tiers(rows["boxes"], settings.thresholds).tolist()
    after = assign_tiers(rows["threshold"], settings.thresholds).tolist()
    out = {
        hospital: _Targets(
            names=names[s:e],
            kinds=["prescriber"] * (e - s),
            boxes=lift[s:e],
            extra=[threshold[s:e], lifted[s:e], before[s:e], after[s:e]],
        )
        for hospital, (s, e) in _spans(rows[C.HOSPITAL].tolist()).items()
    }
    return with_ours, out


def _competitor_rows(facts: pd.DataFrame, fc: FactCodes, kind: str) -> dict[str, _Targets]:
    """Per hospital, competitor boxes of `kind` per target entity (its finest level).

    Targets largest first (ties: name, then kind), each with its products largest first.
    The figures are those of a groupby over one hospital's facts: pandas adds a hospital's
    groups pairwise when its facts come sorted by target and product and with Kahan's sum
    otherwise, so the hospitals of each kind are summed apart.
    """
    import numpy as np
    import pandas as pd

    rows = np.flatnonzero((facts[ROLE] == COMPETITOR).to_numpy() & (facts[KIND] == kind).to_numpy())
    level = facts[FACT_LEVEL].to_numpy()[rows]
    hospital = fc.hospital[rows]
    # target kinds in name order: department, hospital, prescriber
    target_kind = np.select([level == 2, level == 1], [2, 0], 1)
    target = np.select(
        [level == 2, level == 1], [fc.prescriber[rows], fc.department[rows]], hospital
    )
    n_targets = max(len(fc.prescribers), len(fc.departments), len(fc.hospitals), 1)
    within = combine_codes(
        [(target_kind, 3), (target, n_targets), (fc.product[rows], len(fc.products))]
    )
    key = combine_codes([(hospital, len(fc.hospitals)), (within, 3 * n_targets * len(fc.products))])
    same = hospital[1:] == hospital[:-1]
    unsorted = np.unique(hospital[1:][same & (within[1:] < within[:-1])])
    pairwise = ~np.isin(hospital, unsorted)
    groups, first = np.unique(key, return_index=True)  # first: a row of each group
    sums = np.zeros(len(groups), dtype="float64")
    for part in (pairwise, ~pairwise):
        uniques, group = np.unique(key[part], return_inverse=True)
        at = np.searchsorted(groups, uniques)
        sums[at] = fc.sums(group.ravel(), fc.boxes[rows][part], len(uniques))
    positive = sums > 0
    first, sums = first[positive], sums[positive]
    hospital, target_kind, target = hospital[first], target_kind[first], target[first]
    product = fc.product[rows][first]
    entity = combine_codes([(hospital, len(fc.hospitals)), (target_kind, 3), (target, n_targets)])
    _, entity_first, entity_group = np.unique(entity, return_index=True, return_inverse=True)
    totals = fc.sums(entity_group.ravel(), sums, len(entity_first))

    kind_names = np.array(["department", "hospital", "prescriber"], dtype=object)
    names_of = [
        np.asarray(fc.departments, dtype=object),
        np.asarray(fc.hospitals, dtype=object),
        np.asarray(fc.prescribers, dtype=object),
    ]
    t_kind = target_kind[entity_first]
    t_code = target[entity_first]
    t_name = np.empty(len(entity_first), dtype=object)
    for k in range(3):
        at = t_kind == k
        t_name[at] = names_of[k][t_code[at]]
    t_hospital = hospital[entity_first]
    # largest first within each hospital; ties: target name, then kind (the groupby order)
    name_order, _ = pd.factorize(t_name, sort=True)
    ranked = np.lexsort((np.arange(len(t_name)), name_order, -totals, t_hospital))
    product_names = np.asarray(fc.products, dtype=object)[product].tolist()
    boxes = sums.tolist()
    # each target's products, largest first (ties: product name)
    product_order = np.lexsort((product, -sums, entity_group.ravel()))
    lists: list[list[tuple[str, float]]] = [[] for _ in range(len(entity_first))]
    for g, i in zip(
        entity_group.ravel()[product_order].tolist(), product_order.tolist(), strict=True
    ):
        lists[g].append((product_names[i], boxes[i]))
    hospital_names = np.asarray(fc.hospitals, dtype=object)
    ranked_hospitals = t_hospital[ranked]
    ranked_names = t_name[ranked].tolist()
    ranked_kinds = kind_names[t_kind[ranked]].tolist()
    ranked_boxes = np.ascontiguousarray(totals[ranked])
    ranked_lists = [lists[i] for i in ranked.tolist()]
    starts, ends = _runs(ranked_hospitals)
    return {
        hospital_names[ranked_hospitals[s]]: _Targets(
            names=ranked_names[s:e],
            kinds=ranked_kinds[s:e],
            boxes=ranked_boxes[s:e],
            extra=ranked_lists[s:e],
        )
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    }


def _runs(sorted_codes: Any) -> tuple[Any, Any]:
    """Start and end of each run of equal values in a sorted integer array."""
    import numpy as np

    if not len(sorted_codes):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    return starts, np.r_[starts[1:], len(sorted_codes)]


def _monthly(codes: SalesCodes, role_of: Any, months: list[str]) -> tuple[Any, Any, Any]:
    """Boxes of ours per prescriber (with a name) and window month, zeros filled.

    Returns the hospital and prescriber codes of each row (sorted by hospital, prescriber),
    and the rows x months matrix. Each cell sums its sales rows as `volumes.monthly_pivot`
    does (a groupby by hospital, prescriber and month in order of appearance).
    """
    import numpy as np
    import pandas as pd

    no_prescriber = code_of(codes.prescribers, "")
    in_market = role_of[np.maximum(codes.product, 0)] == 1 if len(role_of) else False
    named = (codes.hospital >= 0) & (codes.prescriber >= 0) & (codes.product >= 0)
    rows = np.flatnonzero(
        window_rows(codes, months) & (codes.prescriber != no_prescriber) & in_market & named
    )
    n_m = max(len(codes.months), 1)
    person = combine_codes(
        [
            (codes.hospital[rows], len(codes.hospitals)),
            (codes.prescriber[rows], len(codes.prescribers)),
        ]
    )
    key = person * n_m + codes.month[rows]
    # exact: integers of 1/GRID box, as `volumes.monthly_pivot` sums them
    sums = pd.Series(on_grid(codes.boxes[rows])).groupby(key, sort=False).sum()
    cells = sums.index.to_numpy(dtype=np.int64)
    people, row_of = np.unique(cells // n_m, return_inverse=True)
    column = {m: i for i, m in enumerate(months)}
    month_names = np.asarray(codes.months, dtype=object)
    col_of = np.array([column[m] for m in month_names[cells % n_m].tolist()], dtype=np.int64)
    matrix = np.zeros((len(people), len(months)), dtype="float64")
    matrix[row_of.ravel(), col_of] = sums.to_numpy() / GRID
    hospital, prescriber = split_codes(
        people,
        person,
        rows,
        [codes.hospital, codes.prescriber],
        [len(codes.hospitals), len(codes.prescribers)],
    )
    return hospital, prescriber, matrix


def _win_back_rows(codes: SalesCodes, role_of: Any, months: list[str]) -> tuple[set, dict]:
    """Hospitals with prescriber-level usage of ours, and per hospital its fallen prescribers.

    A prescriber fell when he stopped or fell by more than half in the last month (see
    the module docstring); they come largest loss first.
    """
    import numpy as np
    import pandas as pd

    hospital, prescriber, matrix = _monthly(codes, role_of, months)
    hospital_names = np.asarray(codes.hospitals, dtype=object)
    with_monthly = set(hospital_names[np.unique(hospital)].tolist())
    if len(months) < 2:
        return with_monthly, {}
    # the earlier months' average: one exact sum on the grid, one division
    earlier = pd.Series(on_grid(matrix[:, :-1]).sum(axis=1) / (GRID * (len(months) - 1)))
    now = pd.Series(matrix[:, -1])
    fell = ((earlier > 0) & (now < earlier / 2)).to_numpy()
    earlier = earlier[fell].reset_index(drop=True)
    now = now[fell].clip(lower=0.0).reset_index(drop=True)
    lost = earlier - now
    hospital, prescriber = hospital[fell], prescriber[fell]
    order = np.lexsort((prescriber, -lost.to_numpy(), hospital))
    names = np.asarray(codes.prescribers, dtype=object)[prescriber[order]].tolist()
    earlier_list = earlier.to_numpy()[order].tolist()
    now_list = now.to_numpy()[order].tolist()
    lost_boxes = np.ascontiguousarray(lost.to_numpy()[order])
    now_boxes = np.ascontiguousarray(now.to_numpy()[order])
    ordered = hospital[order]
    starts, ends = _runs(ordered)
    out = {
        hospital_names[ordered[s]]: _Targets(
            names=names[s:e],
            kinds=["prescriber"] * (e - s),
            boxes=lost_boxes[s:e],
            extra=[earlier_list[s:e], now_list[s:e], now_boxes[s:e]],
        )
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    }
    return with_monthly, out


def _event_rows(departments: pd.DataFrame) -> dict[str, tuple[str, float, float, float, dict]]:
    """Per hospital, the department with the most competitor boxes (ties: market, name)."""
    cols = [C.HOSPITAL, C.DEPARTMENT, MARKET_BOXES, OURS_BOXES, SHARE, COMPETITORS]
    depts = departments[[*cols[:-1], COMPETITOR_BOXES, COMPETITORS]]
    depts = depts[depts[COMPETITOR_BOXES].notna() & (depts[COMPETITOR_BOXES] > 0)]
    depts = depts.sort_values(
        [C.HOSPITAL, COMPETITOR_BOXES, MARKET_BOXES, C.DEPARTMENT],
        ascending=[True, False, False, True],
    ).drop_duplicates(C.HOSPITAL)
    return {
        hospital: (str(department), float(market), float(ours), float(share), leaders)
        for hospital, department, market, ours, share, leaders in depts[cols].itertuples(
            index=False, name=None
        )
    }


def _competitor_levels(fc: FactCodes) -> dict[str, int]:
    """Per hospital, the finest level its competitor facts are known at (-1: none at all),
    as `gaps.hospital_competitor_level` gives it, from the facts' codes."""
    import numpy as np

    finest = np.full(len(fc.hospitals), -1, dtype=np.int64)
    rows = np.flatnonzero(fc.competitor & (fc.hospital >= 0))
    np.maximum.at(finest, fc.hospital[rows], fc.fact_level[rows])
    names = np.asarray(fc.hospitals, dtype=object).tolist()
    return dict(zip(names, finest.tolist(), strict=True))


def _contexts(
    codes: SalesCodes,
    competitors: pd.DataFrame | None,
    *,
    settings: Settings,
    market: Any,
    months: list[str],
) -> list[_Hospital]:
    """Every hospital of one market, largest first, with the figures its options need."""
    facts, fc = coded_facts_and_codes(
        codes, competitors, settings=settings, market=market, months=months
    )
    # only the columns the options use: the rest of the gap tables is never read here
    hospitals = coded_gap_table(facts, fc, "hospital", (C.HOSPITAL, OURS_BOXES))
    prescribers = coded_gap_table(
        facts, fc, "prescriber", (C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, OURS_BOXES)
    )
    departments = coded_gap_table(
        facts,
        fc,
        "department",
        (C.HOSPITAL, C.DEPARTMENT, OURS_BOXES, COMPETITOR_BOXES, MARKET_BOXES, SHARE, COMPETITORS),
    )
    levels = _competitor_levels(fc)
    role_of, _ = product_role_codes(codes, market, settings)
    with_monthly, win_back = _win_back_rows(codes, role_of, months)

    presc_keys = list(
        zip(prescribers[C.HOSPITAL].tolist(), prescribers[C.PRESCRIBER].tolist(), strict=True)
    )
    dept_keys = list(
        zip(departments[C.HOSPITAL].tolist(), departments[C.DEPARTMENT].tolist(), strict=True)
    )
    with_ours, deepen = _deepen_rows(prescribers, settings)
    tables = _Tables(
        prescriber_ours=dict(zip(presc_keys, prescribers[OURS_BOXES].tolist(), strict=True)),
        prescriber_department=dict(
            zip(presc_keys, prescribers[C.DEPARTMENT].tolist(), strict=True)
        ),
        department_ours=dict(zip(dept_keys, departments[OURS_BOXES].tolist(), strict=True)),
        with_ours=with_ours,
        deepen=deepen,
        convert=_competitor_rows(facts, fc, CONVERSION),
        develop=_competitor_rows(facts, fc, DEVELOPMENT),
        with_monthly=with_monthly,
        win_back=win_back,
        events=_event_rows(departments),
        window=fc.window,
    )
    ordered = hospitals.sort_values([OURS_BOXES, C.HOSPITAL], ascending=[False, True])
    return [
        _Hospital(
            name=name,
            current=float(current),
            competitor_level=int(levels.get(name, -1)),
            tables=tables,
        )
        for name, current in ordered[[C.HOSPITAL, OURS_BOXES]].itertuples(index=False, name=None)
    ]


@collector_paused()
def plan_figures(
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None = None,
    *,
    settings: Settings,
    market: str | None = None,
    hospital: str | None = None,
    options: int = 3,
    months: list[str] | None = None,
) -> PlanResult:
    """Draft up to `options` uplift options per hospital, and a summary per hospital.

    Every hospital of each market (see `gaps.competitor_gaps`) is planned, or only
    `hospital` (matched by `gaps.find_hospital`). Hospitals come largest first.
    Options: `OPTION_COLUMNS`, one row per option, ranked within the hospital.
    Summary: `SUMMARY_COLUMNS`: current monthly boxes, the extra boxes the shown
    options add (`counted_boxes`, so a VIP option's targets count once), projected
    boxes, current and projected tier (`tiers.assign_tiers`), VIP flag, number of
    options and, when it is below `options`, why (`WHY_FEWER`: reason codes with their
    figures). The texts (formula, evidence, actions, KPI, reasons) are written from
    these figures by `output.plan_texts`.
    """
    import pandas as pd

    months = months if months is not None else window_months(sales)
    option_rows: list[dict[str, Any]] = []
    summary_rows: list[dict[str, Any]] = []
    codes = encode_sales(sales)
    contexts = {
        m.name: _contexts(codes, competitors, settings=settings, market=m, months=months)
        for m in selected_markets(settings, market)
    }
    wanted = None
    if hospital is not None:
        known = sorted({h.name for hs in contexts.values() for h in hs})
        wanted = find_hospital(hospital, known, settings.hospital_aliases)
    for market_name, hospitals in contexts.items():
        for h in hospitals:
            if wanted is not None and h.name != wanted:
                continue
            shown, reasons = _plan_hospital(h, settings, months, options)
            counted = _counted(shown)
            for rank, (option, count) in enumerate(zip(shown, counted, strict=True), start=1):
                option_rows.append(
                    {
                        MARKET: market_name,
                        C.HOSPITAL: h.name,
                        RANK: rank,
                        TYPE: option.type,
                        TARGETS: option.targets,
                        TARGET_KINDS: option.kinds,
                        EXTRA_BOXES: float(option.extra),
                        COUNTED_BOXES: float(count),
                        ASSUMPTIONS: option.assumptions,
                        PRIORITY: _priority(option.extra, h.current, settings),
                        FACTS: option.facts(),
                    }
                )
            extra = float(sum(counted))
            summary_rows.append(
                {
                    MARKET: market_name,
                    C.HOSPITAL: h.name,
                    CURRENT_BOXES: h.current,
                    EXTRA_BOXES: extra,
                    PROJECTED_BOXES: h.current + extra,
                    C.VIP: h.current >= settings.vip,
                    OPTIONS: len(shown),
                    WHY_FEWER: reasons if len(shown) < options else None,
                }
            )
    plans = pd.DataFrame(option_rows, columns=list(OPTION_COLUMNS))
    plans = plans.astype(
        {RANK: "int64", EXTRA_BOXES: "float64", COUNTED_BOXES: "float64"}
        | {c: "str" for c in (MARKET, C.HOSPITAL, TYPE, PRIORITY)}
    )
    summary = pd.DataFrame(summary_rows, columns=list(SUMMARY_COLUMNS))
    summary = summary.astype(
        {CURRENT_BOXES: "float64", EXTRA_BOXES: "float64", PROJECTED_BOXES: "float64"}
        | {C.VIP: "bool", OPTIONS: "int64"}
        | {c: "str" for c in (MARKET, C.HOSPITAL)}
    )
    summary[CURRENT_TIER] = assign_tiers(summary[CURRENT_BOXES], settings.thresholds)
    summary[PROJECTED_TIER] = assign_tiers(summary[PROJECTED_BOXES], settings.thresholds)
    return PlanResult(options=plans, summary=summary[list(SUMMARY_COLUMNS)])
