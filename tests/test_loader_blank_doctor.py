"""A doctor's cell merged down is not silently lost: the load warns with the rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from uplift.config import Settings
from uplift.sheets.loading import load_files


def test_rows_without_a_doctor_among_named_ones_are_warned(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["医院名称", "医生", "品名", "数量", "月份"])
    ws.append(["华西医院", "王伟", "心脉宁片", 10, "2026-09"])
    ws.append(["华西医院", None, "心脉宁片", 20, "2026-09"])  # merged with the row above
    ws.append(["华西医院", "李娜", "心脉宁片", 30, "2026-09"])
    ws.merge_cells("B2:B3")
    wb.save(tmp_path / "康源医药.xlsx")
    result = load_files([tmp_path / "康源医药.xlsx"], settings=Settings())
    # the row is kept (its boxes count for the hospital) and the user is told
    assert result.sales["boxes"].sum() == 60
    assert result.warnings == [
        '康源医药.xlsx, sheet "Sheet": 1 row(s) have no doctor while other rows name one '
        "(rows 3); if the doctor's cell is merged down, unmerge it and fill it in"
    ]


def test_a_hospital_level_sheet_is_not_warned(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["医院名称", "品名", "数量", "月份"])
    ws.append(["华西医院", "心脉宁片", 10, "2026-09"])
    wb.save(tmp_path / "a.xlsx")
    assert load_files([tmp_path / "a.xlsx"], settings=Settings()).warnings == []
