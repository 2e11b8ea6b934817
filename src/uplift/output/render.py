"""Rendering for people (rich tables) and programs (JSON, CSV). The only module importing rich."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TextIO

from uplift.output.safety import visible

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "json", "csv")
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Column:
    """How one DataFrame column shows in a table: header, number format, alignment."""

    key: str
    header: str
    fmt: str = ""  # "int", "float1", "pct", "spark", "bool" or "" for text
    justify: str = "left"


def sparkline(values: Sequence[float]) -> str:
    """A one-line chart of `values` scaled to their own maximum."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return _BARS[0] * len(values)
    out = []
    for v in values:
        if v <= 0:
            out.append(" ")
        else:
            out.append(_BARS[min(len(_BARS) - 1, int(v / top * (len(_BARS) - 1) + 0.5))])
    return "".join(out)


def fmt_value(value: Any, fmt: str) -> str:
    """Format one cell for a person."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if fmt == "int":
        return f"{value:,.0f}"
    if fmt in ("float1", "float2"):  # boxes and money: 2 decimals, as in JSON and CSV
        return f"{round_half_up(float(value), BOX_DECIMALS):,.2f}"
    if fmt == "pct":  # a share at its 4 decimals: 0.7143 -> 71.43%
        return f"{round_half_up(float(value), RATIO_DECIMALS) * 100:.2f}%"
    if fmt == "spark":
        return sparkline(list(value.values()) if isinstance(value, dict) else list(value))
    if fmt == "bool":
        return "VIP" if value else ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def console(stderr: bool = False, width: int | None = None) -> Any:
    """A rich console; width comes from COLUMNS or the terminal. Plain strings printed
    through it have their control characters written out (see `safety.visible`)."""
    import os

    cls = _safe_console()
    con = cls(stderr=stderr, width=width, highlight=False, soft_wrap=False)
    if width is None and not con.is_terminal and "COLUMNS" not in os.environ:
        # piped or redirected: a wide table reads better than one squeezed to 80 columns
        con = cls(stderr=stderr, width=160, highlight=False, soft_wrap=False)
    return con


_SAFE_CONSOLE: Any = None


def _safe_console() -> Any:
    """rich's Console, printing str arguments through `visible` (tables escape their
    cells in `print_table`)."""
    global _SAFE_CONSOLE
    if _SAFE_CONSOLE is None:
        from rich.console import Console

        class SafeConsole(Console):
            def on_broken_pipe(self) -> None:
                # `uplift tier | head`: the reader has read enough; rich would exit 1,
                # the bad-data code
                import os

                self.quiet = True
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                raise SystemExit(0)

            def print(self, *objects: Any, **kwargs: Any) -> None:
                super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)

        _SAFE_CONSOLE = SafeConsole
    return _SAFE_CONSOLE


# Columns that say what a row is: never left out, never folded into slivers
IDENTITY_KEYS: Final = frozenset(
    {
        "hospital",
        "partner",
        "prescriber",
        "department",
        "product",
        "file",
        "sheet",
        "source_file",
        "name",
        "variant",
        "standard",
        "market",
        "tier",
        "period",
    }
)
_FIGURES: Final = ("int", "float1", "float2", "pct", "bool")
_TEXT_MIN = 16  # a note column may wrap, but not into fewer cells than this
_PAGE_ROWS = 200  # a terminal listing longer than this pages, as git does


def print_table(
    df: pd.DataFrame,
    columns: Sequence[Column],
    *,
    title: str = "",
    caption: str = "",
    out: Any = None,
) -> None:
    """A rich table of `df` showing `columns` in order, fitted to the screen.

    Identity columns (hospital, partner, prescriber, file ...) and figures are shown whole:
    figures never wrap or crop, names never fold. When the table is wider than the
    terminal, trend lines, then notes, then the right-most figures are left out, and one
    line under the table names them. Piped, the table keeps its natural width. A long
    listing on a terminal goes through a pager.
    """
    from rich.cells import cell_len

    out = out or console()
    cells = [
        [visible(fmt_value(v, c.fmt)) for v, c in zip(record, columns, strict=True)]
        for record in df[[c.key for c in columns]].itertuples(index=False, name=None)
    ]
    natural = [
        max([cell_len(visible(c.header)), *(cell_len(row[i]) for row in cells)])
        for i, c in enumerate(columns)
    ]
    shown = list(range(len(columns)))
    limit = out.width if _fits_the_screen(out) else None
    widths = dict(enumerate(natural))
    left_out: list[int] = []
    if limit is not None:
        shown, widths, left_out = _fit(columns, natural, limit)
    table = _table(columns, shown, widths, cells, title, caption, limit)
    if limit is None:  # piped or redirected: as wide as the table is, nothing cropped
        out.width = max(out.width, sum(natural) + 3 * len(columns) + 1, cell_len(title))
    if limit is not None and out.is_terminal and len(cells) > _PAGE_ROWS and _pager_wanted():
        with out.pager(styles=True):
            out.print(table)
            _print_left_out(out, columns, left_out)
        return
    out.print(table)
    _print_left_out(out, columns, left_out)


def _fits_the_screen(out: Any) -> bool:
    """True when the table should fit `out`'s width: a terminal, or COLUMNS set."""
    import os

    return bool(out.is_terminal) or "COLUMNS" in os.environ


