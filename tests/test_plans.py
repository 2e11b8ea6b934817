"""Uplift plans: each option type's targets and estimate computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers import sales
from tests.test_gaps import visits
from uplift.analysis import plans as P
from uplift.config import settings_from_dict
from uplift.output import plan_texts as PT
from uplift.output.plan_texts import plan_hospitals
from uplift.sheets import columns as C

# VIP from 500 boxes so the fixture stays small; default rates: reach 30%, conversion
# 20%, adoption 10%, recovery 50%, event 5%; thresholds 100 / 200 / 300.
SETTINGS = settings_from_dict({"ours": ["心脉宁"], "vip": 500})
M1, M2, M3 = "2026-01", "2026-02", "2026-03"  # window: three months, "now" is 2026-03


def every_month(hospital: str, dept: str, doctor: str, product: str, boxes: float) -> list:
    return [("P", m, hospital, dept, doctor, product, boxes) for m in (M1, M2, M3)]


def by_month(hospital: str, dept: str, doctor: str, boxes: tuple[float, ...]) -> list:
    return [
        ("P", m, hospital, dept, doctor, "心脉宁", b)
        for m, b in zip((M1, M2, M3), boxes, strict=True)
    ]


SALES = sales(
    [
        # 甲医院, all 心内科 but 赵六; ours a month: 170 + 200 + 95 + 300 + 60 + 30 + 50 = 905 (VIP)
        *every_month("甲医院", "心内科", "王伟", "心脉宁", 170),  # deepen 200 - 170 = 30
        *every_month("甲医院", "心内科", "王伟", "立普妥", 100),  # convert 100 x 20% = 20
        *every_month("甲医院", "心内科", "李娜", "心脉宁", 200),  # exactly B: not deepened
        *every_month("甲医院", "心内科", "周九", "心脉宁", 95),  # deepen 100 - 95 = 5
        *every_month("甲医院", "心内科", "吴十", "心脉宁", 300),  # top tier: nothing to reach
        *by_month("甲医院", "心内科", "钱七", (90, 90, 0)),  # stopped: (90 - 0) x 50% = 45
        *by_month("甲医院", "心内科", "郑一", (40, 40, 10)),  # fell: (40 - 10) x 50% = 15
        *by_month("甲医院", "心内科", "冯二", (60, 60, 30)),  # fell by exactly half: no
        *every_month("甲医院", "心内科", "褚四", "波立维", 10),  # develop 10 x 10% = 1
        *every_month("甲医院", "神经内科", "赵六", "立普妥", 60),  # develop 60 x 10% = 6
        # 乙医院: no competitor data; ours 150 + 20 = 170
        *every_month("乙医院", "心内科", "张三", "心脉宁", 150),  # deepen 200 - 150 = 50
        *by_month("乙医院", "心内科", "孙五", (30, 30, 0)),  # win back 30 x 50% = 15
        # 丙医院: competitor data from the visit sheet, per department; ours 40
        *every_month("丙医院", "心内科", "何六", "心脉宁", 40),
    ]
)
VISITS = visits(
    [
        ("丙医院", "心内科", "", "立普妥", 200),  # 心内科 uses ours: convert 200 x 20% = 40
        ("丙医院", "老年科", "", "波立维", 100),  # white space: develop 100 x 10% = 10
    ]
)


@pytest.fixture(scope="module")
def six() -> P.PlanResult:
    return plan_hospitals(SALES, VISITS, settings=SETTINGS, options=6)


@pytest.fixture(scope="module")
def three() -> P.PlanResult:
    return plan_hospitals(SALES, VISITS, settings=SETTINGS)


def option(result: P.PlanResult, hospital: str, kind: str) -> dict:
    rows = result.options[
        (result.options[C.HOSPITAL] == hospital) & (result.options[P.TYPE] == kind)
    ]
    assert len(rows) == 1, (hospital, kind)
    return rows.iloc[0].to_dict()


def test_every_option_type_ranked_for_the_vip_hospital(six: P.PlanResult) -> None:
    mine = six.options[six.options[C.HOSPITAL] == "甲医院"]
    # vip 121, win back 60, event 50.75, deepen 35, convert 20, develop 7
    expected = pd.DataFrame(
        {
            P.RANK: [1, 2, 3, 4, 5, 6],
            P.TYPE: ["vip", "win_back", "event", "deepen", "convert", "develop"],
            P.EXTRA_BOXES: [121.0, 60.0, 50.75, 35.0, 20.0, 7.0],
            # against 905 boxes now: 13.4% high, 6.6%, 5.6%, 3.9% medium, 2.2%, 0.8% low
            P.PRIORITY: ["high", "medium", "medium", "medium", "low", "low"],
        }
    )
    pd.testing.assert_frame_equal(mine[list(expected.columns)].reset_index(drop=True), expected)


def test_deepen(six: P.PlanResult) -> None:
    got = option(six, "甲医院", "deepen")
    # 李娜 at exactly 200 is tier B: her next threshold is 300, and 200 < 300 x 70% = 210
    assert got[P.TARGETS] == ["周九", "王伟"]  # closest to the threshold first
    assert got[P.EXTRA_BOXES] == 35.0
    assert got[PT.FORMULA] == (
        "+35 boxes/month = (100 - 95) + (200 - 170): lift 2 prescribers to the next tier "
        "threshold (each within 30% below it)"
    )
    assert got[PT.EVIDENCE] == (
        "周九 95 -> 100 boxes/month (tier D -> C); 王伟 170 -> 200 boxes/month (tier C -> B)"
    )
    assert got[PT.KPI] == "next month: 周九 at 100+, 王伟 at 200+ boxes"
    assert got[P.ASSUMPTIONS] == {"reach": 0.3}
    assert "usage detail" in got[PT.ACTIONS][0]
    assert "20+ calls a week" in got[PT.ACTIONS][1]


def test_deepen_boundaries() -> None:
    rows = sales(
        [
            ("P", M1, "丁医院", "心内科", "a", "心脉宁", 140),  # 200 x 70% = 140: in reach, +60
            ("P", M1, "丁医院", "心内科", "b", "心脉宁", 139),  # just out of reach
            ("P", M1, "丁医院", "心内科", "c", "心脉宁", 200),  # exactly B: next is 300, out
            ("P", M1, "丁医院", "心内科", "d", "心脉宁", 70),  # 100 x 70% = 70: in reach, +30
            ("P", M1, "丁医院", "心内科", "e", "心脉宁", 100),  # exactly C: next 200, out
            ("P", M1, "丁医院", "心内科", "f", "心脉宁", 299),  # +1 to A
        ]
    )
    got = plan_hospitals(rows, None, settings=SETTINGS, options=6).options
    deepen = got[got[P.TYPE] == "deepen"].iloc[0]
    assert deepen[P.TARGETS] == ["f", "d", "a"]
    assert deepen[P.EXTRA_BOXES] == 1 + 30 + 60


def test_convert_at_a_prescriber(six: P.PlanResult) -> None:
    got = option(six, "甲医院", "convert")
    assert got[P.TARGETS] == ["王伟"]
    assert got["target_kinds"] == ["prescriber"]
    assert got[P.EXTRA_BOXES] == 20.0
    assert got[PT.FORMULA] == (
        "+20 boxes/month = 100 competitor boxes at 心内科 prescriber who already uses ours "
        "x 20% conversion"
    )
    assert got[PT.EVIDENCE] == "competitor boxes/month: 王伟 100 (立普妥 100)"
    # ours at 王伟 170 now, +20
    assert got[PT.KPI] == "next month: ours at 王伟 from 170 to 190 boxes/month, 立普妥 down"
    assert got[PT.ACTIONS][0].startswith("Replacement / combination talk with 王伟")
    assert "clinical evidence" in got[PT.ACTIONS][1]


def test_develop_at_prescribers(six: P.PlanResult) -> None:
    got = option(six, "甲医院", "develop")
    assert got[P.TARGETS] == ["赵六", "褚四"]  # 60 then 10 competitor boxes
    assert got[P.EXTRA_BOXES] == pytest.approx(7.0)
    assert got[PT.FORMULA] == (
        "+7 boxes/month = 70 competitor boxes at 2 prescribers with none of ours x 10% adoption"
    )
    assert got[P.ASSUMPTIONS] == {"adoption": 0.1}


def test_win_back(six: P.PlanResult) -> None:
    got = option(six, "甲医院", "win_back")
    # earlier = 2026-01..2026-02 average, now = 2026-03; 冯二 fell by exactly half: not in
    assert got[P.TARGETS] == ["钱七", "郑一"]
    assert got[P.EXTRA_BOXES] == 60.0
    assert got[PT.FORMULA] == (
        "+60 boxes/month = (90 - 0) + (40 - 10) boxes/month lost by 2 prescribers x 50% recovery"
    )
    assert got[PT.EVIDENCE] == (
        "钱七 2026-01..2026-02 average 90, 2026-03 0; 郑一 2026-01..2026-02 average 40, 2026-03 10"
    )
    assert got[PT.KPI] == "next month: 钱七、郑一 back to 70 boxes/month together (now 10)"
    assert got[PT.ACTIONS][0].startswith("Find out why with the partner")


def test_vip_joint_visits(six: P.PlanResult) -> None:
    got = option(six, "甲医院", "vip")
    # per target across options: 王伟 30 + 20 = 50, 钱七 45, 郑一 15, 赵六 6, 周九 5, 褚四 1
    assert got[P.TARGETS] == ["王伟", "钱七", "郑一", "赵六", "周九"]
    assert got[P.EXTRA_BOXES] == pytest.approx(121.0)
    assert got[PT.FORMULA] == (
        "+121 boxes/month = deepen 35 + convert / combine 20 + win back 60 + develop 6: the "
        "options' boxes at the 5 target customers for this month's joint visits"
    )
    assert got[PT.ACTIONS][0].startswith(
        "Joint visits with the partner to 王伟、钱七、郑一、赵六、周九"
    )


def test_academic_event(six: P.PlanResult) -> None:
    got = option(six, "甲医院", "event")
    # 心内科: competitors 100 + 10 = 110 > 神经内科 60; market 905 + 110 = 1,015
    assert got[P.TARGETS] == ["心内科"]
    assert got[P.EXTRA_BOXES] == pytest.approx(50.75)
    assert got[PT.FORMULA] == (
        "+50.75 boxes/month = 1,015 market boxes in 心内科 (our share 89.2%) x 5% event uplift"
    )
    assert got[P.ASSUMPTIONS] == {"event": 0.05}


def test_department_level_competitor_data(three: P.PlanResult) -> None:
    mine = three.options[three.options[C.HOSPITAL] == "丙医院"]
    assert mine[P.TYPE].tolist() == ["convert", "event", "develop"]
    assert mine[P.EXTRA_BOXES].tolist() == [40.0, 12.0, 10.0]
    assert mine[PT.FORMULA].tolist() == [
        "+40 boxes/month = 200 competitor boxes in 心内科, where ours is already used "
        "x 20% conversion",
        "+12 boxes/month = 240 market boxes in 心内科 (our share 16.7%) x 5% event uplift",
        "+10 boxes/month = 100 competitor boxes in 老年科 with none of ours x 10% adoption",
    ]
    assert mine["target_kinds"].tolist() == [["department"]] * 3


def test_summary(three: P.PlanResult, six: P.PlanResult) -> None:
    # three options at 甲医院: vip, win back, event. The VIP targets' win-back boxes
    # (45 + 15) are already counted: 121 - 60 = 61 more; 905 + 61 + 60 + 50.75 = 1,076.75.
    # 乙医院: 170 + 50 + 15 = 235 (tier C -> B). 丙医院: 40 + 40 + 12 + 10 = 102 (D -> C).
    expected = pd.DataFrame(
        {
            "market": ["all", "all", "all"],
            C.HOSPITAL: ["甲医院", "乙医院", "丙医院"],
            P.CURRENT_BOXES: [905.0, 170.0, 40.0],
            P.EXTRA_BOXES: [171.75, 65.0, 62.0],
            P.PROJECTED_BOXES: [1076.75, 235.0, 102.0],
            P.CURRENT_TIER: ["A", "C", "D"],
            P.PROJECTED_TIER: ["A", "B", "C"],
            C.VIP: [True, False, False],
            P.OPTIONS: [3, 2, 3],
            PT.REASON: ["", "only 2 options: no competitor data for this hospital", ""],
        }
    )
    pd.testing.assert_frame_equal(three.summary, expected)
    counted = three.options.loc[three.options[P.TYPE] == "vip", P.COUNTED_BOXES]
    assert counted.tolist() == [pytest.approx(61.0)]
    # all six options: every VIP box is already in another option
    assert six.summary[P.PROJECTED_BOXES].iloc[0] == pytest.approx(905 + 60 + 50.75 + 35 + 20 + 7)


def test_hospital_with_too_little_data(three: P.PlanResult) -> None:
    mine = three.options[three.options[C.HOSPITAL] == "乙医院"]
    assert mine[P.TYPE].tolist() == ["deepen", "win_back"]
    assert mine[P.EXTRA_BOXES].tolist() == [50.0, 15.0]
    # 50 / 170 = 29% high; 15 / 170 = 8.8% medium
    assert mine[P.PRIORITY].tolist() == ["high", "medium"]


def test_one_month_and_no_options_say_why() -> None:
    rows = sales([("P", M1, "戊医院", "", "", "心脉宁", 10)])
    result = plan_hospitals(rows, None, settings=SETTINGS)
    assert result.options.empty
    assert list(result.options.columns) == list(PT.PLAN_COLUMNS)
    assert result.summary[PT.REASON].tolist() == [
        "no options: no prescriber-level usage of ours; no competitor data for this hospital; "
        "only one month of data (win back compares earlier months with the last)"
    ]


def test_one_hospital_and_the_default_of_three(three: P.PlanResult) -> None:
    result = plan_hospitals(SALES, VISITS, settings=SETTINGS, hospital="甲")
    assert result.summary[C.HOSPITAL].tolist() == ["甲医院"]
    assert result.options[P.TYPE].tolist() == ["vip", "win_back", "event"]
    pd.testing.assert_frame_equal(
        result.options.reset_index(drop=True),
        three.options[three.options[C.HOSPITAL] == "甲医院"].reset_index(drop=True),
    )


def test_rates_come_from_settings() -> None:
    halved = settings_from_dict({"ours": ["心脉宁"], "vip": 500, "rates": {"conversion": 0.1}})
    result = plan_hospitals(SALES, VISITS, settings=halved, hospital="丙医院")
    got = option(result, "丙医院", "convert")
    assert got[P.EXTRA_BOXES] == 20.0
    assert got[P.ASSUMPTIONS] == {"conversion": 0.1}
    assert "x 10% conversion" in got[PT.FORMULA]


def test_deterministic(three: P.PlanResult) -> None:
    again = plan_hospitals(SALES.sample(frac=1, random_state=3), VISITS, settings=SETTINGS)
    pd.testing.assert_frame_equal(again.options, three.options)
    pd.testing.assert_frame_equal(again.summary, three.summary)


def test_formula_number_format() -> None:
    assert PT.fmt_boxes(46.0) == "46"
    assert PT.fmt_boxes(1234.5) == "1,234.5"
    assert PT.fmt_boxes(112.25) == "112.25"
    assert PT.fmt_boxes(-0.001) == "0"


def test_hospital_known_only_from_visits() -> None:
    rows = sales([("P", M1, "甲医院", "心内科", "王伟", "心脉宁", 50)])
    comp = visits([("庚医院", "心内科", "", "立普妥", 80), ("庚医院", "", "", "波立维", 20)])
    result = plan_hospitals(rows, comp, settings=SETTINGS)
    mine = result.options[result.options[C.HOSPITAL] == "庚医院"]
    # nothing of ours there: 心内科 80 and the hospital-level 20 are all development,
    # (80 + 20) x 10% = 10; event in 心内科: market 80 x 5% = 4
    assert mine[P.TYPE].tolist() == ["develop", "event"]
    assert mine[P.EXTRA_BOXES].tolist() == [10.0, 4.0]
    assert mine[P.TARGETS].tolist() == [["心内科", "庚医院"], ["心内科"]]
    assert mine["target_kinds"].tolist() == [["department", "hospital"], ["department"]]
    assert mine[PT.FORMULA].iloc[0] == (
        "+10 boxes/month = 100 competitor boxes at 心内科 and the rest of the hospital "
        "(hospital-level figures) with none of ours x 10% adoption"
    )
    row = result.summary.set_index(C.HOSPITAL).loc["庚医院"]
    assert (row[P.CURRENT_BOXES], row[P.PROJECTED_BOXES]) == (0.0, 14.0)


def test_empty_sales_give_empty_frames() -> None:
    result = plan_hospitals(C.empty_sales(), None, settings=SETTINGS)
    assert result.options.empty
    assert result.summary.empty
    assert list(result.summary.columns) == list(PT.SUMMARY_COLUMNS)


def test_texts_render_as_privacy_renders_them() -> None:
    from uplift.store.privacy import render_texts

    names = ["王伟", "⟦0⟧李娜", "心内科"]
    template = {
        "formula": "+12 boxes/month = ⟦0⟧⟦1⟧ at ⟦2⟧",
        "evidence": "⟦１⟧ (a full-width index) and no other token ⟦x⟧ ⟦",
        "kpi": "no token at all",
        "actions": ["Visit ⟦0⟧", "⟦2⟧", ""],
    }
    rendered = PT._rendered(template, names)
    assert rendered == render_texts(template, names)
    assert rendered["formula"] == "+12 boxes/month = 王伟⟦0⟧李娜 at 心内科"
    assert rendered["evidence"] == "⟦0⟧李娜 (a full-width index) and no other token ⟦x⟧ ⟦"
    assert rendered["actions"] == ["Visit 王伟", "心内科", ""]
