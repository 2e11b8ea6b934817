"""CSV files that parse "successfully" into the wrong rows or the wrong characters.

A stray quote (") makes the CSV parsers read one giant quoted cell across the lines after
it; a Big5, Shift-JIS or EUC-KR file decodes as GBK into real but meaningless hanzi.
Both are read as well as they can be and reported in the sheet's `warnings`; the lines a
stray quote leaves unsplittable are its `bad_rows`. Every fixture is written here, byte
for byte, and every count is worked out from the lines written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.fixtures_build import write_csv
from uplift.errors import UnreadableFile
from uplift.sheets.reading import read_csv

if TYPE_CHECKING:
    from pathlib import Path

STRAY = "a stray quote (\"): the line's cells cannot be split for sure"


def _lines(n: int = 100) -> list[str]:
    """A header and n data rows; line k of the file (1-based) is row k - 1."""
    return ["医院名称,品名,数量"] + [f"医院{i},心脉宁片,{i}" for i in range(1, n + 1)]


def _write(path: Path, lines: list[str], *, encoding: str = "utf-8") -> Path:
    """The lines exactly as given (no CSV quoting), each ended by CRLF."""
    path.write_bytes("".join(line + "\r\n" for line in lines).encode(encoding))
    return path


def _cells(sheet: Any) -> list[list[str | None]]:
    return [
        [v if isinstance(v, str) else None for v in row]
        for row in sheet.grid.itertuples(index=False, name=None)
    ]


def _one_line_warning(line: int) -> str:
    return (
        f'a stray quote (") on line {line} swallowed the lines after it; '
        "read line by line, quotes taken as text"
    )


# Stray quotes --------------------------------------------------------------------------


def test_a_stray_quote_opening_a_line_leaves_every_line_a_row(tmp_path: Path) -> None:
    # Line 52 (data row 51) opens a quote that never closes: the parsers read lines 52 to
    # 101 as one cell, 52 rows in all. Read line by line: 101 rows, row i is line i + 1.
    lines = _lines()
    lines[51] = '"华西医院,心脉宁片,51'
    sheet = read_csv(_write(tmp_path / "stray.csv", lines))
    cells = _cells(sheet)
    assert len(cells) == 101
    assert cells[50] == ["医院50", "心脉宁片", "50"]
    assert cells[51] == ['"华西医院', "心脉宁片", "51"]
    assert cells[52] == ["医院52", "心脉宁片", "52"]
    assert cells[100] == ["医院100", "心脉宁片", "100"]
    assert cells == [line.split(",") for line in lines]
    assert sheet.bad_rows == {51: STRAY}
    assert sheet.warnings == [_one_line_warning(52)]


def test_a_stray_quote_starting_a_cell_mid_line(tmp_path: Path) -> None:
    lines = _lines()
    lines[51] = '华西医院,"12 盒,51'
    sheet = read_csv(_write(tmp_path / "stray.csv", lines))
    cells = _cells(sheet)
    assert len(cells) == 101
    assert cells[51] == ["华西医院", '"12 盒', "51"]
    assert cells[52] == ["医院52", "心脉宁片", "52"]
    assert sheet.bad_rows == {51: STRAY}
    assert sheet.warnings == [_one_line_warning(52)]


def test_two_stray_quotes_are_both_marked(tmp_path: Path) -> None:
    # The quote opened on line 30 closes at the quote ending line 40: lines 30-40 become
    # one cell and 10 rows vanish. Both lines hold an unbalanced quote.
    lines = _lines()
    lines[29] = '"医院29,心脉宁片,29'
    lines[39] = '医院39,心脉宁片,39"'
    sheet = read_csv(_write(tmp_path / "two.csv", lines))
    cells = _cells(sheet)
    assert len(cells) == 101
    assert cells[29] == ['"医院29', "心脉宁片", "29"]
    assert cells[30] == ["医院30", "心脉宁片", "30"]
    assert cells[39] == ["医院39", "心脉宁片", '39"']
    assert sheet.bad_rows == {29: STRAY, 39: STRAY}
    assert sheet.warnings == [
        'stray quotes (") on lines 30 and 40 swallowed the lines after them; '
        "read line by line, quotes taken as text"
    ]


def test_a_stray_quote_on_the_last_line(tmp_path: Path) -> None:
    # The quote runs to the end of the file: the last row would be one cell of 3 values
    lines = _lines()
    lines[100] = '"医院100,心脉宁片,100'
    sheet = read_csv(_write(tmp_path / "last.csv", lines))
    cells = _cells(sheet)
    assert len(cells) == 101
    assert cells[100] == ['"医院100', "心脉宁片", "100"]
    assert sheet.bad_rows == {100: STRAY}
    assert sheet.warnings == [_one_line_warning(101)]


def test_a_stray_quote_in_a_file_too_large_for_one_cell(tmp_path: Path) -> None:
    # 20,000 rows of about 30 bytes: the swallowed cell (600 KB) is past the csv module's
    # 128 KB field limit, which made the whole file unreadable
    lines = _lines(20_000)
    lines[51] = '"华西医院,心脉宁片,51'
    sheet = read_csv(_write(tmp_path / "large.csv", lines))
    cells = _cells(sheet)
    assert len(cells) == 20_001
    assert cells[51] == ['"华西医院', "心脉宁片", "51"]
    assert cells[20_000] == ["医院20000", "心脉宁片", "20000"]
    assert sheet.bad_rows == {51: STRAY}
    assert sheet.warnings == [_one_line_warning(52)]


def test_a_stray_quote_in_tab_separated_text(tmp_path: Path) -> None:
    lines = [line.replace(",", "\t") for line in _lines()]
    lines[51] = '华西医院\t"12 盒\t51'
    sheet = read_csv(_write(tmp_path / "stray.txt", lines, encoding="gbk"))
    cells = _cells(sheet)
    assert len(cells) == 101
    assert cells[51] == ["华西医院", '"12 盒', "51"]
    assert cells[100] == ["医院100", "心脉宁片", "100"]
    assert sheet.bad_rows == {51: STRAY}
    assert sheet.warnings == [_one_line_warning(52)]


def test_well_quoted_lines_beside_a_stray_quote_keep_their_cells(tmp_path: Path) -> None:
    # Read line by line, a line whose quotes balance is still split as a CSV line
    lines = _lines(5)
    lines[2] = '医院2,"心脉宁片 ""进口""","1,200"'
    lines[4] = '"医院4,心脉宁片,4'
    sheet = read_csv(_write(tmp_path / "mixed.csv", lines))
    assert _cells(sheet) == [
        ["医院名称", "品名", "数量"],
        ["医院1", "心脉宁片", "1"],
        ["医院2", '心脉宁片 "进口"', "1,200"],
        ["医院3", "心脉宁片", "3"],
        ['"医院4', "心脉宁片", "4"],
        ["医院5", "心脉宁片", "5"],
    ]
    assert sheet.bad_rows == {4: STRAY}
    assert sheet.warnings == [_one_line_warning(5)]


