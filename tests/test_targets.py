"""Targets sheet reading and target completion, forecast, YTD, YoY and reasons, by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from uplift.analysis.targets import (
    parse_target_period,
    read_targets,
    target_completion,
    unknown_targets,
)
from uplift.config import Settings
from uplift.errors import InputProblem, UnreadableFile, UsageError
from uplift.output.views.targets import TARGET_KEYS, TARGETS_JSON_KEYS, UNKNOWN_KEYS, show_targets
from uplift.sheets.columns import conform

OURS, OURS2, RIVAL = "心脉宁片", "脑安胶囊", "氯吡格雷片"
SETTINGS = Settings(ours=frozenset({OURS, OURS2}), hospital_aliases={"市第一医院": "市一院"})
A, B = "甲", "乙"
H1, H2 = "市一院", "县医院"


def sales_frame(records: list[tuple]) -> pd.DataFrame:
    """Canonical sales rows from (partner, month, hospital, prescriber, product, boxes)."""
    cols = ["partner", "month", "hospital", "prescriber", "product", "boxes"]
    df = pd.DataFrame(records, columns=cols)
    df["department"] = "心内科"
    df["quantity"] = df["boxes"]
    df["unit"] = "盒"
    df["spec"] = ""
    df["source_file"] = "sales.xlsx"
    df["sheet"] = "Sheet1"
    df["row"] = range(2, len(df) + 2)
    return conform(df)


SALES = sales_frame(
    [
        (A, "2025-04", H1, "王伟", OURS, 50),
        (A, "2025-05", H1, "王伟", OURS, 20),
        (A, "2026-01", H1, "王伟", OURS, 30),
        (A, "2026-01", H1, "李娜", OURS, 20),
        (A, "2026-02", H1, "王伟", OURS, 30),
        (A, "2026-02", H1, "李娜", OURS, 20),
        (A, "2026-03", H1, "王伟", OURS, 40),
        (A, "2026-03", H1, "李娜", OURS, 20),
        (A, "2026-04", H1, "王伟", OURS, 45),
        (A, "2026-04", H1, "王伟", OURS2, 10),
        (B, "2026-04", H2, "孙强", OURS, 30),
        (A, "2026-05", H1, "王伟", OURS, 40),
        (A, "2026-05", H1, "王伟", RIVAL, 99),
        (B, "2026-05", H2, "孙强", OURS, 40),
    ]
)


def write_targets(path: Path) -> Path:
    """A title row above the header, a merged partner cell, a quarter, an unknown hospital."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Q2指标"
    ws["A1"] = "2026年第二季度指标"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["代理商", "医院名称", "品名", "期间", "目标(盒)"])
    ws.append(["甲", "市第一医院", None, "2026年3月", 70])  # row 4; an alias of 市一院
    ws.append([None, "市一院", None, "2026年第2季度", "180"])  # row 5; partner merged above
    ws.merge_cells("A4:A5")
    ws.append(["甲", "市一院", "脑安胶囊", "2026-04", "20盒"])  # row 6
    ws.append(["乙", "县医院", None, 202605, 40])  # row 7
    ws.append(["乙", "县人民医院", None, "2026-05", 25])  # row 8: not in the data
    ws.append(["合计", None, None, None, 335])  # row 9
    wb.save(path)
    return path


def test_read_targets(tmp_path: Path) -> None:
    targets = read_targets(write_targets(tmp_path / "targets.xlsx"), settings=SETTINGS)
    expected = pd.DataFrame(
        {
            "partner": [A, A, A, B, B],
            "hospital": [H1, H1, H1, H2, "县人民医院"],
            "product": ["", "", OURS2, "", ""],
            "period": ["2026-03", "2026Q2", "2026-04", "2026-05", "2026-05"],
            "months": [
                ["2026-03"],
                ["2026-04", "2026-05", "2026-06"],
                ["2026-04"],
                ["2026-05"],
                ["2026-05"],
            ],
            "target": [70.0, 180.0, 20.0, 40.0, 25.0],
            "source_file": "targets.xlsx",
            "sheet": "Q2指标",
            "row": [4, 5, 6, 7, 8],
        }
    )
    for col in ("partner", "hospital", "product", "period", "source_file", "sheet"):
        expected[col] = expected[col].astype("str")
    assert_frame_equal(targets, expected)


