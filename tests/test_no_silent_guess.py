"""No figure is invented, moved or dropped without a word: blank cells, huge numbers,
summaries under --top and a report over a month with no data. Every count by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from tests.fixtures_build import write_csv
from uplift.analysis.targets import read_targets
from uplift.cli import app
from uplift.config import Settings
from uplift.errors import UsageError
from uplift.sheets.distinct import block_layout

HEADER = ["月份", "医院", "科室", "医生", "产品", "数量"]


def _settings(tmp_path: Path) -> Path:
    path = tmp_path / "uplift.toml"
    path.write_text('ours = ["心脉宁片"]\n', encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(app, list(args))
    return out.exit_code, out.output


def _check(path: Path, config: Path) -> tuple[int, dict]:
    code, text = _run("check", str(path), "--config", str(config), "-f", "json")
    return code, json.loads(text[text.index("{") :])


# Blank cells: filled only where the column is laid out in blocks -------------------------


def test_block_layout_rule() -> None:
    # written once per block: blanks continue the value above
    assert block_layout(np.array([0, -1, -1, 1, -1, 2]))
    # written out row by row with one hole: the hole is not the name above
    assert not block_layout(np.array([0, 0, 0, -1, 1, 1]))
    # the same hospital written again under another partner starts a new block
    assert block_layout(np.array([0, 0, 0, -1]), within=np.array([5, 6, 5, 5]))
    assert not block_layout(np.array([0, 1, 2]))  # nothing blank: nothing to fill


def test_a_hole_in_a_written_out_hospital_column_is_rejected(tmp_path: Path) -> None:
    """华西协和医院 is written on every row; 李娜's row (500 boxes) has no hospital, and
    one row has neither hospital nor department. Neither lands in the hospital above."""
    rows = [
        HEADER,
        ["2026-09", "华西协和医院", "心内科", "王伟", "心脉宁片", 100],
        ["2026-09", "华西协和医院", "心内科", "张敏", "心脉宁片", 200],
        ["2026-09", "华西协和医院", "神经内科", "刘洋", "心脉宁片", 300],
        ["2026-09", None, "心内科", "李娜", "心脉宁片", 500],
        ["2026-09", "省人民医院", "心内科", "陈静", "心脉宁片", 40],
        ["2026-09", "省人民医院", "心内科", "赵磊", "心脉宁片", 60],
        ["2026-09", None, None, "孙强", "心脉宁片", 7],
    ]
    config = _settings(tmp_path)
    path = write_csv(tmp_path / "kangyuan.csv", rows)
    code, found = _check(path, config)
    assert code == 1  # rows were rejected
    (sheet,) = found["sheets"]
    assert (sheet["rows_read"], sheet["kept"]) == (8, 5)
    assert sheet["rejected"] == {"hospital is empty": 2}
    assert sheet["boxes_ours"] == 100 + 200 + 300 + 40 + 60
    code, text = _run("tier", str(path), "--config", str(config), "-f", "json")
    boxes = {r["hospital"]: r["boxes"] for r in json.loads(text[text.index("[") :])}
    assert boxes == {"华西协和医院": 600.0, "省人民医院": 100.0}


def test_a_hospital_written_once_per_block_reaches_its_rows_with_a_note(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["2026-09", "华西协和医院", "心内科", "王伟", "心脉宁片", 100],
        [None, None, None, "张敏", "心脉宁片", 200],
        [None, None, "神经内科", "刘洋", "心脉宁片", 300],
        [None, "省人民医院", "心内科", "陈静", "心脉宁片", 40],
        [None, None, None, "赵磊", "心脉宁片", 60],
    ]
    config = _settings(tmp_path)
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / "kangyuan.xlsx"
    wb.save(path)
    code, found = _check(path, config)
    assert code == 0
    (sheet,) = found["sheets"]
    assert (sheet["kept"], sheet["rejected"]) == (5, {})
    assert "hospital: 3 blank 医院 cell(s) take the hospital above them" in sheet["note"]
    assert "department: 2 blank 科室 cell(s)" in sheet["note"]
    assert "month: 4 blank 月份 cell(s)" in sheet["note"]
    code, text = _run("tier", str(path), "--config", str(config), "-f", "json")
    boxes = {r["hospital"]: r["boxes"] for r in json.loads(text[text.index("[") :])}
    assert boxes == {"华西协和医院": 600.0, "省人民医院": 100.0}


def test_a_blank_partner_beside_a_hospital_target_means_every_partner(tmp_path: Path) -> None:
    """Partners written on every row; the last row targets 市一院 with no partner: that is
    the hospital's target across partners, not the partner of the row above."""
    path = tmp_path / "targets.csv"
    write_csv(
        path,
        [
            ["代理商", "医院名称", "期间", "目标"],
            ["甲", "市一院", "2026-05", 100],
            ["甲", "市一院", "2026-06", 100],
            ["乙", "县医院", "2026-05", 50],
            ["乙", "县医院", "2026-06", 50],
            [None, "市一院", "2026-07", 300],
        ],
    )
    got = read_targets(path, settings=Settings())
    assert got["partner"].tolist() == ["甲", "甲", "乙", "乙", ""]


