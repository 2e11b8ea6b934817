"""Shared pytest fixtures for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """English labels for the whole run, module-scoped fixtures included (the default
    language of a machine whose locale says nothing is Chinese); tests that want Chinese
    ask for it."""
    import os

    os.environ["LC_ALL"] = "en_US.UTF-8"
    os.environ.pop("UPLIFT_LANG", None)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder: no uplift.toml or workspace of the repository leaks in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch):
    """Tests read English labels unless they choose a language; the machine's locale is not theirs."""
    from uplift.output.i18n import set_language

    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    monkeypatch.delenv("UPLIFT_LANG", raising=False)
    set_language(None)
    yield
    set_language(None)
