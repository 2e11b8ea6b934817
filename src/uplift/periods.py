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
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_MONTH_IN_NAME = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])\s*月")

EXCEL_EPOCH = date(1899, 12, 30)


class PeriodError(ValueError):
    """A period that cannot be a month."""


def _month(year: int, month: int, text: str) -> str:
    if not 1 <= month <= 12:
        raise PeriodError(f'"{text}" is not a valid month (month {month})')
    if not 1990 <= year <= 2100:
        raise PeriodError(f'"{text}" is not a plausible year ({year})')
    return f"{year:04d}-{month:02d}"


def parse_period(text: str, year_hint: int | None = None) -> str:
    """`2026-04`, `2026/4`, `2026年4月`, `202604`, a date or an Excel serial -> `2026-04`.

    A bare month (`6`, `6月`) needs `year_hint`; without it, PeriodError.
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
        day = EXCEL_EPOCH + timedelta(days=int(float(s)))
        return _month(day.year, day.month, s)
    if m := _BARE_MONTH.match(s):
        if year_hint is None:
            raise PeriodError(
                f'"{s}" is a month without a year (none in a date column, sheet or file name)'
            )
        return _month(year_hint, int(m.group(1)), s)
    raise PeriodError(f'"{s}" is not a month or date')


def parse_periods(values: pd.Series, year_hint: int | None = None) -> pd.DataFrame:
    """Vectorised over unique values: columns `month` ("" on failure) and `problem`."""
    import pandas as pd

    text = values.fillna("").astype("str")
    uniques = pd.unique(text)
    months: dict[str, str] = {}
    problems: dict[str, str] = {}
    for u in uniques:
        try:
            months[u], problems[u] = parse_period(u, year_hint), ""
        except PeriodError as exc:
            months[u], problems[u] = "", str(exc)
    return pd.DataFrame(
        {"month": text.map(months).astype("str"), "problem": text.map(problems).astype("str")}
    )


def month_from_name(name: str, year_hint: int | None = None) -> str | None:
    """A month named in a sheet or file name (`2026年4月`, `2026-04`, `202604`, `4月`)."""
    s = unicodedata.normalize("NFKC", name)
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
