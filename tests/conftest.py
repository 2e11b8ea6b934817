"""Shared pytest fixtures for the test suite."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the helper modules next to the tests (fixtures_build) import the same way in any mode
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder: no uplift.toml or workspace of the repository leaks in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
