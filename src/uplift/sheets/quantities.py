"""Quantities as partners write them: text numbers, units, pack specs, boxes."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

BOX_UNITS: Final = frozenset({"", "盒", "box", "boxes", "bx", "盒装", "件盒", "hz"})
COUNT_UNITS: Final = frozenset(
    {
        "支",
        "瓶",
        "片",
        "袋",
        "粒",
        "丸",
        "贴",
        "枚",
        "包",
        "板",
        "只",
        "管",
        "袋装",
        "最小单位",  # the pack's smallest unit, whatever the spec calls it (数量(最小单位))
        "tablet",
        "tablets",
        "vial",
        "vials",
        "ampoule",
        "amp",
        "bag",
        "bags",
        "bottle",
        "bottles",
        "pcs",
        "piece",
        "pieces",
        "tab",
        "tabs",
        "capsule",
        "capsules",
        "cap",
        "caps",
    }
)
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in COUNT_UNITS | BOX_UNITS if u), key=len)[::-1])
# "120", "1,200", "-3", "1.5", "120盒", "25 支"
_NUMBER = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(" + _UNIT_ALT + r")?\s*$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^([+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?)(?!\d|,)")
_SPEC_TOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*(" + _UNIT_ALT + r")", re.IGNORECASE)
_PER_BOX = re.compile(r"[/每]\s*(盒|box)|盒装|/\s*$", re.IGNORECASE)
_CONTAINERS: Final = ("板", "袋", "包", "瓶")
# English units in their plural and short forms: `10 vials/box` counts `vial`
_SAME_UNIT: Final = {
    "tablets": "tablet",
    "tab": "tablet",
    "tabs": "tablet",
    "capsules": "capsule",
    "cap": "capsule",
    "caps": "capsule",
    "vials": "vial",
    "ampoule": "amp",
    "bags": "bag",
    "bottles": "bottle",
    "pieces": "pcs",
    "piece": "pcs",
    "袋装": "袋",
}


def _canonical_unit(unit: str) -> str:
    return _SAME_UNIT.get(unit, unit)


def unit_kind(unit: str) -> str:
    """'box', 'count' (units to convert by the spec) or 'unknown'."""
    u = unicodedata.normalize("NFKC", unit).strip().casefold()
    if u in BOX_UNITS:
        return "box"
    if u in COUNT_UNITS:
        return "count"
    return "unknown"


def parse_number(text: str) -> tuple[float, str] | None:
    """(value, unit written after it) for `120`, `1,200`, `120盒`, `１２０`; None if not a number.

    Commas count only as thousands separators (`1,200`); `1,2` is not a number, so a
    decimal comma is never misread as a thousand.
    """
    s = unicodedata.normalize("NFKC", text).replace(" ", "")
    if "," in s:
        m = _THOUSANDS.match(s)
        if not m:
            return None
        s = m.group(1).replace(",", "") + s[m.end(1) :]
    m = _NUMBER.match(s)
    if not m:
        return None
    value = float(m.group(1))
    if math.isinf(value) or math.isnan(value):
        return None
    return value, (m.group(2) or "")


def parse_numbers(values: pd.Series) -> pd.DataFrame:
    """Vectorised `parse_number`: columns `value` (NaN when not a number) and `unit`.

    Each distinct text is parsed once: plain numbers by pandas, the rest (`120盒`,
    `1,200`, full-width digits) by `parse_number`; the answers are mapped back.
    """
    import numpy as np
    import pandas as pd

    from uplift.sheets.distinct import codes_and_values, numbers_from_codes, texts_from_codes

    codes, uniques = codes_and_values(values)
    text = pd.Series(uniques, dtype="str")
    numbers = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(copy=True)
    units = [""] * len(uniques)
    for i in np.flatnonzero(np.isnan(numbers) & (text != "").to_numpy()):
        parsed = parse_number(uniques[i])
        if parsed is not None:
            numbers[i], units[i] = parsed
    numbers[~np.isfinite(numbers)] = np.nan
    return pd.DataFrame(
        {
            "value": numbers_from_codes(numbers, codes, values.index),
            "unit": texts_from_codes(units, codes, values.index),
        }
    )


def units_per_box(spec: str, unit: str) -> float | None:
    """How many `unit` make one box by the pack spec, or None when the spec cannot say.

    `10支/盒` -> 10; `2ml:4mg*5支/盒` -> 5; `5mg*14片/盒` -> 14; `10片*3板/盒` -> 30 片.
    Only counts of the row's own unit (and of containers holding it, such as 板) are used:
    a spec that never mentions the unit gives None, so nothing is guessed.
    """
    s = unicodedata.normalize("NFKC", spec).casefold()
    u = _canonical_unit(unicodedata.normalize("NFKC", unit).strip().casefold())
    tokens = [(float(n), _canonical_unit(t.casefold())) for n, t in _SPEC_TOKEN.findall(s)]
    counts = [(n, t) for n, t in tokens if t in COUNT_UNITS]
    if u == "最小单位" and counts:
        u = counts[0][1]  # 10支/盒 counted in 最小单位: the 支
    if not any(t == u for _, t in counts):
        return None
    # from the row's unit on, multiply through containers: 10片*3板 -> 30
    start = next(i for i, (_, t) in enumerate(counts) if t == u)
    total = counts[start][0]
    for n, t in counts[start + 1 :]:
        if t in _CONTAINERS and t != u:
            total *= n
    if total <= 0:
        return None
    return total


def describe_spec_problem(spec: str, unit: str) -> str:
    """Why a quantity in `unit` cannot become boxes with this spec."""
    if not spec.strip():
        return f'quantity is in "{unit}" but there is no pack spec (规格) to convert it to boxes'
    return f'quantity is in "{unit}" but the pack spec "{spec}" does not say how many make a box'
