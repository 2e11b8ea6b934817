"""The loader: partners' sheets in, the canonical sales table out, every row accounted for.

Each input row ends as exactly one of: kept, skipped (with a reason: blank, header,
totals, note ...) or rejected (with a reason and its Excel location). For every sheet
rows_read == kept + sum(skipped) + sum(rejected).
"""

from __future__ import annotations

import glob
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uplift import columns as C
from uplift.errors import Problem, UnreadableFile, UsageError
from uplift.headers import (
    ALIASES,
    SALES_REQUIRED,
    HeaderMatch,
    accepted_names,
    field_for,
    find_header,
    partial_fields,
)
from uplift.names import match_key, normalise, normalise_series
from uplift.periods import month_from_name, parse_periods, year_from_name
from uplift.quantities import describe_spec_problem, parse_numbers, unit_kind, units_per_box
from uplift.reading import CSV_SUFFIXES, SUPPORTED, RawSheet, file_digest, read_csv, read_workbook

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

MAX_EXAMPLES = 5
_TOTAL_WORDS = ("合计", "小计", "总计", "总合计", "共计", "累计", "本页合计")
_TOTAL_EN = re.compile(r"^(grand\s*)?(sub\s*)?totals?\b|^sum\b", re.IGNORECASE)
_FOOTER_WORDS = ("制表", "审核", "备注", "注:", "注：", "说明", "打印", "填表", "负责人", "note")

# skip reasons
BLANK = "blank row"
ABOVE_HEADER = "title or blank row above the header"
HEADER = "header row"
HEADER_REPEAT = "repeated header"
TOTALS = "totals row"
NOTE = "note or footer line"
NO_TABLE = "sheet has no usage table"
REPLACED = "replaced by a later file for the same partner and month"


@dataclass
class SheetReport:
    """What the loader made of one sheet."""

    file: str
    sheet: str
    kind: str = "sales"  # "sales", "competitors" or "none"
    header_row: int | None = None  # 1-based Excel row
    mapping: dict[str, str] = field(default_factory=dict)  # field -> header as written
    rows_read: int = 0
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[Problem] = field(default_factory=list)
    boxes_ours: float = 0.0
    boxes_other: float = 0.0
    months: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def accounted(self) -> bool:
        return self.rows_read == self.kept + sum(self.skipped.values()) + sum(
            self.rejected.values()
        )


@dataclass
class FileReport:
    """What the loader made of one file."""

    path: str
    digest: str = ""
    sheets: list[SheetReport] = field(default_factory=list)
    error: UnreadableFile | None = None
    duplicate_of: str | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass
class LoadResult:
    """The canonical tables and the full accounting of how they were made."""

    sales: pd.DataFrame
    competitors: pd.DataFrame
    files: list[FileReport]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sheets(self) -> list[SheetReport]:
        return [s for f in self.files for s in f.sheets]

    @property
    def rows_rejected(self) -> int:
        return sum(sum(s.rejected.values()) for s in self.sheets)

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.files if f.error is not None]

    def raise_if_unreadable(self) -> None:
        """Analyses stop on a file they cannot read: the figures would be incomplete."""
        bad = self.unreadable
        if bad:
            err = bad[0].error
            assert err is not None
            more = f" (and {len(bad) - 1} more unreadable file(s))" if len(bad) > 1 else ""
            raise UnreadableFile(err.message + more, hint=err.hint)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files from paths, folders (their spreadsheets, sorted) and globs, in the order given."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.iterdir()
                if f.is_file()
                and f.suffix.casefold() in SUPPORTED
                and not f.name.startswith(("~$", "."))
            )
            if not found:
                raise UsageError(f"{p}: no spreadsheets (.xlsx, .xls, .csv ...) in this folder")
            out.extend(found)
        elif not p.exists() and any(ch in str(p) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(p)) if Path(m).is_file())
            if not matches:
                raise UsageError(f"{p}: no file matches this pattern")
            out.extend(matches)
        else:
            out.append(p)
    return out


