"""The loader: partners' sheets in, the canonical sales table out, every row accounted for.

Each input row ends as exactly one of: kept, skipped (with a reason: blank, header,
totals, note ...) or rejected (with a reason and its Excel location). For every sheet
rows_read == kept + sum(skipped) + sum(rejected).
"""

from __future__ import annotations

import glob
import re
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uplift.errors import Problem, UnreadableFile, UsageError
from uplift.sheets import columns as C
from uplift.sheets.distinct import (
    Coded,
    block_layout,
    codes_and_values,
    repeated_text,
    texts_from_codes,
)
from uplift.sheets.headers import (
    ALIASES,
    HEADER_SEARCH_ROWS,
    SALES_REQUIRED,
    HeaderMatch,
    accepted_names,
    field_for,
    find_header,
    header_initials,
    partial_fields,
    unknown_overrides,
)
from uplift.sheets.names import match_key, normalise, normalise_person, normalise_series
from uplift.sheets.periods import month_from_name, parse_periods, year_from_name
from uplift.sheets.quantities import describe_spec_problem, parse_numbers, unit_kind, units_per_box
from uplift.sheets.reading import (
    CSV_SUFFIXES,
    SUPPORTED,
    RawSheet,
    file_digest,
    read_csv,
    read_workbook,
    sniff,
    use_fast_allocator,
)
from uplift.sheets.wide import WIDE_LAYOUT, find_wide, wide_note

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from uplift.config import Settings
    from uplift.sheets.catalogue import Catalogue
    from uplift.sheets.customers import CustomerMaster

MAX_EXAMPLES = 5
_TOTAL_WORDS = ("合计", "小计", "总计", "总合计", "共计", "累计", "本页合计", "汇总")
_TOTAL_EN = re.compile(r"^(grand\s*)?(sub[\s-]?)?totals?\b|^sum\b|\btotals?$", re.IGNORECASE)
_FOOTER_WORDS = (
    "制表",
    "审核",
    "备注",
    "注:",
    "注：",
    "说明",
    "打印",
    "填表",
    "负责人",
    "联系人",
    "数据来源",
    "以上",
    "note",
)

# skip reasons
BLANK = "blank row"
ABOVE_HEADER = "title or blank row above the header"
HEADER = "header row"
HEADER_REPEAT = "repeated header"
TOTALS = "totals row"
HEADING = "hospital or department heading"
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
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required fields without a column
    hidden: str = ""  # "hidden" or "veryHidden" when the partner hid the sheet

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
    skipped_as: str = ""  # found in a folder, not usage detail: what it looks like
    master: str = ""  # "catalogue" or "customers" when the file is master data

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
    # master data found among the files loaded (sheets.catalogue / sheets.customers)
    catalogue: Catalogue | None = None
    customers: CustomerMaster | None = None

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
    progress: Callable[[int, int, str], None] | None = None,
) -> LoadResult:
    """Load every sheet of every file; later files win for a partner and month they repeat.

    A product catalogue or customer master among the files (`sheets.catalogue`,
    `sheets.customers`) is kept in the result and applies to every usage sheet of the
    load: when one is found, the usage sheets are read again with it. Products and
    hospitals the master data in force does not know are listed in the warnings.
    `progress(done, total, file name)` is called before each file, for a progress bar.
    """
    options: dict[str, Any] = {
        "partner": partner,
        "sheets": sheets,
        "encoding": encoding,
        "competitors": competitors,
        "progress": progress,
    }
    result = _load_once(paths, settings=settings, **options)
    found_cat, found_cust = result.catalogue, result.customers
    if (found_cat is not None and found_cat != settings.catalogue) or (
        found_cust is not None and found_cust != settings.customers
    ):
        settings = settings.with_master(found_cat, found_cust)
        result = _load_once(paths, settings=settings, **options)
    result.warnings.extend(_unknown_to_master(result.sales, settings))
    return result


def _unknown_to_master(sales: pd.DataFrame, settings: Settings) -> list[str]:
    """Products the catalogue and hospitals the master do not know, with their boxes."""
    out = []
    for master, column, what, hint in (
        (settings.catalogue, C.PRODUCT, "products not in the product catalogue", ""),
        (
            settings.customers,
            C.HOSPITAL,
            "hospitals not in the customer master",
            " (uplift names suggests their standard names)",
        ),
    ):
        if master is None or sales.empty:
            continue
        boxes = sales.groupby(column, observed=True)[C.BOXES].sum()
        unknown = boxes[~boxes.index.isin(list(master.names))]
        if len(unknown):
            unknown = unknown.sort_values(ascending=False, kind="stable")
            shown = ", ".join(f"{_short_name(n)} {b:,.1f} boxes" for n, b in unknown[:10].items())
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            out.append(f"{len(unknown)} {what}{hint}: {shown}{more}")
    return out


