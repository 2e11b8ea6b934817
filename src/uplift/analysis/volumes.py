"""Shared volume arithmetic: the analysis window, our rows, monthly pivots."""

from __future__ import annotations

import contextlib
import gc
from typing import TYPE_CHECKING, Any, Final

from uplift.sheets import columns as C
from uplift.sheets.products import mark_ours

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from uplift.config import Settings


# Figures live on a grid of 1/GRID box: a sheet's boxes (12.5, 333.3, 240 片 of 24) are
# rounded to it once, and every sum is a sum of integers, in any order. An average over
# n months is one division of such a sum, so a hospital whose months average exactly
# 1,000 boxes is 1000.0 in every table, and VIP in every one.
GRID: Final = 10_000


def on_grid(values: Any) -> Any:
    """Boxes as integers of 1/GRID box (int64)."""
    import numpy as np

    return np.rint(np.asarray(values, dtype="float64") * GRID).astype("int64")


def snapped(values: Any, months: int) -> Any:
    """Sums of monthly averages (each k / (GRID * months)) put back on their exact grid:
    float additions of such averages lose the last digits (999.9999999999999); the grid
    point they stand for is the figure."""
    import numpy as np

    if months <= 0:
        return values
    scale = float(GRID * months)
    return np.rint(np.asarray(values, dtype="float64") * scale) / scale


def window_months(
    sales: pd.DataFrame, start: str | None = None, end: str | None = None
) -> list[str]:
    """The analysis window: every month from the first to the last in the data.

    Months with no rows inside the span still count (as zero), so an average over
    the window is total / number of months, as a manager would compute it.
    """
    import pandas as pd

    months = sales[C.MONTH]
    if months.empty and (start is None or end is None):
        return []
    first = start or months.min()
    last = end or months.max()
    if first > last:
        return []
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def ours_only(sales: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The rows of our products."""
    return sales[mark_ours(sales[C.PRODUCT], settings)]


def monthly_pivot(sales: pd.DataFrame, keys: list[str], months: list[str]) -> pd.DataFrame:
    """Boxes per entity (rows, indexed by `keys`) and month (columns), zeros filled."""
    import pandas as pd

    if sales.empty:
        index = pd.MultiIndex.from_arrays([[] for _ in keys], names=keys)
        return pd.DataFrame(0.0, index=index, columns=months)
    exact = sales[[*keys, C.MONTH]].assign(_grid=on_grid(sales[C.BOXES]))
    grouped = exact.groupby([*keys, C.MONTH], sort=False, observed=True)["_grid"].sum()
    pivot = grouped.unstack(C.MONTH, fill_value=0)
    pivot = pivot.reindex(columns=months, fill_value=0)
    return pivot.astype("int64") / GRID


def monthly_average(pivot: pd.DataFrame, months: int) -> pd.Series:
    """Per row of a `monthly_pivot`, its boxes a month over `months`: one exact sum, one
    division."""
    import pandas as pd

    grid = on_grid(pivot.to_numpy(dtype="float64")).sum(axis=1)
    return pd.Series(grid / (GRID * max(months, 1)), index=pivot.index, dtype="float64")


def entity_keys(level: str) -> list[str]:
    """The columns that identify an entity at `level`.

    A prescriber is (hospital, name): the same name in two hospitals is two doctors.
    """
    if level == "hospital":
        return [C.HOSPITAL]
    if level == "department":
        return [C.HOSPITAL, C.DEPARTMENT]
    if level == "prescriber":
        return [C.HOSPITAL, C.PRESCRIBER]
    if level == "partner":
        return [C.PARTNER]
    raise ValueError(f"unknown level {level!r}")


def rows_at_level(sales: pd.DataFrame, level: str) -> pd.DataFrame:
    """Rows that carry an entity at `level` (rows with no department/prescriber drop out)."""
    if level == "department":
        return sales[sales[C.DEPARTMENT] != ""]
    if level == "prescriber":
        return sales[sales[C.PRESCRIBER] != ""]
    return sales


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block builds many small objects.

    Writing tens of thousands of option texts, dicts and lists makes the collector scan
    every object alive (pandas and all) again and again, for nothing: the analyses make
    no reference cycles. Reference counting still frees everything; the collector is
    switched back on (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
