"""Sheet layouts as partners send them: titles, blanks, totals, footers, merges, sheets.

Each test writes a small workbook and states, row by row, what the loader must make of
it; `load` (fixtures_build) checks read == kept + skipped + rejected on every sheet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_build import load, rows, settings, sheet, write_xlsx
from uplift.errors import UsageError
from uplift.sheets.loading import (
    ABOVE_HEADER,
    BLANK,
    HEADER,
    HEADER_REPEAT,
    HEADING,
    NO_TABLE,
    NOTE,
    TOTALS,
)

HEAD = ["医院名称", "科室", "医生", "品名", "数量"]


def test_merged_title_rows_and_blank_rows_above_the_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kangyuan.xlsx",
        {
            "2026年4月": [
                ["康源医药 终端使用明细"],  # 1 title, merged A1:E1
                ["统计期间：2026年4月"],  # 2 title
                [],  # 3 blank
                HEAD,  # 4 header
                ["华西医院", "心内科", "王伟", "心脉宁片", 120],  # 5 kept
                [],  # 6 blank
                ["省人民医院", "神经内科", "李娜", "脑安胶囊", 80],  # 7 kept
            ]
        },
        merges={"2026年4月": ["A1:E1"]},
    )
    result = load(path)
    s = sheet(result)
    assert s.header_row == 4
    assert s.rows_read == 7
    assert dict(s.skipped) == {ABOVE_HEADER: 3, HEADER: 1, BLANK: 1}
    assert s.kept == 2
    assert s.boxes_ours == 200.0  # 120 + 80 (no `ours` list: every product is ours)
    assert s.months == ["2026-04"]
    assert rows(result) == [
        ("kangyuan", "2026-04", "华西医院", "心内科", "王伟", "心脉宁片", 120.0),
        ("kangyuan", "2026-04", "省人民医院", "神经内科", "李娜", "脑安胶囊", 80.0),
    ]
    assert result.sales["row"].tolist() == [5, 7]  # Excel rows as the user sees them


def test_one_sheet_per_month_takes_the_month_from_the_sheet_name(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kangyuan.xlsx",
        {
            "2026年4月": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 10]],
            "5月": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 20]],  # no year anywhere
            "2026-06": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 30]],
        },
    )
    # "5月" has no year in the sheet or file name: its rows cannot get a month
    result = load(path)
    assert sheet(result, "2026年4月").months == ["2026-04"]
    assert sheet(result, "2026-06").months == ["2026-06"]
    may = sheet(result, "5月")
    assert may.kept == 0
    assert dict(may.rejected) == {
        "no month: no month/date column, and none in the sheet or file name": 1
    }
    # with a year in the file name, "5月" is May of that year
    named = write_xlsx(
        tmp_path / "kangyuan_2026.xlsx",
        {"5月": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 20]]},
    )
    assert sheet(load(named)).months == ["2026-05"]


def test_totals_rows_are_skipped_and_counted_never_data(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            ["医院", "品名", "数量"],  # 1 header
            ["华西医院", "心脉宁片", 10],  # 2 kept
            ["华西医院", "脑安胶囊", 20],  # 3 kept
            ["小计", None, 30],  # 4 totals (小计 first)
            ["省人民医院合计", None, 5],  # 5 totals (合计 last)
            ["省人民医院", "心脉宁片", 5],  # 6 kept
            [None, "总计", 35],  # 7 totals (in the product column)
            ["Grand Total", None, 35],  # 8 totals (English)
            [None, None, 35],  # 9 totals: a lone number under the quantity header
        ],
    )
    result = load(path)
    s = sheet(result)
    assert s.kept == 3
    assert dict(s.skipped) == {HEADER: 1, TOTALS: 5}
    assert s.boxes_ours == 35.0  # 10 + 20 + 5: no total counted
    assert result.sales["boxes"].sum() == 35.0


def test_footer_lines_are_notes_but_a_remark_in_a_data_row_is_not(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            ["医院", "品名", "数量", "备注"],  # 1 header
            ["华西医院", "心脉宁片", 10, "说明书更换"],  # 2 kept: a remark, with a quantity
            ["华西医院", "脑安胶囊", 20, None],  # 3 kept
            [],  # 4 blank
            ["制表人：张三", None, None, None],  # 5 note
            ["审核：李四", "日期：2026-05-03"],  # 6 note (two cells)
            ["注：数据来自医院HIS系统"],  # 7 note
        ],
    )
    s = sheet(load(path))
    assert s.kept == 2
    assert dict(s.skipped) == {HEADER: 1, BLANK: 1, NOTE: 3}
    assert s.boxes_ours == 30.0


def test_repeated_header_rows_are_skipped(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            HEAD,  # 1 header
            ["华西医院", "心内科", "王伟", "心脉宁片", 10],  # 2 kept
            ["康源医药 终端使用明细（续）"],  # 3 note: the printed page's title again
            HEAD,  # 4 repeated header
            ["华西医院", "心内科", "李娜", "心脉宁片", 20],  # 5 kept
            ["医院名称", "科室", None, "品名", "数量"],  # 6 repeated header (partial)
            ["省人民医院", "心内科", "张伟", "心脉宁片", 30],  # 7 kept
        ],
    )
    s = sheet(load(path))
    assert s.kept == 3
    assert dict(s.skipped) == {HEADER: 1, NOTE: 1, HEADER_REPEAT: 2}
    assert s.boxes_ours == 60.0


def test_hospital_merged_down_its_block_and_department_inside_it(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            HEAD,  # 1
            ["华西医院", "心内科", "王伟", "心脉宁片", 10],  # 2  A2:A5 华西, B2:B3 心内科
            [None, None, "李娜", "心脉宁片", 20],  # 3
            [None, "神经内科", "张伟", "脑安胶囊", 30],  # 4  B4:B5 神经内科
            [None, None, "赵敏", "脑安胶囊", 40],  # 5
            ["省人民医院", None, "刘洋", "心脉宁片", 50],  # 6  A6:A7; no department
            [None, None, "陈静", "心脉宁片", 60],  # 7
        ],
        merges={"Sheet1": ["A2:A5", "B2:B3", "B4:B5", "A6:A7"]},
    )
    result = load(path, partner="康源")
    assert sheet(result).kept == 6
    got = rows(result, ("hospital", "department", "prescriber", "boxes"))
    assert got == [
        ("华西医院", "心内科", "王伟", 10.0),
        ("华西医院", "心内科", "李娜", 20.0),
        ("华西医院", "神经内科", "张伟", 30.0),
        ("华西医院", "神经内科", "赵敏", 40.0),
        # the department of 华西医院 does not leak into the next hospital's block
        ("省人民医院", "", "刘洋", 50.0),
        ("省人民医院", "", "陈静", 60.0),
    ]


def test_a_lone_hospital_heading_names_the_rows_below_it(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            HEAD,  # 1
            ["华西医院"],  # 2 heading
            [None, "心内科", "王伟", "心脉宁片", 10],  # 3 kept, 华西医院
            ["省人民医院"],  # 4 heading
            [None, "心内科", "李娜", "心脉宁片", 20],  # 5 kept, 省人民医院
        ],
    )
    result = load(path)
    assert dict(sheet(result).skipped) == {HEADER: 1, HEADING: 2}
    assert rows(result, ("hospital", "prescriber")) == [
        ("华西医院", "王伟"),
        ("省人民医院", "李娜"),
    ]


def test_a_sheet_without_a_usage_table_is_skipped_with_a_one_line_note(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kangyuan_2026.xlsx",
        {
            "说明": [["本表为2026年4月使用明细"], ["数据来源：医院HIS"], ["联系人：张三"]],
            "4月": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 10]],
            "产品目录": [["品名", "规格"], ["心脉宁片", "0.5g*24片/盒"]],
        },
    )
    result = load(path)
    notes = sheet(result, "说明")
    assert notes.kind == "none"
    assert dict(notes.skipped) == {NO_TABLE: 3}
    assert sheet(result, "产品目录").kind == "none"
    assert sheet(result, "4月").kept == 1
    skipped = [n for n in result.notes if "skipped" in n]
    assert len(skipped) == 2
    assert all("\n" not in n for n in skipped)
    assert any('sheet "说明"' in n for n in skipped)
    assert not result.unreadable


def test_sheet_option_reads_only_the_named_sheets(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "kangyuan.xlsx",
        {
            "2026年4月": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 10]],
            "2026年5月": [HEAD, ["华西医院", "心内科", "王伟", "心脉宁片", 20]],
        },
    )
    result = load(path, sheets=["2026年5月"])
    assert [s.sheet for s in result.sheets] == ["2026年5月"]
    assert result.sales["boxes"].tolist() == [20.0]
    missing = load(path, sheets=["6月"])
    assert missing.sales.empty
    err = missing.files[0].error
    assert err is not None
    assert err.message == "kangyuan.xlsx: no sheet named 6月"
    assert err.hint == "sheets in this file: 2026年4月, 2026年5月"


def test_bilingual_two_line_headers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "northstar.xlsx",
        [
            [
                "Month\n月份",
                "Hospital\n医院名称",
                "Dept\n科室",
                "Doctor\n医生",
                "Product\n品名",
                "QTY\n数量",
            ],
            ["2026-04", "华西医院", "心内科", "王伟", "心脉宁片", 12],
        ],
    )
    result = load(path)
    s = sheet(result)
    assert s.mapping["quantity"] == "QTY 数量"
    assert s.mapping["hospital"] == "Hospital 医院名称"
    assert rows(result) == [
        ("northstar", "2026-04", "华西医院", "心内科", "王伟", "心脉宁片", 12.0)
    ]


@pytest.mark.parametrize(
    ("original", "standard"),
    [
        ("原始客户名称", "标准客户名称"),
        ("客户名称(原始)", "客户名称(标准)"),
        ("Customer Name (Original)", "Customer Name (Mapping)"),
    ],
)
def test_standardised_customer_name_wins_over_the_original(
    tmp_path: Path, original: str, standard: str
) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [
            # the original column comes first, so position alone would pick it
            [original, standard, "品名", "数量"],
            ["华西医院(本部)", "四川大学华西医院", "心脉宁片", 10],
        ],
    )
    result = load(path)
    assert sheet(result).mapping["hospital"] == standard
    assert result.sales["hospital"].tolist() == ["四川大学华西医院"]


def test_columns_override_in_settings(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [["终端客户编码名称", "品名", "出货量"], ["华西医院", "心脉宁片", 10]],
    )
    # without the override there is no quantity column
    plain = load(path)
    assert plain.sales.empty
    assert plain.unreadable
    config = settings(columns={"hospital": "终端客户编码名称", "quantity": "出货量"})
    result = load(path, config=config)
    assert sheet(result).mapping == {
        "hospital": "终端客户编码名称",
        "product": "品名",
        "quantity": "出货量",
    }
    assert result.sales["boxes"].tolist() == [10.0]
    # written the other way round (header = field) it means the same
    reverse = settings(columns={"出货量": "quantity", "终端客户编码名称": "hospital"})
    assert load(path, config=reverse).sales["boxes"].tolist() == [10.0]
    with pytest.raises(UsageError, match="unknown field"):
        load(path, config=settings(columns={"医院": "终端客户编码名称"}))


def test_missing_required_column_lists_headers_found_and_names_accepted(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p_202604.xlsx",
        [["医院名称", "品名", "金额"], ["华西医院", "心脉宁片", 1200]],
    )
    result = load(path)
    assert result.sales.empty
    err = result.files[0].error
    assert err is not None
    assert "no usage table found in any sheet" in err.message
    assert "no quantity column" in err.message
    assert "headers found: 医院名称, 品名, 金额" in err.message
    assert err.message == (
        "p_202604.xlsx: no usage table found in any sheet "
        "(no quantity column; headers found: 医院名称, 品名, 金额)"
    )
    assert err.hint == (
        "names accepted for quantity: 数量, 销量, 盒数, 销售数量, 使用数量, 用量; "
        "map other names under [columns] in uplift.toml"
    )
    assert sheet(result).rows_read == 2
    assert dict(sheet(result).skipped) == {NO_TABLE: 2}
