"""Monthly files of one partner load as one partner."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from uplift.config import Settings
from uplift.sheets.loading import load_files, partner_from_file_name


@pytest.mark.parametrize(
    ("stem", "partner"),
    [
        ("康源医药_202609", "康源医药"),
        ("康源医药-2026-09", "康源医药"),
        ("康源医药2026年9月流向明细", "康源医药"),
        ("华润医药(2026.10)", "华润医药"),
        ("Northstar Pharma sales 2026-04", "Northstar Pharma"),
        ("partner_20260415", "partner"),
        ("kangyuan", "kangyuan"),
        ("2026-09", "2026-09"),  # nothing but a date: keep it rather than invent a name
    ],
)
def test_partner_from_file_name(stem: str, partner: str) -> None:
    assert partner_from_file_name(stem) == partner


def test_two_monthly_files_are_one_partner(tmp_path: Path) -> None:
    paths = []
    for month, boxes in (("2026-08", 100), ("2026-09", 120)):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["医院名称", "品名", "数量"])
        ws.append(["华西医院", "心脉宁片", boxes])
        path = tmp_path / f"康源医药_{month.replace('-', '')}.xlsx"
        wb.save(path)
        paths.append(path)
    result = load_files(paths, settings=Settings())
    assert result.sales["partner"].unique().tolist() == ["康源医药"]
    assert result.sales.groupby("month")["boxes"].sum().to_dict() == {
        "2026-08": 100.0,
        "2026-09": 120.0,
    }


@pytest.mark.parametrize(
    ("stem", "partner"),
    [
        # ranges, years and quarters
        ("康源医药_2026年4-9月流向明细", "康源医药"),
        ("RongXin_usage_202604-202609", "RongXin"),
        ("九州通_2026.04-2026.09_终端使用明细", "九州通"),
        ("百川药业 2026年第3季度", "百川药业"),
        ("ZhongXin_sales_2026Q3", "ZhongXin"),
        ("国药控股_2026年07月15日流向", "国药控股"),
        ("华润医药 2026年", "华润医药"),
        ("kangyuan_april", "kangyuan"),
        # re-sends, corrections, copies and versions
        ("德仁医药_2026年07月销售明细(重发)", "德仁医药"),
        ("德仁医药_2026年07月销售明细（更正）", "德仁医药"),
        ("德仁医药_202607补传", "德仁医药"),
        ("德仁医药_202607_修正", "德仁医药"),
        ("华润医药 - 副本", "华润医药"),
        ("华润医药(1)", "华润医药"),
        ("华润医药_copy", "华润医药"),
        ("华润医药 v2 final", "华润医药"),
        ("KY_2026-04_corrected", "KY"),
        # words inside a company's own name stay
        ("康源医药销售有限公司_202609", "康源医药销售有限公司"),
    ],
)
def test_partner_names_survive_real_file_naming(stem: str, partner: str) -> None:
    assert partner_from_file_name(stem) == partner


def _month_file(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["月份", "医院名称", "品名", "数量"])
    for month, hospital, boxes in rows:
        ws.append([month, hospital, "心脉宁片", boxes])
    wb.save(path)
    return path


def test_four_partners_named_as_partners_name_them_and_a_resend_replaces(
    tmp_path: Path,
) -> None:
    kangyuan = _month_file(
        tmp_path / "康源医药_2026年4-9月流向明细.xlsx",
        [("2026-04", "华西医院", 100), ("2026-09", "华西医院", 120)],
    )
    rongxin = _month_file(
        tmp_path / "RongXin_usage_202604-202609.xlsx",
        [("2026-04", "省人民医院", 50), ("2026-09", "省人民医院", 70)],
    )
    deren_first = _month_file(
        tmp_path / "德仁医药_2026年07月销售明细.xlsx",
        [("2026-07", "华西医院", 500), ("2026-07", "省人民医院", 439)],
    )
    deren_resend = _month_file(
        tmp_path / "德仁医药_2026年07月销售明细(重发).xlsx",
        [("2026-07", "华西医院", 510), ("2026-07", "省人民医院", 439)],
    )
    northstar = _month_file(
        tmp_path / "Northstar Pharma sales 2026-09 final.xlsx", [("2026-09", "华西医院", 30)]
    )
    # the re-send sorts before the first file by name, and is given first: it still wins
    paths = [deren_resend, kangyuan, rongxin, deren_first, northstar]
    result = load_files(paths, settings=Settings())
    by_partner = result.sales.groupby("partner")["boxes"].sum().to_dict()
    assert by_partner == {
        "康源医药": 220.0,
        "RongXin": 120.0,
        "德仁医药": 949.0,  # 510 + 439 from the re-send, not 949 + 939
        "Northstar Pharma": 30.0,
    }
    assert result.warnings == [
        "partner 德仁医药, 2026-07: 德仁医药_2026年07月销售明细(重发).xlsx replaces "
        "德仁医药_2026年07月销售明细.xlsx (2 rows, 939.0 boxes of 德仁医药_2026年07月销售明细.xlsx "
        "not counted; re-sent: 949.0 boxes instead of 939.0, +10.0)"
    ]
    first = next(s for s in result.sheets if s.file == str(deren_first))
    assert first.kept == 0
    assert first.rows_read == first.kept + sum(first.skipped.values()) + sum(
        first.rejected.values()
    )


def test_among_files_without_a_resend_mark_the_order_given_decides(tmp_path: Path) -> None:
    a = _month_file(tmp_path / "德仁医药_202607.xlsx", [("2026-07", "华西医院", 10)])
    b = _month_file(tmp_path / "德仁医药_202607 - 副本.xlsx", [("2026-07", "华西医院", 12)])
    assert load_files([a, b], settings=Settings()).sales["boxes"].sum() == 12.0
    assert load_files([b, a], settings=Settings()).sales["boxes"].sum() == 10.0