def _short_name(name: object, limit: int = 40) -> str:
    text = str(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _load_once(
    paths: list[Path],
    *,
    settings: Settings,
    partner: str | None = None,
    sheets: list[str] | None = None,
    encoding: str | None = None,
    competitors: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> LoadResult:
    """One pass of `load_files` with the master data of `settings`."""
    bad = unknown_overrides(settings.columns)
    if bad:
        raise UsageError(
            f"[columns] in uplift.toml: unknown field(s) {', '.join(bad)}",
            hint=f'write field = "header as in the sheet"; fields: {", ".join(ALIASES)}',
        )
    wanted = _sheet_filter(sheets)
    files = expand_paths(paths)
    # files found in a folder may be other things than usage detail (a product list,
    # notes): those are skipped with a note; a file named on its own must be usage detail
    in_folder = {f for p in paths if p.is_dir() for f in expand_paths([p])}
    # The Rust reader and zlib release the GIL: the first file is checked and read on
    # another thread while this one imports pandas, and then the next file is read on
    # the other core while this one is cleaned. One file ahead at most, so memory holds
    # two raw files, not all.
    pool = ThreadPoolExecutor(max_workers=2)
    ahead: dict[int, Future[tuple[list[str], list[RawSheet]]]] = {}

    def fetch(i: int) -> None:
        if i < len(files) and i not in ahead:
            ahead[i] = pool.submit(_raw_sheets, files[i], settings, encoding, wanted)

    try:
        fetch(0)
        import pandas as pd

        result = LoadResult(sales=C.empty_sales(), competitors=C.empty_competitors(), files=[])
        seen: dict[str, str] = {}
        sales_parts: list[pd.DataFrame] = []
        comp_parts: list[pd.DataFrame] = []
        _load_each(
            files,
            result,
            seen,
            sales_parts,
            comp_parts,
            ahead,
            fetch,
            progress,
            settings=settings,
            partner=partner,
            sheets=sheets,
            encoding=encoding,
            competitors=competitors,
            wanted=wanted,
            in_folder=in_folder,
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    sales = pd.concat(sales_parts, ignore_index=True) if sales_parts else C.empty_sales()
    result.sales = _later_files_win(sales, result, settings)
    if comp_parts:
        result.competitors = pd.concat(comp_parts, ignore_index=True)
    failed = {f.path for f in result.files if f.error is not None or f.skipped_as or f.master}
    for s in result.sheets:
        if s.kind == "none" and s.note and s.file not in failed:
            result.notes.append(f'{Path(s.file).name}, sheet "{s.sheet}": skipped, {s.note}')
    return result


def _load_each(
    files: list[Path],
    result: LoadResult,
    seen: dict[str, str],
    sales_parts: list[pd.DataFrame],
    comp_parts: list[pd.DataFrame],
    ahead: dict[int, Future[tuple[list[str], list[RawSheet]]]],
    fetch: Callable[[int], None],
    progress: Callable[[int, int, str], None] | None,
    *,
    settings: Settings,
    partner: str | None,
    sheets: list[str] | None,
    encoding: str | None,
    competitors: bool,
    wanted: Callable[[str], bool] | None,
    in_folder: set[Path],
) -> None:
    """The per-file part of `load_files`, in the order given."""

    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files), path.name)
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
        file_sales: list[pd.DataFrame] = []
        file_comp: list[pd.DataFrame] = []
        unused: list[RawSheet] = []  # sheets without a usage table: master data?
        try:
            fetch(done)
            fetch(done + 1)
            future = ahead.pop(done, None)
            if future is not None:
                names, raws = future.result()
                future = None  # the future holds the raw sheets too
            else:
                names, raws = _raw_sheets(path, settings, encoding, wanted)
            while raws:
                # each raw sheet is let go once cleaned: a 1M-row grid is ~200 MB
                raw = raws.pop(0)
                sheet_report, sales, comp = load_sheet(
                    raw,
                    path=path,
                    settings=settings,
                    partner=partner,
                    competitors=competitors,
                )
                if sheet_report.kind == "none":
                    unused.append(raw)
                del raw
                report.sheets.append(sheet_report)
                if sales is not None:
                    file_sales.append(sales)
                if comp is not None:
                    file_comp.append(comp)
        except UnreadableFile as exc:
            report.error = exc
            report.sheets.clear()
            continue
        if sheets and not report.sheets:
            report.error = UnreadableFile(
                f"{path.name}: no sheet named {', '.join(sheets)}",
                hint=f"sheets in this file: {', '.join(names)}",
            )
            continue
        if report.sheets and not any(s.kind != "none" for s in report.sheets):
            try:
                master = _master_data(path, unused, result)
            except UnreadableFile as exc:
                report.error = exc
                continue
            if master:
                report.master = master
                continue
            if path in in_folder:
                report.skipped_as = _what_it_is(report)
                result.notes.append(f"{path.name}: skipped, {report.skipped_as}")
                continue
            report.error = _no_table_error(path, report)
            continue
        result.notes.extend(_repeated_sheets(path, report, file_sales, C.SALES_COLUMNS))
        result.notes.extend(_repeated_sheets(path, report, file_comp, C.COMPETITOR_COLUMNS))
        if not sheets:  # a hidden sheet named with --sheet is read on purpose
            result.warnings.extend(_hidden_sheets_read(path, report))
        sales_parts.extend(file_sales)
        comp_parts.extend(file_comp)
        result.notes.extend(_months_in_several_sheets(path, file_sales))
        result.warnings.extend(w for sheet in report.sheets for w in sheet.warnings)


# What a partner puts in a file name besides its own name: dates, months, ranges, years,
# quarters, copy and version marks, and the words for the sheet itself. Months may be
# 1-9 or 01-12; a digit run never loses part of itself (no "2609" left of "202609").
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?<!\d)20\d{2}"
_SEP = r"\s*[-_./年]?\s*"
_TO = r"\s*(?:-|~|～|—|至|到|_to_|\bto\b)\s*"
_DATE_IN_NAME = re.compile(
    # ranges: 202604-202609, 2026.04-2026.09, 2026年4-9月, 2026-04~09
    rf"{_YEAR}{_SEP}{_MONTH}\s*月?{_TO}(?:20\d{{2}}{_SEP})?{_MONTH}\s*月?(?:份)?(?!\d)"
    rf"|(?<!\d){_MONTH}\s*月?{_TO}{_MONTH}\s*月(?:份)?"  # 4-9月
    r"|(?<!\d)20\d{6}(?!\d)"  # 20260415
    # a month or a day: 2026-09, 2026年9月, 2026.10.3, 2026年07月15日
    rf"|{_YEAR}{_SEP}{_MONTH}(?!\d)\s*月?(?:份)?(?:\s*[-_.]?\s*(?:[12]\d|3[01]|0?[1-9])(?!\d)\s*日?)?"
    rf"|{_YEAR}\s*(?:年度?|年)?\s*(?:第?\s*[1-4一二三四]\s*季度|[Qq][1-4])"  # 2026Q3, 2026年第3季度
    rf"|(?<![A-Za-z0-9])[Qq][1-4](?![A-Za-z0-9])|第?[1-4一二三四]季度"
    rf"|{_YEAR}\s*年?(?!\d)"  # 2026, 2026年
    rf"|(?<!\d){_MONTH}\s*月(?:份)?"  # 9月, 07月份
)
_ENGLISH_MONTHS = re.compile(
    r"(?<![A-Za-z])(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![A-Za-z])",
    re.IGNORECASE,
)
# Marks of a re-sent or corrected file: such a file replaces the partner's months it holds.
_RESEND_WORDS = re.compile(r"(重发|重新发送|更正|补传|补发|修正|修订)")
# English marks are left out of the partner's name, but do not outrank the order given
_ENGLISH_RESEND = r"|corrected|correction|resend|resent|revised"
_COPY_MARKS = re.compile(
    r"[(（]\s*\d{1,3}\s*[)）]"  # (1), （2）
    r"|[-_\s]*副本(?:\s*[(（]?\d*[)）]?)?"  # - 副本, 副本(2)
    r"|(?<![A-Za-z])(?:copy|final|draft|v\d{1,3}"
    + _ENGLISH_RESEND
    + r")(?:\s*\d{1,3})?(?![A-Za-z])"  # _copy, final, v2, corrected
    r"|最终版|终版|最新版|新版|更新版",
    re.IGNORECASE,
)
_SHEET_WORDS = re.compile(
    # 销售 stays inside a company's name (康源医药销售有限公司)
    r"(使用明细|流向明细|销售明细|销售流向|纯销|流向|明细|数据|报表|汇总|终端|使用"
    r"|销售(?!有限|股份|公司|集团)"
    r"|(?<![A-Za-z])(?:usage|details?|sales|flow|report|data)(?![A-Za-z]))",
    re.IGNORECASE,
)


def partner_from_file_name(stem: str) -> str:
    """The partner a file is named after: `康源医药_2026年4-9月流向明细(重发)` -> `康源医药`.

    Monthly files of one partner must give one partner, so dates, months, ranges, years,
    quarters, copy and version marks (`(1)`, `- 副本`, `_copy`, `v2`, `final`), re-send
    marks (重发, 更正, 补传, 修正) and the usual words for the sheet itself (流向, 明细,
    销售, 终端, 使用, usage, sales, detail) are left out; a name that is nothing else
    stays as it is.
    """
    name = _DATE_IN_NAME.sub(" ", stem)
    name = _ENGLISH_MONTHS.sub(" ", name)
    name = _RESEND_WORDS.sub(" ", name)
    name = _COPY_MARKS.sub(" ", name)
    name = _SHEET_WORDS.sub(" ", name)
    name = re.sub(r"[\s_\-.,，、~～()（）\[\]【】]+", " ", name).strip()
    return name or stem


