"""Hospital-name matching: rank standard names for partners' raw names, find likely duplicates.

Both searches share one canonical form and one scorer. The canonical form (the "core") drops
what partners add or change without meaning another hospital: full-width and bracket noise,
bracketed tags such as `(基药)`, legal suffixes (`有限公司`), pharmacy and outpatient suffixes
(`大药房`, `门诊部`), 乡 for 镇, Chinese for Arabic numerals, and the 2018 renames of military
hospitals. What it drops is kept as a feature and written into the reasons, and only formatting
differences (not a pharmacy, not a branch) may make a match `sure`.

Names that differ in a number (第一 / 第三人民医院), in a specialty (中医, 妇幼, 儿童, 口腔,
肿瘤 ...) or by a changed character in the place part (桃溪 / 花溪社区卫生服务中心) are never
sure and never suggested as duplicates without evidence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from uplift.sheets.names import match_key

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

MAX_CHARS = 200  # longer names are compared on their first 200 characters
RANK_COLUMNS = ("name", "rank", "candidate", "score", "sure", "reasons")
DUPLICATE_COLUMNS = ("name", "other", "score", "sure", "reasons")
DUPLICATE_CUTOFF = 80.0  # a pair scoring below this is not suggested
SURE_MARGIN = 5.0  # a sure rank 1 must beat rank 2 by this much
SHORTLIST = 12  # candidates per raw name scored in full after blocking
WINDOW = 4  # neighbours compared in each sorted order (duplicates)

# bracketed tags that name a branch: the master may map it to the hospital, but not in bulk
_BRANCH = (
    r"\([^()]*(?:院区|分院|分部|分店|店|门诊|院部|校区|新院|老院|东区|西区|南区|北区)[^()]*\)?"
)
LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司")
OUTLET_SUFFIXES = (
    "医药大药房",
    "连锁大药房",
    "大药房连锁",
    "医药连锁",
    "大药房",
    "药房",
    "药店",
    "门诊部",
    "连锁",
)
GENERIC_SUFFIXES = (
    "妇幼保健计划生育服务中心",
    "社区卫生服务中心",
    "社区卫生服务站",
    "中西医结合医院",
    "卫生服务中心",
    "中心卫生院",
    "妇幼保健院",
    "中医医院",
    "人民医院",
    "中心医院",
    "附属医院",
    "专科医院",
    "总医院",
    "卫生院",
    "保健院",
    "门诊部",
    "卫生室",
    "医院",
    "诊所",
)
_ZH_DIGITS = "〇零一二三四五六七八九十百"
_DIGIT_OF = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_DIGIT_OF |= {"八": 8, "九": 9}
# Chinese numerals that are numbers: after 第, or a run right before 医院 (三〇三医院, 市二医院)
_NUMERIC = f"第[{_ZH_DIGITS}]|[{_ZH_DIGITS}]+(?:人民医院|中医医院|医院)"
_NUMERIC_RE = re.compile(f"(第)([{_ZH_DIGITS}]+)|()([{_ZH_DIGITS}]+)(?=人民医院|中医医院|医院)")
# official 2018 renames (old name -> new name); numbered PLA hospitals keep their number
_MILITARY_RENAMES = (
    ("成都军区昆明总医院", "联勤保障部队第920医院"),
    ("兰州军区兰州总医院", "联勤保障部队第940医院"),
    ("兰州军区总医院", "联勤保障部队第940医院"),
    ("济南军区总医院", "联勤保障部队第960医院"),
    ("成都军区总医院", "西部战区总医院"),
    ("南京军区南京总医院", "东部战区总医院"),
    ("南京军区总医院", "东部战区总医院"),
    ("广州军区武汉总医院", "中部战区总医院"),
    ("广州军区广州总医院", "南部战区总医院"),
    ("广州军区总医院", "南部战区总医院"),
    ("沈阳军区总医院", "北部战区总医院"),
)
SPECIALTIES = (
    "中医",
    "中西医结合",
    "妇幼",
    "妇产",
    "妇女儿童",
    "儿童",
    "口腔",
    "肿瘤",
    "精神",
    "眼科",
    "骨科",
    "传染",
    "胸科",
    "皮肤",
    "康复",
    "藏医",
    "美容",
    "男科",
)
_ODD_CHAR = r"[^\x{20}-\x{7e}\x{3000}-\x{303f}\x{4e00}-\x{9fff}\x{ff01}-\x{ff5e}]"
_TAG = re.compile(r"[(\[【〔〖《<]([^()\[\]【】〔〕〖〗《》<>]*)[)\]】〕〗》>]?")


@dataclass(frozen=True)
class Evidence:
    """What the sheets or the master say about names, beyond their spelling.

    Keys are hospital names as written (looked up after `match_key`, so spacing and width do
    not matter): `prescribers` the doctors seen at a name, `partners` the partners reporting
    it, `city` the city it is in (from the master for standard names, the sheet for raw ones).
    """

    prescribers: Mapping[str, frozenset[str] | set[str]] = field(default_factory=dict)
    partners: Mapping[str, frozenset[str] | set[str]] = field(default_factory=dict)
    city: Mapping[str, str] = field(default_factory=dict)


class _Canon:
    """Canonical forms and features of a list of names, column by column."""

    def __init__(self, names: Sequence[object]) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        raw = pc.utf8_slice_codeunits(
            pa.array(["" if n is None else str(n) for n in names], pa.string()), 0, MAX_CHARS
        )
        key = pc.replace_substring_regex(pc.utf8_lower(pc.utf8_normalize(raw, "NFKC")), r"\s+", "")
        odd = np.flatnonzero(
            pc.match_substring_regex(raw, _ODD_CHAR).to_numpy(zero_copy_only=False)
        )
        if len(odd):  # anything but ASCII and CJK: the one rule, name by name
            keys = key.to_pylist()
            raws = raw.to_pylist()
            for i in odd:
                keys[i] = match_key(raws[i])
            key = pa.array(keys, pa.string())
        self.key: list[str] = key.to_pylist()
        b = pc.replace_substring_regex(key, r"[\[{【〔〖《<]", "(")
        b = pc.replace_substring_regex(b, r"[\]}】〕〗》>]", ")")
        self.tagged = _mask(pc.match_substring(b, "("))
        self.branch = _mask(pc.match_substring_regex(b, _BRANCH))
        b = pc.replace_substring_regex(
            pc.replace_substring_regex(b, r"\([^()]*\)?", ""), r"[()]", ""
        )
        rest, legal = _strip_suffix(b, LEGAL_SUFFIXES)
        self.legal = legal >= 0
        core, outlet = _strip_suffix(rest, OUTLET_SUFFIXES)
        empty = pc.equal(pc.utf8_length(core), 0)
        outlet[_mask(empty)] = -1
        core = pc.if_else(empty, rest, core)
        self.outlet: list[str] = [OUTLET_SUFFIXES[k] if k >= 0 else "" for k in outlet]
        core = pc.if_else(pc.equal(pc.utf8_length(core), 0), b, core)
        self.town = _mask(pc.match_substring(core, "乡"))
        core = pc.replace_substring(core, "乡", "镇")
        before = core
        numeric = np.flatnonzero(_mask(pc.match_substring_regex(core, _NUMERIC)))
        if len(numeric):  # 第三, 三〇三医院: numbers; 四川, 三台县: place names
            cores = core.to_pylist()
            for k in numeric:
                cores[k] = _NUMERIC_RE.sub(_arabic, cores[k])
            core = pa.array(cores, pa.string())
        self.numerals = _mask(pc.not_equal(before, core))
        before = core
        if pc.any(pc.match_substring(core, "军区")).as_py():
            for old, new in _MILITARY_RENAMES:
                core = pc.replace_substring(core, old, new)
        self.renamed = _mask(pc.not_equal(before, core))
        core = pc.replace_substring_regex(core, r"^(?:中国人民)?解放军", "")
        core = pc.replace_substring_regex(core, r"^联勤保障部队", "")
        core = pc.replace_substring_regex(core, r"^第?(\d{3})医院$", r"第\1医院")
        core = pc.replace_substring_regex(core, "中医院$", "中医医院")
        core = pc.replace_substring_regex(core, "中医院$", "中医医院")
        self.core_arrow: pa.Array = core
        self.core: list[str] = core.to_pylist()
        place, generic = _strip_suffix(core, GENERIC_SUFFIXES)
        self.place: list[str] = place.to_pylist()
        self.generic_codes = generic
        self.generic: list[str] = [GENERIC_SUFFIXES[k] if k >= 0 else "" for k in generic]
        self.place_length = pc.utf8_length(place).to_numpy(zero_copy_only=False)
        self.core_length = pc.utf8_length(core).to_numpy(zero_copy_only=False)
        nums = pc.utf8_trim_whitespace(pc.replace_substring_regex(core, r"[^0-9]+", " "))
        self.numbers: list[str] = nums.to_pylist()
        self.number_codes = pc.dictionary_encode(nums).indices.to_numpy()
        spec = np.zeros(len(self.key), dtype=np.int64)
        some = np.flatnonzero(_mask(pc.match_substring_regex(key, "|".join(SPECIALTIES))))
        if len(some):  # the few names with a specialty, token by token
            subset = key.take(pa.array(some))
            for bit, token in enumerate(SPECIALTIES):
                spec[some] |= _mask(pc.match_substring(subset, token)).astype(np.int64) << bit
        self.specialty = spec

    def __len__(self) -> int:
        return len(self.key)


def _strip_suffix(values: pa.Array, suffixes: tuple[str, ...]) -> tuple[pa.Array, np.ndarray]:
    """`values` without the longest of `suffixes` they end with, and its index (-1: none).

    The index is into `suffixes` sorted longest first (how the tables above are written).
    """
    import numpy as np
    import pyarrow.compute as pc

    which = np.full(len(values), -1, dtype=np.int64)
    suffixes = tuple(sorted(suffixes, key=len, reverse=True))
    for k, suffix in enumerate(suffixes):  # longest first, so the first hit is the one
        hit = _mask(pc.ends_with(values, suffix)) & (which < 0)
        which[hit] = k
    pattern = "(?:" + "|".join(re.escape(x) for x in suffixes) + ")$"
    return pc.replace_substring_regex(values, pattern, ""), which


def _arabic(match: re.Match[str]) -> str:
    """A Chinese numeral as digits: 三 3, 十二 12, 二十 20, 一百零五 105, 九二〇 920."""
    prefix = match.group(1) or match.group(3) or ""
    text = match.group(2) or match.group(4)
    if "十" not in text and "百" not in text:
        return prefix + "".join(str(_DIGIT_OF[c]) for c in text)
    value, digit = 0, 0
    for c in text:
        if c == "百":
            value += (digit or 1) * 100
            digit = 0
        elif c == "十":
            value += (digit or 1) * 10
            digit = 0
        else:
            digit = _DIGIT_OF[c]
    return prefix + str(value + digit)


def _mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    import numpy as np

    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)


def _specialties(mask: int) -> str:
    return "/".join(t for bit, t in enumerate(SPECIALTIES) if mask >> bit & 1) or "-"


class _Lookup:
    """Evidence keyed by `match_key`, with the lookups the scorer needs."""

    def __init__(self, evidence: Evidence | None) -> None:
        ev = evidence or Evidence()
        self.prescribers = {match_key(k): set(v) for k, v in ev.prescribers.items()}
        self.partners = {match_key(k): set(v) for k, v in ev.partners.items()}
        self.city = {match_key(k): match_key(v).removesuffix("市") for k, v in ev.city.items() if v}

    def __bool__(self) -> bool:
        return bool(self.prescribers or self.partners or self.city)


@dataclass
class _Score:
    score: float
    sure: bool
    reasons: list[str]
    conflict: bool
    place_changed: bool = False


def _place_edits(
    a: str, b: str, a_place: int, b_place: int
) -> tuple[list[tuple[str, str]], list[str]]:
    """Characters changed inside the place parts of two cores, and runs of two or more
    characters one of them adds in the middle of its place part (市 + 盘龙区 + 第二人民医院:
    a district's hospital, not the city's). Text added at the start is a dropped prefix."""
    from rapidfuzz.distance import Levenshtein

    changed, added = [], []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "replace" and op.src_start < a_place and op.dest_start < b_place:
            changed.append((a[op.src_start : op.src_end], b[op.dest_start : op.dest_end]))
        elif op.tag in ("insert", "delete") and op.src_start > 0 and op.dest_start > 0:
            text = a[op.src_start : op.src_end] or b[op.dest_start : op.dest_end]
            if len(text) >= 2 and op.src_start <= a_place and op.dest_start <= b_place:
                added.append(text)
    return changed, added


def _score(a: _Canon, i: int, b: _Canon, j: int, ev: _Lookup) -> _Score:
    """How likely name `i` of `a` and name `j` of `b` are one hospital, with the reasons."""
    from rapidfuzz.fuzz import ratio

    ka, kb = a.key[i], b.key[j]
    ca, cb = a.core[i], b.core[j]
    reasons: list[str] = []
    conflict = False
    changed: list[tuple[str, str]] = []
    added: list[str] = []
    formatting = True  # only differences a bulk acceptance may ignore
    if ka == kb:
        score = 100.0
        reasons.append("same name")
    elif ca == cb:
        score = 100.0
        formatting = _cleaning(a, i, b, j, reasons)
        score = 100.0 if formatting else 94.0
        if not reasons:
            reasons.append("same name after cleaning")
    else:
        formatting = False
        _cleaning(a, i, b, j, reasons)
        sim = float(ratio(ca, cb))
        score = sim
        short, long_ = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
        short_place = a.place[i] if short is ca else b.place[j]
        if short and short in long_ and len(short_place) >= 2:
            cover = len(short) / len(long_)
            base = 86.0 if long_.endswith(short) else 80.0
            score = max(score, base + 8.0 * cover)
            extra = long_.replace(short, "", 1)
            reasons.append(f"one name inside the other (+{extra})")
        na, nb = a.numbers[i], b.numbers[j]
        if na != nb:
            if na and nb:
                conflict = True
                reasons.append(f"different numbers: {na} / {nb}")
                score = min(score, 40.0)
            else:
                reasons.append("a number in one name only")
                score -= 12.0
        if a.specialty[i] != b.specialty[j]:
            conflict = True
            reasons.append(
                f"different specialty: {_specialties(int(a.specialty[i]))} / "
                f"{_specialties(int(b.specialty[j]))}"
            )
            score = min(score, 40.0)
        changed, added = _place_edits(ca, cb, len(a.place[i]), len(b.place[j]))
        if added:
            reasons.append("another place inside: " + ", ".join(added[:2]))
            score -= 15.0 * len(added)
        if changed:
            shown = ", ".join(f"{x}/{y}" for x, y in changed[:2])
            reasons.append(f"different place: {shown}")
            score -= 12.0 * sum(max(len(x), len(y)) for x, y in changed)
        if a.generic[i] != b.generic[j] and a.generic[i] and b.generic[j]:
            reasons.append(f"different type: {a.generic[i]} / {b.generic[j]}")
            score -= 10.0
        reasons.append(f"similarity {sim:.0f}")
    shared = 0
    if ev:
        pa_, pb = ev.prescribers.get(ka), ev.prescribers.get(kb)
        if pa_ and pb:
            shared = len(pa_ & pb)
            if shared:
                reasons.append(f"shared prescribers: {shared}")
                score += min(12.0, 4.0 * shared)
        qa, qb = ev.partners.get(ka), ev.partners.get(kb)
        if qa and qb and qa & qb:
            reasons.append("same partner")
            score += 2.0
        ta, tb = ev.city.get(ka), ev.city.get(kb)
        if ta and tb:
            if ta == tb:
                reasons.append("same city")
                score += 4.0
            else:
                conflict = True
                reasons.append(f"different city: {ta} / {tb}")
                score = min(score - 20.0, 40.0)
    score = round(min(100.0, max(0.0, score)), 1)
    sure = not conflict and (
        (formatting and score >= 100.0)
        or (score >= 90.0 and shared >= 2 and not any(r.startswith("different") for r in reasons))
    )
    return _Score(score, sure, reasons, conflict, bool(changed or added) and not shared)


def _cleaning(a: _Canon, i: int, b: _Canon, j: int, reasons: list[str]) -> bool:
    """Add what cleaning removed from either name; False when more than formatting."""
    ka, kb = a.key[i], b.key[j]
    formatting = True
    dropped = sorted(set(_tags(ka)) ^ set(_tags(kb)))
    if dropped:
        reasons.append("same name without " + " ".join(f"({t})" for t in dropped))
    if a.legal[i] != b.legal[j]:
        reasons.append("same name without 有限公司")
    for outlet in sorted({a.outlet[i], b.outlet[j]} - {""}):
        if a.outlet[i] != b.outlet[j]:
            reasons.append(f"same name without {outlet}")
            formatting = False
    if a.branch[i] or b.branch[j]:
        reasons.append("one is a branch" if a.branch[i] != b.branch[j] else "both are branches")
        formatting = formatting and ka == kb
    if a.town[i] != b.town[j]:
        reasons.append("镇 and 乡")
    if a.numerals[i] != b.numerals[j]:
        reasons.append("same numbers written differently")
    if a.renamed[i] != b.renamed[j]:
        reasons.append("renamed military hospital")
    return formatting


def _tags(key: str) -> list[str]:
    return [t for t in _TAG.findall(key) if t]


def _bigrams(core: str) -> set[str]:
    if len(core) < 2:
        return {core} if core else set()
    return {core[k : k + 2] for k in range(len(core) - 1)}


def _shortlists(raw: _Canon, std: _Canon, size: int) -> list[list[int]]:
    """For each raw name, the standard names worth scoring: shared rare bigrams, same core.

    An inverted index over the standard cores' bigrams, weighted by rarity; bigrams found in
    more than a tenth of the standard names are used only when a name has no rarer ones.
    Work grows with the postings touched, not with raw x standard.
    """
    import numpy as np

    postings: dict[str, list[int]] = {}
    for j, core in enumerate(std.core):
        for g in _bigrams(core):
            postings.setdefault(g, []).append(j)
    n = len(std)
    cap = max(50, n // 10)
    index = {
        g: (np.asarray(p, dtype=np.int64), math.log(1.0 + n / len(p))) for g, p in postings.items()
    }
    by_core: dict[str, list[int]] = {}
    for j, core in enumerate(std.core):
        by_core.setdefault(core, []).append(j)
    out = []
    for core in raw.core:
        found = [index[g] for g in _bigrams(core) if g in index]
        rare = [f for f in found if len(f[0]) <= cap]
        use = rare or sorted(found, key=lambda f: len(f[0]))[:2]
        chosen = list(by_core.get(core, []))
        if use:
            ids = np.concatenate([f[0] for f in use])
            weights = np.concatenate([np.full(len(f[0]), f[1]) for f in use])
            uniq, inverse = np.unique(ids, return_inverse=True)
            total = np.bincount(inverse, weights=weights)
            top = uniq[np.argsort(-total, kind="stable")[:size]]
            chosen += [int(t) for t in top if int(t) not in chosen]
        out.append(chosen)
    return out


def rank_candidates(
    unmatched: Sequence[str],
    standard: Sequence[str],
    *,
    evidence: Evidence | None = None,
    limit: int = 3,
) -> pd.DataFrame:
    """The `limit` most likely standard hospitals for each unmatched raw name.

    One row per (name, candidate), best first: columns `name`, `rank` (1..limit),
    `candidate`, `score` (0-100), `sure` (bool: may be accepted in bulk; only ever on rank 1,
    for names equal after formatting-only cleaning or a very high score with at least two
    shared prescribers, with no conflict and a clear lead over rank 2) and `reasons` (list of
    short English strings). Names are distinct in first-seen order; empty names get no rows.
    """
    import pandas as pd

    names = list(dict.fromkeys(n for n in unmatched if n is not None and str(n).strip()))
    stds = list(dict.fromkeys(s for s in standard if s is not None and str(s).strip()))
    if not names or not stds or limit < 1:
        return _frame([], RANK_COLUMNS)
    raw, std, ev = _Canon(names), _Canon(stds), _Lookup(evidence)
    rows: list[tuple] = []
    for i, shortlist in enumerate(_shortlists(raw, std, max(SHORTLIST, limit))):
        if len(shortlist) < limit:  # nothing in common: fall back to the whole list
            shortlist = _fallback(raw.core[i], std.core, limit, shortlist)
        scored = sorted(
            ((_score(raw, i, std, j, ev), stds[j]) for j in shortlist),
            key=lambda p: (-p[0].score, p[0].conflict, p[1]),
        )[:limit]
        for rank, (s, cand) in enumerate(scored, start=1):
            runner_up = scored[1][0].score if len(scored) > 1 else -math.inf
            sure = s.sure and rank == 1 and runner_up <= s.score - SURE_MARGIN
            rows.append((names[i], rank, cand, s.score, sure, s.reasons))
    frame = pd.DataFrame(rows, columns=list(RANK_COLUMNS))
    return frame.astype({"rank": "int64", "score": "float64", "sure": "bool"})


def _fallback(core: str, std_cores: list[str], limit: int, chosen: list[int]) -> list[int]:
    from rapidfuzz import fuzz, process

    best = process.extract(core, std_cores, scorer=fuzz.ratio, limit=limit + len(chosen))
    return chosen + [j for _, _, j in best if j not in chosen]


def _frame(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    types = {"rank": "int64", "score": "float64", "sure": "bool"}
    return frame.astype({c: t for c, t in types.items() if c in columns})


def _candidate_pairs(canon: _Canon, ev: _Lookup) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) worth scoring, found without comparing every name with every name.

    Neighbours in the sorted cores and in the sorted reversed cores (typos at the end or at
    the start, a dropped prefix), and all names sharing one core. Then cheap vectorised
    checks: the same numbers and specialties, no changed character in the place part of two
    names of one type (桃溪 / 花溪, unless both have prescribers on record), and a small
    edit or one core inside the other.
    """
    import numpy as np
    import pyarrow.compute as pc
    from rapidfuzz import process
    from rapidfuzz.distance import Indel, Levenshtein

    n = len(canon)
    core = canon.core_arrow
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for order in (pc.sort_indices(core), pc.sort_indices(pc.utf8_reverse(core))):
        o = order.to_numpy().astype(np.int64)
        for w in range(1, min(WINDOW, n - 1) + 1):
            left.append(o[:-w])
            right.append(o[w:])
    codes = pc.dictionary_encode(core).indices.to_numpy()
    o = np.argsort(codes, kind="stable")
    same = np.flatnonzero(codes[o][1:] == codes[o][:-1])
    left.append(o[same])  # runs of one core: each with the next (a chain covers the run)
    right.append(o[same + 1])
    i, j = np.concatenate(left), np.concatenate(right)
    pair = np.sort(np.minimum(i, j) * n + np.maximum(i, j))
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]]
    i, j = pair // n, pair % n
    keep = (canon.number_codes[i] == canon.number_codes[j]) & (
        canon.specialty[i] == canon.specialty[j]
    )
    same_core = codes[i] == codes[j]
    length = canon.place_length
    swapped = (
        ~same_core & (canon.generic_codes[i] == canon.generic_codes[j]) & (length[i] == length[j])
    )
    if ev.prescribers:
        known = np.fromiter((k in ev.prescribers for k in canon.key), dtype=bool, count=n)
        swapped &= ~(known[i] & known[j])
    keep &= ~swapped
    i, j, same_core = i[keep], j[keep], same_core[keep]
    cores = np.asarray(canon.core, dtype=object)
    a, b = cores[i], cores[j]
    lev = process.cpdist(a, b, scorer=Levenshtein.distance, workers=-1)
    indel = process.cpdist(a, b, scorer=Indel.distance, workers=-1)
    la = canon.core_length[i]
    lb = canon.core_length[j]
    inside = (indel == np.abs(la - lb)) & (np.minimum(length[i], length[j]) >= 2)
    near = (lev <= 2) & (np.maximum(la, lb) >= 4)
    chosen = same_core | inside | near
    return i[chosen], j[chosen]


