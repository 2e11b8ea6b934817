"""Hostile and broken input through the installed command: one clear line, never a trace.

These run `uplift check FILE` in a subprocess, as a user would, in an empty folder.
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.fixtures_build import load, run_uplift, settings, write_csv, write_xlsx

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "xlsx-oddities"
HEAD = ["医院", "品名", "数量"]


def check(path: Path, *args: str, cwd: Path | None = None) -> tuple[int, list[str]]:
    """Exit code and the non-empty output lines (stdout then stderr) of `uplift check`."""
    proc = run_uplift("check", path, *args, cwd=cwd or path.parent)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    return proc.returncode, [line.rstrip() for line in out.splitlines() if line.strip()]


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("Error:")]


def test_a_text_file_named_xlsx(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("医院,品名,数量\n华西医院,心脉宁片,10\n", encoding="utf-8")
    code, lines = check(bad)
    assert code == 2
    assert errors(lines) == ["Error: bad.xlsx: not an Excel workbook (it is plain text)"]


def test_a_web_page_named_xls(tmp_path: Path) -> None:
    page = tmp_path / "export.xls"
    page.write_text("<html><body><table><tr><td>医院</td></tr></table></body></html>")
    code, lines = check(page)
    assert code == 2
    assert errors(lines) == [
        "Error: export.xls: not an Excel workbook (it is a web page saved with an Excel name)"
    ]


def test_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    code, lines = check(empty)
    assert code == 2
    assert errors(lines) == ["Error: empty.xlsx: empty file (0 bytes)"]
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_bytes(b"")
    assert check(empty_csv)[0] == 2


def test_binary_junk_and_a_workbook_named_csv(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(bytes(range(256)) * 8)
    code, lines = check(junk)
    assert code == 2
    assert errors(lines) == [
        "Error: junk.xlsx: not an Excel workbook (unrecognised binary content)"
    ]
    book = write_xlsx(tmp_path / "real.xlsx", [HEAD, ["华西医院", "心脉宁片", 1]])
    renamed = book.rename(tmp_path / "real.csv")
    code, lines = check(renamed)
    assert code == 2
    assert errors(lines) == ["Error: real.csv: not a CSV text file (it is an Excel workbook)"]


def test_a_truncated_workbook(tmp_path: Path) -> None:
    whole = write_xlsx(
        tmp_path / "whole.xlsx", [HEAD, *[["华西医院", "心脉宁片", i] for i in range(200)]]
    )
    data = whole.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    code, lines = check(cut)
    assert code == 2
    (line,) = errors(lines)
    assert line.startswith("Error: cut.xlsx: not a readable workbook (damaged or truncated file")


def test_a_password_protected_workbook(tmp_path: Path) -> None:
    # Excel saves an encrypted workbook as an OLE container holding "EncryptedPackage"
    fake = tmp_path / "locked.xlsx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1016
    fake.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    code, lines = check(fake)
    assert code == 2
    assert errors(lines) == [
        "Error: locked.xlsx: password-protected workbook; save it without a password"
    ]


def test_a_real_password_protected_workbook(tmp_path: Path) -> None:
    real = CORPUS / "calamine__pass_protected.xlsx"
    if not real.is_file():
        pytest.skip(f"{real} is not here (the shared corpus sits beside the repository)")
    code, lines = check(real, cwd=tmp_path)
    assert code == 2
    assert errors(lines) == [
        "Error: calamine__pass_protected.xlsx: password-protected workbook; "
        "save it without a password"
    ]


def test_a_workbook_with_no_sheets(tmp_path: Path) -> None:
    path = tmp_path / "nosheets.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheets/></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"/>',
        )
    code, lines = check(path)
    assert code == 2
    assert errors(lines) == ["Error: nosheets.xlsx: the workbook has no sheets"]


def test_a_workbook_with_no_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "numbers.xlsx", [[1, 2, 3], [4, 5, 6]])
    code, lines = check(path)
    assert code == 2
    assert errors(lines) == [
        "Error: numbers.xlsx: no usage table found in any sheet (no header with hospital, "
        "product and quantity in the first 30 rows)"
    ]


def test_rejected_rows_exit_1_and_are_listed(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p_202604.xlsx", [HEAD, ["华西医院", "心脉宁片", "n/a"]])
    code, lines = check(path)
    assert code == 1
    assert (
        '  p_202604.xlsx, sheet "Sheet1", row 2, column "数量": quantity is not a number: "n/a"'
        in lines
    )


# Decompression bombs ----------------------------------------------------------------


def _zip_member(name: str, raw: bytes, crc: int, size: int, declared: int) -> tuple[bytes, bytes]:
    """A deflated member's local record and its central-directory entry (offset 0)."""
    fname = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), declared, len(fname), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        len(raw),
        declared,
        len(fname),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    return local + fname + raw, central + fname