def load_files(
    paths: list[Path],
    *,
    settings: Settings,
    partner: str | None = None,
    sheets: list[str] | None = None,
    encoding: str | None = None,
    competitors: bool = False,
) -> LoadResult:
    """Load every sheet of every file; later files win for a partner and month they repeat."""
    import pandas as pd

    result = LoadResult(sales=C.empty_sales(), competitors=C.empty_competitors(), files=[])
    seen: dict[str, str] = {}
    sales_parts: list[pd.DataFrame] = []
    comp_parts: list[pd.DataFrame] = []
    for path in expand_paths(paths):
        report = FileReport(path=str(path))
        result.files.append(report)
        try:
            report.digest = file_digest(path)
        except OSError as exc:
            report.error = UnreadableFile(f"{path}: {exc.strerror or exc}")
            continue
        if report.digest in seen:
            report.duplicate_of = seen[report.digest]
            result.notes.append(
                f"{path.name}: same content as {Path(seen[report.digest]).name}; read once"
            )
            continue
        seen[report.digest] = str(path)
        try:
            for raw in _raw_sheets(path, settings, encoding):
                if sheets and raw.name not in sheets:
                    continue
                sheet_report, sales, comp = load_sheet(
                    raw, path=path, settings=settings, partner=partner, competitors=competitors
                )
                report.sheets.append(sheet_report)
                if sales is not None:
                    sales_parts.append(sales)
                if comp is not None:
                    comp_parts.append(comp)
        except UnreadableFile as exc:
            report.error = exc
            report.sheets.clear()
            continue
        if sheets and not report.sheets:
            report.error = UnreadableFile(
                f"{path.name}: no sheet named {', '.join(sheets)}",
                hint=f"sheets in this file: {', '.join(_sheet_names(path, settings, encoding))}",
            )
        elif report.sheets and not any(s.kind != "none" for s in report.sheets):
            report.error = _no_table_error(path, report)
    sales = pd.concat(sales_parts, ignore_index=True) if sales_parts else C.empty_sales()
    result.sales = _later_files_win(sales, result)
    if comp_parts:
        result.competitors = pd.concat(comp_parts, ignore_index=True)
    for s in result.sheets:
        if (
            s.kind == "none"
            and s.note
            and not any(f.error for f in result.files if f.path == s.file)
        ):
            result.notes.append(f'{Path(s.file).name}, sheet "{s.sheet}": skipped, {s.note}')
    return result


def _sheet_names(path: Path, settings: Settings, encoding: str | None) -> list[str]:
    try:
        return [r.name for r in _raw_sheets(path, settings, encoding)]
    except UnreadableFile:
        return []


def _no_table_error(path: Path, report: FileReport) -> UnreadableFile:
    seen = report.sheets[0].note if report.sheets else ""
    return UnreadableFile(
        f"{path.name}: no usage table found in any sheet ({seen})",
        hint="a header row needs hospital, product and quantity columns, e.g. "
        f"{accepted_names('hospital')} / {accepted_names('product')} / {accepted_names('quantity')}; "
        "map other names under [columns] in uplift.toml",
    )


def _raw_sheets(path: Path, settings: Settings, encoding: str | None) -> list[RawSheet]:
    if path.suffix.casefold() in CSV_SUFFIXES:
        from uplift.reading import sniff

        if sniff(path) != "text":
            raise UnreadableFile(f"{path.name}: not a CSV text file (it is a binary workbook)")
        return [read_csv(path, encoding=encoding)]
    return list(read_workbook(path, max_unzipped_mb=settings.max_unzipped_mb))