@pytest.mark.parametrize(
    ("text", "label", "months"),
    [
        ("2026-04", "2026-04", ["2026-04"]),
        ("2026年4月", "2026-04", ["2026-04"]),
        ("202604", "2026-04", ["2026-04"]),
        ("202604.0", "2026-04", ["2026-04"]),
        ("2026/4", "2026-04", ["2026-04"]),
        ("2026-04-01 00:00:00", "2026-04", ["2026-04"]),
        ("2026Q3", "2026Q3", ["2026-07", "2026-08", "2026-09"]),
        ("2026 q4", "2026Q4", ["2026-10", "2026-11", "2026-12"]),
        ("Q1 2027", "2027Q1", ["2027-01", "2027-02", "2027-03"]),
        ("2026年第3季度", "2026Q3", ["2026-07", "2026-08", "2026-09"]),
        ("２０２６年３季度", "2026Q3", ["2026-07", "2026-08", "2026-09"]),
    ],
)
def test_parse_target_period(text: str, label: str, months: list[str]) -> None:
    assert parse_target_period(text) == (label, months)


@pytest.mark.parametrize("text", ["", "2026", "2026-13", "2026Q5", "下个月", "12"])
def test_parse_target_period_rejects(text: str) -> None:
    assert parse_target_period(text) is None


def test_bad_target_names_file_sheet_row_and_column(tmp_path: Path) -> None:
    path = write_targets(tmp_path / "targets.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Q2指标"]["E7"] = "n/a"
    wb["Q2指标"]["D8"] = "next month"
    wb.save(path)
    with pytest.raises(InputProblem) as caught:
        read_targets(path, settings=SETTINGS)
    problem = caught.value.problem
    assert (problem.file, problem.sheet, problem.row, problem.column) == (
        "targets.xlsx",
        "Q2指标",
        7,
        "目标(盒)",
    )
    assert str(caught.value) == (
        'targets.xlsx, sheet "Q2指标", row 7, column "目标(盒)": '
        "expected a number of boxes (0 or more), got 'n/a'"
    )
    assert caught.value.hint == "... and 1 more problem(s)"


def test_overlapping_targets_are_refused(tmp_path: Path) -> None:
    path = write_targets(tmp_path / "targets.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Q2指标"].append(["甲", "市一院", None, "2026-05", 60])  # inside the 2026Q2 of row 5
    wb.save(path)
    with pytest.raises(InputProblem, match=r"row 10, column \"期间\": a second target for 2026-05"):
        read_targets(path, settings=SETTINGS)


def test_no_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["说明", "这里没有目标"])
    wb.save(path)
    with pytest.raises(InputProblem, match="no header with a period and a target"):
        read_targets(path, settings=SETTINGS)


def test_csv_in_gbk_with_english_header(tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    text = 'Targets 2026\nHospital,Month,Target\n县医院,2026年5月,"1,200"\n小计,,1200\n'
    path.write_bytes(text.encode("gbk"))
    targets = read_targets(path, settings=SETTINGS)
    assert targets[["partner", "hospital", "period", "target", "sheet", "row"]].to_dict(
        "records"
    ) == [
        {
            "partner": "",
            "hospital": "县医院",
            "period": "2026-05",
            "target": 1200.0,
            "sheet": "",
            "row": 3,
        }
    ]


# Completion ------------------------------------------------------------------------------


def nan_to_none(record: dict) -> dict:
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in record.items()}


