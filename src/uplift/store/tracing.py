"""Tracing a figure back to the partner's own rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uplift.sheets import columns as C
from uplift.sheets.hospitals import find_hospital

if TYPE_CHECKING:
    import pandas as pd


def trace_rows(
    sales: pd.DataFrame,
    *,
    hospital: str,
    prescriber: str | None = None,
    product: str | None = None,
    month: str | None = None,
    aliases: dict[str, str] | None = None,
) -> tuple[str, pd.DataFrame]:
    """(the hospital matched, its source rows) filtered by prescriber, product and month."""
    name = find_hospital(hospital, sales[C.HOSPITAL].unique().tolist(), aliases or {})
    mask = sales[C.HOSPITAL] == name
    if prescriber is not None:
        mask &= sales[C.PRESCRIBER] == prescriber
    if product is not None:
        mask &= sales[C.PRODUCT] == product
    if month is not None:
        mask &= sales[C.MONTH] == month
    rows = sales[mask].sort_values([C.SOURCE_FILE, C.SHEET, C.ROW]).reset_index(drop=True)
    return name, rows
