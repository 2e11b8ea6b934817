"""The workspace: sheets loaded once, analysed many times, kept in an embedded DuckDB file.

Writes never touch the live database file. A load copies it, applies everything in
one transaction on the copy, checkpoints and atomically renames the copy into place.
An error, Ctrl-C or kill -9 part-way therefore leaves the workspace exactly as it
was, and readers never see a half-applied load: they open whichever complete file
is in place. Writers take an exclusive lock file, so two loads never interleave.

`Workspace` is the one object callers use; its methods delegate to `schema` (tables,
version, upgrades), `loads` (writing and forgetting) and `queries` (reading back).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uplift.errors import NoData
from uplift.store import loads, queries, schema
from uplift.store.loads import LoadSummary as LoadSummary
from uplift.store.queries import EMPTY_MESSAGE as EMPTY_MESSAGE
from uplift.store.queries import _dictionary_codes as _dictionary_codes
from uplift.store.queries import _row_order as _row_order
from uplift.store.schema import SCHEMA_VERSION as SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from uplift.sheets.catalogue import Catalogue
    from uplift.sheets.customers import CustomerMaster
    from uplift.sheets.loading import LoadResult

DB_NAME = "uplift.duckdb"
DEFAULT_DIR = Path(".uplift")
# read by `Workspace.transaction` at each call, so it can be changed at run time
LOCK_WAIT_SECONDS = 5.0


def workspace_dir(explicit: Path | None = None) -> Path:
    """The workspace folder: --workspace, else $UPLIFT_WORKSPACE, else ./.uplift."""
    if explicit is not None:
        return explicit
    env = os.environ.get("UPLIFT_WORKSPACE")
    return Path(env) if env else DEFAULT_DIR


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
        folder = workspace_dir(folder)
        db = folder / DB_NAME
        if not db.is_file():
            raise NoData(EMPTY_MESSAGE)
        con = queries.connect_readonly(db)
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
        folder = workspace_dir(folder)
        with loads.write_on_copy(folder / DB_NAME, lock_wait=LOCK_WAIT_SECONDS) as con:
            yield cls(folder, con, writable=True)

    def _create_schema(self) -> None:
        schema.create_schema(self.con, self.folder / DB_NAME)

    def _schema_version(self) -> int | None:
        return schema.schema_version(self.con)

    def _check_schema(self) -> None:
        schema.check_schema(self.con, self.folder / DB_NAME)

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
        return queries.sales(self.con, columns, compact=compact)

    def _compact_sales(self, columns: tuple[str, ...]) -> pd.DataFrame:
        """`sales(columns, compact=True)`: names travel as codes, sorted by integers."""
        return queries.compact_sales(self.con, columns)

    def _frame(self, query: str) -> pd.DataFrame:
        return queries.frame(self.con, query)

    def competitors(self) -> pd.DataFrame:
        """Field-visit competitor figures (may be empty)."""
        return queries.competitors(self.con)

    def sources(self) -> pd.DataFrame:
        """One row per loaded file and partner: months, rows, boxes, rejects, when, hash."""
        return queries.sources(self.con)

    def load_stats(self) -> pd.DataFrame:
        """Per partner: rows read and rejected at load (for the data-quality view)."""
        return queries.load_stats(self.con)

    def templates(self) -> dict[str, dict[str, Any]]:
        """Each partner's remembered sheet layout."""
        return queries.templates(self.con)

    def master_data(self) -> tuple[Catalogue | None, CustomerMaster | None]:
        """The product catalogue and customer master kept, None for what was never loaded."""
        from uplift.sheets.catalogue import Catalogue
        from uplift.sheets.customers import CustomerMaster

        kept = queries.master(self.con)
        catalogue = Catalogue.from_json(kept["catalogue"]) if "catalogue" in kept else None
        customers = CustomerMaster.from_json(kept["customers"]) if "customers" in kept else None
        return catalogue, customers

    # writing ------------------------------------------------------------------------

    def store(self, result: LoadResult) -> LoadSummary:
        """Add a load: unchanged files are skipped, repeated partner x months replaced."""
        summary = loads.add_load(self.con, result)
        self._drop_orphan_files()
        return summary

    def forget(
        self, *, file: str | None = None, partner: str | None = None, month: str | None = None
    ) -> tuple[int, float]:
        """Remove rows by file (path, name or content hash) or by partner [and month]."""
        if file is not None:
            return loads.forget_file(self.con, file)
        removed = loads.forget_partner(self.con, partner, month)
        self._drop_orphan_files()
        return removed

    def _count(self, where: str, params: list[Any]) -> tuple[int, float]:
        return loads.count_sales(self.con, where, params)

    def _drop_orphan_files(self) -> None:
        loads.drop_orphan_files(self.con)

    def _remember_templates(self, result: LoadResult, fresh: set[str]) -> list[str]:
        """Compare each partner's layout with the one remembered; say what changed."""
        return loads.remember_templates(self.con, result, fresh)
