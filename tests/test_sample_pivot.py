"""`uplift tier` on the bundled samples equals a hand pivot of the generator's own records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from uplift.cli import app
from uplift.config import load_settings
from uplift.sheets.loading import load_files

SAMPLES = Path(__file__).parents[1] / "data" / "samples"


def truth() -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("sample_generator", SAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return pd.DataFrame(module.truth_records())


def test_loader_returns_the_generators_records_exactly() -> None:
    settings = load_settings(SAMPLES / "uplift.toml")
    result = load_files([SAMPLES / "kangyuan.xlsx", SAMPLES / "northstar.xlsx"], settings=settings)
    assert result.rows_rejected == 0
    keys = ["partner", "month", "hospital", "department", "prescriber", "product"]
    # neither sheet has a partner column, so the partner is the file name
    sales = result.sales.replace(
        {"partner": {"kangyuan": "康源医药", "northstar": "Northstar Pharma"}}
    )
    got = sales.groupby(keys)["boxes"].sum().round(6)
    want = truth().groupby(keys)["boxes"].sum().round(6)
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_dtype=False)
    for sheet in result.sheets:
        assert sheet.accounted, sheet


def test_tier_json_matches_a_hand_pivot(monkeypatch) -> None:
    monkeypatch.chdir(SAMPLES)
    runner = CliRunner()
    out = runner.invoke(
        app, ["tier", "kangyuan.xlsx", "northstar.xlsx", "--by", "prescriber", "-f", "json"]
    )
    assert out.exit_code == 0, out.output
    records = {(r["hospital"], r["prescriber"]): r for r in json.loads(out.stdout)}
    t = truth()
    ours = t[t["product"].isin(["心脉宁片", "心脉宁注射液", "脑安胶囊"])]
    months = sorted(t["month"].unique())
    pivot = ours.groupby(["hospital", "prescriber"])["boxes"].sum() / len(months)
    assert len(months) == 6
    for key, boxes in pivot.items():
        # JSON gives boxes at their documented precision: 2 decimals, rounded once
        assert records[key]["boxes"] == round(boxes, 2), key
        expected = "A" if boxes >= 300 else "B" if boxes >= 200 else "C" if boxes >= 100 else "D"
        assert records[key]["tier"] == expected