# Clean files are read as before --------------------------------------------------------


def test_properly_quoted_cells_are_read_as_before(tmp_path: Path) -> None:
    # Quoted commas, doubled quotes, and quoted multi-line cells (one with a comma, one in
    # the last row): 4 rows from 6 lines, no warning
    rows = [
        ["医院名称", "地址", "品名", "数量"],
        ["华西医院", "成都市,武侯区\n国学巷37号", "心脉宁片", "1,200"],
        ["省医院", "四川", '心脉宁片 "进口"', "12"],
        ["协和医院", "北京\r\n东城区", "阿司匹林", "3"],
    ]
    sheet = read_csv(write_csv(tmp_path / "quoted.csv", rows))
    assert _cells(sheet) == rows
    assert sheet.warnings == []
    assert sheet.bad_rows == {}


def test_quotes_inside_unquoted_cells_are_text(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "inch.csv", ["医院名称,品名,数量", '华西医院,12"片,1', "协和医院,片,2"]
    )
    sheet = read_csv(path)
    assert _cells(sheet) == [
        ["医院名称", "品名", "数量"],
        ["华西医院", '12"片', "1"],
        ["协和医院", "片", "2"],
    ]
    assert sheet.warnings == []
    assert sheet.bad_rows == {}


def test_a_quote_open_only_over_the_last_line_break_harms_nothing(tmp_path: Path) -> None:
    # The open quote takes in only the file's final CRLF, which trimming removes
    path = _write(tmp_path / "end.csv", ["医院名称,品名,数量", '华西医院,心脉宁片,"3'])
    sheet = read_csv(path)
    assert _cells(sheet) == [["医院名称", "品名", "数量"], ["华西医院", "心脉宁片", "3"]]
    assert sheet.warnings == []
    assert sheet.bad_rows == {}


# Encodings -----------------------------------------------------------------------------

BIG5 = "醫院名稱,品名,數量\r\n臺大醫院,心脈寧片,10\r\n"
SHIFT_JIS = "病院名,品名,数量\r\n東京大学病院,ロキソニン錠,10\r\n"
EUC_KR = "병원명,품명,수량\r\n서울대학교병원,심맥녕정,10\r\n"
GBK = "医院名称,品名,数量\r\n华西医院,心脉宁片,10\r\n四川省人民医院,复方丹参滴丸,20\r\n"


