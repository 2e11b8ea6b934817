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