def write_bomb(path: Path, megabytes: int, *, declared: int | None = None) -> Path:
    """An .xlsx whose sheet XML inflates to `megabytes` MB of blanks inside <sheetData>.

    One MB of blanks is compressed once and the block repeated (a full flush resets the
    compressor, so each block is the same bytes): a 600 MB sheet costs about 600 KB and a
    fraction of a second to write. `declared` forges the inflated size the header claims.
    """
    base = write_xlsx(path.with_suffix(".base.xlsx"), [HEAD, ["华西医院", "心脉宁片", 1]])
    with zipfile.ZipFile(base) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet_name = "xl/worksheets/sheet1.xml"
    xml = members[sheet_name]
    cut = xml.index(b"<sheetData>") + len(b"<sheetData>")
    head, tail = xml[:cut], xml[cut:]
    chunk = b" " * 2**20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    last = comp.compress(tail) + comp.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + megabytes * len(chunk) + len(tail)
    records: list[bytes] = []
    centrals: list[bytes] = []
    offset = 0
    for name, data in members.items():
        if name == sheet_name:
            raw = first + block * megabytes + last
            local, central = _zip_member(
                name, raw, crc, size, size if declared is None else declared
            )
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            raw = c.compress(data) + c.flush()
            local, central = _zip_member(name, raw, zlib.crc32(data), len(data), len(data))
        central = central[:42] + struct.pack("<I", offset) + central[46:]
        records.append(local)
        centrals.append(central)
        offset += len(local)
    directory = b"".join(centrals)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(centrals), len(centrals), len(directory), offset, 0
    )
    path.write_bytes(b"".join(records) + directory + end)
    base.unlink()
    return path


def test_the_bomb_builder_makes_a_real_bomb(tmp_path: Path) -> None:
    bomb = write_bomb(tmp_path / "small.xlsx", 3)
    with zipfile.ZipFile(bomb) as zf:
        assert zf.testzip() is None  # every CRC right: it inflates for real
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 3 * 2**20
    # and a small one loads: blanks inside <sheetData> are valid XML
    assert load(bomb, partner="p", sheets=None).sales.empty  # no month: the row is rejected


def test_a_decompression_bomb_is_refused_before_it_inflates(tmp_path: Path) -> None:
    bomb = write_bomb(tmp_path / "bomb.xlsx", 600)  # 600 MB > the default 500 MB limit
    assert bomb.stat().st_size < 2 * 2**20
    started = time.perf_counter()
    result = load(bomb)
    assert time.perf_counter() - started < 0.5
    err = result.files[0].error
    assert err is not None
    assert err.message == "bomb.xlsx: refused, it would inflate to 600 MB (limit 500 MB)"
    code, lines = check(bomb)
    assert code == 2
    assert errors(lines) == [f"Error: {err.message}"]


def test_a_bomb_that_lies_about_its_size_is_refused_too(tmp_path: Path) -> None:
    # the header claims 4 KB; the Rust reader would trust the data and inflate 600 MB
    liar = write_bomb(tmp_path / "liar.xlsx", 600, declared=4096)
    started = time.perf_counter()
    result = load(liar)
    assert time.perf_counter() - started < 0.5
    err = result.files[0].error
    assert err is not None
    assert err.message.startswith("liar.xlsx: not a readable workbook (damaged or truncated file")


def test_the_limit_is_configurable_in_uplift_toml(tmp_path: Path) -> None:
    bomb = write_bomb(tmp_path / "bomb.xlsx", 40)
    ok = load(bomb, partner="p")
    assert not ok.unreadable  # 40 MB is under the default limit
    refused = load(bomb, config=settings(max_unzipped_mb=16))
    err = refused.files[0].error
    assert err is not None
    assert err.message == "bomb.xlsx: refused, it would inflate to 40 MB (limit 16 MB)"
    assert err.hint == "raise max_unzipped_mb in uplift.toml if the file is genuine"
    (tmp_path / "uplift.toml").write_text("max_unzipped_mb = 16\n", encoding="utf-8")
    code, lines = check(bomb, cwd=tmp_path)
    assert code == 2
    assert errors(lines) == [f"Error: {err.message}"]


# Huge cells ------------------------------------------------------------------------


