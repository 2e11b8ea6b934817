"""Reading raw grids from workbooks and CSV files: the only code that opens input files.

Every grid is a DataFrame of strings (None for empty cells) whose row i is Excel row i+1.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import struct
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uplift.errors import UnreadableFile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pandas as pd

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
SUPPORTED = WORKBOOK_SUFFIXES + CSV_SUFFIXES
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Deflate cannot compress better than about 1032:1; a member may inflate to at most this
# many times its compressed size, whatever its header claims.
_DEFLATE_MAX_RATIO = 1032
_PASSWORD = "password-protected workbook; save it without a password"


@dataclass
class RawSheet:
    """One sheet's cells as text, and its workbook's date system."""

    name: str
    grid: pd.DataFrame
    date1904: bool = False  # plain numbers in a date column count days from 1904-01-01
    # What a person should know about how the sheet was read (a doubtful encoding, a
    # stray quote), one message each.
    warnings: list[str] = field(default_factory=list)
    # Grid rows (0-based) whose cells cannot be trusted, with the reason: the loader
    # rejects them under their line number.
    bad_rows: dict[int, str] = field(default_factory=dict)
    # "hidden" or "veryHidden" when the partner hid the sheet; "" when it is visible
    hidden: str = ""


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: the same content under any name is the same file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sniff(path: Path) -> str:
    """'zip', 'ole', 'text' or 'binary' from the first bytes; UnreadableFile when empty."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise UnreadableFile(f"{path}: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise UnreadableFile(f"{path.name}: empty file (0 bytes)")
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(b"PK"):
        raise UnreadableFile(f"{path.name}: not a readable workbook (damaged zip container)")
    return "text" if _looks_like_text(head) else "binary"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 text, as Excel's "Unicode text" export writes it
    if b"\x00" in head:
        return False
    control = sum(head.count(bytes([b])) for b in (*range(1, 9), *range(14, 27), *range(28, 32)))
    return control <= len(head) // 100


def _not_a_workbook(path: Path, kind: str) -> UnreadableFile:
    """The message for a file whose bytes are no workbook, saying what it looks like."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if kind == "binary":
        if len(head) >= 4 and head[0] == 0x09 and head[1] in (0x00, 0x02, 0x04) and head[3] == 0:
            return UnreadableFile(
                f"{path.name}: an Excel 2.x-4.0 worksheet, a format too old to read",
                hint="open it in Excel or LibreOffice and save it as .xlsx",
            )
        return UnreadableFile(f"{path.name}: not an Excel workbook (unrecognised binary content)")
    low = head.lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in low:
        return UnreadableFile(
            f"{path.name}: not an Excel workbook (it is an Excel 2003 XML spreadsheet)",
            hint="open it in Excel or LibreOffice and save it as .xlsx",
        )
    if b"<html" in low or b"<table" in low:
        return UnreadableFile(
            f"{path.name}: not an Excel workbook (it is a web page saved with an Excel name)",
            hint="open it in Excel or LibreOffice and save it as .xlsx",
        )
    return UnreadableFile(
        f"{path.name}: not an Excel workbook (it is plain text)",
        hint="if it is CSV or tab-separated text, rename it to .csv",
    )


def check_zip(path: Path, max_unzipped_mb: float) -> tuple[bool, dict[str, str]]:
    """Refuse damaged packages and decompression bombs before anything is inflated.

    Returns whether the workbook uses the 1904 date system, and the state of each sheet
    that is not visible ("hidden" or "veryHidden"), by name.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(path, zf, infos, max_unzipped_mb)
            return _workbook_facts(zf, infos)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(
            f"{path.name}: not a readable workbook (damaged or truncated file: {_first_line(exc)})"
        ) from None
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        if "encrypt" in str(exc).casefold() or "password" in str(exc).casefold():
            raise UnreadableFile(f"{path.name}: {_PASSWORD}") from None
        raise UnreadableFile(f"{path.name}: not a readable workbook ({_first_line(exc)})") from None
    except NotImplementedError as exc:  # an unsupported compression method
        raise UnreadableFile(f"{path.name}: not a readable workbook ({_first_line(exc)})") from None


