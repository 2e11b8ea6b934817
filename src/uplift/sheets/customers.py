"""The customer master (客户对照): hospital codes and variant names -> the standard hospital.

One row per hospital: 医院编码/终端编码/客户编码, 医院名称/终端名称 (the standard name),
optional 别名 (variants partners write, several in one cell), 等级, 省份, 城市. A usage
row whose hospital is a listed code or variant is counted under the standard name; a code
missing from the master is kept under the code and listed by `check`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from uplift.sheets.masters import find_header, grid_of, split_list

if TYPE_CHECKING:
    from uplift.sheets.reading import RawSheet

CUSTOMER_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "code": (
        "医院编码",
        "终端编码",
        "客户编码",
        "机构编码",
        "医院代码",
        "客户代码",
        "终端代码",
        "hospitalcode",
        "customercode",
        "code",
    ),
    "name": (
        "医院名称",
        "终端名称",
        "客户名称",
        "标准名称",
        "标准医院名称",
        "标准终端名称",
        "标准客户名称",
        "医疗机构名称",
        "医院",
        "hospital",
        "hospitalname",
        "customername",
        "name",
    ),
    "aliases": (
        "别名",
        "曾用名",
        "原始名称",
        "原始客户名称",
        "原始医院名称",
        "变体",
        "alias",
        "aliases",
    ),
    "grade": ("等级", "医院等级", "级别", "grade", "level"),
    "province": ("省份", "省", "province"),
    "city": ("城市", "市", "地市", "city"),
}
_USAGE_FIELDS: Final = {
    "product": ("品名", "产品名称", "产品", "通用名", "商品名称", "药品名称", "product"),
    "quantity": ("数量", "销量", "盒数", "销售数量", "出库数量", "qty", "quantity"),
}


@dataclass(frozen=True)
class Customer:
    """One hospital of the master."""

    name: str
    code: str = ""
    aliases: tuple[str, ...] = ()
    grade: str = ""
    province: str = ""
    city: str = ""
    row: int = 0


@dataclass(frozen=True)
class CustomerMaster:
    """The company's standard hospitals and what partners write for them."""

    customers: tuple[Customer, ...]
    source: str = ""

    @property
    def names(self) -> frozenset[str]:
        """The standard hospital names."""
        return frozenset(c.name for c in self.customers)

    def aliases(self) -> dict[str, str]:
        """Code or variant -> standard name (a standard name never maps elsewhere)."""
        names = self.names
        out: dict[str, str] = {}
        for c in self.customers:
            for key in (c.code, *c.aliases):
                if key and key not in names and key != c.name:
                    out.setdefault(key, c.name)
        return out

    def to_json(self) -> str:
        """The master as JSON text (kept in the workspace)."""
        rows = [dataclasses.asdict(c) for c in self.customers]
        return json.dumps({"source": self.source, "customers": rows}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CustomerMaster:
        """The master `to_json` wrote."""
        data = json.loads(text)
        rows = tuple(Customer(**{**c, "aliases": tuple(c["aliases"])}) for c in data["customers"])
        return cls(rows, data["source"])

    def city_of(self) -> dict[str, str]:
        """Standard name -> city, where the master gives one."""
        return {c.name: c.city for c in self.customers if c.city}


def customer_header(grid: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """Where a customer master's header is, or None when the sheet is no customer master."""
    return find_header(
        grid,
        CUSTOMER_ALIASES,
        ("name",),
        one_of=("code", "aliases", "grade", "province", "city"),
        refused=_USAGE_FIELDS,
    )


def customers_from_sheets(sheets: list[RawSheet], source: str) -> CustomerMaster | None:
    """The customer master held by these sheets, or None when none of them is one."""
    from uplift.sheets.loading import is_total_label

    customers: list[Customer] = []
    found = False
    for raw in sheets:
        grid = grid_of(raw)
        header = customer_header(grid)
        if header is None:
            continue
        found = True
        top, cols = header

        def cell(row: list[str], field: str, cols: dict[str, int] = cols) -> str:
            c = cols.get(field)
            return row[c] if c is not None and c < len(row) else ""

        for r in range(top + 1, len(grid)):
            row = grid[r]
            name = cell(row, "name")
            if not name or is_total_label(name):
                continue
            customers.append(
                Customer(
                    name=name,
                    code=cell(row, "code"),
                    aliases=tuple(split_list(cell(row, "aliases"))),
                    grade=cell(row, "grade"),
                    province=cell(row, "province"),
                    city=cell(row, "city"),
                    row=r + 1,
                )
            )
    return CustomerMaster(tuple(customers), source) if found else None
