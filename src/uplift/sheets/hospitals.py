"""Finding the hospital a user means: exact, normalised, alias, then a unique partial match;
and mapping a table's hospital names through the aliases in force."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uplift.errors import UpliftError
from uplift.sheets.names import match_key, normalise

if TYPE_CHECKING:
    import pandas as pd


class UnknownHospital(UpliftError):
    """No hospital, or several, match what the user typed: a bad option, exit 2."""

    exit_code = 2


def find_hospital(name: str, hospitals: list[str], aliases: dict[str, str]) -> str:
    """The one hospital `name` refers to, or UnknownHospital with suggestions."""
    if name in hospitals:
        return name
    wanted = normalise(name)
    if wanted in hospitals:
        return wanted
    alias = aliases.get(wanted)
    if alias is not None and alias in hospitals:
        return alias
    by_key = {match_key(h): h for h in hospitals}
    key = match_key(name)
    if key in by_key:
        return by_key[key]
    partial = sorted(h for k, h in by_key.items() if key and key in k)
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        shown = ", ".join(partial[:8]) + (
            f" and {len(partial) - 8} more" if len(partial) > 8 else ""
        )
        raise UnknownHospital(
            f'"{name}" matches several hospitals: {shown}', hint="give more of the name"
        )
    from rapidfuzz import fuzz, process

    close = process.extract(wanted, hospitals, scorer=fuzz.WRatio, limit=3)
    suggestions = ", ".join(c[0] for c in close)
    raise UnknownHospital(
        f'no hospital "{name}"' + (f"; did you mean: {suggestions}?" if suggestions else "")
    )


def with_aliases(frame: pd.DataFrame, aliases: dict[str, str]) -> pd.DataFrame:
    """`frame` with its hospital names mapped through `aliases` (variant -> standard name).

    For tables read back from the workspace: an alias accepted after a sheet was loaded
    (`uplift names --accept`) applies to what is kept without loading the sheet again.
    Sorted categoricals stay sorted categoricals.
    """
    import numpy as np
    import pandas as pd

    column = "hospital"
    if not aliases or column not in frame.columns or frame.empty:
        return frame
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in values.cat.categories]
        mapped = [aliases.get(c, c) for c in categories]
        if mapped == categories:
            return frame
        names = sorted(set(mapped))
        position = {n: i for i, n in enumerate(names)}
        recode = np.array([position[m] for m in mapped], dtype=np.int64)
        codes = values.cat.codes.to_numpy()
        new = np.where(codes >= 0, recode[np.maximum(codes, 0)], -1)
        out = frame.copy()
        out[column] = pd.Categorical.from_codes(new, categories=names)
        return out
    if not values.isin(list(aliases)).any():
        return frame
    out = frame.copy()
    out[column] = values.map(lambda v: aliases.get(v, v)).astype(values.dtype)
    return out
