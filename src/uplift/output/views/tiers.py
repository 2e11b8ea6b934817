"""How `uplift tier` shows its result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uplift.analysis.tiers import DECILE, MONTHLY, SHARE
from uplift.analysis.volumes import collector_paused, entity_keys
from uplift.output.i18n import t
from uplift.output.render import Column, console, emit, print_table
from uplift.sheets import columns as C

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


@collector_paused()
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
    of: int | None = None,
    vips: int | None = None,
) -> None:
    """Entities with their tiers, then (tables only) the per-tier summary.

    `result` may be the first rows of the full listing (`--top`): `of` is how many the
    full listing holds and `vips` its VIP hospitals; the summary is of the full listing.
    """
    keys = tier_keys(by, method)
    months = sorted(sales[C.MONTH].unique())
    window = f"{months[0]}..{months[-1]}" if months else t("no months")
    count = t("{n} month" if len(months) == 1 else "{n} months").format(n=len(months))
    if basis == "average":
        figure = t("average boxes/month")
    else:
        figure = t("boxes in {month}").format(month=months[-1] if months else "")
    columns = [Column(k, t(HEADERS[k])) for k in entity_keys(by)]
    columns.append(Column(C.BOXES, t("Boxes"), "float1"))
    columns.append(Column(C.TIER, t("Tier")))
    if method == "decile":
        columns.append(Column(DECILE, t("Decile"), justify="right"))
    if by == "hospital":
        columns.append(Column(C.VIP, t("VIP"), "bool"))
    columns += [
        Column(C.MONTHS, t("Months"), justify="right"),
        Column(SHARE, t("Share"), "pct"),
        Column(MONTHLY, t("Trend"), "spark"),
    ]
    title = t("Tiers by {by}: {figure}, our products, {window}").format(
        by=t(by), figure=figure, window=f"{window} ({count})"
    )
    if of is not None and of > len(result):
        title += t(" (top {n} of {total})").format(n=len(result), total=f"{of:,}")
    emit(result, fmt=fmt, keys=keys, columns=columns, title=title)
    if fmt != "table":
        return
    bounds = ", ".join(f"{x:g}" for x in settings.thresholds)
    summary_cols = [
        Column(C.TIER, t("Tier")),
        Column("from_boxes", t("From boxes"), "int"),
        Column("entities", t("Entities"), "int"),
        Column(C.BOXES, t("Boxes"), "float1"),
        Column(SHARE, t("Share of boxes"), "pct"),
    ]
    summary_title = t("Summary (thresholds {bounds})").format(bounds=bounds)
    if of is not None and of > len(result):
        summary_title += t(", all {total}, not only the top {n}").format(
            n=len(result), total=f"{of:,}"
        )
    print_table(summary, summary_cols, title=summary_title)
    if by == "hospital":
        vip = int(result[C.VIP].sum()) if vips is None else vips
        console().print(
            t("VIP hospitals (>= {vip} boxes/month): {n}").format(vip=f"{settings.vip:g}", n=vip),
            markup=False,
        )
