"""The layout's rule, read from the imports: a figure travels sheets -> store -> analysis -> output.

`sheets` imports nothing from the three other wings; `store` only `sheets`; `analysis` only
`sheets` and `store`; `output` may import all. `config` and `errors` (at the top) import no
wing above `sheets`. Nobody imports `cli`; only `cli.py` imports Typer, only `output`
imports rich. Every import counts, also those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "uplift"
WINGS = ("sheets", "store", "analysis", "output")
ALLOWED = {
    "sheets": set(),
    "store": {"sheets"},
    "analysis": {"sheets", "store"},
    "output": {"sheets", "store", "analysis"},
    "config": {"sheets"},
    "errors": set(),
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _place(path: Path) -> str:
    """The wing a module lives in, or its own name for the modules at the top."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module name imported by `path`, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    inside = path.is_relative_to(PACKAGE)
    package = ["uplift", *(path.relative_to(PACKAGE).parts[:-1] if inside else ())]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from uplift import columns` and `from uplift.sheets import columns`
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _wing_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "uplift" or len(parts) < 2:
        return None
    return parts[1]


def test_the_four_wings_exist_with_a_docstring() -> None:
    for wing in WINGS:
        init = PACKAGE / wing / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init} has no docstring"
        assert "\n" not in doc.strip(), f"{init}: the docstring is one line"


def test_only_cli_config_errors_and_the_package_files_are_at_the_top() -> None:
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top <= {"__init__.py", "__main__.py", "cli.py", "commands.py", "config.py", "errors.py"}


def _broken(path: Path, place: str) -> list[str]:
    """The imports of `path` that break the rule for a module living in `place`."""
    allowed = ALLOWED.get(place)
    broken = []
    for line, module in _imports(path):
        wing = _wing_of(module)
        if wing == "cli" and place != "__main__":
            broken.append(f"line {line}: {module} (nothing imports the command line)")
        elif allowed is not None and wing in WINGS and wing != place and wing not in allowed:
            broken.append(f"line {line}: {module} ({place} may import {sorted(allowed)})")
    return broken


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_wings_only(path: Path) -> None:
    broken = _broken(path, _place(path))
    assert not broken, f"{path.relative_to(PACKAGE)} breaks the layout:\n" + "\n".join(broken)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_typer_only_in_the_cli_and_rich_only_in_output(path: Path) -> None:
    place = _place(path)
    for line, module in _imports(path):
        root = module.split(".")[0]
        if root == "typer":
            assert place == "cli", f"{path}:{line} imports Typer"
        if root == "rich":
            assert place == "output", f"{path}:{line} imports rich"


def test_the_rule_is_checked_on_real_imports() -> None:
    """The reader above finds the imports it must judge (so the rule cannot pass vacuously)."""
    plans = _imports(PACKAGE / "analysis" / "plans.py")
    assert any(m == "uplift.analysis.gaps" for _, m in plans)
    cli = _imports(PACKAGE / "cli.py")
    assert any(m.startswith("uplift.output.") for _, m in cli)
    report = _imports(PACKAGE / "output" / "report.py")
    assert any(_wing_of(m) == "analysis" for _, m in report)


def test_a_wrong_import_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "loading.py"
    module.write_text(
        "from uplift.analysis.volumes import window_months\n"
        "from uplift.sheets import columns as C\n"
        "def f():\n"
        "    from uplift.output import render\n"
        "    from uplift import cli\n",
        encoding="utf-8",
    )
    assert _broken(module, "sheets") == [
        "line 1: uplift.analysis.volumes (sheets may import [])",
        "line 1: uplift.analysis.volumes.window_months (sheets may import [])",
        "line 4: uplift.output (sheets may import [])",
        "line 4: uplift.output.render (sheets may import [])",
        "line 5: uplift.cli (nothing imports the command line)",
    ]
    assert _broken(module, "output") == ["line 5: uplift.cli (nothing imports the command line)"]