def _later_files_win(sales: pd.DataFrame, result: LoadResult) -> pd.DataFrame:
    """A partner x month present in several files is taken from the last file given."""
    if sales.empty:
        return sales
    pairs = sales[[C.PARTNER, C.MONTH, C.SOURCE_FILE]].drop_duplicates()
    order = {f.path: i for i, f in enumerate(result.files)}
    pairs = pairs.assign(_order=pairs[C.SOURCE_FILE].map(order))
    last = pairs.groupby([C.PARTNER, C.MONTH])["_order"].transform("max")
    losers = pairs[pairs["_order"] != last]
    if losers.empty:
        return sales
    keep_file = pairs[pairs["_order"] == last].set_index([C.PARTNER, C.MONTH])[C.SOURCE_FILE]
    drop = sales.set_index([C.PARTNER, C.MONTH, C.SOURCE_FILE]).index.isin(
        losers.set_index([C.PARTNER, C.MONTH, C.SOURCE_FILE]).index
    )
    dropped = sales[drop]
    for (partner, month, src), part in dropped.groupby([C.PARTNER, C.MONTH, C.SOURCE_FILE]):
        winner = keep_file.loc[(partner, month)]
        result.warnings.append(
            f"partner {partner}, {month}: {Path(winner).name} replaces {Path(src).name} "
            f"({len(part)} rows, {part[C.BOXES].sum():,.1f} boxes not counted twice)"
        )
    by_sheet = dropped.groupby([C.SOURCE_FILE, C.SHEET]).size()
    for s in result.sheets:
        n = int(by_sheet.get((s.file, s.sheet), 0))
        if n:
            s.kept -= n
            s.skipped[REPLACED] += n
    return sales[~drop].reset_index(drop=True)


# One sheet ---------------------------------------------------------------------------


def load_sheet(
    raw: RawSheet,
    *,
    path: Path,
    settings: Settings,
    partner: str | None = None,
    competitors: bool = False,
) -> tuple[SheetReport, pd.DataFrame | None, pd.DataFrame | None]:
    """Turn one raw sheet into canonical rows (sales or field-visit competitor figures)."""
    grid = raw.grid
    report = SheetReport(file=str(path), sheet=raw.name, rows_read=len(grid))
    if grid.shape[0] == 0 or grid.shape[1] == 0:
        report.kind, report.note = "none", "empty sheet"
        return report, None, None
    head_rows = _rows_as_lists(grid.head(40))
    header = find_header(head_rows, settings.columns)
    if header is None:
        seen, matched = partial_fields(head_rows)
        missing = [f for f in SALES_REQUIRED if f not in matched]
        report.kind = "none"
        report.skipped[NO_TABLE] = len(grid)
        if matched:
            report.note = (
                f"no {', '.join(missing)} column; headers found: {', '.join(seen[:12])}; "
                f"accepted for {missing[0]}: {accepted_names(missing[0])}"
            )
        else:
            report.note = "no header with hospital, product and quantity in the first 30 rows"
        return report, None, None
    if competitors and header.kind == "sales":
        header = _as_competitor_header(header)
    report.kind = header.kind
    report.header_row = header.row + 1
    report.mapping = {f: header.header(f) for f in header.fields}
    report.skipped[ABOVE_HEADER] = header.row
    report.skipped[HEADER] = 1
    body = grid.iloc[header.row + 1 :]
    if header.kind == "competitors":
        frame = _competitor_rows(body, header, report, path, raw.name)
        return report, None, frame
    frame = _sales_rows(body, header, report, path, raw.name, settings, partner)
    return report, frame, None


def _as_competitor_header(h: HeaderMatch) -> HeaderMatch:
    fields = dict(h.fields)
    fields["competitor"] = fields.pop("product")
    fields["monthly_boxes"] = fields.pop("quantity")
    return HeaderMatch(row=h.row, fields=fields, names=h.names, unit_hints={}, kind="competitors")


def _rows_as_lists(df: pd.DataFrame) -> list[list[Any]]:
    return [[None if v is None or v != v else v for v in row] for row in df.itertuples(index=False)]


class _Status:
    """Per-row outcome, filled in priority order: the first reason given sticks."""

    def __init__(self, index: pd.Index) -> None:
        import numpy as np

        self.index = index
        self.reason = np.full(len(index), "", dtype=object)
        self.rejected = np.zeros(len(index), dtype=bool)

    def open(self) -> Any:
        return self.reason == ""

    def skip(self, mask: Any, reason: str) -> None:
        m = self.open() & mask
        self.reason[m] = reason

    def reject(self, mask: Any, reason: str | Any) -> None:
        m = self.open() & mask
        if isinstance(reason, str):
            self.reason[m] = reason
        else:
            self.reason[m] = reason[m]
        self.rejected[m] = True


