"""The workspace: sheets loaded once, analysed many times, kept in an embedded DuckDB file.

Writes never touch the live database file. A load copies it, applies everything in
one transaction on the copy, checkpoints and atomically renames the copy into place.
An error, Ctrl-C or kill -9 part-way therefore leaves the workspace exactly as it
was, and readers never see a half-applied load: they open whichever complete file
is in place. Writers take an exclusive lock file, so two loads never interleave.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uplift.errors import NoData, UpliftError, WorkspaceBusy
from uplift.sheets import columns as C

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np
    import pandas as pd

    from uplift.sheets.loading import LoadResult

SCHEMA_VERSION = 1
DB_NAME = "uplift.duckdb"
DEFAULT_DIR = Path(".uplift")
LOCK_WAIT_SECONDS = 5.0
EMPTY_MESSAGE = "No data loaded yet. Run `uplift load FILE...` first."

_SALES_DDL = """
CREATE TABLE IF NOT EXISTS sales (
    partner VARCHAR, month VARCHAR, hospital VARCHAR, department VARCHAR,
    prescriber VARCHAR, product VARCHAR, spec VARCHAR, quantity DOUBLE, unit VARCHAR,
    boxes DOUBLE, source_file VARCHAR, sheet VARCHAR, "row" BIGINT, digest VARCHAR
)"""
_COMP_DDL = """
CREATE TABLE IF NOT EXISTS competitors (
    hospital VARCHAR, department VARCHAR, prescriber VARCHAR, product VARCHAR,
    boxes DOUBLE, source_file VARCHAR, sheet VARCHAR, "row" BIGINT, digest VARCHAR
)"""
_FILES_DDL = """
CREATE TABLE IF NOT EXISTS files (
    digest VARCHAR PRIMARY KEY, file VARCHAR, kind VARCHAR, rows_read BIGINT,
    rows_rejected BIGINT, loaded_at TIMESTAMP
)"""
_TEMPLATES_DDL = (
    "CREATE TABLE IF NOT EXISTS templates (partner VARCHAR PRIMARY KEY, layout VARCHAR)"
)
_META_DDL = "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
# the name the workspace file is read under (that of the file: uplift.duckdb)
_CATALOG = "uplift"


def workspace_dir(explicit: Path | None = None) -> Path:
    """The workspace folder: --workspace, else $UPLIFT_WORKSPACE, else ./.uplift."""
    if explicit is not None:
        return explicit
    env = os.environ.get("UPLIFT_WORKSPACE")
    return Path(env) if env else DEFAULT_DIR


@dataclass
class LoadSummary:
    """What one `uplift load` changed."""

    added_rows: int = 0
    added_boxes: float = 0.0
    unchanged_files: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    template_changes: list[str] = field(default_factory=list)
    competitor_rows: int = 0


class Workspace:
    """A connection to the workspace database (read-only, or a write transaction on a copy)."""

    def __init__(self, folder: Path, con: Any, *, writable: bool) -> None:
        self.folder = folder
        self.con = con
        self.writable = writable

    # opening ------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def open(cls, folder: Path | None = None, *, readonly: bool = True) -> Iterator[Workspace]:
        """Open for reading; with no database yet, NoData with the next step to take."""
        import duckdb

        folder = workspace_dir(folder)
        db = folder / DB_NAME
        if not db.is_file():
            raise NoData(EMPTY_MESSAGE)
        try:
            # the file read-only, attached to a private in-memory database: reads can make
            # scratch objects there (see `_compact_sales`) and never write the workspace
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
        try:
            ws = cls(folder, con, writable=False)
            ws._check_schema()
            yield ws
        finally:
            con.close()

    @classmethod
    @contextlib.contextmanager
    def transaction(cls, folder: Path | None = None) -> Iterator[Workspace]:
        """All-or-nothing changes: work on a private copy, swap it in on success only."""
        import duckdb

        folder = workspace_dir(folder)
        _private_dir(folder)
        with _exclusive_lock(folder):
            db = folder / DB_NAME
            tmp = folder / f".{DB_NAME}.{os.getpid()}.tmp"
            for stale in folder.glob(f".{DB_NAME}.*.tmp*"):
                stale.unlink(missing_ok=True)
            if db.is_file():
                shutil.copyfile(db, tmp)
            os.chmod(tmp, 0o600) if tmp.exists() else None
            old_umask = os.umask(0o077)
            try:
                con = duckdb.connect(str(tmp))
            finally:
                os.umask(old_umask)
            ws = cls(folder, con, writable=True)
            try:
                ws._create_schema()
                con.execute("BEGIN TRANSACTION")
                yield ws
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
                con.close()
                os.chmod(tmp, 0o600)
                os.replace(tmp, db)
                _fsync_dir(folder)
            except BaseException:
                with contextlib.suppress(Exception):
                    con.close()
                tmp.unlink(missing_ok=True)
                Path(str(tmp) + ".wal").unlink(missing_ok=True)
                raise

    def _create_schema(self) -> None:
        for ddl in (_SALES_DDL, _COMP_DDL, _FILES_DDL, _TEMPLATES_DDL, _META_DDL):
            self.con.execute(ddl)
        version = self._schema_version()
        if version is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        else:
            self._check_schema()

    def _schema_version(self) -> int | None:
        try:
            rows = self.con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchall()
        except Exception:
            return None
        return int(rows[0][0]) if rows else None

    def _check_schema(self) -> None:
        version = self._schema_version()
        if version is None:
            raise UpliftError(
                f"{self.folder / DB_NAME}: not an uplift workspace (no schema version)",
                hint="move it away or choose another folder with --workspace",
            )
        if version > SCHEMA_VERSION:
            raise UpliftError(
                f"{self.folder / DB_NAME}: made by a newer uplift (schema {version}, "
                f"this one knows {SCHEMA_VERSION})",
                hint="upgrade uplift (pip install -U uplift)",
            )
        # version < SCHEMA_VERSION: migrations go here, one step per version

    # reading ------------------------------------------------------------------------

    def sales(
        self, columns: tuple[str, ...] | None = None, *, compact: bool = False
    ) -> pd.DataFrame:
        """The canonical sales table; NoData when nothing is loaded.

        With `columns` (key or text columns), rows are summed by those columns in the
        database and only they and the numbers come back; the other canonical columns
        are empty. Analyses that need no provenance read far less this way.

        `compact=True` (with `columns`) reads the same rows, in the same order, with the
        same boxes, but each of `columns` comes back as an ordered categorical whose
        categories are its names sorted (so a category's code orders as its name), and
        `quantity` is not summed (NaN): for analyses that work on boxes and names only.
        """
        if columns is not None and compact:
            return self._compact_sales(tuple(dict.fromkeys(columns)))
        if columns is None:
            select = ", ".join(f'"{c}"' for c in C.SALES_COLUMNS)
            query = f'SELECT {select} FROM sales ORDER BY source_file, sheet, "row"'
        else:
            keys = ", ".join(f'"{c}"' for c in columns)
            # summed as exact decimals (to 1e-10 box), so the result does not depend on
            # the order DuckDB's threads add rows up: a figure must not change between runs
            query = (
                f"SELECT {keys}, {_exact_sum('quantity')}, {_exact_sum('boxes')}, "
                f'0::BIGINT AS "row" FROM sales GROUP BY {keys} ORDER BY {keys}'
            )
        df = self._frame(query)
        if df.empty:
            raise NoData(EMPTY_MESSAGE)
        return C.conform(df, C.SALES_COLUMNS)

    def _compact_sales(self, columns: tuple[str, ...]) -> pd.DataFrame:
        """`sales(columns, compact=True)`: names travel as codes, sorted by integers.

        Each column is cast to an ENUM of its sorted distinct names, so DuckDB groups
        small integers and hands over Arrow dictionaries (pandas categoricals) instead of
        building a string per row; the rows are then put in order by their codes, which
        is cheaper than sorting them in the database. The rows, their order and their
        sums are those of `sales(columns)`: grouping by a name or by its code is the same,
        and ordering codes of sorted names (NULLs last, then shown as "") orders by name.
        """
        import numpy as np
        import pandas as pd

        count = self.con.execute("SELECT count(*) FROM sales").fetchone()
        if count is None or not count[0]:
            raise NoData(EMPTY_MESSAGE)
        casts = []
        for i, col in enumerate(columns):
            enum = f"memory.main.sales_names_{i}"
            self.con.execute(f"DROP TYPE IF EXISTS {enum}")
            self.con.execute(
                f'CREATE TYPE {enum} AS ENUM (SELECT DISTINCT "{col}" FROM sales '
                f'WHERE "{col}" IS NOT NULL ORDER BY "{col}")'
            )
            casts.append(f'"{col}"::{enum} AS "{col}"')
        keys = ", ".join(f'"{c}"' for c in columns)
        query = (
            f"SELECT {keys}, {_exact_sum('boxes')} FROM "
            f"(SELECT {', '.join(casts)}, boxes FROM sales) GROUP BY {keys}"
        )
        table = self.con.sql(query).to_arrow_table()
        names = {col: _dictionary_codes(table.column(col)) for col in columns}
        # NULL (code -1) after every name, as ORDER BY puts it
        order = _row_order([np.where(c < 0, len(n), c) for c, n in names.values()])
        n = table.num_rows
        out: dict[str, Any] = {}
        for col in C.SALES_COLUMNS:
            if col in names:
                codes, categories = names[col]
                out[col] = _sorted_categorical(codes[order], categories)
            elif col == C.BOXES:
                out[col] = table.column(col).to_numpy()[order]
            elif col == C.QUANTITY:
                out[col] = np.full(n, np.nan)
            elif col == C.ROW:
                out[col] = np.zeros(n, dtype=np.int64)
            else:
                out[col] = pd.Categorical.from_codes(
                    np.zeros(n, dtype=np.int8), categories=pd.Index([""], dtype="str"), ordered=True
                )
        return pd.DataFrame(out)

    def _frame(self, query: str) -> pd.DataFrame:
        # through Arrow: several times faster than building Python strings row by row
        return self.con.sql(query).to_arrow_table().to_pandas()

    def competitors(self) -> pd.DataFrame:
        """Field-visit competitor figures (may be empty)."""
        cols = ", ".join(f'"{c}"' for c in C.COMPETITOR_COLUMNS)
        return C.conform(self._frame(f"SELECT {cols} FROM competitors"), C.COMPETITOR_COLUMNS)

    def sources(self) -> pd.DataFrame:
        """One row per loaded file and partner: months, rows, boxes, rejects, when, hash."""
        return self.con.execute(
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

    def load_stats(self) -> pd.DataFrame:
        """Per partner: rows read and rejected at load (for the data-quality view)."""
        return self.con.execute(
            """
            SELECT s.partner, sum(f.rows_read) AS rows_read, sum(f.rows_rejected) AS rows_rejected
            FROM (SELECT DISTINCT digest, partner FROM sales) s JOIN files f USING (digest)
            GROUP BY s.partner ORDER BY s.partner
            """
        ).df()

    def templates(self) -> dict[str, dict[str, Any]]:
        rows = self.con.execute("SELECT partner, layout FROM templates").fetchall()
        return {p: json.loads(layout) for p, layout in rows}

    # writing ------------------------------------------------------------------------

    def store(self, result: LoadResult) -> LoadSummary:
        """Add a load: unchanged files are skipped, repeated partner x months replaced."""
        import pandas as pd

        summary = LoadSummary()
        digests = {f.path: f.digest for f in result.files}
        known = {r[0] for r in self.con.execute("SELECT digest FROM files").fetchall()}
        new_files = [f for f in result.files if f.error is None and f.duplicate_of is None]
        for f in new_files:
            if f.digest in known:
                summary.unchanged_files.append(f.name)
        fresh = {f.path for f in new_files if f.digest not in known}
        sales = result.sales
        if not sales[C.SOURCE_FILE].isin(fresh).all():
            sales = sales[sales[C.SOURCE_FILE].isin(fresh)]
        comp = result.competitors[result.competitors[C.SOURCE_FILE].isin(fresh)].copy()
        comp["digest"] = comp[C.SOURCE_FILE].map(digests)

        summary.template_changes = self._remember_templates(result, fresh)
        if not sales.empty:
            pairs = sales[[C.PARTNER, C.MONTH]].drop_duplicates()
            self.con.register("new_pairs", pairs)
            replaced = self.con.execute(
                """
                SELECT s.partner, s.month, s.source_file, count(*) AS n, sum(s.boxes) AS b
                FROM sales s JOIN new_pairs p USING (partner, month)
                GROUP BY ALL ORDER BY s.partner, s.month, s.source_file
                """
            ).fetchall()
            winners = sales.groupby([C.PARTNER, C.MONTH])[C.SOURCE_FILE].last()
            for partner, month, src, n, boxes in replaced:
                by = Path(winners.loc[(partner, month)]).name
                summary.replaced.append(
                    f"replaced {n} rows ({boxes:,.1f} boxes) of partner {partner} for {month} "
                    f"from {Path(src).name} with {by}"
                )
            self.con.execute(
                "DELETE FROM sales WHERE (partner, month) IN (SELECT (partner, month) FROM new_pairs)"
            )
            self.con.unregister("new_pairs")
            # through Arrow: DuckDB copies Arrow columns far faster than pandas strings
            # a few files, a million rows: DuckDB writes each file's digest from one
            # CASE (keeping the rows' order) rather than a million digests being built
            files = sales[C.SOURCE_FILE].unique().tolist()
            digest_of = " ".join("WHEN ? THEN ?" for _ in files)
            self.con.register("new_sales", _arrow(sales[list(C.SALES_COLUMNS)]))
            self.con.execute(
                f"INSERT INTO sales SELECT *, CASE source_file {digest_of} END FROM new_sales",
                [x for f in files for x in (f, digests[f])],
            )
            self.con.unregister("new_sales")
            summary.added_rows = len(sales)
            summary.added_boxes = float(sales[C.BOXES].sum())
        if not comp.empty:
            # a newer visit sheet for a hospital replaces the older figures for that hospital
            hospitals = pd.DataFrame({C.HOSPITAL: comp[C.HOSPITAL].unique()})
            self.con.register("new_hospitals", hospitals)
            self.con.execute(
                "DELETE FROM competitors WHERE hospital IN (SELECT hospital FROM new_hospitals)"
            )
            self.con.unregister("new_hospitals")
            self.con.register("new_comp", comp[[*C.COMPETITOR_COLUMNS, "digest"]])
            self.con.execute("INSERT INTO competitors SELECT * FROM new_comp")
            self.con.unregister("new_comp")
            summary.competitor_rows = len(comp)
        now = datetime.now(UTC).replace(tzinfo=None)
        for f in new_files:
            if f.path not in fresh:
                continue
            kinds = {s.kind for s in f.sheets if s.kind != "none"}
            self.con.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                [
                    f.digest,
                    f.path,
                    "competitors" if kinds == {"competitors"} else "sales",
                    sum(s.rows_read for s in f.sheets),
                    sum(sum(s.rejected.values()) for s in f.sheets),
                    now,
                ],
            )
        self._drop_orphan_files()
        return summary

    def forget(
        self, *, file: str | None = None, partner: str | None = None, month: str | None = None
    ) -> tuple[int, float]:
        """Remove rows by file (path, name or content hash) or by partner [and month]."""
        if file is not None:
            rows = self.con.execute(
                "SELECT digest FROM files WHERE file = ? OR digest = ? OR file LIKE ?",
                [file, file, f"%/{Path(file).name}"],
            ).fetchall()
            if not rows:
                raise UpliftError(f'no loaded file "{file}"', hint="see `uplift sources`")
            digests = [r[0] for r in rows]
            n, b = self._count("digest IN ?", [digests])
            self.con.execute("DELETE FROM sales WHERE digest IN ?", [digests])
            self.con.execute("DELETE FROM competitors WHERE digest IN ?", [digests])
            self.con.execute("DELETE FROM files WHERE digest IN ?", [digests])
            return n, b
        where, params = "partner = ?", [partner]
        if month is not None:
            where += " AND month = ?"
            params.append(month)
        n, b = self._count(where, params)
        if n == 0:
            raise UpliftError(
                f"nothing loaded for partner {partner}" + (f" in {month}" if month else ""),
                hint="see `uplift sources`",
            )
        self.con.execute(f"DELETE FROM sales WHERE {where}", params)
        self._drop_orphan_files()
        return n, b

    def _count(self, where: str, params: list[Any]) -> tuple[int, float]:
        row = self.con.execute(
            f"SELECT count(*), coalesce(sum(boxes), 0) FROM sales WHERE {where}", params
        ).fetchone()
        assert row is not None
        return int(row[0]), float(row[1])

    def _drop_orphan_files(self) -> None:
        self.con.execute(
            """DELETE FROM files WHERE kind = 'sales'
               AND digest NOT IN (SELECT DISTINCT digest FROM sales)"""
        )

    def _remember_templates(self, result: LoadResult, fresh: set[str]) -> list[str]:
        """Compare each partner's layout with the one remembered; say what changed."""
        layouts: dict[str, dict[str, Any]] = {}
        for s in result.sheets:
            if s.kind != "sales" or s.file not in fresh:
                continue
            for p in s.partners:
                lay = layouts.setdefault(
                    p, {"mapping": {}, "units": [], "header_row": s.header_row}
                )
                lay["mapping"].update(s.mapping)
                lay["units"] = sorted(set(lay["units"]) | set(s.units))
        old = self.templates()
        changes: list[str] = []
        for partner, lay in sorted(layouts.items()):
            before = old.get(partner)
            if before is not None:
                changes += _describe_drift(partner, before, lay)
            self.con.execute(
                "INSERT OR REPLACE INTO templates VALUES (?, ?)",
                [partner, json.dumps(lay, ensure_ascii=False)],
            )
        return changes


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


def _arrow(df: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def _describe_drift(partner: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    b_map, a_map = before.get("mapping", {}), after.get("mapping", {})
    for fld in sorted(set(b_map) | set(a_map)):
        old, new = b_map.get(fld), a_map.get(fld)
        if old and new and old != new:
            out.append(f"partner {partner}: column {old} is now {new}")
        elif old and not new:
            out.append(f"partner {partner}: column {old} ({fld}) is missing now")
        elif new and not old:
            out.append(f"partner {partner}: new column {new} ({fld})")
    for unit in sorted(set(after.get("units", [])) - set(before.get("units", []))):
        how = "counted as boxes" if unit in ("盒", "box", "boxes") else "converted by 规格"
        out.append(f"partner {partner}: unit {unit} {how}")
    if before.get("header_row") != after.get("header_row"):
        out.append(
            f"partner {partner}: header row moved from {before.get('header_row')} "
            f"to {after.get('header_row')}"
        )
    return out


def _private_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


@contextlib.contextmanager
def _exclusive_lock(folder: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(folder / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WorkspaceBusy(
                        "workspace is busy (another uplift load is running)",
                        hint="wait for it to finish, then try again",
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
