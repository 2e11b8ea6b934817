"""Targets: read the targets sheet and judge completion, forecast and the reasons for a gap.

A targets sheet lists, per partner and/or hospital (optionally per product), a target
in boxes for a month or a quarter. Completion counts our products (or the named product)
in the sales rows of that partner/hospital over the target's months.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from uplift.analysis.growth import (
    CATEGORY,
    CHANGE,
    DECLINED,
    LOST,
    SPECIAL,
    add_months,
    bridge_rows,
    month_range,
    reporting_context,
)
from uplift.errors import InputProblem, Problem, UsageError
from uplift.sheets import columns as C
from uplift.sheets.names import match_key, normalise
from uplift.sheets.periods import PeriodError
from uplift.sheets.periods import parse_period as parse_month
from uplift.sheets.products import mark_ours

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from uplift.config import Settings

    PrescriberLabel = Callable[[str, str], str]  # (hospital, name) -> the name to show

# Columns of read_targets.
PERIOD: Final = "period"  # "2026-04" or "2026Q3"
TARGET: Final = "target"  # boxes for the whole period
# Columns added by target_completion.
ACTUAL: Final = "actual"
COMPLETION: Final = "completion"
FORECAST: Final = "forecast"
FORECAST_COMPLETION: Final = "forecast_completion"
SHORTFALL: Final = "shortfall"
STATUS: Final = "status"
MONTHS_ELAPSED: Final = "months_elapsed"
MONTHS_IN_PERIOD: Final = "months_in_period"
YTD_ACTUAL: Final = "ytd_actual"
YTD_TARGET: Final = "ytd_target"
YTD_COMPLETION: Final = "ytd_completion"
LAST_YEAR: Final = "last_year"
YOY_GROWTH: Final = "yoy_growth"
UNKNOWN: Final = "unknown"
REASONS: Final = "reasons"

COMPLETE: Final = "complete"
IN_PROGRESS: Final = "in_progress"
NOT_STARTED: Final = "not_started"

TARGET_COLUMNS: Final = (
    C.PARTNER,
    C.HOSPITAL,
    C.PRODUCT,
    PERIOD,
    C.MONTHS,
    TARGET,
    C.SOURCE_FILE,
    C.SHEET,
    C.ROW,
)

REASONS_LIMIT: Final = 10  # reasons listed per target; the rest summed in one line
HEADER_ROWS: Final = 30  # the header is looked for in the first 30 rows

# Header aliases, compared after match_key and without a bracketed suffix ("目标(盒)").
ALIASES: Final = {
    C.PARTNER: ("合作者", "代理商", "经销商", "partner", "合作伙伴", "distributor", "商业公司"),
    C.HOSPITAL: ("医院", "医院名称", "终端", "终端名称", "客户名称", "hospital", "hospitalname"),
    C.PRODUCT: ("品名", "产品", "产品名称", "通用名", "product", "productname"),
    PERIOD: ("月份", "期间", "年月", "月", "季度", "month", "period", "quarter"),
    TARGET: (
        "目标",
        "指标",
        "目标盒数",
        "指标盒数",
        "目标数量",
        "目标量",
        "任务",
        "target",
        "targetboxes",
        "targets",
    ),
}
_FIELD_OF = {match_key(alias): field for field, names in ALIASES.items() for alias in names}
_BRACKETED = re.compile(r"[(\[【].*?[)\]】]")

_QUARTER_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年 ]*(?:第)?([1-4])季(?:度)?$"),
    re.compile(r"^(\d{4})[-/. ]*q([1-4])$"),
    re.compile(r"^q([1-4])[-/. ]*(\d{4})$"),
)
_NUMBER_SUFFIX = re.compile(r"(盒|boxes|box)$")


# Reading ---------------------------------------------------------------------------------


def parse_target_period(text: str) -> tuple[str, list[str]] | None:
    """(label, months) for `2026-04`, `2026年4月`, `202604`, `2026Q3`, `2026年第3季度` ...

    Months (and dates, Excel serials) are read by `uplift.sheets.periods`, as the loader reads
    them; quarters here. None when `text` is not a period.
    """
    written = re.sub(r"^(\d{6})\.0+$", r"\1", normalise(text))  # 202604 stored as a number
    key = written.casefold().replace(" ", "")
    for i, pattern in enumerate(_QUARTER_PATTERNS):
        match = pattern.match(key)
        if match:
            year, quarter = (match.group(2), match.group(1)) if i == 2 else match.groups()
            first = f"{year}-{3 * int(quarter) - 2:02d}"
            return f"{year}Q{quarter}", month_range(first, add_months(first, 2))
    try:  # months are read exactly as the loader reads them
        month = parse_month(written)
    except PeriodError:
        return None
    return month, [month]


def _header_field(cell: str) -> str | None:
    for line in str(cell).splitlines() or [""]:
        key = _BRACKETED.sub("", match_key(line))
        if key in _FIELD_OF:
            return _FIELD_OF[key]
    return None


def _find_header(grid: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """(row index, field -> column index) of the first row that looks like the header."""
    for r, cells in enumerate(grid[:HEADER_ROWS]):
        found: dict[str, int] = {}
        for c, cell in enumerate(cells):
            field = _header_field(cell)
            if field is not None and field not in found:
                found[field] = c
        if PERIOD in found and TARGET in found and (C.PARTNER in found or C.HOSPITAL in found):
            return r, found
    return None


def _read_grids(
    path: Path, settings: Settings
) -> list[tuple[str | None, list[list[str]], set[tuple[int, int]]]]:
    """(sheet name, rows of text cells, cells merged into the one above) per sheet; CSV
    is one sheet named None. A merged cell is (row, column), 0-based, for every cell of a
    merged range below its top row.

    Through the loader's reader, so the targets sheet gets the same protection against
    damaged files, decompression bombs and encodings as a usage-detail sheet.
    """
    from uplift.sheets.reading import CSV_SUFFIXES, merged_ranges, read_csv, read_workbook

    if not path.is_file():
        raise UsageError(f"{path}: targets file not found")
    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    if path.suffix.lower() in CSV_SUFFIXES:
        sheets = [read_csv(path)]
        named = False
    else:
        _, sheets = read_workbook(path, max_unzipped_mb=settings.max_unzipped_mb)
        merges = merged_ranges(path, settings.max_unzipped_mb)
        named = True
    out: list[tuple[str | None, list[list[str]], set[tuple[int, int]]]] = []
    for raw in sheets:
        frame = raw.grid
        # row i of the grid is Excel row i + 1
        values = frame.astype("object").where(frame.notna(), "").to_numpy().tolist()
        below = {
            (r, c)
            for r1, c1, r2, c2 in merges.get(raw.name, [])
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= 1_000_000  # a targets sheet is small
            for r in range(r1 + 1, r2 + 1)
            for c in range(c1, c2 + 1)
        }
        rows = [[str(v) for v in row] for row in values]
        out.append((raw.name if named else None, rows, below))
    return out


def _number(text: str) -> float | None:
    key = normalise(text).casefold().replace(",", "").replace(" ", "")
    key = _NUMBER_SUFFIX.sub("", key)
    try:
        value = float(key)
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a number here


def _is_total(cells: list[str]) -> bool:
    """A totals row, by the loader's own rule, so both sheets skip the same rows."""
    from uplift.sheets.loading import is_total_label

    return any(is_total_label(cell) for cell in cells if cell)


