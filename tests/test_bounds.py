"""Bounded work: a megabyte name, a cell past XFD or a thousand sheets is refused or
rejected with its reason, quickly, and never printed whole."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

from tests.fixtures_build import load, run_uplift, settings, sheet, write_csv

HEADER = ["月份", "医院", "科室", "医生", "产品", "数量"]


def _long_names(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "康源医药.csv",
        [
            HEADER,
            ["2026-09", "医" * 1_048_576, "心内科", "李娜", "心脉宁片", 5],
            ["2026-09", "华西医院", "心内科", "王" * 300, "心脉宁片", 7],
            ["2026-09", "华西医院", "科" * 201, "李娜", "心脉宁片", 11],
            ["2026-09", "华西医院", "心内科", "李娜", "心" * 200, 3],  # 200: allowed
        ],
    )


def test_names_past_the_limit_are_rejected_with_their_length(tmp_path: Path) -> None:
    result = load(_long_names(tmp_path))
    report = sheet(result)
    assert report.kept == 1
    assert float(result.sales["boxes"].sum()) == 3.0
    assert dict(report.rejected) == {
        "hospital name too long": 1,
        "prescriber name too long": 1,
        "department name too long": 1,
    }
    problems = {p.row: str(p) for p in report.examples}
    assert problems[2].endswith(
        'row 2, column "医院": hospital name too long: 1,048,576 characters (more than 200)'
    )
    assert problems[3].endswith("prescriber name too long: 300 characters (more than 200)")
    assert problems[4].endswith("department name too long: 201 characters (more than 200)")


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    result = load(_long_names(tmp_path), config=settings(max_name_length=400))
    assert dict(sheet(result).rejected) == {"hospital name too long": 1}
    assert float(result.sales["boxes"].sum()) == 21.0  # 7 + 11 + 3


def test_check_never_prints_a_long_cell(tmp_path: Path) -> None:
    path = _long_names(tmp_path)
    proc = run_uplift("check", path)
    assert proc.returncode == 1  # rows were rejected
    lines = (proc.stdout + proc.stderr).splitlines()
    assert max(len(line) for line in lines) < 400
    assert "医" * 100 not in proc.stdout + proc.stderr
    doc = json.loads(run_uplift("check", path, "--format", "json").stdout)
    assert doc["sheets"][0]["rejected"]["hospital name too long"] == 1


def _with_far_cell(tmp_path: Path, ref: str) -> Path:
    """A normal workbook whose one data cell is moved, in the XML, to `ref`."""
    src = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["2026-09", "华西医院", "心内科", "李娜", "心脉宁片", 5])
    ws["C40"] = "x"
    wb.save(src)
    out = tmp_path / f"far_{ref}.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'r="C40"', f'r="{ref}"'.encode())
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            zout.writestr(info, data)
    return out


def test_a_cell_past_the_last_excel_column_is_refused(tmp_path: Path) -> None:
    for ref in ("ZZZZ40", "XFE40", "C1048577"):
        path = _with_far_cell(tmp_path, ref)
        proc = run_uplift("check", path, timeout=30)
        assert proc.returncode == 2, (ref, proc.stderr)
        assert f"a cell at {ref} lies past the last cell Excel can hold" in proc.stderr
        assert "Traceback" not in proc.stderr
    # the last cell Excel holds is fine
    ok = _with_far_cell(tmp_path, "XFD40")
    assert run_uplift("check", ok, timeout=60).returncode == 0


def test_a_thousand_and_one_sheets_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for i in range(1000):
        wb.create_sheet(f"s{i}")
    wb.save(path)
    proc = run_uplift("check", path)
    assert proc.returncode == 2
    assert "refused, 1,001 sheets (uplift reads up to 1,000 in one workbook)" in proc.stderr


def test_bounds_keep_the_samples_whole(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    copy = tmp_path / "kangyuan.xlsx"
    shutil.copy(samples / "kangyuan.xlsx", copy)
    result = load(copy)
    assert result.rows_rejected == 0
