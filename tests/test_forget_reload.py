"""Forget, then load the same file again: exactly what was forgotten comes back, once.

The workbook, built below, holds two months of partner kangyuan (named after the file):

    2026-08  华西医院 王伟 120, 华西医院 李娜 80             -> 2 rows, 200 boxes
    2026-09  华西医院 王伟 150, 第一医院 张敏 40, 张敏 20    -> 3 rows, 210 boxes

so the file is 5 rows and 410 boxes. With ours = 心脉宁片, tier averages each hospital's
boxes over the months loaded: 华西医院 (200 + 150) / 2 = 175, 第一医院 (0 + 60) / 2 = 30.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fixtures_build import write_xlsx
from uplift.cli import app
from uplift.store.workspace import Workspace

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})

HEADER = ["医院名称", "科室", "医生", "品名", "数量", "月份"]
AUG = [
    ["华西医院", "心内科", "王伟", "心脉宁片", 120, "2026-08"],
    ["华西医院", "心内科", "李娜", "心脉宁片", 80, "2026-08"],
]
SEPT = [
    ["华西医院", "心内科", "王伟", "心脉宁片", 150, "2026-09"],
    ["第一医院", "心内科", "张敏", "心脉宁片", 40, "2026-09"],
    ["第一医院", "心内科", "张敏", "心脉宁片", 20, "2026-09"],
]
BOTH_MONTHS = {
    "file": "kangyuan.xlsx",
    "partner": "kangyuan",
    "months": "2026-08,2026-09",
    "rows": 5,
    "boxes": 410.0,
}
AUGUST_ONLY = {**BOTH_MONTHS, "months": "2026-08", "rows": 2, "boxes": 200.0}


@pytest.fixture
def workbook(workdir: Path) -> Path:
    (workdir / "uplift.toml").write_text('ours = ["心脉宁片"]\n', encoding="utf-8")
    return write_xlsx(workdir / "kangyuan.xlsx", [HEADER, *AUG, *SEPT])


def uplift(*args: str) -> tuple[str, str]:
    """Run a command in the current folder; (stdout, stderr), failing on a non-zero exit."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def sources() -> list[dict[str, object]]:
    """`uplift sources`, the figures a test compares (the file by its name)."""
    out, _ = uplift("sources", "--format", "json")
    return [
        {
            "file": Path(str(s["file"])).name,
            "partner": s["partner"],
            "months": s["months"],
            "rows": s["rows"],
            "boxes": s["boxes"],
        }
        for s in json.loads(out)
    ]


def tiers() -> list[dict[str, object]]:
    out, _ = uplift("tier", "--format", "json")
    return [
        {"hospital": t["hospital"], "boxes": t["boxes"], "monthly": t["monthly"]}
        for t in json.loads(out)
    ]


def stored_rows() -> list[tuple[object, ...]]:
    """Every sales row of the workspace: where it was read, and what it says."""
    with Workspace.open(Path(".uplift")) as ws:
        df = ws.sales()
    keys = ["sheet", "row", "partner", "month", "hospital", "prescriber", "boxes"]
    return sorted(df[keys].itertuples(index=False, name=None))


def loaded_at() -> list[str]:
    out, _ = uplift("sources", "--format", "json")
    return [s["loaded_at"] for s in json.loads(out)]


BOTH_TIERS = [
    {"hospital": "华西医院", "boxes": 175.0, "monthly": {"2026-08": 200.0, "2026-09": 150.0}},
    {"hospital": "第一医院", "boxes": 30.0, "monthly": {"2026-08": 0.0, "2026-09": 60.0}},
]


def test_forgotten_month_comes_back_exactly_once(workbook: Path) -> None:
    _, err = uplift("load", str(workbook))
    assert "Loaded 5 sales rows (410.0 boxes) into .uplift" in err
    assert sources() == [BOTH_MONTHS]
    assert tiers() == BOTH_TIERS
    before = stored_rows()
    assert len(before) == 5

    _, err = uplift("forget", "--partner", "kangyuan", "--month", "2026-09")
    assert "Removed 3 rows (210.0 boxes) of partner kangyuan for 2026-09" in err
    assert sources() == [AUGUST_ONLY]
    # one month left: 华西医院 200 in August; 第一医院 sold only in September
    assert tiers() == [{"hospital": "华西医院", "boxes": 200.0, "monthly": {"2026-08": 200.0}}]

    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: 2026-09 of partner kangyuan restored (3 rows, 210.0 boxes)" in err
    assert "Loaded 3 sales rows (210.0 boxes) into .uplift" in err
    assert "already loaded" not in err
    assert sources() == [BOTH_MONTHS]
    assert tiers() == BOTH_TIERS
    assert stored_rows() == before  # the same rows, August not doubled

    when = loaded_at()
    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: already loaded, nothing changed" in err
    assert "Nothing new to load; .uplift is unchanged" in err
    assert "restored" not in err
    assert sources() == [BOTH_MONTHS]
    assert stored_rows() == before
    assert loaded_at() == when


