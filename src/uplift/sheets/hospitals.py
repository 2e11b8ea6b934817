"""Finding the hospital a user means: exact, normalised, alias, then a unique partial match."""

from __future__ import annotations

from uplift.errors import UpliftError
from uplift.sheets.names import match_key, normalise


class UnknownHospital(UpliftError):
    """No hospital, or several, match what the user typed."""


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
