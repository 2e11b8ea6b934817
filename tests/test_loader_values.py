"""Cell values as partners write them: text numbers, returns, names, units, periods."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.fixtures_build import load, rows, sheet, write_xlsx
from uplift.analysis.tiers import tier_entities
from uplift.config import Settings, settings_from_dict
from uplift.sheets.loading import HEADER

HEAD = ["医院", "品名", "数量"]


def test_numbers_stored_as_text_are_parsed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            HEAD,
            ["华西医院", "心脉宁片", "120"],  # 120
            ["华西医院", "心脉宁片", "120盒"],  # 120, the unit written after it
            ["华西医院", "心脉宁片", "1,200"],  # 1200
            ["华西医院", "心脉宁片", "１２０"],  # 120, full-width digits
            ["华西医院", "心脉宁片", " 7 "],  # 7
            ["华西医院", "心脉宁片", 3.5],  # 3.5, a real number cell
            ["华西医院", "心脉宁片", "1,200.5 盒"],  # 1200.5
        ],
    )
    result = load(path)
    assert result.sales["boxes"].tolist() == [120.0, 120.0, 1200.0, 120.0, 7.0, 3.5, 1200.5]
    assert sheet(result).kept == 7
    assert sheet(result).boxes_ours == 2771.0  # 120*3 + 1200 + 7 + 3.5 + 1200.5


def test_non_numeric_quantity_is_rejected_with_file_sheet_row_and_column(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path / "sales.xlsx",
        {
            "2026年9月": [
                ["标题：九月明细"],  # 1
                HEAD,  # 2
                ["华西医院", "心脉宁片", 10],  # 3 kept
                ["华西医院", "心脉宁片", "n/a"],  # 4 rejected
                ["华西医院", "心脉宁片", "约100"],  # 5 rejected
                ["华西医院", "心脉宁片", "1,2"],  # 6 rejected: a comma is never a decimal point
                ["华西医院", "心脉宁片", None],  # 7 rejected: empty
            ]
        },
    )
    result = load(path)
    s = sheet(result)
    assert s.kept == 1
    assert dict(s.rejected) == {"quantity is not a number": 3, "quantity is empty": 1}
    assert [str(p) for p in s.examples] == [
        'sales.xlsx, sheet "2026年9月", row 4, column "数量": quantity is not a number: "n/a"',
        'sales.xlsx, sheet "2026年9月", row 5, column "数量": quantity is not a number: "约100"',
        'sales.xlsx, sheet "2026年9月", row 6, column "数量": quantity is not a number: "1,2"',
        'sales.xlsx, sheet "2026年9月", row 7, column "数量": quantity is empty',
    ]
    assert result.rows_rejected == 4


def test_negative_quantities_are_kept_as_returns(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            HEAD,
            ["华西医院", "心脉宁片", 30],
            ["华西医院", "心脉宁片", -5],
            ["华西医院", "心脉宁片", "-3盒"],
        ],
    )
    result = load(path)
    assert result.sales["boxes"].tolist() == [30.0, -5.0, -3.0]
    assert sheet(result).boxes_ours == 22.0  # 30 - 5 - 3


def test_full_width_characters_and_spaces_in_names(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            ["医院名称", "科室", "医生", "品名", "数量"],
            ["华西医院 ", "心内科", "王　伟", "心脉宁片", 1],  # trailing space; U+3000 in a name
            ["华西医院　", " 心内科", "王伟", "心脉宁片", 2],  # trailing U+3000
            ["华西医院", "心内科", "王 伟", "心脉宁片 ", 3],  # ASCII space in a name
            ["ＡＢＣ医院（本部）", "心内科　一病区", "Ｌｉ  Ｎａ", "心脉宁片", 4],  # full-width
        ],
    )
    result = load(path)
    assert rows(result, ("hospital", "department", "prescriber", "product")) == [
        ("华西医院", "心内科", "王伟", "心脉宁片"),
        ("华西医院", "心内科", "王伟", "心脉宁片"),
        ("华西医院", "心内科", "王伟", "心脉宁片"),
        ("ABC医院(本部)", "心内科 一病区", "Li Na", "心脉宁片"),
    ]
    assert result.sales.groupby("prescriber")["boxes"].sum().to_dict() == {
        "Li Na": 4.0,
        "王伟": 6.0,
    }


def test_hospital_aliases_map_spellings_to_one_name_and_nothing_is_merged_by_guess(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            HEAD,
            ["四川大学华西医院", "心脉宁片", 1],
            ["华西医院 ", "心脉宁片", 2],
            ["省人民医院", "心脉宁片", 3],
            ["省人民医院（东院）", "心脉宁片", 4],
        ],
    )
    # without aliases, close spellings stay apart (likely duplicates are only suggested)
    assert load(path).sales["hospital"].nunique() == 4
    config = settings_from_dict({"hospital_aliases": {"华西医院": "四川大学华西医院"}})
    result = load(path, config=config)
    assert result.sales.groupby("hospital")["boxes"].sum().to_dict() == {
        "四川大学华西医院": 3.0,
        "省人民医院": 3.0,
        "省人民医院(东院)": 4.0,
    }


def test_same_doctor_name_in_two_hospitals_stays_two_prescribers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            ["医院名称", "科室", "医生", "品名", "数量"],
            ["华西医院", "心内科", "张伟", "心脉宁片", 150],
            ["省人民医院", "心内科", "张伟", "心脉宁片", 80],
            ["省人民医院", "心内科", "张　伟", "心脉宁片", 40],  # the same 张伟 of 省人民医院
        ],
    )
    result = load(path)
    tiers = tier_entities(result.sales, settings=Settings(), by="prescriber")
    got = {(r.hospital, r.prescriber): r.boxes for r in tiers.itertuples()}
    assert got == {("华西医院", "张伟"): 150.0, ("省人民医院", "张伟"): 120.0}


def test_quantities_in_units_become_boxes_by_the_pack_spec(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            ["医院", "品名", "规格", "数量", "单位"],  # 1
            ["华西医院", "心脉宁注射液", "10支/盒", 100, "支"],  # 2: 100 / 10 = 10 boxes
            ["华西医院", "心脉宁注射液", "2ml:4mg*5支/盒", 50, "支"],  # 3: 50 / 5 = 10
            ["华西医院", "心脉宁片", "5mg*14片/盒", 140, "片"],  # 4: 140 / 14 = 10
            ["华西医院", "心脉宁片", "5mg*14片/盒", 30, "盒"],  # 5: already boxes: 30
            ["华西医院", "心脉宁注射液", "10支/盒", "20支", None],  # 6: unit after the number: 2
            ["华西医院", "心脉宁片", "10片*3板/盒", 60, "片"],  # 7: 30 a box: 2
            ["华西医院", "脑安注射液", "100ml:0.2g", 12, "瓶"],  # 8 rejected: spec has no 瓶 count
            ["华西医院", "心脉宁注射液", None, 5, "支"],  # 9 rejected: no spec
            ["华西医院", "心脉宁片", "5mg*14片/盒", 3, "箱"],  # 10 rejected: unknown unit
        ],
    )
    result = load(path)
    s = sheet(result)
    assert result.sales["boxes"].tolist() == [10.0, 10.0, 10.0, 30.0, 2.0, 2.0]
    assert s.boxes_ours == 64.0
    assert dict(s.rejected) == {"unit without a usable pack spec": 2, "unknown unit": 1}
    problems = {p.row: p for p in s.examples}
    assert problems[8].problem == (
        'quantity is in "瓶" but the pack spec "100ml:0.2g" does not say how many make a box'
    )
    assert problems[8].column == "单位"
    assert problems[9].problem == (
        'quantity is in "支" but there is no pack spec (规格) to convert it to boxes'
    )
    assert problems[10].problem == 'unknown unit "箱"'
    # the quantity as read and its unit stay beside the boxes, for tracing
    first = result.sales.iloc[0]
    assert (first["quantity"], first["unit"], first["spec"]) == (100.0, "支", "10支/盒")


def test_unit_in_the_quantity_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [["医院", "品名", "规格", "数量(支)"], ["华西医院", "心脉宁注射液", "10支/盒", 45]],
    )
    assert load(path).sales["boxes"].tolist() == [4.5]


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("2026-04", "2026-04"),
        ("2026/4", "2026-04"),
        ("2026年4月", "2026-04"),
        ("2026年04月", "2026-04"),
        ("202604", "2026-04"),
        (202604, "2026-04"),  # a number cell
        ("2026.4", "2026-04"),
        ("2026-04-15", "2026-04"),
        ("2026/4/15 10:30", "2026-04"),
        ("20260415", "2026-04"),
        (dt.datetime(2026, 4, 15), "2026-04"),  # a real date cell
        (dt.date(2026, 4, 30), "2026-04"),
        (46127, "2026-04"),  # an Excel serial: 46127 days after 1899-12-30 is 2026-04-15
        ("46127", "2026-04"),
    ],
)
def test_periods_roll_up_to_the_month(tmp_path: Path, cell: object, month: str) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", [["月份", *HEAD], [cell, "华西医院", "心脉宁片", 1]])
    assert load(path).sales["month"].tolist() == [month]


def test_a_serial_with_a_date_format_is_a_date_cell(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [["日期", *HEAD], [46174, "华西医院", "心脉宁片", 1]],  # 46174: 2026-06-01
        formats={"Sheet1": {"A2": "yyyy-mm-dd"}},
    )
    assert load(path).sales["month"].tolist() == ["2026-06"]


def test_a_1904_date_system_workbook(tmp_path: Path) -> None:
    # In the 1904 system, serial 44665 is 2026-04-15 (1904-01-01 + 44665 days); read as
    # a 1900 serial it would be 2022-04-14. Date cells are converted by the reader itself.
    path = write_xlsx(
        tmp_path / "mac.xlsx",
        [
            ["日期", *HEAD],
            [dt.datetime(2026, 5, 20), "华西医院", "心脉宁片", 1],
            [44665, "华西医院", "心脉宁片", 2],
        ],
        epoch_1904=True,
    )
    assert load(path).sales["month"].tolist() == ["2026-05", "2026-04"]


def test_impossible_and_yearless_months_are_rejected_with_the_reason(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [
            ["月份", *HEAD],  # 1
            [None, "华西医院", "心脉宁片", 4],  # 2 rejected: empty, and no month above it
            ["2026-13", "华西医院", "心脉宁片", 1],  # 3 rejected: month 13
            ["6", "华西医院", "心脉宁片", 2],  # 4 rejected: no year anywhere
            ["下月", "华西医院", "心脉宁片", 3],  # 5 rejected: not a month
            ["2026-04", "华西医院", "心脉宁片", 5],  # 6 kept
        ],
    )
    s = sheet(load(path))
    assert s.kept == 1
    assert dict(s.rejected) == {"invalid month": 3, "month is empty": 1}
    assert sorted((p.row, p.column, p.problem) for p in s.examples) == [
        (2, "月份", "month is empty"),
        (3, "月份", 'month: "2026-13" is not a valid month (month 13)'),
        (
            4,
            "月份",
            'month: "6" is a month without a year (none in a year column, sheet or file name)',
        ),
        (5, "月份", 'month: "下月" is not a month or date'),
    ]


def test_an_empty_month_cell_takes_the_month_above_or_the_sheet_name(tmp_path: Path) -> None:
    body = [
        ["月份", *HEAD],  # 1
        [None, "华西医院", "心脉宁片", 1],  # 2: above any month: the sheet name's, if any
        ["2026-05", "华西医院", "心脉宁片", 2],  # 3: A3:A4 merged
        [None, "省人民医院", "心脉宁片", 3],  # 4: 2026-05
        ["小计", None, None, 5],  # 5 totals
        [None, "县医院", "心脉宁片", 4],  # 6: still 2026-05
    ]
    named = write_xlsx(tmp_path / "p.xlsx", {"2026年4月": body}, merges={"2026年4月": ["A3:A4"]})
    result = load(named)
    assert result.sales["month"].tolist() == ["2026-04", "2026-05", "2026-05", "2026-05"]
    unnamed = write_xlsx(tmp_path / "q.xlsx", {"明细": body})
    s = sheet(load(unnamed))
    assert dict(s.rejected) == {"month is empty": 1}
    assert [p.row for p in s.examples] == [2]


def test_a_bare_month_takes_its_year_from_the_sheet_file_or_year_column(tmp_path: Path) -> None:
    body = [["月份", *HEAD], ["6", "华西医院", "心脉宁片", 1], ["7月", "华西医院", "心脉宁片", 2]]
    from_sheet = write_xlsx(tmp_path / "p.xlsx", {"2026年": body})
    assert load(from_sheet).sales["month"].tolist() == ["2026-06", "2026-07"]
    from_file = write_xlsx(tmp_path / "康源2025年流向.xlsx", body)
    assert load(from_file).sales["month"].tolist() == ["2025-06", "2025-07"]
    from_column = write_xlsx(
        tmp_path / "p2.xlsx",
        [
            ["年份", "月份", *HEAD],
            [2025, 12, "华西医院", "心脉宁片", 1],
            ["2026年", 1, "华西医院", "心脉宁片", 2],
            ["明年", 2, "华西医院", "心脉宁片", 3],  # rejected: not a year
        ],
    )
    result = load(from_column)
    assert result.sales["month"].tolist() == ["2025-12", "2026-01"]
    assert dict(sheet(result).rejected) == {"invalid month": 1}


def test_month_from_the_file_name_when_there_is_no_period_column(tmp_path: Path) -> None:
    for name, month in [
        ("康源_202604.xlsx", "2026-04"),
        ("康源2026年4月使用明细.xlsx", "2026-04"),
        ("kangyuan-2026-11.xlsx", "2026-11"),
        ("export_20260415.xlsx", "2026-04"),
    ]:
        path = write_xlsx(tmp_path / name, [HEAD, ["华西医院", "心脉宁片", 1]])
        result = load(path)
        assert result.sales["month"].tolist() == [month], name
        assert dict(sheet(result).skipped) == {HEADER: 1}