def test_a_partner_merged_over_its_hospitals_reaches_them(tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    write_csv(
        path,
        [
            ["代理商", "医院名称", "期间", "目标"],
            ["甲", "市一院", "2026-05", 100],
            [None, "县医院", "2026-05", 50],
            ["乙", "镇卫生院", "2026-05", 50],
            [None, "市二院", "2026-05", 30],
        ],
    )
    got = read_targets(path, settings=Settings())
    assert got["partner"].tolist() == ["甲", "甲", "乙", "乙"]


# Implausible numbers ---------------------------------------------------------------------


def test_implausible_quantities_are_rejected_with_the_figure(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["2026-09", "医院1", "心内科", "王伟", "心脉宁片", 10],
        ["2026-09", "医院2", "心内科", "李娜", "心脉宁片", "1e28"],
        ["2026-09", "医院3", "心内科", "刘洋", "心脉宁片", "1e31"],
        ["2026-09", "医院3", "心内科", "刘洋", "心脉宁片", 999_999],
    ]
    config = _settings(tmp_path)
    path = write_csv(tmp_path / "kangyuan.csv", rows)
    code, found = _check(path, config)
    assert code == 1
    (sheet,) = found["sheets"]
    assert sheet["rejected"] == {"implausible quantity": 2}
    assert sheet["boxes_ours"] == 1_000_009.0
    assert sheet["rejected_examples"][0] == (
        'kangyuan.csv, sheet "kangyuan", row 3, column "数量": '
        "implausible quantity: 1.0e+28 boxes in one row"
    )
    for command in ("tier", "gaps", "plan", "partners"):
        code, _ = _run(command, str(path), "--config", str(config), "-f", "json")
        assert code == 0, command
    # the bound is a setting
    config.write_text('ours = ["心脉宁片"]\nmax_boxes_per_row = 100\n', encoding="utf-8")
    code, found = _check(path, config)
    assert found["sheets"][0]["rejected"] == {"implausible quantity": 3}


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "true"])
def test_the_bound_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    config = tmp_path / "uplift.toml"
    config.write_text(f"max_boxes_per_row = {value}\n", encoding="utf-8")
    path = write_csv(tmp_path / "k.csv", [HEADER, ["2026-09", "医院1", "", "", "心脉宁片", 1]])
    out = CliRunner().invoke(app, ["tier", str(path), "--config", str(config)])
    assert isinstance(out.exception, UsageError)  # `uplift` prints it on one line, exit 2
    assert out.exception.exit_code == 2
    assert "max_boxes_per_row must be a positive number" in str(out.exception)


# Summaries before cuts -------------------------------------------------------------------


