"""Benchmark `uplift` against the fastest ways of doing the same job, as whole processes.

    python benchmarks/run.py [--rows 100000,1000000] [--repeat 3] [--out benchmarks/out/results.json]
                             [--keep] [--skip-naive] [--smoke]

For each row count the script writes (or reuses from its cache) a one-sheet workbook and the
same content as CSV in UTF-8 and GBK with ``data/samples/generate.py``, then runs pairs of
commands A (uplift) and B (a baseline), alternating A, B, A, B ... ``--repeat`` times, and reports
the median wall-clock seconds of each, the ratio A/B, the goal from issue 9, whether it is met,
and the peak resident memory of each side. Every measured command is a fresh process started
with the caller's environment unchanged; peak memory comes from ``/usr/bin/time -v`` (GNU) or,
without it, from ``os.wait4`` on the child.

All uplift commands run in a scratch folder holding a copy of ``data/samples/uplift.toml``
(our products, competitors and markets), so they read the same settings a user would have.

One table is printed; the same figures go to a JSON file (with the machine, Python and package
versions and the date) and a Markdown copy of the table next to it, so runs can be compared
over time. ``--smoke`` is the tiny run the test suite uses (10,000 rows, one repeat, no naive
openpyxl script, no GBK file).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "data" / "samples" / "generate.py"
SETTINGS = ROOT / "data" / "samples" / "uplift.toml"
OUT_DIR = ROOT / "benchmarks" / "out"
DEFAULT_ROWS = (100_000, 1_000_000)
SMOKE_ROWS = 10_000
NAIVE_MAX_ROWS = 1_000_000
MEMORY_GOAL_MB = 1024.0
DEFAULT_TIMEOUT = 900.0  # seconds per process; the naive openpyxl read of 1M rows takes minutes
SMOKE_TIMEOUT = 120.0
TIMED_OUT = -999  # exit code recorded for a process killed by the timeout
PACKAGES = (
    "uplift",
    "pandas",
    "pyarrow",
    "fastexcel",
    "python-calamine",
    "openpyxl",
    "duckdb",
    "typer",
    "rich",
    "isal",
)
ANALYSES = ("tier", "gaps", "plan")

# Baselines, run as `python -c SCRIPT PATH` so paths never need quoting.
IMPORT_TYPER = "import typer"
IMPORT_PANDAS = "import pandas"
READ_FASTEXCEL = (
    "import sys, fastexcel\ndf = fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_pandas()"
)
READ_CALAMINE = "import sys, pandas\ndf = pandas.read_excel(sys.argv[1], engine='calamine')"
READ_NAIVE = (
    "import sys, pandas\n"
    "df = pandas.read_excel(sys.argv[1], engine='openpyxl')\n"
    "totals = df.groupby(['医院名称', '品名'])['数量'].sum()"
)
WARM_UP = "import pandas, pyarrow, fastexcel, duckdb, openpyxl, python_calamine, typer"
READ_CSV = "import sys, pandas\ndf = pandas.read_csv(sys.argv[1])"
READ_CSV_GBK = "import sys, pandas\ndf = pandas.read_csv(sys.argv[1], encoding='gbk')"


@dataclass
class Goal:
    """A bound on the ratio A/B (or on A's peak memory in MB)."""

    op: str  # "<=" or "<"
    value: float
    text: str

    def met(self, measured: float) -> bool:
        return measured <= self.value if self.op == "<=" else measured < self.value


@dataclass
class Side:
    """One command of a pair and what it measured."""

    label: str
    argv: list[str]
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    error: str = ""
    timed_out: bool = False

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak(self) -> float | None:
        return max(self.peak_mb) if self.peak_mb else None


@dataclass
class Case:
    """One row of the results table."""

    id: str
    case: str
    rows: int | None
    a: Side | None
    b: Side | None
    goal: Goal | None = None
    status: str = "ok"  # ok, failed, not available, skipped
    note: str = ""
    memory_only: bool = False  # the row judges A's peak memory, not a time ratio

    @property
    def ratio(self) -> float | None:
        if self.memory_only or self.status != "ok" or self.a is None or self.b is None:
            return None
        a, b = self.a.median, self.b.median
        return a / b if a is not None and b else None

    @property
    def met(self) -> bool | None:
        if self.goal is None or self.status != "ok":
            return None
        measured = self.a.peak if self.memory_only and self.a else self.ratio
        return None if measured is None else self.goal.met(measured)

    def as_json(self) -> dict[str, object]:
        def side(s: Side | None) -> dict[str, object] | None:
            if s is None:
                return None
            d = asdict(s)
            d.update(median=s.median, peak=s.peak, command=_shown(s.argv))
            return d

        return {
            "id": self.id,
            "case": self.case,
            "rows": self.rows,
            "status": self.status,
            "note": self.note,
            "a": side(self.a),
            "b": side(self.b),
            "a_median_s": self.a.median if self.a and not self.memory_only else None,
            "b_median_s": self.b.median if self.b else None,
            "ratio": self.ratio,
            "goal": asdict(self.goal) if self.goal else None,
            "met": self.met,
            "peak_mb_a": self.a.peak if self.a else None,
            "peak_mb_b": self.b.peak if self.b else None,
        }


# -- running one process ---------------------------------------------------------------------


def _gnu_time() -> str | None:
    """Path of a GNU `time` that understands -v and -o, else None."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as fh:
        try:
            subprocess.run(
                [path, "-v", "-o", fh.name, "true"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return path if "Maximum resident set size" in Path(fh.name).read_text() else None


@dataclass
class Runner:
    """Starts measured processes in `cwd` and reads their wall time and peak memory."""

    cwd: Path
    time_bin: str | None
    timeout: float = DEFAULT_TIMEOUT
    verbose: bool = True
    gave_up: dict[str, int] = field(default_factory=dict)  # case kind -> rows that timed out

    def run(self, argv: list[str]) -> tuple[float, float | None, int, str]:
        """(seconds, peak MB or None, exit code, stderr tail) of one whole process.

        The process runs in its own process group, killed whole when it outlives
        `self.timeout` (exit code TIMED_OUT then).
        """
        with tempfile.TemporaryDirectory(prefix="uplift-bench-run-") as tmp:
            err_path = Path(tmp) / "stderr"
            time_path = Path(tmp) / "time"
            cmd = [self.time_bin, "-v", "-o", str(time_path), *argv] if self.time_bin else argv
            expired = threading.Event()
            with err_path.open("wb") as err:
                start = time.perf_counter()
                child = subprocess.Popen(
                    cmd,
                    cwd=self.cwd,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    process_group=0,  # its own group: a timeout kills it whole
                )
                timer = threading.Timer(self.timeout, _kill_group, (child.pid, expired))
                timer.start()
                try:
                    if self.time_bin:
                        code = child.wait()
                        seconds = time.perf_counter() - start
                        peak = _parse_time_v(time_path)
                    else:
                        _, status, usage = os.wait4(child.pid, 0)
                        seconds = time.perf_counter() - start
                        code = child.returncode = os.waitstatus_to_exitcode(status)
                        scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # B vs kB
                        peak = usage.ru_maxrss / scale
                finally:
                    timer.cancel()
            tail = err_path.read_text(encoding="utf-8", errors="replace").strip()[-600:]
        if expired.is_set():
            return seconds, None, TIMED_OUT, f"timed out after {self.timeout:.0f} s"
        return seconds, peak, code, tail

    def measure(self, side: Side, prepare=None) -> bool:
        """Run `side` once; False (with side.error set) when the process failed."""
        argv = prepare(side) if prepare else side.argv
        seconds, peak, code, tail = self.run(argv)
        if code == TIMED_OUT:
            side.error, side.timed_out = tail, True
            self.log(f"  FAILED {side.label}: {side.error}")
            return False
        if code != 0:
            side.error = f"exit {code}: {tail.splitlines()[-1] if tail else ''}".strip()
            self.log(f"  FAILED {side.label}: {side.error}")
            return False
        side.seconds.append(seconds)
        if peak is not None:
            side.peak_mb.append(peak)
        mem = f", {peak:,.0f} MB" if peak is not None else ""
        self.log(f"  {side.label}: {seconds:.2f} s{mem}")
        return True

    def log(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr, flush=True)


def _kill_group(pid: int, expired: threading.Event) -> None:
    expired.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _parse_time_v(path: Path) -> float | None:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1].strip()) / 1024  # kB -> MiB
    return None


def _shown(argv: list[str]) -> str:
    """A readable one-line form of a command (scripts for `-c` inlined, newlines as `; `)."""
    parts = []
    for arg in argv:
        arg = arg.replace("\n", "; ")
        parts.append(repr(arg) if (" " in arg or not arg) else arg)
    return " ".join(parts)


# -- the sample files ------------------------------------------------------------------------


def _generator():
    spec = importlib.util.spec_from_file_location("uplift_sample_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the sample generator {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generator_digest() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]


def sample_files(
    rows: int, seed: int, cache: Path, work: Path, *, gbk: bool, log
) -> dict[str, Path]:
    """The xlsx, UTF-8 CSV (and GBK CSV) for `rows`, from the cache or freshly generated.

    Files are generated into the scratch folder `work` and then moved into `cache`, keyed by
    rows, seed and the generator's own content (a changed generator never reuses old files).
    """
    cache.mkdir(parents=True, exist_ok=True)
    key = f"large-{rows}-seed{seed}-{_generator_digest()}"
    wanted = {"xlsx": (".xlsx", None), "csv-utf8": (".csv", "utf-8")}
    if gbk:
        wanted["csv-gbk"] = ("-gbk.csv", "gbk")
    files: dict[str, Path] = {}
    gen = None
    for kind, (suffix, encoding) in wanted.items():
        target = cache / f"{key}{suffix}"
        if not target.exists():
            gen = gen or _generator()
            fresh = work / target.name
            log(f"generating {target.name} ({rows:,} rows) ...")
            start = time.perf_counter()
            if encoding is None:
                gen.write_large_workbook(fresh, rows, seed=seed)
            else:
                gen.write_large_csv(fresh, rows, seed=seed, encoding=encoding)
            shutil.move(fresh, target)
            log(f"  done in {time.perf_counter() - start:.1f} s")
        _warm(target)
        files[kind] = target
    return files


def _warm(path: Path) -> None:
    """Read the file once so the first measured run does not pay for a cold disk."""
    with path.open("rb") as fh:
        while fh.read(1 << 22):
            pass


# -- the pairs -------------------------------------------------------------------------------


def alternate(runner: Runner, case: Case, repeat: int, prepare_a=None) -> None:
    """A, B, A, B ... `repeat` times; stops at the first failure and records it."""
    assert case.a is not None and case.b is not None
    kind = case.id.split("@")[0]
    if kind in runner.gave_up:
        case.status, case.note = "skipped", f"timed out at {runner.gave_up[kind]:,} rows"
        return
    runner.log(f"{case.case}" + (f" [{case.rows:,} rows]" if case.rows else ""))
    for _ in range(repeat):
        for name, side, prepare in (("A", case.a, prepare_a), ("B", case.b, None)):
            if not runner.measure(side, prepare):
                case.status, case.note = "failed", f"{name} {side.error}"
                if side.timed_out:
                    runner.gave_up[kind] = case.rows or 0
                return


def available(runner: Runner, uplift: str, command: str) -> tuple[bool, str]:
    """Whether `uplift COMMAND --help` exits 0 right now."""
    code = runner.run([uplift, command, "--help"])[2]
    return code == 0, "" if code == 0 else f"--help exit {code}"


class FreshWorkspace:
    """Gives each run of an `uplift load` side a new, empty workspace folder."""

    def __init__(self, base: Path, name: str) -> None:
        self.base, self.name, self.count, self.last = base, name, 0, None

    def __call__(self, side: Side) -> list[str]:
        if self.last is not None:  # keep only the latest, to spare the disk
            shutil.rmtree(self.last, ignore_errors=True)
        self.count += 1
        self.last = self.base / f"{self.name}-{self.count}"
        return [*side.argv, "--workspace", str(self.last)]

    def discard(self) -> None:
        if self.last is not None:
            shutil.rmtree(self.last, ignore_errors=True)


def _py(script: str, *args: object) -> list[str]:
    return [sys.executable, "-c", script, *map(str, args)]


def bench_rows(
    runner: Runner,
    uplift: str,
    rows: int,
    files: dict[str, Path],
    work: Path,
    repeat: int,
    *,
    naive: bool,
    availability: dict[str, tuple[bool, str]],
) -> tuple[list[Case], dict[str, int | None]]:
    """All cases for one row count, and the rows each load put into its workspace."""
    cases: list[Case] = []
    xlsx = files["xlsx"]
    load_xlsx = [uplift, "load", str(xlsx)]
    workspaces: dict[str, Path | None] = {}

    def load_case(cid, label, a_argv, b_label, b_argv, goal, times=repeat):
        case = Case(
            id=f"{cid}@{rows}",
            case=label,
            rows=rows,
            a=Side("A " + label.split(" vs ")[0], a_argv),
            b=Side("B " + b_label, b_argv),
            goal=goal,
        )
        fresh = FreshWorkspace(work, f"ws-{cid}-{rows}")
        alternate(runner, case, times, fresh)
        cases.append(case)
        return case, fresh

    c, fresh = load_case(
        "load-xlsx-vs-fastexcel",
        "uplift load X.xlsx vs fastexcel to pandas",
        load_xlsx,
        "fastexcel",
        _py(READ_FASTEXCEL, xlsx),
        Goal("<=", 1.3, "<= 1.30"),
    )
    workspaces["xlsx"] = fresh.last if c.status == "ok" else None
    load_peaks = list(c.a.peak_mb) if c.a else []

    c, fresh2 = load_case(
        "load-xlsx-vs-calamine",
        "uplift load X.xlsx vs pandas.read_excel(calamine)",
        load_xlsx,
        "pandas calamine",
        _py(READ_CALAMINE, xlsx),
        Goal("<=", 0.4, "<= 0.40 (~3x faster)"),
    )
    load_peaks += c.a.peak_mb if c.a else []
    fresh2.discard()

    naive_label = "uplift load X.xlsx vs naive openpyxl + groupby (once)"
    naive_goal = Goal("<", 1 / 15, "< 0.067 (>15x faster)")
    if naive and rows <= NAIVE_MAX_ROWS:
        c, fresh3 = load_case(
            "load-xlsx-vs-naive",
            naive_label,
            load_xlsx,
            "naive openpyxl",
            _py(READ_NAIVE, xlsx),
            naive_goal,
            times=1,
        )
        load_peaks += c.a.peak_mb if c.a else []
        fresh3.discard()
    else:
        why = "--skip-naive" if not naive else f"rows > {NAIVE_MAX_ROWS:,}"
        cases.append(
            Case(
                f"load-xlsx-vs-naive@{rows}",
                naive_label,
                rows,
                None,
                None,
                naive_goal,
                "skipped",
                why,
            )
        )

    memory = Case(
        id=f"load-xlsx-peak-memory@{rows}",
        case="uplift load X.xlsx peak memory",
        rows=rows,
        a=Side("A uplift load", load_xlsx, peak_mb=load_peaks),
        b=None,
        goal=Goal("<=", MEMORY_GOAL_MB, f"<= {MEMORY_GOAL_MB:,.0f} MB"),
        memory_only=True,
    )
    if not load_peaks:
        memory.status, memory.note = "failed", "no peak memory measured"
    cases.append(memory)

    csv_kinds = (
        ("csv-utf8", "UTF-8", READ_CSV, "pandas.read_csv"),
        ("csv-gbk", "GBK", READ_CSV_GBK, "pandas.read_csv(gbk)"),
    )
    for kind, enc, script, b_label in csv_kinds:
        if kind not in files:
            continue
        path = files[kind]
        c, fresh = load_case(
            f"load-{kind}-vs-read-csv",
            f"uplift load X.csv ({enc}) vs {b_label}",
            [uplift, "load", str(path)],
            b_label,
            _py(script, path),
            Goal("<=", 1.3, "<= 1.30"),
        )
        workspaces[kind] = fresh.last if c.status == "ok" else None

    loaded = {kind: _loaded_rows(runner, uplift, ws) for kind, ws in workspaces.items()}
    for kind, got in loaded.items():
        if got != rows:
            runner.log(f"  WARNING: {kind} workspace holds {got} rows, expected {rows:,}")

    ws = workspaces.get("xlsx")
    for command in ANALYSES:
        label = f"uplift {command} --workspace (loaded) vs import pandas"
        cid = f"{command}-workspace-vs-import-pandas@{rows}"
        goal = Goal("<=", 2.5, "<= 2.50")
        ok, why = availability[command]
        if not ok:
            cases.append(Case(cid, label, rows, None, None, goal, "not available", why))
            continue
        if ws is None:
            cases.append(Case(cid, label, rows, None, None, goal, "skipped", "no loaded workspace"))
            continue
        case = Case(
            cid,
            label,
            rows,
            Side(f"A uplift {command}", [uplift, command, "--workspace", str(ws), "-f", "json"]),
            Side("B import pandas", _py(IMPORT_PANDAS)),
            goal,
        )
        alternate(runner, case, repeat)
        cases.append(case)

    case = Case(
        f"tier-xlsx-vs-fastexcel@{rows}",
        "uplift tier X.xlsx (no workspace) vs fastexcel to pandas",
        rows,
        Side("A uplift tier X.xlsx", [uplift, "tier", str(xlsx), "-f", "json"]),
        Side("B fastexcel", _py(READ_FASTEXCEL, xlsx)),
        None,
        note="no goal",
    )
    alternate(runner, case, repeat)
    cases.append(case)
    return cases, loaded


def _loaded_rows(runner: Runner, uplift: str, ws: Path | None) -> int | None:
    """Sales rows held by a workspace, from `uplift sources --format json`."""
    if ws is None:
        return None
    proc = subprocess.run(
        [uplift, "sources", "--workspace", str(ws), "--format", "json"],
        cwd=runner.cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        return None
    try:
        rows = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None
    return sum(int(r.get("rows") or 0) for r in rows if r.get("kind", "sales") == "sales")


def bench_startup(runner: Runner, uplift: str, repeat: int) -> list[Case]:
    cases = [
        Case(
            "help-vs-import-typer",
            "uplift --help vs import typer",
            None,
            Side("A uplift --help", [uplift, "--help"]),
            Side("B import typer", _py(IMPORT_TYPER)),
            Goal("<=", 1.5, "<= 1.50"),
        ),
        Case(
            "help-vs-import-pandas",
            "uplift --help vs import pandas",
            None,
            Side("A uplift --help", [uplift, "--help"]),
            Side("B import pandas", _py(IMPORT_PANDAS)),
            None,
            note="no goal",
        ),
    ]
    for case in cases:
        alternate(runner, case, repeat)
    return cases


# -- machine and output ----------------------------------------------------------------------


def _load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages: other work on the machine skews the timings."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_info() -> dict[str, object]:
    def version(name: str) -> str | None:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_mb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": affinity or os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": mem_mb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "packages": {name: version(name) for name in PACKAGES},
    }


COLUMNS = ("case", "rows", "A median s", "B median s", "ratio", "goal", "met", "peak MB A / B")


def table_rows(cases: list[Case]) -> list[tuple[str, ...]]:
    def num(x: float | None, fmt: str = "{:.2f}") -> str:
        return "-" if x is None else fmt.format(x)

    out = []
    for c in cases:
        ok = c.status == "ok"
        a = c.a.median if ok and c.a and not c.memory_only else None
        b = c.b.median if ok and c.b else None
        pa = c.a.peak if c.a else None
        pb = c.b.peak if c.b else None
        peak = num(pa, "{:,.0f}") + ("" if c.memory_only else " / " + num(pb, "{:,.0f}"))
        met = {True: "yes", False: "no", None: "-"}[c.met]
        if not ok:
            note = c.note if len(c.note) <= 60 else c.note[:57] + "..."
            met = c.status + (f" ({note})" if note else "")
        elif c.note:
            met = f"{met} ({c.note})" if met != "-" else f"- ({c.note})"
        out.append(
            (
                c.case,
                "-" if c.rows is None else f"{c.rows:,}",
                num(a),
                num(b),
                num(c.ratio, "{:.2f}x"),
                c.goal.text if c.goal else "-",
                met,
                peak if ok else "-",
            )
        )
    return out


def plain_table(cases: list[Case]) -> str:
    rows = [COLUMNS, *table_rows(cases)]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(COLUMNS))]
    numeric = {1, 2, 3, 4, 7}

    def line(r: tuple[str, ...]) -> str:
        cells = []
        for i, cell in enumerate(r):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i in numeric else cell + pad)
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])])


def markdown_table(cases: list[Case]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] * len(COLUMNS)) + "|"]
    for r in table_rows(cases):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        default=",".join(map(str, DEFAULT_ROWS)),
        help="comma-separated row counts (default %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--seed", type=int, default=7, help="sample generator seed (default 7)")
    parser.add_argument(
        "--out",
        type=Path,
        default=OUT_DIR / "results.json",
        help="JSON results (default benchmarks/out/results.json); a .md table goes next to it",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=OUT_DIR / "cache",
        help="where generated sample files are kept between runs (default benchmarks/out/cache)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder (workspaces) and print it"
    )
    parser.add_argument(
        "--skip-naive", action="store_true", help="skip the slow pandas + openpyxl script"
    )
    parser.add_argument(
        "--no-gbk", action="store_true", help="skip the GBK CSV (generating it takes a while)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"tiny run for the test suite: {SMOKE_ROWS:,} rows, repeat 1, no naive, no GBK",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help=f"seconds before a measured process is killed (default {DEFAULT_TIMEOUT:.0f}; "
        f"{SMOKE_TIMEOUT:.0f} with --smoke)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.repeat, args.skip_naive, args.no_gbk = str(SMOKE_ROWS), 1, True, True
    if args.timeout is None:
        args.timeout = SMOKE_TIMEOUT if args.smoke else DEFAULT_TIMEOUT
    try:
        args.row_counts = [int(x.replace("_", "")) for x in args.rows.split(",") if x.strip()]
    except ValueError:
        parser.error(f"--rows: expected comma-separated integers, got {args.rows!r}")
    if not args.row_counts or min(args.row_counts) < 1:
        parser.error("--rows: give at least one positive row count")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def find_uplift() -> str:
    """The `uplift` next to this Python (the venv's), else the one on PATH."""
    here = Path(sys.executable).parent / ("uplift.exe" if os.name == "nt" else "uplift")
    if here.exists():
        return str(here)
    found = shutil.which("uplift")
    if not found:
        raise SystemExit("cannot find the `uplift` command; install the package first")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    uplift = find_uplift()
    work = Path(tempfile.mkdtemp(prefix="uplift-bench-"))
    shutil.copy(SETTINGS, work / "uplift.toml")
    runner = Runner(cwd=work, time_bin=_gnu_time(), timeout=args.timeout, verbose=not args.quiet)
    load_before = _load_average()
    info = machine_info()  # dated when the run starts
    runner.log(f"scratch folder {work}; peak memory via {runner.time_bin or 'os.wait4'}")
    started = time.perf_counter()
    try:
        availability = {cmd: available(runner, uplift, cmd) for cmd in ANALYSES}
        for argv in ([uplift, "--help"], _py(WARM_UP)):  # fill the OS file cache, untimed
            runner.run(argv)
        cases = bench_startup(runner, uplift, args.repeat)
        loaded: dict[str, dict[str, int | None]] = {}
        for rows in args.row_counts:
            files = sample_files(
                rows, args.seed, args.cache, work, gbk=not args.no_gbk, log=runner.log
            )
            more, loaded[str(rows)] = bench_rows(
                runner,
                uplift,
                rows,
                files,
                work,
                args.repeat,
                naive=not args.skip_naive,
                availability=availability,
            )
            cases += more
    finally:
        if args.keep:
            runner.log(f"kept the scratch folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    info["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result = {
        "schema": 1,
        "machine": info,
        "args": {
            "rows": args.row_counts,
            "repeat": args.repeat,
            "seed": args.seed,
            "smoke": args.smoke,
            "skip_naive": args.skip_naive,
            "gbk": not args.no_gbk,
            "memory_probe": runner.time_bin or "os.wait4",
            "timeout_s": args.timeout,
        },
        "load_average": {"before": load_before, "after": _load_average()},
        "available": {cmd: ok for cmd, (ok, _) in availability.items()},
        "loaded_rows": loaded,
        "cases": [c.as_json() for c in cases],
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    header = (
        f"uplift benchmark {info['date']} - {info['nproc']} cores, Python {info['python']}, "
        + ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v)  # type: ignore[union-attr]
    )
    md = args.out.with_suffix(".md")
    md.write_text(f"{header}\n\n{markdown_table(cases)}\n", encoding="utf-8")
    print(header)
    print()
    print(plain_table(cases))
    print()
    print(f"wrote {args.out} and {md}")
    return 0 if all(c.status in ("ok", "not available", "skipped") for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
