"""Hidden sheets and sheets that repeat another: every box counted once, and said so.

A partner's workbook often keeps a hidden copy of the detail (备份) or a sheet pasted
twice; counting both doubles every figure. Counts below are worked out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from tests.fixtures_build import load, sheet
from uplift.cli import app

HEADER = ["医院", "科室", "医生", "产品", "数量", "月份"]
DETAIL = [
    HEADER,
    ["华西医院", "心内科", "李娜", "心脉宁注射液", 1000, "2026-09"],
    ["华西医院", "心内科", "王强", "心脉宁注射液", 1026, "2026-09"],
]  # 2,026 boxes


def _workbook(path: Path, sheets: list[tuple[str, list[list[object]], str]]) -> Path:
    """Sheets as (name, rows, state), state "visible", "hidden" or "veryHidden"."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, state in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.save(path)
    return path


def _boxes(result) -> float:
    return float(result.sales["boxes"].sum())


def test_hidden_copy_of_the_detail_is_counted_once(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("用药明细", DETAIL, "visible"), ("备份", DETAIL, "hidden")],
    )
    result = load(path)
    assert _boxes(result) == 2026.0  # not 4,052
    assert len(result.sales) == 2
    copy = sheet(result, "备份")
    assert copy.hidden == "hidden"
    assert copy.kept == 0
    assert copy.skipped['repeat of sheet "用药明细"'] == 2
    assert copy.boxes_ours + copy.boxes_other == 0.0
    assert "repeats sheet" in copy.note
    assert any('"备份" repeats sheet "用药明细"' in n for n in result.notes)
    assert sheet(result, "用药明细").hidden == ""
    assert sheet(result, "用药明细").kept == 2


def test_the_visible_sheet_is_kept_when_the_hidden_copy_comes_first(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("备份", DETAIL, "hidden"), ("用药明细", DETAIL, "visible")],
    )
    result = load(path)
    assert _boxes(result) == 2026.0
    assert set(result.sales["sheet"]) == {"用药明细"}
    assert sheet(result, "备份").skipped['repeat of sheet "用药明细"'] == 2


def test_two_visible_copies_in_another_row_order_count_once(tmp_path: Path) -> None:
    reordered = [HEADER, DETAIL[2], DETAIL[1]]
    titled = [["康源医药 终端使用明细"], *reordered]  # a title row moves every row down one
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("明细", DETAIL, "visible"), ("明细 (2)", titled, "visible")],
    )
    result = load(path)
    assert _boxes(result) == 2026.0
    assert sheet(result, "明细 (2)").skipped['repeat of sheet "明细"'] == 2
    assert sheet(result, "明细").kept == 2


def test_very_hidden_sheets_are_named_as_hidden(tmp_path: Path) -> None:
    old = [HEADER, ["华西医院", "心内科", "李娜", "心脉宁注射液", 7, "2026-08"]]
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("用药明细", DETAIL, "visible"), ("旧数据", old, "veryHidden")],
    )
    result = load(path)
    assert sheet(result, "旧数据").hidden == "veryHidden"
    # not a repeat: its row is counted, and the user is warned that a hidden sheet counts
    assert _boxes(result) == 2033.0
    assert any('sheet "旧数据" is hidden' in w and "1 row(s)" in w for w in result.warnings)


def test_a_hidden_sheet_named_with_sheet_is_read_without_a_warning(tmp_path: Path) -> None:
    old = [HEADER, ["华西医院", "心内科", "李娜", "心脉宁注射液", 7, "2026-08"]]
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("用药明细", DETAIL, "visible"), ("旧数据", old, "hidden")],
    )
    result = load(path, sheets=["旧数据"])
    assert _boxes(result) == 7.0
    assert not any("hidden" in w for w in result.warnings)


def test_part_of_a_sheet_is_no_repeat(tmp_path: Path) -> None:
    # the hidden sheet holds one of the two rows: not a copy of the sheet, both count
    part = [HEADER, DETAIL[1]]
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("用药明细", DETAIL, "visible"), ("备份", part, "hidden")],
    )
    result = load(path)
    assert _boxes(result) == 3026.0
    assert sheet(result, "备份").kept == 1
    assert any('sheet "备份" is hidden' in w for w in result.warnings)


def test_same_rows_in_two_month_sheets_are_two_months(tmp_path: Path) -> None:
    # a sheet per month with the same figures: the month (from the sheet name) differs
    rows = [r[:5] for r in DETAIL]
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("2026年8月", rows, "visible"), ("2026年9月", rows, "visible")],
    )
    result = load(path)
    assert _boxes(result) == 4052.0
    assert sorted(result.sales["month"].unique()) == ["2026-08", "2026-09"]
    assert not any("repeat" in k for s in result.sheets for k in s.skipped)


def test_check_lists_hidden_sheets_and_the_repeat(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "康源医药.xlsx",
        [("用药明细", DETAIL, "visible"), ("备份", DETAIL, "hidden")],
    )
    out = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    doc = json.loads(out.output[out.output.index("{") :])
    by_name = {s["sheet"]: s for s in doc["sheets"]}
    assert by_name["备份"]["hidden"] is True
    assert by_name["用药明细"]["hidden"] is False
    assert sum(s["kept"] for s in doc["sheets"]) == 2
    assert by_name["备份"]["skipped"] == {"header row": 1, 'repeat of sheet "用药明细"': 2}
    table = CliRunner().invoke(app, ["check", str(path)], env={"COLUMNS": "200"})
    assert "备份 (hidden)" in table.output
    assert 'sheet "备份" repeats sheet "用药明细" row for row (2 rows); counted once' in (
        table.output
    )
