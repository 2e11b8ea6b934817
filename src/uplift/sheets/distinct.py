"""Work once per distinct value of a column, then map the answers back to every row.

A million-row sheet holds a few thousand hospitals, tens of thousands of doctors and a
few hundred quantities: per-value rules (name clean-up, number and month parsing) run in
Python on the distinct values only, and the answers go back to the rows by their codes
in one array operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    import pandas as pd


def codes_and_values(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """The code of each row (-1 for a missing value) and the distinct texts, in first
    appearance order."""
    import pandas as pd

    text = values if values.dtype == "str" else values.astype("str")
    codes, uniques = pd.factorize(text, sort=False)
    return codes, [str(u) for u in uniques]


def texts_from_codes(
    answers: Sequence[str], codes: np.ndarray, index: pd.Index, missing: str = ""
) -> pd.Series:
    """A text Series with `answers[code]` on each row and `missing` where code is -1."""
    import pandas as pd
    import pyarrow as pa

    table = pa.array([*answers, missing], type=pa.large_string())
    # code -1 takes the trailing `missing`: Arrow's take reads -1 as out of range
    fixed = codes.copy()
    fixed[fixed < 0] = len(answers)
    return pd.Series(table.take(pa.array(fixed)), index=index, dtype="str")


def numbers_from_codes(answers: Sequence[float], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A float Series with `answers[code]` on each row and NaN where code is -1."""
    import numpy as np
    import pandas as pd

    table = np.append(np.asarray(answers, dtype="float64"), np.nan)
    return pd.Series(table[codes], index=index, dtype="float64")


def repeated_text(text: str, n: int) -> Any:
    """`text` n times, as a text column built without n Python objects."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    # one dictionary entry and n zero codes, unpacked by Arrow (faster than pa.repeat)
    codes = pa.array(np.zeros(n, dtype=np.int8))
    one = pa.DictionaryArray.from_arrays(codes, pa.array([text], type=pa.large_string()))
    return pd.array(one.cast(pa.large_string()), dtype="str")


class Coded:
    """A text column as integer codes into its distinct values (-1: empty cell).

    Masking, filling down and cleaning work on the codes and the few distinct values;
    texts are built once, for the rows that are kept.
    """

    def __init__(self, codes: np.ndarray, values: list[str]) -> None:
        self.codes = codes
        self.values = values

    @classmethod
    def of(cls, column: pd.Series | None, n: int) -> Coded:
        """The coded column, or n empty cells when the sheet has no such column."""
        import numpy as np

        if column is None:
            return cls(np.full(n, -1, dtype=np.int64), [])
        codes, values = codes_and_values(column)
        return cls(codes.astype(np.int64, copy=False), values)

    def isna(self) -> np.ndarray:
        return self.codes < 0

    def where(self, mask: np.ndarray) -> Coded:
        """Rows outside `mask` become empty."""
        import numpy as np

        return Coded(np.where(mask, self.codes, -1), self.values)

    def ffill(self, restart: np.ndarray | None = None) -> Coded:
        """Empty cells take the value above them (a cell merged down its block).

        A row of `restart` starts a new block: the rows below it never take a value
        from above it, even when it is empty itself.
        """
        import numpy as np

        anchor = self.codes >= 0
        if restart is not None:
            anchor = anchor | restart
        source = np.where(anchor, np.arange(len(self.codes)), 0)
        np.maximum.accumulate(source, out=source)
        # rows above the first anchor point at row 0, which is empty there
        return Coded(self.codes[source], self.values)

    def texts(
        self,
        rows: np.ndarray,
        index: pd.Index,
        clean: Callable[[str], str] | None = None,
        missing: str = "",
    ) -> pd.Series:
        """The texts of the `rows` (a boolean mask), each distinct value cleaned once."""
        answers = self.values if clean is None else [clean(v) for v in self.values]
        return texts_from_codes(answers, self.codes[rows], index, missing=missing)


def block_layout(
    codes: np.ndarray, within: np.ndarray | None = None, restart: np.ndarray | None = None
) -> bool:
    """True when a column writes each value once, at the top of its block, and leaves the
    rows below it blank (merged cells, a pivot table pasted as values): there a blank
    cell continues the value above it. False when the column writes its values out row
    by row (the same value on adjacent rows) and a blank is a hole: filling it from
    above would move that row's boxes to another hospital or partner.

    `codes` are the column's data rows as integer codes, -1 for a blank cell; `within`,
    the codes of the column it is nested in (the partner of a hospital, the hospital of
    a department): a value written again when that changes starts a new block and is no
    repeat; `restart`, rows where a block plainly starts afresh (after a subtotal or a
    blank line, or to end the department above): a value written there is no repeat
    either. A column
    counts as blocks when it leaves a value's next row blank at least as often as it
    writes the same value again: adjacent repeats no more than blanks.
    """
    import numpy as np

    codes = np.asarray(codes)
    blanks = int((codes < 0).sum())
    if blanks == 0 or len(codes) < 2:
        return False
    same = (codes[1:] == codes[:-1]) & (codes[1:] >= 0)
    if within is not None:
        within = np.asarray(within)
        same &= within[1:] == within[:-1]
    if restart is not None:
        same &= ~np.asarray(restart, dtype=bool)[1:]
    repeats = int(same.sum())
    return repeats <= blanks
