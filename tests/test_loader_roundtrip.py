"""Round trip: a random canonical table, written in a random messy layout, loads back exactly.

Hypothesis draws the table (partner, month, hospital, department, prescriber, product,
boxes) and a layout: workbook or CSV (UTF-8, UTF-8 with BOM, GBK), title rows, blank rows,
totals and footer lines, header names from the alias table in any column order, numbers
as text, quantities in units with their pack spec, months as text, dates or serials, one
sheet per month, hospitals and months merged down their block, padded and full-width
names. The loader must return the table row for row, nothing rejected, every row counted.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures_build import load, rows, write_csv, write_xlsx

PARTNERS = ("康源医药", "北星医药")
MONTHS = ("2025-11", "2025-12", "2026-01", "2026-04", "2026-06")
# hospital as stored -> ways a partner writes it
HOSPITALS = {
    "四川大学华西医院": ("四川大学华西医院", "四川大学华西医院 ", "四川大学华西医院　"),
    "省人民医院": ("省人民医院", " 省人民医院"),
    "县中医院": ("县中医院",),
    "ABC医院": ("ABC医院", "ＡＢＣ医院"),
}
DEPARTMENTS = ("心内科", "神经内科", "老年科", "")
PRESCRIBERS = {
    "王伟": ("王伟", "王　伟", "王 伟"),
    "欧阳修": ("欧阳修",),
    "李娜": ("李娜",),
    "": ("",),
}
# product -> (pack spec, unit counted, units a box)
PRODUCTS = {
    "心脉宁片": ("5mg*14片/盒", "片", 14),
    "心脉宁注射液": ("2ml:4mg*5支/盒", "支", 5),
    "脑安胶囊": ("0.25g*24粒/盒", "粒", 24),
    "氯吡格雷片": ("75mg*7片/盒", "片", 7),
}
HEADERS = {
    "partner": ("经销商", "代理商", "合作者", "Partner", "WSName"),
    "month": ("月份", "年月", "日期", "销售日期", "Month", "OrderDate"),
    "hospital": (
        "医院名称",
        "终端名称",
        "客户名称",
        "Hospital",
        "Customer Name",
        "Hospital\n医院名称",
    ),
    "department": ("科室", "Dept", "科室\nDept"),
    "prescriber": ("医生", "医生姓名", "处方医生", "Doctor"),
    "product": ("品名", "产品名称", "通用名", "ItemName", "Product\n品名"),
    "spec": ("规格", "Spec"),
    "quantity": ("数量", "销量", "QTY\n数量", "Quantity"),
    "unit": ("单位", "Unit"),
}
NUMBER_STYLES = ("number", "text", "text_unit", "full_width", "comma")
PERIOD_STYLES = ("iso", "slash", "cn", "compact", "date", "serial")
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
EPOCH = dt.date(1899, 12, 30)

canonical_row = st.tuples(
    st.sampled_from(PARTNERS),
    st.sampled_from(MONTHS),
    st.sampled_from(sorted(HOSPITALS)),
    st.sampled_from(DEPARTMENTS),
    st.sampled_from(sorted(PRESCRIBERS)),
    st.sampled_from(sorted(PRODUCTS)),
    st.integers(min_value=-30, max_value=2500),
)


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    table = draw(st.lists(canonical_row, min_size=1, max_size=20))
    n = len(table)
    fmt = draw(st.sampled_from(("xlsx", "csv")))
    return {
        "table": table,
        "fmt": fmt,
        "encoding": draw(st.sampled_from(("utf-8", "utf-8-sig", "gbk"))),
        "sheet_per_month": fmt == "xlsx" and draw(st.booleans()),
        "partner_column": draw(st.booleans()),
        "titles": draw(st.integers(0, 3)),
        "headers": {f: draw(st.sampled_from(names)) for f, names in HEADERS.items()},
        "order": draw(st.permutations(list(HEADERS))),
        "blank_after": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "subtotal_after": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "grand_total": draw(st.booleans()),
        "footer": draw(st.booleans()),
        "numbers": draw(st.lists(st.sampled_from(NUMBER_STYLES), min_size=n, max_size=n)),
        "periods": draw(st.lists(st.sampled_from(PERIOD_STYLES), min_size=n, max_size=n)),
        "in_units": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "spellings": draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
        "fill_down": draw(st.booleans()),
    }


def _number(q: int, style: str, unit: str) -> object:
    if style == "text":
        return str(q)
    if style == "text_unit":
        return f"{q}{unit}"
    if style == "full_width":
        return str(q).translate(FULL_WIDTH)
    if style == "comma":
        return f"{q:,}"
    return q


def _period(month: str, style: str, fmt: str) -> object:
    year, mon = (int(p) for p in month.split("-"))
    day = dt.date(year, mon, 15)
    if style == "slash":
        return f"{year}/{mon}"
    if style == "cn":
        return f"{year}年{mon}月"
    if style == "compact":
        return f"{year}{mon:02d}"
    if style == "date":
        return dt.datetime(year, mon, 15) if fmt == "xlsx" else day.isoformat()
    if style == "serial":
        serial = (day - EPOCH).days
        return serial if fmt == "xlsx" else str(serial)
    return month


def render(lay: dict[str, Any]) -> tuple[dict[str, list[list[Any]]], list[tuple[Any, ...]]]:
    """The sheets to write, and the canonical rows expected back, in load order."""
    table = lay["table"]
    partners = {r[0] for r in table}
    partner_column = lay["partner_column"] or len(partners) > 1
    fields = [
        f
        for f in lay["order"]
        if not (f == "partner" and not partner_column)
        and not (f == "month" and lay["sheet_per_month"])
    ]
    header = [lay["headers"][f] for f in fields]
    if lay["sheet_per_month"]:
        groups = {
            m: [i for i, r in enumerate(table) if r[1] == m] for m in sorted({r[1] for r in table})
        }
        sheets = {f"{m[:4]}年{int(m[5:])}月": idx for m, idx in groups.items()}
    else:
        sheets = {"明细": list(range(len(table)))}
    out: dict[str, list[list[Any]]] = {}
    expected: list[tuple[Any, ...]] = []
    for name, idx in sheets.items():
        grid: list[list[Any]] = [["康源医药 终端使用明细"], ["统计期间：上半年"], []][
            : lay["titles"]
        ]
        grid.append(header)
        prev: tuple[Any, ...] | None = None
        block = 0
        for i in idx:
            partner, month, hospital, dept, doctor, product, boxes = table[i]
            spec, unit, per_box = PRODUCTS[product]
            units = lay["in_units"][i]
            qty = boxes * per_box if units else boxes
            spelled = HOSPITALS[hospital][lay["spellings"][i] % len(HOSPITALS[hospital])]
            cells: dict[str, Any] = {
                "partner": partner,
                "month": _period(month, lay["periods"][i], lay["fmt"]),
                "hospital": spelled,
                "department": dept or None,
                "prescriber": PRESCRIBERS[doctor][lay["spellings"][i] % len(PRESCRIBERS[doctor])]
                or None,
                "product": product,
                "spec": spec,
                "quantity": _number(qty, lay["numbers"][i], unit if units else "盒"),
                "unit": unit if units else ("盒" if i % 2 else None),
            }
            # merged down: a hospital (and its department) written once for its block;
            # an empty department there would inherit the one above, so it is not blanked
            if (
                lay["fill_down"]
                and prev is not None
                and prev[0] == partner
                and prev[2] == hospital
                and (dept or not prev[3])
            ):
                cells["hospital"] = None
                cells["partner"] = None
                if dept and dept == prev[3]:
                    cells["department"] = None
            if lay["fill_down"] and prev is not None and prev[1] == month:
                cells["month"] = None  # a month merged down its rows
            grid.append([cells[f] for f in fields])
            expected.append((partner, month, hospital, dept, doctor, product, float(boxes)))
            prev = table[i]
            block += boxes
            if lay["subtotal_after"][i]:
                grid.append(["小计" if c == "hospital" else None for c in fields])
                grid[-1][fields.index("quantity")] = block
                prev = None  # the next row names its hospital again
                block = 0
            if lay["blank_after"][i]:
                grid.append([])
        if lay["grand_total"]:
            grid.append(["合计", *[None] * (len(fields) - 2), sum(table[i][6] for i in idx)])
        if lay["footer"]:
            grid.append(["制表人：张三"])
        out[name] = grid
    return out, expected


@settings(max_examples=25, deadline=None)
@given(layouts())
def test_any_layout_loads_back_exactly(lay: dict[str, Any]) -> None:
    sheets, expected = render(lay)
    partners = {r[0] for r in lay["table"]}
    with tempfile.TemporaryDirectory() as tmp:
        stem = next(iter(partners))  # the file name names the partner when no column does
        if lay["fmt"] == "xlsx":
            path = write_xlsx(Path(tmp) / f"{stem}.xlsx", sheets)
        else:
            (grid,) = sheets.values()
            path = write_csv(Path(tmp) / f"{stem}.csv", grid, encoding=lay["encoding"])
        result = load(path)
    assert result.rows_rejected == 0, [str(p) for s in result.sheets for p in s.examples]
    assert not result.unreadable
    assert rows(result) == expected