def test_a_cell_of_1_mb_text_neither_crashes_nor_hangs(tmp_path: Path) -> None:
    mb = 2**20
    path = write_xlsx(
        tmp_path / "huge.xlsx",
        [
            ["(" * mb],  # a title cell: brackets are what a header regex would choke on
            ["月份", *HEAD],
            ["2026-04", "华西医院", "心脉宁片", 10],  # kept
            ["2026-04", "华" * mb, "心脉宁片", 20],  # rejected: a 1 MB hospital name
            ["2026-04", "华西医院", "心脉宁片", "1" * (mb - 1) + "x"],  # rejected: not a number
            ["9" * mb, "华西医院", "心脉宁片", 5],  # rejected: not a month
        ],
    )
    started = time.perf_counter()
    result = load(path)
    assert time.perf_counter() - started < 10
    s = result.sheets[0]
    assert (s.header_row, s.kept) == (2, 1)
    assert dict(s.rejected) == {
        "quantity is not a number": 1,
        "invalid month": 1,
        "hospital name too long": 1,
    }
    # messages quote the start of the value, not a megabyte of it
    assert all(len(str(p)) < 300 for p in s.examples)
    proc = run_uplift("check", path, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert len(proc.stdout) + len(proc.stderr) < 200_000


def test_a_csv_cell_of_1_mb(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "huge_202604.csv",
        [HEAD, ["华西医院", "心脉宁片", 1], ["医" * 2**20, "心脉宁片", 2]],
    )
    result = load(path, partner="p")
    # read whole, and the megabyte "name" rejected with its length rather than kept
    assert result.sales["boxes"].tolist() == [1.0]
    assert dict(result.sheets[0].rejected) == {"hospital name too long": 1}


# Cells far from the table ------------------------------------------------------------


def _without_dimension(path: Path) -> Path:
    """The same workbook with the <dimension> element taken out of its sheet XML."""
    import re

    out = path.with_name(path.stem + "_nodim.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if "worksheets/" in info.filename:
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            dst.writestr(info.filename, data)
    return out


def test_a_stray_cell_at_the_last_row_and_column_is_refused_not_allocated(
    tmp_path: Path,
) -> None:
    # A1 and XFD1048576 span 17 billion cells: the reader would ask for 512 GB and abort
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.append(["华西医院", "心脉宁片", 1])
    ws["XFD1048576"] = "stray"
    path = tmp_path / "stray.xlsx"
    wb.save(path)
    for variant in (path, _without_dimension(path)):
        started = time.perf_counter()
        result = load(variant)
        assert time.perf_counter() - started < 1
        err = result.files[0].error
        assert err is not None, variant
        assert err.message == (
            f"{variant.name}: refused, a sheet's cells span up to 16,384 columns x "
            "1,048,576 rows (17,179,869,184 cells), more than uplift reads (400,000,000)"
        )
    code, lines = check(path)
    assert code == 2
    assert len(errors(lines)) == 1


def test_wide_and_tall_sheets_within_reason_load(tmp_path: Path) -> None:
    head = [*HEAD, "月份", *(f"备用{i}" for i in range(40))]  # 44 columns: up to AR
    body = [["华西医院", "心脉宁片", i, "2026-04", *range(40)] for i in range(30)]
    path = write_xlsx(tmp_path / "wide.xlsx", [head, *body])
    for variant in (path, _without_dimension(path)):
        result = load(variant)
        assert not result.unreadable, result.files[0].error
        assert len(result.sales) == 30


def _zip_with_sheet(path: Path, data: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", data)


@pytest.mark.parametrize("isal", [True, False], ids=["isal", "zipfile"])
def test_inflating_a_member_checks_its_claimed_size_and_crc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isal: bool
) -> None:
    """The fast inflate (ISA-L when installed) keeps zipfile's guarantees."""
    import copy

    from uplift.sheets import reading
    from uplift.sheets.reading import _inflated

    if not isal:
        monkeypatch.setattr(reading, "_isal", lambda: None)
    elif reading._isal() is None:
        pytest.skip("python-isal is not installed")

    data = b'<row r="1"><c r="A1"/></row>' * 200_000  # 5.6 MB: several pieces
    path = tmp_path / "book.xlsx"
    _zip_with_sheet(path, data)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert b"".join(_inflated(zf, info)) == data
        forged = copy.copy(info)
        forged.file_size = len(data) - 1  # the header claims less than the data holds
        with pytest.raises(zipfile.BadZipFile):
            b"".join(_inflated(zf, forged))
        forged.file_size, forged.CRC = info.file_size, info.CRC ^ 1
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            b"".join(_inflated(zf, forged))
    cut = tmp_path / "cut.xlsx"
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    # the deflate stream loses its second half, the directory still claims all of it
    cut.write_bytes(raw[: start + info.compress_size // 2] + raw[start + info.compress_size :])
    with zipfile.ZipFile(cut) as zf:
        broken = copy.copy(info)
        with pytest.raises((zipfile.BadZipFile, EOFError)):  # both end as "damaged"
            b"".join(_inflated(zf, broken))
