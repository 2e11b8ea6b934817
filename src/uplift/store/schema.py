"""The workspace database's tables, its schema version, and upgrading an older file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from uplift.errors import UpliftError

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_VERSION = 2
# one step per version, run in order on an older file: version -> statements that make it
# the next version. 1 -> 2: the value of each row (金额, `amount`), NULL for rows read
# before it was kept.
_UPGRADES: dict[int, tuple[str, ...]] = {
    1: ("ALTER TABLE sales ADD COLUMN IF NOT EXISTS amount DOUBLE",),
}

_SALES_DDL = """
CREATE TABLE IF NOT EXISTS sales (
    partner VARCHAR, month VARCHAR, hospital VARCHAR, department VARCHAR,
    prescriber VARCHAR, product VARCHAR, spec VARCHAR, quantity DOUBLE, unit VARCHAR,
    boxes DOUBLE, source_file VARCHAR, sheet VARCHAR, "row" BIGINT, digest VARCHAR,
    amount DOUBLE
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
# master data: the product catalogue and the customer master in force, one row each
# (kind "catalogue" / "customers"), replaced whole when a new one is loaded
_MASTER_DDL = (
    "CREATE TABLE IF NOT EXISTS master "
    "(kind VARCHAR PRIMARY KEY, source VARCHAR, body VARCHAR, loaded_at TIMESTAMP)"
)


def create_schema(con: Any, db: Path) -> None:
    """Create any missing table; stamp a new file with the schema version, check an old one."""
    for ddl in (_SALES_DDL, _COMP_DDL, _FILES_DDL, _TEMPLATES_DDL, _META_DDL, _MASTER_DDL):
        con.execute(ddl)
    version = schema_version(con)
    if version is None:
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    else:
        check_schema(con, db, upgrade=True)


def schema_version(con: Any) -> int | None:
    """The schema version recorded in the database, None when there is none."""
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    except Exception:
        return None
    return int(rows[0][0]) if rows else None


def check_schema(con: Any, db: Path, *, upgrade: bool = False) -> None:
    """Refuse a file that is no workspace or is newer than this uplift; with `upgrade` (a
    write), bring an older one up to this version. An older file opened only to read is
    read as it is: the queries fill what it lacks (a row's amount) with NULL."""
    version = schema_version(con)
    if version is None:
        raise UpliftError(
            f"{db}: not an uplift workspace (no schema version)",
            hint="move it away or choose another folder with --workspace",
        )
    if version > SCHEMA_VERSION:
        raise UpliftError(
            f"{db}: made by a newer uplift (schema {version}, this one knows {SCHEMA_VERSION})",
            hint="upgrade uplift (pip install -U uplift)",
        )
    while upgrade and version < SCHEMA_VERSION:
        for statement in _UPGRADES[version]:
            con.execute(statement)
        version += 1
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
