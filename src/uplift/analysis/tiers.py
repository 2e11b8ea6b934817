"""Tiering: grade hospitals, departments, prescribers or partners by monthly boxes."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Literal

from uplift.analysis.volumes import (
    collector_paused,
    entity_keys,
    mark_ours,
    monthly_average,
    monthly_pivot,
    rows_at_level,
    window_months,
)
from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

Level = Literal["hospital", "prescriber", "department", "partner"]
Basis = Literal["average", "latest"]
Method = Literal["thresholds", "decile"]

SHARE = "share"
DECILE = "decile"
MONTHLY = "monthly"


def tier_labels(thresholds: tuple[float, ...]) -> list[str]:
    """Labels from the top tier down: 3 thresholds give A, B, C and D."""
    return list(string.ascii_uppercase[: len(thresholds) + 1])


def assign_tiers(boxes: pd.Series, thresholds: tuple[float, ...]) -> pd.Series:
    """Tier per value; thresholds are inclusive lower bounds (300 is tier A at 100/200/300)."""
    import numpy as np
    import pandas as pd

    labels = tier_labels(thresholds)
    # number of thresholds at or below the value: 0 -> bottom tier, n -> top tier
    reached = np.searchsorted(np.asarray(thresholds, dtype="float64"), boxes.to_numpy(), "right")
    top_down = np.asarray(labels)[len(thresholds) - reached]
    return pd.Series(top_down, index=boxes.index, dtype="str")


def volume_deciles(boxes: pd.Series) -> pd.Series:
    """Volume-weighted deciles: sort ascending, cumulative share c, min(10, floor(10c)+1).

    Non-users (zero or negative boxes) are decile 0.
    """
    import numpy as np
    import pandas as pd

    out = pd.Series(0, index=boxes.index, dtype="int64")
    users = boxes[boxes > 0].sort_values(kind="stable")
    if users.empty:
        return out
    share = users.cumsum() / users.sum()
    # guard against 0.3 * 10 = 2.9999999 style float error at exact boundaries
    dec = np.minimum(10, np.floor(np.round(share.to_numpy() * 10, 9)) + 1).astype("int64")
    out.loc[users.index] = dec
    return out


@collector_paused()
def tier_entities(
    sales: pd.DataFrame,
    *,
    settings: Settings,
    by: Level = "hospital",
    basis: Basis = "average",
    method: Method = "thresholds",
    months: list[str] | None = None,
) -> pd.DataFrame:
    """One row per entity: its figure (boxes of our products a month), tier and VIP flag.

    `basis="average"`: total over the window / months in the window (a month with no
    sales counts as zero). `basis="latest"`: the window's last month.
    Entities that appear only with competitor products are kept with 0 boxes.
    Columns: the entity keys, `boxes`, `tier`, `vip`, `months` (months with our
    sales), `monthly` (month -> boxes, every window month), `share` of all entities' boxes,
    and `decile` when `method="decile"`.
    """
    import pandas as pd

    keys = entity_keys(by)
    months = months if months is not None else window_months(sales)
    data = rows_at_level(sales, by)
    data = data[data[C.MONTH].isin(months)]
    ours = data[mark_ours(data[C.PRODUCT], settings)]
    pivot = monthly_pivot(ours, keys, months)
    everyone = data[keys].drop_duplicates().set_index(keys).index
    pivot = pivot.reindex(everyone, fill_value=0.0) if len(everyone) else pivot
    if basis == "average":
        figure = monthly_average(pivot, len(months))
    else:
        figure = pivot[months[-1]] if months else pivot.sum(axis=1)
    out = pd.DataFrame(index=pivot.index)
    out[C.BOXES] = figure.astype("float64")
    out[C.TIER] = assign_tiers(out[C.BOXES], settings.thresholds)
    if method == "decile":
        out[DECILE] = volume_deciles(out[C.BOXES])
    out[C.VIP] = (out[C.BOXES] >= settings.vip) if by == "hospital" else False
    out[C.MONTHS] = (pivot > 0).sum(axis=1).astype("int64")
    total = out[C.BOXES].clip(lower=0).sum()
    out[SHARE] = out[C.BOXES].clip(lower=0) / total if total > 0 else 0.0
    out[MONTHLY] = [
        dict(zip(months, row, strict=True)) for row in pivot.round(4).to_numpy().tolist()
    ]
    out = out.reset_index()
    out = out.sort_values([C.BOXES, *keys], ascending=[False, *([True] * len(keys))])
    return out.reset_index(drop=True)


def tier_summary(tiers: pd.DataFrame, *, thresholds: tuple[float, ...]) -> pd.DataFrame:
    """The Pareto view: per tier, entities, boxes and share of all boxes (every tier listed)."""
    import pandas as pd

    labels = tier_labels(thresholds)
    grouped = tiers.groupby(C.TIER, observed=True)[C.BOXES].agg(["count", "sum"])
    grouped = grouped.reindex(labels, fill_value=0)
    total = grouped["sum"].clip(lower=0).sum()
    lower = [*thresholds[::-1], None]
    out = pd.DataFrame(
        {
            C.TIER: labels,
            "from_boxes": [float(t) if t is not None else 0.0 for t in lower],
            "entities": grouped["count"].astype("int64").to_numpy(),
            C.BOXES: grouped["sum"].astype("float64").to_numpy(),
        }
    )
    out[SHARE] = out[C.BOXES].clip(lower=0) / total if total > 0 else 0.0
    return out
