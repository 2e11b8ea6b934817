"""How `uplift tier` shows its result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uplift import columns as C
from uplift.render import Column, console, emit, print_table
from uplift.tiers import DECILE, MONTHLY, SHARE
from uplift.volumes import entity_keys

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

HEADERS = {
    C.HOSPITAL: "Hospital",
    C.DEPARTMENT: "Department",
    C.PRESCRIBER: "Prescriber",
    C.PARTNER: "Partner",
}


def tier_keys(by: str, method: str) -> list[str]:
    """The stable JSON/CSV keys of `uplift tier`."""
    keys = [*entity_keys(by), C.BOXES, C.TIER]
    if method == "decile":
        keys.append(DECILE)
    if by == "hospital":
        keys.append(C.VIP)
    return [*keys, C.MONTHS, SHARE, MONTHLY]


def show_tiers(
    result: pd.DataFrame,
    summary: pd.DataFrame,
    sales: pd.DataFrame,
    *,
    fmt: str,
    by: str,
    basis: str,
    method: str,
    settings: Settings,
) -> None:
    """Entities with their tiers, then (tables only) the per-tier summary."""
    keys = tier_keys(by, method)
    months = sorted(sales[C.MONTH].unique())
    window = f"{months[0]}..{months[-1]}" if months else "no months"
    figure = "average boxes/month" if basis == "average" else f"boxes in {months[-1]}"
    columns = [Column(k, HEADERS[k]) for k in entity_keys(by)]
    columns.append(Column(C.BOXES, "Boxes", "float1"))
    columns.append(Column(C.TIER, "Tier"))
    if method == "decile":
        columns.append(Column(DECILE, "Decile", justify="right"))
    if by == "hospital":
        columns.append(Column(C.VIP, "VIP", "bool"))
    columns += [
        Column(C.MONTHS, "Months", justify="right"),
        Column(SHARE, "Share", "pct"),
        Column(MONTHLY, "Trend", "spark"),
    ]
    title = f"Tiers by {by}: {figure}, our products, {window} ({len(months)} month{'s' if len(months) != 1 else ''})"
    emit(result, fmt=fmt, keys=keys, columns=columns, title=title)
    if fmt != "table":
        return
    bounds = ", ".join(f"{t:g}" for t in settings.thresholds)
    summary_cols = [
        Column(C.TIER, "Tier"),
        Column("from_boxes", "From boxes", "int"),
        Column("entities", "Entities", "int"),
        Column(C.BOXES, "Boxes", "float1"),
        Column(SHARE, "Share of boxes", "pct"),
    ]
    print_table(summary, summary_cols, title=f"Summary (thresholds {bounds})")
    if by == "hospital":
        vip = int(result[C.VIP].sum())
        console().print(f"VIP hospitals (>= {settings.vip:g} boxes/month): {vip}")
