"""Partner scorecard: coverage, volume, growth, share, concentration and data quality."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from uplift.analysis.growth import mark_competitors
from uplift.analysis.tiers import tier_entities, tier_labels
from uplift.analysis.volumes import monthly_average, monthly_pivot, window_months
from uplift.sheets import columns as C
from uplift.sheets.products import mark_ours

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from uplift.config import Settings

HOSPITALS: Final = "hospitals"
DEPARTMENTS: Final = "departments"
PRESCRIBERS: Final = "prescribers"
LAST_MONTH_BOXES: Final = "last_month_boxes"
PREVIOUS_MONTH_BOXES: Final = "previous_month_boxes"
GROWTH: Final = "growth"
GROWTH_PCT: Final = "growth_pct"
SHARE: Final = "share"
CONCENTRATION: Final = "concentration"
TIER_MIX: Final = "tier_mix"
VIP_HOSPITALS: Final = "vip_hospitals"
MONTHS_REPORTED: Final = "months_reported"
MONTHS_IN_WINDOW: Final = "months_in_window"
TIMELINESS: Final = "timeliness"
MISSING_MONTHS: Final = "missing_months"
ROWS_READ: Final = "rows_read"
ROWS_REJECTED: Final = "rows_rejected"
REJECTED_RATE: Final = "rejected_rate"
MONTHLY: Final = "monthly"

TOP_PRESCRIBERS: Final = 5  # concentration: the top-5 prescribers' share

SCORECARD_COLUMNS: Final = (
    C.PARTNER,
    C.BOXES,
    LAST_MONTH_BOXES,
    PREVIOUS_MONTH_BOXES,
    GROWTH,
    GROWTH_PCT,
    HOSPITALS,
    DEPARTMENTS,
    PRESCRIBERS,
    SHARE,
    CONCENTRATION,
    TIER_MIX,
    VIP_HOSPITALS,
    MONTHS_REPORTED,
    MONTHS_IN_WINDOW,
    TIMELINESS,
    MISSING_MONTHS,
    ROWS_READ,
    ROWS_REJECTED,
    REJECTED_RATE,
    MONTHLY,
)


def _competitor_boxes(
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None,
    *,
    settings: Settings,
    months: list[str],
) -> pd.Series:
    """Average monthly competitor boxes per hospital.

    From the competitor rows of the sales sheets where a hospital has them, else from the
    field-visit table (already monthly boxes): sheet rows are counted, visits estimated.
    """
    rows = sales[mark_competitors(sales[C.PRODUCT], settings)]
    per_hospital = rows.groupby(C.HOSPITAL, sort=False)[C.BOXES].sum() / max(len(months), 1)
    if competitors is not None and not competitors.empty:
        visited = competitors.groupby(C.HOSPITAL, sort=False)[C.BOXES].sum()
        per_hospital = per_hospital.combine_first(visited) if len(per_hospital) else visited
    return per_hospital.astype("float64")


def partner_scorecard(
    sales: pd.DataFrame,
    *,
    settings: Settings,
    competitors: pd.DataFrame | None = None,
    load_stats: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per partner: what it covers, sells and reports, in the window of the data.

    - hospitals / departments / prescribers: distinct ones in its rows of our products
      (a department or prescriber is counted within its hospital).
    - boxes: its average monthly boxes of our products over the window (a month with no
      rows counts as zero); last_month_boxes, previous_month_boxes, growth (last minus
      previous) and growth_pct (growth / previous, NaN when previous <= 0).
    - share: in its covered hospitals that have competitor figures (sheet rows of
      competitor products, else field visits), its boxes / (our boxes from every
      partner + competitor boxes) there; NaN without competitor figures.
    - concentration: its top-5 prescribers' share of its boxes (NaN without prescribers).
    - tier_mix: {tier label: hospitals}, tiering that partner's own rows per hospital
      (tiers.tier_entities, average basis); vip_hospitals: VIP hospitals (by the
      hospital's total from every partner) where it sells our products.
    - months_reported (months with any row from it), months_in_window, timeliness (their
      ratio) and missing_months (a list).
    - rows_read, rows_rejected, rejected_rate from `load_stats` (columns partner,
      rows_read, rows_rejected), NaN when not given or the partner is not in it.
    - monthly: its boxes per window month (for a sparkline).

    Order, so the manager sees where to spend time first: partners whose boxes fell last
    month come first, then the rest; within each group, the larger average monthly boxes
    (the volume at stake) first, then by name.
    """
    import numpy as np
    import pandas as pd

    months = window_months(sales)
    n_months = max(len(months), 1)
    partners = pd.Index(sorted(sales[C.PARTNER].unique()), name=C.PARTNER, dtype="str")
    window = sales[sales[C.MONTH].isin(months)]
    ours = window[mark_ours(window[C.PRODUCT], settings)]

    pivot = monthly_pivot(ours, [C.PARTNER], months)
    pivot.index = pivot.index.get_level_values(0).astype("str")
    pivot = pivot.reindex(partners, fill_value=0.0)
    out = pd.DataFrame(index=partners)
    out[C.BOXES] = monthly_average(pivot, n_months)
    if len(months) >= 2:
        out[LAST_MONTH_BOXES] = pivot[months[-1]]
        out[PREVIOUS_MONTH_BOXES] = pivot[months[-2]]
    else:
        out[LAST_MONTH_BOXES] = pivot[months[-1]] if months else 0.0
        out[PREVIOUS_MONTH_BOXES] = np.nan
    out[GROWTH] = out[LAST_MONTH_BOXES] - out[PREVIOUS_MONTH_BOXES]
    previous = out[PREVIOUS_MONTH_BOXES]
    out[GROWTH_PCT] = out[GROWTH] / previous.where(previous > 0)

    # coverage
    def distinct(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
        counts = frame[[C.PARTNER, *columns]].drop_duplicates().groupby(C.PARTNER).size()
        return counts.reindex(partners, fill_value=0).astype("int64")

    out[HOSPITALS] = distinct(ours, [C.HOSPITAL])
    out[DEPARTMENTS] = distinct(ours[ours[C.DEPARTMENT] != ""], [C.HOSPITAL, C.DEPARTMENT])
    out[PRESCRIBERS] = distinct(ours[ours[C.PRESCRIBER] != ""], [C.HOSPITAL, C.PRESCRIBER])

    # share in covered hospitals with competitor figures
    rival = _competitor_boxes(window, competitors, settings=settings, months=months)
    per_hospital = ours.groupby(C.HOSPITAL)[C.BOXES].sum() / n_months
    covered = (ours.groupby([C.PARTNER, C.HOSPITAL])[C.BOXES].sum() / n_months).reset_index()
    covered = covered[covered[C.HOSPITAL].isin(rival.index)]
    market = (
        per_hospital.reindex(covered[C.HOSPITAL]).to_numpy()
        + rival.reindex(covered[C.HOSPITAL]).to_numpy()
    )
    covered["_market"] = market
    sums = covered.groupby(C.PARTNER)[[C.BOXES, "_market"]].sum().reindex(partners)
    out[SHARE] = sums[C.BOXES] / sums["_market"].where(sums["_market"] > 0)

    # concentration: top prescribers' share of its boxes
    named = ours[ours[C.PRESCRIBER] != ""]
    per_prescriber = named.groupby([C.PARTNER, C.HOSPITAL, C.PRESCRIBER])[C.BOXES].sum()
    per_prescriber = per_prescriber.clip(lower=0).sort_values(ascending=False, kind="stable")
    top = per_prescriber.groupby(level=C.PARTNER).head(TOP_PRESCRIBERS)
    top_sum = top.groupby(level=C.PARTNER).sum().reindex(partners)
    total = ours.groupby(C.PARTNER)[C.BOXES].sum().clip(lower=0).reindex(partners)
    out[CONCENTRATION] = (top_sum / total.where(total > 0)).clip(upper=1.0)

    # tiers of its hospitals, and VIP hospitals it serves
    labels = tier_labels(settings.thresholds)
    mix = []
    for partner in partners:  # one tiering per partner, as `uplift tier` would do it
        tiers = tier_entities(
            window[window[C.PARTNER] == partner], settings=settings, by="hospital", months=months
        )
        counts = tiers[C.TIER].value_counts().reindex(labels, fill_value=0)
        mix.append({label: int(counts[label]) for label in labels})
    out[TIER_MIX] = mix
    all_hospitals = tier_entities(window, settings=settings, by="hospital", months=months)
    vip = set(all_hospitals.loc[all_hospitals[C.VIP], C.HOSPITAL])
    served = ours[[C.PARTNER, C.HOSPITAL]].drop_duplicates()
    served = served[served[C.HOSPITAL].isin(vip)]
    out[VIP_HOSPITALS] = served.groupby(C.PARTNER).size().reindex(partners, fill_value=0)
    out[VIP_HOSPITALS] = out[VIP_HOSPITALS].astype("int64")

    # timeliness
    reported = window[[C.PARTNER, C.MONTH]].drop_duplicates()
    present = pd.crosstab(reported[C.PARTNER], reported[C.MONTH]).reindex(
        index=partners, columns=months, fill_value=0
    )
    out[MONTHS_REPORTED] = (present > 0).sum(axis=1).astype("int64")
    out[MONTHS_IN_WINDOW] = len(months)
    out[TIMELINESS] = out[MONTHS_REPORTED] / n_months
    month_names = np.asarray(months, dtype=object)
    out[MISSING_MONTHS] = [list(month_names[row == 0]) for row in present.to_numpy()]

    # data quality at load
    if load_stats is not None and not load_stats.empty:
        stats = load_stats.groupby(C.PARTNER)[[ROWS_READ, ROWS_REJECTED]].sum()
        stats = stats.reindex(partners).astype("float64")
    else:
        stats = pd.DataFrame(np.nan, index=partners, columns=[ROWS_READ, ROWS_REJECTED])
    out[ROWS_READ] = stats[ROWS_READ]
    out[ROWS_REJECTED] = stats[ROWS_REJECTED]
    out[REJECTED_RATE] = stats[ROWS_REJECTED] / stats[ROWS_READ].where(stats[ROWS_READ] > 0)

    out[MONTHLY] = pivot.round(4).to_numpy().tolist() if len(pivot) else []
    out = out.reset_index()
    out["_falling"] = out[GROWTH] < 0
    out = out.sort_values(
        ["_falling", C.BOXES, C.PARTNER], ascending=[False, False, True], kind="stable"
    )
    out = out.drop(columns="_falling").reset_index(drop=True)
    return out[list(SCORECARD_COLUMNS)]


def load_stats_from(sheets: Iterable[Any]) -> pd.DataFrame:
    """`load_stats` for partner_scorecard from the loader's sheet reports.

    Per partner: rows_read = data lines kept + rejected (titles, blanks and totals rows
    left out), rows_rejected = lines rejected. Only sales sheets whose kept rows name
    exactly one partner count: a sheet shared by several partners cannot say whose
    rejected lines they were.
    """
    import pandas as pd

    records = []
    for sheet in sheets:
        if getattr(sheet, "kind", "sales") != "sales" or len(sheet.partners) != 1:
            continue
        rejected = int(sum(sheet.rejected.values()))
        records.append((sheet.partners[0], int(sheet.kept) + rejected, rejected))
    frame = pd.DataFrame.from_records(records, columns=[C.PARTNER, ROWS_READ, ROWS_REJECTED])
    frame[C.PARTNER] = frame[C.PARTNER].astype("str")
    return frame.groupby(C.PARTNER, as_index=False, sort=True)[[ROWS_READ, ROWS_REJECTED]].sum()