def test_forgotten_file_comes_back_exactly_once(workbook: Path) -> None:
    uplift("load", str(workbook))
    before = stored_rows()

    _, err = uplift("forget", "kangyuan.xlsx")
    assert "Removed 5 rows (410.0 boxes) of kangyuan.xlsx" in err
    assert sources() == []

    _, err = uplift("load", str(workbook))
    assert "Loaded 5 sales rows (410.0 boxes) into .uplift" in err
    assert sources() == [BOTH_MONTHS]
    assert tiers() == BOTH_TIERS
    assert stored_rows() == before

    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: already loaded, nothing changed" in err
    assert "Nothing new to load; .uplift is unchanged" in err
    assert stored_rows() == before


def test_forgotten_partner_comes_back_exactly_once(workbook: Path) -> None:
    uplift("load", str(workbook))
    before = stored_rows()

    _, err = uplift("forget", "--partner", "kangyuan")
    assert "Removed 5 rows (410.0 boxes) of partner kangyuan" in err

    _, err = uplift("load", str(workbook))
    assert "Loaded 5 sales rows (410.0 boxes) into .uplift" in err
    assert stored_rows() == before

    _, err = uplift("load", str(workbook))
    assert "Nothing new to load; .uplift is unchanged" in err
    assert stored_rows() == before


def test_unchanged_file_not_forgotten_writes_nothing(workbook: Path) -> None:
    uplift("load", str(workbook))
    before, when = stored_rows(), loaded_at()
    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: already loaded, nothing changed" in err
    assert "Nothing new to load; .uplift is unchanged" in err
    assert "restored" not in err and "Loaded" not in err
    assert stored_rows() == before
    assert loaded_at() == when


def test_month_replaced_by_a_newer_file_is_not_taken_back(workbook: Path) -> None:
    """A re-sent September wins over the first file's; forgetting it brings the first back."""
    uplift("load", str(workbook))
    fixed = write_xlsx(
        workbook.parent / "kangyuan-fixed.xlsx",
        [HEADER, ["华西医院", "心内科", "王伟", "心脉宁片", 100, "2026-09"]],
    )
    _, err = uplift("load", str(fixed), "--partner", "kangyuan")
    assert (
        "replaced 3 rows (210.0 boxes) of partner kangyuan for 2026-09 "
        "from kangyuan.xlsx with kangyuan-fixed.xlsx"
    ) in err

    # the first file is loaded already and its September was replaced, not forgotten
    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: already loaded, nothing changed" in err
    assert "Nothing new to load; .uplift is unchanged" in err
    assert [(s["file"], s["months"], s["rows"], s["boxes"]) for s in sources()] == [
        ("kangyuan.xlsx", "2026-08", 2, 200.0),
        ("kangyuan-fixed.xlsx", "2026-09", 1, 100.0),
    ]

    _, err = uplift("forget", "kangyuan-fixed.xlsx")
    assert "Removed 1 rows (100.0 boxes) of kangyuan-fixed.xlsx" in err
    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: 2026-09 of partner kangyuan restored (3 rows, 210.0 boxes)" in err
    assert sources() == [BOTH_MONTHS]
    assert tiers() == BOTH_TIERS


def test_rows_kept_under_another_partner_are_not_added_again(workbook: Path) -> None:
    """The file loaded as partner 康源医药: loaded again as kangyuan, nothing is doubled."""
    uplift("load", str(workbook), "--partner", "康源医药")
    before = stored_rows()
    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: already loaded, nothing changed" in err
    assert "Nothing new to load; .uplift is unchanged" in err
    assert stored_rows() == before
    assert [(s["partner"], s["rows"], s["boxes"]) for s in sources()] == [("康源医药", 5, 410.0)]


def test_failed_restore_leaves_the_workspace_as_it_was(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uplift.store.loads as loads

    uplift("load", str(workbook))
    uplift("forget", "--partner", "kangyuan", "--month", "2026-09")
    august = stored_rows()

    def explode(rows: object) -> list[str]:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(loads, "_restored_lines", explode)
        assert runner.invoke(app, ["load", str(workbook)]).exit_code != 0
    assert stored_rows() == august
    assert sources() == [AUGUST_ONLY]

    _, err = uplift("load", str(workbook))
    assert "kangyuan.xlsx: 2026-09 of partner kangyuan restored (3 rows, 210.0 boxes)" in err
    assert sources() == [BOTH_MONTHS]