def is_resend(stem: str) -> bool:
    """True when a file's name marks it as re-sent or corrected (重发, 更正, 补传, 修正 ...)."""
    return _RESEND_WORDS.search(stem) is not None


def _sheet_filter(sheets: list[str] | None) -> Callable[[str], bool] | None:
    """`--sheet` names, compared as the user would: `4月 ` is `4月`, case aside."""
    if not sheets:
        return None
    keys = {match_key(s) for s in sheets}
    return lambda name: name in sheets or match_key(name) in keys


def _repeated_sheets(
    path: Path, report: FileReport, frames: list[pd.DataFrame], columns: tuple[str, ...]
) -> list[str]:
    """Sheets that repeat another sheet of the file row for row are counted once.

    A partner's hidden copy of the detail, or a sheet pasted twice, holds the same rows as
    the one shown: counting both would double every box. The visible sheet is kept; the
    repeat's rows are counted as skipped under "repeat of sheet ..." and `frames` loses it.
    """
    import pandas as pd

    if len(frames) < 2:
        return []
    by_name = {s.sheet: s for s in report.sheets}
    fields = [c for c in columns if c not in (C.SHEET, C.ROW)]

    def rows_of(frame: pd.DataFrame) -> tuple[int, int]:
        # the sheet's rows as a multiset, whatever their order or their Excel row numbers
        import numpy as np

        hashed = np.sort(pd.util.hash_pandas_object(frame[fields], index=False).to_numpy())
        return len(hashed), hash(hashed.tobytes())

    order = sorted(
        range(len(frames)),
        key=lambda i: bool(by_name[frames[i][C.SHEET].iloc[0]].hidden) if len(frames[i]) else 1,
    )
    first: dict[tuple[int, int], str] = {}
    drop: set[int] = set()
    notes = []
    for i in order:
        frame = frames[i]
        if frame.empty:
            continue
        name = str(frame[C.SHEET].iloc[0])
        key = rows_of(frame)
        if key not in first:
            first[key] = name
            continue
        drop.add(i)
        sheet = by_name[name]
        reason = f'repeat of sheet "{first[key]}"'
        sheet.skipped[reason] += sheet.kept
        sheet.kept = 0
        sheet.boxes_ours = sheet.boxes_other = 0.0
        _add_note(sheet, f'the sheet repeats sheet "{first[key]}" row for row: counted once')
        notes.append(
            f'{path.name}: sheet "{name}" repeats sheet "{first[key]}" row for row '
            f"({len(frame):,} rows); counted once"
        )
    frames[:] = [f for i, f in enumerate(frames) if i not in drop]
    return notes


def _hidden_sheets_read(path: Path, report: FileReport) -> list[str]:
    """A warning for each hidden sheet whose rows were counted: a partner hides a sheet
    for a reason (an old month, a working copy), and its boxes add to the visible ones."""
    out = []
    for s in report.sheets:
        if s.hidden and s.kept:
            out.append(
                f'{path.name}, sheet "{s.sheet}" is hidden in the workbook; its {s.kept:,} '
                "row(s) are counted. If it is not usage detail to count, load the visible "
                "sheets with --sheet"
            )
    return out


def _months_in_several_sheets(path: Path, frames: list[pd.DataFrame]) -> list[str]:
    """A note when two sheets of one file hold the same partner and month.

    Both are counted (regions or product lines often get a sheet each), but a summary
    sheet repeating the detail would count twice, so the user is told.
    """
    import pandas as pd

    if len(frames) < 2:
        return []
    pairs = pd.concat(
        [f[[C.PARTNER, C.MONTH, C.SHEET]].drop_duplicates() for f in frames], ignore_index=True
    )
    shared = pairs[pairs.duplicated([C.PARTNER, C.MONTH], keep=False)]
    notes = []
    for (partner, month), part in shared.groupby([C.PARTNER, C.MONTH], sort=True):
        names = " and ".join(f'"{n}"' for n in part[C.SHEET].tolist())
        notes.append(
            f"{path.name}: sheets {names} both hold partner {partner}, {month}; all are "
            "counted (pick sheets with --sheet if one repeats another)"
        )
    return notes


def _master_data(path: Path, raws: list[RawSheet], result: LoadResult) -> str:
    """Keep a product catalogue or customer master found in `raws`; "" when neither."""
    from uplift.sheets.catalogue import Catalogue, catalogue_from_sheets
    from uplift.sheets.customers import CustomerMaster, customers_from_sheets

    catalogue = catalogue_from_sheets(raws, path.name)
    if catalogue is not None:
        old = result.catalogue
        if old is not None:  # several catalogue files in one load: one catalogue
            catalogue = Catalogue(old.entries + catalogue.entries, f"{old.source}, {path.name}")
        result.catalogue = catalogue
        ours = sum(1 for e in catalogue.entries if e.ours)
        result.notes.append(
            f"{path.name}: product catalogue, {len(catalogue.entries)} products "
            f"({ours} ours, {len(catalogue.markets())} markets)"
        )
        return "catalogue"
    customers = customers_from_sheets(raws, path.name)
    if customers is not None:
        prev = result.customers
        if prev is not None:
            customers = CustomerMaster(
                prev.customers + customers.customers, f"{prev.source}, {path.name}"
            )
        result.customers = customers
        result.notes.append(f"{path.name}: customer master, {len(customers.customers)} hospitals")
        return "customers"
    return ""


def read_master(path: Path, settings: Settings, kind: str) -> Any:
    """The product catalogue (`kind` "catalogue") or customer master ("customers") in a file."""
    from uplift.sheets.catalogue import catalogue_from_sheets
    from uplift.sheets.customers import customers_from_sheets

    what = "product catalogue" if kind == "catalogue" else "customer master"
    if not path.is_file():
        raise UsageError(f"{path}: {what} file not found (named in uplift.toml)")
    _, raws = _raw_sheets(path, settings, None, None)
    read = catalogue_from_sheets if kind == "catalogue" else customers_from_sheets
    found = read(raws, path.name)
    if found is None:
        raise UnreadableFile(
            f"{path.name}: no {what} header in the first 30 rows",
            hint=(
                "a product catalogue has 产品名称 and 每盒数量, 是否本公司产品 or 市场"
                if kind == "catalogue"
                else "a customer master has 医院名称 and 医院编码, 别名, 省份 or 城市"
            ),
        )
    return found


def _what_it_is(report: FileReport) -> str:
    """Why a file found in a folder was skipped: what it looks like, from its headers."""
    notes = [s.note for s in report.sheets if s.note]
    first = notes[0] if notes else "no header with hospital, product and quantity"
    for sheet in report.sheets:
        headers = (
            sheet.note.split("headers found:", 1)[-1] if "headers found:" in sheet.note else ""
        )
        if not headers:
            continue
        if any(w in headers for w in ("目标", "指标")) or "target" in headers.casefold():
            return "no usage table: it looks like a targets sheet (read it with uplift targets)"
        missing = set(sheet.missing)
        if "hospital" in missing and "product" not in missing:
            return f"no usage table: it looks like a product list ({first})"
        if "product" in missing and "hospital" not in missing:
            return f"no usage table: it looks like a hospital list ({first})"
    return f"no usage table ({first})"


