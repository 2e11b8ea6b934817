"""How `uplift load`, `sources`, `forget` and `trace` report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uplift.output.i18n import t
from uplift.output.render import Column, console, emit
from uplift.sheets import columns as C

if TYPE_CHECKING:
    import pandas as pd

    from uplift.store.workspace import LoadSummary

SOURCES_KEYS = (
    "file",
    "partner",
    "kind",
    "months",
    "rows",
    "boxes",
    "rows_read",
    "rows_rejected",
    "loaded_at",
    "digest",
)
TRACE_KEYS = (
    C.SOURCE_FILE,
    C.SHEET,
    C.ROW,
    C.PARTNER,
    C.MONTH,
    C.HOSPITAL,
    C.DEPARTMENT,
    C.PRESCRIBER,
    C.PRODUCT,
    C.QUANTITY,
    C.UNIT,
    C.SPEC,
    C.BOXES,
    C.AMOUNT,
)


def show_load(summary: LoadSummary, workspace: str) -> None:
    """One line per change; the loader's own report is printed before this."""
    out = console(stderr=True)
    for name in summary.unchanged_files:
        out.print(f"{name}: already loaded, nothing changed", markup=False)
    for line in summary.replaced:
        out.print(line, markup=False)
    for line in summary.template_changes:
        out.print(line, markup=False, style="yellow")
    for line in summary.master:
        out.print(line, markup=False)
    if summary.added_rows or summary.competitor_rows:
        parts = []
        if summary.added_rows:
            parts.append(f"{summary.added_rows:,} sales rows ({summary.added_boxes:,.1f} boxes)")
        if summary.competitor_rows:
            parts.append(f"{summary.competitor_rows:,} competitor rows")
        out.print(f"Loaded {' and '.join(parts)} into {workspace}", markup=False)
    elif not summary.replaced and not summary.master:
        out.print(f"Nothing new to load; {workspace} is unchanged", markup=False)


def show_sources(sources: pd.DataFrame, *, fmt: str) -> None:
    cols = [
        Column("file", t("File")),
        Column("partner", t("Partner")),
        Column("kind", t("Kind")),
        Column("months_shown", t("Months")),
        Column("rows", t("Rows"), "int"),
        Column("boxes", t("Boxes"), "float1"),
        Column("rows_rejected", t("Rejected"), "int"),
        Column("loaded_at", t("Loaded at (UTC)")),
        Column("short_digest", t("Content hash")),
    ]
    shown = sources.assign(
        short_digest=sources["digest"].str[:12],
        months_shown=[_month_span(m) for m in sources["months"]],
    )
    emit(shown, fmt=fmt, keys=SOURCES_KEYS, columns=cols, title=t("Loaded sources"))


def _month_span(months: str) -> str:
    """`2026-04,2026-05,2026-06` -> `2026-04..2026-06 (3)`; gaps stay visible as a count."""
    parts = [m for m in str(months).split(",") if m]
    if len(parts) <= 2:
        return ", ".join(parts)
    return f"{parts[0]}..{parts[-1]} ({len(parts)})"


def show_trace(rows: pd.DataFrame, *, fmt: str, title: str) -> None:
    cols = [
        Column(C.SOURCE_FILE, t("File")),
        Column(C.SHEET, t("Sheet")),
        Column(C.ROW, t("Row"), justify="right"),
        Column(C.MONTH, t("Month")),
        Column(C.DEPARTMENT, t("Department")),
        Column(C.PRESCRIBER, t("Prescriber")),
        Column(C.PRODUCT, t("Product")),
        Column(C.QUANTITY, t("Quantity"), "float1"),
        Column(C.UNIT, t("Unit")),
        Column(C.SPEC, t("Spec")),
        Column(C.BOXES, t("Boxes"), "float1"),
    ]
    if rows[C.AMOUNT].notna().any():  # the sheet's own value, when it has one
        cols.append(Column(C.AMOUNT, t("Amount"), "float2"))
    total = float(rows[C.BOXES].sum())
    caption = f"{len(rows)} source rows, {total:,.2f} boxes in total"
    emit(rows, fmt=fmt, keys=TRACE_KEYS, columns=cols, title=title, caption=caption)
