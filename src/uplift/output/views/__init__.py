"""Per-command views: which columns a table shows and which keys JSON/CSV carry.

Views call `uplift.output.render`; they never compute figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd


def plain_records(df: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Plain dicts with exactly `keys`, in order, as `render.records` gives them.

    Read column by column (`tolist` gives Python values, NaN stays NaN), which is several
    times faster than `to_dict("records")` for the tens of thousands of rows of a plan.
    """
    keys = list(keys)
    columns = [df[k].tolist() for k in keys]
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
