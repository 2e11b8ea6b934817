"""Name normalisation: the one rule for comparing hospital, doctor and product names."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_SPACE = re.compile(r"\s+")
# A two-character Chinese name padded to three with a space (王　伟 is 王伟).
_PADDED_CJK_NAME = re.compile(r"^([\u4e00-\u9fff]) ([\u4e00-\u9fff])$")


def normalise(text: object) -> str:
    """NFKC, trim, collapse inner whitespace (U+3000 included) to one space."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _SPACE.sub(" ", s).strip()


def normalise_person(text: object) -> str:
    """Like `normalise`, and `王 伟` (a padded two-character name) becomes `王伟`."""
    return _PADDED_CJK_NAME.sub(r"\1\2", normalise(text))


def normalise_series(values: pd.Series, *, person: bool = False) -> pd.Series:
    """Vectorised `normalise` over distinct values (sheets repeat names a lot).

    A missing value becomes "".
    """
    from uplift.sheets.distinct import codes_and_values, texts_from_codes

    codes, uniques = codes_and_values(values)
    fn = normalise_person if person else normalise
    cleaned = [fn(u) for u in uniques]
    if cleaned == uniques and values.dtype == "str" and not (codes < 0).any():
        return values  # already clean (the usual case): no new column to build
    return texts_from_codes(cleaned, codes, values.index)


def match_key(text: object) -> str:
    """A looser key for matching user input: normalised and case-folded, no spaces."""
    return normalise(text).casefold().replace(" ", "")


_GENERIC = re.compile(
    r"(社区卫生服务中心|卫生服务中心|卫生院|人民医院|中心医院|中医医院|中西医结合医院|"
    r"附属医院|医院|诊所|门诊部|hospital|clinic)$"
)
# 第一人民医院 and 第三人民医院 are different hospitals, not a typo
_NUMERALS = re.compile(r"[0-9一二三四五六七八九十百零〇]")


def _distinctive(key: str) -> str:
    stripped = _GENERIC.sub("", key)
    return stripped or key


def likely_duplicates(names: list[str], *, cutoff: float = 80.0) -> list[tuple[str, str, float]]:
    """Pairs of names that are probably one entity spelled two ways (suggestions only).

    Never used to merge: the user decides, through `[hospital_aliases]` in uplift.toml.
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    uniques = sorted({n for n in names if n})
    if len(uniques) < 2:
        return []
    # compare the distinctive part: 桃溪社区卫生服务中心 vs 花溪社区卫生服务中心 differ in
    # the place name, which a shared generic suffix would hide
    keys = [_distinctive(match_key(n)) for n in uniques]
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=cutoff, workers=-1)
    pairs = []
    rows, cols = np.nonzero(scores)
    upper = rows < cols  # each pair once, not a name with itself
    for i, j in zip(rows[upper], cols[upper], strict=True):
        if _NUMERALS.sub("", keys[i]) != _NUMERALS.sub("", keys[j]) or keys[i] == keys[j]:
            pairs.append((uniques[i], uniques[j], float(scores[i, j])))
    for i, a in enumerate(
        keys if len(keys) <= 2000 else []
    ):  # one name contained in the other: 华西医院 / 四川大学华西医院
        for j in range(i + 1, len(keys)):
            b = keys[j]
            if scores[i, j] == 0 and min(len(a), len(b)) >= 2 and (a in b or b in a):
                pairs.append((uniques[i], uniques[j], float(fuzz.ratio(a, b))))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
