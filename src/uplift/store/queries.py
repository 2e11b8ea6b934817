"""Reading the workspace back: sales, competitors, sources and load stats, as Arrow or pandas."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from uplift.errors import NoData, UpliftError
from uplift.sheets import columns as C

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    import pandas as pd

EMPTY_MESSAGE = "No data loaded yet. Run `uplift load FILE...` first."
# the name the workspace file is read under (that of the file: uplift.duckdb)
_CATALOG = "uplift"


def connect_readonly(db: Path) -> Any:
    """A private in-memory database with the workspace file `db` attached read-only."""
    import duckdb

    try:
        # the file read-only, attached to a private in-memory database: reads can make
        # scratch objects there (see `compact_sales`) and never write the workspace
        con = duckdb.connect(":memory:")
    except duckdb.Error as exc:
        raise UpliftError(f"{db}: cannot open the workspace ({_first_line(exc)})") from None
    try:
        path = str(db).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS {_CATALOG} (READ_ONLY)")
        con.execute(f"USE {_CATALOG}")
    except duckdb.Error as exc:
        con.close()
        raise UpliftError(f"{db}: cannot open the workspace ({_first_line(exc)})") from None
    return con


def sales(
    con: Any, columns: tuple[str, ...] | None = None, *, compact: bool = False
) -> pd.DataFrame:
    """The canonical sales table, whole or summed by `columns`; NoData when nothing is loaded.

    See `Workspace.sales` for what `columns` and `compact` read.
    """
    if columns is not None and compact:
        return compact_sales(con, tuple(dict.fromkeys(columns)))
    amount = _amount(con)
    if columns is None:
        select = ", ".join(amount if c == C.AMOUNT else f'"{c}"' for c in C.SALES_COLUMNS)
        query = f'SELECT {select} FROM sales ORDER BY source_file, sheet, "row"'
    else:
        keys = ", ".join(f'"{c}"' for c in columns)
        # summed as exact decimals (to 1e-10 box), so the result does not depend on
        # the order DuckDB's threads add rows up: a figure must not change between runs
        query = (
            f"SELECT {keys}, {_exact_sum('quantity')}, {_exact_sum('boxes')}, "
            f"{_exact_sum('amount') if amount == 'amount' else amount}, "
            f'0::BIGINT AS "row" FROM sales GROUP BY {keys} ORDER BY {keys}'
        )
    df = frame(con, query)
    if df.empty:
        raise NoData(EMPTY_MESSAGE)
    return C.conform(df, C.SALES_COLUMNS)


def compact_sales(con: Any, columns: tuple[str, ...]) -> pd.DataFrame:
    """`sales(con, columns, compact=True)`: names travel as codes, sorted by integers.

    Each column is cast to an ENUM of its sorted distinct names, so DuckDB groups
    small integers and hands over Arrow dictionaries (pandas categoricals) instead of
    building a string per row; the rows are then put in order by their codes, which
    is cheaper than sorting them in the database. The rows, their order and their
    sums are those of `sales(con, columns)`: grouping by a name or by its code is the
    same, and ordering codes of sorted names (NULLs last, then shown as "") orders by name.
    """
    import numpy as np

    count = con.execute("SELECT count(*) FROM sales").fetchone()
    if count is None or not count[0]:
        raise NoData(EMPTY_MESSAGE)
    casts = _enum_casts(con, columns)
    keys = ", ".join(f'"{c}"' for c in columns)
    query = (
        f"SELECT {keys}, {_exact_sum('boxes')} FROM "
        f"(SELECT {', '.join(casts)}, boxes FROM sales) GROUP BY {keys}"
    )
    table = con.sql(query).to_arrow_table()
    names = {col: _dictionary_codes(table.column(col)) for col in columns}
    # NULL (code -1) after every name, as ORDER BY puts it
    order = _row_order([np.where(c < 0, len(n), c) for c, n in names.values()])
    return _compact_frame(table, names, order)


def _enum_casts(con: Any, columns: tuple[str, ...]) -> list[str]:
    """Make an ENUM of each column's sorted distinct names; the casts of the columns to them."""
    casts = []
    for i, col in enumerate(columns):
        enum = f"memory.main.sales_names_{i}"
        con.execute(f"DROP TYPE IF EXISTS {enum}")
        con.execute(
            f'CREATE TYPE {enum} AS ENUM (SELECT DISTINCT "{col}" FROM sales '
            f'WHERE "{col}" IS NOT NULL ORDER BY "{col}")'
        )
        casts.append(f'"{col}"::{enum} AS "{col}"')
    return casts


def _compact_frame(
    table: Any, names: dict[str, tuple[np.ndarray, pd.Index]], order: np.ndarray
) -> pd.DataFrame:
    """The canonical sales columns of the grouped Arrow `table`, its rows taken in `order`."""
    import numpy as np
    import pandas as pd

    n = table.num_rows
    out: dict[str, Any] = {}
    for col in C.SALES_COLUMNS:
        if col in names:
            codes, categories = names[col]
            out[col] = _sorted_categorical(codes[order], categories)
        elif col == C.BOXES:
            out[col] = table.column(col).to_numpy()[order]
        elif col in (C.QUANTITY, C.AMOUNT):
            out[col] = np.full(n, np.nan)
        elif col == C.ROW:
            out[col] = np.zeros(n, dtype=np.int64)
        else:
            out[col] = pd.Categorical.from_codes(
                np.zeros(n, dtype=np.int8), categories=pd.Index([""], dtype="str"), ordered=True
            )
    return pd.DataFrame(out)


