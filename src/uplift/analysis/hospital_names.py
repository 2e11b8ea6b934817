"""The monthly wash of hospital names: which names in the data need a standard name.

With a customer master in force, every hospital of the data that the master does not know
gets its ranked candidates from the master (`name_matching.rank_candidates`); without one,
pairs of names in the data that look like one hospital (`name_matching.duplicate_suggestions`),
the name with fewer boxes offered as the variant of the other. Each suggestion has a number
a person can type (`uplift names --accept 3`); numbers follow the order shown (largest volume
first), so the same data gives the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

    from uplift.analysis.name_matching import Evidence
    from uplift.config import Settings

SUGGESTION_COLUMNS: Final = (
    "number",
    "name",  # the hospital as the data has it
    "boxes",  # its boxes in the data (all products, the whole window)
    "rank",
    "candidate",  # the standard name suggested
    "score",
    "sure",
    "reasons",
    "source",  # "master" (a candidate from the customer master) or "data" (a duplicate)
)


def name_suggestions(sales: pd.DataFrame, settings: Settings, *, limit: int = 3) -> pd.DataFrame:
    """Suggestions for the hospital names of `sales`, one row each (`SUGGESTION_COLUMNS`)."""
    import pandas as pd

    from uplift.analysis.name_matching import duplicate_suggestions, rank_candidates

    boxes = sales.groupby(C.HOSPITAL, observed=True)[C.BOXES].sum()
    evidence = _evidence(sales, settings)
    master = settings.customers
    if master is not None:
        unknown = [str(n) for n in boxes.index if n not in master.names]
        unknown.sort(key=lambda n: (-boxes[n], n))
        found = rank_candidates(unknown, sorted(master.names), evidence=evidence, limit=limit)
        found["source"] = "master"
    else:
        pairs = duplicate_suggestions(sorted(str(n) for n in boxes.index), evidence=evidence)
        rows = []
        for name, other, score, sure, reasons in pairs.itertuples(index=False, name=None):
            # the name with fewer boxes is offered as the variant of the other
            variant, standard = (name, other) if boxes[name] < boxes[other] else (other, name)
            rows.append((variant, 1, standard, score, sure, reasons))
        found = pd.DataFrame(
            rows, columns=["name", "rank", "candidate", "score", "sure", "reasons"]
        )
        found["source"] = "data"
    if found.empty:
        return pd.DataFrame(columns=list(SUGGESTION_COLUMNS))
    found["boxes"] = [float(boxes[n]) for n in found["name"]]
    found = found.sort_values(
        ["boxes", "name", "rank"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    found["number"] = range(1, len(found) + 1)
    return found[list(SUGGESTION_COLUMNS)]


def _evidence(sales: pd.DataFrame, settings: Settings) -> Evidence:
    """Prescribers and partners seen at each name, and each standard hospital's city."""
    from uplift.analysis.name_matching import Evidence

    prescribers: dict[str, set[str]] = {}
    if C.PRESCRIBER in sales.columns:
        named = sales[sales[C.PRESCRIBER].astype("str") != ""]
        for hospital, doctor in (
            named[[C.HOSPITAL, C.PRESCRIBER]].drop_duplicates().itertuples(index=False, name=None)
        ):
            prescribers.setdefault(str(hospital), set()).add(str(doctor))
    partners: dict[str, set[str]] = {}
    if C.PARTNER in sales.columns:
        for hospital, partner in (
            sales[[C.HOSPITAL, C.PARTNER]].drop_duplicates().itertuples(index=False, name=None)
        ):
            partners.setdefault(str(hospital), set()).add(str(partner))
    city = settings.customers.city_of() if settings.customers is not None else {}
    return Evidence(prescribers=prescribers, partners=partners, city=city)


def accepted_pairs(
    suggestions: pd.DataFrame, numbers: list[int], *, sure: bool = False
) -> tuple[list[tuple[str, str]], list[int]]:
    """(variant, standard name) for the suggestions numbered `numbers` (and every sure one
    with `sure`), one per variant; and the numbers that do not exist."""
    by_number = {int(n): i for i, n in enumerate(suggestions["number"])}
    missing = [n for n in numbers if n not in by_number]
    chosen = [by_number[n] for n in numbers if n in by_number]
    if sure:
        chosen += [i for i, s in enumerate(suggestions["sure"]) if s]
    pairs: dict[str, str] = {}
    for i in sorted(set(chosen)):
        row = suggestions.iloc[i]
        pairs.setdefault(str(row["name"]), str(row["candidate"]))
    return list(pairs.items()), missing
