"""How `uplift check` and `uplift load` report what the loader made of each file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from uplift.output.i18n import t
from uplift.output.render import Column, console, print_table, write_json
from uplift.output.safety import shortened

if TYPE_CHECKING:
    from uplift.sheets.loading import LoadResult

SHEET_KEYS = (
    "file",
    "sheet",
    "kind",
    "header_row",
    "mapping",
    "rows_read",
    "kept",
    "skipped",
    "rejected",
    "rejected_examples",
    "boxes_ours",
    "boxes_other",
    "months",
    "partners",
    "note",
)


def check_records(result: LoadResult) -> dict[str, Any]:
    """The JSON document of `uplift check`."""
    from uplift.analysis.name_matching import duplicate_suggestions
    from uplift.sheets import columns as C

    sheets = []
    for s in result.sheets:
        sheets.append(
            {
                "file": s.file,
                "sheet": s.sheet,
                "kind": s.kind,
                "header_row": s.header_row,
                "mapping": s.mapping,
                "rows_read": s.rows_read,
                "kept": s.kept,
                "skipped": dict(s.skipped),
                "rejected": dict(s.rejected),
                "rejected_examples": [str(p) for p in s.examples],
                "boxes_ours": round(s.boxes_ours, 4),
                "boxes_other": round(s.boxes_other, 4),
                "months": s.months,
                "partners": s.partners,
                "note": s.note,
                "hidden": bool(s.hidden),
            }
        )
    errors = [
        {"file": f.path, "error": f.error.message, "hint": f.error.hint}
        for f in result.files
        if f.error is not None
    ]
    found = duplicate_suggestions(result.sales[C.HOSPITAL].unique().tolist())
    duplicates = [
        {"a": a, "b": b, "score": round(score, 1), "sure": bool(sure)}
        for a, b, score, sure in found[["name", "other", "score", "sure"]].itertuples(
            index=False, name=None
        )
    ]
    return {
        "files": [
            {"file": f.path, "sha256": f.digest, "duplicate_of": f.duplicate_of}
            for f in result.files
        ],
        "sheets": sheets,
        "errors": errors,
        "likely_duplicate_hospitals": duplicates,
        "warnings": result.warnings,
        "notes": result.notes,
    }


def show_check(result: LoadResult, *, fmt: str, compact: bool = False) -> None:
    """Per sheet: header, mapping, rows read/kept/skipped/rejected, boxes, months."""
    import pandas as pd

    doc = check_records(result)
    if fmt == "json":
        write_json(doc)
        return
    rows = []
    for s in result.sheets:
        rows.append(
            {
                "file": Path(s.file).name,
                "sheet": f"{s.sheet} ({t('hidden')})" if s.hidden else s.sheet,
                "header": s.header_row or "",
                "read": s.rows_read,
                "kept": s.kept,
                "skipped": sum(s.skipped.values()),
                "rejected": sum(s.rejected.values()),
                "ours": s.boxes_ours,
                "other": s.boxes_other,
                "months": _months(s.months) if s.kind == "sales" else s.kind,
            }
        )
    out = console(stderr=compact)
    if rows:
        cols = [
            Column("file", t("File")),
            Column("sheet", t("Sheet")),
            Column("header", t("Header row"), justify="right"),
            Column("read", t("Read"), "int"),
            Column("kept", t("Kept"), "int"),
            Column("skipped", t("Skipped"), "int"),
            Column("rejected", t("Rejected"), "int"),
            Column("ours", t("Boxes ours"), "float1"),
            Column("other", t("Boxes others"), "float1"),
            Column("months", t("Months")),
        ]
        print_table(pd.DataFrame(rows), cols, title="" if compact else t("What was read"), out=out)
    for s in result.sheets:
        if s.kind == "none":
            continue
        name = f'{Path(s.file).name}, sheet "{s.sheet}"'
        if not compact:
            mapping = ", ".join(f"{k}={shortened(v, 40)}" for k, v in s.mapping.items())
            out.print(f"{name}: columns {mapping}", markup=False)
            for note in s.note.split("; ") if s.note else []:
                out.print(f"  {shortened(note, 300)}", markup=False)  # which column won, and why
            if s.skipped:
                parts = ", ".join(f"{n} {r}" for r, n in sorted(s.skipped.items()) if n)
                out.print(f"  skipped: {parts}", markup=False)
        if s.rejected:
            parts = ", ".join(f"{n} {r}" for r, n in sorted(s.rejected.items()))
            out.print(f"{name}: rejected {parts}", markup=False, style="yellow")
            for p in s.examples[: 3 if compact else 10]:
                out.print(f"  {p}", markup=False)
    # problems go to stderr, each on one line however long (soft_wrap: no folding)
    err = console(stderr=True)
    # compact (before a load stops): the first unreadable file is the error the load
    # stops with, printed once by the caller; the others are listed here
    skip = result.unreadable[:1] if compact else []
    for f in result.files:
        if f.error is not None and f not in skip:
            err.print(f"Error: {f.error.message}", markup=False, style="red", soft_wrap=True)
            if f.error.hint and not compact:
                err.print(f"  Hint: {f.error.hint}", markup=False, soft_wrap=True)
    for w in result.warnings:
        err.print(f"Warning: {w}", markup=False, style="yellow", soft_wrap=True)
    for n in result.notes:
        out.print(n, markup=False)
    if not compact:
        dups = doc["likely_duplicate_hospitals"]
        for d in dups[:10]:
            out.print(
                f'Possible duplicate hospitals: "{d["a"]}" and "{d["b"]}" '
                f"(similarity {d['score']:.0f}); if they are one, accept it with uplift names",
                markup=False,
            )
        if len(dups) > 10:
            out.print(f"... and {len(dups) - 10} more possible duplicates", markup=False)


def _months(months: list[str]) -> str:
    if not months:
        return ""
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]} ({len(months)})"
