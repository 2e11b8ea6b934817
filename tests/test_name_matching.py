"""Hospital-name matching: ranked candidates against a master, duplicates without one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from uplift.analysis.name_matching import (
    DUPLICATE_COLUMNS,
    RANK_COLUMNS,
    Evidence,
    _Canon,
    duplicate_suggestions,
    rank_candidates,
)
from uplift.sheets.names import match_key

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from name_pairs import clean_set, pair_set

MASTER = [
    "四川大学华西医院",
    "成都市第一人民医院",
    "成都市第三人民医院",
    "桃溪社区卫生服务中心",
    "花溪社区卫生服务中心",
    "四川省妇幼保健院",
    "四川省人民医院",
    "成都市中医医院",
    "中国人民解放军联勤保障部队第九二〇医院",
    "中国人民解放军西部战区总医院",
    "成都市双流区彭镇卫生院",
]


def _top(raw: str, master: list[str] = MASTER, **kw) -> tuple[str, float, bool, list[str]]:
    found = rank_candidates([raw], master, **kw)
    row = found[found["rank"] == 1].iloc[0]
    return row["candidate"], row["score"], bool(row["sure"]), list(row["reasons"])


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("四川大学华西医院(基药)", "四川大学华西医院", "same name without (基药)"),
        ("四川大学华西医院（基药）", "四川大学华西医院", "same name without (基药)"),
        ("成都市第1人民医院", "成都市第一人民医院", "same numbers written differently"),
        ("成都市双流区彭乡卫生院", "成都市双流区彭镇卫生院", "镇 and 乡"),
        (
            "解放军第920医院",
            "中国人民解放军联勤保障部队第九二〇医院",
            "same numbers written differently",
        ),
        ("成都军区总医院", "中国人民解放军西部战区总医院", "renamed military hospital"),
        ("成都市中医院", "成都市中医医院", "same name after cleaning"),
        ("四川省人民医院有限公司", "四川省人民医院", "same name without 有限公司"),
    ],
)
def test_formatting_only_differences_are_sure(raw: str, expected: str, reason: str) -> None:
    candidate, score, sure, reasons = _top(raw)
    assert (candidate, score, sure) == (expected, 100.0, True)
    assert reason in reasons


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("成都市第一人民医院大药房", "成都市第一人民医院", "same name without 大药房"),
        ("四川省人民医院(东院区)", "四川省人民医院", "one is a branch"),
        ("华西医院", "四川大学华西医院", "one name inside the other (+四川大学)"),
        ("花西社区卫生服务中心", "花溪社区卫生服务中心", "different place: 西/溪"),
    ],
)
def test_a_pharmacy_a_branch_a_short_name_or_a_typo_ranks_first_but_is_not_sure(
    raw: str, expected: str, reason: str
) -> None:
    candidate, score, sure, reasons = _top(raw)
    assert (candidate, sure) == (expected, False)
    assert reason in reasons
    assert score < 100


def test_another_number_is_never_sure() -> None:
    found = rank_candidates(["成都市第三人民医院"], ["成都市第一人民医院"])
    assert found[["candidate", "rank", "sure"]].values.tolist() == [
        ["成都市第一人民医院", 1, False]
    ]
    assert "different numbers: 3 / 1" in found["reasons"].iloc[0]
    assert found["score"].iloc[0] <= 40


def test_another_place_is_never_sure() -> None:
    found = rank_candidates(["花溪社区卫生服务中心"], ["桃溪社区卫生服务中心"])
    assert found["sure"].tolist() == [False]
    assert "different place: 花/桃" in found["reasons"].iloc[0]


@pytest.mark.parametrize(
    "other",
    ["成都市中医医院", "成都市妇幼保健院", "成都市儿童医院", "成都市口腔医院", "成都市肿瘤医院"],
)
def test_another_specialty_is_never_sure(other: str) -> None:
    found = rank_candidates(["成都市医院"], [other])
    assert not found["sure"].any()
    assert any(r.startswith("different specialty") for r in found["reasons"].iloc[0])


def test_shared_prescribers_raise_a_candidate() -> None:
    master = ["成都市第一人民医院", "绵阳市第一人民医院"]
    plain = rank_candidates(["第一人民医院"], master)
    assert plain["candidate"].tolist() == master  # a tie, broken by the name
    assert plain["score"].iloc[0] == plain["score"].iloc[1]
    ev = Evidence(
        prescribers={"第一人民医院": {"王伟", "李娜"}, master[1]: {"王伟", "李娜", "张敏"}}
    )
    helped = rank_candidates(["第一人民医院"], master, evidence=ev)
    assert helped["candidate"].tolist() == [master[1], master[0]]
    assert "shared prescribers: 2" in helped["reasons"].iloc[0]
    assert helped["score"].iloc[0] > plain["score"].iloc[0]


def test_another_city_is_a_conflict() -> None:
    ev = Evidence(city={"第一人民医院": "绵阳市", "成都市第一人民医院": "成都"})
    found = rank_candidates(["第一人民医院"], ["成都市第一人民医院"], evidence=ev)
    assert not found["sure"].any()
    assert "different city: 绵阳 / 成都" in found["reasons"].iloc[0]


def test_evidence_keys_are_matched_after_match_key() -> None:
    ev = Evidence(city={" 华西医院 ": "成都市", "四川大学华西医院": "成都"})
    assert "same city" in _top("华西医院", evidence=ev)[3]


def test_an_empty_master_gives_an_empty_frame_with_the_columns() -> None:
    for found in (rank_candidates(["华西医院"], []), rank_candidates([], MASTER)):
        assert found.empty
        assert tuple(found.columns) == RANK_COLUMNS
    for found in (duplicate_suggestions([]), duplicate_suggestions(["华西医院"])):
        assert found.empty
        assert tuple(found.columns) == DUPLICATE_COLUMNS


def test_the_columns_and_their_types() -> None:
    found = rank_candidates(["华西医院", "华西医院", "成都市第三人民医院"], MASTER, limit=2)
    assert tuple(found.columns) == RANK_COLUMNS
    assert found["name"].tolist() == ["华西医院"] * 2 + ["成都市第三人民医院"] * 2
    assert found["rank"].tolist() == [1, 2, 1, 2]
    assert found["sure"].dtype == bool
    assert all(isinstance(r, list) and r for r in found["reasons"])


def test_a_name_is_never_its_own_duplicate() -> None:
    found = duplicate_suggestions(
        ["四川大学华西医院", "四川大学华西医院", "四川大学华西医院(基药)"]
    )
    assert found[["name", "other", "sure"]].values.tolist() == [
        ["四川大学华西医院", "四川大学华西医院(基药)", True]
    ]


def test_duplicates_find_aliases_and_nothing_else() -> None:
    names = [*MASTER, "华西医院", "成都市第1人民医院", "成都军区总医院", "花西社区卫生服务中心"]
    found = duplicate_suggestions(names)
    pairs = {frozenset((a, b)): sure for a, b, sure in found[["name", "other", "sure"]].values}
    assert pairs == {
        frozenset(("四川大学华西医院", "华西医院")): False,
        frozenset(("成都市第一人民医院", "成都市第1人民医院")): True,
        frozenset(("中国人民解放军西部战区总医院", "成都军区总医院")): True,
    }


def test_a_clean_set_has_nothing_sure_and_few_suggestions() -> None:
    hospitals = [
        "成都市第一人民医院",
        "成都市第三人民医院",
        "桃溪社区卫生服务中心",
        "花溪社区卫生服务中心",
        "四川省妇幼保健院",
        "四川省人民医院",
        "四川省肿瘤医院",
        "成都市中医医院",
        "成都市妇女儿童中心医院",
        "成都市儿童医院",
        "绵阳市第一人民医院",
    ]
    assert duplicate_suggestions(hospitals).empty
    generated = duplicate_suggestions(clean_set())
    assert not generated["sure"].any()
    assert len(generated) <= len(clean_set()) // 20


def test_long_names_are_compared_on_their_first_200_characters() -> None:
    long_name = "成都市" + "很" * 300 + "医院"
    found = duplicate_suggestions([long_name, long_name + "(基药)"])
    assert found["sure"].tolist() == [True]  # both cut to the same 200 characters


def test_canonical_keys_are_match_key() -> None:
    names = [
        "四川大学 华西医院",
        "ＡＢＣ医院",
        "Straße Klinik",
        "王\u3000伟",
        "x\ty",
        "İstanbul",
        "Ǆ医院",
    ]
    assert _Canon(names).key == [match_key(n) for n in names]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), max_size=8))
def test_canonical_keys_are_match_key_for_any_text(names: list[str]) -> None:
    assert _Canon(names).key == [match_key(n[:200]) for n in names]


HOSPITAL_TEXT = st.text(
    alphabet="成都市第一二三人民医院桃花溪社区卫生服务中心镇乡(基药)有限公司大药房中医妇幼 1",
    min_size=0,
    max_size=14,
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(HOSPITAL_TEXT, max_size=6),
    st.lists(HOSPITAL_TEXT, max_size=8),
    st.integers(min_value=1, max_value=4),
)
def test_ranks_are_ordered_and_only_rank_one_is_sure(
    unmatched: list[str], standard: list[str], limit: int
) -> None:
    found = rank_candidates(unmatched, standard, limit=limit)
    assert tuple(found.columns) == RANK_COLUMNS
    for _, group in found.groupby("name", sort=False):
        assert len(group) <= limit
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        scores = group["score"].tolist()
        assert all(0 <= s <= 100 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert not group["sure"].iloc[1:].any()
        assert group["candidate"].is_unique


def test_generated_pairs_meet_the_goals() -> None:
    ps = pair_set(600, seed=3)
    found = rank_candidates([p.raw for p in ps.pairs], ps.standard)
    top = found[found["rank"] == 1].set_index("name")
    answerable = [p for p in ps.pairs if p.expected is not None]
    right = sum(top["candidate"].get(p.raw) == p.expected for p in answerable)
    sure = [p for p in ps.pairs if p.raw in top.index and top.loc[p.raw, "sure"]]
    sure_right = sum(top.loc[p.raw, "candidate"] == p.expected for p in sure)
    assert right / len(answerable) >= 0.9
    assert len(sure) >= len(ps.pairs) // 4
    assert sure_right / len(sure) >= 0.98


def test_a_district_hospital_is_not_the_citys() -> None:
    """Text added in the middle of the place (a district) is another, lower-level hospital."""
    names = [
        "成都市中医医院",
        "成都市双流区中医医院",
        "昆明市第二人民医院",
        "昆明市盘龙区第二人民医院",
    ]
    assert duplicate_suggestions(names).empty
    found = rank_candidates(["成都市中医院"], names[:2], limit=2)
    assert found["candidate"].tolist() == names[:2]
    assert "another place inside: 双流区" in found["reasons"].iloc[1]