def duplicate_suggestions(
    names: Sequence[str], *, evidence: Evidence | None = None
) -> pd.DataFrame:
    """Pairs of names in one list (no master) that are likely one hospital spelled two ways.

    Columns `name`, `other` (each pair once, `name` first in the input order, never a name
    with itself), `score` (0-100, at least 80), `sure` (canonical forms equal after
    formatting-only cleaning, or a very high score and shared prescribers, with no conflict)
    and `reasons`. Blocked (sorted neighbours, equal cores), so it runs in about linear
    time; names are compared on their first 200 characters. Best pairs first.
    """
    distinct = [n for n in dict.fromkeys(names) if n is not None and n != ""]
    if len(distinct) < 2:
        return _frame([], DUPLICATE_COLUMNS)
    canon, ev = _Canon(distinct), _Lookup(evidence)
    rows = []
    for i, j in zip(*_candidate_pairs(canon, ev), strict=True):
        if not canon.core[i] or not canon.core[j]:
            continue  # blank names
        s = _score(canon, int(i), canon, int(j), ev)
        if s.score >= DUPLICATE_CUTOFF and not s.conflict and not s.place_changed:
            rows.append((distinct[i], distinct[j], s.score, s.sure, s.reasons))
    rows.sort(key=lambda r: (-r[2], not r[3], r[0], r[1]))
    return _frame(rows, DUPLICATE_COLUMNS)