def _no_table_error(path: Path, report: FileReport) -> UnreadableFile:
    """No sheet of the file holds a usage table: say what was found and what is accepted."""
    first = next((s for s in report.sheets if s.note), None)
    if first is not None and first.note.startswith(WIDE_LAYOUT):
        return UnreadableFile(
            f'{path.name}, sheet "{first.sheet}": {first.note}',
            hint="uplift reads one row per product line: hospital (or load --hospital NAME), "
            "product, quantity and month columns",
        )
    missing = first.missing if first is not None and first.missing else list(SALES_REQUIRED)
    accepted = "; ".join(f"for {f}: {accepted_names(f)}" for f in missing)
    hint = f"names accepted {accepted}; map other names under [columns] in uplift.toml"
    if missing == ["hospital"]:
        # pharmacy transactions, a hospital's own report: the file is one hospital's
        hint += "; a file that is one hospital's own: load FILE --hospital NAME"
    return UnreadableFile(
        f"{path.name}: no usage table found in any sheet ({first.note if first else ''})",
        hint=hint,
    )


def _raw_sheets(
    path: Path, settings: Settings, encoding: str | None, wanted: Callable[[str], bool] | None
) -> tuple[list[str], list[RawSheet]]:
    """Every sheet name of the file, and the wanted sheets read."""
    use_fast_allocator()
    if path.suffix.casefold() in CSV_SUFFIXES:
        if sniff(path) in ("zip", "ole"):
            raise UnreadableFile(
                f"{path.name}: not a CSV text file (it is an Excel workbook)",
                hint="rename it to .xlsx (or .xls)",
            )
        if wanted is not None and not wanted(path.stem):
            return [path.stem], []
        return [path.stem], [read_csv(path, encoding=encoding)]
    return read_workbook(path, max_unzipped_mb=settings.max_unzipped_mb, wanted=wanted)


def _later_files_win(sales: pd.DataFrame, result: LoadResult, settings: Settings) -> pd.DataFrame:
    """A partner x month present in several files is taken from one file: a re-sent or
    corrected one (`is_resend`: 重发, 更正, 补传, 修正 ... in its name) before any other,
    else the last file given. Never added up.

    The rows of the other files stay accounted for: their sheets count them as skipped
    (replaced), and their boxes leave the sheet's totals. The warning names both files and
    the change in boxes.
    """
    if sales.empty:
        return sales
    pairs = sales[[C.PARTNER, C.MONTH, C.SOURCE_FILE]].drop_duplicates()
    n_files = len(result.files)
    order = {
        f.path: i + (n_files if is_resend(Path(f.path).stem) else 0)
        for i, f in enumerate(result.files)
    }
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
    summary = dropped.groupby([C.PARTNER, C.MONTH, C.SOURCE_FILE], sort=True)[C.BOXES].agg(
        ["size", "sum"]
    )
    kept = sales[~drop].reset_index(drop=True)
    kept_boxes = kept.groupby([C.PARTNER, C.MONTH, C.SOURCE_FILE], sort=False)[C.BOXES].sum()
    for (partner, month, src), n, boxes in summary.itertuples(name=None):
        winner = keep_file.loc[(partner, month)]
        note = ""
        if is_resend(Path(winner).stem):
            now = float(kept_boxes.get((partner, month, winner), 0.0))
            note = f"; re-sent: {now:,.1f} boxes instead of {boxes:,.1f}, {now - boxes:+,.1f}"
        result.warnings.append(
            f"partner {partner}, {month}: {Path(winner).name} replaces {Path(src).name} "
            f"({n} rows, {boxes:,.1f} boxes of {Path(src).name} not counted{note})"
        )
    by_sheet = dropped.groupby([C.SOURCE_FILE, C.SHEET]).size()
    for s in result.sheets:
        n = int(by_sheet.get((s.file, s.sheet), 0))
        if n:
            s.kept -= n
            s.skipped[REPLACED] += n
            rest = kept[(kept[C.SOURCE_FILE] == s.file) & (kept[C.SHEET] == s.sheet)]
            _sum_up(s, rest, settings)
    return kept


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
    report = SheetReport(file=str(path), sheet=raw.name, rows_read=len(grid), hidden=raw.hidden)
    report.warnings.extend(raw.warnings)  # how the file was read: encoding, stray quotes
    if grid.shape[0] == 0 or grid.shape[1] == 0:
        report.kind, report.note = "none", "empty sheet"
        return report, None, None
    # columns with no value anywhere (formatting to column XFD) cost time and say nothing;
    # the kept columns keep their labels, so column indices still match the header's
    grid = grid.loc[:, grid.notna().any(axis=0).to_numpy()]
    if grid.shape[1] == 0:
        report.kind, report.note = "none", "empty sheet"
        report.skipped[BLANK] = len(raw.grid)
        return report, None, None
    head_rows = _rows_as_lists(grid.head(HEADER_SEARCH_ROWS))
    optional = frozenset({"hospital"}) if settings.file_hospital else frozenset()
    header = find_header(head_rows, settings.columns, optional)
    if header is None:
        report.kind = "none"
        report.skipped[NO_TABLE] = len(grid)
        report.note, report.missing = _no_header_note(head_rows, settings)
        wide = find_wide(head_rows, settings.columns)
        if wide is not None:  # a column per product: say so, [columns] cannot help
            report.note, report.missing = wide_note(wide), []
        return report, None, None
    # header.fields hold positions in head_rows; turn them back into column labels
    labels = list(grid.columns)
    header.fields = {f: labels[i] for f, i in header.fields.items()}
    header.names = {labels[i]: n for i, n in header.names.items()}
    if competitors and header.kind == "sales":
        header = _as_competitor_header(header)
    report.kind = header.kind
    report.header_row = header.row + 1
    report.mapping = {f: header.header(f) for f in header.fields}
    if settings.file_hospital and "hospital" in header.fields:
        header.notes.append(
            f"hospital: --hospital {settings.file_hospital} not used, "
            f"the sheet names its hospitals in {header.header('hospital')}"
        )
    elif settings.file_hospital:
        header.notes.append(f"hospital: every row is {settings.file_hospital} (--hospital)")
    report.note = "; ".join(header.notes)  # e.g. why 匹配客户名称 beat 原始客户名称
    if header.row:
        report.skipped[ABOVE_HEADER] = header.row
    report.skipped[HEADER] = 1
    body = grid.iloc[header.row + 1 :]
    if header.kind == "competitors":
        frame = _competitor_rows(body, header, report, path, raw, settings)
        return report, None, frame
    frame = _sales_rows(body, header, report, path, raw, settings, partner)
    return report, frame, None