def frame(con: Any, query: str) -> pd.DataFrame:
    """The result of `query` as a pandas frame, read through Arrow."""
    # through Arrow: several times faster than building Python strings row by row
    return con.sql(query).to_arrow_table().to_pandas()


def competitors(con: Any) -> pd.DataFrame:
    """Field-visit competitor figures (may be empty)."""
    cols = ", ".join(f'"{c}"' for c in C.COMPETITOR_COLUMNS)
    return C.conform(frame(con, f"SELECT {cols} FROM competitors"), C.COMPETITOR_COLUMNS)


def sources(con: Any) -> pd.DataFrame:
    """One row per loaded file and partner: months, rows, boxes, rejects, when, hash."""
    return con.execute(
        """
        SELECT f.file, coalesce(s.partner, '') AS partner, f.kind,
               coalesce(s.months, '') AS months, coalesce(s.rows, c.rows, 0) AS rows,
               coalesce(s.boxes, c.boxes, 0.0) AS boxes, f.rows_read, f.rows_rejected,
               strftime(f.loaded_at, '%Y-%m-%d %H:%M:%S') AS loaded_at, f.digest
        FROM files f
        LEFT JOIN (
            SELECT digest, partner, string_agg(DISTINCT month, ',' ORDER BY month) AS months,
                   count(*) AS rows, sum(boxes) AS boxes
            FROM sales GROUP BY digest, partner
        ) s ON s.digest = f.digest
        LEFT JOIN (
            SELECT digest, count(*) AS rows, sum(boxes) AS boxes
            FROM competitors GROUP BY digest
        ) c ON c.digest = f.digest
        ORDER BY f.loaded_at, f.file, partner
        """
    ).df()


def load_stats(con: Any) -> pd.DataFrame:
    """Per partner: rows read and rejected at load (for the data-quality view)."""
    return con.execute(
        """
        SELECT s.partner, sum(f.rows_read) AS rows_read, sum(f.rows_rejected) AS rows_rejected
        FROM (SELECT DISTINCT digest, partner FROM sales) s JOIN files f USING (digest)
        GROUP BY s.partner ORDER BY s.partner
        """
    ).df()


def templates(con: Any) -> dict[str, dict[str, Any]]:
    """Each partner's remembered sheet layout (mapping, units, header row)."""
    rows = con.execute("SELECT partner, layout FROM templates").fetchall()
    return {p: json.loads(layout) for p, layout in rows}


def master(con: Any) -> dict[str, str]:
    """The master data kept: kind ("catalogue", "customers") -> its JSON body."""
    try:
        rows = con.execute("SELECT kind, body FROM master").fetchall()
    except Exception:  # a workspace written before master data was kept
        return {}
    return dict(rows)


def _amount(con: Any) -> str:
    """`amount`, or NULL for a workspace written before amounts were kept (schema 1)."""
    names = [d[0] for d in con.execute("SELECT * FROM sales LIMIT 0").description]
    return "amount" if "amount" in names else "NULL::DOUBLE AS amount"


def _exact_sum(column: str) -> str:
    return f"sum({column}::DECIMAL(38, 10))::DOUBLE AS {column}"


def _dictionary_codes(column: Any) -> tuple[np.ndarray, pd.Index]:
    """The codes (-1 for NULL) and the names of an Arrow dictionary column.

    Read straight from the Arrow indices when every chunk has the same dictionary (an
    ENUM's names), else through a pandas categorical, which unifies the dictionaries.
    """
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    chunks = column.chunks
    if chunks and all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):
        parts = []
        for chunk in chunks:
            indices = chunk.indices.cast("int64")
            if indices.null_count:
                indices = pc.fill_null(indices, -1)
            parts.append(indices.to_numpy())
        names = pd.Index(chunks[0].dictionary.to_pylist(), dtype="str")
        return np.concatenate(parts), names
    values = column.to_pandas().array
    assert isinstance(values, pd.Categorical)
    return np.asarray(values.codes, dtype=np.int64), values.categories


def _row_order(codes: list[np.ndarray]) -> np.ndarray:
    """The order of rows sorted by their codes (non-negative), first column first.

    The codes make one mixed-radix integer per row (re-coded densely whenever the next
    digit would overflow 63 bits), so one stable integer sort orders by all columns.
    """
    import numpy as np

    key = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    size = 1
    for column in codes:
        n = int(column.max()) + 1 if len(column) else 1
        if size * n >= 2**62:
            uniques, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1).astype(np.int64, copy=False)
            size = max(len(uniques), 1)
        key = key * n + column
        size *= n
    return np.argsort(key, kind="stable")


def _sorted_categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """An ordered categorical of `codes` into sorted `categories`, missing (-1) as ""."""
    import numpy as np
    import pandas as pd

    categories = categories.astype("str")
    if (codes < 0).any():
        # a NULL name reads as "" (as `columns.conform` makes it); "" sorts first
        if not len(categories) or categories[0] != "":
            categories = pd.Index(["", *categories.tolist()], dtype="str")
            codes = np.where(codes < 0, 0, codes + 1)
        else:
            codes = np.where(codes < 0, 0, codes)
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