def _check_members(
    path: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_unzipped_mb: float
) -> None:
    names = {i.filename.casefold() for i in infos}
    if "encryptedpackage" in names:
        raise UnreadableFile(f"{path.name}: {_PASSWORD}")
    if not any(n.startswith(("xl/", "content.xml")) for n in names):
        raise UnreadableFile(f"{path.name}: not an Excel workbook (a zip file without sheets)")
    limit = max_unzipped_mb * 1024 * 1024
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise _bomb(path, f"it would inflate to {total / 2**20:,.0f} MB", max_unzipped_mb)
    for info in infos:
        if (
            info.compress_size
            and info.file_size / info.compress_size > 1000
            and info.file_size > 2**24
        ):
            raise _bomb(
                path,
                f"{info.filename} is compressed {info.file_size // info.compress_size}:1 "
                "(a decompression bomb?)",
                max_unzipped_mb,
            )
    # The sizes above are what the package claims. A forged header can claim less than a
    # member really inflates to, and the Rust reader trusts the data, not the header. So
    # members that could inflate past the limit are inflated here first, in small chunks:
    # zipfile stops at the claimed size and checks the CRC, so a lie ends as a damaged
    # file after at most `limit` bytes, never in memory. Sheets are always read this way,
    # to measure how far their cells reach before the reader allocates a grid for them.
    worst = sum(
        i.file_size
        if i.compress_type == zipfile.ZIP_STORED
        else max(i.file_size, i.compress_size * _DEFLATE_MAX_RATIO)
        for i in infos
    )
    for info in infos:
        if _is_worksheet(info.filename):
            _check_extent(path, zf, info)
        elif worst > limit and info.compress_type != zipfile.ZIP_STORED:
            with zf.open(info) as fh:
                while fh.read(1 << 22):
                    pass


def _is_worksheet(name: str) -> bool:
    low = name.casefold()
    return "worksheets/" in low and low.endswith(".xml")


