"""Master data: a product catalogue and a customer master shape every figure of a load."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from uplift.cli import app
from uplift.config import Settings, settings_from_dict
from uplift.errors import UnreadableFile
from uplift.sheets.catalogue import Catalogue, CatalogueEntry
from uplift.sheets.customers import CustomerMaster
from uplift.sheets.loading import load_files, read_master


def _book(path: Path, rows: list[list[object]], title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])  # a title row above the header, as real lists have
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _products(folder: Path) -> Path:
    return _book(
        folder / "产品列表.xlsx",
        [
            ["产品名称", "规格", "每盒数量", "是否本公司产品", "市场", "别名"],
            ["心脉宁片", "0.25g*24片", 24, "是", "心血管", "心脉宁、心脉宁片剂"],
            ["氯吡格雷片", "75mg*7片", 7, "否", "心血管", "波立维"],
            ["脑安胶囊", "", "", "是", "神经", ""],
        ],
        title="2026年品规对照表",
    )


def _hospitals(folder: Path) -> Path:
    return _book(
        folder / "客户对照.xlsx",
        [
            ["医院编码", "医院名称", "别名", "等级", "城市"],
            ["H001", "四川大学华西医院", "华西医院、华西医院东院", "三甲", "成都"],
            ["H002", "四川省人民医院", "", "三甲", "成都"],
        ],
    )


def _usage(folder: Path) -> Path:
    return _book(
        folder / "康源医药_202609.xlsx",
        [
            ["月份", "医院名称", "品名", "数量", "单位"],
            ["2026-09", "华西医院", "心脉宁", 240, "片"],  # 240 / 24 = 10 boxes, ours
            ["2026-09", "华西医院东院", "心脉宁片", 2, "盒"],  # a variant of H001: 2 boxes
            ["2026-09", "H002", "波立维", 14, "片"],  # code -> 省人民医院; 14 / 7 = 2 boxes
            ["2026-09", "H009", "心脉宁片", 5, "盒"],  # a code the master does not know
            ["2026-09", "H002", "阿司匹林", 3, "盒"],  # a product the catalogue does not know
            ["2026-09", "华西医院", "脑安胶囊", 30, "粒"],  # no units per box anywhere
        ],
    )


def test_catalogue_and_master_in_one_load(tmp_path: Path) -> None:
    paths = [_usage(tmp_path), _products(tmp_path), _hospitals(tmp_path)]
    result = load_files(paths, settings=Settings())
    sales = result.sales
    by = sales.groupby(["hospital", "product"])["boxes"].sum().to_dict()
    assert by == {
        ("四川大学华西医院", "心脉宁片"): 12.0,
        ("四川省人民医院", "氯吡格雷片"): 2.0,
        ("四川省人民医院", "阿司匹林"): 3.0,
        ("H009", "心脉宁片"): 5.0,
    }
    usage = result.sheets[0]
    assert usage.kept == 5
    assert sum(usage.rejected.values()) == 1  # 脑安胶囊 in 粒 with no units per box
    assert usage.accounted
    assert usage.boxes_ours == 17.0  # 心脉宁片 12 + 5; 氯吡格雷片 and 阿司匹林 are not ours
    assert result.catalogue is not None and len(result.catalogue.entries) == 3
    assert result.customers is not None and len(result.customers.customers) == 2
    assert result.warnings == [
        "1 products not in the product catalogue: 阿司匹林 3.0 boxes",
        "1 hospitals not in the customer master (uplift names suggests their standard "
        "names): H009 5.0 boxes",
    ]
    assert [f.master for f in result.files] == ["", "catalogue", "customers"]


def test_the_catalogue_sets_ours_and_markets() -> None:
    catalogue = Catalogue(
        (
            CatalogueEntry("心脉宁片", ours=True, market="心血管"),
            CatalogueEntry("氯吡格雷片", ours=False, market="心血管"),
            CatalogueEntry("脑安胶囊", ours=True),
        )
    )
    settings = settings_from_dict({"ours": ["丹参片"]}).with_master(catalogue)
    assert settings.ours == {"丹参片", "心脉宁片", "脑安胶囊"}
    [market] = settings.markets
    assert (market.name, market.ours, market.competitors) == (
        "心血管",
        {"心脉宁片"},
        {"氯吡格雷片"},
    )


def test_names_match_exactly_then_with_the_spec_then_by_variant() -> None:
    catalogue = Catalogue(
        (
            CatalogueEntry("心脉宁片", spec="0.25g*24片", per_box=24, variants=("心脉宁",)),
            CatalogueEntry("心脉宁片", spec="0.25g*12片", per_box=12),
        )
    )
    assert catalogue.standard_name("心脉宁片") == "心脉宁片"
    assert catalogue.standard_name("心脉宁片0.25g*24片") == "心脉宁片"
    assert catalogue.standard_name("心脉宁片(0.25g*12片)") == "心脉宁片"
    assert catalogue.standard_name("心脉宁") == "心脉宁片"
    assert catalogue.standard_name("心脉康片") is None  # never guessed
    # two specs with different boxes: the row's spec decides, else no figure
    assert catalogue.per_box("心脉宁片", "0.25g*12片") == 12
    assert catalogue.per_box("心脉宁片", "") is None


def test_a_bad_units_per_box_names_file_sheet_row_and_column(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "products.xlsx",
        [
            ["产品名称", "每盒数量", "是否本公司产品"],
            ["心脉宁片", "24", "是"],
            ["丹参片", "-3", "否"],
        ],
    )
    with pytest.raises(UnreadableFile) as err:
        read_master(path, Settings(), "catalogue")
    assert str(err.value) == (
        'products.xlsx, sheet "Sheet", row 3, column units per box: "-3" is not a positive number'
    )


def test_master_data_is_kept_in_the_workspace_and_survives_json(tmp_path: Path) -> None:
    cat = read_master(_products(tmp_path), Settings(), "catalogue")
    assert Catalogue.from_json(cat.to_json()) == cat
    cust = read_master(_hospitals(tmp_path), Settings(), "customers")
    assert CustomerMaster.from_json(cust.to_json()) == cust
    assert cust.aliases() == {
        "H001": "四川大学华西医院",
        "华西医院": "四川大学华西医院",
        "华西医院东院": "四川大学华西医院",
        "H002": "四川省人民医院",
    }


def test_from_the_command_master_data_loaded_once_applies_later(
    tmp_path: Path, workdir: Path
) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["load", str(_products(tmp_path)), str(_hospitals(tmp_path))])
    assert first.exit_code == 0, first.output
    assert "product catalogue from 产品列表.xlsx kept" in first.output
    again = runner.invoke(app, ["load", str(_products(tmp_path))])
    assert "Nothing new to load" in again.output  # the same catalogue: nothing written
    loaded = runner.invoke(app, ["load", str(_usage(tmp_path))])
    assert loaded.exit_code == 0, loaded.output
    tiers = runner.invoke(app, ["tier", "--format", "json"])
    assert tiers.exit_code == 0, tiers.output
    got = {r["hospital"]: r["boxes"] for r in json.loads(tiers.output)}
    # boxes of ours only: the catalogue's 心脉宁片; 氯吡格雷片 and 阿司匹林 are not ours
    assert got == {"四川大学华西医院": 12.0, "H009": 5.0, "四川省人民医院": 0.0}


def test_uplift_toml_names_the_master_files(tmp_path: Path, workdir: Path) -> None:
    _products(workdir)
    _hospitals(workdir)
    (workdir / "uplift.toml").write_text(
        'products = "产品列表.xlsx"\nhospitals = "客户对照.xlsx"\n', encoding="utf-8"
    )
    usage = _usage(tmp_path)
    out = CliRunner().invoke(app, ["tier", str(usage), "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert "四川大学华西医院,12.0" in out.output
    assert "四川省人民医院,0.0" in out.output
