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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from uplift.errors import UsageError
from uplift.output.render import BOX_DECIMALS, RATIO_DECIMALS, round_half_up

if TYPE_CHECKING:
    import pandas as pd

LIST_SEPARATOR: Final = "; "
SHEET_NAME_MAX: Final = 31
_SHEET_FORBIDDEN: Final = str.maketrans({c: "_" for c in "[]:*?/\\"})
MIN_WIDTH: Final = 6
MAX_WIDTH: Final = 60
FLOAT_FORMAT: Final = "#,##0.00"
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
    folder = check_writable(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_error(path, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def check_writable(path: Path) -> Path:
    """The folder `path` will be written in; a UsageError when there is none, before any
    figure is computed."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"{path}: cannot write it, {folder} {what}", hint="create it first")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name such as {path / 'report.xlsx'}")
    return folder


def _write_error(path: Path, exc: OSError) -> UsageError:
    """A file that cannot be written, in one line with what to do."""
    import errno

    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some disk space, or write it to another disk with --out",
        errno.EACCES: "write it to a folder you may write to, with --out",
        errno.EPERM: "write it to a folder you may write to, with --out",
        errno.EROFS: "the disk is read-only: write it elsewhere with --out",
    }.get(exc.errno or 0, "")
    return UsageError(f"{path}: cannot write it ({reason})", hint=hint)


@dataclass(frozen=True)
class Block:
    """One table on a sheet: an optional bold title line, a header row, then the rows.

    `headers` maps column names to what the header shows; `formats` maps a column to an
    Excel number format ("#,##0", "0.0%"); `row_formats` gives, per row, the format of
    its numbers in columns without one (a table of figures of different kinds);
    `tier_column` is coloured by tier label (A, B, C, D ...) with conditional formatting;
    `key` names the block for the charts that plot it.
    """

    frame: pd.DataFrame
    title: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    row_formats: Sequence[str | None] = ()
    tier_column: str = ""
    tier_labels: Sequence[str] = ("A", "B", "C", "D")
    key: str = ""


@dataclass(frozen=True)
class Chart:
    """A native Excel chart of one block: `series` columns against the `categories` column.

    kind: "line" (a line per series), "bar" (vertical bars) or "stacked" (horizontal bars
    stacked to 100%, for shares).
    """

    kind: str
    block: str
    categories: str
    series: Sequence[str]
    title: str = ""
    x_title: str = ""
    y_title: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """A sheet: heading lines, then its blocks one under another, and charts on the right.

    With `table=True` the header row of the first block is frozen and auto-filtered.
    """

    name: str
    blocks: Sequence[Block]
    charts: Sequence[Chart] = ()
    heading: Sequence[str] = ()
    table: bool = True


@dataclass(frozen=True)
class _Placed:
    """Where a block landed: its header row and its columns (1-based)."""

    header_row: int
    columns: list[str]
    rows: int

    def column_index(self, name: str) -> int:
        return self.columns.index(name) + 1


CHART_KINDS: Final = ("line", "bar", "stacked")
CHART_WIDTH_CM: Final = 18.0
CHART_HEIGHT_CM: Final = 9.0
CHART_ROWS: Final = 20  # rows between the tops of two charts placed one under another
# Tier fills, top tier first: strong to pale; further tiers share the last one.
TIER_FILLS: Final = ("63BE7B", "C6EFCE", "FFEB9C", "F2F2F2")


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
    specs = [
        SheetSpec(name, [Block(frame, headers=headers or {}, formats=formats or {})])
        for name, frame in sheets
    ]
    return write_sheets(path, specs)


def write_sheets(path: Path, sheets: Sequence[SheetSpec]) -> Path:
    """Write sheets of blocks and charts to an .xlsx workbook at `path`, atomically.

    Every text cell is written as text, never as a formula (partner text such as
    `=HYPERLINK(...)` stays what was typed); numbers stay numbers with the blocks' number
    formats; column widths fit Chinese text; sheet names are made valid and unique.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    names = sheet_names([spec.name for spec in sheets])
    for title, spec in zip(names, sheets, strict=True):
        _write_sheet(wb.create_sheet(title=title), spec)
    if not names:
        wb.create_sheet(title="Sheet")
    return _atomic_write(Path(path), lambda tmp: wb.save(tmp))


def _text_cell(ws: Any, row: int, column: int, text: str) -> Any:
    """A cell holding `text` as text: never read as a formula, illegal characters dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = ws.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"  # text from partners never becomes a formula
    return cell


def _write_sheet(ws: Any, spec: SheetSpec) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    row = 1
    for i, line in enumerate(spec.heading):
        cell = _text_cell(ws, row, 1, line)
        cell.font = Font(bold=True, size=14) if i == 0 else Font(italic=True)
        row += 1
    if spec.heading:
        row += 1
    placed: dict[str, _Placed] = {}
    first: _Placed | None = None
    for block in spec.blocks:
        where = _write_block(ws, block, row, widths)
        first = first or where
        if block.key:
            placed[block.key] = where
        row = where.header_row + where.rows + 2
    for j, width in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    if spec.table and first is not None:
        ws.freeze_panes = f"A{first.header_row + 1}"
        if first.columns:
            last = get_column_letter(len(first.columns))
            end = first.header_row + max(first.rows, 0)
            ws.auto_filter.ref = f"A{first.header_row}:{last}{max(end, first.header_row)}"
    widest = max((len(b.frame.columns) for b in spec.blocks), default=0)
    anchor_column = get_column_letter(widest + 2)
    shown = 0
    for chart in spec.charts:
        made = _make_chart(ws, chart, placed)
        if made is None:
            continue
        ws.add_chart(made, f"{anchor_column}{1 + shown * CHART_ROWS}")
        shown += 1


def _write_block(ws: Any, block: Block, top: int, widths: dict[int, int]) -> _Placed:
    """Write `block` from row `top`; widen `widths` (column -> display width) to fit it."""
    from openpyxl.styles import Alignment, Font

    frame = block.frame
    columns = [str(c) for c in frame.columns]
    row = top
    if block.title:
        _text_cell(ws, row, 1, block.title).font = Font(bold=True)
        row += 1
    header_row = row
    for j, col in enumerate(columns, start=1):
        label = str(block.headers.get(col, col))
        _text_cell(ws, header_row, j, label).font = Font(bold=True)
        widths[j] = max(widths.get(j, 0), display_width(label))
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        r = header_row + 1 + i
        row_format = block.row_formats[i] if i < len(block.row_formats) else None
        for j, (col, raw) in enumerate(zip(columns, record, strict=True), start=1):
            value = _cell_value(raw)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                cell = _text_cell(ws, r, j, value)
                lines = str(cell.value).split("\n")
                if len(lines) > 1:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[j] = max(widths.get(j, 0), *(display_width(x) for x in lines))
                continue
            cell = ws.cell(row=r, column=j)
            number_format = block.formats.get(col) or row_format
            if isinstance(value, float):  # rounded once, to the precision the cell shows
                ratio = "%" in (number_format or "")
                value = round_half_up(value, RATIO_DECIMALS if ratio else BOX_DECIMALS)
            cell.value = value
            if number_format and not isinstance(value, bool):
                cell.number_format = number_format
            elif isinstance(value, float):
                cell.number_format = FLOAT_FORMAT
            if isinstance(value, float) and "%" in (number_format or ""):
                shown = f"{value * 100:,.2f}%"
            else:
                shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
            widths[j] = max(widths.get(j, 0), len(shown))
    placed = _Placed(header_row=header_row, columns=columns, rows=len(frame))
    if block.tier_column and block.tier_column in columns and len(frame):
        _colour_tiers(ws, block, placed)
    return placed


def _colour_tiers(ws: Any, block: Block, placed: _Placed) -> None:
    """Conditional fills on the tier column: one rule per tier label, top tier strongest."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(placed.column_index(block.tier_column))
    cells = f"{letter}{placed.header_row + 1}:{letter}{placed.header_row + placed.rows}"
    for i, label in enumerate(block.tier_labels):
        if not str(label).isalnum():  # labels go into a rule formula: letters and digits only
            raise ValueError(f"tier label {label!r} is not letters or digits")
        colour = TIER_FILLS[min(i, len(TIER_FILLS) - 1)]
        fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
        ws.conditional_formatting.add(
            cells, CellIsRule(operator="equal", formula=[f'"{label}"'], fill=fill)
        )


def _make_chart(ws: Any, spec: Chart, placed: Mapping[str, _Placed]) -> Any:
    """The openpyxl chart for `spec`, its data referenced in place; None without data."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.data_source import AxDataSource, NumRef, StrRef

    if spec.kind not in CHART_KINDS:
        raise ValueError(f"chart kind must be one of {', '.join(CHART_KINDS)}, got {spec.kind!r}")
    where = placed.get(spec.block)
    series = [s for s in spec.series if where is not None and s in where.columns]
    if where is None or where.rows == 0 or not series:
        return None
    first, last = where.header_row + 1, where.header_row + where.rows
    chart: Any
    if spec.kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "col" if spec.kind == "bar" else "bar"
        if spec.kind == "stacked":
            chart.grouping = "percentStacked"
            chart.overlap = 100
            chart.y_axis.number_format = "0%"
    for name in series:
        column = where.column_index(name)
        values = Reference(ws, min_col=column, min_row=where.header_row, max_row=last)
        chart.add_data(values, titles_from_data=True)
    column = where.column_index(spec.categories)
    labels = Reference(ws, min_col=column, min_row=first, max_row=last)
    texts = all(
        isinstance(ws.cell(row=r, column=column).value, str) for r in range(first, last + 1)
    )
    for series_ in chart.series:
        # text categories (months, hospitals) as text references, so Excel shows the text
        series_.cat = (
            AxDataSource(strRef=StrRef(f=str(labels)))
            if texts
            else AxDataSource(numRef=NumRef(f=str(labels)))
        )
    chart.title = spec.title or None
    chart.x_axis.title = spec.x_title or None
    chart.y_axis.title = spec.y_title or None
    # recent openpyxl hides axes unless told otherwise
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if len(series) == 1 and spec.kind == "bar":
        chart.legend = None
    chart.width = CHART_WIDTH_CM
    chart.height = CHART_HEIGHT_CM
    return chart


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