def test_target_completion_by_hand(tmp_path: Path) -> None:
    targets = read_targets(write_targets(tmp_path / "targets.xlsx"), settings=SETTINGS)
    result = target_completion(SALES, targets, settings=SETTINGS)  # as of 2026-05
    figures = [
        "actual",
        "completion",
        "forecast",
        "shortfall",
        "status",
        "months_elapsed",
        "ytd_actual",
        "ytd_target",
        "last_year",
        "yoy_growth",
        "unknown",
        "reasons",
    ]
    got = [nan_to_none(r) for r in result[figures].to_dict("records")]
    # row 4: 甲/市一院 2026-03, target 70: 王伟 40 + 李娜 20 = 60 (6/7 = 0.857143).
    #   YTD: only 2026-03 has a target this year -> 60 of 70. No data for 2025-03.
    #   Bridge 2026-02 -> 2026-03: 王伟 30 -> 40, 李娜 20 -> 20: nothing fell.
    assert got[0] == {
        "actual": 60.0,
        "completion": 0.857143,
        "forecast": 60.0,
        "shortfall": 10.0,
        "status": "complete",
        "months_elapsed": 1,
        "ytd_actual": 60.0,
        "ytd_target": 70.0,
        "last_year": None,
        "yoy_growth": None,
        "unknown": "",
        "reasons": [],
    }
    # row 5: 甲/市一院 2026Q2, target 180, 2 of 3 months elapsed:
    #   actual = April (45 + 10 脑安胶囊) + May 40 = 95; forecast 95 / 2 x 3 = 142.5;
    #   shortfall 180 - 142.5 = 37.5. YTD months with a target: March 70, April 60,
    #   May 60 -> target 190, actual 60 + 55 + 40 = 155. Last year April+May 50 + 20 = 70,
    #   yoy 95 / 70 - 1 = 0.357143.
    #   Bridge Feb-Mar -> Apr-May (monthly averages): 市一院 55 -> 47.5 declined 7.5;
    #   王伟 35 -> 47.5 grown; 李娜 20 -> 0 lost (甲 did report).
    assert got[1] == {
        "actual": 95.0,
        "completion": 0.527778,
        "forecast": 142.5,
        "shortfall": 37.5,
        "status": "in_progress",
        "months_elapsed": 2,
        "ytd_actual": 155.0,
        "ytd_target": 190.0,
        "last_year": 70.0,
        "yoy_growth": 0.357143,
        "unknown": "",
        "reasons": ["prescriber 李娜 (市一院): lost -20.0", "hospital 市一院: declined -7.5"],
    }
    # row 6: 脑安胶囊 only, 2026-04: 10 of 20; none of it a year before (0 -> no yoy)
    assert got[2] | {"reasons": None} == {
        "actual": 10.0,
        "completion": 0.5,
        "forecast": 10.0,
        "shortfall": 10.0,
        "status": "complete",
        "months_elapsed": 1,
        "ytd_actual": 10.0,
        "ytd_target": 20.0,
        "last_year": 0.0,
        "yoy_growth": None,
        "unknown": "",
        "reasons": None,
    }
    assert got[2]["reasons"] == []  # 王伟 0 -> 10 in 2026-04: nothing fell
    # row 7: 乙/县医院 2026-05 = 40 of 40
    assert (got[3]["actual"], got[3]["completion"], got[3]["shortfall"]) == (40.0, 1.0, 0.0)
    # row 8: a hospital the data does not know: kept, with actual 0 and flagged
    assert (got[4]["actual"], got[4]["shortfall"], got[4]["unknown"]) == (0.0, 25.0, "hospital")
    assert result["hospital"].tolist() == [H1, H1, H1, H2, "县人民医院"]
    assert result["row"].tolist() == [4, 5, 6, 7, 8]


def test_forecast_as_of_an_earlier_month(tmp_path: Path) -> None:
    targets = read_targets(write_targets(tmp_path / "targets.xlsx"), settings=SETTINGS)
    result = target_completion(SALES, targets, settings=SETTINGS, as_of="2026-04")
    quarter = result.iloc[1]
    # April only: 55 boxes, forecast 55 / 1 x 3 = 165, shortfall 15
    assert (quarter["actual"], quarter["forecast"], quarter["shortfall"]) == (55.0, 165.0, 15.0)
    not_yet = result.iloc[3]  # 乙/县医院 2026-05 has not started on 2026-04
    assert not_yet["status"] == "not_started"
    assert math.isnan(not_yet["completion"]) and math.isnan(not_yet["forecast"])
    with pytest.raises(UsageError):
        target_completion(SALES, targets, settings=SETTINGS, as_of="2026Q2")