def _no_header_note(head_rows: list[list[Any]], settings: Settings) -> tuple[str, list[str]]:
    """Why a sheet holds no usage table (the headers found), and the fields missing."""
    seen, matched = partial_fields(head_rows, settings.columns)
    missing = [f for f in SALES_REQUIRED if f not in matched]
    if not matched or not seen:
        return "no header with hospital, product and quantity in the first 30 rows", missing
    more = " ..." if len(seen) > 12 else ""
    return (
        f"no {_or(missing)} column; headers found: {', '.join(seen[:12])}{more}",
        missing,
    )


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _as_competitor_header(h: HeaderMatch) -> HeaderMatch:
    fields = dict(h.fields)
    fields["competitor"] = fields.pop("product")
    fields["monthly_boxes"] = fields.pop("quantity")
    return HeaderMatch(
        row=h.row, fields=fields, names=h.names, unit_hints={}, kind="competitors", notes=h.notes
    )


def _rows_as_lists(df: pd.DataFrame) -> list[list[Any]]:
    values = df.astype(object).to_numpy()
    return [[None if v is None or v != v else v for v in row] for row in values.tolist()]


class _Status:
    """Per-row outcome, filled in priority order: the first reason given sticks."""

    def __init__(self, index: pd.Index) -> None:
        import numpy as np

        self.index = index
        self.reason = np.full(len(index), "", dtype=object)
        self.rejected = np.zeros(len(index), dtype=bool)
        self._open = np.ones(len(index), dtype=bool)

    def open(self) -> Any:
        """The rows no reason has been given for yet (a copy)."""
        return self._open.copy()

    def skip(self, mask: Any, reason: str) -> None:
        m = self._open & mask
        self.reason[m] = reason
        self._open &= ~m

    def reject(self, mask: Any, reason: str | Callable[[Any], Any]) -> None:
        """Reject the open rows of `mask`; `reason` is a text, or a function building the
        texts for just those rows (so messages are made only for rejected rows)."""
        m = self._open & mask
        if not m.any():
            return
        self.reason[m] = reason if isinstance(reason, str) else reason(m)
        self.rejected[m] = True
        self._open &= ~m


def _add_note(report: SheetReport, text: str) -> None:
    report.note = f"{report.note}; {text}" if report.note else text


def _filled_down(
    col: Coded,
    rows: Any,
    report: SheetReport,
    header: HeaderMatch,
    what: str,
    restart: Any = None,
) -> Coded:
    """`col` filled down its blocks, with a note of how many of the `rows` took the value
    above them."""
    filled = col.ffill(restart=restart)
    n = int((col.isna() & ~filled.isna() & rows).sum())
    if n:
        _add_note(
            report,
            f"{what}: {n:,} blank {header.header(what)} cell(s) take the {what} above them "
            "(written once at the top of each block)",
        )
    return filled


def _reject_untrusted(status: _Status, body: pd.DataFrame, raw: RawSheet) -> None:
    """Rows the reader could not trust (a CSV line a stray quote broke) are rejected first,
    with the reader's reason: their cells are not the ones the partner wrote."""
    import numpy as np

    if not raw.bad_rows:
        return
    where = body.index.to_numpy()
    mask = np.isin(where, np.fromiter(raw.bad_rows, dtype=np.int64))
    status.reject(mask, lambda m: np.array([raw.bad_rows[int(i)] for i in where[m]], dtype=object))


def _reject_long_names(status: _Status, col: Coded, what: str, limit: int) -> None:
    """Rows whose `what` name runs past `limit` characters are rejected with its length:
    no hospital or doctor is called by a megabyte of text."""
    import numpy as np

    names: list[str] = col.values  # noqa: PD011 (the distinct texts, a list)
    if not names:
        return
    lengths = np.fromiter((len(v) for v in names), dtype=np.int64, count=len(names))
    if not (lengths > limit).any():
        return
    too_long = (col.codes >= 0) & (lengths[np.maximum(col.codes, 0)] > limit)
    if too_long.any():
        status.reject(
            too_long,
            lambda m: np.array(
                [
                    f"{what} name too long: {lengths[c]:,} characters (more than {limit:,})"
                    for c in col.codes[m]
                ],
                dtype=object,
            ),
        )


