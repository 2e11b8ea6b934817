"""How `uplift names` shows its suggestions, and says what `--accept` wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from uplift.output.i18n import t
from uplift.output.render import console, emit

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
    """A panel per name for people (candidates numbered, with their evidence); one record
    per suggestion (`NAMES_KEYS`) for programs."""
    if fmt != "table":
        emit(suggestions, fmt=fmt, keys=NAMES_KEYS, columns=[])
        return
    out = console()
    if suggestions.empty:
        console(stderr=True).print(t("No names to wash: every hospital is known."), markup=False)
        return
    from uplift.output.panels import PanelLine, PanelSpec, print_panels

    title = (
        t("Hospitals the customer master does not know, with candidates")
        if with_master
        else t("Hospital names that look like one hospital")
    )
    out.print(title, style="bold", markup=False)
    panels = []
    for name, rows in suggestions.groupby("name", sort=False):
        lines = []
        for row in rows.to_dict("records"):
            mark = t("sure") if row["sure"] else ""
            head = t("[{number}] {candidate}  score {score:.0f}").format(
                number=row["number"], candidate=row["candidate"], score=row["score"]
            )
            lines.append(PanelLine(f"{head}  {mark}".rstrip(), "bold" if row["sure"] else ""))
            if row["reasons"]:
                lines.append(PanelLine("; ".join(row["reasons"]), "dim", indent=4))
        boxes = t("{boxes} boxes").format(boxes=f"{rows['boxes'].iloc[0]:,.1f}")
        panels.append(PanelSpec(title=f"{name}  {boxes}", lines=lines))
    print_panels(panels, out=out)
    out.print(t("Accept with: uplift names --accept N (or --accept-sure)"), markup=False)


def show_accepted(pairs: list[tuple[str, str]], added: int, path: str) -> None:
    """What `--accept` wrote into uplift.toml."""
    out = console(stderr=True)
    for variant, standard in pairs:
        out.print(f"{variant} = {standard}", markup=False)
    out.print(
        t("{n} aliases written to [hospital_aliases] in {path}").format(n=added, path=path),
        markup=False,
    )