def test_tier_top_keeps_the_summary_of_every_hospital(tmp_path: Path) -> None:
    """Two VIP hospitals (1,500 and 1,000 boxes), one of 250: --top 1 shows one row, but
    the VIP count and the per-tier summary are of all three, and the title says so."""
    rows = [HEADER] + [
        ["2026-09", h, "心内科", "王伟", "心脉宁片", b]
        for h, b in (("甲医院", 1500), ("乙医院", 1000), ("丙医院", 250))
    ]
    config = _settings(tmp_path)
    path = write_csv(tmp_path / "kangyuan.csv", rows)
    code, text = _run("tier", str(path), "--config", str(config), "--top", "1", "--lang", "en")
    assert code == 0, text
    assert "VIP hospitals (>= 1000 boxes/month): 2" in text
    assert "(top 1 of 3)" in text
    assert "all 3, not only the top 1" in " ".join(text.split())
    code, text = _run("tier", str(path), "--config", str(config), "--top", "1", "-f", "json")
    assert [r["hospital"] for r in json.loads(text)] == ["甲医院"]


# A report over a month with no data ------------------------------------------------------


def test_report_works_when_the_month_before_the_last_has_no_data(tmp_path: Path) -> None:
    rows = [HEADER]
    for month in ("2026-07", "2026-09"):
        rows += [[month, "医院1", "心内科", "王伟", "心脉宁片", 300]]
        rows += [[month, "医院1", "心内科", "王伟", "立普妥", 100]]
    config = _settings(tmp_path)
    path = write_csv(tmp_path / "kangyuan.csv", rows)
    out = tmp_path / "report.xlsx"
    code, text = _run(
        "report", str(path), "--config", str(config), "--out", str(out), "--lang", "zh"
    )
    assert code == 0, text
    ws = openpyxl.load_workbook(out).worksheets[0]
    figures = {r[0]: r[1:3] for r in ws.iter_rows(values_only=True) if r[0]}
    assert figures["本月盒数"] == (300, "2026-09")
    assert figures["上月盒数"] == (None, "2026-08：没有数据")
    assert figures["增长比较"] == ("（无）：2026-08 没有数据", None)


# Two quantity columns --------------------------------------------------------------------


def test_two_quantity_columns_are_named_in_check(tmp_path: Path) -> None:
    """数量 (240 and 48 片) beside 盒数 (10 and 2): 盒数 counts, and check says so."""
    rows = [["月份", "医院", "产品", "数量", "盒数"]]
    rows += [["2026-09", "医院1", "心脉宁片", 240, 10], ["2026-09", "医院2", "心脉宁片", 48, 2]]
    config = _settings(tmp_path)
    path = write_csv(tmp_path / "kangyuan.csv", rows)
    code, found = _check(path, config)
    assert code == 0
    (sheet,) = found["sheets"]
    assert sheet["boxes_ours"] == 12.0
    assert sheet["mapping"]["quantity"] == "盒数"
    assert (
        'quantity: 盒数 used (it counts boxes), not 数量; if the figures are in another, set it in [columns]: quantity = "数量"'
        in sheet["note"]
    )
    config.write_text('ours = ["心脉宁片"]\n[columns]\nquantity = "数量"\n', encoding="utf-8")
    _, found = _check(path, config)
    assert found["sheets"][0]["boxes_ours"] == 288.0
    assert "quantity: 数量 used (named in [columns]), not 盒数" in found["sheets"][0]["note"]


# Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", '"2026-02-30" is not a real date (day 30 of 2026-02)'),
        ("2026/2/29", '"2026/2/29" is not a real date (day 29 of 2026-02)'),
        ("2026年4月31日", '"2026年4月31日" is not a real date (day 31 of 2026-04)'),
        ("20260931", '"20260931" is not a real date (day 31 of 2026-09)'),
    ],
)
def test_impossible_dates_are_refused(text: str, reason: str) -> None:
    from uplift.sheets.periods import PeriodError, parse_period

    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert str(caught.value) == reason
    assert parse_period("2024/2/29") == "2024-02"  # a leap day is a day


