"""The workspace: idempotent loads, replaced months, atomicity, permissions, trace."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from uplift.analysis.tiers import tier_entities
from uplift.config import Settings
from uplift.errors import NoData, UpliftError, WorkspaceBusy
from uplift.sheets.loading import load_files
from uplift.store.tracing import trace_rows
from uplift.store.workspace import DB_NAME, Workspace

HEADER = ["医院名称", "科室", "医生", "品名", "数量", "月份"]


def write_sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def load(paths: list[Path], folder: Path, partner: str = "康源医药"):
    result = load_files(paths, settings=Settings(), partner=partner)
    with Workspace.transaction(folder) as ws:
        return ws.store(result)


def totals(folder: Path) -> tuple[int, float]:
    with Workspace.open(folder) as ws:
        df = ws.sales()
    return len(df), float(df["boxes"].sum())


SEPT = [
    ["华西医院", "心内科", "王伟", "心脉宁片", 120, "2026-09"],
    ["华西医院", "心内科", "李娜", "心脉宁片", 80, "2026-09"],
]
AUG = [["华西医院", "心内科", "王伟", "心脉宁片", 100, "2026-08"]]


def test_reloading_the_same_content_changes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    a = write_sheet(tmp_path / "sept.xlsx", SEPT)
    load([a], ws)
    assert totals(ws) == (2, 200.0)
    copy = tmp_path / "sept-copy.xlsx"
    copy.write_bytes(a.read_bytes())
    summary = load([copy], ws)
    assert summary.unchanged_files == ["sept-copy.xlsx"]
    assert summary.added_rows == 0
    assert totals(ws) == (2, 200.0)


def test_corrected_month_replaces_exactly_its_rows(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG), write_sheet(tmp_path / "sept.xlsx", SEPT)], ws)
    assert totals(ws) == (3, 300.0)
    corrected = [["华西医院", "心内科", "王伟", "心脉宁片", 150, "2026-09"]]
    summary = load([write_sheet(tmp_path / "sept-fixed.xlsx", corrected)], ws)
    assert summary.replaced == [
        "replaced 2 rows (200.0 boxes) of partner 康源医药 for 2026-09 from sept.xlsx "
        "with sept-fixed.xlsx"
    ]
    # August untouched (100), September now 150
    assert totals(ws) == (2, 250.0)
    with Workspace.open(ws) as w:
        months = w.sales().groupby("month")["boxes"].sum().to_dict()
    assert months == {"2026-08": 100.0, "2026-09": 150.0}


def test_other_partner_same_month_is_not_replaced(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "a.xlsx", SEPT)], ws, partner="A")
    load([write_sheet(tmp_path / "b.xlsx", [*AUG, SEPT[0]])], ws, partner="B")
    # A: 120 + 80; B: 100 + 120 -> nothing of A replaced
    assert totals(ws) == (4, 420.0)


def test_failure_mid_load_leaves_workspace_unchanged(tmp_path: Path, monkeypatch) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG)], ws)
    before = (ws / DB_NAME).read_bytes()
    result = load_files([write_sheet(tmp_path / "sept.xlsx", SEPT)], settings=Settings())

    original = Workspace._drop_orphan_files

    def explode(self: Workspace) -> None:
        original(self)
        raise RuntimeError("disk full")

    monkeypatch.setattr(Workspace, "_drop_orphan_files", explode)
    with pytest.raises(RuntimeError), Workspace.transaction(ws) as w:
        w.store(result)
    assert (ws / DB_NAME).read_bytes() == before
    assert totals(ws) == (1, 100.0)
    assert not list(ws.glob("*.tmp*"))


def test_killed_load_leaves_workspace_whole(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG)], ws)
    big = tmp_path / "big.csv"
    lines = ["医院名称,医生,品名,数量,月份"]
    lines += [f"医院{i % 500},医生{i % 7000},心脉宁片,{i % 50 + 1},2026-09" for i in range(300_000)]
    big.write_text("\n".join(lines), encoding="utf-8")
    expected_new = sum(i % 50 + 1 for i in range(300_000)) + 100.0
    uplift = [sys.executable, "-m", "uplift"]
    for delay in (0.3, 0.9, 1.6):
        proc = subprocess.Popen(
            [*uplift, "load", str(big), "--workspace", str(ws)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rows, boxes = totals(ws)
        # either the whole load landed or none of it did
        assert (rows, boxes) in {(1, 100.0), (300_001, expected_new)}


def test_workspace_files_are_private(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG)], ws)
    assert stat.S_IMODE(ws.stat().st_mode) == 0o700
    assert stat.S_IMODE((ws / DB_NAME).stat().st_mode) == 0o600


def test_busy_workspace(tmp_path: Path, monkeypatch) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG)], ws)
    monkeypatch.setattr("uplift.store.workspace.LOCK_WAIT_SECONDS", 0.3)
    fd = os.open(ws / "write.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(WorkspaceBusy, match="workspace is busy"):
            load([write_sheet(tmp_path / "sept.xlsx", SEPT)], ws)
        # readers are not blocked by a writer
        assert totals(ws) == (1, 100.0)
    finally:
        os.close(fd)


def test_empty_workspace_says_what_to_do(tmp_path: Path) -> None:
    with (
        pytest.raises(NoData, match=r"No data loaded yet. Run `uplift load FILE...` first."),
        Workspace.open(tmp_path / "none") as w,
    ):
        w.sales()


def test_trace_total_equals_tier_figure(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG), write_sheet(tmp_path / "sept.xlsx", SEPT)], ws)
    with Workspace.open(ws) as w:
        sales = w.sales()
    tiers = tier_entities(sales, settings=Settings(), by="prescriber", basis="latest")
    figure = tiers.set_index(["hospital", "prescriber"]).loc[("华西医院", "王伟"), "boxes"]
    name, rows = trace_rows(sales, hospital="华西", prescriber="王伟", month="2026-09")
    assert name == "华西医院"
    assert rows["boxes"].sum() == figure == 120
    assert list(rows["row"]) == [2]


def test_template_drift_is_reported(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG)], ws)
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["医院名称", "科室", "医生", "品名", "规格", "数量(支)", "月份"])
    sheet.append(["华西医院", "心内科", "王伟", "心脉宁注射液", "10支/盒", 50, "2026-09"])
    wb.save(tmp_path / "sept.xlsx")
    summary = load([tmp_path / "sept.xlsx"], ws)
    assert "partner 康源医药: column 数量 is now 数量(支)" in summary.template_changes
    assert "partner 康源医药: unit 支 converted by 规格" in summary.template_changes
    assert totals(ws) == (2, 105.0)


def test_forget_by_partner_month_and_file(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "aug.xlsx", AUG), write_sheet(tmp_path / "sept.xlsx", SEPT)], ws)
    with Workspace.transaction(ws) as w:
        assert w.forget(partner="康源医药", month="2026-09") == (2, 200.0)
    assert totals(ws) == (1, 100.0)
    with Workspace.transaction(ws) as w:
        assert w.forget(file="aug.xlsx") == (1, 100.0)
    with pytest.raises(NoData):
        totals(ws)


def test_compact_sales_are_the_summed_sales_as_codes(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    sept = [*SEPT, ["华西医院", "心内科", "王伟", "心脉宁片", 30, "2026-09"]]
    sept.append(["协和医院", "", "", "脑安胶囊", 5, "2026-09"])
    load([write_sheet(tmp_path / "aug.xlsx", AUG), write_sheet(tmp_path / "sept.xlsx", sept)], ws)
    columns = ("partner", "month", "hospital", "department", "prescriber", "product")
    with Workspace.open(ws) as w:
        plain = w.sales(columns)
        compact = w.sales(columns, compact=True)
    assert list(compact.columns) == list(plain.columns)
    for col in columns:
        values = compact[col].array
        assert isinstance(values, pd.Categorical) and values.ordered
        assert list(values.categories) == sorted(set(plain[col]))
        assert compact[col].astype("str").tolist() == plain[col].tolist()
    # 王伟's two September rows are one row of 150 boxes, as in the plain read
    assert compact["boxes"].tolist() == plain["boxes"].tolist() == [100.0, 80.0, 150.0, 5.0]
    assert compact["quantity"].isna().all()


def test_compact_sales_show_a_missing_name_as_empty(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    load([write_sheet(tmp_path / "sept.xlsx", SEPT)], ws)
    with Workspace.transaction(ws) as w:
        w.con.execute(
            "INSERT INTO sales (partner, month, hospital, department, prescriber, product, boxes) "
            "VALUES ('康源医药', '2026-09', '华西医院', NULL, '王伟', '心脉宁片', 7)"
        )
    columns = ("month", "hospital", "department", "prescriber", "product")
    with Workspace.open(ws) as w:
        plain = w.sales(columns)
        compact = w.sales(columns, compact=True)
    # the NULL department sorts last, as in the plain read, and reads as ""
    assert plain["department"].tolist() == ["心内科", "心内科", ""]
    assert compact["department"].astype("str").tolist() == ["心内科", "心内科", ""]
    assert list(compact["department"].array.categories) == ["", "心内科"]
    assert compact["boxes"].tolist() == plain["boxes"].tolist() == [80.0, 120.0, 7.0]


def test_a_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"not a database" * 100)
    with pytest.raises(UpliftError, match="cannot open the workspace"), Workspace.open(folder):
        pass


def test_rows_ordered_by_their_codes_first_column_first() -> None:
    from uplift.store.workspace import _row_order

    first = np.array([1, 0, 0, 1])
    second = np.array([0, 5, 2, 0])
    # rows 2 (0, 2), 1 (0, 5), then 0 and 3 (1, 0) in their order
    assert _row_order([first, second]).tolist() == [2, 1, 0, 3]
    # codes too wide for one 63-bit number are re-coded on the way, same order
    big = 2**30
    wide = [np.array([big, 0, big, 0]), np.array([0, big, 0, 1]), np.array([big, 2, 1, 0])]
    assert _row_order(wide).tolist() == [3, 1, 2, 0]


def test_codes_of_an_arrow_dictionary_column() -> None:
    import pyarrow as pa

    from uplift.store.workspace import _dictionary_codes

    names = pa.array(["华西医院", "协和医院"])
    same = pa.chunked_array(
        [
            pa.DictionaryArray.from_arrays(pa.array([1, None, 0], pa.uint16()), names),
            pa.DictionaryArray.from_arrays(pa.array([0], pa.uint16()), names),
        ]
    )
    codes, categories = _dictionary_codes(same)
    assert codes.tolist() == [1, -1, 0, 0]
    assert list(categories) == ["华西医院", "协和医院"]
    # chunks with their own dictionaries are unified through pandas
    other = pa.chunked_array(
        [
            pa.DictionaryArray.from_arrays(pa.array([0], pa.int8()), pa.array(["协和医院"])),
            pa.DictionaryArray.from_arrays(pa.array([0], pa.int8()), pa.array(["华西医院"])),
        ]
    )
    codes, categories = _dictionary_codes(other)
    assert [categories[c] for c in codes] == ["协和医院", "华西医院"]
