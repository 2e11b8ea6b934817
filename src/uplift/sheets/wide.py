"""Wide sheets: one column per product and a row per day or month, instead of one row per
product line. `uplift` reads lines; a wide sheet is recognised and named as such, so the
user is told what to do rather than "no product column".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from uplift.sheets.headers import HEADER_SEARCH_ROWS, field_for
from uplift.sheets.quantities import parse_number

# rows under the header looked at to decide that the unknown columns hold figures
_SAMPLE_ROWS = 20
_TOTAL_HEADERS = ("合计", "总计", "小计", "total", "sum")
WIDE_LAYOUT = "wide layout"


@dataclass(frozen=True)
class WideSheet:
    """Where a wide sheet's header is and which columns look like products."""

    row: int  # 0-based header row in the grid
    date_header: str
    products: list[str]


def find_wide(rows: list[list[Any]], overrides: dict[str, Any] | None = None) -> WideSheet | None:
    """A header row with a date or month column, no product or quantity column, and at
    least two other columns whose cells below are mostly numbers: a column per product."""
    for r, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields: dict[str, int] = {}
        others: dict[int, str] = {}
        for c, cell in enumerate(cells):
            if cell is None or str(cell).strip() == "":
                continue
            found = field_for(cell, overrides)
            if found is None:
                others[c] = " ".join(str(cell).split())
            else:
                fields.setdefault(found[0], c)
        if "month" not in fields or "product" in fields or "quantity" in fields:
            continue
        below = rows[r + 1 : r + 1 + _SAMPLE_ROWS]
        products = [
            name
            for c, name in others.items()
            if not any(t in name.casefold() for t in _TOTAL_HEADERS) and _mostly_numbers(below, c)
        ]
        if len(products) >= 2:
            return WideSheet(row=r, date_header=str(cells[fields["month"]]), products=products)
    return None


def _mostly_numbers(rows: list[list[Any]], col: int) -> bool:
    filled = [row[col] for row in rows if col < len(row) and row[col] not in (None, "")]
    if not filled:
        return False
    numbers = sum(isinstance(v, int | float) or parse_number(str(v)) is not None for v in filled)
    return numbers >= 0.8 * len(filled)


def wide_note(wide: WideSheet) -> str:
    """What the user reads: the sheet is wide, and how to turn it into product lines."""
    shown = ", ".join(wide.products[:5]) + (" ..." if len(wide.products) > 5 else "")
    return (
        f"{WIDE_LAYOUT}: one column per product ({shown}) and a row per day or month, "
        "not one row per product line; in Excel select the table, Data > From Table/Range, "
        "select the date (and hospital) columns and Unpivot Other Columns "
        "(数据 > 来自表格/区域 > 逆透视其他列), then save and load that sheet"
    )