# Cell references in sheet XML (`<c r="B7">`, `<row r="7">`), found by their literal start
# so that each search runs at C speed over the inflated bytes.
_REF_WIDE = re.compile(rb'r="[A-Z][A-Z]')  # a column from AA on
_REF_THREE = re.compile(rb'r="([A-Z]{3})\d')  # a column from AAA on
_REF_TWO_FIRST = re.compile(rb'r="([A-Z])[A-Z]\d')
_REF_ROW = re.compile(rb'r="[A-Z]{0,3}(\d{1,12})"')
# a cell beyond what Excel can hold: past column XFD (16,384) or row 1,048,576
_REF_PAST_EXCEL = re.compile(
    rb'r="((?:[A-Z]{4,}|[Y-Z][A-Z]{2}|X[G-Z][A-Z]|XF[E-Z])\d+'
    rb"|[A-Z]{1,3}(?:[2-9]\d{6}|1[1-9]\d{5}|10[5-9]\d{4}|104[9]\d{3}|1048[6-9]\d{2}"
    rb'|10485[8-9]\d|104857[7-9]|\d{8,}))"'
)
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,12})(?::\$?([A-Z]{1,3})\$?(\d{1,12}))?"'
)
# The reader allocates its grid for the whole span of a sheet's cells (first to last row
# and column), about 32 bytes a cell: two cells at A1 and XFD1048576 would ask for 512 GB
# and abort the process. Real sheets stay far below this many cells.
MAX_SHEET_CELLS = 400_000_000
MAX_SHEETS = 1_000  # a partner's workbook has a sheet a month, a region, a product line


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks, each starting with the previous one's last bytes
    (so that no reference is cut in two)."""
    tail = b""
    for chunk in _inflated(zf, info):
        yield tail + chunk
        tail = chunk[-24:]


_PIECE = 1 << 22  # inflated bytes at a time: memory stays small whatever the member claims


def _inflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's inflated bytes, a piece at a time.

    Deflated members go through ISA-L's inflate when python-isal is installed (twice
    zlib's speed on sheet XML); stored, encrypted or otherwise compressed members, and
    packages not read from a file, through zipfile. Either way the member may not
    inflate past the size its header claims, and its CRC must match.
    """
    isal_zlib = _isal()
    if (
        isal_zlib is None
        or info.compress_type != zipfile.ZIP_DEFLATED
        or info.flag_bits & 0x1
        or not isinstance(zf.filename, str)
    ):
        with zf.open(info) as fh:
            while piece := fh.read(_PIECE):
                yield piece
        return
    with open(zf.filename, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local file header for {info.filename!r}")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        inflater = isal_zlib.decompressobj(-15)
        left, produced, crc = info.compress_size, 0, 0
        try:
            while not inflater.eof:
                data = inflater.unconsumed_tail
                if not data:
                    if left <= 0:
                        break
                    data = fh.read(min(1 << 20, left))
                    if not data:
                        break
                    left -= len(data)
                piece = inflater.decompress(data, _PIECE)
                produced += len(piece)
                if produced > info.file_size:
                    raise zipfile.BadZipFile(
                        f"{info.filename!r} inflates to more than the {info.file_size:,} "
                        "bytes its header claims"
                    )
                crc = isal_zlib.crc32(piece, crc)
                if piece:
                    yield piece
        except isal_zlib.error as exc:
            raise zipfile.BadZipFile(f"{info.filename!r}: {exc}") from None
    if not inflater.eof or produced != info.file_size:
        raise zipfile.BadZipFile(f"{info.filename!r} is truncated")
    if crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _isal() -> Any:
    """python-isal's zlib module, or None when it is not installed."""
    try:
        from isal import isal_zlib
    except ImportError:
        return None
    return isal_zlib


def _check_extent(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a sheet whose cells span more than MAX_SHEET_CELLS, before the reader does.

    Cheap upper bounds: the span the sheet declares (<dimension>, written by Excel, WPS,
    LibreOffice and the Python writers alike); without one, a search for columns from AA
    on (26 columns when there is none). Rows: the last rows name the count, as every
    spreadsheet program writes rows in order.
    """
    declared: tuple[int, int] | None = None
    wide = False
    previous = last = b""
    for i, data in enumerate(_chunks(zf, info)):
        if i == 0 and (m := _DIMENSION.search(data, 0, 1 << 16)):
            c1, r1, c2, r2 = m.groups()
            c2, r2 = c2 or c1, r2 or r1
            declared = (
                abs(_column_number(c2) - _column_number(c1)) + 1,
                abs(int(r2) - int(r1)) + 1,
            )
        if declared is None and not wide and _REF_WIDE.search(data):
            wide = True
        if far := _REF_PAST_EXCEL.search(data):
            ref = far.group(1)[:20].decode("ascii", "replace")
            raise UnreadableFile(
                f"{path.name}: refused, a cell at {ref} lies past the last cell Excel can hold "
                "(column XFD, row 1,048,576): the file is damaged or was not written by a "
                "spreadsheet program",
                hint="open it in Excel or WPS and save it again as .xlsx",
            )
        previous, last = last, data
    end = (previous[-(1 << 20) :] + last)[-(1 << 21) :]
    rows = max((int(r) for r in _REF_ROW.findall(end)), default=1)
    if declared is not None:
        cols, rows = declared[0], max(rows, declared[1])
    elif wide:
        three = [_column_number(c) for data in _chunks(zf, info) for c in _REF_THREE.findall(data)]
        cols = max(three, default=702)
        if not three and cols * rows > MAX_SHEET_CELLS:
            first = max(
                (max(_REF_TWO_FIRST.findall(data), default=b"A") for data in _chunks(zf, info)),
                default=b"A",
            )
            cols = (first[0] - 64 + 1) * 26
    else:
        cols = 26
    cells = cols * rows
    if cells > MAX_SHEET_CELLS:
        raise UnreadableFile(
            f"{path.name}: refused, a sheet's cells span up to {cols:,} columns x {rows:,} "
            f"rows ({cells:,} cells), more than uplift reads ({MAX_SHEET_CELLS:,})",
            hint="a stray value far from the table? delete the empty rows and columns "
            "after it, or copy the table into a new workbook",
        )


def _bomb(path: Path, what: str, max_unzipped_mb: float) -> UnreadableFile:
    return UnreadableFile(
        f"{path.name}: refused, {what} (limit {max_unzipped_mb:,.0f} MB)",
        hint="raise max_unzipped_mb in uplift.toml if the file is genuine",
    )


def _workbook_facts(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> tuple[bool, dict[str, str]]:
    """From xl/workbook.xml: date1904 (Excel for Mac before 2011 saved so), and the sheets
    a partner hid (state="hidden", or "veryHidden", which only a macro can show)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    info = next((i for i in infos if i.filename.casefold() == "xl/workbook.xml"), None)
    if info is None or info.file_size > 32 * 2**20:
        return False, {}
    try:
        root = ElementTree.fromstring(zf.read(info))
    except (DefusedXmlException, ElementTree.ParseError, ValueError):
        return False, {}
    date1904 = False
    hidden: dict[str, str] = {}
    for el in root.iter():
        tag = str(el.tag).rsplit("}", 1)[-1]
        if tag == "workbookPr":
            date1904 = str(el.get("date1904", "")).strip().casefold() in ("1", "true")
        elif tag == "sheet":
            state = str(el.get("state", "visible")).strip()
            if state.casefold() in ("hidden", "veryhidden"):
                hidden[str(el.get("name", ""))] = (
                    "hidden" if state.casefold() == "hidden" else "veryHidden"
                )
    return date1904, hidden


_MERGE = re.compile(
    rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7}):\$?([A-Z]{1,3})\$?(\d{1,7})"'
)