def _pager_wanted() -> bool:
    import os

    return os.environ.get("UPLIFT_PAGER", "1") != "0" and os.environ.get("PAGER", "x") != ""


def _fit(
    columns: Sequence[Column], natural: list[int], limit: int
) -> tuple[list[int], dict[int, int], list[int]]:
    """The columns to show, their widths, and those left out, for a table of `limit` cells."""
    widths = dict(enumerate(natural))
    shown = list(range(len(columns)))

    def total() -> int:
        return sum(widths[i] for i in shown) + 3 * len(shown) + 1

    kinds = [_kind(c, i) for i, c in enumerate(columns)]
    # notes wrap first: down to _TEXT_MIN cells each
    for i in shown:
        if kinds[i] == "text" and total() > limit:
            widths[i] = max(_TEXT_MIN, widths[i] - (total() - limit))
    # then leave out: trend lines, notes, then figures from the right (one figure stays)
    order = [i for i in reversed(shown) if kinds[i] == "spark"]
    order += [i for i in reversed(shown) if kinds[i] == "text"]
    figures = [i for i in shown if kinds[i] == "figure"]
    order += list(reversed(figures[1:]))
    left_out: list[int] = []
    for i in order:
        if total() <= limit:
            break
        shown.remove(i)
        left_out.append(i)
    return shown, widths, sorted(left_out)


def _kind(col: Column, position: int) -> str:
    if position == 0 or col.key in IDENTITY_KEYS:
        return "identity"
    if col.fmt in _FIGURES:
        return "figure"
    if col.fmt == "spark":
        return "spark"
    return "text"


def _table(
    columns: Sequence[Column],
    shown: list[int],
    widths: dict[int, int],
    cells: list[list[str]],
    title: str,
    caption: str,
    limit: int | None,
) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # partner text is data: Text() keeps "[bold]" or "a[/]b" from being read as markup
    table = Table(
        title=Text(visible(title), style="bold") if title else None,
        caption=Text(visible(caption), style="dim") if caption else None,
        box=box.SIMPLE_HEAD,
    )
    for i in shown:
        col = columns[i]
        kind = _kind(col, i)
        justify: Any = "right" if col.fmt in ("int", "float1", "float2", "pct") else col.justify
        wraps = kind == "text" and limit is not None
        table.add_column(
            visible(col.header),
            justify=justify,
            no_wrap=not wraps,
            overflow="fold",
            min_width=widths[i] if not wraps else _TEXT_MIN,
            max_width=widths[i] if wraps else None,
        )
    for row in cells:
        table.add_row(*(Text(row[i]) for i in shown))
    return table


