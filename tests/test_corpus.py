"""`uplift check` on 68 odd or broken spreadsheets from spreadsheet libraries' test suites.

Each file either loads or fails with one clear line: exit 0, 1 or 2, never a traceback,
within 10 s and 2 GiB of address space (some files are built to exhaust memory). The files
live in ../shared/corpus beside the repository; on a fresh clone without it this module is
skipped. The commands run a few at a time in a thread pool, so the whole module takes
about as long as its slowest files, not as long as all of them.
"""

from __future__ import annotations

import os
import resource
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures_build import UPLIFT

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ODDITIES = CORPUS / "xlsx-oddities"
REAL = CORPUS / "real"

if not ODDITIES.is_dir():
    pytest.skip(
        f"no spreadsheet corpus at {ODDITIES} (it sits beside the repository, not in it)",
        allow_module_level=True,
    )

FILES = sorted(p.name for p in ODDITIES.iterdir() if p.is_file())
REAL_FILES = sorted(p.name for p in REAL.glob("*.csv")) if REAL.is_dir() else []
TIMEOUT_S = 10
MEMORY_BYTES = 2 * 2**30


@dataclass
class Outcome:
    code: int | None  # None: killed by the timeout
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.stdout + self.stderr).splitlines() if line.strip()]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def run_check(path: Path, cwd: Path) -> Outcome:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("UPLIFT_DEBUG", None)
    try:
        proc = subprocess.run(
            [UPLIFT, "check", str(path)],
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_S,
            env=env,
            preexec_fn=_limit_memory,  # only sets a limit in the child: safe with threads
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or b""
        err = exc.stderr or b""
        return Outcome(
            None,
            out.decode(errors="replace") if isinstance(out, bytes) else out,
            err.decode(errors="replace") if isinstance(err, bytes) else err,
        )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Start `uplift check` on every selected corpus file at once, a few in parallel."""
    cwd = tmp_path_factory.mktemp("corpus")  # no uplift.toml of the repository applies
    root = request.node
    while root.parent is not None:  # up to the run's root, which lists the selected tests
        root = root.parent
    selected = [
        item.callspec.params["path"]
        for item in getattr(root, "items", [])
        if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
    ]
    workers = max(2, min(4, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Path, Future[Outcome]] = {
            p: pool.submit(run_check, p, cwd) for p in dict.fromkeys(selected)
        }
        yield futures
        for f in futures.values():
            f.cancel()


def assert_clean(outcome: Outcome, name: str) -> None:
    """Loads, or fails with one line starting with "Error:", or lists its rejected rows."""
    everything = outcome.stdout + outcome.stderr
    assert outcome.code is not None, f"{name}: still running after {TIMEOUT_S} s"
    assert "Traceback" not in everything, everything
    assert outcome.code in (0, 1, 2), f"{name}: exit {outcome.code}\n{everything[-2000:]}"
    errors = [line for line in outcome.lines if line.startswith("Error:")]
    if outcome.code == 2:
        assert len(errors) == 1, everything
        assert len(errors[0]) > len("Error: ") + len(name)
    elif outcome.code == 1:
        assert "rejected" in everything, everything
        assert any(f"{name}, sheet " in line and ", row " in line for line in outcome.lines)
    else:
        assert not errors, everything


@pytest.mark.parametrize("path", [ODDITIES / n for n in FILES], ids=FILES)
def test_odd_file_loads_or_fails_cleanly(path: Path, outcomes: dict[Path, Future[Outcome]]) -> None:
    assert_clean(outcomes[path].result(), path.name)


@pytest.mark.parametrize("path", [REAL / n for n in REAL_FILES], ids=REAL_FILES)
def test_real_wide_pharmacy_sales_are_refused_as_wide(
    path: Path, outcomes: dict[Path, Future[Outcome]]
) -> None:
    # English daily sales, one column per drug class (M01AB, M01AE, ...) and no hospital
    # column: told that the sheet is wide and how to unpivot it, not "map [columns]"
    outcome = outcomes[path].result()
    assert_clean(outcome, path.name)
    assert outcome.code == 2
    (error,) = [line for line in outcome.lines if line.startswith("Error:")]
    assert error.startswith(
        f'Error: {path.name}, sheet "{path.stem}": wide layout: one column per product '
        "(M01AB, M01AE, N02BA, N02BE, N05B ...) and a row per day or month"
    )
    assert "Unpivot Other Columns (数据 > 来自表格/区域 > 逆透视其他列)" in error
    assert not any("[columns]" in line for line in outcome.lines)


def test_the_corpus_is_complete() -> None:
    assert len(FILES) == 68, FILES