def read_targets(path: Path | str, *, settings: Settings) -> pd.DataFrame:
    """Targets from an .xlsx/.xls/.csv sheet, one row per target line.

    The header is the first of the first 30 rows naming a period (月份/期间/Month/...), a
    target (目标/指标/Target/...) and a partner (合作者/代理商/经销商/Partner) or a
    hospital (医院/终端/Hospital); a product column (品名/产品/Product) is optional.
    Every sheet with such a header is read. Blank rows and 合计/小计/总计 rows are skipped.
    A blank partner beside a hospital is that hospital's target across all partners,
    unless the cell is inside a merged range (.xlsx) or the partner column is plainly
    written once per block (see `_partner_blocks`): then it is the partner above. A row with neither
    partner nor hospital takes both from the row above.

    Periods: `2026-04`, `2026/4`, `2026年4月`, `202604`, a date (its month), `2026Q3`,
    `Q3 2026`, `2026年第3季度`; a quarter target covers its three months.

    Columns: partner, hospital, product ("" when not given), period ("2026-04" or
    "2026Q3"), months (list of "YYYY-MM"), target (boxes for the whole period),
    source_file, sheet ("" for CSV), row (the 1-based Excel row).
    Raises InputProblem naming file, sheet, row and column for the first bad cell (and
    how many more there are), or when no sheet has a recognisable header.
    """
    import pandas as pd

    path = Path(path)
    name = path.name
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    headed = False
    for sheet, grid, merged in _read_grids(path, settings):
        found = _find_header(grid)
        if found is None:
            continue
        headed = True
        records += _sheet_records(grid, found, name, sheet, settings, problems, merged)
    if not headed:
        expected = ", ".join(f"{f}: {'/'.join(ALIASES[f][:4])}" for f in ALIASES)
        raise InputProblem(
            Problem(name, f"no header with a period and a target in the first {HEADER_ROWS} rows"),
            hint=f"expected columns like {expected}",
        )
    problems.extend(_overlaps(records, name))
    if problems:
        more = len(problems) - 1
        raise InputProblem(problems[0], hint=f"... and {more} more problem(s)" if more else "")
    out = pd.DataFrame.from_records(records, columns=[*TARGET_COLUMNS, "_column"])
    out = out.drop(columns="_column")
    for col in (C.PARTNER, C.HOSPITAL, C.PRODUCT, PERIOD, C.SOURCE_FILE, C.SHEET):
        out[col] = out[col].astype("str")
    out[TARGET] = out[TARGET].astype("float64")
    out[C.ROW] = out[C.ROW].astype("int64")
    return out