def test_the_order_of_slashed_dates_is_read_from_the_column() -> None:
    import pandas as pd

    from uplift.sheets.periods import parse_periods

    alone = parse_periods(pd.Series(["03/04/2026", "03/05/2026"]))
    assert alone["month"].tolist() == ["2026-03", "2026-03"]
    assert alone.attrs["note"].startswith("dates such as 03/04/2026 read month first")
    told = parse_periods(pd.Series(["03/04/2026", "25/04/2026"]))  # 25 is a day
    assert told["month"].tolist() == ["2026-04", "2026-04"]
    assert told.attrs["note"] == (
        "dates such as 03/04/2026 read day first, as the column's other dates are"
    )
    us = parse_periods(pd.Series(["03/04/2026", "04/25/2026"]))
    assert us["month"].tolist() == ["2026-03", "2026-04"]
    assert parse_periods(pd.Series(["2026-04-03"])).attrs["note"] == ""


def test_check_names_the_date_reading_and_the_impossible_date(tmp_path: Path) -> None:
    rows = [["日期", "医院", "产品", "数量"]]
    rows += [["03/04/2026", "医院1", "心脉宁片", 10], ["03/05/2026", "医院2", "心脉宁片", 2]]
    rows += [["2026-02-30", "医院3", "心脉宁片", 5]]
    config = _settings(tmp_path)
    code, found = _check(write_csv(tmp_path / "kangyuan.csv", rows), config)
    assert code == 1
    (sheet,) = found["sheets"]
    assert (sheet["kept"], sheet["rejected"]) == (2, {"invalid month": 1})
    assert sheet["months"] == ["2026-03"]
    assert "month: dates such as 03/04/2026 read month first" in sheet["note"]


def test_a_target_across_partners_counts_every_partner_and_says_so(tmp_path: Path) -> None:
    config = _settings(tmp_path)
    sales = tmp_path / "sales.csv"
    write_csv(
        sales,
        [
            ["合作者", "月份", "医院", "科室", "医生", "产品", "数量"],
            ["甲", "2026-07", "市一院", "心内科", "李娜", "心脉宁片", 549],
            ["乙", "2026-07", "市一院", "心内科", "王强", "心脉宁片", 571],
            ["甲", "2026-07", "县医院", "内科", "赵敏", "心脉宁片", 300],
        ],
    )
    targets = tmp_path / "targets.csv"
    write_csv(
        targets,
        [
            ["代理商", "医院名称", "期间", "目标"],
            ["甲", "县医院", "2026-07", 600],
            [None, "市一院", "2026-07", 1200],
        ],
    )
    args = ["targets", str(targets), "--data", str(sales), "--config", str(config)]
    code, text = _run(*args, "-f", "json")
    assert code == 0, text
    rows = json.loads(text[text.index("{") :])["targets"]
    by_partner = {r["partner"]: r for r in rows}
    assert by_partner["甲"]["actual"] == 300.0
    assert by_partner[""]["actual"] == 1120.0  # 549 + 571, both partners
    assert by_partner[""]["completion"] == 0.9333  # 1,120 / 1,200
    code, text = _run(*args)
    assert code == 0, text
    assert "(all partners)" in text


def test_a_merged_partner_cell_reaches_its_rows_an_unmerged_blank_does_not(
    tmp_path: Path,
) -> None:
    """The same two rows, once with A2:A3 merged, once with A3 simply left blank."""
    for merge, partner in ((True, "甲"), (False, "")):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["代理商", "医院名称", "期间", "目标"])
        ws.append(["甲", "县医院", "2026-07", 600])
        ws.append([None, "市一院", "2026-07", 1200])
        if merge:
            ws.merge_cells("A2:A3")
        path = tmp_path / f"targets_{merge}.xlsx"
        wb.save(path)
        got = read_targets(path, settings=Settings())
        assert got["partner"].tolist() == ["甲", partner], merge
