"""Tiers computed by hand on a small fixture."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import sales
from uplift.analysis.tiers import (
    assign_tiers,
    tier_entities,
    tier_labels,
    tier_summary,
    volume_deciles,
)
from uplift.config import Settings, settings_from_dict

OURS = settings_from_dict({"ours": ["心脉宁片"]})

# Window 2026-04..2026-06: three months.
ROWS = [
    # H1: 300 every month -> 900 / 3 = 300, exactly on the A threshold
    ("P", "2026-04", "H1", "心内科", "王伟", "心脉宁片", 300),
    ("P", "2026-05", "H1", "心内科", "王伟", "心脉宁片", 300),
    ("P", "2026-06", "H1", "心内科", "王伟", "心脉宁片", 300),
    # H2: nothing in May -> (300 + 300) / 3 = 200, exactly B
    ("P", "2026-04", "H2", "心内科", "李娜", "心脉宁片", 300),
    ("P", "2026-06", "H2", "心内科", "李娜", "心脉宁片", 300),
    # H3: 100 a month -> C; the competitor's 500 does not count
    ("P", "2026-04", "H3", "心内科", "王伟", "心脉宁片", 100),
    ("P", "2026-05", "H3", "心内科", "王伟", "心脉宁片", 100),
    ("P", "2026-06", "H3", "心内科", "王伟", "心脉宁片", 100),
    ("P", "2026-06", "H3", "心内科", "赵六", "氯吡格雷片", 500),
    # H4: (120 + 90 + 87) / 3 = 99 -> D
    ("P", "2026-04", "H4", "", "", "心脉宁片", 120),
    ("P", "2026-05", "H4", "", "", "心脉宁片", 90),
    ("P", "2026-06", "H4", "", "", "心脉宁片", 87),
    # H5: 1000 a month -> A and VIP (exactly on 1000)
    ("Q", "2026-04", "H5", "神经内科", "陈明", "心脉宁片", 1000),
    ("Q", "2026-05", "H5", "神经内科", "陈明", "心脉宁片", 1000),
    ("Q", "2026-06", "H5", "神经内科", "陈明", "心脉宁片", 1000),
    # H6: a return of 50 in June -> (350 + 350 + 350 - 50) / 3 = 333.33 -> A
    ("Q", "2026-04", "H6", "心内科", "周杰", "心脉宁片", 350),
    ("Q", "2026-05", "H6", "心内科", "周杰", "心脉宁片", 350),
    ("Q", "2026-06", "H6", "心内科", "周杰", "心脉宁片", 350),
    ("Q", "2026-06", "H6", "心内科", "周杰", "心脉宁片", -50),
    # H7: only a competitor -> 0 boxes of ours, still listed, D
    ("Q", "2026-05", "H7", "心内科", "吴刚", "氯吡格雷片", 80),
]


def test_hospital_tiers_by_hand() -> None:
    result = tier_entities(sales(ROWS), settings=OURS, by="hospital")
    got = result.set_index("hospital")
    assert got.loc["H1", "boxes"] == 300 and got.loc["H1", "tier"] == "A"
    assert got.loc["H2", "boxes"] == 200 and got.loc["H2", "tier"] == "B"
    assert got.loc["H2", "months"] == 2  # active in April and June only
    assert got.loc["H3", "boxes"] == 100 and got.loc["H3", "tier"] == "C"
    assert got.loc["H4", "boxes"] == 99 and got.loc["H4", "tier"] == "D"
    assert got.loc["H5", "boxes"] == 1000 and bool(got.loc["H5", "vip"]) is True
    assert abs(got.loc["H6", "boxes"] - 1000 / 3) < 1e-9 and got.loc["H6", "tier"] == "A"
    assert got.loc["H7", "boxes"] == 0 and got.loc["H7", "tier"] == "D"
    assert got["vip"].sum() == 1
    assert got.loc["H2", "monthly"] == {"2026-04": 300.0, "2026-05": 0.0, "2026-06": 300.0}
    # sorted by boxes, largest first
    assert list(result["hospital"]) == ["H5", "H6", "H1", "H2", "H3", "H4", "H7"]


def test_latest_basis_uses_last_month() -> None:
    result = tier_entities(sales(ROWS), settings=OURS, by="hospital", basis="latest")
    got = result.set_index("hospital")["boxes"]
    assert got["H2"] == 300  # June only
    assert got["H6"] == 300  # 350 - 50
    assert got["H4"] == 87


def test_same_doctor_name_in_two_hospitals_is_two_prescribers() -> None:
    result = tier_entities(sales(ROWS), settings=OURS, by="prescriber")
    wang = result[result["prescriber"] == "王伟"].set_index("hospital")
    assert sorted(wang.index) == ["H1", "H3"]
    assert wang.loc["H1", "boxes"] == 300 and wang.loc["H3", "boxes"] == 100
    # H4 has no prescriber column values: its rows are not prescribers
    assert "" not in set(result["prescriber"])


def test_partner_and_department_levels() -> None:
    by_partner = tier_entities(sales(ROWS), settings=OURS, by="partner").set_index("partner")
    # P: (900 + 600 + 300 + 297) / 3 = 699; Q: (3000 + 1000) / 3
    assert by_partner.loc["P", "boxes"] == 699
    assert abs(by_partner.loc["Q", "boxes"] - 4000 / 3) < 1e-9
    by_dept = tier_entities(sales(ROWS), settings=OURS, by="department")
    assert set(zip(by_dept["hospital"], by_dept["department"], strict=True)) >= {("H1", "心内科")}


def test_without_ours_every_product_counts() -> None:
    result = tier_entities(sales(ROWS), settings=Settings(), by="hospital").set_index("hospital")
    assert result.loc["H3", "boxes"] == (300 + 500) / 3
    assert result.loc["H7", "boxes"] == 80 / 3


def test_summary_is_the_pareto_view() -> None:
    result = tier_entities(sales(ROWS), settings=OURS, by="hospital")
    summary = tier_summary(result, thresholds=OURS.thresholds).set_index("tier")
    assert list(summary.index) == ["A", "B", "C", "D"]
    assert summary.loc["A", "entities"] == 3  # H5, H6, H1
    assert summary.loc["D", "entities"] == 2  # H4, H7
    total = 300 + 200 + 100 + 99 + 1000 + 1000 / 3
    assert abs(summary.loc["A", "boxes"] - (1000 + 1000 / 3 + 300)) < 1e-9
    assert abs(summary["share"].sum() - 1.0) < 1e-9
    assert abs(summary.loc["B", "share"] - 200 / total) < 1e-9


def test_thresholds_are_inclusive_lower_bounds() -> None:
    values = pd.Series([0, 99.99, 100, 199.99, 200, 299.99, 300, 5000])
    tiers = assign_tiers(values, (100.0, 200.0, 300.0))
    assert list(tiers) == ["D", "D", "C", "C", "B", "B", "A", "A"]
    assert tier_labels((50.0, 500.0)) == ["A", "B", "C"]


def test_volume_deciles_by_hand() -> None:
    # ascending 10, 20, 30, 40 of 100: cumulative shares .1 .3 .6 1.0
    # -> floor(10c)+1 = 2, 4, 7, min(10, 11) = 10; a non-user is 0
    values = pd.Series([40.0, 10.0, 0.0, 30.0, 20.0], index=list("abcde"))
    assert volume_deciles(values).to_dict() == {"a": 10, "b": 2, "c": 0, "d": 7, "e": 4}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-50, max_value=5000, allow_nan=False), min_size=1, max_size=40))
def test_every_entity_gets_exactly_one_tier(values: list[float]) -> None:
    series = pd.Series(values)
    tiers = assign_tiers(series, (100.0, 200.0, 300.0))
    assert len(tiers) == len(values)
    assert set(tiers) <= {"A", "B", "C", "D"}
    for v, t in zip(values, tiers, strict=True):
        expected = "A" if v >= 300 else "B" if v >= 200 else "C" if v >= 100 else "D"
        assert t == expected
    deciles = volume_deciles(series)
    assert deciles.between(0, 10).all()
    assert (deciles[series <= 0] == 0).all()
