"""A folder of partners' files may hold other sheets too: they are skipped with a note."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from uplift.cli import app
from uplift.config import Settings
from uplift.sheets.loading import load_files


def _book(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    folder.mkdir()
    _book(
        folder / "康源医药_202609.xlsx",
        [["医院名称", "品名", "数量"], ["华西医院", "心脉宁片", 120], ["省医院", "心脉宁片", 30]],
    )
    _book(
        folder / "产品列表.xlsx",
        [
            ["产品名称", "规格", "每盒数量", "是否本公司产品"],
            ["心脉宁片", "0.25g*24片/盒", 24, "是"],
        ],
    )
    _book(
        folder / "医院主数据.xlsx",
        [["医院编码", "医院名称", "等级", "城市"], ["H001", "华西医院", "三甲", "成都"]],
    )
    _book(folder / "2026年目标.xlsx", [["合作者", "月份", "目标"], ["康源医药", "2026-09", 200]])
    return folder


def test_a_folder_with_a_product_list_loads_the_usage_detail(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _book(folder / "品种清单.xlsx", [["产品名称", "规格"], ["心脉宁片", "0.25g*24片"]])
    result = load_files([folder], settings=Settings())
    assert result.sales["boxes"].sum() == 150.0
    assert result.sales["partner"].unique().tolist() == ["康源医药"]
    assert not result.unreadable
    # the product list and the hospital list are master data
    assert result.catalogue is not None and result.catalogue.names == {"心脉宁片"}
    assert result.customers is not None and result.customers.names == {"华西医院"}
    masters = {f.name: f.master for f in result.files if f.master}
    assert masters == {"产品列表.xlsx": "catalogue", "医院主数据.xlsx": "customers"}
    # the rest is skipped, saying what it looks like
    skipped = sorted(n for n in result.notes if ": skipped, no usage table" in n)
    assert [n.split(":")[0] for n in skipped] == ["2026年目标.xlsx", "品种清单.xlsx"]
    assert "looks like a targets sheet" in skipped[0]
    assert "looks like a product list" in skipped[1]
    # every row of every sheet is still accounted for
    assert all(s.accounted for s in result.sheets)


def test_the_folder_loads_from_the_command(tmp_path: Path, workdir: Path) -> None:
    folder = _folder(tmp_path)
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", str(folder)])
    assert loaded.exit_code == 0, loaded.output
    assert "产品列表.xlsx: product catalogue, 1 products (1 ours, 0 markets)" in loaded.output
    tiers = runner.invoke(app, ["tier", "--format", "csv"])
    assert tiers.exit_code == 0, tiers.output
    assert "华西医院,120.0" in tiers.output


def test_a_list_that_is_no_master_named_on_its_own_is_refused(
    tmp_path: Path, workdir: Path
) -> None:
    path = _book(tmp_path / "产品列表.xlsx", [["产品名称", "规格"], ["心脉宁片", "0.25g*24片"]])
    proc = subprocess.run(
        [sys.executable, "-m", "uplift", "load", str(path)],
        capture_output=True,
        text=True,
        cwd=workdir,
        timeout=60,
        env={**os.environ, "UPLIFT_LANG": "en"},
    )
    assert proc.returncode == 2
    assert "Error: 产品列表.xlsx: no usage table found in any sheet" in proc.stderr
    assert "headers found: 产品名称, 规格" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
