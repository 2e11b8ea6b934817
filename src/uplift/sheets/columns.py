"""The canonical sales table: the one shape every analysis consumes.

One row per source line of a partner's usage-detail sheet. Keys are
partner x month x hospital x department x prescriber x product; the same key
may appear on several rows (several lines in the sheet), analyses sum them.

Unknown department or prescriber is the empty string "", never NaN, so that
group-bys keep those rows (many flow sheets are hospital-level only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

PARTNER: Final = "partner"
MONTH: Final = "month"  # "YYYY-MM"
HOSPITAL: Final = "hospital"
DEPARTMENT: Final = "department"  # "" when the sheet has none
PRESCRIBER: Final = "prescriber"  # "" when the sheet has none
PRODUCT: Final = "product"
SPEC: Final = "spec"  # pack spec as written, e.g. "10支/盒"; "" if none
QUANTITY: Final = "quantity"  # the quantity as read, in `unit`
UNIT: Final = "unit"  # "盒" when the sheet counts boxes
BOXES: Final = "boxes"  # float; negative for returns
AMOUNT: Final = "amount"  # value in the sheet's money (金额, 实收金额); NaN when it has none
SOURCE_FILE: Final = "source_file"
SHEET: Final = "sheet"
ROW: Final = "row"  # 1-based Excel row number as the user sees it

KEY_COLUMNS: Final = (PARTNER, MONTH, HOSPITAL, DEPARTMENT, PRESCRIBER, PRODUCT)
TEXT_COLUMNS: Final = (*KEY_COLUMNS, SPEC, UNIT, SOURCE_FILE, SHEET)
SALES_COLUMNS: Final = (
    PARTNER,
    MONTH,
    HOSPITAL,
    DEPARTMENT,
    PRESCRIBER,
    PRODUCT,
    SPEC,
    QUANTITY,
    UNIT,
    BOXES,
    AMOUNT,
    SOURCE_FILE,
    SHEET,
    ROW,
)

# Competitor figures gathered on hospital visits: already monthly boxes.
COMPETITOR_COLUMNS: Final = (
    HOSPITAL,
    DEPARTMENT,
    PRESCRIBER,
    PRODUCT,
    BOXES,
    SOURCE_FILE,
    SHEET,
    ROW,
)

# Derived columns added by analyses.
IS_OURS: Final = "is_ours"
TIER: Final = "tier"
VIP: Final = "vip"
MONTHS: Final = "months"


def empty_sales() -> pd.DataFrame:
    """An empty canonical sales table with the right dtypes."""
    return conform(None, SALES_COLUMNS)


def empty_competitors() -> pd.DataFrame:
    """An empty competitor (field visit) table with the right dtypes."""
    return conform(None, COMPETITOR_COLUMNS)


def conform(df: pd.DataFrame | None, columns: tuple[str, ...] = SALES_COLUMNS) -> pd.DataFrame:
    """Return `df` with exactly `columns`, canonical dtypes and "" for missing text."""
    import pandas as pd

    if df is None:
        df = pd.DataFrame({c: [] for c in columns})
    out = pd.DataFrame(index=df.index)
    for col in columns:
        if col in (QUANTITY, BOXES):
            out[col] = pd.to_numeric(df[col], errors="raise").astype("float64")
        elif col == AMOUNT:
            # older tables and competitor-style frames have no amount: NaN, not 0
            values = df[col] if col in df.columns else float("nan")
            out[col] = pd.to_numeric(pd.Series(values, index=df.index), errors="raise").astype(
                "float64"
            )
        elif col == ROW:
            out[col] = df[col].astype("int64")
        elif col not in df.columns:
            out[col] = pd.Series("", index=df.index, dtype="str")
        else:
            series = df[col]
            if series.dtype != "str":
                series = series.astype("str")
            out[col] = series.fillna("") if series.hasnans else series
    return out.reset_index(drop=True)
