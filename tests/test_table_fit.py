"""Tables at 80 and 120 columns: every row's name whole, every shown figure whole, and a
line naming what was left out. Piped without COLUMNS, nothing is cut at all."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.fixtures_build import UPLIFT
from uplift.output.render import Column, console, fmt_value, print_table

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
SALES = [SAMPLES / "kangyuan.xlsx", SAMPLES / "northstar.xlsx"]


def _run(width: int | None, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "UPLIFT_LANG": "en"}
    env.pop("COLUMNS", None)
    if width is not None:
        env["COLUMNS"] = str(width)
    return subprocess.run(
        [UPLIFT, *map(str, args), "--config", str(SAMPLES / "uplift.toml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


# (command, the JSON key naming a row, the JSON keys of figures with their formats)
TABLES = [
    (["tier", *SALES], "hospital", {"boxes": "float1", "share": "pct"}),
    (["tier", *SALES, "--by", "prescriber"], "prescriber", {"boxes": "float1"}),
    (["tier", *SALES, "--by", "partner"], "partner", {"boxes": "float1"}),
    (["gaps", *SALES, SAMPLES / "competitors.xlsx"], "hospital", {"ours_boxes": "float1"}),
    (["growth", *SALES], "hospital", {"change": "float1"}),
    (["partners", *SALES], "partner", {"boxes": "float1", "hospitals": "int"}),
]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(("args", "name", "figures"), TABLES, ids=lambda a: str(a)[:30])
def test_every_row_keeps_its_name_and_its_figures_whole(
    width: int, args: list, name: str, figures: dict[str, str]
) -> None:
    table = _run(width, *args)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= width  # CJK counted once: never wider
    records = json.loads(_run(None, *args, "-f", "json").stdout)
    if isinstance(records, dict):
        records = records["rows"]
    assert records
    for record in records[:40]:
        label = str(record[name])
        row = [line for line in lines if f" {label} " in f" {line} "]
        assert row, (label, width)
        header = next(line for line in lines if "─" not in line and line.strip())
        for key, fmt in figures.items():
            value = record.get(key)
            if value is None:
                continue
            shown = fmt_value(value, fmt)
            # a figure column that is shown prints the whole figure on the row's line
            if any(shown in line for line in row):
                continue
            assert "Left out" in table.stdout, (label, key, shown, width, header)


def test_what_is_left_out_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    frame = pd.DataFrame(
        {
            "hospital": ["蓉城市第一人民医院", "华西协和医院"],
            "boxes": [1084.1666, 2357.8333],
            "share": [0.0987, 0.2147],
            "note": ["a long note that may wrap " * 3, ""],
            "trend": [[1, 2, 3], [3, 2, 1]],
        }
    )
    cols = [
        Column("hospital", "Hospital"),
        Column("boxes", "Boxes", "float1"),
        Column("share", "Share", "pct"),
        Column("note", "Note"),
        Column("trend", "Trend", "spark"),
    ]
    out = console(width=60)
    with out.capture() as cap:
        print_table(frame, cols, out=out)
    text = cap.get()
    assert "蓉城市第一人民医院" in text and "1,084.17" in text and "2,357.83" in text
    assert "Left out to fit 60 columns: " in text
    assert "Trend" in text.split("Left out", 1)[1]
    assert max(len(line) for line in text.splitlines()) <= 60


def test_piped_tables_are_never_cut() -> None:
    proc = _run(None, "partners", *SALES)
    assert proc.returncode == 0
    assert "Left out" not in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if "Boxes/month" in line)
    for word in ("Prescribers", "Reported", "Rejected", "Trend"):
        assert word in header


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_closed_pipe_is_no_failure(fmt: str) -> None:
    """`uplift tier | head -1`: the reader has read enough, exit 0 and no traceback."""
    env = {**os.environ, "UPLIFT_LANG": "en"}
    proc = subprocess.Popen(
        [UPLIFT, "tier", *map(str, SALES), "--by", "prescriber", "-f", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as head does after its line
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err
