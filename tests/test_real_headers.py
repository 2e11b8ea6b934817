"""Headers of real distributor flow exports (流向明细): standardised customer names next
to the names as typed, ERP column names, code columns, units named in the header and
separate year and month columns.

Every workbook is written here, cell by cell; `load` (fixtures_build) checks
read == kept + skipped + rejected on every sheet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fixtures_build import load, rows, sheet, write_xlsx
from uplift.cli import app
from uplift.config import Settings
from uplift.sheets.loading import HEADER, TOTALS, load_files

RAW = "原始客户名称"

# (as typed by the partner, standardised by the company, product, boxes); the raw
# spellings are branch stores and bracketed variants of the same hospital
FLOW = [
    ("华西医院东院药房", "四川大学华西医院", "心脉宁片", 30),
    ("四川大学华西医院(基药)", "四川大学华西医院", "心脉宁片", 20),
    ("华西医院", "四川大学华西医院", "脑安胶囊", 15),
    ("省医院门诊", "四川省人民医院", "心脉宁片", 40),
    ("四川省人民医院(东院)", "四川省人民医院", "心脉宁片", 25),
    ("华西医院东院药房", "四川大学华西医院", "心脉宁片", -5),  # a return
    ("成都三院", "成都市第三人民医院", "脑安胶囊", 12),
]
# the hand pivot on the standardised column: 30 + 20 + 15 - 5, 40 + 25, 12
BY_STANDARD = {"四川大学华西医院": 60.0, "四川省人民医院": 65.0, "成都市第三人民医院": 12.0}

STANDARD_HEADERS = [
    "匹配客户名称",
    "MappingCustName 匹配客户名称",
    "MappingCustName\n匹配客户名称",
    "标准终端名称",
    "客户名称(标准)",
    "标准医院名称",
]


def flow_workbook(path: Path, standard: str, *, standard_first: bool) -> Path:
    """The flow export: a header, the seven FLOW rows and a 合计 row."""

    def cells(raw: object, std: object) -> list[object]:
        return [std, raw] if standard_first else [raw, std]

    grid: list[list[object]] = [[*cells(RAW, standard), "商品名称", "出库数量"]]
    grid += [[*cells(raw, std), product, qty] for raw, std, product, qty in FLOW]
    grid.append([*cells("合计", None), None, 137])
    return write_xlsx(path, grid)


@pytest.mark.parametrize("standard_first", [False, True], ids=["raw-first", "standard-first"])
@pytest.mark.parametrize("standard", STANDARD_HEADERS)
def test_the_standardised_customer_column_is_the_hospital(
    tmp_path: Path, standard: str, standard_first: bool
) -> None:
    path = flow_workbook(tmp_path / "flow_202604.xlsx", standard, standard_first=standard_first)
    result = load_files([path], settings=Settings())
    s = sheet(result)
    shown = standard.replace("\n", " ")
    assert s.mapping == {"hospital": shown, "product": "商品名称", "quantity": "出库数量"}
    assert s.note == f"hospital: {shown} used, not {RAW} (the standardised name wins)"
    # 1 header + 7 data rows + 1 totals row, each counted once
    assert (s.rows_read, s.kept, dict(s.skipped), dict(s.rejected)) == (
        9,
        7,
        {HEADER: 1, TOTALS: 1},
        {},
    )
    assert s.months == ["2026-04"]
    boxes = result.sales.groupby("hospital")["boxes"].sum().to_dict()
    assert boxes == BY_STANDARD
    assert float(result.sales["boxes"].sum()) == 137.0  # the 合计 row, never counted
    # none of the branch-store spellings survives as a hospital
    assert set(result.sales["hospital"]) == set(BY_STANDARD)


def test_check_shows_the_standardised_header_as_the_hospital_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = flow_workbook(tmp_path / "flow_202604.xlsx", "匹配客户名称", standard_first=False)
    monkeypatch.chdir(tmp_path)
    out = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["check", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    (s,) = doc["sheets"]
    assert s["mapping"]["hospital"] == "匹配客户名称"
    assert s["note"] == "hospital: 匹配客户名称 used, not 原始客户名称 (the standardised name wins)"
    assert (s["rows_read"], s["kept"], s["skipped"], s["rejected"]) == (
        9,
        7,
        {HEADER: 1, TOTALS: 1},
        {},
    )
    assert s["boxes_ours"] == 137.0  # no `ours` list: every product is ours


def test_a_sheet_with_only_the_typed_name_keeps_it_without_a_note(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "flow_202604.xlsx",
        [[RAW, "商品名称", "出库数量"], ["华西医院东院药房", "心脉宁片", 30]],
    )
    s = sheet(load(path))
    assert s.mapping["hospital"] == RAW
    assert s.note == ""


@pytest.mark.parametrize("product", ["商品名称", "药品名称", "产品名称"])
@pytest.mark.parametrize("quantity", ["出库数量", "纯销数量", "实发数量", "开票数量", "销售数量"])
def test_common_erp_headers(tmp_path: Path, product: str, quantity: str) -> None:
    path = write_xlsx(
        tmp_path / "erp_202604.xlsx",
        [
            ["客户名称", product, quantity],
            ["四川大学华西医院", "心脉宁片", 30],
            ["四川省人民医院", "心脉宁片", 12],
        ],
    )
    result = load(path)
    assert sheet(result).mapping == {
        "hospital": "客户名称",
        "product": product,
        "quantity": quantity,
    }
    assert result.sales["boxes"].tolist() == [30.0, 12.0]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("医院编码", "医院名称"),
        ("终端编码", "终端名称"),
        ("客户编码", "客户名称"),
        ("客户代码", "客户"),
        ("医院(编码)", "医院"),
        ("匹配客户编码", "客户名称"),
    ],
)
@pytest.mark.parametrize("code_first", [True, False], ids=["code-first", "name-first"])
def test_a_code_column_is_never_the_hospital_name(
    tmp_path: Path, code: str, name: str, code_first: bool
) -> None:
    def cells(c: object, n: object) -> list[object]:
        return [c, n] if code_first else [n, c]

    path = write_xlsx(
        tmp_path / "codes_202604.xlsx",
        [
            [*cells(code, name), "品名", "数量"],
            [*cells("H001", "四川大学华西医院"), "心脉宁片", 30],
            [*cells("H002", "四川省人民医院"), "心脉宁片", 12],
        ],
    )
    result = load(path)
    assert sheet(result).mapping["hospital"] == name
    assert result.sales.groupby("hospital")["boxes"].sum().to_dict() == {
        "四川大学华西医院": 30.0,
        "四川省人民医院": 12.0,
    }


def test_a_sheet_with_only_hospital_codes_keeps_the_codes_and_says_so(tmp_path: Path) -> None:
    # no customer master: the codes are the hospitals, never guessed into names
    path = write_xlsx(
        tmp_path / "codes_202604.xlsx",
        [["医院编码", "品名", "数量"], ["H001", "心脉宁片", 30], ["H002", "心脉宁片", 12]],
    )
    result = load(path)
    s = sheet(result)
    assert s.kind == "sales"
    assert s.mapping["hospital"] == "医院编码"
    assert "holds codes, not names" in s.note
    assert result.sales.groupby("hospital")["boxes"].sum().to_dict() == {
        "H001": 30.0,
        "H002": 12.0,
    }


def test_a_quantity_header_naming_several_units_converts_by_each_rows_spec(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path / "units_202604.xlsx",
        [
            ["医院名称", "品名", "规格", "数量(支/片)"],
            ["华西医院", "心脉宁片", "0.4g*12片/盒", 120],  # 120 / 12 = 10 boxes
            ["华西医院", "丹参注射液", "2ml*5支/盒", 50],  # 50 / 5 = 10 boxes
            ["省人民医院", "心脉宁片", "0.4g*12片/盒", 36],  # 36 / 12 = 3 boxes
            ["省人民医院", "丹参注射液", "2ml*5支/盒", 15],  # 15 / 5 = 3 boxes
            ["省人民医院", "丹参注射液", None, 10],  # rejected: no spec to convert 支
        ],
    )
    result = load(path)
    s = sheet(result)
    assert s.mapping["quantity"] == "数量(支/片)"
    assert s.kept == 4
    assert dict(s.rejected) == {"unit without a usable pack spec": 1}
    assert result.sales["unit"].tolist() == ["片", "支", "片", "支"]
    assert result.sales["boxes"].tolist() == [10.0, 10.0, 3.0, 3.0]
    assert result.sales.groupby("hospital")["boxes"].sum().to_dict() == {
        "华西医院": 20.0,
        "省人民医院": 6.0,
    }
    # the same sheet with one unit in the header, as 数量(支) has always worked
    single = write_xlsx(
        tmp_path / "single_202604.xlsx",
        [["医院名称", "品名", "规格", "数量(支)"], ["华西医院", "丹参注射液", "2ml*5支/盒", 50]],
    )
    assert load(single).sales["boxes"].tolist() == [10.0]


def test_a_header_mixing_boxes_and_units_gives_no_unit_hint(tmp_path: Path) -> None:
    # 数量(盒/支) cannot say which rows are boxes: the numbers stay boxes, as before
    path = write_xlsx(
        tmp_path / "mixed_202604.xlsx",
        [["医院名称", "品名", "规格", "数量(盒/支)"], ["华西医院", "丹参注射液", "2ml*5支/盒", 50]],
    )
    result = load(path)
    assert result.sales["unit"].tolist() == ["盒"]
    assert result.sales["boxes"].tolist() == [50.0]


@pytest.mark.parametrize("month_header", ["月", "月份"])
def test_separate_year_and_month_columns(tmp_path: Path, month_header: str) -> None:
    path = write_xlsx(
        tmp_path / "flow.xlsx",  # no month in the file or sheet name
        [
            ["年", month_header, "客户名称", "商品名称", "出库数量"],
            [2026, 4, "四川大学华西医院", "心脉宁片", 30],
            [2026, 4, "四川大学华西医院", "心脉宁片", 20],
            ["2026", "4", "四川省人民医院", "心脉宁片", 40],
            [2026, 5, "四川省人民医院", "心脉宁片", 25],
        ],
    )
    result = load(path)
    s = sheet(result)
    assert s.mapping["year"] == "年"
    assert s.mapping["month"] == month_header
    assert (s.rows_read, s.kept, dict(s.skipped), dict(s.rejected)) == (5, 4, {HEADER: 1}, {})
    assert rows(result, ("month", "hospital", "boxes")) == [
        ("2026-04", "四川大学华西医院", 30.0),
        ("2026-04", "四川大学华西医院", 20.0),
        ("2026-04", "四川省人民医院", 40.0),
        ("2026-05", "四川省人民医院", 25.0),
    ]
    april = result.sales[result.sales["month"] == "2026-04"]
    assert float(april["boxes"].sum()) == 90.0  # 30 + 20 + 40
