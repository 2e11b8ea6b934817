"""How `uplift names` shows its suggestions, and says what `--accept` wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from uplift.output.i18n import t
from uplift.output.render import Column, console, emit

if TYPE_CHECKING:
    import pandas as pd

NAMES_KEYS: Final = (
    "number",
    "name",
    "boxes",
    "rank",
    "candidate",
    "score",
    "sure",
    "reasons",
    "source",
)


def show_names(suggestions: pd.DataFrame, *, fmt: str, with_master: bool) -> None:
    """The suggestions: a table for people (reasons joined), JSON/CSV records for programs."""
    shown = suggestions.assign(
        evidence=["; ".join(r) for r in suggestions["reasons"]],
        sure_mark=["✓" if s else "" for s in suggestions["sure"]],
    )
    columns = [
        Column("number", t("No."), "int", "right"),
        Column("name", t("Hospital as written")),
        Column("boxes", t("Boxes"), "float1", "right"),
        Column("candidate", t("Standard name") if with_master else t("Same hospital as")),
        Column("score", t("Score"), "int", "right"),
        Column("sure_mark", t("Sure")),
        Column("evidence", t("Evidence")),
    ]
    title = (
        t("Hospitals the customer master does not know, with candidates")
        if with_master
        else t("Hospital names that look like one hospital")
    )
    if fmt == "table" and suggestions.empty:
        console(stderr=True).print(t("No names to wash: every hospital is known."), markup=False)
        return
    emit(shown, fmt=fmt, keys=NAMES_KEYS, columns=columns, title=title)


def show_accepted(pairs: list[tuple[str, str]], added: int, path: str) -> None:
    """What `--accept` wrote into uplift.toml."""
    out = console(stderr=True)
    for variant, standard in pairs:
        out.print(f"{variant} = {standard}", markup=False)
    out.print(
        t("{n} aliases written to [hospital_aliases] in {path}").format(n=added, path=path),
        markup=False,
    )
