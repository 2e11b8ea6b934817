"""Finding the header row and matching column names against the alias table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from uplift.sheets.names import match_key

# Canonical field -> accepted header names (Chinese, English, pinyin). Compared after
# NFKC, case folding and removing spaces; a bracketed suffix such as 数量(支) is ignored
# for matching and kept as a unit hint.
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "hospital": (
        "医院名称",
        "终端名称",
        "客户名称",
        "医院",
        "终端",
        "客户",
        "医疗机构",
        "医疗机构名称",
        "标准医院名称",
        "标准终端名称",
        "标准客户名称",
        "原始医院名称",
        "原始终端名称",
        "原始客户名称",
        "匹配客户名称",
        "映射客户名称",
        "终端客户",
        "终端客户名称",
        "hospital",
        "hospitalname",
        "customer",
        "customername",
        "terminal",
        "terminalname",
        "account",
        "yiyuan",
        "yiyuanmingcheng",
        "kehumingcheng",
        "zhongduan",
    ),
    "department": ("科室", "科室名称", "科别", "使用科室", "dept", "department", "keshi"),
    "prescriber": (
        "医生",
        "医生姓名",
        "处方医生",
        "医师",
        "医师姓名",
        "处方人",
        "开方医生",
        "doctor",
        "doctorname",
        "prescriber",
        "physician",
        "yisheng",
    ),
    "product": (
        "品名",
        "产品名称",
        "产品",
        "通用名",
        "通用名称",
        "药品名称",
        "商品名",
        "商品名称",
        "品种",
        "品规",
        "itemname",
        "item",
        "product",
        "productname",
        "brand",
        "brandname",
        "tradename",
        "genericname",
        "drug",
        "pinming",
        "chanpin",
    ),
    "spec": (
        "规格",
        "包装规格",
        "产品规格",
        "药品规格",
        "商品规格",
        "spec",
        "specification",
        "pack",
        "packsize",
        "guige",
    ),
    "quantity": (
        "数量",
        "销量",
        "盒数",
        "销售数量",
        "使用数量",
        "用量",
        "出库数量",
        "纯销数量",
        "实发数量",
        "开票数量",
        "销售量",
        "发货数量",
        "采购数量",
        "入库数量",
        "发药数量",
        "用药数量",
        "处方数量",
        "消耗数量",
        "消耗量",
        "使用量",
        "最小单位数量",
        "qty",
        "quantity",
        "volume",
        "units",
        "shuliang",
        "xiaoliang",
        "salesqty",
        "salesunits",
        "salesvolume",
        "unitssold",
        "countingunits",
        "standardunits",
    ),
    # units of the smallest kind in one box: 包装数量 beside 数量(支/片) in audit panels
    "per_box": (
        "包装数量",
        "每盒数量",
        "转换系数",
        "转换比",
        "包装系数",
        "包装转换比",
        "unitsperbox",
        "perbox",
        "packquantity",
        "packqty",
    ),
    # the value of the line, kept beside the boxes (实收 before 应收: what was paid)
    "amount": (
        "金额",
        "销售金额",
        "实收金额",
        "应收金额",
        "含税金额",
        "销售额",
        "总金额",
        "价税合计",
        "amount",
        "salesamount",
        "salesvalue",
        "revenue",
    ),
    "unit": ("单位", "计量单位", "包装单位", "unit", "uom", "danwei"),
    "month": (
        "月份",
        "月",
        "年月",
        "统计年月",
        "统计月份",
        "销售年月",
        "业务年月",
        "销售月份",
        "日期",
        "销售日期",
        "订单日期",
        "使用日期",
        "开票日期",
        "出库日期",
        "业务日期",
        "单据日期",
        "记账日期",
        "处方日期",
        "开方日期",
        "发药日期",
        "购药日期",
        "购药时间",
        "交易日期",
        "交易时间",
        "销售时间",
        "结算时间",
        "month",
        "date",
        "orderdate",
        "period",
        "yuefen",
        "riqi",
    ),
    "year": ("年份", "年度", "年", "year", "nianfen"),
    "partner": (
        "合作者",
        "代理商",
        "经销商",
        "上游经销商名称",
        "经销商名称",
        "代理商名称",
        "商业公司",
        "配送商",
        "配送企业",
        "partner",
        "wsname",
        "distributor",
        "dealer",
        "wholesaler",
    ),
    # field-visit competitor sheets
    "competitor": ("竞品", "竞品名称", "竞争产品", "竞品品名", "competitor", "competitorproduct"),
    "monthly_boxes": (
        "月均盒数",
        "月销量",
        "月均销量",
        "月均用量",
        "月用量",
        "月均盒",
        "monthlyboxes",
        "boxespermonth",
        "monthlyvolume",
    ),
}

# A hospital known only by its code (医院编码): kept under the code, named by the customer
# master when there is one. Not an alias of `hospital`: a name column beats it.
CODE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "hospital_code": (
        "医院编码",
        "医院代码",
        "医院编号",
        "终端编码",
        "终端代码",
        "客户编码",
        "客户代码",
        "客户编号",
        "医疗机构编码",
        "机构编码",
        "hospitalcode",
        "hospitalid",
        "customercode",
        "customerid",
        "terminalcode",
        "custcode",
    ),
}

SALES_REQUIRED: Final = ("hospital", "product", "quantity")
COMPETITOR_REQUIRED: Final = ("hospital", "competitor", "monthly_boxes")
HEADER_SEARCH_ROWS: Final = 30
# No header name is longer; longer cells are titles or data (and a 1 MB cell must not
# reach the regular expressions below).
MAX_HEADER_CHARS: Final = 80

# The company's standardised name (匹配客户名称, 标准终端名称, MappingCustName) beats the
# name as the partner typed it (原始客户名称): it is the one hospitals are grouped by.
# Longer marks first: _strip_marks removes "matched" before "match".
_PREFERRED = ("标准", "匹配", "映射", "mapping", "mapped", "matched", "match", "standard")
_AVOIDED = ("原始", "original", "raw")
_BRACKET = re.compile(r"[\(\[（【](.*?)[\)\]）】]")
# 医院编码, 客户代码, 终端编号, 医院(编码): a code column is never a name, quantity or
# month column, however its other words match (a code-only sheet needs [columns]).
_CODE_WORDS = ("编码", "代码", "编号", "code")
_CODE_HINTS = frozenset({"id", "no", "no."})
# A bilingual header on one line: `MappingCustName 匹配客户名称`.
_ASCII_WORD = re.compile(r"^[a-z][a-z0-9_.\-]*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# 数量(支/片): several count units, the row's pack spec says which one it is.
_UNIT_SEPARATORS = re.compile(r"[/、,，|]")

_LOOKUP: dict[str, str] = {
    match_key(alias): fld for fld, aliases in ALIASES.items() for alias in aliases
}
_CODE_LOOKUP: dict[str, str] = {
    match_key(alias): fld for fld, aliases in CODE_ALIASES.items() for alias in aliases
}
# 数量(最小单位): counted in the smallest unit of the pack, whatever the spec calls it
SMALLEST_UNIT: Final = "最小单位"
_SMALLEST_HINTS = frozenset({"最小单位", "最小包装单位", "最小销售单位", "最小计量单位"})


@dataclass
class HeaderMatch:
    """The header row of one sheet and which column feeds which field."""

    row: int  # 0-based index in the grid
    fields: dict[str, int]  # field -> column index
    names: dict[int, str]  # column index -> header text as written
    unit_hints: dict[str, str] = field(default_factory=dict)  # field -> unit in brackets
    kind: str = "sales"  # "sales" or "competitors"
    # why a column was chosen over another that matched the same field, for `check`
    notes: list[str] = field(default_factory=list)

    def header(self, fld: str) -> str:
        return self.names[self.fields[fld]]


def field_for(header: object, overrides: dict[str, Any] | None = None) -> tuple[str, str] | None:
    """(field, unit hint) for one header cell, or None. Two-line headers try each line.

    `overrides` is `[columns]` from uplift.toml: field -> header name (or a list of them).
    """
    if header is None:
        return None
    text = str(header)
    if len(text) > MAX_HEADER_CHARS:
        return None
    if overrides:
        fld = override_keys(overrides).get(match_key(text))
        if fld is not None:
            return fld, ""
    for part in [text, *text.splitlines()]:
        hint_match = _BRACKET.search(part)
        hint = hint_match.group(1).strip() if hint_match else ""
        code = _CODE_LOOKUP.get(match_key(_BRACKET.sub("", part)))
        if code is not None:
            return code, ""
        if _is_code(part, hint):
            return None
        found = _known(_BRACKET.sub("", part))
        if found is None:
            found = _bilingual(_BRACKET.sub("", part))
        if found is not None:
            return found, _unit_hint(hint)
    return None


def _known(part: str) -> str | None:
    stripped = match_key(part)
    # 标准医院名称 / 医院名称(标准) both count as the standardised column
    for candidate in (stripped, _strip_marks(stripped)):
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
    return None


def _bilingual(part: str) -> str | None:
    """The field of `English 中文` written on one line: the Chinese half decides, and an
    English half naming another field makes it no header at all."""
    words = part.split()
    if len(words) != 2:
        return None
    english = [w for w in words if _ASCII_WORD.match(w.casefold())]
    chinese = [w for w in words if _CJK.search(w)]
    if len(english) != 1 or len(chinese) != 1:
        return None
    fld = _known(chinese[0])
    other = _known(english[0])
    return fld if other in (None, fld) else None


def _is_code(part: str, hint: str) -> bool:
    key = match_key(part)
    return any(w in key for w in _CODE_WORDS) or match_key(hint) in _CODE_HINTS


def _unit_hint(hint: str) -> str:
    """The unit a bracket names (数量(支) -> 支), "" when it names none. Several count units
    (数量(支/片)) are kept as `支/片`; a mix of boxes and units says nothing for sure."""
    if _is_unit(hint):
        return hint
    if match_key(hint) in _SMALLEST_HINTS:
        return SMALLEST_UNIT
    options = [o.strip() for o in _UNIT_SEPARATORS.split(hint)]
    if len(options) > 1 and all(_unit_kind(o) == "count" for o in options):
        return "/".join(options)
    return ""


def header_initials(overrides: dict[str, Any] | None = None) -> frozenset[str]:
    """The first characters of every header key: a cell whose case-folded text holds none
    of them cannot be a header (`field_for` would say None), whatever its brackets."""
    keys = [*_LOOKUP, *_CODE_LOOKUP]
    if overrides:
        keys += list(override_keys(overrides))
    return frozenset(k[0] for k in keys if k)


def override_keys(overrides: dict[str, Any]) -> dict[str, str]:
    """`[columns]` as header key -> field. Both `hospital = "终端客户"` and, written the
    other way round, `"终端客户" = "hospital"` are understood; unknown fields are skipped
    here and reported by `unknown_overrides`."""
    out: dict[str, str] = {}
    for key, value in overrides.items():
        names = value if isinstance(value, list) else [value]
        if key in ALIASES:
            for name in names:
                out[match_key(name)] = key
        elif isinstance(value, str) and value in ALIASES:
            out[match_key(key)] = value
    return out


def unknown_overrides(overrides: dict[str, Any]) -> list[str]:
    """`[columns]` entries that name no known field on either side."""
    return [
        k
        for k, v in overrides.items()
        if k not in ALIASES and not (isinstance(v, str) and v in ALIASES)
    ]


def _strip_marks(key: str) -> str:
    for mark in (*_PREFERRED, *_AVOIDED):
        key = key.replace(mark, "")
    return key


def _is_unit(hint: str) -> bool:
    return _unit_kind(hint) != "unknown"


def _unit_kind(hint: str) -> str:
    from uplift.sheets.quantities import unit_kind

    return unit_kind(hint)


def _rank(header: str) -> int:
    key = match_key(header)
    if any(m in key for m in _PREFERRED):
        return 0
    if any(m in key for m in _AVOIDED):
        return 2
    return 1


def match_row(
    cells: list[object],
    overrides: dict[str, Any] | None = None,
    optional: frozenset[str] = frozenset(),
) -> HeaderMatch | None:
    """Match one row as a header; None when it is not one.

    Fields in `optional` may be missing: the command names them for the whole sheet, as
    `load --hospital NAME` does for one hospital's own file.
    """
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    names: dict[int, str] = {}
    hints: dict[int, str] = {}
    for idx, cell in enumerate(cells):
        if cell is None or str(cell).strip() == "":
            continue
        found = field_for(cell, overrides)
        if found is None:
            continue
        fld, hint = found
        names[idx] = str(cell).replace("\n", " ").strip()
        hints[idx] = hint
        rank = _rank(str(cell))
        if overrides and match_key(cell) in override_keys(overrides):
            rank = -1  # a column named in [columns] beats any built-in alias
        elif fld == "quantity" and ("盒" in str(cell) or "box" in match_key(cell)):
            rank -= 1  # 盒数 next to 数量(支): the boxes are already counted
        elif fld == "amount" and "实收" in str(cell):
            rank -= 1  # 实收金额 beside 应收金额: what was paid
        if fld == "quantity" and not hint and SMALLEST_UNIT in str(cell):
            hints[idx] = SMALLEST_UNIT  # 最小单位数量
        candidates.setdefault(fld, []).append((rank, idx, fld))
    fields = {fld: min(options)[1] for fld, options in candidates.items()}
    notes = [_standard_note(fld, sorted(options), names) for fld, options in candidates.items()]
    notes = [n for n in notes if n]
    quantities = sorted(candidates.get("quantity", []))
    if len(quantities) > 1 and not any(n.startswith("quantity:") for n in notes):
        # 数量 and 盒数 side by side can differ tenfold: say which one counts
        used, others = quantities[0][1], [names[i] for _, i, _ in quantities[1:]]
        if overrides and match_key(names[used]) in override_keys(overrides):
            why = "named in [columns]"
        elif quantities[0][0] == quantities[1][0]:
            why = "the first of them"
        else:
            why = "it counts boxes"
        notes.append(
            f"quantity: {names[used]} used ({why}), not {', '.join(others)}; if the "
            f'figures are in another, set it in [columns]: quantity = "{others[0]}"'
        )
    brand = _brand_and_generic(candidates.get("product", []), names)
    if brand is not None:
        # 商品名 (the brand) separates makers of one molecule; 药品名称 names rows without one
        fields["product"], fields["product_generic"] = brand
        notes.append(
            f"product: {names[brand[0]]} (brand) used, {names[brand[1]]} where it is empty"
        )
    if "hospital" not in fields and "hospital_code" in fields:
        # 医院编码 and no name: the codes are the hospitals (the master names them)
        fields["hospital"] = fields.pop("hospital_code")
        notes.append(
            f"hospital: {names[fields['hospital']]} holds codes, not names "
            "(a customer master with 医院编码 and 医院名称 names them)"
        )

    if "competitor" in fields and "quantity" in fields and "monthly_boxes" not in fields:
        fields["monthly_boxes"] = fields.pop("quantity")
    if "competitor" in fields and "product" not in fields:
        kind = "competitors"
        required = COMPETITOR_REQUIRED
    else:
        kind = "sales"
        required = SALES_REQUIRED
        if "quantity" not in fields and "monthly_boxes" in fields:
            fields["quantity"] = fields.pop("monthly_boxes")
    if not all(r in fields for r in required if r not in optional):
        return None
    unit_hints = {fld: hints[idx] for fld, idx in fields.items() if hints.get(idx)}
    if "quantity" in unit_hints and "unit" in fields:
        notes.append(
            f"unit: {names[fields['quantity']]} names the unit ({unit_hints['quantity']}), "
            f"{names[fields['unit']]} counts only where it says one of them"
        )
    return HeaderMatch(
        row=-1, fields=fields, names=names, unit_hints=unit_hints, kind=kind, notes=notes
    )


_BRAND = frozenset({match_key("商品名"), "brand", "brandname", "tradename"})
_GENERIC = frozenset(
    match_key(n) for n in ("药品名称", "通用名", "通用名称", "genericname", "molecule")
)


def _brand_and_generic(
    options: list[tuple[int, int, str]], names: dict[int, str]
) -> tuple[int, int] | None:
    """(brand column, generic column) when a sheet has both, as audit panels do."""
    keys = {idx: match_key(_BRACKET.sub("", names[idx])) for _, idx, _ in options}
    brands = [i for i, k in keys.items() if k in _BRAND]
    generics = [i for i, k in keys.items() if k in _GENERIC]
    if brands and generics and min(options)[0] >= 1:  # no [columns] or standard mark chose
        return brands[0], generics[0]
    return None


def _standard_note(fld: str, options: list[tuple[int, int, str]], names: dict[int, str]) -> str:
    """`hospital: 匹配客户名称 used, not 原始客户名称 (...)` when a standardised column won
    over others matching the same field; "" otherwise."""
    rank, idx, _ = options[0]
    if rank != 0 or _rank(names[idx]) != 0:
        return ""  # no mark decided it: [columns], 盒数 over 数量(支), or the only column
    passed = [names[i] for _, i, _ in options[1:] if _rank(names[i]) > 0]
    if not passed:
        return ""
    return f"{fld}: {names[idx]} used, not {', '.join(passed)} (the standardised name wins)"


def find_header(
    rows: list[list[object]],
    overrides: dict[str, Any] | None = None,
    optional: frozenset[str] = frozenset(),
) -> HeaderMatch | None:
    """The best header within the first rows: the one matching the most fields."""
    best: HeaderMatch | None = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = match_row(cells, overrides, optional)
        if found is not None and (best is None or len(found.fields) > len(best.fields)):
            found.row = i
            best = found
    return best


def partial_fields(
    rows: list[list[object]], overrides: dict[str, Any] | None = None
) -> tuple[list[str], list[str]]:
    """For error messages: the header-like texts seen, and the fields they matched."""
    seen: list[str] = []
    matched: list[str] = []
    best = -1
    for cells in rows[:HEADER_SEARCH_ROWS]:
        texts = [_short(c) for c in cells if c not in (None, "")]
        hits = [f[0] for c in cells if (f := field_for(c, overrides)) is not None]
        if len(hits) > best and texts:
            best, seen, matched = len(hits), texts, hits
    return seen, matched


def _short(cell: object, limit: int = 40) -> str:
    text = " ".join(str(cell).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def accepted_names(fld: str) -> str:
    """A short list of accepted header names for `fld`, for messages."""
    return ", ".join(ALIASES[fld][:6])
