"""The command line: table, JSON and CSV output, errors, start-up cost."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from uplift.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    """Two months; 华西医院 averages (400 + 200) / 2 = 300 boxes of ours -> A."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["医院名称", "医生", "品名", "数量", "月份"])
    ws.append(["华西医院", "王伟", "心脉宁片", 400, "2026-08"])
    ws.append(["华西医院", "王伟", "心脉宁片", 200, "2026-09"])
    ws.append(["第一医院", "李娜", "心脉宁片", 150, "2026-09"])
    ws.append(["第一医院", "李娜", "氯吡格雷片", 999, "2026-09"])
    ws.append(["合计", None, None, 1749, None])
    path = tmp_path / "sales.xlsx"
    wb.save(path)
    (tmp_path / "uplift.toml").write_text('ours = ["心脉宁片"]\n', encoding="utf-8")
    return path


def test_tier_json(sheet: Path, monkeypatch) -> None:
    monkeypatch.chdir(sheet.parent)
    result = runner.invoke(app, ["tier", str(sheet), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == [
        {
            "hospital": "华西医院",
            "boxes": 300.0,
            "tier": "A",
            "vip": False,
            "months": 2,
            "share": 300 / 375,
            "monthly": {"2026-08": 400.0, "2026-09": 200.0},
        },
        {
            "hospital": "第一医院",
            "boxes": 75.0,  # 150 over two months; the competitor's 999 is not ours
            "tier": "D",
            "vip": False,
            "months": 1,
            "share": 75 / 375,
            "monthly": {"2026-08": 0.0, "2026-09": 150.0},
        },
    ]


def test_tier_csv_by_prescriber(sheet: Path, monkeypatch) -> None:
    monkeypatch.chdir(sheet.parent)
    result = runner.invoke(app, ["tier", str(sheet), "--by", "prescriber", "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["hospital"], r["prescriber"], r["boxes"], r["tier"]) for r in rows] == [
        ("华西医院", "王伟", "300.0", "A"),
        ("第一医院", "李娜", "75.0", "D"),
    ]


def test_tier_table_and_summary(sheet: Path, monkeypatch) -> None:
    monkeypatch.chdir(sheet.parent)
    result = runner.invoke(app, ["tier", str(sheet), "--thresholds", "50,100,300"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "华西医院" in out and "300.0" in out
    assert "Summary (thresholds 50, 100, 300)" in out
    # 第一医院 at 75 is tier C with thresholds 50/100/300
    line = next(x for x in out.splitlines() if "第一医院" in x)
    assert " C " in line


def test_tier_latest_and_top(sheet: Path, monkeypatch) -> None:
    monkeypatch.chdir(sheet.parent)
    result = runner.invoke(
        app, ["tier", str(sheet), "--basis", "latest", "--top", "1", "-f", "json"]
    )
    data = json.loads(result.stdout)
    assert [(d["hospital"], d["boxes"]) for d in data] == [("华西医院", 200.0)]


def test_decile_method(sheet: Path, monkeypatch) -> None:
    monkeypatch.chdir(sheet.parent)
    result = runner.invoke(app, ["tier", str(sheet), "--method", "decile", "-f", "json"])
    data = {d["hospital"]: d["decile"] for d in json.loads(result.stdout)}
    # ascending 75, 300 of 375: shares .2 and 1.0 -> deciles 3 and 10
    assert data == {"华西医院": 10, "第一医院": 3}


def run_uplift(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uplift", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_broken_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "sales.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    proc = run_uplift("tier", str(bad))
    assert proc.returncode == 2
    first, *rest = proc.stderr.strip().splitlines()
    assert first == "Error: sales.xlsx: not an Excel workbook (it is plain text)"
    assert rest == ["Hint: if it is CSV or tab-separated text, rename it to .csv"]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_load_names_each_unreadable_file_once(sheet: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    missing = tmp_path / "missing.xlsx"
    ws = tmp_path / "ws"
    proc = run_uplift("load", str(bad), str(missing), str(sheet), "--workspace", str(ws))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: {missing}: No such file or directory",
        "Error: bad.xlsx: not an Excel workbook (it is plain text) (and 1 more unreadable file(s))",
    ]
    assert not (ws / "uplift.duckdb").exists()


def test_empty_workspace_message(tmp_path: Path) -> None:
    proc = run_uplift("tier", "--workspace", str(tmp_path / "nothing"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == "Error: No data loaded yet. Run `uplift load FILE...` first."


def test_bad_option_is_usage_error(sheet: Path) -> None:
    proc = run_uplift("tier", str(sheet), "--thresholds", "300,100")
    assert proc.returncode == 2
    assert "thresholds must be positive and increasing" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_version_and_help_do_not_import_pandas() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['uplift', '--help']\n"
        "try:\n    runpy.run_module('uplift', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "assert 'pandas' not in sys.modules, 'pandas imported by --help'\n"
        "assert 'duckdb' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "tier" in proc.stdout
    version = run_uplift("--version")
    assert version.stdout.startswith("uplift ")


def test_load_then_tier_from_workspace(sheet: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    first = run_uplift("load", str(sheet), "--workspace", str(ws), cwd=sheet.parent)
    assert first.returncode == 0, first.stderr
    assert "Loaded 4 sales rows (1,749.0 boxes)" in first.stderr
    again = run_uplift("load", str(sheet), "--workspace", str(ws), cwd=sheet.parent)
    assert "sales.xlsx: already loaded, nothing changed" in again.stderr
    tiers = run_uplift("tier", "-f", "json", "--workspace", str(ws), cwd=sheet.parent)
    assert tiers.returncode == 0, tiers.stderr
    assert [d["boxes"] for d in json.loads(tiers.stdout)] == [300.0, 75.0]
    sources = run_uplift("sources", "-f", "json", "--workspace", str(ws))
    (src,) = json.loads(sources.stdout)
    assert (src["rows"], src["boxes"], src["months"]) == (4, 1749.0, "2026-08,2026-09")


def test_privacy_setting_applies_to_terminal_commands(sheet: Path, monkeypatch) -> None:
    monkeypatch.chdir(sheet.parent)
    toml = sheet.parent / "uplift.toml"
    toml.write_text('ours = ["心脉宁片"]\nprescriber_detail = "hidden"\n', encoding="utf-8")
    hidden = run_uplift("tier", str(sheet), "--by", "prescriber", cwd=sheet.parent)
    assert hidden.returncode == 2
    assert 'uplift.toml hides (prescriber_detail = "hidden")' in hidden.stderr
    toml.write_text('ours = ["心脉宁片"]\nprescriber_detail = "pseudonym"\n', encoding="utf-8")
    first = runner.invoke(app, ["tier", str(sheet), "--by", "prescriber", "-f", "json"])
    again = runner.invoke(app, ["tier", str(sheet), "--by", "prescriber", "-f", "json"])
    names = [r["prescriber"] for r in json.loads(first.stdout)]
    assert names == [r["prescriber"] for r in json.loads(again.stdout)]  # stable
    assert all(n.startswith("医生-") for n in names)
    assert "王伟" not in first.stdout
    assert "李娜" not in first.stdout


def test_report_command_writes_a_workbook(sheet: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    proc = run_uplift("report", str(sheet), "--out", str(out), "--lang", "zh", cwd=sheet.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    import openpyxl as xl

    book = xl.load_workbook(out)
    assert len(book.sheetnames) >= 7
    wrong = run_uplift("report", str(sheet), "--out", str(tmp_path / "r.csv"), cwd=sheet.parent)
    assert wrong.returncode == 2
    assert "expected a .xlsx file name" in wrong.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["gaps", "-f", "json"],
        ["gaps", "--hospital", "华西", "-f", "csv"],
        ["plan", "-f", "json"],
        ["growth", "--by", "partner", "-f", "json"],
        ["partners", "-f", "csv"],
        ["trace", "--hospital", "华西医院", "-f", "json"],
    ],
)
def test_every_analysis_runs_from_files(sheet: Path, args: list[str]) -> None:
    command, *rest = args
    proc = run_uplift(command, str(sheet), *rest, cwd=sheet.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip()