def _classify_common(body: pd.DataFrame, header: HeaderMatch, status: _Status) -> Any:
    """Blank, repeated-header, totals and note rows. Returns the non-empty cell counts."""
    import numpy as np

    filled = body.notna()
    counts = filled.sum(axis=1).to_numpy()
    status.skip(counts == 0, BLANK)
    header_like = np.zeros(len(body), dtype=int)
    totals = np.zeros(len(body), dtype=bool)
    footer = np.zeros(len(body), dtype=bool)
    for col in body.columns:
        values = body[col]
        uniques = values.dropna().unique()
        if len(uniques) == 0:
            continue
        is_header = {u for u in uniques if field_for(u) is not None}
        if is_header:
            header_like += values.isin(is_header).to_numpy()
        total_vals = {u for u in uniques if _is_total(u)}
        if total_vals:
            totals |= values.isin(total_vals).to_numpy()
        foot_vals = {u for u in uniques if _is_footer(u)}
        if foot_vals:
            footer |= values.isin(foot_vals).to_numpy()
    status.skip(header_like >= 2, HEADER_REPEAT)
    status.skip(totals, TOTALS)
    status.skip(footer | (counts == 1), NOTE)
    return counts


def _is_total(value: object) -> bool:
    s = normalise(value).replace(" ", "")
    return s.startswith(_TOTAL_WORDS) or bool(_TOTAL_EN.match(s))


def _is_footer(value: object) -> bool:
    s = normalise(value).replace(" ", "").casefold()
    return s.startswith(_FOOTER_WORDS)


def _col(body: pd.DataFrame, header: HeaderMatch, fld: str) -> pd.Series | None:
    idx = header.fields.get(fld)
    return None if idx is None else body[idx]


def _problem_examples(
    report: SheetReport, body: pd.DataFrame, status: _Status, columns: dict[str, str]
) -> None:
    """Record the first few rejected rows per reason as file:sheet:row problems."""
    import pandas as pd

    reasons = pd.Series(status.reason, index=body.index)[status.rejected]
    kinds = reasons.map(reason_kind)
    for kind, rows in reasons.groupby(kinds, sort=False):
        for idx in rows.index[:MAX_EXAMPLES]:
            report.examples.append(
                Problem(
                    file=Path(report.file).name,
                    sheet=report.sheet,
                    row=int(idx) + 1,
                    column=columns.get(str(kind)) or None,
                    problem=str(rows.loc[idx]),
                )
            )