def _partner_blocks(grid: list[list[str]], header_row: int, fields: dict[str, int]) -> bool:
    """True when the partner column is plainly written once per block of hospital rows
    (a pivot pasted as values; merged cells are read as such): a blank partner there is
    the partner above. Otherwise a blank partner
    beside a hospital is a target for that hospital across all partners."""
    import numpy as np

    from uplift.sheets.distinct import block_layout

    if C.PARTNER not in fields:
        return False
    col = fields[C.PARTNER]
    cells = [
        normalise(row[col]) if col < len(row) else ""
        for row in grid[header_row + 1 :]
        if any(str(c).strip() for c in row) and not _is_total(row)
    ]
    ids: dict[str, int] = {}
    codes = np.array([ids.setdefault(c, len(ids)) if c else -1 for c in cells], dtype=np.int64)
    if not block_layout(codes):
        return False
    # plainly blocks: two blocks at least, and every partner written heads a block of
    # rows below it; one partner above one blank (甲, then a hospital with none) is a
    # hospital's target across partners, not a block
    written = np.flatnonzero(codes >= 0)
    heads_a_block = (written + 1 < len(codes)) & (
        codes[np.minimum(written + 1, len(codes) - 1)] < 0
    )
    return len(written) >= 2 and bool(heads_a_block.all())