def test_unknown_targets(tmp_path: Path) -> None:
    targets = read_targets(write_targets(tmp_path / "targets.xlsx"), settings=SETTINGS)
    unknown = unknown_targets(SALES, targets, settings=SETTINGS)
    assert unknown.to_dict("records") == [
        {
            "kind": "hospital",
            "name": "县人民医院",
            "rows": [8],
            "source_file": "targets.xlsx",
            "sheet": "Q2指标",
            "suggestion": "县医院",
        }
    ]


def test_show_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that table cells do not wrap
    targets = read_targets(write_targets(tmp_path / "targets.xlsx"), settings=SETTINGS)
    result = target_completion(SALES, targets, settings=SETTINGS)
    unknown = unknown_targets(SALES, targets, settings=SETTINGS)
    show_targets(result, unknown, fmt="json", as_of="2026-05")
    doc = json.loads(capsys.readouterr().out)
    assert tuple(doc) == TARGETS_JSON_KEYS
    assert tuple(doc["targets"][0]) == TARGET_KEYS
    assert tuple(doc["unknown"][0]) == UNKNOWN_KEYS
    show_targets(result, unknown, fmt="csv", as_of="2026-05")
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == ",".join(TARGET_KEYS)
    assert "县人民医院" in captured.err
    show_targets(result, unknown, fmt="table", as_of="2026-05")
    out = capsys.readouterr().out
    assert "Targets as of 2026-05" in out
    assert "not found in the sales data" in out


def test_reasons_name_prescribers_through_a_label(tmp_path: Path) -> None:
    targets = read_targets(write_targets(tmp_path / "targets.xlsx"), settings=SETTINGS)
    result = target_completion(
        SALES, targets, settings=SETTINGS, prescriber_label=lambda hospital, name: "医生-X"
    )
    assert result.loc[1, "reasons"] == [
        "prescriber 医生-X (市一院): lost -20.0",
        "hospital 市一院: declined -7.5",
    ]


def targets_frame(records: list[tuple]) -> pd.DataFrame:
    """Targets as read_targets returns them, from (partner, hospital, period, target)."""
    rows = []
    for n, (partner, hospital, period, target) in enumerate(records, start=2):
        label, months = parse_target_period(period) or ("", [])
        rows.append((partner, hospital, "", label, months, float(target), "t.xlsx", "", n))
    columns = ["partner", "hospital", "product", "period", "months", "target"]
    return pd.DataFrame(rows, columns=[*columns, "source_file", "sheet", "row"])


def test_reasons_for_partner_wide_and_hospital_wide_targets() -> None:
    targets = targets_frame([(A, "", "2026Q2", 500), ("", H1, "2026-05", 100)])
    result = target_completion(SALES, targets, settings=SETTINGS)
    # 甲 over Apr-May against Feb-Mar, as for its 市一院 target above
    assert result.loc[0, "reasons"] == [
        "prescriber 李娜 (市一院): lost -20.0",
        "hospital 市一院: declined -7.5",
    ]
    # 市一院, every partner, 2026-05 against 2026-04: 55 -> 40, all of it 王伟
    assert result.loc[1, "reasons"] == [
        "hospital 市一院: declined -15.0",
        "prescriber 王伟 (市一院): declined -15.0",
    ]
    limited = target_completion(SALES, targets, settings=SETTINGS, reasons_limit=1)
    assert limited.loc[0, "reasons"] == [
        "prescriber 李娜 (市一院): lost -20.0",
        "... and 1 more (-7.5 boxes)",
    ]


def test_a_sheet_without_target_lines_gives_an_empty_result(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Hospital", "Month", "Target"])
    wb.save(path)
    targets = read_targets(path, settings=SETTINGS)
    assert targets.empty
    assert target_completion(SALES, targets, settings=SETTINGS).empty
    assert unknown_targets(SALES, targets, settings=SETTINGS).empty


def test_missing_or_broken_targets_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="targets file not found"):
        read_targets(tmp_path / "nope.xlsx", settings=SETTINGS)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(
        UnreadableFile, match=r"broken.xlsx: not an Excel workbook \(it is plain text\)"
    ):
        read_targets(broken, settings=SETTINGS)
