"""Audit panels, second vendors' layouts and one hospital's pharmacy transactions.

Every fixture is written here, and every figure below is worked out by hand from its cells.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.fixtures_build import load, sheet, write_xlsx
from uplift.cli import app
from uplift.config import Settings

AUDIT_HEADER = [
    "省",
    "城市",
    "年",
    "月",
    "医院编码",
    "ATC码",
    "药品名称",
    "商品名",
    "包装单位",
    "药品规格",
    "包装数量",
    "金额(元)",
    "数量(支/片)",
    "剂型",
    "给药途径",
    "生产企业",
]


def _audit_row(
    month: int,
    code: str,
    generic: str,
    brand: str | None,
    qty: float,
    amount: float,
    per_box: float | None = None,
) -> list[object]:
    # 包装单位 holds a unit code ("H"), not a unit word; 包装数量 is empty in the whole export
    return [
        "四川",
        "成都",
        2026,
        month,
        code,
        "C01",
        generic,
        brand,
        "H",
        "0.4g",
        per_box,
        amount,
        qty,
        "片剂",
        "口服",
        "某企业",
    ]


def _panel(folder: Path) -> list[Path]:
    """A CPA-style panel, a product catalogue and a hospital master, as three files."""
    panel = write_xlsx(
        folder / "cpa_panel.xlsx",
        [
            AUDIT_HEADER,
            _audit_row(4, "H001", "复方丹参片", "心脉宁片", 240, 1200),  # 240 / 12 = 20, ours
            _audit_row(4, "H001", "脉络通片", "脉络通片", 480, 960),  # 480 / 24 = 20
            _audit_row(4, "H002", "丹参注射液", None, 50, 500),  # no brand: generic, 50 / 5 = 10
            _audit_row(5, "H001", "复方丹参片", "心脉宁片", 360, 1800),  # 30, ours
            _audit_row(5, "H002", "脉络通片", "脉络通片", 240, 480),  # 10
            _audit_row(5, "H003", "复方丹参片", "心脉宁片", 120, 600),  # 10, code not in master
        ],
    )
    products = write_xlsx(
        folder / "products.xlsx",
        [
            ["产品名称", "规格", "每盒数量", "是否本公司产品", "市场"],
            ["心脉宁片", "0.4g*12片", 12, "是", "心血管"],
            ["脉络通片", "0.4g*24片", 24, "否", "心血管"],
            ["丹参注射液", "2ml*5支", 5, "否", "心血管"],
        ],
    )
    hospitals = write_xlsx(
        folder / "hospitals.xlsx",
        [
            ["医院编码", "医院名称", "城市"],
            ["H001", "四川大学华西医院", "成都"],
            ["H002", "四川省人民医院", "成都"],
        ],
    )
    return [panel, products, hospitals]


def test_an_audit_panel_with_catalogue_and_master_matches_a_pivot(tmp_path: Path) -> None:
    result = load(_panel(tmp_path))
    s = next(x for x in result.sheets if x.file.endswith("cpa_panel.xlsx"))
    assert s.kind == "sales"
    assert (s.rows_read, s.kept, sum(s.rejected.values())) == (7, 6, 0)
    assert s.mapping["quantity"] == "数量(支/片)"
    assert s.mapping["hospital"] == "医院编码"
    assert s.mapping["product"] == "商品名"
    assert s.mapping["amount"] == "金额(元)"
    # the sheet says which columns won and why
    assert "holds codes, not names" in s.note
    assert "商品名 (brand) used, 药品名称 where it is empty" in s.note
    assert "包装单位 counts only where it says one of them" in s.note

    sales = result.sales
    pivot = sales.groupby(["month", "hospital", "product"])["boxes"].sum().to_dict()
    assert pivot == {
        ("2026-04", "四川大学华西医院", "心脉宁片"): 20.0,
        ("2026-04", "四川大学华西医院", "脉络通片"): 20.0,
        ("2026-04", "四川省人民医院", "丹参注射液"): 10.0,
        ("2026-05", "四川大学华西医院", "心脉宁片"): 30.0,
        ("2026-05", "四川省人民医院", "脉络通片"): 10.0,
        ("2026-05", "H003", "心脉宁片"): 10.0,  # kept under its code, not guessed
    }
    amounts = sales.groupby("hospital")["amount"].sum().to_dict()
    assert amounts == {"四川大学华西医院": 3960.0, "四川省人民医院": 980.0, "H003": 600.0}
    # never the code "H": 数量(支/片) in the unit the catalogue's spec of the product counts
    assert dict(zip(sales["product"], sales["unit"], strict=True)) == {
        "心脉宁片": "片",
        "脉络通片": "片",
        "丹参注射液": "支",
    }


def test_the_audit_panel_gaps_from_the_command_equal_the_pivot(
    tmp_path: Path, workdir: Path
) -> None:
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", *map(str, _panel(tmp_path))])
    assert loaded.exit_code == 0, loaded.output
    out = runner.invoke(app, ["gaps", "--format", "json"])
    assert out.exit_code == 0, out.output
    got = {
        r["hospital"]: (r["ours_boxes"], r["competitor_boxes"], r["share"])
        for r in json.loads(out.output)
    }
    # a month on average over April and May: 华西 ours (20 + 30) / 2 = 25, competitors
    # 20 / 2 = 10, share 25 / 35; 省人民 competitors (10 + 10) / 2 = 10; H003 ours 10 / 2
    assert got["四川大学华西医院"][:2] == (25.0, 10.0)
    assert got["四川大学华西医院"][2] == round(25 / 35, 4)  # shares to 4 decimals
    assert got["四川省人民医院"] == (0.0, 10.0, 0.0)
    # H003 has no competitor figure at all: competitors and share unknown (null), not 0 / 100%
    assert got["H003"] == (5.0, None, None)
    traced = runner.invoke(app, ["trace", "--hospital", "华西医院", "--format", "json"])
    assert traced.exit_code == 0, traced.output
    rows = [(r["row"], r["boxes"], r["amount"]) for r in json.loads(traced.output)]
    assert rows == [(2, 20.0, 1200.0), (3, 20.0, 960.0), (5, 30.0, 1800.0)]


def test_a_pack_count_column_is_used_before_the_catalogue(tmp_path: Path) -> None:
    _, products, hospitals = _panel(tmp_path)
    filled = write_xlsx(
        tmp_path / "cpa_filled.xlsx",
        [
            AUDIT_HEADER,
            # 包装数量 10 on this row: 100 / 10 = 10 boxes (the catalogue's 12 would give 8.33)
            _audit_row(6, "H001", "复方丹参片", "心脉宁片", 100, 500, per_box=10),
            # empty 包装数量: the catalogue's 12, 120 / 12 = 10
            _audit_row(6, "H001", "复方丹参片", "心脉宁片", 120, 600),
        ],
    )
    result = load([filled, products, hospitals])
    sales = result.sales[result.sales["source_file"].str.endswith("cpa_filled.xlsx")]
    assert sales["boxes"].tolist() == [10.0, 10.0]


def test_a_unit_code_without_a_unit_in_the_header_is_rejected_by_name(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "codes_202609.xlsx",
        [
            ["医院名称", "品名", "规格", "包装单位", "数量"],
            ["华西医院", "心脉宁片", "0.4g*12片", "H", 24],
            ["华西医院", "心脉宁片", "0.4g*12片", "盒", 3],
        ],
    )
    result = load(path)
    s = sheet(result)
    assert s.kept == 1
    assert s.rejected == {"unknown unit": 1}
    (problem,) = s.examples
    assert (problem.row, problem.column) == (2, "包装单位")
    assert 'unknown unit "H"' in problem.problem
    assert result.sales["boxes"].tolist() == [3.0]


def test_a_second_vendors_audit_layout_counts_in_the_smallest_unit(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "audit_vendor_b.xlsx",
        [
            ["统计年月", "医疗机构名称", "通用名", "规格", "最小单位数量", "销售额"],
            ["2026-04", "四川省人民医院", "心脉宁片", "0.4g*12片", 36, 180.5],  # 36 / 12 = 3
            ["2026-04", "四川省人民医院", "丹参注射液", "2ml*5支", 25, 250],  # 25 / 5 = 5
        ],
    )
    result = load(path)
    s = sheet(result)
    assert s.kind == "sales", s.note
    assert s.mapping["quantity"] == "最小单位数量"
    assert result.sales["boxes"].tolist() == [3.0, 5.0]
    assert result.sales["amount"].tolist() == [180.5, 250.0]


def test_paid_beats_receivable_and_no_amount_column_is_not_zero(tmp_path: Path) -> None:
    paid = write_xlsx(
        tmp_path / "paid_202609.xlsx",
        [
            ["医院名称", "品名", "数量", "应收金额", "实收金额"],
            ["华西医院", "心脉宁片", 2, 100, 90],
        ],
    )
    none = write_xlsx(
        tmp_path / "none_202609.xlsx", [["医院名称", "品名", "数量"], ["华西医院", "心脉宁片", 2]]
    )
    assert load(paid).sales["amount"].tolist() == [90.0]
    assert sheet(load(paid)).mapping["amount"] == "实收金额"
    assert load(none).sales["amount"].isna().all()


def _pharmacy(folder: Path) -> Path:
    return write_xlsx(
        folder / "门诊药房_202609.xlsx",
        [
            ["购药时间", "社保卡号", "商品编码", "商品名称", "销售数量", "应收金额", "实收金额"],
            ["2026-09-01 09:12:00", "510104199001011234", "P0001", "心脉宁片", 2, 96, 86.4],
            ["2026-09-03 15:40:00", "510104198505052345", "P0001", "心脉宁片", 1, 48, 43.2],
            ["2026-10-02 10:05:00", "510104198505052345", "P0002", "脉络通片", 3, 60, 60],
        ],
    )


def test_one_hospitals_pharmacy_transactions_with_hospital(tmp_path: Path) -> None:
    path = _pharmacy(tmp_path)
    result = load(path, config=Settings(file_hospital="成都市第三人民医院"))
    s = sheet(result)
    assert s.kept == 3
    assert "every row is 成都市第三人民医院 (--hospital)" in s.note
    sales = result.sales
    assert set(sales["hospital"]) == {"成都市第三人民医院"}
    assert sales.groupby(["month", "product"])["boxes"].sum().to_dict() == {
        ("2026-09", "心脉宁片"): 3.0,
        ("2026-10", "脉络通片"): 3.0,
    }
    assert sales["amount"].tolist() == [86.4, 43.2, 60.0]
    # the card numbers are no column of the sales table
    assert not sales.astype("str").apply(lambda c: c.str.contains("5101041")).any().any()


def test_pharmacy_transactions_without_hospital_say_how(tmp_path: Path, workdir: Path) -> None:
    path = _pharmacy(tmp_path)
    out = CliRunner().invoke(app, ["check", str(path)])
    assert out.exit_code == 2
    assert "门诊药房_202609.xlsx" in out.output
    assert "--hospital NAME" in out.output
    assert "Traceback" not in out.output
    ok = CliRunner().invoke(app, ["check", str(path), "--hospital", "成都市第三人民医院"])
    assert ok.exit_code == 0, ok.output


def test_a_sheet_that_names_its_hospitals_does_not_take_the_option(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "named_202609.xlsx", [["医院名称", "品名", "数量"], ["华西医院", "心脉宁片", 2]]
    )
    result = load(path, config=Settings(file_hospital="成都市第三人民医院"))
    assert result.sales["hospital"].tolist() == ["华西医院"]
    assert "not used" in sheet(result).note


def test_a_code_and_a_name_take_the_masters_name_by_code(tmp_path: Path) -> None:
    usage = write_xlsx(
        tmp_path / "flow_202609.xlsx",
        [
            ["医院编码", "医院名称", "品名", "数量"],
            ["H001", "华西医院(东院区)", "心脉宁片", 4],  # the code knows it: H001's name
            ["H009", "某社区卫生服务中心", "心脉宁片", 1],  # a code the master lacks: its name
        ],
    )
    hospitals = write_xlsx(
        tmp_path / "hospitals.xlsx",
        [["医院编码", "医院名称"], ["H001", "四川大学华西医院"]],
    )
    result = load([usage, hospitals])
    assert result.sales["hospital"].tolist() == ["四川大学华西医院", "某社区卫生服务中心"]


def _wide(folder: Path) -> Path:
    return write_xlsx(
        folder / "日销售_宽表.xlsx",
        [
            ["日期", "心脉宁片", "脉络通片", "丹参注射液", "合计"],
            ["2026-09-01", 3, 1, 0, 4],
            ["2026-09-02", 2, 0, 1, 3],
        ],
    )


def test_a_wide_sheet_is_refused_with_what_to_do(tmp_path: Path, workdir: Path) -> None:
    out = CliRunner().invoke(app, ["check", str(_wide(tmp_path))])
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    assert "wide layout: one column per product (心脉宁片, 脉络通片, 丹参注射液)" in text
    assert "逆透视其他列" in text
    assert "[columns]" not in text


def test_a_wide_sheet_in_a_folder_is_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    _wide(folder)
    write_xlsx(
        folder / "康源医药_202609.xlsx",
        [["医院名称", "品名", "数量"], ["华西医院", "心脉宁片", 2]],
    )
    result = load(folder)
    assert result.sales["boxes"].tolist() == [2.0]
    wide = next(s for s in result.sheets if s.file.endswith("日销售_宽表.xlsx"))
    assert wide.note.startswith("wide layout")
    assert wide.kept == 0


def test_a_schema_1_workspace_is_read_then_upgraded_on_load(tmp_path: Path, workdir: Path) -> None:
    import duckdb

    runner = CliRunner()
    first = write_xlsx(
        tmp_path / "康源医药_202608.xlsx",
        [["医院名称", "品名", "数量", "金额"], ["华西医院", "心脉宁片", 2, 100]],
    )
    assert runner.invoke(app, ["load", str(first)]).exit_code == 0
    # make the workspace what an uplift before amounts wrote: no amount, schema 1
    con = duckdb.connect(str(workdir / ".uplift" / "uplift.duckdb"))
    con.execute("ALTER TABLE sales DROP COLUMN amount")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()

    tiers = runner.invoke(app, ["tier", "--format", "json"])
    assert tiers.exit_code == 0, tiers.output
    assert [r["boxes"] for r in json.loads(tiers.output)] == [2.0]  # a month of 2 boxes

    second = write_xlsx(
        tmp_path / "康源医药_202609.xlsx",
        [["医院名称", "品名", "数量", "金额"], ["华西医院", "心脉宁片", 4, 200]],
    )
    loaded = runner.invoke(app, ["load", str(second)])
    assert loaded.exit_code == 0, loaded.output
    con = duckdb.connect(str(workdir / ".uplift" / "uplift.duckdb"), read_only=True)
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    rows = con.execute("SELECT month, boxes, amount FROM sales ORDER BY month").fetchall()
    con.close()
    assert version == ("2",)
    # the rows read before amounts were kept have none; the new ones have theirs
    assert rows == [("2026-08", 2.0, None), ("2026-09", 4.0, 200.0)]
