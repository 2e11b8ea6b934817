"""Reading raw grids from workbooks and CSV files: the only code that opens input files.

Every grid is a DataFrame of strings (None for empty cells) whose row i is Excel row i+1.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from uplift.errors import UnreadableFile

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
SUPPORTED = WORKBOOK_SUFFIXES + CSV_SUFFIXES
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


@dataclass
class RawSheet:
    """One sheet's cells as text, plus whether it is visible."""

    name: str
    grid: pd.DataFrame
    visible: bool = True


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same content under any name is the same file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sniff(path: Path) -> str:
    """'zip', 'ole' or 'text' from the first bytes; raises UnreadableFile for empty files."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise UnreadableFile(f"{path}: permission denied") from None
    if size == 0:
        raise UnreadableFile(f"{path.name}: empty file (0 bytes)")
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(b"PK"):
        raise UnreadableFile(f"{path.name}: not a readable workbook (damaged zip container)")
    return "text"


def check_zip(path: Path, max_unzipped_mb: float) -> None:
    """Refuse damaged packages and decompression bombs before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            f"{path.name}: not a readable workbook (damaged or truncated file: {exc})"
        ) from None
    names = {i.filename.casefold() for i in infos}
    if "encryptedpackage" in names:
        raise UnreadableFile(
            f"{path.name}: password-protected workbook; save it without a password"
        )
    total = sum(i.file_size for i in infos)
    limit = max_unzipped_mb * 1024 * 1024
    if total > limit:
        raise UnreadableFile(
            f"{path.name}: refused, it would inflate to {total / 2**20:,.0f} MB "
            f"(limit {max_unzipped_mb:,.0f} MB)",
            hint="raise max_unzipped_mb in uplift.toml if the file is genuine",
        )
    for info in infos:
        if (
            info.compress_size
            and info.file_size / info.compress_size > 1000
            and info.file_size > 2**24
        ):
            raise UnreadableFile(
                f"{path.name}: refused, {info.filename} is compressed {info.file_size // info.compress_size}:1 "
                "(a decompression bomb?)"
            )
    if not any(n.startswith(("xl/", "content.xml")) for n in names):
        raise UnreadableFile(f"{path.name}: not an Excel workbook (a zip file without sheets)")


def _ole_is_encrypted(path: Path) -> bool:
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as fh:
        data = fh.read(1 << 16)
    return marker in data


def read_workbook(path: Path, *, max_unzipped_mb: float) -> Iterator[RawSheet]:
    """Yield every sheet of a workbook as a text grid (fastexcel: Rust calamine to Arrow)."""
    import fastexcel

    kind = sniff(path)
    if kind == "text":
        raise UnreadableFile(f"{path.name}: not an Excel workbook (it is plain text)")
    if kind == "zip":
        check_zip(path, max_unzipped_mb)
    elif _ole_is_encrypted(path):
        raise UnreadableFile(
            f"{path.name}: password-protected workbook; save it without a password"
        )
    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
    except Exception as exc:  # the Rust reader raises several families for damaged files
        raise UnreadableFile(f"{path.name}: {_explain(exc)}") from None
    if not names:
        raise UnreadableFile(f"{path.name}: the workbook has no sheets")
    for name in names:
        try:
            sheet = reader.load_sheet(
                name,
                header_row=None,
                skip_rows=0,
                dtypes="string",
                whitespace_as_null=True,
                schema_sample_rows=None,
            )
            visible = str(getattr(sheet, "visible", "visible")) == "visible"
            grid = sheet.to_arrow().to_pandas()
        except Exception as exc:
            raise UnreadableFile(f'{path.name}, sheet "{name}": {_explain(exc)}') from None
        grid.columns = range(grid.shape[1])
        yield RawSheet(name=name, grid=grid, visible=visible)


def _explain(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = text.casefold()
    if "password" in low or "encrypt" in low:
        return "password-protected workbook; save it without a password"
    if "no sheet" in low or ("empty" in low and "sheet" in low):
        return "the workbook has no readable sheets"
    return f"not a readable workbook ({text[:160]})"


def detect_encoding(raw: bytes) -> str:
    """utf-8 (with or without BOM) when it decodes, else GB18030 (a superset of GBK)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "not UTF-8 or GBK text", hint="pass --encoding with the file's encoding"
        ) from None
    return "gb18030"


def read_csv(path: Path, *, encoding: str | None = None) -> RawSheet:
    """A CSV/TSV file as one text grid; the encoding is detected unless given."""
    import csv
    import io

    import pandas as pd

    raw = path.read_bytes()
    if not raw:
        raise UnreadableFile(f"{path.name}: empty file (0 bytes)")
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(f"{path.name}: not a text file or workbook (binary content)")
    try:
        enc = encoding or detect_encoding(raw)
        text = raw.decode(enc)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{path.name}: {exc.message}", hint=exc.hint) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(
            f"{path.name}: cannot decode as {encoding} ({exc.__class__.__name__})",
            hint="check --encoding (common: utf-8, gbk)",
        ) from None
    text = text.removeprefix("\ufeff")
    sample = text[:65536]
    first_lines = sample.splitlines()[:50]
    delimiter = max((",", "\t", ";", "|"), key=lambda d: sum(line.count(d) for line in first_lines))
    width = max((len(r) for r in csv.reader(first_lines, delimiter=delimiter)), default=1)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype="str",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        width = max((len(r) for r in rows), default=1)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")
    grid.columns = range(grid.shape[1])
    grid = grid.apply(lambda col: col.str.strip()).replace("", None)
    return RawSheet(name=path.stem, grid=grid)
