"""How `uplift targets` shows its result: completion per target, then unknown names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from uplift.analysis.targets import (
    ACTUAL,
    COMPLETION,
    FORECAST,
    FORECAST_COMPLETION,
    LAST_YEAR,
    MONTHS_ELAPSED,
    MONTHS_IN_PERIOD,
    PERIOD,
    REASONS,
    SHORTFALL,
    STATUS,
    TARGET,
    UNKNOWN,
    YOY_GROWTH,
    YTD_ACTUAL,
    YTD_COMPLETION,
    YTD_TARGET,
)
from uplift.output.i18n import t
from uplift.output.render import Column, print_table, records, warn, write_csv, write_json
from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

# Keys of each target record (JSON `targets`, CSV columns).
TARGET_KEYS: Final = (
    C.PARTNER,
    C.HOSPITAL,
    C.PRODUCT,
    PERIOD,
    TARGET,
    ACTUAL,
    COMPLETION,
    FORECAST,
    FORECAST_COMPLETION,
    SHORTFALL,
    STATUS,
    MONTHS_ELAPSED,
    MONTHS_IN_PERIOD,
    YTD_ACTUAL,
    YTD_TARGET,
    YTD_COMPLETION,
    LAST_YEAR,
    YOY_GROWTH,
    UNKNOWN,
    REASONS,
    C.SOURCE_FILE,
    C.SHEET,
    C.ROW,
)
# Keys of each unknown name (JSON `unknown`).
UNKNOWN_KEYS: Final = ("kind", "name", "rows", C.SOURCE_FILE, C.SHEET, "suggestion")
# Top-level keys of the JSON document.
TARGETS_JSON_KEYS: Final = ("as_of", "targets", "unknown")

REASONS_SHOWN: Final = 3  # the table shows the largest few reasons; JSON/CSV carry all


def _short_reasons(reasons: list[str]) -> str:
    shown = "; ".join(reasons[:REASONS_SHOWN])
    more = len(reasons) - REASONS_SHOWN
    return f"{shown}; ... and {more} more" if more > 0 else shown


def show_targets(
    result: pd.DataFrame,
    unknown: pd.DataFrame,
    *,
    fmt: str,
    as_of: str,
) -> None:
    """Completion per target; unknown names are listed (table, JSON) or warned (CSV)."""
    if fmt == "json":
        write_json(
            {
                "as_of": as_of,
                "targets": records(result, TARGET_KEYS),
                "unknown": records(unknown, UNKNOWN_KEYS),
            }
        )
        return
    if fmt == "csv":
        write_csv(result, TARGET_KEYS)
        for line in _unknown_lines(unknown):
            warn(line)
        return
    shown = result.copy()
    # a hospital's target with no partner counts the hospital across every partner
    every = (shown[C.PARTNER] == "") & (shown[C.HOSPITAL] != "")
    shown.loc[every, C.PARTNER] = t("(all partners)")
    shown[STATUS] = shown[STATUS].str.replace("_", " ")
    shown["_elapsed"] = [
        f"{a}/{b}" for a, b in zip(shown[MONTHS_ELAPSED], shown[MONTHS_IN_PERIOD], strict=True)
    ]
    shown["_reasons"] = shown[REASONS].map(_short_reasons)
    columns = [
        Column(C.PARTNER, t("Partner")),
        Column(C.HOSPITAL, t("Hospital")),
        Column(C.PRODUCT, t("Product")),
        Column(PERIOD, t("Period")),
        Column(TARGET, t("Target"), "float1"),
        Column(ACTUAL, t("Actual"), "float1"),
        Column(COMPLETION, t("Done"), "pct"),
        Column("_elapsed", t("Months"), justify="right"),
        Column(FORECAST, t("Forecast"), "float1"),
        Column(FORECAST_COMPLETION, t("Fcst %"), "pct"),
        Column(SHORTFALL, t("Shortfall"), "float1"),
        Column(YTD_COMPLETION, t("YTD %"), "pct"),
        Column(YOY_GROWTH, t("YoY"), "pct"),
        Column("_reasons", t("Behind the shortfall")),
    ]
    print_table(
        shown, columns, title=t("Targets as of {as_of}: boxes of our products").format(as_of=as_of)
    )
    if not unknown.empty:
        names = unknown.copy()
        names["_rows"] = names["rows"].map(lambda rows: ", ".join(str(r) for r in rows))
        names["kind"] = names["kind"].map(t)
        print_table(
            names,
            [
                Column("kind", t("Not in the data")),
                Column("name", t("Name")),
                Column("_rows", t("Rows")),
                Column("suggestion", t("Closest name in the data")),
            ],
            title=t("Names in the targets sheet not found in the sales data"),
        )


def _unknown_lines(unknown: pd.DataFrame) -> list[str]:
    out = []
    for kind, name, rows, suggestion in zip(
        unknown["kind"], unknown["name"], unknown["rows"], unknown["suggestion"], strict=True
    ):
        hint = f" (closest: {suggestion})" if suggestion else ""
        where = ", ".join(str(r) for r in rows)
        out.append(f"{kind} {name!r} in the targets sheet (row {where}) is not in the data{hint}")
    return out
