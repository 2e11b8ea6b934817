"""The product catalogue (品规对照): which products are ours, their markets, units per box.

One row per product (and pack spec): 产品名称/品名/商品名/通用名, optional 规格,
每盒数量/包装数量/转换系数 (smallest units in one box), 是否本公司产品/我方/本品, 市场/治疗领域,
生产企业 and 别名/原始品名 (the names partners write for it). A usage row's product is
matched by its exact normalised name, then by its name with the pack spec written into
it (`心脉宁片0.25g*24片`, `心脉宁片(0.25g*24片)`), then by a listed variant. Products that
match nothing are listed by `check` with their boxes, never guessed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from uplift.errors import UnreadableFile
from uplift.sheets.masters import find_header, grid_of, split_list, yes_no
from uplift.sheets.names import match_key, normalise

if TYPE_CHECKING:
    from uplift.sheets.reading import RawSheet

PRODUCT_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "product": (
        "产品名称",
        "品名",
        "产品",
        "商品名",
        "商品名称",
        "通用名",
        "通用名称",
        "药品名称",
        "标准品名",
        "标准产品名称",
        "product",
        "productname",
    ),
    "spec": ("规格", "药品规格", "产品规格", "包装规格", "spec", "specification"),
    "per_box": (
        "每盒数量",
        "包装数量",
        "转换系数",
        "换算系数",
        "换算比",
        "每盒支数",
        "每盒片数",
        "每盒粒数",
        "每盒瓶数",
        "每盒袋数",
        "unitsperbox",
        "perbox",
        "packsize",
    ),
    "ours": (
        "是否本公司产品",
        "本公司产品",
        "是否本品",
        "本品",
        "我方",
        "是否我方产品",
        "我方产品",
        "ours",
        "own",
    ),
    "market": ("市场", "治疗领域", "领域", "所属市场", "market", "therapyarea"),
    "maker": ("生产企业", "生产厂家", "厂家", "企业", "manufacturer", "maker"),
    "variants": (
        "别名",
        "原始品名",
        "原始产品名称",
        "原始名称",
        "别称",
        "曾用名",
        "alias",
        "aliases",
    ),
}
# a catalogue holds no hospital and no quantity: such a sheet is usage detail
_USAGE_FIELDS: Final = {
    "hospital": ("医院", "医院名称", "终端", "终端名称", "客户名称", "hospital"),
    "quantity": ("数量", "销量", "盒数", "销售数量", "出库数量", "qty", "quantity"),
}
_SPEC_IN_NAME: Final = re.compile(r"[\s(（\[【]*\d[\d.]*\s*(?:mg|g|ml|μg|ug|iu|万?单位|%).*$", re.I)


@dataclass(frozen=True)
class CatalogueEntry:
    """One product (and pack spec) of the catalogue."""

    product: str
    spec: str = ""
    per_box: float | None = None  # smallest units (支/片/粒 ...) in one box
    ours: bool | None = None
    market: str = ""
    maker: str = ""
    variants: tuple[str, ...] = ()
    row: int = 0  # Excel row


@dataclass(frozen=True)
class Catalogue:
    """Every product the company tracks, with how partners may write it."""

    entries: tuple[CatalogueEntry, ...]
    source: str = ""

    @property
    def names(self) -> frozenset[str]:
        """The catalogue's own product names."""
        return frozenset(e.product for e in self.entries)

    def standard_name(self, product: str) -> str | None:
        """The catalogue's name for `product` as a partner wrote it, or None."""
        return self._lookup.get(match_key(product)) or self._lookup.get(
            match_key(_SPEC_IN_NAME.sub("", normalise(product)))
        )

    @property
    def _lookup(self) -> dict[str, str]:
        found = self.__dict__.get("_lookup_cache")
        if found is None:
            found = {}
            for e in self.entries:  # variants first, so an own name wins over a variant
                for v in e.variants:
                    found.setdefault(match_key(v), e.product)
            for e in self.entries:
                found[match_key(e.product)] = e.product
                if e.spec:
                    found[match_key(e.product + e.spec)] = e.product
            object.__setattr__(self, "_lookup_cache", found)
        return found

    def to_json(self) -> str:
        """The catalogue as JSON text (kept in the workspace)."""
        rows = [dataclasses.asdict(e) for e in self.entries]
        return json.dumps({"source": self.source, "entries": rows}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Catalogue:
        """The catalogue `to_json` wrote."""
        data = json.loads(text)
        entries = tuple(
            CatalogueEntry(**{**e, "variants": tuple(e["variants"])}) for e in data["entries"]
        )
        return cls(entries, data["source"])

    def per_box(self, product: str, spec: str = "") -> float | None:
        """Units per box of a (standard) product; by its spec when it has several."""
        rows = [e for e in self.entries if e.product == product and e.per_box]
        factors = {e.per_box for e in rows}
        if len(factors) == 1:
            return rows[0].per_box
        key = match_key(spec)
        for e in rows:
            if key and match_key(e.spec) == key:
                return e.per_box
        return None

    def ours(self) -> frozenset[str]:
        """Products the catalogue marks as ours."""
        return frozenset(e.product for e in self.entries if e.ours)

    def markets(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """Market -> (our products, competitor products), for entries that name a market."""
        out: dict[str, tuple[set[str], set[str]]] = {}
        for e in self.entries:
            if e.market:
                ours, others = out.setdefault(e.market, (set(), set()))
                (ours if e.ours else others).add(e.product)
        return {m: (frozenset(o), frozenset(c)) for m, (o, c) in out.items()}


def catalogue_header(grid: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """Where a product catalogue's header is, or None when the sheet is no catalogue."""
    return find_header(
        grid,
        PRODUCT_ALIASES,
        ("product",),
        one_of=("per_box", "ours", "market", "variants"),
        refused=_USAGE_FIELDS,
    )


def catalogue_from_sheets(sheets: list[RawSheet], source: str) -> Catalogue | None:
    """The catalogue held by these sheets, or None when none of them is a catalogue."""
    entries: list[CatalogueEntry] = []
    found = False
    for raw in sheets:
        grid = grid_of(raw)
        header = catalogue_header(grid)
        if header is None:
            continue
        found = True
        entries += _entries(grid, header, source, raw.name)
    return Catalogue(tuple(entries), source) if found else None


def _entries(
    grid: list[list[str]], header: tuple[int, dict[str, int]], source: str, sheet: str
) -> list[CatalogueEntry]:
    from uplift.sheets.loading import is_total_label

    top, cols = header

    def cell(row: list[str], field: str) -> str:
        c = cols.get(field)
        return row[c] if c is not None and c < len(row) else ""

    out = []
    for r in range(top + 1, len(grid)):
        row = grid[r]
        product = cell(row, "product")
        if not product or is_total_label(product):
            continue
        per_box = _count(cell(row, "per_box"), source, sheet, r + 1)
        out.append(
            CatalogueEntry(
                product=product,
                spec=cell(row, "spec"),
                per_box=per_box,
                ours=yes_no(cell(row, "ours")),
                market=cell(row, "market"),
                maker=cell(row, "maker"),
                variants=tuple(split_list(cell(row, "variants"))),
                row=r + 1,
            )
        )
    return out


def _count(text: str, source: str, sheet: str, row: int) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise UnreadableFile(
            f'{source}, sheet "{sheet}", row {row}, column units per box: '
            f'"{text[:40]}" is not a positive number',
            hint="write the number of 支/片/粒 in one box, or leave the cell empty",
        )
    return value
