"""The benchmark script runs end to end on a tiny workbook and writes sound figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"
ROWS = 10_000

TIMED = (
    "help-vs-import-typer",
    "help-vs-import-pandas",
    f"load-xlsx-vs-fastexcel@{ROWS}",
    f"load-xlsx-vs-calamine@{ROWS}",
    f"load-csv-utf8-vs-read-csv@{ROWS}",
    f"tier-workspace-vs-import-pandas@{ROWS}",
    f"tier-xlsx-vs-fastexcel@{ROWS}",
)
LATER_COMMANDS = (
    f"gaps-workspace-vs-import-pandas@{ROWS}",
    f"plan-workspace-vs-import-pandas@{ROWS}",
)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    """(the JSON, stdout, the JSON's path) of one smoke run, shared by the tests below."""
    pytest.importorskip("xlsxwriter", reason="the sample generator writes workbooks with it")
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "r.json"
    argv = [sys.executable, str(SCRIPT), "--smoke", "--quiet", "--out", str(out)]
    proc = subprocess.run(
        [*argv, "--cache", str(tmp / "cache")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert out.exists(), proc.stdout + proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    result["exit_code"] = proc.returncode
    return result, proc.stdout, out


@pytest.mark.slow
def test_smoke_run_has_no_failed_case(smoke: tuple[dict, str, Path]) -> None:
    result, stdout, _ = smoke
    failed = [f"{c['id']}: {c['note']}" for c in result["cases"] if c["status"] == "failed"]
    assert failed == [], stdout
    assert result["exit_code"] == 0


@pytest.mark.slow
def test_smoke_run_times_every_pair(smoke: tuple[dict, str, Path]) -> None:
    result, _, _ = smoke
    cases = {c["id"]: c for c in result["cases"]}
    for cid in TIMED:
        case = cases[cid]
        assert case["status"] == "ok", case
        for side in ("a", "b"):
            assert len(case[side]["seconds"]) == 1  # --smoke: one repeat
            assert all(s > 0 for s in case[side]["seconds"])
            assert case[side]["peak"] > 0
        assert case["a_median_s"] > 0
        assert case["b_median_s"] > 0
        assert case["ratio"] == pytest.approx(case["a_median_s"] / case["b_median_s"])
        assert case["met"] in (True, False, None)
        assert (case["met"] is None) == (case["goal"] is None)


@pytest.mark.slow
def test_smoke_run_loads_exactly_the_generated_rows(smoke: tuple[dict, str, Path]) -> None:
    result, _, _ = smoke
    assert result["loaded_rows"] == {str(ROWS): {"xlsx": ROWS, "csv-utf8": ROWS}}


@pytest.mark.slow
def test_smoke_run_leaves_out_the_slow_parts(smoke: tuple[dict, str, Path]) -> None:
    result, _, _ = smoke
    cases = {c["id"]: c for c in result["cases"]}
    assert cases[f"load-xlsx-vs-naive@{ROWS}"]["status"] == "skipped"
    assert not any("gbk" in cid for cid in cases)
    assert result["args"]["rows"] == [ROWS]
    assert result["args"]["repeat"] == 1


@pytest.mark.slow
def test_smoke_run_reports_memory_and_later_commands(smoke: tuple[dict, str, Path]) -> None:
    result, _, _ = smoke
    cases = {c["id"]: c for c in result["cases"]}
    memory = cases[f"load-xlsx-peak-memory@{ROWS}"]
    assert memory["status"] == "ok"
    assert 0 < memory["peak_mb_a"] <= 1024
    assert memory["met"] is True
    for cid in LATER_COMMANDS:  # included only once `uplift gaps/plan --help` works
        case = cases[cid]
        command = cid.split("-")[0]
        assert case["status"] in ("ok", "not available"), case
        assert result["available"][command] == (case["status"] == "ok")
        if case["status"] == "ok":
            assert case["a_median_s"] > 0
            assert case["b_median_s"] > 0


@pytest.mark.slow
def test_smoke_run_prints_one_table_and_records_the_machine(
    smoke: tuple[dict, str, Path],
) -> None:
    result, stdout, out = smoke
    assert stdout.count("A median s") == 1
    assert "uplift load X.xlsx vs fastexcel to pandas" in stdout
    assert out.with_suffix(".md").read_text(encoding="utf-8").count("| uplift ") >= len(TIMED)
    machine = result["machine"]
    assert machine["nproc"] >= 1
    assert machine["python"].count(".") == 2
    for package in ("pandas", "fastexcel", "duckdb"):
        assert machine["packages"][package]
    assert machine["date"].startswith("20")
