"""Periods as partners write them, rolled up to the month ("YYYY-MM")."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_YM = re.compile(
    r"^(\d{4})\s*(?:[-/._年]\s*)(\d{1,2})\s*(?:月份?)?(?:[-/._]\s*(\d{1,2})\s*日?)?(?:[ T].*)?$"
)
_YMD_CN = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_BARE_MONTH = re.compile(r"^(\d{1,2})\s*(?:月份?)?$")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s.*)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_IN_NAME = re.compile(r"(20\d{2})\s*(?:[-_. /年]\s*)?(0?[1-9]|1[0-2])(?!\d)\s*(?:月)?")
# 20260415 in a file name: a day's export names its month
_DAY_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_MONTH_IN_NAME = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])\s*月")

EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)


class PeriodError(ValueError):
    """A period that cannot be a month."""


def _month(year: int, month: int, text: str, day: str | int | None = None) -> str:
    if not 1 <= month <= 12:
        raise PeriodError(f'"{_short(text)}" is not a valid month (month {month})')
    if not 1990 <= year <= 2100:
        raise PeriodError(f'"{_short(text)}" is not a plausible year ({year})')
    if day is not None:
        try:
            date(year, month, int(day))
        except ValueError:
            raise PeriodError(
                f'"{_short(text)}" is not a real date (day {int(day)} of {year:04d}-{month:02d})'
            ) from None
    return f"{year:04d}-{month:02d}"


def parse_period(
    text: str, year_hint: int | None = None, *, date1904: bool = False, day_first: bool = False
) -> str:
    """`2026-04`, `2026/4`, `2026年4月`, `202604`, a date or an Excel serial -> `2026-04`.

    A date must exist (2026-02-30 is refused). `03/04/2026` is month first (March) unless
    `day_first`, or unless its first number cannot be a month (25/04/2026).
    A bare month (`6`, `6月`) needs `year_hint`; without it, PeriodError. Serials count
    days from 1899-12-30, or from 1904-01-01 in a workbook saved with the 1904 system.
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        raise PeriodError("no period")
    if m := (_YM.match(s) or _YMD_CN.match(s)):
        return _month(int(m.group(1)), int(m.group(2)), s, m.group(3))
    if m := _COMPACT.match(s):
        return _month(int(m.group(1)), int(m.group(2)), s, m.group(3))
    if m := _MDY.match(s):
        first, second = int(m.group(1)), int(m.group(2))
        if day_first or first > 12:  # 25/04/2026: the day comes first
            return _month(int(m.group(3)), second, s, first)
        return _month(int(m.group(3)), first, s, second)
    if _SERIAL.match(s):
        day = (EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH) + timedelta(days=int(float(s)))
        return _month(day.year, day.month, s)
    if m := _BARE_MONTH.match(s):
        if year_hint is None:
            raise PeriodError(
                f'"{s}" is a month without a year (none in a year column, sheet or file name)'
            )
        return _month(year_hint, int(m.group(1)), s)
    raise PeriodError(f'"{_short(s)}" is not a month or date')


def parse_periods(
    values: pd.Series,
    year_hint: int | None = None,
    *,
    years: pd.Series | None = None,
    date1904: bool = False,
) -> pd.DataFrame:
    """Vectorised over unique values: columns `month` ("" on failure) and `problem`.

    `years` (a year column, same index) gives bare months their year row by row; where
    it is empty, `year_hint` (from the sheet or file name) does.
    """
    import pandas as pd

    from uplift.sheets.distinct import codes_and_values, texts_from_codes

    text = values.fillna("").astype("str")
    if years is None:
        key = text
    else:
        year_text = years.fillna("").astype("str").str.strip()
        key = text + "\x1f" + year_text
    codes, uniques = codes_and_values(key)
    day_first, note = _date_order([u.partition("\x1f")[0] for u in uniques])
    months: list[str] = []
    problems: list[str] = []
    for u in uniques:
        value, _, year_text = u.partition("\x1f")
        hint = year_hint
        if year_text:
            hint = _year_of(year_text)
            if hint is None:
                months.append("")
                problems.append(f'"{_short(year_text)}" is not a year')
                continue
        try:
            months.append(parse_period(value, hint, date1904=date1904, day_first=day_first))
            problems.append("")
        except PeriodError as exc:
            months.append("")
            problems.append(str(exc))
    out = pd.DataFrame(
        {
            "month": texts_from_codes(months, codes, values.index),
            "problem": texts_from_codes(problems, codes, values.index),
        }
    )
    out.attrs["note"] = note  # how dates like 03/04/2026 were read, "" when none
    return out


def _date_order(texts: list[str]) -> tuple[bool, str]:
    """Whether dd/mm/yyyy dates in a column are day first, and a note when the column
    cannot tell: 03/04/2026 is March 4 or April 3. A date whose first number is above 12
    (25/04/2026) shows the column writes the day first; one whose second is (04/25/2026),
    the month first. Without either, month first is taken, and said."""
    dates = [m for t in texts if (m := _MDY.match(unicodedata.normalize("NFKC", t).strip()))]
    if not dates:
        return False, ""
    pairs = [(int(m.group(1)), int(m.group(2))) for m in dates]
    day_first = any(a > 12 for a, _ in pairs)
    month_first = any(b > 12 for _, b in pairs)
    unclear = [
        m.group(0) for m, (a, b) in zip(dates, pairs, strict=True) if a <= 12 and b <= 12 and a != b
    ]
    if not unclear:
        return day_first, ""
    example = unclear[0]
    if day_first and not month_first:
        return True, f"dates such as {example} read day first, as the column's other dates are"
    if month_first and not day_first:
        return False, f"dates such as {example} read month first, as the column's other dates are"
    if day_first and month_first:
        return False, (
            f"dates such as {example} read month first, but the column writes dates both ways; "
            "check its months"
        )
    return False, (
        f"dates such as {example} read month first (month/day/year): no date in the column "
        "has a day above 12 to tell; if they are day first, their months are wrong"
    )


def _year_of(text: str) -> int | None:
    s = unicodedata.normalize("NFKC", text).strip().removesuffix("年").strip()
    if re.fullmatch(r"(19|20)\d{2}(?:\.0+)?", s):
        return int(float(s))
    return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def month_from_name(name: str, year_hint: int | None = None) -> str | None:
    """A month named in a sheet or file name (`2026年4月`, `2026-04`, `202604`, `4月`)."""
    s = unicodedata.normalize("NFKC", name)
    if m := _DAY_IN_NAME.search(s):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    if m := _IN_NAME.search(s):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    year = year_from_name(s) or year_hint
    if year and (m := _MONTH_IN_NAME.search(s)):
        return f"{year:04d}-{int(m.group(1)):02d}"
    return None


def year_from_name(name: str) -> int | None:
    """A year (20xx) named in a sheet or file name."""
    m = _YEAR_IN_NAME.search(unicodedata.normalize("NFKC", name))
    return int(m.group(1)) if m else None