def merged_ranges(path: Path, max_unzipped_mb: float) -> dict[str, list[tuple[int, int, int, int]]]:
    """The merged ranges of each sheet of an .xlsx/.xlsm, by sheet name, as 0-based
    (first row, first column, last row, last column); {} for other files.

    Excel keeps a merged cell's value in its top-left cell only: the rows below it are
    the same block. Read from the sheet XML's <mergeCell ref="A4:A5"/> elements.
    """
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    if sniff(path) != "zip":
        return {}
    check_zip(path, max_unzipped_mb)
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = {i.filename.casefold(): i for i in zf.infolist()}
            book = names.get("xl/workbook.xml")
            rels = names.get("xl/_rels/workbook.xml.rels")
            if book is None or rels is None:
                return {}
            targets = {}
            for el in ElementTree.fromstring(zf.read(rels)).iter():
                if str(el.tag).endswith("Relationship"):
                    target = str(el.get("Target", "")).lstrip("/")
                    if not target.casefold().startswith("xl/"):
                        target = "xl/" + target
                    targets[el.get("Id")] = target.casefold()
            for el in ElementTree.fromstring(zf.read(book)).iter():
                if not str(el.tag).endswith("}sheet") and el.tag != "sheet":
                    continue
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                info = names.get(targets.get(rid, ""))
                if info is None:
                    continue
                found: set[tuple[int, int, int, int]] = set()
                for chunk in _chunks(zf, info):
                    for a, r1, b, r2 in _MERGE.findall(chunk):
                        found.add(
                            (int(r1) - 1, _column_number(a) - 1, int(r2) - 1, _column_number(b) - 1)
                        )
                if found:
                    out[str(el.get("name", ""))] = sorted(found)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError):
        return {}
    except (DefusedXmlException, ElementTree.ParseError):
        return {}
    return out


def _ole_is_encrypted(path: Path) -> bool:
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    return marker in data


_SILENCE_LOCK = threading.Lock()
_silence_depth = 0
_saved_stderr: int | None = None


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """The Rust reader prints warnings and panic traces straight to file descriptor 2.

    Every problem it meets reaches us as an exception and becomes one clear message, so
    its own lines are noise for the user. `--debug` (UPLIFT_DEBUG=1) keeps them.
    Several files may be read at once on different threads: the first reader silences
    descriptor 2 and the last one restores it.
    """
    global _silence_depth, _saved_stderr
    if os.environ.get("UPLIFT_DEBUG") == "1":
        yield
        return
    with _SILENCE_LOCK:
        if _silence_depth == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
                null = os.open(os.devnull, os.O_WRONLY)
                try:
                    os.dup2(null, 2)
                finally:
                    os.close(null)
                _saved_stderr = saved
            except (OSError, ValueError):
                _saved_stderr = None
        _silence_depth += 1
    try:
        yield
    finally:
        with _SILENCE_LOCK:
            _silence_depth -= 1
            if _silence_depth == 0 and _saved_stderr is not None:
                os.dup2(_saved_stderr, 2)
                os.close(_saved_stderr)
                _saved_stderr = None


def restore_stderr() -> None:
    """Give descriptor 2 back now, whatever readers are still running (Ctrl-C: the
    message saying what was saved must be seen)."""
    global _saved_stderr
    with _SILENCE_LOCK:
        if _saved_stderr is not None:
            with contextlib.suppress(OSError):
                os.dup2(_saved_stderr, 2)
            # the readers still running restore from nothing when they end
            with contextlib.suppress(OSError):
                os.close(_saved_stderr)
            _saved_stderr = None


def _is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


