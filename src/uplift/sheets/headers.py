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
        "drug",
        "pinming",
        "chanpin",
    ),
    "spec": ("规格", "包装规格", "产品规格", "spec", "specification", "pack", "packsize", "guige"),
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
        "qty",
        "quantity",
        "volume",
        "units",
        "shuliang",
        "xiaoliang",
    ),
    "unit": ("单位", "计量单位", "包装单位", "unit", "uom", "danwei"),
    "month": (
        "月份",
        "月",
        "年月",
        "日期",
        "销售日期",
        "订单日期",
        "使用日期",
        "开票日期",
        "出库日期",
        "业务日期",
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
    options = [o.strip() for o in _UNIT_SEPARATORS.split(hint)]
    if len(options) > 1 and all(_unit_kind(o) == "count" for o in options):
        return "/".join(options)
    return ""


def header_initials(overrides: dict[str, Any] | None = None) -> frozenset[str]:
    """The first characters of every header key: a cell whose case-folded text holds none
    of them cannot be a header (`field_for` would say None), whatever its brackets."""
    keys = list(_LOOKUP)
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


def match_row(cells: list[object], overrides: dict[str, Any] | None = None) -> HeaderMatch | None:
    """Match one row as a header; None when it is not one."""
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
        candidates.setdefault(fld, []).append((rank, idx, fld))
    fields = {fld: min(options)[1] for fld, options in candidates.items()}
    notes = [_standard_note(fld, sorted(options), names) for fld, options in candidates.items()]
    notes = [n for n in notes if n]
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
    if not all(r in fields for r in required):
        return None
    unit_hints = {fld: hints[idx] for fld, idx in fields.items() if hints.get(idx)}
    return HeaderMatch(
        row=-1, fields=fields, names=names, unit_hints=unit_hints, kind=kind, notes=notes
    )


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
    rows: list[list[object]], overrides: dict[str, Any] | None = None
) -> HeaderMatch | None:
    """The best header within the first rows: the one matching the most fields."""
    best: HeaderMatch | None = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = match_row(cells, overrides)
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
