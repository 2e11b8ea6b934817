"""Files as partners send them: CSV encodings, legacy .xls, partners, re-sent months."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.fixtures_build import (
    load,
    rows,
    run_uplift,
    sheet,
    write_csv,
    write_xls,
    write_xlsx,
)
from uplift.sheets.loading import REPLACED

TABLE = [
    ["医院名称", "科室", "医生", "品名", "数量"],
    ["华西医院", "心内科", "王　伟", "心脉宁片", "120盒"],
    ["省人民医院", "神经内科", "李娜", "脑安胶囊", "80"],
]
EXPECTED = [
    ("康源", "2026-04", "华西医院", "心内科", "王伟", "心脉宁片", 120.0),
    ("康源", "2026-04", "省人民医院", "神经内科", "李娜", "脑安胶囊", 80.0),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "康源_2026-04.csv", TABLE, encoding=encoding)
    result = load(path, partner="康源")
    assert rows(result) == EXPECTED
    assert dict(sheet(result).skipped) == {"header row": 1}


def test_tab_separated_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "康源_2026-04.txt", TABLE, encoding="gbk", delimiter="\t")
    assert rows(load(path, partner="康源")) == EXPECTED


def test_unicode_text_from_excel(tmp_path: Path) -> None:
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated
    path = write_csv(tmp_path / "康源_2026-04.txt", TABLE, encoding="utf-16", delimiter="\t")
    assert rows(load(path, partner="康源")) == EXPECTED


def test_encoding_option_forces_the_encoding(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "康源_2026-04.csv", TABLE, encoding="gbk")
    assert rows(load(path, partner="康源", encoding="gbk")) == EXPECTED
    wrong = load(path, partner="康源", encoding="utf-8")
    err = wrong.files[0].error
    assert err is not None
    assert err.message == "康源_2026-04.csv: cannot decode as utf-8 (UnicodeDecodeError)"
    assert "--encoding" in err.hint


def test_legacy_xls(tmp_path: Path) -> None:
    pytest.importorskip("xlwt")
    path = write_xls(
        tmp_path / "康源.xls",
        {
            "2026年4月": [["康源医药 四月明细"], [], *TABLE],
            "5月": [
                ["月份", "医院", "品名", "数量"],
                [dt.date(2026, 5, 3), "华西医院", "心脉宁片", 5],  # a date cell
                [None, "省人民医院", "心脉宁片", 6],  # the month above it
            ],
        },
    )
    result = load(path)
    april = sheet(result, "2026年4月")
    assert (april.header_row, april.kept, april.rows_read) == (3, 2, 5)
    assert rows(result)[:2] == EXPECTED
    assert result.sales["month"].tolist() == ["2026-04", "2026-04", "2026-05", "2026-05"]


def test_partner_from_a_column_the_option_or_the_file_name(tmp_path: Path) -> None:
    with_column = write_xlsx(
        tmp_path / "flow_202604.xlsx",
        [
            ["经销商", "医院", "品名", "数量"],
            ["康源医药", "华西医院", "心脉宁片", 1],
            ["北星医药", "省人民医院", "心脉宁片", 2],
            [None, "省人民医院", "脑安胶囊", 3],  # merged down: 北星医药
        ],
    )
    result = load(with_column, partner="ignored")
    assert result.sales["partner"].tolist() == ["康源医药", "北星医药", "北星医药"]
    assert sheet(result).partners == ["北星医药", "康源医药"]
    plain = write_xlsx(
        tmp_path / "康源_202604.xlsx", [["医院", "品名", "数量"], ["华西医院", "心脉宁片", 1]]
    )
    assert load(plain, partner="康源医药").sales["partner"].tolist() == ["康源医药"]
    # the file name without its date: monthly files of one partner are one partner
    assert load(plain).sales["partner"].tolist() == ["康源"]


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "康源_202604.xlsx", TABLE)
    again = tmp_path / "康源_202604 (resent).xlsx"
    shutil.copy(first, again)
    result = load([first, again], partner="康源")
    assert len(result.sales) == 2
    assert result.sales["boxes"].sum() == 200.0
    assert result.files[1].duplicate_of == str(first)
    assert result.notes == [
        "康源_202604 (resent).xlsx: same content as 康源_202604.xlsx; read once"
    ]
    assert not result.warnings


def test_a_later_file_replaces_an_earlier_one_for_the_same_partner_and_month(
    tmp_path: Path,
) -> None:
    head = ["月份", "医院", "品名", "数量"]
    old = write_xlsx(
        tmp_path / "kangyuan_april.xlsx",
        [
            head,
            ["2026-03", "华西医院", "心脉宁片", 7],  # kept: no later file has March
            ["2026-04", "华西医院", "心脉宁片", 10],  # replaced
            ["2026-04", "省人民医院", "心脉宁片", 20],  # replaced
            ["2026-04", "省人民医院", "脑安胶囊", 30],  # replaced
        ],
    )
    new = write_xlsx(
        tmp_path / "kangyuan_april_corrected.xlsx",
        [head, ["2026-04", "华西医院", "心脉宁片", 15], ["2026-04", "省人民医院", "心脉宁片", 25]],
    )
    result = load([old, new], partner="康源")
    assert rows(result, ("month", "boxes")) == [
        ("2026-03", 7.0),
        ("2026-04", 15.0),
        ("2026-04", 25.0),
    ]
    old_sheet = result.sheets[0]
    assert old_sheet.kept == 1
    assert dict(old_sheet.skipped) == {"header row": 1, REPLACED: 3}
    assert old_sheet.rows_read == 5  # 1 header + 1 kept + 3 replaced
    assert old_sheet.boxes_ours == 7.0  # the replaced boxes leave the sheet's totals
    assert old_sheet.months == ["2026-03"]
    assert result.warnings == [
        "partner 康源, 2026-04: kangyuan_april_corrected.xlsx replaces kangyuan_april.xlsx "
        "(3 rows, 60.0 boxes of kangyuan_april.xlsx not counted)"
    ]
    # given the other way round, the older file wins: the order given decides
    flipped = load([new, old], partner="康源")
    assert flipped.sales["boxes"].sum() == 7.0 + 60.0


def test_two_sheets_of_one_file_with_the_same_month_are_both_counted_with_a_note(
    tmp_path: Path,
) -> None:
    head = ["医院", "品名", "数量"]
    path = write_xlsx(
        tmp_path / "康源_202604.xlsx",
        {"城区": [head, ["华西医院", "心脉宁片", 1]], "郊县": [head, ["县医院", "心脉宁片", 2]]},
    )
    result = load(path, partner="康源")
    assert result.sales["boxes"].sum() == 3.0
    assert result.notes == [
        '康源_202604.xlsx: sheets "城区" and "郊县" both hold partner 康源, 2026-04; all are '
        "counted (pick sheets with --sheet if one repeats another)"
    ]


def test_a_folder_and_a_glob(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_xlsx(folder / "康源_202604.xlsx", TABLE)
    write_csv(folder / "康源_202605.csv", TABLE)
    (folder / "readme.md").write_text("not a sheet", encoding="utf-8")
    (folder / "~$康源_202604.xlsx").write_bytes(b"lock file of an open workbook")
    result = load(folder, partner="康源")
    assert sorted(result.sales["month"].unique()) == ["2026-04", "2026-05"]
    assert len(result.files) == 2
    globbed = load(tmp_path / "in" / "*.csv", partner="康源")
    assert globbed.sales["month"].unique().tolist() == ["2026-05"]


def test_a_messy_sheet_tiers_like_its_clean_copy(tmp_path: Path) -> None:
    """Done when `uplift tier` on a messy sheet gives the tiers of a clean copy."""
    clean = write_xlsx(
        tmp_path / "clean.xlsx",
        [
            ["月份", "医院名称", "科室", "医生", "品名", "数量"],
            ["2026-04", "华西医院", "心内科", "王伟", "心脉宁片", 250],
            ["2026-04", "华西医院", "心内科", "李娜", "心脉宁片", 900],
            ["2026-04", "省人民医院", "神经内科", "张伟", "心脉宁片", 120],
            ["2026-05", "华西医院", "心内科", "王伟", "心脉宁片", 300],
            ["2026-05", "省人民医院", "神经内科", "张伟", "心脉宁片", -20],
        ],
    )
    messy = write_xlsx(
        tmp_path / "messy.xlsx",
        {
            "2026年4月": [
                ["康源医药 四月使用明细"],
                [],
                ["医院名称", "科室", "医生", "品名", "规格", "数量", "单位"],
                ["华西医院 ", "心内科", "王　伟", "心脉宁片", "5mg*14片/盒", "3500片", None],
                [None, None, "李娜", "心脉宁片", "5mg*14片/盒", "900", "盒"],
                ["小计", None, None, None, None, 1150, None],
                ["省人民医院", "神经内科", "张伟", "心脉宁片", None, "１２０", None],
                ["合计", None, None, None, None, 1270, None],
                ["制表人：张三"],
            ],
            "2026年5月": [
                ["医院名称", "科室", "医生", "品名", "数量"],
                ["华西医院", "心内科", "王伟", "心脉宁片", "300盒"],
                ["省人民医院", "神经内科", "张伟", "心脉宁片", -20],
            ],
        },
        merges={"2026年4月": ["A4:A5", "B4:B5", "A1:G1"]},
    )

    def tiers(path: Path, by: str) -> object:
        proc = run_uplift(
            "tier", path, "--partner", "康源", "--by", by, "--format", "json", cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr
        assert "rejected" not in proc.stderr
        return json.loads(proc.stdout)

    for by in ("hospital", "prescriber"):
        assert tiers(messy, by) == tiers(clean, by)
    # and the accounting of the messy copy, by hand: 9 + 3 rows read in the two sheets
    result = load(messy, partner="康源")
    april, may = result.sheets
    assert (april.rows_read, april.kept, sum(april.skipped.values())) == (9, 3, 6)
    assert (may.rows_read, may.kept) == (3, 2)
    assert april.boxes_ours == 250 + 900 + 120  # 3500 片 / 14 = 250 boxes