def use_fast_allocator() -> None:
    """Arrow's jemalloc pool for the load, where this build of pyarrow has one.

    A load makes and frees hundreds of MB of Arrow buffers; with the default mimalloc
    pool a 1M-row load ran about 0.4 s (workbook) to 0.8 s (CSV) slower, from memory
    handed back to the system and faulted in again. ARROW_DEFAULT_MEMORY_POOL, when set,
    is left to decide.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # built without jemalloc (Windows, some macOS builds)
        return
    if pa.default_memory_pool().backend_name != pool.backend_name:
        pa.set_memory_pool(pool)


def read_workbook(
    path: Path,
    *,
    max_unzipped_mb: float,
    wanted: Callable[[str], bool] | None = None,
) -> tuple[list[str], list[RawSheet]]:
    """Every sheet name of a workbook, and the wanted sheets as text grids.

    fastexcel (Rust calamine to Arrow) does the reading; every failure of the file, a
    Rust panic included, becomes one UnreadableFile.
    """
    import fastexcel

    kind = sniff(path)
    if kind in ("text", "binary"):
        raise _not_a_workbook(path, kind)
    date1904 = False
    hidden: dict[str, str] | None = None
    if kind == "zip":
        date1904, hidden = check_zip(path, max_unzipped_mb)
        if path.suffix.casefold() in (".ods", ".xlsb"):
            hidden = None  # no xl/workbook.xml to say: the reader tells
    elif _ole_is_encrypted(path):
        raise UnreadableFile(f"{path.name}: {_PASSWORD}")
    sheets: list[RawSheet] = []
    with _native_stderr_silenced():
        try:
            reader = fastexcel.read_excel(path)
            names = list(reader.sheet_names)
        except BaseException as exc:  # Rust panics derive from BaseException
            if _is_fatal(exc):
                raise
            raise UnreadableFile(f"{path.name}: {_explain(exc)}") from None
        if not names:
            raise UnreadableFile(f"{path.name}: the workbook has no sheets")
        if len(names) > MAX_SHEETS:
            raise UnreadableFile(
                f"{path.name}: refused, {len(names):,} sheets (uplift reads up to "
                f"{MAX_SHEETS:,} in one workbook)",
                hint="split the workbook, or name the sheets to read with --sheet",
            )
        for name in names:
            if wanted is not None and not wanted(name):
                continue
            try:
                # eager: straight into Arrow, without the reader's intermediate copy of
                # the sheet (a quarter faster on a 1M-row sheet, and less memory)
                batch = reader.load_sheet(
                    name,
                    header_row=None,
                    skip_rows=0,
                    dtypes="string",
                    whitespace_as_null=True,
                    schema_sample_rows=None,
                    eager=True,
                )
                grid = batch.to_pandas()
            except BaseException as exc:
                if _is_fatal(exc):
                    raise
                raise UnreadableFile(f'{path.name}, sheet "{name}": {_explain(exc)}') from None
            grid.columns = range(grid.shape[1])
            state = hidden.get(name, "") if hidden is not None else _state(reader, name)
            sheets.append(RawSheet(name=name, grid=grid, date1904=date1904, hidden=state))
    return names, sheets


def _state(reader: Any, name: str) -> str:
    """A sheet's visibility as the reader knows it (.xls, .ods, .xlsb): "" when visible."""
    try:
        state = str(reader.load_sheet(name, header_row=None, n_rows=0).visible)
    except Exception:  # visibility is a note, never a reason to fail the file
        return ""
    return {"hidden": "hidden", "veryhidden": "veryHidden"}.get(state.casefold(), "")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def _explain(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "too large to read in the memory available"
    text = _first_line(exc)
    low = text.casefold()
    if "password" in low or "encrypt" in low:
        return _PASSWORD
    if "no sheet" in low or ("empty" in low and "sheet" in low):
        return "the workbook has no readable sheets"
    if type(exc).__name__ == "PanicException":
        return f"not a readable workbook (damaged file: the reader failed with {text})"
    return f"not a readable workbook ({text})"


def _decoded(raw: bytes) -> tuple[str, str]:
    """The encoding of CSV bytes and their text, decoded once.

    UTF-16 by its BOM, UTF-8 (with or without BOM) when it decodes, else GB18030 (a
    superset of GBK and GB2312, the encodings of Chinese Excel's CSV).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", raw.decode("utf-16")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), text
    try:
        return "gb18030", raw.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFile(
            "not UTF-8 or GBK text", hint="pass --encoding with the file's encoding"
        ) from None


# GB18030 decodes almost any run of bytes above 0x80, so a Big5, Shift-JIS or EUC-KR file
# "decodes" into real but nonsensical characters. Each of these encodings keeps its
# everyday characters in a few rows of lead bytes; a text read in the right encoding
# lands almost entirely there, a text read in the wrong one mostly elsewhere.
_DOUBT_SAMPLE = 1 << 18  # bytes from the start of the file that are judged
_RARE_SHARE = 0.15  # a GB18030 reading with this share of rare characters or more is doubted
_FIT_SHARE = 0.10  # an alternative reading fits when at most this share is rare
_MIN_RARE = 3  # distinct rare characters before a doubt is raised (one odd name is not)
_KOREAN_SHARE = 0.9  # the share of hangul syllables in a text that reads as Korean
_MIN_HANGUL = 8  # distinct hangul syllables before a text reads as Korean
# The other encodings tried on a doubtful file: the standard form, then the Windows
# superset that Excel writes; the first that decodes the whole file is suggested.
_ALTERNATIVES = (
    ("Big5", ("big5", "cp950")),
    ("Shift-JIS", ("shift_jis", "cp932")),
    ("EUC-KR", ("euc_kr", "cp949")),
)


def _frequent_gb(b: bytes) -> bool:
    """GB2312: hanzi levels 1 and 2 (B0-F7), punctuation, full-width forms, Greek, pinyin."""
    return (
        len(b) == 2
        and b[1] >= 0xA1
        and (0xB0 <= b[0] <= 0xF7 or b[0] in (0xA1, 0xA2, 0xA3, 0xA6, 0xA8))
    )


def _frequent_big5(b: bytes) -> bool:
    """Big5: symbols (A1-A3) and the 5,401 level-1 hanzi (A440-C67E)."""
    return len(b) == 2 and (0xA1 <= b[0] <= 0xC5 or (b[0] == 0xC6 and b[1] <= 0x7E))


def _frequent_sjis(b: bytes) -> bool:
    """Shift-JIS: half-width kana, symbols and kana (81-84), JIS level-1 kanji (889F-9872)."""
    return len(b) == 1 or (len(b) == 2 and (0x81 <= b[0] <= 0x84 or 0x88 <= b[0] <= 0x98))


def _frequent_kr(b: bytes) -> bool:
    """EUC-KR: symbols and jamo (A1-A4) and the 2,350 hangul syllables (B0A1-C8FE)."""
    return len(b) == 2 and b[1] >= 0xA1 and (0xA1 <= b[0] <= 0xA4 or 0xB0 <= b[0] <= 0xC8)


_FREQUENT: dict[str, Callable[[bytes], bool]] = {
    "gb18030": _frequent_gb,
    "big5": _frequent_big5,
    "cp950": _frequent_big5,
    "shift_jis": _frequent_sjis,
    "cp932": _frequent_sjis,
    "euc_kr": _frequent_kr,
    "cp949": _frequent_kr,
}


def _letters(text: str) -> set[str]:
    """The distinct characters of a text that are letters of an East Asian script.

    Kana, hangul, hanzi and the private-use area (where GB18030 puts byte pairs that
    name no character); ASCII, punctuation and full-width forms say nothing either way.
    """
    return {
        ch
        for ch in set(text)
        if ch >= "\u3040" and not ("\uff00" <= ch <= "\uffef") and not ("\ufe30" <= ch <= "\ufe4f")
    }


def _rare_share(letters: set[str], encoding: str) -> tuple[float, int]:
    """The share and the number of the letters outside the encoding's everyday rows."""
    frequent = _FREQUENT[encoding]
    rare = 0
    for ch in letters:
        try:
            if not frequent(ch.encode(encoding)):
                rare += 1
        except UnicodeEncodeError:
            rare += 1
    return (rare / len(letters) if letters else 0.0), rare


def _sample(raw: bytes) -> bytes:
    """The first bytes of the file, cut after a line break (never inside a character:
    no byte of a two-byte character in these encodings is a line break)."""
    if len(raw) <= _DOUBT_SAMPLE:
        return raw
    cut = raw.rfind(b"\n", 0, _DOUBT_SAMPLE)
    return raw[: cut + 1] if cut > 0 else raw[:_DOUBT_SAMPLE]


def _reading(data: bytes, codecs: tuple[str, ...]) -> tuple[str, set[str]] | None:
    """The first of the codecs that decodes the bytes, and the letters it reads."""
    for codec in codecs:
        try:
            return codec, _letters(data.decode(codec))
        except UnicodeDecodeError:
            continue
    return None


def _whole_file_encoding(raw: bytes, codecs: tuple[str, ...]) -> str | None:
    """The first of the codecs that decodes every byte of the file."""
    for codec in codecs:
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return None


def _reads_as_korean(letters: set[str]) -> bool:
    hangul = sum("\uac00" <= ch <= "\ud7a3" for ch in letters)
    return hangul >= _MIN_HANGUL and hangul >= _KOREAN_SHARE * len(letters)


def _encoding_doubt(raw: bytes, text: str) -> str | None:
    """A warning when a GB18030 reading looks like gibberish, naming the likely encoding.

    A real GBK file of Chinese names is almost all GB2312 characters. Big5 and Shift-JIS
    read as GB18030 give rare hanzi, kana and private-use characters, and read in their
    own encoding mostly everyday ones. EUC-KR gives everyday hanzi, but read as EUC-KR
    it is (nearly) all hangul, which no Chinese text is.
    """
    sample = _sample(raw)
    share, rare = _rare_share(_letters(text[: len(sample)]), "gb18030")
    doubtful = share >= _RARE_SHARE and rare >= _MIN_RARE
    best: tuple[float, str, str] | None = None  # rare share, name, codec to pass
    for name, codecs in _ALTERNATIVES:
        if not doubtful and name != "EUC-KR":
            continue  # an everyday GBK reading: only Korean also reads as everyday hanzi
        reading = _reading(sample, codecs)
        if reading is None:
            continue
        codec, letters = reading
        other_share, _ = _rare_share(letters, codec)
        if doubtful:
            fits = other_share <= _FIT_SHARE and other_share < share / 2
        else:
            fits = _reads_as_korean(letters)
        if not fits or (best is not None and other_share >= best[0]):
            continue
        whole = _whole_file_encoding(raw, codecs)
        if whole is not None:
            best = (other_share, name, whole)
    if not doubtful:
        if best is None:
            return None
        return (
            f"decoded as GBK (GB18030), but the text reads as Korean: it may be "
            f"{best[1]}; pass --encoding {best[2]}"
        )
    head = f"decoded as GBK (GB18030), but {share:.0%} of its characters are rare or not Chinese"
    if best is None:
        return (
            f"{head}: check that its names read right, or pass --encoding with the file's encoding"
        )
    return f"{head}: it may be {best[1]}; pass --encoding {best[2]}"


def _csv_fast(data: bytes, delimiter: str, width: int) -> Any:
    """Arrow's multi-threaded CSV reader, as an Arrow table of strings; None when rows are
    ragged (a title line ...).

    Blank lines are kept, so row i of the grid is still line i + 1 of the file.
    """
    import io

    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [str(i) for i in range(width)]
    try:
        return pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _trimmed(table: Any) -> pd.DataFrame:
    """Cells trimmed of spaces, empty cells as None, columns numbered from 0."""
    import pyarrow as pa
    import pyarrow.compute as pc

    null = pa.scalar(None, pa.string())
    columns = []
    for column in table.columns:
        trimmed = pc.utf8_trim_whitespace(column)
        columns.append(pc.if_else(pc.equal(trimmed, ""), null, trimmed))
    grid = pa.table(columns, names=table.column_names).to_pandas()
    grid.columns = range(grid.shape[1])
    return grid


def _csv_forgiving(data: bytes, delimiter: str, width: int, path: Path) -> Any:
    """Ragged rows: pandas' C parser, else the csv module, padded to the widest row; an
    Arrow table of strings."""
    import csv
    import io

    import pandas as pd
    import pyarrow as pa

    try:
        grid = pd.read_csv(
            io.BytesIO(data),
            encoding="utf-8",
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
    except (pd.errors.ParserError, ValueError, csv.Error):
        # rows wider than the first lines
        try:
            text = data.decode("utf-8")
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise UnreadableFile(f"{path.name}: not a readable CSV file ({exc})") from None
        width = max((len(r) for r in rows), default=1)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="str")
    return pa.Table.from_pandas(grid.astype("str"), preserve_index=False)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_STRAY_QUOTE = "a stray quote (\"): the line's cells cannot be split for sure"


def _line_count(data: bytes) -> int:
    """The physical lines of CSV bytes, as the parsers count rows when no cell spans lines.

    Lines end with LF or CRLF, or with CR alone in files that have no LF (old Mac).
    """
    breaks = data.count(b"\n") or data.count(b"\r")
    return breaks + (0 if data.endswith((b"\n", b"\r")) else 1)


def _swallowed(table: Any, data: bytes, delimiter: str, width: int) -> bool:
    """True when a quote that opened a field swallowed the lines after it.

    Cheap on clean files: a file without a quote character, or whose rows match its
    lines one for one (and whose last row ends inside no quote), has no cell spanning
    lines. Otherwise the few cells that hold a line break are judged: a legitimately
    quoted multi-line cell (an address on two lines) holds text, while a swallowed
    stretch holds whole rows of the file (as many delimiters as a row has), reaches the
    end of the file, or leaves its row wider than the file.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if b'"' not in data or table.num_rows == 0:
        return False
    last = table.num_rows - 1

    def has_break(value: Any) -> bool:
        return isinstance(value, str) and ("\n" in value or "\r" in value)

    last_row = [column[last].as_py() for column in table.columns]
    if table.num_rows == _line_count(data) and not any(has_break(v) for v in last_row):
        return False
    need = max(1, width - 1)
    for column in table.columns:
        if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            continue
        hits = pc.fill_null(
            pc.or_(pc.match_substring(column, "\n"), pc.match_substring(column, "\r")), False
        )
        for i in pc.indices_nonzero(hits).to_pylist():
            text = column[i].as_py()
            body = text.rstrip("\r\n")
            if i == last and body != text and (delimiter in body or _LINE_BREAK.search(body)):
                # a quote left open at the end of the file took in cells or lines (one
                # that took in only the last line break harmed nothing)
                return True
            if any(segment.count(delimiter) >= need for segment in _LINE_BREAK.split(text)):
                return True
            if any(
                table.column(k)[i].as_py() not in (None, "")
                for k in range(width, table.num_columns)
            ):
                return True  # the row runs past the file's width
    return False


# A line whose quotes balance as the CSV parsers read them: a field that starts with a
# quote runs to its closing quote ("" inside stands for a quote), any other field takes
# its quotes as text. {d} is the delimiter, as RE2 writes it.
_BALANCED_LINE = r'^(?:"(?:[^"]|"")*"[^"{d}]*|[^"{d}][^{d}]*|)(?:{d}(?:"(?:[^"]|"")*"[^"{d}]*|[^"{d}][^{d}]*|))*$'
_RE2_DELIMITER = {",": ",", "\t": "\\t", ";": ";", "|": "\\|"}


def _stray_quote_lines(lines: list[bytes], delimiter: str) -> list[int]:
    """The lines holding an unbalanced quote: one that opens a field and is not closed on
    the line, or an odd number of quotes. Vectorised: a few passes of Arrow over them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(lines, pa.large_binary())
    pattern = _BALANCED_LINE.format(d=_RE2_DELIMITER[delimiter])
    balanced = pc.match_substring_regex(array, pattern)
    odd = pc.equal(pc.bit_wise_and(pc.count_substring(array, '"'), 1), 1)
    return pc.indices_nonzero(pc.or_(pc.invert(balanced), odd)).to_pylist()


def _csv_by_line(data: bytes, delimiter: str, width: int, path: Path) -> tuple[Any, dict[int, str]]:
    """The file read with every physical line as one row, so that row i is line i + 1
    whatever its quotes; and the lines that hold an unbalanced quote.

    Those lines are split on the delimiter with their quotes kept as text (written back
    as quoted cells, so that the parsers take them so); the other lines, whose quotes
    balance, are read as before. None of them can run into the next line any more.
    """
    sep = b"\n" if b"\n" in data else b"\r"
    lines = data.split(sep)
    bad = _stray_quote_lines(lines, delimiter)
    if not bad:
        return None, {}
    raw_delimiter = delimiter.encode()
    for i in bad:
        line = lines[i]
        end = b"\r" if line.endswith(b"\r") else b""
        cells = line.removesuffix(end).split(raw_delimiter)
        lines[i] = (
            raw_delimiter.join(b'"' + cell.replace(b'"', b'""') + b'"' for cell in cells) + end
        )
    repaired = sep.join(lines)
    del lines
    table = _csv_fast(repaired, delimiter, width)
    if table is None:
        table = _csv_forgiving(repaired, delimiter, width, path)
    return table, dict.fromkeys(bad, _STRAY_QUOTE)


def _stray_quote_warning(bad: dict[int, str]) -> str:
    numbers = [i + 1 for i in sorted(bad)]
    if len(numbers) == 1:
        return (
            f'a stray quote (") on line {numbers[0]} swallowed the lines after it; '
            "read line by line, quotes taken as text"
        )
    shown = [f"{n:,}" for n in numbers[:5]]
    more = len(numbers) - len(shown)
    listed = (
        f"{', '.join(shown)} and {more:,} more"
        if more
        else f"{', '.join(shown[:-1])} and {shown[-1]}"
    )
    return (
        f'stray quotes (") on lines {listed} swallowed the lines after them; '
        "read line by line, quotes taken as text"
    )


def read_csv(path: Path, *, encoding: str | None = None) -> RawSheet:
    """A CSV/TSV file as one text grid; the encoding is detected unless given.

    A doubtful detected encoding and a stray quote are reported in the sheet's
    `warnings`; the lines a stray quote leaves unsplittable are its `bad_rows`.
    """
    import csv

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if not raw:
        raise UnreadableFile(f"{path.name}: empty file (0 bytes)")
    if not _looks_like_text(raw[:4096]):
        raise UnreadableFile(f"{path.name}: not a text file or workbook (binary content)")
    try:
        if encoding:
            enc, text = encoding, raw.decode(encoding)
        else:
            enc, text = _decoded(raw)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{path.name}: {exc.message}", hint=exc.hint) from None
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(
            f"{path.name}: cannot decode as {encoding} ({exc.__class__.__name__})",
            hint="check --encoding (common: utf-8, gbk)",
        ) from None
    warnings: list[str] = []
    if not encoding and enc == "gb18030" and (doubt := _encoding_doubt(raw, text)):
        warnings.append(doubt)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise UnreadableFile(f"{path.name}: not a text file or workbook (binary content)")
    sample = text[:65536]
    first_lines = sample.splitlines()[:50]
    delimiter = max((",", "\t", ";", "|"), key=lambda d: sum(line.count(d) for line in first_lines))
    try:
        width = max((len(r) for r in csv.reader(first_lines, delimiter=delimiter)), default=1)
    except csv.Error:
        width = 1
    width = max(width, 1)
    data = raw if enc in ("utf-8", "utf-8-sig") else text.encode("utf-8")
    data = data.removeprefix(b"\xef\xbb\xbf")
    del text, raw  # the parsers read the UTF-8 bytes: a large file is held once, not thrice
    failure: UnreadableFile | None = None
    table = _csv_fast(data, delimiter, width)
    if table is None:
        try:
            table = _csv_forgiving(data, delimiter, width, path)
        except UnreadableFile as exc:  # e.g. a stray quote's field past the csv module's limit
            failure = exc
    bad_rows: dict[int, str] = {}
    if table is None or _swallowed(table, data, delimiter, width):
        by_line, bad_rows = _csv_by_line(data, delimiter, width, path)
        if bad_rows:
            table = by_line
            warnings.append(_stray_quote_warning(bad_rows))
        elif failure is not None:
            raise failure
    return RawSheet(name=path.stem, grid=_trimmed(table), warnings=warnings, bad_rows=bad_rows)
