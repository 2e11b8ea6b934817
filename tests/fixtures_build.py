"""Helpers that write fixture workbooks and CSV files in code, and check the accounting.

Every fixture of the loader tests is built here or in the test itself, in tmp_path, so a
reader sees the exact cells next to the counts expected from them.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from uplift.config import Settings, settings_from_dict
from uplift.sheets.loading import LoadResult, load_files

Rows = Sequence[Sequence[Any]]

# The canonical columns a test compares, in the order of the sales table.
ROW_KEYS = ("partner", "month", "hospital", "department", "prescriber", "product", "boxes")

UPLIFT = str(Path(sys.executable).with_name("uplift"))


def write_xlsx(
    path: Path,
    sheets: dict[str, Rows] | Rows,
    *,
    merges: dict[str, Iterable[str]] | None = None,
    epoch_1904: bool = False,
    formats: dict[str, dict[str, str]] | None = None,
) -> Path:
    """A workbook with one sheet per entry (a bare list of rows makes one sheet "Sheet1").

    `merges` maps a sheet to ranges such as "A3:A6"; the cells inside a range other than
    its top-left must be None in `sheets`, as Excel stores them. `formats` maps a sheet
    to {cell: number format}, e.g. {"A2": "yyyy-mm-dd"} to make a serial a date cell.
    """
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    if not isinstance(sheets, dict):
        sheets = {"Sheet1": sheets}
    wb = openpyxl.Workbook()
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
        for cell, fmt in (formats or {}).get(name, {}).items():
            ws[cell].number_format = fmt
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """A legacy BIFF8 .xls workbook (xlwt); None cells stay empty."""
    import datetime as dt

    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                elif value is not None:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_csv(
    path: Path,
    rows: Rows,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    """A CSV file in `encoding` ("utf-8-sig" writes the BOM); None cells are empty."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def settings(**toml: Any) -> Settings:
    """Settings as `uplift.toml` would give them (no file: defaults)."""
    return settings_from_dict(toml) if toml else Settings()


def assert_accounted(result: LoadResult) -> None:
    """The conservation rule: every row read is kept, skipped or rejected, exactly once.

    Also: the kept rows are the sales table's rows, and their boxes its boxes.
    """
    sales_sheets = []
    for s in result.sheets:
        total = s.kept + sum(s.skipped.values()) + sum(s.rejected.values())
        assert s.rows_read == total, (
            f"{s.file} / {s.sheet}: read {s.rows_read} != kept {s.kept} + skipped "
            f"{dict(s.skipped)} + rejected {dict(s.rejected)}"
        )
        assert all(n >= 0 for n in (*s.skipped.values(), *s.rejected.values(), s.kept))
        if s.kind == "sales":
            sales_sheets.append(s)
    assert sum(s.kept for s in sales_sheets) == len(result.sales)
    boxes = sum(s.boxes_ours + s.boxes_other for s in sales_sheets)
    assert abs(boxes - float(result.sales["boxes"].sum())) < 1e-6


def load(paths: Path | list[Path], *, config: Settings | None = None, **options: Any) -> LoadResult:
    """`load_files` with default settings; every result is checked by `assert_accounted`."""
    if isinstance(paths, Path):
        paths = [paths]
    result = load_files(paths, settings=config or Settings(), **options)
    assert_accounted(result)
    return result


def sheet(result: LoadResult, name: str | None = None) -> Any:
    """The one sheet report (or the one named `name`)."""
    found = [s for s in result.sheets if name is None or s.sheet == name]
    assert len(found) == 1, [s.sheet for s in result.sheets]
    return found[0]


def rows(result: LoadResult, keys: Sequence[str] = ROW_KEYS) -> list[tuple[Any, ...]]:
    """The sales table as plain tuples, in load order."""
    return list(result.sales[list(keys)].itertuples(index=False, name=None))


def run_uplift(
    *args: str | Path, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed `uplift` command, as a user would run it (no terminal, fixed width)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("UPLIFT_DEBUG", None)
    return subprocess.run(
        [UPLIFT, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
