"""Growth bridge, breadth x depth and monthly trend, on hand-computed fixtures."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from uplift.analysis.growth import (
    BRIDGE_LINES,
    CATEGORIES,
    GRID,
    SPECIAL,
    breadth_depth,
    growth_bridge,
    monthly_trend,
    parse_period,
)
from uplift.config import Market, Settings
from uplift.errors import NoData, UsageError
from uplift.output.views.growth import GROWTH_KEYS, growth_keys, show_growth
from uplift.sheets.columns import conform

OURS, RIVAL = "心脉宁片", "氯吡格雷片"
SETTINGS = Settings(ours=frozenset({OURS}))


def sales_frame(records: list[tuple]) -> pd.DataFrame:
    """Canonical sales rows from (partner, month, hospital, department, prescriber,
    product, boxes[, unit]) tuples."""
    cols = ["partner", "month", "hospital", "department", "prescriber", "product", "boxes"]
    df = pd.DataFrame([r[:7] for r in records], columns=cols)
    df["unit"] = [r[7] if len(r) > 7 else "盒" for r in records]
    df["quantity"] = df["boxes"]
    df["spec"] = ""
    df["source_file"] = "sales.xlsx"
    df["sheet"] = "Sheet1"
    df["row"] = range(2, len(df) + 2)
    return conform(df)


A, B = "甲", "乙"
H1, H2, H3, H3_NEW = "市一院", "县医院", "人民医院", "市人民医院"
CARDIO = "心内科"

# Three months, two partners. Compared by default: 2026-03 (end) against 2026-02 (start).
ROWS = [
    (A, "2026-01", H1, CARDIO, "陈刚", OURS, 7),
    (A, "2026-01", H3, CARDIO, "周杰", OURS, 6),
    (B, "2026-01", H2, CARDIO, "孙强", OURS, 35),
    (A, "2026-02", H1, CARDIO, "王伟", OURS, 10),
    (A, "2026-02", H1, CARDIO, "王伟", RIVAL, 8),
    (A, "2026-02", H1, CARDIO, "李娜", OURS, 20),
    (A, "2026-02", H1, CARDIO, "赵丽", OURS, 30),
    (A, "2026-02", H1, CARDIO, "吴芳", OURS, 5),
    (A, "2026-02", H1, CARDIO, "郑洁", OURS, 10),
    (A, "2026-02", H3, CARDIO, "周杰", OURS, 6),
    (B, "2026-02", H2, CARDIO, "孙强", OURS, 40),
    # 2026-03: partner 乙 sent nothing; 人民医院 now appears as 市人民医院
    (A, "2026-03", H1, CARDIO, "王伟", OURS, 15),
    (A, "2026-03", H1, CARDIO, "王伟", RIVAL, 5),
    (A, "2026-03", H1, CARDIO, "张敏", OURS, 12),
    (A, "2026-03", H1, CARDIO, "陈刚", OURS, 9),
    (A, "2026-03", H1, CARDIO, "赵丽", OURS, 25),
    (A, "2026-03", H1, CARDIO, "赵丽", RIVAL, 4),
    (A, "2026-03", H1, CARDIO, "吴芳", OURS, 0, "支"),  # counted in 支, not converted
    (A, "2026-03", H1, CARDIO, "郑洁", OURS, 10),
    (A, "2026-03", H3_NEW, CARDIO, "周杰", OURS, 8),
]


def bridge_frame(records: list[tuple], keys: list[str]) -> pd.DataFrame:
    cols = [*keys, "start_boxes", "end_boxes", "change", "category"]
    cols += ["switched_from_competitors", "switched_to_competitors"]
    df = pd.DataFrame(records, columns=cols)
    for c in cols[len(keys) : len(keys) + 3] + cols[-2:]:
        df[c] = df[c].astype("float64")
    for c in [*keys, "category"]:
        df[c] = df[c].astype("str")
    return df


# Periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2026-04", ["2026-04"]),
        ("2026-4", ["2026-04"]),
        (" 2026-11..2027-01 ", ["2026-11", "2026-12", "2027-01"]),
        ("２０２６-０４..2026-05", ["2026-04", "2026-05"]),
    ],
)
def test_parse_period(text: str, months: list[str]) -> None:
    assert parse_period(text) == months


@pytest.mark.parametrize("text", ["", "2026", "2026-13", "April", "2026-04..", "2026-06..2026-04"])
def test_parse_period_rejects_bad_input(text: str) -> None:
    with pytest.raises(UsageError):
        parse_period(text)


def test_periods_must_exist_and_be_in_order() -> None:
    sales = sales_frame(ROWS)
    with pytest.raises(UsageError, match="must come before"):
        growth_bridge(sales, settings=SETTINGS, start=["2026-03"], end=["2026-02"])
    with pytest.raises(UsageError, match="no sales rows in the end period 2026-09"):
        growth_bridge(sales, settings=SETTINGS, end=["2026-09"])
    with pytest.raises(NoData, match="two months"):
        growth_bridge(sales_frame(ROWS[:3]), settings=SETTINGS)


# The bridge, by hand ---------------------------------------------------------------------


def test_bridge_by_prescriber_by_hand() -> None:
    rows, totals = growth_bridge(sales_frame(ROWS), settings=SETTINGS, by="prescriber")
    # 2026-02 -> 2026-03 per prescriber (our product only):
    #   孙强   40 -> 0   partner 乙 sent no rows in 2026-03: not reported, not lost
    #   李娜   20 -> 0   lost (partner 甲 did report 2026-03)
    #   张敏    0 -> 12  appears: new
    #   陈刚    0 -> 9   comes back (7 in 2026-01, none in 2026-02): new
    #   周杰@市人民医院 0 -> 8 and 周杰@人民医院 6 -> 0: the hospital was renamed
    #   吴芳    5 -> 0   rows now in 支 (boxes 0): unit change, not lost
    #   王伟   10 -> 15  grown 5; competitor 8 -> 5 lost 3: 3 switched from competitors
    #   赵丽   30 -> 25  declined 5; competitor 0 -> 4 gained 4: 4 switched to competitors
    #   郑洁   10 -> 10  unchanged
    expected = bridge_frame(
        [
            (H2, "孙强", 40, 0, -40, "not_reported", 0, 0),
            (H1, "李娜", 20, 0, -20, "lost", 0, 0),
            (H1, "张敏", 0, 12, 12, "new", 0, 0),
            (H1, "陈刚", 0, 9, 9, "new", 0, 0),
            (H3_NEW, "周杰", 0, 8, 8, "possible_rename", 0, 0),
            (H3, "周杰", 6, 0, -6, "possible_rename", 0, 0),
            (H1, "吴芳", 5, 0, -5, "unit_change", 0, 0),
            (H1, "王伟", 10, 15, 5, "grown", 3, 0),
            (H1, "赵丽", 30, 25, -5, "declined", 0, 4),
            (H1, "郑洁", 10, 10, 0, "unchanged", 0, 0),
        ],
        ["hospital", "prescriber"],
    )
    assert_frame_equal(rows[expected.columns], expected)
    assert rows["note"].tolist()[:7] == [
        "no rows from 乙 in 2026-03",
        "",
        "",
        "",
        "renamed from 人民医院?",
        "renamed to 市人民医院?",
        "unit 盒 in 2026-02, 支 in 2026-03",
    ]
    # start 10+20+30+5+10+6+40 = 121; end 15+12+9+25+0+10+8 = 79
    # 121 + new 21 + grown 5 - declined 5 - lost 20 - 40 (not reported) + 2 (rename)
    #     - 5 (unit change) = 79
    assert {k: v for k, v in totals.items() if k != "entities"} == {
        "start": 121.0,
        "new": 21.0,
        "grown": 5.0,
        "declined": 5.0,
        "lost": 20.0,
        "not_reported": -40.0,
        "possible_rename": 2.0,
        "unit_change": -5.0,
        "end": 79.0,
        "switched_from_competitors": 3.0,
        "switched_to_competitors": 4.0,
    }
    assert totals["entities"] == {
        "new": 2,
        "grown": 1,
        "declined": 1,
        "lost": 1,
        "unchanged": 1,
        "not_reported": 1,
        "possible_rename": 2,
        "unit_change": 1,
        "start": 7,
        "end": 6,
    }


def test_bridge_by_hospital_and_partner_by_hand() -> None:
    sales = sales_frame(ROWS)
    rows, totals = growth_bridge(sales, settings=SETTINGS, by="hospital")
    # 市一院: 10+20+30+5+10 = 75 -> 15+12+9+25+0+10 = 71, declined 4;
    #   competitors there 8 -> 5+4 = 9 gained 1: 1 switched to competitors
    expected = bridge_frame(
        [
            (H2, 40, 0, -40, "not_reported", 0, 0),
            (H3_NEW, 0, 8, 8, "possible_rename", 0, 0),
            (H3, 6, 0, -6, "possible_rename", 0, 0),
            (H1, 75, 71, -4, "declined", 0, 1),
        ],
        ["hospital"],
    )
    assert_frame_equal(rows[expected.columns], expected)
    assert (totals["start"], totals["declined"], totals["end"]) == (121.0, 4.0, 79.0)

    rows, totals = growth_bridge(sales, settings=SETTINGS, by="partner")
    # 甲: 10+20+30+5+10+6 = 81 -> 79; 乙: 40 -> nothing sent
    expected = bridge_frame(
        [(B, 40, 0, -40, "not_reported", 0, 0), (A, 81, 79, -2, "declined", 0, 1)],
        ["partner"],
    )
    assert_frame_equal(rows[expected.columns], expected)
    assert rows["partners"].tolist() == [B, A]
    assert (totals["lost"], totals["not_reported"]) == (0.0, -40.0)


def test_prescriber_who_comes_back_was_lost_the_month_before() -> None:
    rows, totals = growth_bridge(
        sales_frame(ROWS), settings=SETTINGS, by="prescriber", start=["2026-01"], end=["2026-02"]
    )
    by_name = rows.set_index("prescriber")["category"]
    # 陈刚 7 -> 0 in 2026-02 while his partner 甲 reported: lost
    assert by_name["陈刚"] == "lost"
    # 孙强 35 -> 40; 王伟, 李娜, 赵丽, 吴芳, 郑洁 appear: 10+20+30+5+10 = 75 new
    assert by_name["孙强"] == "grown"
    assert (totals["new"], totals["grown"], totals["lost"]) == (75.0, 5.0, 7.0)


def test_partner_back_after_a_gap_is_not_new() -> None:
    # 乙 sent nothing for 2026-03; its 2026-04 volume is not new business
    extra = [
        (B, "2026-04", H2, CARDIO, "孙强", OURS, 38),
        (A, "2026-04", H1, CARDIO, "王伟", OURS, 15),
    ]
    rows, totals = growth_bridge(sales_frame(ROWS + extra), settings=SETTINGS, by="prescriber")
    row = rows.set_index("prescriber").loc["孙强"]
    assert (row["category"], row["change"]) == ("not_reported", 38.0)
    assert row["note"] == "no rows from 乙 in 2026-03"
    assert totals["new"] == 0.0


def test_different_hospital_names_are_no_rename() -> None:
    renamed = [r if r[2] != H3_NEW else (*r[:2], "县中医院", *r[3:]) for r in ROWS]
    rows, _ = growth_bridge(sales_frame(renamed), settings=SETTINGS, by="hospital")
    assert rows.set_index("hospital")["category"].to_dict() == {
        H2: "not_reported",
        "县中医院": "new",
        H3: "lost",
        H1: "declined",
    }


def test_ranges_compare_average_monthly_boxes() -> None:
    rows, totals = growth_bridge(
        sales_frame(ROWS),
        settings=SETTINGS,
        by="partner",
        start=["2026-01"],
        end=["2026-02", "2026-03"],
    )
    # 甲: 2026-01 7+6 = 13; 2026-02..03 (81 + 79) / 2 = 80 -> grown 67
    # 乙: 35 -> (40 + 0) / 2 = 20, declined 15 (乙 did report in the end range)
    assert rows.set_index("partner")[["end_boxes", "category"]].to_dict("index") == {
        A: {"end_boxes": 80.0, "category": "grown"},
        B: {"end_boxes": 20.0, "category": "declined"},
    }
    assert (totals["start"], totals["grown"], totals["declined"], totals["end"]) == (
        48.0,
        67.0,
        15.0,
        100.0,
    )


def test_markets_name_the_competitors() -> None:
    settings = Settings(markets=(Market("cardio", frozenset({OURS}), frozenset({"其他药"})),))
    _, totals = growth_bridge(sales_frame(ROWS), settings=settings, by="prescriber")
    # 氯吡格雷片 is not a listed competitor: no switching
    assert totals["switched_from_competitors"] == totals["switched_to_competitors"] == 0.0


def test_without_an_ours_list_everything_is_ours_and_nothing_switches() -> None:
    rows, totals = growth_bridge(sales_frame(ROWS), settings=Settings(), by="prescriber")
    # 王伟 now counts the 氯吡格雷片 rows too: 10+8 = 18 -> 15+5 = 20
    assert rows.set_index("prescriber").loc["王伟", "change"] == 2.0
    assert totals["switched_from_competitors"] == 0.0


# Breadth x depth -------------------------------------------------------------------------


def test_breadth_depth_by_hand() -> None:
    result = breadth_depth(sales_frame(ROWS), settings=SETTINGS, level="prescriber")
    # N1 = 7 prescribers, V1 = 121, S1 = 121/7; N2 = 6, V2 = 79, S2 = 79/6
    # breadth = (6 - 7) x (121/7 + 79/6) / 2 = -(726 + 553) / 84 = -1279/84 = -15.22619...
    # depth = -42 - breadth = -26.77381...
    assert result["start_entities"] == 7
    assert result["end_entities"] == 6
    assert result["change"] == -42.0
    assert result["breadth_effect"] == -15.2262
    assert result["depth_effect"] == -26.7738


@st.composite
def monthly_users(draw: st.DrawFn) -> list[tuple]:
    n = draw(st.integers(min_value=1, max_value=12))
    boxes = st.floats(min_value=-20, max_value=400, allow_nan=False, allow_infinity=False)
    out = []
    for i in range(n):
        for month in ("2026-01", "2026-02"):
            if draw(st.booleans()):
                out.append((A, month, H1, CARDIO, f"医生{i}", OURS, draw(boxes)))
    out.append((A, "2026-01", H1, CARDIO, "", OURS, 0.0))  # both months have rows
    out.append((A, "2026-02", H1, CARDIO, "", OURS, 0.0))
    return out


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(monthly_users())
def test_breadth_plus_depth_is_the_change(records: list[tuple]) -> None:
    r = breadth_depth(sales_frame(records), settings=SETTINGS, level="prescriber")
    # the split sums exactly on the 0.0001-box grid ...
    assert round(r["breadth_effect"] * GRID) + round(r["depth_effect"] * GRID) == round(
        r["change"] * GRID
    )
    # ... and each part is the midpoint formula (to the grid's rounding)
    n1, n2 = r["start_entities"], r["end_entities"]
    s1 = r["start_boxes"] / n1 if n1 else 0.0
    s2 = r["end_boxes"] / n2 if n2 else 0.0
    assert r["breadth_effect"] == pytest.approx((n2 - n1) * (s1 + s2) / 2, abs=1e-3)
    assert r["depth_effect"] == pytest.approx((s2 - s1) * (n1 + n2) / 2, abs=1e-3)


# The bridge sums, always -----------------------------------------------------------------

record = st.tuples(
    st.sampled_from([A, B]),
    st.sampled_from(["2026-01", "2026-02", "2026-03"]),
    st.sampled_from([H1, H2, H3, H3_NEW]),
    st.sampled_from([CARDIO, ""]),
    st.sampled_from(["王伟", "李娜", ""]),
    st.sampled_from([OURS, RIVAL]),
    st.floats(min_value=-30, max_value=1000, allow_nan=False, allow_infinity=False),
    st.sampled_from(["盒", "支"]),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(record, min_size=1, max_size=40),
    st.sampled_from(["hospital", "prescriber", "partner", "department"]),
    st.booleans(),
)
def test_bridge_always_reconciles(records: list[tuple], by: str, ranges: bool) -> None:
    records = [
        *records,
        (A, "2026-01", H1, CARDIO, "王伟", OURS, 1.0),
        (A, "2026-02", H1, CARDIO, "王伟", OURS, 1.0),
        (A, "2026-03", H1, CARDIO, "王伟", OURS, 1.0),
    ]
    start, end = (["2026-01"], ["2026-02", "2026-03"]) if ranges else (None, None)
    rows, totals = growth_bridge(
        sales_frame(records), settings=SETTINGS, by=by, start=start, end=end
    )
    signed = sum(sign * totals[name] for name, sign in BRIDGE_LINES[1:-1])
    assert round((totals["start"] + signed) * GRID) == round(totals["end"] * GRID)
    assert set(rows["category"]) <= set(CATEGORIES)
    cat = rows["category"]
    assert (rows.loc[cat == "new", "start_boxes"] <= 0).all()
    assert (rows.loc[cat == "new", "end_boxes"] > 0).all()
    assert (rows.loc[cat == "lost", "end_boxes"] <= 0).all()
    assert (rows.loc[cat == "lost", "start_boxes"] > 0).all()
    assert (rows.loc[cat == "grown", "change"] > 0).all()
    assert (rows.loc[cat == "declined", "change"] < 0).all()
    assert (rows.loc[cat == "unchanged", "change"] == 0).all()
    assert (rows["switched_from_competitors"] <= rows["change"].clip(lower=0)).all()
    assert (rows["switched_to_competitors"] <= (-rows["change"]).clip(lower=0)).all()
    assert sum(totals["entities"][c] for c in CATEGORIES) == len(rows)
    assert all(totals[s] == round(rows.loc[cat == s, "change"].sum(), 4) for s in SPECIAL)


# Trend and view --------------------------------------------------------------------------


def test_monthly_trend() -> None:
    trend = monthly_trend(sales_frame(ROWS), settings=SETTINGS, by="hospital")
    expected = pd.DataFrame(
        {
            "hospital": [H1, H3, H2, H3_NEW],
            "monthly": [[7.0, 75.0, 71.0], [6.0, 6.0, 0.0], [35.0, 40.0, 0.0], [0.0, 0.0, 8.0]],
        }
    )
    expected["hospital"] = expected["hospital"].astype("str")
    got = trend.sort_values("hospital").reset_index(drop=True)
    assert_frame_equal(got, expected.sort_values("hospital").reset_index(drop=True))


def test_show_growth_json_and_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that table cells do not wrap
    sales = sales_frame(ROWS)
    rows, totals = growth_bridge(sales, settings=SETTINGS, by="prescriber")
    trend = monthly_trend(sales, settings=SETTINGS, by="prescriber")
    breadth = breadth_depth(sales, settings=SETTINGS)
    start, end = ["2026-02"], ["2026-03"]
    show_growth(
        rows,
        totals,
        fmt="json",
        by="prescriber",
        start=start,
        end=end,
        breadth=breadth,
        trend=trend,
    )
    doc = json.loads(capsys.readouterr().out)
    assert tuple(doc) == GROWTH_KEYS
    assert list(doc["rows"][0]) == growth_keys("prescriber")
    assert doc["rows"][0]["monthly"] == [35.0, 40.0, 0.0]
    assert doc["totals"]["end"] == 79.0

    show_growth(rows, totals, fmt="csv", by="prescriber", start=start, end=end)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(growth_keys("prescriber"))
    assert len(lines) == 1 + len(rows)

    show_growth(
        rows,
        totals,
        fmt="table",
        by="prescriber",
        start=start,
        end=end,
        breadth=breadth,
        trend=trend,
    )
    out = capsys.readouterr().out
    for text in ("Start (2026-02)", "- lost", "± not reported", "= End (2026-03)", "Breadth x"):
        assert text in out


def test_box_written_two_ways_is_no_unit_change() -> None:
    rows = [r if r[4] != "吴芳" or r[1] != "2026-03" else (*r[:7], "box") for r in ROWS]
    result, _ = growth_bridge(sales_frame(rows), settings=SETTINGS, by="prescriber")
    # 盒 and box are both boxes: 吴芳 5 -> 0 is a plain loss
    assert result.set_index("prescriber").loc["吴芳", "category"] == "lost"
