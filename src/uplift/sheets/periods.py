"""Periods as partners write them, rolled up to the month ("YYYY-MM")."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_YM = re.compile(
    r"^(\d{4})\s*(?:[-/._年]\s*)(\d{1,2})\s*(?:月份?)?(?:[-/._]\s*\d{1,2}\s*日?)?(?:[ T].*)?$"
)
_YMD_CN = re.compile(r"^(\d{4})年(\d{1,2})月(?:\d{1,2}日)?$")
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


def _month(year: int, month: int, text: str) -> str:
    if not 1 <= month <= 12:
        raise PeriodError(f'"{_short(text)}" is not a valid month (month {month})')
    if not 1990 <= year <= 2100:
        raise PeriodError(f'"{_short(text)}" is not a plausible year ({year})')
    return f"{year:04d}-{month:02d}"


def parse_period(text: str, year_hint: int | None = None, *, date1904: bool = False) -> str:
    """`2026-04`, `2026/4`, `2026年4月`, `202604`, a date or an Excel serial -> `2026-04`.

    A bare month (`6`, `6月`) needs `year_hint`; without it, PeriodError. Serials count
    days from 1899-12-30, or from 1904-01-01 in a workbook saved with the 1904 system.
    """
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if not s:
        raise PeriodError("no period")
    if m := (_YM.match(s) or _YMD_CN.match(s)):
        return _month(int(m.group(1)), int(m.group(2)), s)
    if m := _COMPACT.match(s):
        return _month(int(m.group(1)), int(m.group(2)), s)
    if m := _MDY.match(s):
        return _month(int(m.group(3)), int(m.group(1)), s)
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
            months.append(parse_period(value, hint, date1904=date1904))
            problems.append("")
        except PeriodError as exc:
            months.append("")
            problems.append(str(exc))
    return pd.DataFrame(
        {
            "month": texts_from_codes(months, codes, values.index),
            "problem": texts_from_codes(problems, codes, values.index),
        }
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
