"""Workbooks and Markdown: partner text stays text, numbers stay numbers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.helpers import sales
from tests.test_gaps import visits
from tests.test_plans import SALES, SETTINGS, VISITS
from uplift.errors import UsageError
from uplift.output.export import (
    display_width,
    markdown_table,
    md_escape,
    sheet_names,
    write_markdown,
    write_workbook,
)
from uplift.output.plan_texts import plan_hospitals
from uplift.output.views.plans import plan_markdown, save_plans

PAYLOAD = '=HYPERLINK("http://x","y")'


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("心内科") == 6
    assert display_width("ＡＢ") == 4  # full-width Latin


def test_sheet_names_are_valid_and_unique() -> None:
    long = "北京协和医院" * 10
    names = sheet_names(["a/b", "a:b", "[x]*?", "", "'q'", long, long, "History"])
    assert names[:5] == ["a_b", "a_b (2)", "_x___", "Sheet", "q"]
    assert names[5] == long[:31]
    assert names[6] == long[:27] + " (2)"
    assert names[7] == "History_"
    assert all(len(n) <= 31 for n in names)


def test_workbook_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": [PAYLOAD, "+86 123", "-3", "@SUM(A1)", "\tx", "心内科"],
            "boxes": [1.5, 2.0, 3.25, 0.0, -1.0, 10.0],
            "count": [1, 2, 3, 4, 5, 6],
            "targets": [["王伟", "李娜"], [], ["x"], [], [], []],
            "share": [0.5, 0.25, 0.0, 1.0, 0.1, float("nan")],
        }
    )
    path = tmp_path / "out.xlsx"
    write_workbook(path, [("plan", frame)], headers={"name": "名称"}, formats={"share": "0.0%"})
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left
    ws = openpyxl.load_workbook(path)["plan"]
    assert [c.value for c in ws[1]] == ["名称", "boxes", "count", "targets", "share"]
    texts = [ws.cell(row=r, column=1) for r in range(2, 8)]
    assert [c.value for c in texts] == list(frame["name"])
    assert all(c.data_type == "s" for c in texts)  # never "f": no formula
    assert ws["B2"].value == 1.5
    assert ws["B2"].data_type == "n"
    assert ws["C3"].value == 2
    assert ws["D2"].value == "王伟; 李娜"
    assert ws["D3"].value is None
    assert ws["E2"].number_format == "0.0%"
    assert ws["E7"].value is None  # NaN is an empty cell
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E7"
    # widest cell: =HYPERLINK("http://x","y") is 26 columns, + 2
    assert ws.column_dimensions["A"].width == 28
    # "count" is the widest in its column: 5 + 2
    assert ws.column_dimensions["C"].width == 7


def test_column_widths_fit_chinese(tmp_path: Path) -> None:
    frame = pd.DataFrame({"医院": ["北京协和医院", "x"], "n": [1, 2]})
    path = write_workbook(tmp_path / "w.xlsx", [("s", frame)])
    ws = openpyxl.load_workbook(path)["s"]
    assert ws.column_dimensions["A"].width == 12 + 2  # six wide characters
    assert ws.column_dimensions["B"].width == 6  # the minimum


def test_workbook_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    path.write_text("old")
    write_workbook(path, [("a", pd.DataFrame({"x": [1]}))])
    assert openpyxl.load_workbook(path)["a"]["A2"].value == 1


def test_markdown_escapes() -> None:
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("<script>") == "&lt;script&gt;"
    assert md_escape("one\ntwo") == "one<br>two"
    table = markdown_table(pd.DataFrame({"a|b": ["x|y"], "n": [1.5], "l": [["p", "q"]]}))
    assert table.splitlines() == [
        "| a\\|b | n | l |",
        "|---|---|---|",
        "| x\\|y | 1.5 | p; q |",
    ]


def test_write_markdown(tmp_path: Path) -> None:
    path = write_markdown(tmp_path / "plan.md", "# t")
    assert path.read_text(encoding="utf-8") == "# t\n"


@pytest.fixture(scope="module")
def hostile() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plans whose department and hospital names are formula payloads."""
    rows = sales(
        [
            ("P", "2026-01", "=1+1", PAYLOAD, "王伟", "心脉宁", 50),
            ("P", "2026-01", "甲医院", "心内科", "李娜", "心脉宁", 150),
        ]
    )
    comp = visits([("=1+1", PAYLOAD, "", "立普妥", 100)])
    result = plan_hospitals(rows, comp, settings=SETTINGS)
    return result.options, result.summary


def test_hyperlink_payload_is_text_in_plan_xlsx(
    hostile: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    options, summary = hostile
    mine = options[options["hospital"] == "=1+1"]
    assert mine["targets"].iloc[0] == [PAYLOAD]
    path = save_plans(tmp_path / "plan.xlsx", options, summary)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "甲医院", "=1+1"]
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and PAYLOAD in cell.value:
                    found.append(cell.value)
    assert PAYLOAD in found  # the targets cell holds exactly the payload
    assert wb["Summary"]["A3"].value == "=1+1"
    assert wb["Summary"]["A3"].data_type == "s"


def test_plan_workbook_layout(tmp_path: Path) -> None:
    result = plan_hospitals(SALES, VISITS, settings=SETTINGS)
    path = save_plans(tmp_path / "plan.xlsx", result.options, result.summary)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "甲医院", "乙医院", "丙医院"]
    summary = wb["Summary"]
    assert [c.value for c in summary[1]][:3] == ["Hospital", "Boxes/month now", "Extra boxes/month"]
    assert summary["B2"].value == 905
    assert summary["D2"].value == pytest.approx(1076.75)
    sheet = wb["甲医院"]
    assert [c.value for c in sheet[1]][:4] == ["Rank", "Option", "Priority", "Extra boxes/month"]
    assert [sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == ["vip", "win_back", "event"]
    assert sheet["D2"].value == pytest.approx(121.0)


def test_plan_markdown(tmp_path: Path) -> None:
    result = plan_hospitals(SALES, VISITS, settings=SETTINGS)
    text = plan_markdown(result.options, result.summary)
    assert text.startswith("# Uplift plans\n")
    assert "## 乙医院" in text
    assert "Only 2 options: no competitor data for this hospital" in text
    assert "| 1 | VIP joint management | high | 121 |" in text
    path = save_plans(tmp_path / "plan.md", result.options, result.summary)
    assert path.read_text(encoding="utf-8") == text
    with pytest.raises(UsageError, match=r"expected a \.xlsx or \.md"):
        save_plans(tmp_path / "plan.pdf", result.options, result.summary)
