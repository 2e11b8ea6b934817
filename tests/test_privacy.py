"""Prescriber masking: stable pseudonyms that never reveal a name."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.test_plans import SALES, SETTINGS, VISITS
from uplift.analysis.gaps import competitor_gaps
from uplift.errors import UpliftError
from uplift.output.plan_texts import plan_hospitals
from uplift.output.render import records
from uplift.output.views.plans import PLAN_KEYS
from uplift.sheets import columns as C
from uplift.store.privacy import (
    TEXT_COLUMNS,
    load_or_create_key,
    mask_prescribers,
    pseudonym,
)

KEY = bytes(range(32))
DOCTORS = {"王伟", "李娜", "周九", "吴十", "钱七", "郑一", "冯二", "褚四", "赵六", "张三", "孙五"}
PSEUDONYM = re.compile(r"^医生-[0-9A-HJKMNP-TV-Z]{5}$")


def test_pseudonym_is_stable_and_shaped() -> None:
    first = pseudonym("甲医院", "王伟", KEY)
    assert PSEUDONYM.match(first)
    assert pseudonym("甲医院", "王伟", KEY) == first
    # the padded two-character name is the same doctor
    assert pseudonym("甲医院", "王　伟", KEY) == first
    # the same name in another hospital is another doctor; another key, another pseudonym
    assert pseudonym("乙医院", "王伟", KEY) != first
    assert pseudonym("甲医院", "王伟", bytes(32)) != first


@hsettings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=6).filter(lambda s: s.strip()))
def test_pseudonym_never_contains_the_name(name: str) -> None:
    masked = pseudonym("甲医院", name, KEY)
    assert PSEUDONYM.match(masked)
    assert name.strip() not in masked.removeprefix("医生-") or len(name.strip()) == 1


def test_key_file_is_private_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    key = load_or_create_key(folder)
    assert len(key) == 32
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "secret.key").stat().st_mode) == 0o600
    assert load_or_create_key(folder) == key  # stable across runs


def test_key_file_too_open_is_tightened_and_bad_key_refused(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path)
    path = tmp_path / "secret.key"
    path.chmod(0o644)
    assert load_or_create_key(tmp_path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_bytes(b"short")
    with pytest.raises(UpliftError, match="not a masking key"):
        load_or_create_key(tmp_path)


def test_mask_a_plain_prescriber_column() -> None:
    df = pd.DataFrame({C.HOSPITAL: ["甲医院", "甲医院"], C.PRESCRIBER: ["王伟", ""]})
    masked = mask_prescribers(df, KEY)
    assert masked[C.PRESCRIBER].tolist() == [pseudonym("甲医院", "王伟", KEY), ""]
    assert df[C.PRESCRIBER].tolist() == ["王伟", ""]  # input untouched


@pytest.fixture(scope="module")
def plans() -> pd.DataFrame:
    return plan_hospitals(SALES, VISITS, settings=SETTINGS, options=6).options


def _all_text(df: pd.DataFrame) -> str:
    return json.dumps(records(df, PLAN_KEYS), ensure_ascii=False)


def test_plans_mask_targets_and_every_text(plans: pd.DataFrame) -> None:
    assert any(d in _all_text(plans) for d in DOCTORS)  # the fixture does name doctors
    masked = mask_prescribers(plans, KEY)
    text = _all_text(masked)
    for doctor in DOCTORS:
        assert doctor not in text
    # departments stay readable; the formulas keep their arithmetic
    assert "心内科" in text
    deepen = masked[(masked[C.HOSPITAL] == "甲医院") & (masked["type"] == "deepen")].iloc[0]
    zhou, wang = pseudonym("甲医院", "周九", KEY), pseudonym("甲医院", "王伟", KEY)
    assert deepen["targets"] == [zhou, wang]
    assert deepen["evidence"] == (
        f"{zhou} 95 -> 100 boxes/month (tier D -> C); {wang} 170 -> 200 boxes/month (tier C -> B)"
    )
    for col in TEXT_COLUMNS:
        assert masked[col].map(type).tolist() == plans[col].map(type).tolist()


def test_masking_is_stable_across_runs_and_outputs(plans: pd.DataFrame, tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path)
    first = mask_prescribers(plans, key)
    again = mask_prescribers(
        plan_hospitals(SALES, VISITS, settings=SETTINGS, options=6).options,
        load_or_create_key(tmp_path),
    )
    pd.testing.assert_frame_equal(first, again)
    # the same doctor has the same pseudonym in the gaps drill-down and in the plans
    gaps = mask_prescribers(
        competitor_gaps(SALES, VISITS, settings=SETTINGS, hospital="甲医院"), key
    )
    wang = pseudonym("甲医院", "王伟", key)
    assert wang in set(gaps[C.PRESCRIBER])
    convert = first[(first[C.HOSPITAL] == "甲医院") & (first["type"] == "convert")].iloc[0]
    assert convert["targets"] == [wang]
