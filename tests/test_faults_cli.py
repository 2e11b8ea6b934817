"""What a bad option, a hostile name, a missing folder or Ctrl-C does at the keyboard:
one line, the documented exit code, and the truth about what was saved."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_build import UPLIFT, run_uplift, write_csv
from uplift.output.safety import shortened, visible

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
HEADER = ["月份", "医院", "科室", "医生", "产品", "数量"]


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "uplift.toml"
    path.write_text('ours = ["心脉宁片"]\n', encoding="utf-8")
    return path


# Options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e400", "thresholds must be finite positive numbers, got 1e400"),
        ("nan", "thresholds must be finite positive numbers, got nan"),
        ("100,200,inf", "thresholds must be finite positive numbers, got inf"),
        ("-1,200", "thresholds must be finite positive numbers, got -1"),
        ("100,,300", "an empty value in '100,,300'"),
        ("300,100", "thresholds must be positive and increasing"),
        (",".join(str(i) for i in range(1, 27)), "26 thresholds; at most 25"),
    ],
)
def test_bad_thresholds_are_one_line_exit_2(value: str, message: str) -> None:
    proc = run_uplift("tier", SAMPLES / "kangyuan.xlsx", f"--thresholds={value}")
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: --thresholds: ")
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf"])
def test_bad_vip_is_one_line_exit_2(value: str) -> None:
    proc = run_uplift("tier", SAMPLES / "kangyuan.xlsx", f"--vip={value}")
    assert proc.returncode == 2
    assert "--vip must be a positive number" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_twenty_five_thresholds_are_allowed() -> None:
    proc = run_uplift(
        "tier", SAMPLES / "kangyuan.xlsx", "--thresholds", ",".join(str(i) for i in range(1, 26))
    )
    assert proc.returncode == 0, proc.stderr


def test_an_unknown_hospital_is_a_bad_option() -> None:
    proc = run_uplift("gaps", SAMPLES / "kangyuan.xlsx", "--hospital", "没有这家医院")
    assert proc.returncode == 2
    assert 'Error: no hospital "没有这家医院"' in proc.stderr


# Paths -----------------------------------------------------------------------------------


def test_out_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "report.xlsx"
    proc = run_uplift("report", SAMPLES / "kangyuan.xlsx", "--out", target)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-2] == (
        f"Error: {target}: cannot write it, {target.parent} does not exist"
    )
    assert "Traceback" not in proc.stderr
    assert not target.parent.exists()


def test_out_inside_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    proc = run_uplift("plan", SAMPLES / "kangyuan.xlsx", "--out", blocker / "plan.xlsx")
    assert proc.returncode == 2
    assert f"{blocker} is not a folder" in proc.stderr
    assert "Traceback" not in proc.stderr


# Terminal output -------------------------------------------------------------------------


def test_visible_writes_out_control_and_direction_characters() -> None:
    assert visible("华西\x1b[2J医院") == "华西\\x1b[2J医院"
    assert visible("李\x1b]8;;http://x\x07娜") == "李\\x1b]8;;http://x\\x07娜"
    assert visible("abc\u202edef") == "abc\\u202edef"
    assert visible("a\nb\tc") == "a\\nb\\tc"
    assert visible("\x9b31m") == "\\x9b31m"  # the one-byte CSI of C1
    assert visible("蓉城市第一人民医院") == "蓉城市第一人民医院"  # ordinary text untouched


def test_shortened_keeps_a_message_short() -> None:
    name = "医" * 1_000_000
    short = shortened(name)
    assert len(short) < 100
    assert short.endswith("(1,000,000 characters)")
    assert shortened("华西医院") == "华西医院"


def test_escape_sequences_in_names_are_shown_not_obeyed(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "k.csv",
        [
            HEADER,
            [
                "2026-09",
                "华西\x1b[2J医院\u202e",
                "心内科",
                "李\x1b]8;;http://x\x07娜",
                "心脉宁片",
                5,
            ],
        ],
    )
    config = _config(tmp_path)
    for args in (
        ("tier", path),
        ("tier", path, "--by", "prescriber"),
        ("check", path),
        ("gaps", path),
    ):
        proc = run_uplift(*args, "--config", config)
        assert proc.returncode in (0, 1), proc.stderr
        for stream in (proc.stdout, proc.stderr):
            assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
        if args[0] != "check":  # check names no hospital here
            assert "\\x1b[2J" in proc.stdout + proc.stderr, args
    ws = tmp_path / "ws"
    assert run_uplift("load", path, "--config", config, "--workspace", ws).returncode == 0
    proc = run_uplift("trace", "--hospital", "华西", "--workspace", ws, "--config", config)
    assert "\x1b" not in proc.stdout + proc.stderr
    # JSON keeps the name exactly as the partner wrote it, escaped by JSON itself
    proc = run_uplift("tier", path, "--config", config, "-f", "json")
    assert json.loads(proc.stdout)[0]["hospital"] == "华西\x1b[2J医院\u202e"


# Ctrl-C ----------------------------------------------------------------------------------


def _sales(tmp_path: Path, rows: int = 20) -> Path:
    body = [
        ["2026-09", f"医院{i % 7}", "心内科", f"医生{i}", "心脉宁片", i + 1] for i in range(rows)
    ]
    return write_csv(tmp_path / "kangyuan.csv", [HEADER, *body])


def _load_result(path: Path) -> Any:
    from tests.fixtures_build import load

    return load(path)


def test_ctrl_c_before_the_commit_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uplift.output.views.check as check_view
    from uplift.commands import LoadInterrupted, store_loaded

    result = _load_result(_sales(tmp_path))

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(check_view, "show_check", interrupted)
    ws = tmp_path / "ws"
    with pytest.raises(LoadInterrupted) as stop:
        store_loaded(result, ws)
    assert stop.value.saved is None
    assert not (ws / "uplift.duckdb").exists()
    assert not list(ws.glob(".*.tmp*"))


def test_ctrl_c_after_the_commit_says_it_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uplift.output.views.check as check_view
    from uplift.commands import LoadInterrupted, store_loaded
    from uplift.store.workspace import Workspace

    result = _load_result(_sales(tmp_path))
    committed = threading.Event()
    real = Workspace.transaction

    @contextlib.contextmanager
    def transaction(folder: Path | None = None) -> Any:
        with real(folder) as ws:
            yield ws
        committed.set()  # the copy is in place

    def interrupted_after_commit(*args: Any, **kwargs: Any) -> None:
        assert committed.wait(30)
        raise KeyboardInterrupt

    monkeypatch.setattr(Workspace, "transaction", staticmethod(transaction))
    monkeypatch.setattr(check_view, "show_check", interrupted_after_commit)
    ws = tmp_path / "ws"
    with pytest.raises(LoadInterrupted) as stop:
        store_loaded(result, ws)
    assert stop.value.saved is not None
    assert stop.value.saved.added_rows == 20
    with Workspace.open(ws) as opened:
        assert len(opened.sales()) == 20
        assert float(opened.sales()["boxes"].sum()) == 210.0  # 1 + 2 + ... + 20


def test_sigint_during_a_load_tells_the_truth(tmp_path: Path) -> None:
    """A real Ctrl-C at several moments of a load: the message always matches the
    workspace (rows there if and only if it says they were saved), exit 130 or 0."""
    path = _sales(tmp_path, rows=30_000)
    config = _config(tmp_path)
    for i, delay in enumerate((0.2, 0.5, 0.8, 1.1, 1.5, 2.0)):
        ws = tmp_path / f"ws{i}"
        proc = subprocess.Popen(
            [UPLIFT, "load", str(path), "--config", str(config), "--workspace", str(ws)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        db = ws / "uplift.duckdb"
        has_rows = False
        if db.exists():
            listed = run_uplift("sources", "--workspace", ws, "-f", "json")
            has_rows = bool(json.loads(listed.stdout))
        if proc.returncode == 0:  # the load ended before the signal
            assert has_rows
            continue
        if proc.returncode == -signal.SIGINT:
            # the signal came as the interpreter was shutting down, after the load was
            # saved and reported: what it printed must still be true
            assert "Loaded 30,000 sales rows" in err, err
            assert has_rows
            continue
        assert proc.returncode == 130, err
        if "saved before the interrupt" in err:
            assert has_rows, err
            assert "Loaded 30,000 sales rows" in err
        else:
            assert "nothing was saved" in err, err
            assert not has_rows
        assert not list(ws.glob(".*.tmp*")) if ws.exists() else True
