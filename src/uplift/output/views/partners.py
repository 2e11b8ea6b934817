"""How `uplift partners` shows its result: one scorecard row per partner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from uplift.analysis.partners import (
    CONCENTRATION,
    DEPARTMENTS,
    GROWTH,
    GROWTH_PCT,
    HOSPITALS,
    LAST_MONTH_BOXES,
    MONTHLY,
    MONTHS_IN_WINDOW,
    MONTHS_REPORTED,
    PRESCRIBERS,
    REJECTED_RATE,
    SCORECARD_COLUMNS,
    SHARE,
    TIER_MIX,
    VIP_HOSPITALS,
)
from uplift.output.i18n import t
from uplift.output.render import Column, emit
from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

# JSON/CSV keys, in order (tier_mix is an object {tier: hospitals} in JSON).
PARTNER_KEYS: Final = SCORECARD_COLUMNS


def show_partners(result: pd.DataFrame, *, fmt: str) -> None:
    """The scorecard, partners needing attention first (see partners.partner_scorecard)."""
    shown = result
    if fmt == "table":
        shown = result.copy()
        shown["_tiers"] = shown[TIER_MIX].map(
            lambda mix: " ".join(f"{k}{v}" for k, v in mix.items())
        )
        shown["_reported"] = [
            f"{a}/{b}" for a, b in zip(shown[MONTHS_REPORTED], shown[MONTHS_IN_WINDOW], strict=True)
        ]
    columns = [
        Column(C.PARTNER, t("Partner")),
        Column(C.BOXES, t("Boxes/month"), "float1"),
        Column(LAST_MONTH_BOXES, t("Last month"), "float1"),
        Column(GROWTH, t("Growth"), "float1"),
        Column(GROWTH_PCT, t("Growth %"), "pct"),
        Column(HOSPITALS, t("Hospitals"), "int"),
        Column(DEPARTMENTS, t("Depts"), "int"),
        Column(PRESCRIBERS, t("Prescribers"), "int"),
        Column(SHARE, t("Share"), "pct"),
        Column(CONCENTRATION, t("Top-5"), "pct"),
        Column("_tiers", t("Tier mix")),
        Column(VIP_HOSPITALS, t("VIP"), "int"),
        Column("_reported", t("Reported"), justify="right"),
        Column(REJECTED_RATE, t("Rejected"), "pct"),
        Column(MONTHLY, t("Trend"), "spark"),
    ]
    title = t("Partners: average boxes/month of our products; falling partners first")
    emit(shown, fmt=fmt, keys=PARTNER_KEYS, columns=columns, title=title)