def _print_left_out(out: Any, columns: Sequence[Column], left_out: list[int]) -> None:
    if not left_out:
        return
    from uplift.output.i18n import t

    names = ", ".join(visible(columns[i].header) for i in left_out)
    out.print(
        t(
            "Left out to fit {width} columns: {names}. To see them: a wider window, or --format csv"
        ).format(width=out.width, names=names),
        markup=False,
        style="dim",
    )


def _jsonable(value: Any) -> Any:
    import numpy as np

    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


# Figures are rounded once, here, to their documented precision: boxes (and amounts) to
# 2 decimals, shares and other ratios to 4, in JSON and CSV alike.
BOX_DECIMALS: Final = 2
RATIO_DECIMALS: Final = 4
_RATIO_WORDS: Final = (
    "share",
    "concentration",
    "completion",
    "growth",
    "timeliness",
    "rate",
    "score",
    "adoption",
    "similarity",
)


def decimals_for(key: str) -> int:
    """The decimals a figure under `key` is given with."""
    return RATIO_DECIMALS if any(w in key for w in _RATIO_WORDS) else BOX_DECIMALS


def round_half_up(value: float, decimals: int) -> float:
    """`value` rounded to `decimals` as a person (and Excel's "0.00") rounds it: halves away
    from zero, on the decimal figure the float stands for (882.125 -> 882.13, 1.005 -> 1.01),
    not on its binary approximation. NaN and infinities stay as they are."""
    if math.isnan(value) or math.isinf(value):
        return value
    scale = 10.0**decimals
    scaled = abs(value) * scale
    if abs(scaled - math.floor(scaled) - 0.5) > 1e-6:  # clearly not a half: plain rounding
        return math.copysign(math.floor(scaled + 0.5), value) / scale + 0.0
    return _decimal_half_up(value, decimals)


def _decimal_half_up(value: float, decimals: int) -> float:
    """Round the shortest decimal that reads back as `value` (its repr): 1.005 is 1.005
    there, and 4.99999975e-05 stays below the half."""
    from decimal import ROUND_HALF_UP, Decimal

    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0


def round_half_up_array(values: Any, decimals: int) -> Any:
    """`round_half_up` of each value of a float array (NaN stays NaN)."""
    import numpy as np

    values = np.asarray(values, dtype="float64")
    scale = 10.0**decimals
    scaled = np.abs(values) * scale
    with np.errstate(invalid="ignore"):
        out = np.copysign(np.floor(scaled + 0.5), values) / scale + 0.0
        near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= 1e-6
    for i in np.flatnonzero(near_half & np.isfinite(values)):
        out[i] = _decimal_half_up(float(values[i]), decimals)
    return out


def boxes_text(value: float, sign: bool = False) -> str:
    """Boxes in running text, as tables show them: 2 decimals, thousands separated."""
    x = round_half_up(float(value), BOX_DECIMALS)
    return f"{x:+,.2f}" if sign else f"{x:,.2f}"


def rounded(value: Any, decimals: int) -> Any:
    """`value` with every float in it (in lists and dicts too) rounded to `decimals`."""
    import numpy as np

    if isinstance(value, float | np.floating):
        return round_half_up(float(value), decimals)
    if isinstance(value, np.ndarray):
        return [rounded(v, decimals) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [rounded(v, decimals) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v, decimals) for k, v in value.items()}
    return value


