"""Master data sheets: finding the header of a product catalogue or a customer master.

Master sheets are small lists a company keeps beside the partners' usage detail (品规对照,
客户对照). Their headers are matched like a usage sheet's: NFKC, case folded, spaces and
a bracketed suffix ignored, anywhere in the first 30 rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from uplift.sheets.names import match_key, normalise

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from uplift.sheets.reading import RawSheet

HEADER_ROWS = 30
_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
# values in a list cell: 别名 "四川华西医院、华西医院东院"
LIST_SEPARATORS = re.compile(r"[,，、;；|/\n]+")


def header_key(text: object) -> str:
    """A header cell as compared with the alias tables."""
    return _BRACKETED.sub("", match_key(text)) or match_key(text)


def grid_of(raw: RawSheet) -> list[list[str]]:
    """The sheet's cells as stripped text, row by row (row i is Excel row i + 1)."""
    frame = raw.grid
    values = frame.astype("object").where(frame.notna(), "").to_numpy().tolist()
    return [[normalise(v) for v in row] for row in values]


def find_header(
    grid: Sequence[Sequence[str]],
    aliases: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    *,
    one_of: tuple[str, ...] = (),
    refused: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[int, dict[str, int]] | None:
    """The first row (0-based) holding every `required` field and one of `one_of`.

    Returns the row and the column of each field found there. A row that also holds a
    field of `refused` (for example a quantity column: then it is a usage sheet) is no
    master header.
    """
    keys = {field: {header_key(a) for a in names} for field, names in aliases.items()}
    refused_keys = {header_key(a) for names in (refused or {}).values() for a in names}
    for r, row in enumerate(grid[:HEADER_ROWS]):
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = header_key(cell)
            if not key:
                continue
            if key in refused_keys:
                found = {}
                break
            for field, names in keys.items():
                if field not in found and key in names:
                    found[field] = c
                    break
        else:
            if all(f in found for f in required) and (
                not one_of or any(f in found for f in one_of)
            ):
                return r, found
    return None


def split_list(cell: str) -> list[str]:
    """The names of a list cell, normalised, without empty ones."""
    return [n for n in (normalise(p) for p in LIST_SEPARATORS.split(cell)) if n]


YES = frozenset({"是", "y", "yes", "true", "1", "本品", "我方", "本公司", "√", "✓", "ours", "our"})
NO = frozenset({"否", "n", "no", "false", "0", "竞品", "竞争", "competitor", "×", "✗"})


def yes_no(cell: str) -> bool | None:
    """是/否, Y/N, 本品/竞品 ... as True/False; anything else None."""
    key = match_key(cell)
    if key in YES:
        return True
    if key in NO:
        return False
    return None