@pytest.mark.parametrize(
    ("encoding", "text", "warning"),
    [
        # Read as GB18030 the Big5 bytes give 13 distinct letters; 9 of them fall outside
        # GB2312 (e.g. 皘 B07C, kana み A4DF, private-use A657): 9 / 13 = 69%
        (
            "big5",
            BIG5,
            "decoded as GBK (GB18030), but 69% of its characters are rare or not Chinese: "
            "it may be Big5; pass --encoding big5",
        ),
        # Every one of the 16 distinct letters is a GBK extension hanzi (lead 83-97)
        (
            "shift_jis",
            SHIFT_JIS,
            "decoded as GBK (GB18030), but 100% of its characters are rare or not Chinese: "
            "it may be Shift-JIS; pass --encoding shift_jis",
        ),
        # Hangul bytes (B0A1-C8FE) are everyday GB2312 hanzi; read as EUC-KR all 15
        # distinct letters are hangul syllables
        (
            "euc_kr",
            EUC_KR,
            "decoded as GBK (GB18030), but the text reads as Korean: it may be EUC-KR; "
            "pass --encoding euc_kr",
        ),
    ],
)
def test_a_foreign_encoding_read_as_gbk_is_reported(
    tmp_path: Path, encoding: str, text: str, warning: str
) -> None:
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    sheet = read_csv(path)
    assert sheet.warnings == [warning]
    assert sheet.bad_rows == {}
    assert len(_cells(sheet)) == 2
    # passed as the warning says, the same bytes read right and without a warning
    again = read_csv(path, encoding=encoding)
    assert _cells(again) == [line.split(",") for line in text.splitlines()]
    assert again.warnings == []


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gbk_file_of_chinese_names_has_no_warning(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(GBK.encode(encoding))
    sheet = read_csv(path)
    assert _cells(sheet) == [line.split(",") for line in GBK.splitlines()]
    assert sheet.warnings == []


def test_traditional_characters_saved_as_gbk_get_a_warning_without_a_guess(
    tmp_path: Path,
) -> None:
    # GBK holds traditional hanzi outside GB2312: 6 of the 13 distinct letters are rare
    # (醫 稱 數 臺 長 紀), 46%; the bytes are not valid Big5, Shift-JIS or EUC-KR
    text = "醫院名稱,品名,數量\r\n臺大醫院,長庚紀念醫院,10\r\n"
    path = tmp_path / "traditional.csv"
    path.write_bytes(text.encode("gbk"))
    sheet = read_csv(path)
    assert _cells(sheet) == [line.split(",") for line in text.splitlines()]
    assert sheet.warnings == [
        "decoded as GBK (GB18030), but 46% of its characters are rare or not Chinese: "
        "check that its names read right, or pass --encoding with the file's encoding"
    ]


def test_an_encoding_given_is_not_doubted(tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes(BIG5.encode("big5"))
    assert read_csv(path, encoding="gb18030").warnings == []


def test_an_encoding_given_that_fails_keeps_its_message(tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes(BIG5.encode("big5"))
    with pytest.raises(UnreadableFile) as caught:
        read_csv(path, encoding="utf-8")
    assert caught.value.message == "big5.csv: cannot decode as utf-8 (UnicodeDecodeError)"
    assert caught.value.hint == "check --encoding (common: utf-8, gbk)"


# From the command: the counts add up and `check` fails ------------------------------------


def test_check_rejects_the_stray_quote_line_and_keeps_every_other(tmp_path: Path) -> None:
    """100 rows of i boxes (1..100); row 50 (line 51) opens a quote it never closes. The
    other 99 rows are kept (5,050 - 50 = 5,000 boxes), row 50 is rejected under its line
    number, and `check` exits 1 with the reader's warning."""
    import json

    from typer.testing import CliRunner

    from uplift.cli import app

    lines = _lines()
    lines[50] = '"医院50,心脉宁片,50'
    path = _write(tmp_path / "stray_2026-09.csv", lines)
    (tmp_path / "uplift.toml").write_text('ours = ["心脉宁片"]\n', encoding="utf-8")
    runner = CliRunner()
    args = ["check", str(path), "--config", str(tmp_path / "uplift.toml")]
    out = runner.invoke(app, [*args, "-f", "json"])
    assert out.exit_code == 1, out.output
    found = json.loads(out.stdout)
    (sheet,) = found["sheets"]
    assert (sheet["rows_read"], sheet["kept"]) == (101, 99)
    assert sheet["skipped"] == {"header row": 1}
    assert sheet["rejected"] == {STRAY: 1}
    assert sheet["boxes_ours"] == 5000.0
    assert sheet["rows_read"] == sheet["kept"] + 1 + 1
    assert any("line 51" in w for w in found["warnings"])
    shown = runner.invoke(app, args)
    assert shown.exit_code == 1
    assert "row 51" in shown.output