def _rounded_frame(df: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    out = df[list(keys)].copy()
    for key in keys:
        col = out[key]
        if col.dtype.kind == "f":
            out[key] = round_half_up_array(col.to_numpy(), decimals_for(key))
        elif col.dtype == object:
            d = decimals_for(key)
            out[key] = [rounded(v, d) for v in col.tolist()]
    return out


def records(df: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Plain dicts with exactly `keys`, in order, figures rounded (`decimals_for`); NaN
    becomes null when written."""
    return _rounded_frame(df, keys).to_dict("records")


def _default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray | tuple | set | frozenset):
        return list(value.tolist() if isinstance(value, np.ndarray) else value)
    return str(value)


# a bare NaN/Infinity token (never inside a string: strings are quoted) is not JSON
_NAN = re.compile(r"(?<=[\[:,])\s*(?:NaN|-?Infinity)(?=\s*[,\]}])")


@functools.cache
def _encoder(indent: int | None) -> json.JSONEncoder:
    # json.dumps with options builds a new encoder on every call, which counts when tens
    # of thousands of records are written: one per indent is kept instead
    return json.JSONEncoder(ensure_ascii=False, indent=indent, default=_default)


def _dumps(data: Any, indent: int | None = None) -> str:
    text = _encoder(indent).encode(data)
    return _NAN.sub(" null", text) if "NaN" in text or "Infinity" in text else text


def write_json(data: Any, stream: TextIO | None = None) -> None:
    """JSON, UTF-8 text kept readable (no \\u escapes). A list of records is written one
    record per line: readable, and fast to write for tens of thousands of records."""
    stream = stream or sys.stdout
    if isinstance(data, list) and all(isinstance(d, dict) for d in data):
        if not data:
            stream.write("[]\n")
            return
        stream.write("[\n  " + ",\n  ".join(_dumps(d) for d in data) + "\n]\n")
        return
    stream.write(_dumps(data, indent=2) + "\n")


def write_csv(df: pd.DataFrame, keys: Sequence[str], stream: TextIO | None = None) -> None:
    """CSV with exactly `keys`; lists joined with '|'; text safe to open in Excel."""
    import csv

    from uplift.output.safety import safe_text

    stream = stream or sys.stdout
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(keys)
    for row in _rounded_frame(df, keys).itertuples(index=False, name=None):
        cells = []
        for v in row:
            v = _jsonable(v)
            if v is None:
                cells.append("")
            elif isinstance(v, list):
                cells.append("|".join(safe_text(x) if isinstance(x, str) else str(x) for x in v))
            elif isinstance(v, dict):
                cells.append("|".join(f"{safe_text(str(k))}={x}" for k, x in v.items()))
            elif isinstance(v, str):
                cells.append(safe_text(v))
            else:
                cells.append(v)
        writer.writerow(cells)


def emit(
    df: pd.DataFrame,
    *,
    fmt: str,
    keys: Sequence[str],
    columns: Sequence[Column],
    title: str = "",
    caption: str = "",
) -> None:
    """Show `df` as a table for people, or as JSON/CSV records with `keys` for programs."""
    if fmt == "json":
        write_json(records(df, keys))
    elif fmt == "csv":
        write_csv(df, keys)
    else:
        print_table(df, columns, title=title, caption=caption)


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on stderr while work runs; silent when stderr is not a terminal.

    Yields `advance(done, total, step)` for the work to call. The bar is set up at the
    first step, so the work (a file being read on another thread) starts first.
    """
    with contextlib.ExitStack() as stack:
        shown: list[Any] = []  # [Progress, task id] once set up, [None] when silent

        def advance(done: int, total: int, step: str) -> None:
            if not shown:
                shown.extend(_start_bar(label, stack))
            bar, task = shown
            if bar is not None:
                bar.update(task, completed=done, total=total, description=f"{label}: {step}")

        yield advance


def _start_bar(label: str, stack: contextlib.ExitStack) -> tuple[Any, Any]:
    con = console(stderr=True)
    if not con.is_terminal:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = stack.enter_context(
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=con,
            transient=True,
        )
    )
    return bar, bar.add_task(label, total=None)


def note(message: str) -> None:
    """A one-line note for the user on stderr."""
    console(stderr=True).print(message, markup=False)


def warn(message: str) -> None:
    """A one-line warning on stderr."""
    console(stderr=True).print(f"Warning: {message}", style="yellow", markup=False)
