"""Small builders for hand-checked fixtures."""

from __future__ import annotations

import pandas as pd

from uplift.sheets import columns as C


def sales(rows: list[tuple]) -> pd.DataFrame:
    """Canonical rows from (partner, month, hospital, department, prescriber, product, boxes)."""
    frame = pd.DataFrame(
        rows,
        columns=[C.PARTNER, C.MONTH, C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT, C.BOXES],
    )
    frame[C.QUANTITY] = frame[C.BOXES]
    frame[C.UNIT] = "盒"
    frame[C.SOURCE_FILE] = "fixture.xlsx"
    frame[C.SHEET] = "Sheet1"
    frame[C.ROW] = range(2, len(frame) + 2)
    return C.conform(frame)