def _sheet_records(
    grid: list[list[str]],
    found: tuple[int, dict[str, int]],
    name: str,
    sheet: str | None,
    settings: Settings,
    problems: list[Problem],
    merged: set[tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """The target lines of one sheet below its header; bad cells go to `problems`.
    `merged`: the (row, column) cells that a merged range above them covers."""
    header_row, fields = found
    headers = {f: grid[header_row][c].strip() or f for f, c in fields.items()}
    wanted = (C.PARTNER, C.HOSPITAL, C.PRODUCT, PERIOD, TARGET)
    records: list[dict[str, Any]] = []
    above = {C.PARTNER: "", C.HOSPITAL: ""}
    partner_blocks = _partner_blocks(grid, header_row, fields)
    for r in range(header_row + 1, len(grid)):
        cells = grid[r]
        values = {
            f: normalise(cells[fields[f]]) if f in fields and fields[f] < len(cells) else ""
            for f in wanted
        }
        if not any(values.values()) or _is_total(cells):
            continue
        # merged cells: only the first row of a block carries the name
        if not values[C.PARTNER] and not values[C.HOSPITAL]:
            values[C.PARTNER], values[C.HOSPITAL] = above[C.PARTNER], above[C.HOSPITAL]
        elif (
            not values[C.PARTNER]
            and C.PARTNER in fields
            and (partner_blocks or (r, fields[C.PARTNER]) in (merged or ()))
        ):
            values[C.PARTNER] = above[C.PARTNER]
        above = {C.PARTNER: values[C.PARTNER], C.HOSPITAL: values[C.HOSPITAL]}
        period = parse_target_period(values[PERIOD])
        target = _number(values[TARGET])
        bad: tuple[str, str] | None = None
        if not values[C.PARTNER] and not values[C.HOSPITAL]:
            bad = (C.HOSPITAL, "no partner or hospital for this target")
        elif period is None:
            bad = (
                PERIOD,
                f"expected a month or quarter like 2026-04 or 2026Q3, got {values[PERIOD]!r}",
            )
        elif target is None or target < 0:
            bad = (TARGET, f"expected a number of boxes (0 or more), got {values[TARGET]!r}")
        if bad is not None or period is None or target is None:
            field, text = bad or (TARGET, "unreadable target")
            problems.append(
                Problem(name, text, sheet, r + 1, headers.get(field, field), values.get(field))
            )
            continue
        hospital = settings.hospital_aliases.get(values[C.HOSPITAL], values[C.HOSPITAL])
        records.append(
            {
                C.PARTNER: values[C.PARTNER],
                C.HOSPITAL: hospital,
                C.PRODUCT: values[C.PRODUCT],
                PERIOD: period[0],
                C.MONTHS: period[1],
                TARGET: target,
                C.SOURCE_FILE: name,
                C.SHEET: sheet or "",
                C.ROW: r + 1,
                "_column": headers.get(PERIOD, PERIOD),
            }
        )
    return records


def _overlaps(records: list[dict[str, Any]], name: str) -> list[Problem]:
    """Two targets for the same partner/hospital/product covering the same month."""
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    out = []
    for rec in records:
        for month in rec[C.MONTHS]:
            names = (rec[C.PARTNER], rec[C.HOSPITAL], rec[C.PRODUCT])
            key = (*(match_key(n) for n in names), month)
            first = seen.setdefault(key, rec)
            if first is not rec:
                where = f'sheet "{first[C.SHEET]}", ' if first[C.SHEET] else ""
                out.append(
                    Problem(
                        name,
                        f"a second target for {month}; {where}row {first[C.ROW]} already "
                        "sets one for the same partner, hospital and product",
                        rec[C.SHEET] or None,
                        rec[C.ROW],
                        rec["_column"],
                    )
                )
                break
    return out


# Matching the targets to the data --------------------------------------------------------

_SCOPE = (C.PARTNER, C.HOSPITAL, C.PRODUCT)


def _resolve(targets: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    """Targets with names spelled as in the data (match_key), and `unknown` names listed."""
    import pandas as pd

    out = targets.copy()
    unknown: list[list[str]] = [[] for _ in range(len(out))]
    for col in _SCOPE:
        spelled = {match_key(v): v for v in sales[col].unique() if v != ""}
        names = out[col].astype("str")
        resolved = names.map(lambda v, s=spelled: s.get(match_key(v), ""))
        missing = (names != "") & (resolved == "")
        out[col] = resolved.where(names != "", "").where(~missing, names)
        for i in missing.to_numpy().nonzero()[0]:
            unknown[i].append(col)
    out[UNKNOWN] = pd.Series([", ".join(u) for u in unknown], index=out.index, dtype="str")
    return out


def _scope_sums(
    sales: pd.DataFrame, wanted: pd.DataFrame, settings: Settings, index: pd.Index
) -> pd.Series:
    """Boxes per target id (`tid`) over the (tid, partner, hospital, product, month) rows.

    A blank partner, hospital or product means any; without a product, our products count.
    """
    import pandas as pd

    out = pd.Series(0.0, index=index, dtype="float64")
    if wanted.empty:
        return out
    ours = sales[mark_ours(sales[C.PRODUCT], settings)]
    shape = [wanted[col] != "" for col in _SCOPE]
    for flags, group in wanted.groupby(shape, sort=False):
        keys = [col for col, given in zip(_SCOPE, flags, strict=True) if given] + [C.MONTH]
        source = sales if flags[2] else ours
        totals = source.groupby(keys, sort=False)[C.BOXES].sum().rename("_boxes").reset_index()
        merged = group[["tid", *keys]].merge(totals, on=keys, how="left")
        sums = merged.groupby("tid", sort=False)["_boxes"].sum()
        out.loc[sums.index] = sums.to_numpy()
    return out


def _explode(targets: pd.DataFrame, months: pd.Series) -> pd.DataFrame:
    """(tid, partner, hospital, product, month) for each target and each of its `months`."""
    frame = targets[list(_SCOPE)].copy()
    frame["tid"] = targets.index
    frame[C.MONTH] = months.to_numpy()
    frame = frame.explode(C.MONTH).dropna(subset=[C.MONTH])
    frame[C.MONTH] = frame[C.MONTH].astype("str")
    return frame


def _falling(rows: pd.DataFrame, level: str, label: PrescriberLabel | None) -> pd.DataFrame:
    """Bridge rows that fell (declined, lost or a data gap), with their reason text."""
    import pandas as pd

    falling = rows[(rows[CHANGE] < 0) & rows[CATEGORY].isin([DECLINED, LOST, *SPECIAL])].copy()
    if falling.empty:
        falling["_text"] = pd.Series(dtype="str")
        return falling
    hospitals = falling[C.HOSPITAL].astype("str")
    if level == "prescriber":
        names = falling[C.PRESCRIBER].astype("str")
        if label is not None:
            labels = [label(h, n) for h, n in zip(hospitals, names, strict=True)]
            names = pd.Series(labels, index=falling.index, dtype="str")
        shown = names + " (" + hospitals + ")"
    else:
        shown = hospitals
    category = falling[CATEGORY].astype("str").str.replace("_", " ")
    amount = pd.Series([f"{v:+.1f}" for v in falling[CHANGE]], index=falling.index, dtype="str")
    falling["_text"] = level + " " + shown + ": " + category + " " + amount
    return falling


def _reason_texts(lines: list[tuple[float, str]], limit: int | None) -> list[str]:
    lines.sort(key=lambda item: item[0])
    shown = [text for _, text in (lines[:limit] if limit is not None else lines)]
    rest = lines[len(shown) :]
    if rest:
        drop = sum(change for change, _ in rest)
        shown.append(f"... and {len(rest)} more ({drop:+.1f} boxes)")
    return shown


def _all_reasons(
    sales: pd.DataFrame,
    t: pd.DataFrame,
    todo: list[int],
    elapsed: pd.Series,
    settings: Settings,
    label: PrescriberLabel | None,
    limit: int | None,
) -> dict[int, list[str]]:
    """Reasons for the targets at positions `todo` of `t`.

    Per target: bridge the elapsed months of its period against as many months right
    before, inside its partner/hospital/product, at hospital and prescriber level; keep
    what fell, largest drop first. Targets sharing months and product share two bridges
    (split per partner when they name a partner), so a long sheet stays fast.
    """
    context = reporting_context(sales)
    groups: dict[tuple[tuple[str, ...], str, bool], list[int]] = {}
    for i in todo:
        key = (tuple(elapsed.iloc[i]), t[C.PRODUCT].iloc[i], bool(t[C.PARTNER].iloc[i]))
        groups.setdefault(key, []).append(i)
    out: dict[int, list[tuple[float, str]]] = {i: [] for i in todo}
    for (months, product, per_partner), members in groups.items():
        end = list(months)
        start = month_range(add_months(end[0], -len(end)), add_months(end[0], -1))
        data = sales[sales[C.MONTH].isin([*start, *end])]
        scoped = settings
        if product:  # the named product counts, whether or not it is in the `ours` list
            data = data[data[C.PRODUCT] == product]
            scoped = replace(settings, ours=frozenset({product}), markets=())
        wanted = t.iloc[members]
        for col in (C.PARTNER, C.HOSPITAL):  # bridge only the rows these targets cover
            names = set(wanted[col])
            if "" not in names:
                data = data[data[col].isin(names)]
        for level in ("hospital", "prescriber"):
            rows = bridge_rows(
                data,
                context=context,
                settings=scoped,
                by=level,
                start=start,
                end=end,
                per_partner=per_partner,
            )
            falling = _falling(rows, level, label)
            lines = list(zip(falling[CHANGE].astype(float), falling["_text"], strict=True))
            partners = falling[C.PARTNER].tolist() if per_partner else [""] * len(lines)
            hospitals = falling[C.HOSPITAL].tolist()
            scopes: dict[tuple[str, str], list[tuple[float, str]]] = {}
            for partner, hospital, line in zip(partners, hospitals, lines, strict=True):
                scopes.setdefault((partner, hospital), []).append(line)
                scopes.setdefault((partner, ""), []).append(line)  # a partner-wide target
            for i in members:
                out[i] += scopes.get((t[C.PARTNER].iloc[i], t[C.HOSPITAL].iloc[i]), [])
    return {i: _reason_texts(lines, limit) for i, lines in out.items()}


def target_completion(
    sales: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    settings: Settings,
    as_of: str | None = None,
    prescriber_label: PrescriberLabel | None = None,
    reasons_limit: int | None = REASONS_LIMIT,
) -> pd.DataFrame:
    """Per target row: actual, completion, run-rate forecast, YTD, year on year, reasons.

    `as_of` ("YYYY-MM", default the last month in the data) is the last month counted.
    - actual: boxes of our products (or of the named product) in the target's
      partner/hospital over its months up to `as_of`; completion = actual / target
      (NaN when the target is 0 or the period has not started).
    - status: complete, in_progress (some months after `as_of`) or not_started.
    - forecast: for a period in progress, actual / months elapsed x months in the
      period; for a complete one, the actual; NaN when not started.
    - shortfall: target - forecast when positive (for a complete period, target -
      actual), else 0; NaN when not started.
    - ytd_actual / ytd_target: over the months from January of the period's year up to
      the period end or `as_of` (whichever is earlier) that have a target for the same
      partner/hospital/product in the sheet (a quarter target counts a third a month),
      so months without a target do not inflate completion. NaN when the data starts
      after the first of those months.
    - last_year: actual over the same elapsed months a year earlier, NaN when the data
      does not reach back; yoy_growth = actual / last_year - 1.
    - unknown: "partner", "hospital" and/or "product" when that name is not in the
      data (see `unknown_targets`); such rows stay in the result with actual 0.
    - reasons: for a shortfall, the declined/lost (and data-gap) hospitals and
      prescribers, largest drop first, as text lines from the growth bridge. The text
      names prescribers through `prescriber_label(hospital, name)` when given (e.g. a
      pseudonym from uplift.store.privacy), since masking a frame cannot reach inside text.
      At most `reasons_limit` lines (None: all), then one line "... and N more (-X
      boxes)" so the rest is counted, not dropped.
    Columns: partner, hospital, product, period, target, actual, completion, forecast,
    forecast_completion, shortfall, status, months_elapsed, months_in_period, ytd_actual,
    ytd_target, ytd_completion, last_year, yoy_growth, unknown, reasons, source_file,
    sheet, row. Names are spelled as in the data where they match.
    """
    import numpy as np
    import pandas as pd

    present = sorted(str(m) for m in sales[C.MONTH].unique())
    if as_of is None:
        as_of = present[-1] if present else "0000-00"
    else:
        parsed = parse_target_period(as_of)
        if parsed is None or len(parsed[1]) != 1:
            raise UsageError(f"--as-of {as_of!r}: expected a month like 2026-04")
        as_of = parsed[1][0]
    first_data = present[0] if present else "9999-99"

    t = _resolve(targets.reset_index(drop=True), sales)
    index = t.index
    months = t[C.MONTHS]
    elapsed = months.map(lambda ms: [m for m in ms if m <= as_of])
    n_elapsed = elapsed.map(len).astype("int64")
    n_months = months.map(len).astype("int64")

    actual = _scope_sums(sales, _explode(t, elapsed), settings, index)
    target = t[TARGET].astype("float64")
    status = np.select([n_elapsed == n_months, n_elapsed > 0], [COMPLETE, IN_PROGRESS], NOT_STARTED)
    forecast = (actual / n_elapsed.replace(0, np.nan) * n_months).where(n_elapsed > 0)
    shortfall = (target - forecast).clip(lower=0)

    # year to date: this year's months up to the period end (or as_of) that have a target
    year_start = months.map(lambda ms: ms[-1][:4] + "-01")
    ytd_end = months.map(lambda ms: min(ms[-1], as_of))
    ytd_months = pd.Series(
        [month_range(a, b) for a, b in zip(year_start, ytd_end, strict=True)], index=index
    )
    monthly_target = _explode(t, months)
    monthly_target["_target"] = (target / n_months).reindex(monthly_target["tid"]).to_numpy()
    targeted = _explode(t, ytd_months).merge(
        monthly_target.drop(columns="tid"), on=[*_SCOPE, C.MONTH], how="inner"
    )
    ytd_target = targeted.groupby("tid")["_target"].sum().reindex(index)
    ytd_wanted = targeted.drop(columns="_target").drop_duplicates(["tid", C.MONTH])
    ytd_actual = _scope_sums(sales, ytd_wanted, settings, index)
    ytd_first = ytd_wanted.groupby("tid")[C.MONTH].min().reindex(index)
    reaches = ytd_first.notna() & (ytd_first.fillna("") >= first_data)

    # year on year
    last_months = elapsed.map(lambda ms: [add_months(m, -12) for m in ms])
    last_year = _scope_sums(sales, _explode(t, last_months), settings, index)
    back = last_months.map(lambda ms: bool(ms) and ms[0] >= first_data)

    out = pd.DataFrame(index=index)
    for col in _SCOPE:
        out[col] = t[col].astype("str")
    out[PERIOD] = t[PERIOD].astype("str")
    out[TARGET] = target
    out[ACTUAL] = actual.round(4)
    out[COMPLETION] = (actual / target.replace(0, np.nan)).where(n_elapsed > 0).round(6)
    out[FORECAST] = forecast.round(4)
    out[FORECAST_COMPLETION] = (forecast / target.replace(0, np.nan)).round(6)
    out[SHORTFALL] = shortfall.round(4)
    out[STATUS] = pd.Series(status, index=index, dtype="str")
    out[MONTHS_ELAPSED] = n_elapsed
    out[MONTHS_IN_PERIOD] = n_months
    out[YTD_ACTUAL] = ytd_actual.where(reaches).round(4)
    out[YTD_TARGET] = ytd_target.where(reaches).round(4)
    out[YTD_COMPLETION] = (out[YTD_ACTUAL] / out[YTD_TARGET].replace(0, np.nan)).round(6)
    out[LAST_YEAR] = last_year.where(back).round(4)
    out[YOY_GROWTH] = (actual / out[LAST_YEAR].where(out[LAST_YEAR] > 0) - 1).round(6)
    out[UNKNOWN] = t[UNKNOWN].astype("str")
    reasons: list[list[str]] = [[] for _ in index]
    behind = (shortfall > 0) & (n_elapsed > 0)
    todo = [int(i) for i in behind.to_numpy().nonzero()[0]]
    if todo:
        found = _all_reasons(sales, t, todo, elapsed, settings, prescriber_label, reasons_limit)
        for i, lines in found.items():
            reasons[i] = lines
    out[REASONS] = reasons
    for col in (C.SOURCE_FILE, C.SHEET):
        out[col] = t[col].astype("str")
    out[C.ROW] = t[C.ROW].astype("int64")
    return out.reset_index(drop=True)


def unknown_targets(
    sales: pd.DataFrame, targets: pd.DataFrame, *, settings: Settings
) -> pd.DataFrame:
    """Partners, hospitals and products named in the targets sheet but not in the data.

    One row per name: `kind` (partner/hospital/product), `name`, `rows` (the Excel rows
    naming it), `source_file`, `sheet` (of its first row) and `suggestion` (the closest
    name in the data, "" when none is close), so nothing is dropped silently.
    """
    import numpy as np
    import pandas as pd
    from rapidfuzz import fuzz, process

    del settings  # names were normalised and aliased when the sheet was read
    columns = ["kind", "name", C.ROW + "s", C.SOURCE_FILE, C.SHEET, "suggestion"]
    resolved = _resolve(targets.reset_index(drop=True), sales)
    records = []
    for kind in _SCOPE:
        flagged = [kind in u.split(", ") for u in resolved[UNKNOWN]]
        missing = resolved.loc[np.asarray(flagged, dtype=bool)]
        if missing.empty:
            continue
        choices = [v for v in sales[kind].unique() if v != ""]
        for name, group in missing.groupby(kind, sort=False):
            best = process.extractOne(
                normalise(name), choices, scorer=fuzz.ratio, processor=normalise, score_cutoff=60
            )
            records.append(
                {
                    "kind": kind,
                    "name": str(name),
                    C.ROW + "s": [int(r) for r in group[C.ROW]],
                    C.SOURCE_FILE: str(group[C.SOURCE_FILE].iloc[0]),
                    C.SHEET: str(group[C.SHEET].iloc[0]),
                    "suggestion": str(best[0]) if best else "",
                }
            )
    out = pd.DataFrame.from_records(records, columns=columns)
    for col in ("kind", "name", C.SOURCE_FILE, C.SHEET, "suggestion"):
        out[col] = out[col].astype("str")
    return out
