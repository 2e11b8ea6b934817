"""Headers of real distributor flow exports (流向明细): standardised customer names next
to the names as typed, ERP column names, code columns, units named in the header and
separate year and month columns.

Every workbook is written here, cell by cell; `load` (fixtures_build) checks
read == kept + skipped + rejected on every sheet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_build import load, rows, sheet, write_xlsx
from uplift.sheets.loading import HEADER


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
