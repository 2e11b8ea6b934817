"""Per-command views: which columns a table shows and which keys JSON/CSV carry.

Views call `uplift.output.render`; they never compute figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd


def plain_records(df: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Plain dicts with exactly `keys`, in order, as `render.records` gives them (figures
    rounded to their documented precision).

    Read column by column (`tolist` gives Python values, NaN stays NaN), which is several
    times faster than `to_dict("records")` for the tens of thousands of rows of a plan.
    """
    from uplift.output.render import decimals_for, round_half_up_array, rounded

    keys = list(keys)
    columns = []
    for k in keys:
        col = df[k]
        if col.dtype.kind == "f":  # figures rounded once, as `render.records` does
            columns.append(round_half_up_array(col.to_numpy(), decimals_for(k)).tolist())
        elif col.dtype == object:
            d = decimals_for(k)
            columns.append([rounded(v, d) for v in col.tolist()])
        else:
            columns.append(col.tolist())
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
