"""Help and habits: -h, an example in every --help, no Python types, settings found in
the nearest folder above."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.fixtures_build import run_uplift

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
COMMANDS = [
    "tier", "check", "load", "sources", "names", "forget", "trace",
    "gaps", "plan", "growth", "targets", "partners", "report",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_examples_and_no_python_types(command: str) -> None:
    proc = run_uplift(command, "-h")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "Examples:" in text
    examples = text.split("Examples:", 1)[1].strip().splitlines()
    assert len(examples) == 2 and all(e.strip().startswith(f"uplift {command}") for e in examples)
    assert not re.search(r"<(str|float|int|list\[[^>]*\]|path|Path|int range)>", text), text
    assert run_uplift(command, "--help").stdout == text


def test_settings_come_from_the_nearest_folder_above(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "uplift.toml", tmp_path / "uplift.toml")
    shutil.copy(SAMPLES / "kangyuan.xlsx", tmp_path / "kangyuan.xlsx")
    below = tmp_path / "2026" / "09"
    below.mkdir(parents=True)
    proc = run_uplift("tier", tmp_path / "kangyuan.xlsx", "-f", "json", cwd=below)
    assert proc.returncode == 0, proc.stderr
    assert "no `ours` list" not in proc.stderr  # the ours list above was found
    here = run_uplift(
        "tier", tmp_path / "kangyuan.xlsx", "-f", "json", "--config", tmp_path / "uplift.toml"
    )
    assert json.loads(proc.stdout) == json.loads(here.stdout)