def _reject_implausible(status: _Status, boxes: Any, limit: float) -> None:
    """Rows of more boxes (or returns of more) than `limit` are rejected, with the figure:
    one mistyped cell of 1e28 boxes would otherwise outweigh every real row and overflow
    the sums."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        huge = ~(np.abs(boxes) <= limit) & ~np.isnan(boxes)
    if huge.any():
        status.reject(
            huge,
            lambda m: np.array(
                [f"implausible quantity: {_short_figure(b)} boxes in one row" for b in boxes[m]],
                dtype=object,
            ),
        )


def _short_figure(value: float) -> str:
    """A very large figure as a person reads it: 1.0e+28, 2,500,000."""
    return f"{value:,.0f}" if abs(value) < 1e12 else f"{value:.1e}"


def _quoted(values: pd.Series, prefix: str, suffix: str = '"') -> Any:
    """`prefix` + the value (cut to 40 characters) + `suffix`, for rejection reasons."""
    text = values.fillna("").astype("str")
    long = text.str.len() > 40
    if long.any():
        text = text.where(~long, text.str.slice(0, 39) + "…")
    return (prefix + text + suffix).to_numpy(dtype=object)


def _classify_common(
    body: pd.DataFrame, header: HeaderMatch, status: _Status, has_number: Any, overrides: Any
) -> Any:
    """Blank, repeated-header, totals, note and heading rows, in that order.

    Returns the mask of heading rows: a lone hospital (or department) cell above its
    block, which names the rows below it without being a row of data itself.
    """
    import numpy as np

    counts = body.notna().to_numpy().sum(axis=1)
    status.skip(counts == 0, BLANK)
    n = len(body)
    header_like = np.zeros(n, dtype=int)
    totals = np.zeros(n, dtype=bool)
    footer = np.zeros(n, dtype=bool)
    maybe = _maybe_word(overrides)
    for col in body.columns:
        values = body[col]
        # the exact checks run only on texts holding a character they look for
        uniques = [u for u in _wordy_uniques(values) if maybe(normalise(u).casefold())]
        if not uniques:
            continue
        is_header = {u for u in uniques if field_for(u, overrides) is not None}
        if is_header:
            header_like += values.isin(is_header).to_numpy()
        total_vals = {u for u in uniques if is_total_label(u)}
        if total_vals:
            totals |= values.isin(total_vals).to_numpy()
        foot_vals = {u for u in uniques if _is_footer(u)}
        if foot_vals:
            footer |= values.isin(foot_vals).to_numpy()
    status.skip(header_like >= 2, HEADER_REPEAT)
    status.skip(totals, TOTALS)
    # a remark such as 说明书更换 in a data row is not a footer: footers carry no quantity
    status.skip(footer & ~has_number, NOTE)
    lone = counts == 1
    qty_col = header.fields.get("quantity", header.fields.get("monthly_boxes"))
    if qty_col is not None:
        # a lone number under the quantity header, below a block: an unlabelled total
        status.skip(lone & body[qty_col].notna().to_numpy() & has_number, TOTALS)
    heading = np.zeros(n, dtype=bool)
    for fld in ("hospital", "department"):
        if fld in header.fields:
            filled = body[header.fields[fld]].notna().to_numpy()
            heading |= _headings(lone & filled & status.open(), status.open(), filled)
    status.skip(heading, HEADING)
    status.skip(lone, NOTE)
    return heading


def _maybe_word(overrides: Any) -> Callable[[str], object]:
    """A quick test on a normalised, case-folded text: False means it is surely no header
    cell, totals label or footer, so the exact checks can be left out.

    A header key, a footer word or a totals word must start somewhere in the text, so
    the text holds its first character (every totals word holds 计 or 汇, English ones
    "total" or "sum").
    """
    firsts = set(header_initials(overrides)) | {w[0] for w in _FOOTER_WORDS} | {"计", "汇"}
    chars = "".join(re.escape(c) for c in sorted(firsts))
    return re.compile(f"[{chars}]|total|sum").search


def _headings(candidates: Any, data: Any, filled: Any) -> Any:
    """The candidate rows (a lone hospital or department cell) that head a block: the
    next data row leaves that cell empty. A lone cell followed by a row naming its own
    hospital is a title or note, and names nothing."""
    import numpy as np

    out = np.zeros(len(candidates), dtype=bool)
    if not candidates.any():
        return out
    seq = np.flatnonzero(candidates | data)  # the rows in order, others left out
    follower = np.append(seq[1:], -1)  # the next of those rows, -1 at the end
    has_next = follower >= 0
    nxt = np.where(has_next, follower, 0)
    heads = candidates[seq] & has_next & data[nxt] & ~filled[nxt]
    out[seq[heads]] = True
    return out


def _wordy_uniques(values: pd.Series) -> list[str]:
    """The distinct texts of a column that could be a header, total or footer word.

    Numbers, dates and codes (most distinct values of a long sheet) cannot, so they are
    left out before the per-value checks.
    """
    import pandas as pd

    uniques = pd.Series(values.dropna().unique(), dtype="str")
    if uniques.empty:
        return []
    numeric = uniques.str.fullmatch(r"[\d\s.,:/+\-eE]*")
    return uniques[~numeric].tolist()


def is_total_label(value: object) -> bool:
    """A cell that labels a totals row: 合计, 小计, 华西医院合计, 汇总, Total, Sub-total ..."""
    spaced = normalise(value).strip(":：()（）[]【】 ")
    if len(spaced) > 60:
        return False
    core = spaced.replace(" ", "")
    return (
        core.startswith(_TOTAL_WORDS)
        or core.endswith(_TOTAL_WORDS)
        or bool(_TOTAL_EN.search(spaced))
    )


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
    if reasons.empty:
        return
    kinds = _kinds(reasons)
    for kind, rows in reasons.groupby(kinds.to_numpy(), sort=False):
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


def _kinds(reasons: pd.Series) -> pd.Series:
    """`reason_kind` of every reason, computed once per distinct reason."""
    import pandas as pd

    uniques = pd.unique(reasons)
    mapping = pd.Series([reason_kind(u) for u in uniques], index=uniques, dtype="str")
    return reasons.map(mapping)


def _sales_rows(
    body: pd.DataFrame,
    header: HeaderMatch,
    report: SheetReport,
    path: Path,
    raw: RawSheet,
    settings: Settings,
    partner_opt: str | None,
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    sheet = raw.name
    n = len(body)

    def text(fld: str) -> pd.Series:
        col = _col(body, header, fld)
        if col is None:
            return pd.Series(None, index=body.index, dtype="object")
        return col

    def coded(fld: str) -> Coded:
        return Coded.of(_col(body, header, fld), n)

    qty_raw = text("quantity")
    parsed = parse_numbers(qty_raw)
    has_number = parsed["value"].notna().to_numpy()
    status = _Status(body.index)
    _reject_untrusted(status, body, raw)
    heading = _classify_common(body, header, status, has_number, settings.columns)
    data_rows = status.open()
    feeds = data_rows | heading

    # merged cells: a hospital (and, inside its block, a department) written once
    # at the top of its rows reaches every row below it
    # ... but only where the column is laid out in blocks: in a column that writes its
    # names out row by row, a blank cell is a hole, never the name above it
    partner_col = coded("partner").where(data_rows)
    department = coded("department").where(feeds)
    at = np.flatnonzero(feeds)
    # a block starts afresh after a subtotal or a blank line, and a hospital is written
    # again to end the department above it (a blank department would continue it)
    after_gap = np.ones(len(at), dtype=bool)
    after_gap[1:] = at[1:] - at[:-1] > 1
    dept_at = department.codes[at]
    restart = after_gap.copy()
    restart[1:] |= (dept_at[1:] < 0) & (dept_at[:-1] >= 0)
    if "hospital" in header.fields:
        hospital = coded("hospital").where(feeds)
        block_start = ~hospital.isna()
        in_partner = partner_col.ffill().codes[feeds] if "partner" in header.fields else None
        if heading.any() or block_layout(hospital.codes[feeds], in_partner, restart):
            hospital = _filled_down(hospital, data_rows, report, header, "hospital")
    else:  # one hospital's own file: `--hospital NAME` names every row
        hospital = Coded(np.zeros(n, dtype=np.int64), [settings.file_hospital])
        block_start = np.zeros(n, dtype=bool)
    # a department is nested in its hospital (and partner): written again when they change
    nest = hospital.codes * (len(partner_col.values) + 1) + partner_col.ffill().codes + 1
    if block_layout(department.codes[feeds], nest[feeds], after_gap):
        department = _filled_down(
            department, data_rows, report, header, "department", restart=block_start
        )
    # a row continuing its hospital's block (its hospital cell blank) continues its
    # partner too; a row naming its hospital starts afresh
    continued = ~block_start & data_rows if "hospital" in header.fields else block_start
    if block_layout(partner_col.codes[data_rows]):
        partner_col = _filled_down(partner_col, data_rows, report, header, "partner")
    elif "partner" in header.fields and (partner_col.isna() & continued).any():
        partner_col = _filled_down(
            partner_col, continued, report, header, "partner", restart=block_start
        )
    elif "partner" in header.fields:
        blank = int((partner_col.isna() & data_rows & status.open()).sum())
        if blank:
            _add_note(
                report,
                f"partner: {blank} row(s) with a blank {header.header('partner')} counted "
                "under the file's partner",
            )

    status.reject(qty_raw.isna().to_numpy(), "quantity is empty")
    status.reject(~has_number, lambda m: _quoted(qty_raw[m], 'quantity is not a number: "'))
    status.reject(hospital.isna(), "hospital is empty")
    product = Coded.of(_product_column(body, header), n)
    status.reject(product.isna(), "product is empty")
    limit = int(settings.max_name_length)
    for what, col in (
        ("hospital", hospital),
        ("department", department),
        ("prescriber", coded("prescriber")),
        ("product", product),
    ):
        _reject_long_names(status, col, what, limit)

    # units: the unit column, else a unit written after the number, else the header's.
    # A header that names its unit (数量(支/片)) beats a unit column, unless the column
    # says which of the header's units: 包装单位 holds the pack's unit or a code ("H").
    unit = text("unit").fillna("").astype("str").str.strip()
    hint = header.unit_hints.get("quantity", "")
    spec = text("spec").fillna("").astype("str")
    if hint:
        options = hint.split("/")
        unit = unit.where(unit.isin(options), "")
        unit = unit.where(unit != "", parsed["unit"])
        unit = unit.where(unit != "", _hinted_units(hint, spec, product, settings.catalogue))
    else:
        unit = unit.where(unit != "", parsed["unit"])
    unit = normalise_series(unit)
    unit_codes, uniq_units = codes_and_values(unit)
    kind = texts_from_codes([unit_kind(u) for u in uniq_units], unit_codes, unit.index)
    status.reject((kind == "unknown").to_numpy(), lambda m: _quoted(unit[m], 'unknown unit "'))
    boxes = parsed["value"].to_numpy(dtype="float64", copy=True)
    counted = (kind == "count").to_numpy() & status.open()
    if counted.any():
        # one conversion per distinct (spec, unit), mapped back to the rows
        spec_codes, specs = codes_and_values(spec)
        pair_codes = spec_codes.astype("int64") * (len(uniq_units) + 1) + unit_codes
        pairs, first = np.unique(pair_codes[counted], return_index=True)
        rows = np.flatnonzero(counted)[first]
        per_box = np.full(len(pairs), np.nan)
        problem = np.full(len(pairs), "", dtype=object)
        for i, row in enumerate(rows):
            s, u = specs[spec_codes[row]], uniq_units[unit_codes[row]]
            per_box[i] = units_per_box(s, u) or np.nan
            if np.isnan(per_box[i]):
                problem[i] = describe_spec_problem(s, u)
        slot = np.searchsorted(pairs, pair_codes[counted])
        factor = np.full(n, np.nan)
        factor[counted] = per_box[slot]
        # a units-per-box column (包装数量) says it for its row, before the spec does
        given = _per_box_column(body, header)
        if given is not None:
            factor = np.where(counted & (given > 0), given, factor)
        no_spec = counted & np.isnan(factor)
        if no_spec.any() and settings.catalogue is not None:
            factor[no_spec] = _catalogue_factors(product, spec, no_spec, body.index, settings)
            no_spec = counted & np.isnan(factor)
        if no_spec.any():
            reasons = np.full(n, "", dtype=object)
            reasons[counted] = problem[slot]
            status.reject(no_spec, lambda m: reasons[m])
        ok = counted & ~no_spec
        boxes[ok] = boxes[ok] / factor[ok]
    _reject_implausible(status, boxes, settings.max_boxes_per_row)

    month = _months(body, header, status, path, raw, text, data_rows, report)

    keep = status.open()
    report.kept = int(keep.sum())
    skipped = pd.Series(status.reason[~keep & ~status.rejected])
    report.skipped.update(skipped.value_counts().to_dict())
    unit_header = header.names.get(header.fields.get("unit", -1), header.header("quantity"))
    month_header = header.names.get(header.fields.get("month", -1), "")
    columns = {
        "quantity is empty": header.header("quantity"),
        "quantity is not a number": header.header("quantity"),
        "hospital is empty": header.names.get(header.fields.get("hospital", -1), ""),
        "product is empty": header.header("product"),
        "unknown unit": unit_header,
        "unit without a usable pack spec": unit_header,
        "month is empty": month_header,
        "invalid month": month_header,
        "implausible quantity": header.header("quantity"),
        **{
            f"{f} name too long": header.names.get(header.fields.get(f, -1), "")
            for f in ("hospital", "department", "prescriber", "product")
        },
    }
    _problem_examples(report, body, status, {k: v for k, v in columns.items() if v})
    report.rejected = _recount(status)

    k = keep
    kept_index = body.index[k]
    catalogue = settings.catalogue
    default_partner = normalise(partner_opt or partner_from_file_name(path.stem))
    aliases = settings.hospital_aliases

    def partner_name(value: str) -> str:
        return normalise(value) if value.strip() else default_partner

    def hospital_name(value: str) -> str:
        name = normalise(value)
        return aliases.get(name, name) if aliases else name

    hospitals = hospital.texts(k, kept_index, hospital_name, hospital_name(""))
    if "hospital_code" in header.fields and aliases:
        # a name and a code: the code the customer master knows names the hospital
        by_code = coded("hospital_code").texts(
            k, kept_index, lambda v: aliases.get(normalise(v), ""), ""
        )
        hospitals = by_code.where(by_code != "", hospitals)

    def product_name(value: str) -> str:
        name = normalise(value)
        return (catalogue.standard_name(name) or name) if catalogue is not None else name

    out = pd.DataFrame(
        {
            C.PARTNER: partner_col.texts(k, kept_index, partner_name, default_partner),
            C.MONTH: month[k].astype("str"),
            C.HOSPITAL: hospitals,
            C.DEPARTMENT: department.texts(k, kept_index, normalise),
            C.PRESCRIBER: coded("prescriber").texts(k, kept_index, normalise_person),
            C.PRODUCT: product.texts(k, kept_index, product_name),
            C.SPEC: normalise_series(spec[k]),
            C.QUANTITY: parsed["value"][k].astype("float64"),
            C.UNIT: unit[k].where(unit[k] != "", "盒").astype("str"),
            C.BOXES: boxes[k].astype("float64"),
            C.AMOUNT: _amounts(body, header)[k],
            C.SOURCE_FILE: repeated_text(str(path), int(k.sum())),
            C.SHEET: repeated_text(sheet, int(k.sum())),
            C.ROW: (body.index[k] + 1).astype("int64"),
        }
    )
    out = out.reset_index(drop=True)
    _sum_up(report, out, settings)
    return out


def _product_column(body: pd.DataFrame, header: HeaderMatch) -> pd.Series | None:
    """The product of each row: the brand (商品名), else the generic name beside it."""
    brand = _col(body, header, "product")
    generic = _col(body, header, "product_generic")
    if brand is None or generic is None:
        return brand
    blank = brand.isna() | (brand.astype("str").str.strip() == "")
    return brand.where(~blank, generic)


def _numbers(body: pd.DataFrame, header: HeaderMatch, fld: str) -> Any:
    """The numbers of column `fld` (NaN where a cell is empty or not a number), or None
    when the sheet has no such column."""
    col = _col(body, header, fld)
    if col is None:
        return None
    return parse_numbers(col)["value"].to_numpy(dtype="float64")


def _per_box_column(body: pd.DataFrame, header: HeaderMatch) -> Any:
    """Units per box from a 包装数量 column: NaN where it is empty (often the whole export)."""
    return _numbers(body, header, "per_box")


def _amounts(body: pd.DataFrame, header: HeaderMatch) -> Any:
    """The value of each row (金额, 实收金额), NaN where the sheet has none."""
    import numpy as np

    values = _numbers(body, header, "amount")
    return np.full(len(body), np.nan) if values is None else values


def _catalogue_factors(
    product: Coded, spec: pd.Series, rows: Any, index: pd.Index, settings: Settings
) -> Any:
    """Units per box from the product catalogue for `rows` (NaN where it has none)."""
    import numpy as np

    catalogue = settings.catalogue
    names = product.texts(rows, index[rows], normalise, "")
    specs = spec[rows].astype("str")
    cache: dict[tuple[str, str], float] = {}
    out = np.full(int(rows.sum()), np.nan)
    for i, (name, sp) in enumerate(zip(names.tolist(), specs.tolist(), strict=True)):
        key = (name, sp)
        if key not in cache:
            standard = catalogue.standard_name(name) or name
            cache[key] = catalogue.per_box(standard, sp) or np.nan
        out[i] = cache[key]
    return out


def _hinted_units(hint: str, spec: pd.Series, product: Coded, catalogue: Any = None) -> Any:
    """The header's unit for every row: 数量(支/片) is in the unit the row's spec counts,
    else the unit the catalogue's spec of the product counts (a panel's 药品规格 is often
    only the strength, 0.4g), else the first the header names."""
    options = hint.split("/")
    if len(options) == 1:
        return hint
    codes, specs = codes_and_values(spec)
    by_spec = [next((u for u in options if units_per_box(s, u)), "") for s in specs]
    picked = texts_from_codes(by_spec, codes, spec.index)
    if catalogue is not None and (picked == "").any():
        open_rows = (picked == "").to_numpy()
        names = product.texts(open_rows, spec.index[open_rows], normalise, "")
        cache: dict[str, str] = {}
        for name in set(names.tolist()):
            standard = catalogue.standard_name(name) or name
            specs_of = [e.spec for e in catalogue.entries if e.product == standard]
            cache[name] = next(
                (u for u in options if any(units_per_box(s, u) for s in specs_of)), ""
            )
        picked[open_rows] = names.map(cache).to_numpy()
    return picked.where(picked != "", options[0])


def _months(
    body: pd.DataFrame,
    header: HeaderMatch,
    status: _Status,
    path: Path,
    raw: RawSheet,
    text: Callable[[str], pd.Series],
    data_rows: Any,
    report: SheetReport,
) -> pd.Series:
    """The month of every row: a month/date column (with a year column for bare months),
    else the sheet name, else the file name.

    Where the month column is laid out in blocks (`block_layout`), an empty cell takes the
    month above it, or, above the first month written, the month the sheet or file name
    gives; elsewhere an empty month cell is rejected.
    """
    import numpy as np
    import pandas as pd

    year_hint = year_from_name(raw.name) or year_from_name(path.stem)
    named = month_from_name(raw.name, year_hint) or month_from_name(path.stem, year_hint)
    if "month" in header.fields:
        month_col = text("month").where(data_rows)
        month_codes = pd.factorize(month_col, use_na_sentinel=True)[0]
        if block_layout(month_codes[data_rows]):
            blank = month_col.isna().to_numpy() & data_rows
            month_col = month_col.ffill()
            if named is not None:
                month_col = month_col.fillna(named)
            filled = int((blank & month_col.notna().to_numpy()).sum())
            if filled:
                _add_note(
                    report,
                    f"month: {filled:,} blank {header.header('month')} cell(s) take the month "
                    "above them (written once at the top of each block)",
                )
        years = text("year").where(data_rows).ffill() if "year" in header.fields else None
        periods = parse_periods(
            month_col.where(month_col.notna(), ""),
            year_hint,
            years=years,
            date1904=raw.date1904,
        )
        status.reject(month_col.isna().to_numpy(), "month is empty")
        if periods.attrs.get("note"):
            _add_note(report, f"month: {periods.attrs['note']}")
        problems = periods["problem"]
        status.reject(
            (problems != "").to_numpy(), lambda m: ("month: " + problems[m]).to_numpy(dtype=object)
        )
        return periods["month"]
    if named is None:
        status.reject(
            np.ones(len(body), dtype=bool),
            "no month: no month/date column, and none in the sheet or file name",
        )
        named = ""
    return pd.Series(named, index=body.index, dtype="str")


def _sum_up(report: SheetReport, rows: pd.DataFrame, settings: Settings) -> None:
    """Boxes (ours / others), months, partners and units of a sheet's kept rows."""
    from uplift.sheets.products import mark_ours

    ours = mark_ours(rows[C.PRODUCT], settings).to_numpy()
    report.boxes_ours = float(rows.loc[ours, C.BOXES].sum())
    report.boxes_other = float(rows.loc[~ours, C.BOXES].sum())
    report.months = sorted(rows[C.MONTH].unique().tolist())
    report.partners = sorted(rows[C.PARTNER].unique().tolist())
    report.units = sorted(rows[C.UNIT].unique().tolist())
    # a doctor merged down over several rows reaches only the first of them (merges are
    # not visible to the reader): say so rather than let those rows lose their doctor
    blank = rows[C.PRESCRIBER] == ""
    if "prescriber" in report.mapping and blank.any() and not blank.all():
        first = rows.loc[blank, C.ROW].head(5).astype(str).tolist()
        report.warnings.append(
            f'{Path(report.file).name}, sheet "{report.sheet}": {int(blank.sum())} row(s) '
            f"have no doctor while other rows name one (rows {', '.join(first)}"
            f"{' ...' if blank.sum() > 5 else ''}); if the doctor's cell is merged down, "
            "unmerge it and fill it in"
        )


