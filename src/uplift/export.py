"""Exporting: the only code that writes workbooks (and Markdown reports).

Partner text is data, never a formula: every text cell is written with the string cell
type, so `=HYPERLINK(...)` stays the text a partner typed. Files are written to a
temporary file in the target folder and moved into place, so a crash never leaves half
a workbook behind.
"""

from __future__ import annotations

import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pandas as pd

LIST_SEPARATOR: Final = "; "
SHEET_NAME_MAX: Final = 31
_SHEET_FORBIDDEN: Final = str.maketrans({c: "_" for c in "[]:*?/\\"})
MIN_WIDTH: Final = 6
MAX_WIDTH: Final = 60
FLOAT_FORMAT: Final = "#,##0.0#"
INT_FORMAT: Final = "#,##0"


def display_width(text: str) -> int:
    """Columns `text` takes on screen: East-Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cell_text(value: Any) -> str:
    """How a list, dict or other value reads in one cell."""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return LIST_SEPARATOR.join(f"{k}: {cell_text(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cell_value(value: Any) -> Any:
    """A value openpyxl stores as a number, a boolean, text or nothing."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple | dict):
        return cell_text(value)
    if isinstance(value, np.ndarray):
        return cell_text(value.tolist())
    return str(value)


def sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique sheet names: at most 31 characters, none of []:*?/\\, no edge quotes."""
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = str(name).translate(_SHEET_FORBIDDEN).strip().strip("'").strip() or "Sheet"
        base = base[:SHEET_NAME_MAX]
        if base.casefold() == "history":  # reserved by Excel
            base = f"{base}_"
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def _atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` for a temporary file next to `path`, then move it into place."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_workbook(
    path: Path,
    sheets: Sequence[tuple[str, pd.DataFrame]],
    *,
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
) -> Path:
    """Write `sheets` (name, frame) to an .xlsx workbook at `path`, atomically.

    One header row (`headers` maps column names to what the header shows), frozen, with
    an auto-filter. Numbers stay numbers (`formats` maps a column to an Excel number
    format, e.g. "0.0%"; other floats get "#,##0.0#"), lists and dicts become "; "-joined
    text, every text cell is text (never a formula), column widths fit Chinese text.
    Sheet names are made valid and unique (`sheet_names`).
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headers = headers or {}
    formats = formats or {}
    wb = Workbook()
    wb.remove(wb.active)
    names = sheet_names([name for name, _ in sheets])
    for title, (_, frame) in zip(names, sheets, strict=True):
        ws = wb.create_sheet(title=title)
        columns = [str(c) for c in frame.columns]
        widths = []
        for j, col in enumerate(columns, start=1):
            label = headers.get(col, col)
            cell = ws.cell(row=1, column=j, value=ILLEGAL_CHARACTERS_RE.sub("", label))
            cell.data_type = "s"
            cell.font = Font(bold=True)
            widths.append(display_width(label))
        for i, record in enumerate(frame.itertuples(index=False, name=None), start=2):
            for j, (col, raw) in enumerate(zip(columns, record, strict=True), start=1):
                value = _cell_value(raw)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=i, column=j)
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell.value = value
                    cell.data_type = "s"  # text from partners never becomes a formula
                    lines = value.split("\n")
                    if len(lines) > 1:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    widths[j - 1] = max(widths[j - 1], *(display_width(x) for x in lines))
                else:
                    cell.value = value
                    if isinstance(value, float):
                        cell.number_format = formats.get(col, FLOAT_FORMAT)
                    elif col in formats:
                        cell.number_format = formats[col]
                    shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
                    widths[j - 1] = max(widths[j - 1], len(shown))
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(
                MAX_WIDTH, max(MIN_WIDTH, width + 2)
            )
        ws.freeze_panes = "A2"
        if columns:
            last = get_column_letter(len(columns))
            ws.auto_filter.ref = f"A1:{last}{max(1, len(frame) + 1)}"
    if not names:
        wb.create_sheet(title="Sheet")
    return _atomic_write(Path(path), lambda tmp: wb.save(tmp))


# Markdown -----------------------------------------------------------------------------------

_MD_ESCAPES: Final = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "#": "\\#",
    }
)


def md_escape(text: str) -> str:
    """Text safe inside Markdown: no table breaks (|), no markup, no raw HTML, one line."""
    escaped = str(text).translate(_MD_ESCAPES)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def markdown_table(
    frame: pd.DataFrame,
    *,
    headers: Mapping[str, str] | None = None,
    formatters: Mapping[str, Callable[[Any], str]] | None = None,
) -> str:
    """A Markdown table of `frame`; cells escaped, lists joined with "; "."""
    headers = headers or {}
    formatters = formatters or {}
    columns = [str(c) for c in frame.columns]
    lines = [
        "| " + " | ".join(md_escape(headers.get(c, c)) for c in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for col, raw in zip(columns, record, strict=True):
            value = _cell_value(raw)
            if value is None:
                text = ""
            elif col in formatters:
                text = formatters[col](raw)
            else:
                text = cell_text(value)
            cells.append(md_escape(text))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_markdown(path: Path, text: str) -> Path:
    """Write a Markdown document (UTF-8, trailing newline) to `path`, atomically."""
    body = text if text.endswith("\n") else text + "\n"
    return _atomic_write(Path(path), lambda tmp: tmp.write_text(body, encoding="utf-8"))
