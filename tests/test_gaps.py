"""Competitor gaps computed by hand on a small fixture."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.helpers import sales
from uplift.analysis import gaps as G
from uplift.analysis.gaps import (
    UnknownHospital,
    competitor_gaps,
    gap_table,
    list_markets,
    market_rows,
    opportunity_facts,
    segments,
    share_bands,
)
from uplift.config import Market, settings_from_dict
from uplift.sheets import columns as C

# Ours is written full-width in the settings; the sheets carry the half-width name.
OURS = settings_from_dict({"ours": ["心脉宁（片）"]})
MONTHS = ["2026-01", "2026-02"]


def visits(rows: list[tuple]) -> pd.DataFrame:
    """Competitor (field visit) rows from (hospital, department, prescriber, product, boxes)."""
    frame = pd.DataFrame(rows, columns=[C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT, C.BOXES])
    frame[C.SOURCE_FILE] = "visits.xlsx"
    frame[C.SHEET] = "竞品"
    frame[C.ROW] = range(2, len(frame) + 2)
    return C.conform(frame, C.COMPETITOR_COLUMNS)


# Window 2026-01..2026-02: two months, every sheet figure is total / 2.
SALES = sales(
    [
        # 甲医院: competitor use in the sheets, per prescriber
        # 王伟 uses both: ours 120 / 2 = 60, 立普妥 60 / 2 = 30 -> conversion 30
        ("P", "2026-01", "甲医院", "心内科", "王伟", "心脉宁(片)", 60),
        ("P", "2026-02", "甲医院", "心内科", "王伟", "心脉宁(片)", 60),
        ("P", "2026-01", "甲医院", "心内科", "王伟", "立普妥", 30),
        ("P", "2026-02", "甲医院", "心内科", "王伟", "立普妥", 30),
        # 李娜 only a competitor, in a department that uses ours: 90 / 2 = 45 development
        ("P", "2026-01", "甲医院", "心内科", "李娜", "波立维", 90),
        # 神经内科 only competitor use (white space): 100 / 2 = 50 development
        ("P", "2026-01", "甲医院", "神经内科", "赵六", "立普妥", 50),
        ("P", "2026-02", "甲医院", "神经内科", "赵六", "立普妥", 50),
        # 乙医院: ours only in the sheets (100 / 2 = 50); competitors from the visit sheet
        ("P", "2026-02", "乙医院", "心内科", "张三", "心脉宁(片)", 100),
        # 丙医院: no competitor data at all, hospital-level sheet: 20 / 2 = 10
        ("P", "2026-01", "丙医院", "", "", "心脉宁(片)", 10),
        ("P", "2026-02", "丙医院", "", "", "心脉宁(片)", 10),
    ]
)
VISITS = visits(
    [
        # the sheets cover 甲医院 + 立普妥: this visit figure is ignored
        ("甲医院", "心内科", "", "立普妥", 500),
        # not in the sheets: counted, department level; 心内科 uses ours -> conversion 15
        ("甲医院", "心内科", "", "阿司匹林", 15),
        # 乙医院: department level only
        ("乙医院", "心内科", "", "立普妥", 150),
        ("乙医院", "老年科", "", "波立维", 50),
    ]
)


def gaps(**kwargs: object) -> pd.DataFrame:
    return competitor_gaps(SALES, VISITS, settings=OURS, **kwargs)  # type: ignore[arg-type]


def test_full_width_settings_match_half_width_products() -> None:
    assert OURS.ours == frozenset({"心脉宁(片)"})
    facts = opportunity_facts(
        SALES, VISITS, settings=OURS, market=list_markets(OURS)[0], months=MONTHS
    )
    ours = facts[facts[G.ROLE] == G.OURS]
    assert set(ours[C.PRODUCT]) == {"心脉宁(片)"}


def test_full_width_product_in_the_sheets_is_ours_too() -> None:
    half = settings_from_dict({"ours": ["心脉宁(片)"]})
    rows = sales([("P", "2026-01", "甲医院", "心内科", "王伟", "心脉宁（片）", 10)])
    result = competitor_gaps(rows, None, settings=half)
    assert result[G.OURS_BOXES].tolist() == [10.0]


def test_hospitals_ranked_by_opportunity() -> None:
    result = gaps()
    # 甲医院: ours 60; 立普妥 30 + 50 = 80, 波立维 45, 阿司匹林 15 -> competitors 140,
    #   market 200, share 60 / 200 = 0.3, 立普妥 leads with 80 > 60: rank 2, gap 20;
    #   conversion 30 (王伟) + 15 (阿司匹林 in 心内科) = 45; development 45 + 50 = 95.
    # 乙医院: ours 50; 立普妥 150, 波立维 50 -> 200, market 250, share 0.2, rank 2,
    #   gap 100; conversion 150 (心内科 uses ours), development 50 (老年科).
    # 丙医院: ours 10, no competitor data: every competitor figure unknown (NaN), share
    #   too (not 100%), nothing invented. Opportunity: 乙 200 > 甲 140 > 丙 unknown.
    expected = pd.DataFrame(
        {
            C.HOSPITAL: ["乙医院", "甲医院", "丙医院"],
            G.OURS_BOXES: [50.0, 60.0, 10.0],
            G.COMPETITOR_BOXES: [200.0, 140.0, float("nan")],
            G.MARKET_BOXES: [250.0, 200.0, float("nan")],
            G.SHARE: [0.2, 0.3, float("nan")],
            G.RANK: [2, 2, 0],
            G.LEADER: ["立普妥", "立普妥", ""],
            G.LEADER_BOXES: [150.0, 80.0, float("nan")],
            G.GAP_TO_LEADER: [100.0, 20.0, float("nan")],
            G.CONVERSION_BOXES: [150.0, 45.0, float("nan")],
            G.DEVELOPMENT_BOXES: [50.0, 95.0, float("nan")],
            G.OPPORTUNITY_BOXES: [200.0, 140.0, float("nan")],
            G.COMPETITOR_SOURCE: ["visits", "sheets+visits", "none"],
            G.COMPETITOR_LEVEL: ["department", "prescriber", "none"],
        }
    )
    pd.testing.assert_frame_equal(result[list(expected.columns)], expected)
    assert result[G.COMPETITORS].tolist() == [
        {"立普妥": 150.0, "波立维": 50.0},
        {"立普妥": 80.0, "波立维": 45.0, "阿司匹林": 15.0},
        {},
    ]
    assert result[G.WHITESPACE_DEPARTMENTS].tolist() == [["老年科"], ["神经内科"], []]
    assert result[G.WHITESPACE].tolist() == [
        [{"department": "老年科", "competitor_boxes": 50.0}],
        [{"department": "神经内科", "competitor_boxes": 50.0}],
        [],
    ]
    assert set(result[G.LEVEL]) == {"hospital"}
    assert set(result[G.MARKET]) == {G.DEFAULT_MARKET}
    assert list(result.columns) == list(G.GAP_COLUMNS)


def test_segments_in_the_listing() -> None:
    result = gaps()
    # market boxes 250 and 200 (丙's is unknown and left out): median 225, so 乙 has high
    # potential; shares 20% and 30% are high (>= 5%): 乙 defend, 甲 maintain. 丙 has no
    # competitor figure, so no share, band or segment: "" rather than a guessed "defend".
    assert result[G.SHARE_BAND].tolist() == [">10%", ">10%", ""]
    assert result[G.SEGMENT].tolist() == ["defend", "maintain", ""]


def test_segment_matrix_every_quadrant() -> None:
    market = pd.Series([400.0, 300.0, 100.0, 50.0, 80.0])
    share = pd.Series([0.02, 0.10, 0.05, 0.0099, float("nan")])
    # median of the known markets 400, 300, 100, 50 = 200
    assert segments(market, share).tolist() == ["grow", "defend", "maintain", "low", ""]
    assert share_bands(share).tolist() == ["1-5%", ">10%", "5-10%", "<1%", ""]
    bounds = pd.Series([0.0, 0.01, 0.049, 0.05, 0.0999, 0.1])
    assert share_bands(bounds).tolist() == ["<1%", "1-5%", "1-5%", "5-10%", "5-10%", ">10%"]


def test_drill_down_prescriber_level_hospital() -> None:
    result = gaps(hospital="甲医院")
    assert result[G.LEVEL].tolist() == [
        "hospital",
        "department",
        "department",
        "prescriber",
        "prescriber",
        "prescriber",
    ]
    depts = result[result[G.LEVEL] == "department"]
    # 心内科: ours 60; 立普妥 30, 波立维 45, 阿司匹林 15 = 90; conversion 30 + 15, development 45
    # 神经内科: ours 0; 立普妥 50, all development, white space
    expected = pd.DataFrame(
        {
            C.DEPARTMENT: ["心内科", "神经内科"],
            G.OURS_BOXES: [60.0, 0.0],
            G.COMPETITOR_BOXES: [90.0, 50.0],
            G.MARKET_BOXES: [150.0, 50.0],
            G.SHARE: [0.4, 0.0],
            G.CONVERSION_BOXES: [45.0, 0.0],
            G.DEVELOPMENT_BOXES: [45.0, 50.0],
            G.LEADER: ["波立维", "立普妥"],
            G.RANK: [1, 2],
        }
    )
    pd.testing.assert_frame_equal(depts[list(expected.columns)].reset_index(drop=True), expected)
    assert depts[G.WHITESPACE_DEPARTMENTS].tolist() == [[], ["神经内科"]]
    docs = result[result[G.LEVEL] == "prescriber"]
    # 赵六 50 development and 李娜 45 development outrank 王伟's 30 conversion
    expected = pd.DataFrame(
        {
            C.PRESCRIBER: ["赵六", "李娜", "王伟"],
            C.DEPARTMENT: ["神经内科", "心内科", "心内科"],
            G.OURS_BOXES: [0.0, 0.0, 60.0],
            G.COMPETITOR_BOXES: [50.0, 45.0, 30.0],
            G.SHARE: [0.0, 0.0, 60.0 / 90.0],
            G.CONVERSION_BOXES: [0.0, 0.0, 30.0],
            G.DEVELOPMENT_BOXES: [50.0, 45.0, 0.0],
        }
    )
    pd.testing.assert_frame_equal(docs[list(expected.columns)].reset_index(drop=True), expected)


def test_visit_only_hospital_never_gets_prescriber_competitor_figures() -> None:
    result = gaps(hospital="乙医院")
    head = result[result[G.LEVEL] == "hospital"].iloc[0]
    assert head[G.COMPETITOR_SOURCE] == "visits"
    assert head[G.COMPETITOR_LEVEL] == "department"
    assert head[G.SEGMENT] == "defend"  # its segment among all hospitals
    depts = result[result[G.LEVEL] == "department"]
    assert depts[C.DEPARTMENT].tolist() == ["心内科", "老年科"]
    assert depts[G.CONVERSION_BOXES].tolist() == [150.0, 0.0]
    assert depts[G.DEVELOPMENT_BOXES].tolist() == [0.0, 50.0]
    doc = result[result[G.LEVEL] == "prescriber"].iloc[0]
    assert doc[C.PRESCRIBER] == "张三"
    assert doc[G.OURS_BOXES] == 50.0
    for col in (G.COMPETITOR_BOXES, G.MARKET_BOXES, G.SHARE, G.CONVERSION_BOXES):
        assert math.isnan(doc[col])
    assert doc[G.LEADER] == ""
    assert doc[G.RANK] == 0
    assert doc[G.COMPETITORS] == {}
    assert doc[G.COMPETITOR_SOURCE] == "none"
    assert doc[G.COMPETITOR_LEVEL] == "department"


def test_hospital_without_competitor_data_invents_nothing() -> None:
    result = gaps(hospital="丙医院")
    assert result[G.LEVEL].tolist() == ["hospital"]  # no department or prescriber rows
    row = result.iloc[0]
    assert row[G.OURS_BOXES] == 10.0
    for col in (G.SHARE, G.COMPETITOR_BOXES, G.MARKET_BOXES, G.OPPORTUNITY_BOXES):
        assert math.isnan(row[col]), col  # unknown, not 100% or 0
    assert (row[G.SHARE_BAND], row[G.SEGMENT], row[G.RANK]) == ("", "", 0)
    assert row[G.COMPETITOR_SOURCE] == "none"


def test_by_department_and_prescriber_listings() -> None:
    depts = gaps(by="department")
    # opportunity: 乙/心内科 150, 甲/心内科 90, 甲/神经内科 50, 乙/老年科 50 (market 50 each:
    # tie broken by name), 乙 has no department-less rows; 丙 has no department at all
    assert list(zip(depts[C.HOSPITAL], depts[C.DEPARTMENT], strict=True)) == [
        ("乙医院", "心内科"),
        ("甲医院", "心内科"),
        ("乙医院", "老年科"),
        ("甲医院", "神经内科"),
    ]
    docs = gaps(by="prescriber")
    assert docs[C.PRESCRIBER].tolist() == ["赵六", "李娜", "王伟", "张三"]
    assert math.isnan(docs[G.OPPORTUNITY_BOXES].iloc[-1])  # 张三: competitor data unknown
    assert docs[G.SEGMENT].iloc[-1] == ""


def test_drill_down_by_department_only() -> None:
    result = gaps(hospital="甲医院", by="department")
    assert result[G.LEVEL].tolist() == ["hospital", "department", "department"]


def test_hospital_name_matching() -> None:
    assert gaps(hospital=" 甲医院 ")[C.HOSPITAL].iloc[0] == "甲医院"
    assert gaps(hospital="丙")[C.HOSPITAL].iloc[0] == "丙医院"
    with pytest.raises(UnknownHospital, match=r'no hospital "丁医院"; did you mean: '):
        gaps(hospital="丁医院")
    with pytest.raises(UnknownHospital, match=r"甲医院, 乙医院|乙医院, 甲医院"):
        gaps(hospital="医院")


def test_unknown_market_lists_the_markets() -> None:
    with pytest.raises(Exception, match='no market "x"; markets: all'):
        gaps(market="x")


TWO = settings_from_dict(
    {
        "markets": {
            "心血管": {"ours": ["心脉宁(片)"], "competitors": ["立普妥", "波立维", "阿司匹林"]},
            "消化": {"ours": ["胃康"], "competitors": ["奥美拉唑"]},
        }
    }
)
TWO_SALES = pd.concat(
    [
        SALES,
        sales(
            [
                # 消化: 甲医院 ours 40 / 2 = 20, 奥美拉唑 20 / 2 = 10 at the same prescriber
                ("P", "2026-01", "甲医院", "消化内科", "孙八", "胃康", 20),
                ("P", "2026-02", "甲医院", "消化内科", "孙八", "胃康", 20),
                ("P", "2026-01", "甲医院", "消化内科", "孙八", "奥美拉唑", 20),
                # in no market: never counted
                ("P", "2026-01", "甲医院", "消化内科", "孙八", "维生素C", 999),
            ]
        ),
    ],
    ignore_index=True,
)


def test_two_markets_are_analysed_separately() -> None:
    result = competitor_gaps(TWO_SALES, VISITS, settings=TWO)
    assert list(dict.fromkeys(result[G.MARKET])) == ["心血管", "消化"]
    heart = result[result[G.MARKET] == "心血管"]
    assert heart[C.HOSPITAL].tolist() == ["乙医院", "甲医院", "丙医院"]
    assert heart[G.OURS_BOXES].tolist() == [50.0, 60.0, 10.0]  # 胃康 is not in it
    assert heart[G.COMPETITOR_BOXES].tolist()[:2] == [200.0, 140.0]
    assert math.isnan(heart[G.COMPETITOR_BOXES].tolist()[2])  # 丙: no competitor data
    gut = result[result[G.MARKET] == "消化"]
    assert gut[C.HOSPITAL].tolist() == ["甲医院"]
    row = gut.iloc[0]
    # ours 20, 奥美拉唑 10: market 30, share 2/3, all conversion (孙八 uses ours)
    assert (row[G.OURS_BOXES], row[G.COMPETITOR_BOXES], row[G.MARKET_BOXES]) == (
        20.0,
        10.0,
        30.0,
    )
    assert row[G.SHARE] == pytest.approx(2 / 3)
    assert row[G.CONVERSION_BOXES] == 10.0
    only = competitor_gaps(TWO_SALES, VISITS, settings=TWO, market="消化")
    pd.testing.assert_frame_equal(only, gut.reset_index(drop=True))


def test_market_rows() -> None:
    assert len(market_rows(TWO_SALES, TWO, "消化")) == 3
    assert len(market_rows(TWO_SALES, TWO)) == len(TWO_SALES) - 1  # 维生素C is in no market
    assert len(market_rows(TWO_SALES, OURS)) == len(TWO_SALES)  # one market: everything


def test_default_market() -> None:
    assert list_markets(OURS) == (Market(name="all", ours=frozenset({"心脉宁(片)"})),)
    assert list_markets(TWO) == TWO.markets


def test_without_an_ours_list_every_sheet_product_is_ours() -> None:
    result = competitor_gaps(SALES, VISITS, settings=settings_from_dict({}))
    # every sheet product counts as ours; only the visit products the sheets never name
    # (阿司匹林 at 甲医院, none at 乙医院 ... 立普妥 and 波立维 are sheet products) compete
    first = result.set_index(C.HOSPITAL)
    assert first.loc["甲医院", G.OURS_BOXES] == 60.0 + 30.0 + 45.0 + 50.0
    assert first.loc["甲医院", G.COMPETITOR_BOXES] == 15.0
    assert math.isnan(first.loc["乙医院", G.COMPETITOR_BOXES])  # none known there


def test_empty_input_gives_the_columns() -> None:
    result = competitor_gaps(C.empty_sales(), None, settings=OURS)
    assert result.empty
    assert list(result.columns) == list(G.GAP_COLUMNS)


def test_inputs_are_not_mutated() -> None:
    before_sales, before_visits = SALES.copy(), VISITS.copy()
    gaps()
    gaps(hospital="甲医院")
    pd.testing.assert_frame_equal(SALES, before_sales)
    pd.testing.assert_frame_equal(VISITS, before_visits)


# Properties ---------------------------------------------------------------------------------

NAMES = st.sampled_from(["", "甲", "乙"])
PRODUCTS = st.sampled_from(["心脉宁(片)", "立普妥", "波立维"])
BOXES = st.integers(min_value=-5, max_value=200).map(float)
SALE = st.tuples(
    st.sampled_from(MONTHS),
    st.sampled_from(["H1", "H2", "H3"]),
    NAMES,
    NAMES,
    PRODUCTS,
    BOXES,
)
VISIT = st.tuples(
    st.sampled_from(["H1", "H2", "H4"]),
    NAMES,
    NAMES,
    st.sampled_from(["立普妥", "波立维", "阿司匹林"]),
    st.integers(min_value=0, max_value=200).map(float),
)


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SALE, min_size=1, max_size=25), st.lists(VISIT, max_size=8))
def test_opportunity_split_always_adds_up(sale_rows: list, visit_rows: list) -> None:
    frame = sales([("P", m, h, d, p, prod, b) for m, h, d, p, prod, b in sale_rows])
    comp = visits(visit_rows)
    facts = opportunity_facts(
        frame, comp, settings=OURS, market=list_markets(OURS)[0], months=MONTHS
    )
    total_competitor = facts.loc[facts[G.ROLE] == G.COMPETITOR, C.BOXES].sum()
    hospitals = gap_table(facts, "hospital")
    # conversion + development is every competitor box, at every known row
    assert hospitals[G.COMPETITOR_BOXES].sum() == pytest.approx(total_competitor)
    for level in G.LEVELS:
        table = gap_table(facts, level)  # type: ignore[arg-type]
        known = table[table[G.COMPETITOR_BOXES].notna()]
        split = known[G.CONVERSION_BOXES] + known[G.DEVELOPMENT_BOXES]
        assert split.to_numpy() == pytest.approx(known[G.COMPETITOR_BOXES].to_numpy())
        assert ((known[G.SHARE] >= 0) & (known[G.SHARE] <= 1)).all()
        assert (known[G.GAP_TO_LEADER] >= 0).all()
        # prescriber rows only ever show prescriber-level competitor figures
        if level == "prescriber":
            presc_comp = facts[(facts[G.ROLE] == G.COMPETITOR) & (facts[C.PRESCRIBER] != "")]
            assert known[G.COMPETITOR_BOXES].sum() == pytest.approx(presc_comp[C.BOXES].sum())
    assert hospitals[C.HOSPITAL].is_unique


@hsettings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1e6),
            st.one_of(st.floats(min_value=0, max_value=1), st.just(float("nan"))),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_every_known_row_gets_one_segment(rows: list[tuple[float, float]]) -> None:
    market = pd.Series([m for m, _ in rows])
    share = pd.Series([s for _, s in rows])
    labels = segments(market, share)
    bands = share_bands(share)
    for label, band, s in zip(labels, bands, share, strict=True):
        if math.isnan(s):
            assert (label, band) == ("", "")
        else:
            assert label in G.SEGMENTS
            assert band in G.SHARE_BANDS
            assert (label in ("defend", "maintain")) == (s >= 0.05)