def _recount(status: _Status) -> Counter[str]:
    import pandas as pd

    reasons = pd.Series(status.reason[status.rejected], dtype="str")
    if reasons.empty:
        return Counter()
    return Counter(_kinds(reasons).value_counts().to_dict())


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
    if reason.startswith("implausible quantity"):
        return "implausible quantity"
    if " name too long: " in reason:
        return reason.split(":", 1)[0]
    return reason


def _competitor_rows(
    body: pd.DataFrame,
    header: HeaderMatch,
    report: SheetReport,
    path: Path,
    raw: RawSheet,
    settings: Settings,
) -> pd.DataFrame:
    import pandas as pd

    sheet = raw.name

    qty_raw = body[header.fields["monthly_boxes"]]
    parsed = parse_numbers(qty_raw)
    has_number = parsed["value"].notna().to_numpy()
    status = _Status(body.index)
    _reject_untrusted(status, body, raw)
    heading = _classify_common(body, header, status, has_number, settings.columns)
    hospital = body[header.fields["hospital"]].where(status.open() | heading).ffill()
    status.reject(qty_raw.isna().to_numpy(), "monthly boxes are empty")
    status.reject(~has_number, lambda m: _quoted(qty_raw[m], 'quantity is not a number: "'))
    product = body[header.fields["competitor"]]
    status.reject(product.isna().to_numpy(), "competitor product is empty")
    status.reject(hospital.isna().to_numpy(), "hospital is empty")
    _reject_implausible(
        status, parsed["value"].to_numpy(dtype="float64"), settings.max_boxes_per_row
    )
    keep = status.open()
    report.kept = int(keep.sum())
    report.skipped.update(
        pd.Series(status.reason[~keep & ~status.rejected]).value_counts().to_dict()
    )
    columns = {
        "implausible quantity": header.header("monthly_boxes"),
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

    hospital_names = normalise_series(hospital[keep].fillna(""))
    if settings.hospital_aliases:
        hospital_names = hospital_names.replace(settings.hospital_aliases)
    out = pd.DataFrame(
        {
            C.HOSPITAL: hospital_names,
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