def _sales_rows(
    body: pd.DataFrame,
    header: HeaderMatch,
    report: SheetReport,
    path: Path,
    sheet: str,
    settings: Settings,
    partner_opt: str | None,
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    status = _Status(body.index)
    _classify_common(body, header, status)
    open_rows = status.open()

    def text(fld: str) -> pd.Series:
        col = _col(body, header, fld)
        if col is None:
            return pd.Series(None, index=body.index, dtype="object")
        return col

    # merged cells: a hospital (and, inside its block, a department) written once
    # at the top of its rows reaches every row below it
    hospital = text("hospital").where(open_rows)
    block_start = hospital.notna()
    hospital = hospital.ffill()
    department = text("department").where(open_rows)
    if "department" in header.fields:
        block = block_start.cumsum()
        department = department.groupby(block).ffill()
    partner_col = text("partner").where(open_rows).ffill()

    qty_raw = text("quantity")
    status.reject(qty_raw.isna().to_numpy(), "quantity is empty")
    parsed = parse_numbers(qty_raw)
    bad_qty = parsed["value"].isna().to_numpy() & qty_raw.notna().to_numpy()
    status.reject(
        bad_qty, ('quantity is not a number: "' + qty_raw.fillna("").astype(str) + '"').to_numpy()
    )
    status.reject(hospital.isna().to_numpy(), "hospital is empty")
    product = text("product")
    status.reject(product.isna().to_numpy(), "product is empty")

    # units: the unit column, else a unit written after the number, else the header's
    unit = text("unit").fillna("").astype("str").str.strip()
    unit = unit.where(unit != "", parsed["unit"])
    hint = header.unit_hints.get("quantity", "")
    if hint:
        unit = unit.where(unit != "", hint)
    unit = normalise_series(unit)
    spec = text("spec").fillna("").astype("str")
    kinds = {u: unit_kind(u) for u in pd.unique(unit)}
    kind = unit.map(kinds)
    status.reject((kind == "unknown").to_numpy(), ('unknown unit "' + unit + '"').to_numpy())
    boxes = parsed["value"].to_numpy(copy=True)
    counted = (kind == "count").to_numpy() & status.open()
    if counted.any():
        pairs = pd.DataFrame({"spec": spec[counted], "unit": unit[counted]})
        per_box_map = {
            (s, u): units_per_box(s, u) for s, u in pairs.drop_duplicates().itertuples(index=False)
        }
        per_box = np.array(
            [per_box_map[(s, u)] or np.nan for s, u in pairs.itertuples(index=False)]
        )
        no_spec = np.isnan(per_box)
        if no_spec.any():
            msgs = np.array(
                [describe_spec_problem(s, u) for s, u in pairs[no_spec].itertuples(index=False)],
                dtype=object,
            )
            reasons = np.full(len(body), "", dtype=object)
            where = np.flatnonzero(counted)[no_spec]
            reasons[where] = msgs
            mask = np.zeros(len(body), dtype=bool)
            mask[where] = True
            status.reject(mask, reasons)
        idx = np.flatnonzero(counted)
        boxes[idx] = boxes[idx] / np.where(no_spec, 1.0, per_box)

    # periods: a month/date column, else the sheet name, else the file name
    year_hint = year_from_name(sheet) or year_from_name(path.stem)
    month_col = text("month")
    if "month" in header.fields:
        periods = parse_periods(month_col.where(month_col.notna(), ""), year_hint)
        missing = month_col.isna().to_numpy()
        status.reject(missing, "month is empty")
        bad = periods["problem"].to_numpy() != ""
        status.reject(bad, ("month: " + periods["problem"]).to_numpy())
        month = periods["month"]
    else:
        named = month_from_name(sheet, year_hint) or month_from_name(path.stem, year_hint)
        if named is None:
            status.reject(
                np.ones(len(body), dtype=bool),
                "no month: no month/date column, and none in the sheet or file name",
            )
            named = ""
        month = pd.Series(named, index=body.index, dtype="str")

    keep = status.open()
    report.kept = int(keep.sum())
    skipped = pd.Series(status.reason[~keep & ~status.rejected])
    report.skipped.update(skipped.value_counts().to_dict())
    unit_header = header.names.get(header.fields.get("unit", -1), header.header("quantity"))
    month_header = header.names.get(header.fields.get("month", -1), "")
    columns = {
        "quantity is empty": header.header("quantity"),
        "quantity is not a number": header.header("quantity"),
        "hospital is empty": header.header("hospital"),
        "product is empty": header.header("product"),
        "unknown unit": unit_header,
        "unit without a usable pack spec": unit_header,
        "month is empty": month_header,
        "invalid month": month_header,
    }
    _problem_examples(report, body, status, columns)
    report.rejected = _recount(status)

    k = keep
    partner_values = partner_col[k].fillna("")
    default_partner = partner_opt or path.stem
    partner_series = partner_values.astype("str").where(partner_values != "", default_partner)
    hospital_names = normalise_series(hospital[k].fillna(""))
    if settings.hospital_aliases:
        hospital_names = hospital_names.map(lambda h: settings.hospital_aliases.get(h, h))
    out = pd.DataFrame(
        {
            C.PARTNER: normalise_series(partner_series),
            C.MONTH: month[k].astype("str"),
            C.HOSPITAL: hospital_names,
            C.DEPARTMENT: normalise_series(department[k].fillna("")),
            C.PRESCRIBER: normalise_series(text("prescriber")[k].fillna(""), person=True),
            C.PRODUCT: normalise_series(product[k].fillna("")),
            C.SPEC: normalise_series(spec[k]),
            C.QUANTITY: parsed["value"][k].astype("float64"),
            C.UNIT: unit[k].where(unit[k] != "", "盒").astype("str"),
            C.BOXES: boxes[k].astype("float64"),
            C.SOURCE_FILE: str(path),
            C.SHEET: sheet,
            C.ROW: (body.index[k] + 1).astype("int64"),
        }
    )
    from uplift.volumes import mark_ours

    ours = mark_ours(out[C.PRODUCT], settings)
    report.boxes_ours = float(out.loc[ours, C.BOXES].sum())
    report.boxes_other = float(out.loc[~ours, C.BOXES].sum())
    report.months = sorted(out[C.MONTH].unique().tolist())
    report.partners = sorted(out[C.PARTNER].unique().tolist())
    report.units = sorted(out[C.UNIT].unique().tolist())
    return out.reset_index(drop=True)


def _recount(status: _Status) -> Counter[str]:
    import pandas as pd

    reasons = pd.Series(status.reason[status.rejected]).map(reason_kind)
    return Counter(reasons.value_counts().to_dict())


def reason_kind(reason: str) -> str:
    """The countable kind of a row-level reason: `quantity is not a number: "n/a"` -> its kind."""
    if reason.startswith("quantity is not a number"):
        return "quantity is not a number"
    if reason.startswith('unknown unit "'):
        return "unknown unit"
    if reason.startswith("quantity is in"):
        return "unit without a usable pack spec"
    if reason.startswith("month: "):
        return "invalid month"
    return reason


def _competitor_rows(
    body: pd.DataFrame, header: HeaderMatch, report: SheetReport, path: Path, sheet: str
) -> pd.DataFrame:
    import pandas as pd

    status = _Status(body.index)
    _classify_common(body, header, status)
    open_rows = status.open()
    hospital = body[header.fields["hospital"]].where(open_rows).ffill()
    qty_raw = body[header.fields["monthly_boxes"]]
    parsed = parse_numbers(qty_raw)
    status.reject(qty_raw.isna().to_numpy(), "monthly boxes are empty")
    status.reject(
        parsed["value"].isna().to_numpy(),
        ('quantity is not a number: "' + qty_raw.fillna("").astype(str) + '"').to_numpy(),
    )
    product = body[header.fields["competitor"]]
    status.reject(product.isna().to_numpy(), "competitor product is empty")
    status.reject(hospital.isna().to_numpy(), "hospital is empty")
    keep = status.open()
    report.kept = int(keep.sum())
    report.skipped.update(
        pd.Series(status.reason[~keep & ~status.rejected]).value_counts().to_dict()
    )
    columns = {
        "monthly boxes are empty": header.header("monthly_boxes"),
        "quantity is not a number": header.header("monthly_boxes"),
        "competitor product is empty": header.header("competitor"),
        "hospital is empty": header.header("hospital"),
    }
    _problem_examples(report, body, status, columns)
    report.rejected = _recount(status)

    def opt(fld: str, person: bool = False) -> pd.Series:
        if fld not in header.fields:
            return pd.Series("", index=body.index[keep], dtype="str")
        return normalise_series(body[header.fields[fld]][keep].fillna(""), person=person)

    out = pd.DataFrame(
        {
            C.HOSPITAL: normalise_series(hospital[keep].fillna("")),
            C.DEPARTMENT: opt("department"),
            C.PRESCRIBER: opt("prescriber", person=True),
            C.PRODUCT: normalise_series(product[keep].fillna("")),
            C.BOXES: parsed["value"][keep].astype("float64"),
            C.SOURCE_FILE: str(path),
            C.SHEET: sheet,
            C.ROW: (body.index[keep] + 1).astype("int64"),
        }
    )
    report.boxes_other = float(out[C.BOXES].sum())
    return out.reset_index(drop=True)


def known_fields() -> list[str]:
    """Canonical fields a header may map to (for `[columns]` in uplift.toml)."""
    return list(ALIASES)


def header_key(text: str) -> str:
    """The comparison key of a header cell."""
    return match_key(text)
