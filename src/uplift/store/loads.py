"""Writing the workspace: all-or-nothing loads on a private copy, replacements and forgetting.

Writes never touch the live database file. A load copies it, applies everything in
one transaction on the copy, checkpoints and atomically renames the copy into place.
A file already loaded (same content hash) is skipped, unless rows of it were forgotten
since: a partner-month of it that the workspace no longer holds is restored from it. A
re-sent partner-month replaces exactly the rows of that partner and month.
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

from uplift.errors import UpliftError, WorkspaceBusy
from uplift.sheets import columns as C
from uplift.store.queries import templates
from uplift.store.schema import create_schema

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from uplift.sheets.loading import FileReport, LoadResult


@dataclass
class LoadSummary:
    """What one `uplift load` changed."""

    added_rows: int = 0
    added_boxes: float = 0.0
    unchanged_files: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    template_changes: list[str] = field(default_factory=list)
    competitor_rows: int = 0
    master: list[str] = field(default_factory=list)  # master data kept, in words


@contextlib.contextmanager
def write_on_copy(db: Path, *, lock_wait: float) -> Iterator[Any]:
    """A connection in a transaction on a private copy of `db`, swapped in on success only.

    Holds the folder's exclusive write lock (waiting up to `lock_wait` seconds for it);
    on any error, Ctrl-C or kill the copy is dropped and `db` stays as it was.
    """
    import duckdb

    folder = db.parent
    _private_dir(folder)
    with _exclusive_lock(folder, lock_wait):
        tmp = folder / f".{db.name}.{os.getpid()}.tmp"
        for stale in folder.glob(f".{db.name}.*.tmp*"):
            stale.unlink(missing_ok=True)
        if db.is_file():
            shutil.copyfile(db, tmp)
        os.chmod(tmp, 0o600) if tmp.exists() else None
        old_umask = os.umask(0o077)
        try:
            con = duckdb.connect(str(tmp))
        finally:
            os.umask(old_umask)
        try:
            create_schema(con, db)
            con.execute("BEGIN TRANSACTION")
            yield con
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


def add_load(con: Any, result: LoadResult) -> LoadSummary:
    """Write a load: unchanged files are skipped, repeated partner x months replaced.

    A file loaded before (same content hash) whose rows of some partner-months were
    forgotten since gets those partner-months back (`_restore_forgotten`); it is
    unchanged only when nothing of it was missing. The caller then drops the records of
    files left without rows (`drop_orphan_files`).
    """
    summary = LoadSummary()
    digests = {f.path: f.digest for f in result.files}
    known = {r[0] for r in con.execute("SELECT digest FROM files").fetchall()}
    new_files = [f for f in result.files if f.error is None and f.duplicate_of is None]
    fresh = {f.path for f in new_files if f.digest not in known}
    again = [f for f in new_files if f.digest in known]
    sales = result.sales
    if not sales[C.SOURCE_FILE].isin(fresh).all():
        sales = sales[sales[C.SOURCE_FILE].isin(fresh)]
    comp = result.competitors[result.competitors[C.SOURCE_FILE].isin(fresh)].copy()
    comp["digest"] = comp[C.SOURCE_FILE].map(digests)

    summary.template_changes = remember_templates(con, result, fresh)
    if not sales.empty:
        summary.replaced = _replace_sales(con, sales, digests)
        summary.added_rows = len(sales)
        summary.added_boxes = float(sales[C.BOXES].sum())
    if not comp.empty:
        _replace_competitors(con, comp)
        summary.competitor_rows = len(comp)
    # after the new files: a partner-month one of them brings is no longer missing
    back = result.sales[result.sales[C.SOURCE_FILE].isin({f.path for f in again})]
    restored = _restore_forgotten(con, back, digests)
    if not restored.empty:
        summary.replaced += _restored_lines(restored)
        summary.added_rows += len(restored)
        summary.added_boxes += float(restored[C.BOXES].sum())
    returned = set(restored[C.SOURCE_FILE])
    summary.unchanged_files = [f.name for f in again if f.path not in returned]
    _record_files(con, [f for f in new_files if f.path in fresh])
    summary.master = store_master(con, result)
    return summary


def store_master(con: Any, result: LoadResult) -> list[str]:
    """Keep the catalogue and customer master of a load in place of the earlier ones."""
    now = datetime.now(UTC).replace(tzinfo=None)
    said = []
    for kind, master in (("catalogue", result.catalogue), ("customers", result.customers)):
        if master is None:
            continue
        body = master.to_json()
        old = con.execute("SELECT body FROM master WHERE kind = ?", [kind]).fetchall()
        if old and old[0][0] == body:
            continue
        con.execute(
            "INSERT OR REPLACE INTO master VALUES (?, ?, ?, ?)", [kind, master.source, body, now]
        )
        what = "product catalogue" if kind == "catalogue" else "customer master"
        said.append(
            f"{what} from {master.source} kept" + (" (replaces the earlier one)" if old else "")
        )
    return said


def _replace_sales(con: Any, sales: pd.DataFrame, digests: dict[str, str]) -> list[str]:
    """Insert `sales` in place of the rows of the same partner x months; say what went."""
    pairs = sales[[C.PARTNER, C.MONTH]].drop_duplicates()
    con.register("new_pairs", pairs)
    replaced = con.execute(
        """
        SELECT s.partner, s.month, s.source_file, count(*) AS n, sum(s.boxes) AS b
        FROM sales s JOIN new_pairs p USING (partner, month)
        GROUP BY ALL ORDER BY s.partner, s.month, s.source_file
        """
    ).fetchall()
    winners = sales.groupby([C.PARTNER, C.MONTH])[C.SOURCE_FILE].last()
    messages = []
    for partner, month, src, n, boxes in replaced:
        by = Path(winners.loc[(partner, month)]).name
        messages.append(
            f"replaced {n} rows ({boxes:,.1f} boxes) of partner {partner} for {month} "
            f"from {Path(src).name} with {by}"
        )
    con.execute(
        "DELETE FROM sales WHERE (partner, month) IN (SELECT (partner, month) FROM new_pairs)"
    )
    con.unregister("new_pairs")
    _insert_sales(con, sales, digests)
    return messages


def _insert_sales(con: Any, sales: pd.DataFrame, digests: dict[str, str]) -> None:
    """Append `sales`, each row with the content hash of its file."""
    # through Arrow: DuckDB copies Arrow columns far faster than pandas strings
    # a few files, a million rows: DuckDB writes each file's digest from one
    # CASE (keeping the rows' order) rather than a million digests being built
    files = sales[C.SOURCE_FILE].unique().tolist()
    digest_of = " ".join("WHEN ? THEN ?" for _ in files)
    con.register("new_sales", _arrow(sales[list(C.SALES_COLUMNS)]))
    # by name: a workspace upgraded from schema 1 has `amount` after `digest`
    names = ", ".join(f'"{c}"' for c in C.SALES_COLUMNS)
    con.execute(
        f"INSERT INTO sales ({names}, digest) "
        f"SELECT *, CASE source_file {digest_of} END FROM new_sales",
        [x for f in files for x in (f, digests[f])],
    )
    con.unregister("new_sales")


def _restore_forgotten(con: Any, sales: pd.DataFrame, digests: dict[str, str]) -> pd.DataFrame:
    """Insert the rows of files loaded before whose partner-months were forgotten since.

    `sales` are the rows just read from files whose content hash is recorded. A
    partner-month of such a file is restored when the workspace holds no row of that
    partner and month (from any file) and none of its rows (by sheet and Excel row)
    under the file's hash: then it was forgotten, not replaced by a newer file nor kept
    under another partner or month. Returns the rows inserted (none when nothing of the
    files was missing).
    """
    keys = [C.SOURCE_FILE, C.PARTNER, C.MONTH]
    if sales.empty:
        return sales
    pairs = sales[keys].drop_duplicates().astype(str)
    con.register("again_pairs", pairs)
    missing = con.execute(
        """
        SELECT p.source_file, p.partner, p.month FROM again_pairs p
        WHERE NOT EXISTS (
            SELECT 1 FROM sales s WHERE s.partner = p.partner AND s.month = p.month
        )
        """
    ).fetchall()
    con.unregister("again_pairs")
    if not missing:
        return sales.iloc[:0]
    index = sales.set_index(keys).index
    rows = sales[index.isin(missing)]
    # the rows themselves may still be held, as another partner's or month's (say the
    # file was loaded with another --partner): those are not brought back a second time
    where = rows[[*keys, C.SHEET, C.ROW]].astype({k: str for k in [*keys, C.SHEET]})
    where = where.assign(digest=where[C.SOURCE_FILE].map(digests))
    con.register("again_rows", _arrow(where))
    held = con.execute(
        """
        SELECT DISTINCT k.source_file, k.partner, k.month
        FROM again_rows k JOIN sales s
          ON s.digest = k.digest AND s.sheet IS NOT DISTINCT FROM k.sheet
         AND s."row" IS NOT DISTINCT FROM k."row"
        """
    ).fetchall()
    con.unregister("again_rows")
    if held:
        rows = rows[~rows.set_index(keys).index.isin(held)]
    if not rows.empty:
        _insert_sales(con, rows, digests)
    return rows


def _restored_lines(rows: pd.DataFrame) -> list[str]:
    """One line per file, partner and month restored: its rows and boxes."""
    keys = [C.SOURCE_FILE, C.PARTNER, C.MONTH]
    counts = rows.groupby(keys, observed=True, sort=False)[C.BOXES].agg(["size", "sum"])
    return [
        f"{Path(src).name}: {month} of partner {partner} restored "
        f"({int(n):,} rows, {float(boxes):,.1f} boxes)"
        for (src, partner, month), n, boxes in sorted(
            zip(counts.index, counts["size"], counts["sum"], strict=True)
        )
    ]


def _replace_competitors(con: Any, comp: pd.DataFrame) -> None:
    """Insert competitor figures (with their digest) in place of those of their hospitals."""
    import pandas as pd

    # a newer visit sheet for a hospital replaces the older figures for that hospital
    hospitals = pd.DataFrame({C.HOSPITAL: comp[C.HOSPITAL].unique()})
    con.register("new_hospitals", hospitals)
    con.execute("DELETE FROM competitors WHERE hospital IN (SELECT hospital FROM new_hospitals)")
    con.unregister("new_hospitals")
    con.register("new_comp", comp[[*C.COMPETITOR_COLUMNS, "digest"]])
    con.execute("INSERT INTO competitors SELECT * FROM new_comp")
    con.unregister("new_comp")


def _record_files(con: Any, files: list[FileReport]) -> None:
    """Record each newly loaded file: its hash, path, kind, rows read and rejected, when."""
    now = datetime.now(UTC).replace(tzinfo=None)
    for f in files:
        kinds = {s.kind for s in f.sheets if s.kind != "none"}
        con.execute(
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


def forget_file(con: Any, file: str) -> tuple[int, float]:
    """Remove a loaded file (path, name or content hash); (rows, boxes) of sales removed."""
    rows = con.execute(
        "SELECT digest FROM files WHERE file = ? OR digest = ? OR file LIKE ?",
        [file, file, f"%/{Path(file).name}"],
    ).fetchall()
    if not rows:
        raise UpliftError(f'no loaded file "{file}"', hint="see `uplift sources`")
    digests = [r[0] for r in rows]
    n, b = count_sales(con, "digest IN ?", [digests])
    con.execute("DELETE FROM sales WHERE digest IN ?", [digests])
    con.execute("DELETE FROM competitors WHERE digest IN ?", [digests])
    con.execute("DELETE FROM files WHERE digest IN ?", [digests])
    return n, b


def forget_partner(con: Any, partner: str | None, month: str | None) -> tuple[int, float]:
    """Remove a partner's sales rows [of one month]; (rows, boxes) removed.

    The caller then drops the records of files left without rows (`drop_orphan_files`).
    """
    where, params = "partner = ?", [partner]
    if month is not None:
        where += " AND month = ?"
        params.append(month)
    n, b = count_sales(con, where, params)
    if n == 0:
        raise UpliftError(
            f"nothing loaded for partner {partner}" + (f" in {month}" if month else ""),
            hint="see `uplift sources`",
        )
    con.execute(f"DELETE FROM sales WHERE {where}", params)
    return n, b


def count_sales(con: Any, where: str, params: list[Any]) -> tuple[int, float]:
    """(rows, boxes) of the sales rows matching the SQL condition `where`."""
    row = con.execute(
        f"SELECT count(*), coalesce(sum(boxes), 0) FROM sales WHERE {where}", params
    ).fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


def drop_orphan_files(con: Any) -> None:
    """Forget the sales files none of whose rows are left."""
    con.execute(
        """DELETE FROM files WHERE kind = 'sales'
           AND digest NOT IN (SELECT DISTINCT digest FROM sales)"""
    )


def remember_templates(con: Any, result: LoadResult, fresh: set[str]) -> list[str]:
    """Compare each partner's layout with the one remembered; say what changed."""
    layouts: dict[str, dict[str, Any]] = {}
    for s in result.sheets:
        if s.kind != "sales" or s.file not in fresh:
            continue
        for p in s.partners:
            lay = layouts.setdefault(p, {"mapping": {}, "units": [], "header_row": s.header_row})
            lay["mapping"].update(s.mapping)
            lay["units"] = sorted(set(lay["units"]) | set(s.units))
    old = templates(con)
    changes: list[str] = []
    for partner, lay in sorted(layouts.items()):
        before = old.get(partner)
        if before is not None:
            changes += _describe_drift(partner, before, lay)
        con.execute(
            "INSERT OR REPLACE INTO templates VALUES (?, ?)",
            [partner, json.dumps(lay, ensure_ascii=False)],
        )
    return changes


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
def _exclusive_lock(folder: Path, wait: float) -> Iterator[None]:
    import fcntl

    fd = os.open(folder / "write.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
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
