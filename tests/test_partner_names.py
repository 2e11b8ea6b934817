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
