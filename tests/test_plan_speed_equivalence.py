"""Plans and gaps work on every hospital at once; a plain per-hospital computation agrees.

`plan_hospitals` and `competitor_gaps` group all hospitals together on integer codes (see
`gaps.SalesCodes`) and only split the results by hospital to write the texts. Here the
figures are worked out again the straightforward way, hospital by hospital with ordinary
pandas (as the option rules in `plans` read), on the samples and on seeded random data with
fractional boxes, two markets and field-visit figures. Targets, their order and every
estimate must be the same, to the last bit. The rule both follow is the documented one:
each row's boxes are taken to 1/10,000 box, sums are sums of those integers, and an
average over n months is one division of such a sum; here that rule is written out with
plain integers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import sales as sales_frame
from tests.test_gaps import visits as visits_frame
from uplift.analysis import gaps as G
from uplift.analysis import plans as P
from uplift.analysis.tiers import assign_tiers
from uplift.analysis.volumes import monthly_pivot, window_months
from uplift.config import load_settings, settings_from_dict
from uplift.output import plan_texts as PT
from uplift.sheets import columns as C
from uplift.sheets.loading import load_files
from uplift.sheets.names import normalise_series

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
REFERENCE_TYPES = ("deepen", "convert", "develop", "win_back", "event")


# Data -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples() -> tuple[pd.DataFrame, pd.DataFrame, object]:
    settings = load_settings(SAMPLES / "uplift.toml")
    files = [SAMPLES / n for n in ("kangyuan.xlsx", "northstar.xlsx", "competitors.xlsx")]
    result = load_files(files, settings=settings)
    return result.sales, result.competitors, settings


def random_data() -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """Fractional boxes over 12 months (so the order of additions shows), two markets.

    Prescribers who work in two or three departments, department-level sheet rows, a
    hospital with one prescriber, one with no competitor data, returns, field visits.
    """
    rng = np.random.default_rng(20260901)
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    departments = ["心内科", "神经内科", "老年科", "消化内科"]
    products = ["心脉宁片", "立普妥", "波立维", "阿司匹林", "胃康", "奥美拉唑", "维生素C"]
    weights = [0.34, 0.2, 0.12, 0.08, 0.12, 0.1, 0.04]
    rows = []
    for h in range(16):
        hospital = f"第{h:02d}医院"
        n_doctors = 1 if h == 3 else int(rng.integers(3, 9))
        for d in range(n_doctors):
            doctor = f"医生{h:02d}{d}"
            homes = rng.choice(departments, size=int(rng.integers(1, 4)), replace=False)
            for dept in homes:
                for product in rng.choice(products, size=3, replace=False, p=weights):
                    if h == 5 and product in ("立普妥", "波立维", "阿司匹林", "奥美拉唑"):
                        continue  # no competitor data at all
                    scale = float(rng.choice([3.0, 30.0, 150.0]))
                    stop = int(rng.integers(6, 13))
                    for i, month in enumerate(months):
                        if i >= stop or rng.random() < 0.15:
                            continue
                        boxes = round(float(rng.random()) * scale, 3) / 7
                        if rng.random() < 0.02:
                            boxes = -boxes  # a return
                        rows.append(("P", month, hospital, str(dept), doctor, product, boxes))
        # department-level rows (no prescriber)
        for month in months[::2]:
            rows.append(("P", month, hospital, "老年科", "", "阿司匹林", float(rng.random()) * 9))
    # A doctor with one competitor product in three departments: these three figures add up
    # to three different totals, pairwise, one by one and with Kahan's compensated sum.
    # In 第16医院 his facts come sorted by target and product, in 第17医院 they do not.
    for hospital, doctor, others in (
        ("第16医院", "医生160", []),
        ("第17医院", "医生170", ["波立维"]),
    ):
        for dept, boxes in (("心内科", 77.4), ("神经内科", 52.9), ("老年科", 61.2)):
            rows.append(("P", "2025-06", hospital, dept, doctor, "立普妥", boxes))
            rows += [("P", "2025-06", hospital, dept, doctor, p, boxes / 3) for p in others]
        rows += [("P", m, hospital, "心内科", doctor, "心脉宁片", 25.5) for m in months]
    sales = sales_frame(rows)
    visits = visits_frame(
        [
            ("第01医院", "心内科", "", "他汀X", 80.5),  # a product only the visits know
            ("第01医院", "老年科", "", "立普妥", 33.3),  # covered by the sheets: dropped
            ("第02医院", "", "", "他汀X", 120.25),  # hospital level
            ("第07医院", "眼科", "", "他汀X", 40.0),  # a department with only competitors
            ("第07医院", "心内科", "医生070", "他汀X", 12.75),  # prescriber level
        ]
    )
    settings = settings_from_dict(
        {
            "vip": 250,
            "markets": {
                "心血管": {
                    "ours": ["心脉宁片"],
                    "competitors": ["立普妥", "波立维", "阿司匹林", "他汀X"],
                },
                "消化": {"ours": ["胃康"], "competitors": ["奥美拉唑"]},
            },
        }
    )
    return sales, visits, settings


@pytest.fixture(scope="module")
def randomised() -> tuple[pd.DataFrame, pd.DataFrame, object]:
    return random_data()


# The plain computation ------------------------------------------------------------------------

GRID = 10_000  # the documented precision of a row's boxes: 1/10,000 box


def ten_thousandths(boxes: pd.Series, months: int = 1) -> pd.Series:
    """Boxes (or averages over `months`) as whole numbers of 1/(10,000 x months) box."""
    return (boxes * (GRID * months)).round().astype("int64")


def reference_facts(sales, competitors, settings, market, months) -> pd.DataFrame:
    """The sheet facts by an ordinary groupby of the window's rows."""
    keys = [C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT]
    sales_products = frozenset(normalise_series(sales[C.PRODUCT]))
    rows = sales[sales[C.MONTH].isin(months)].copy()
    rows[C.PRODUCT] = normalise_series(rows[C.PRODUCT])
    rows[G.ROLE] = G.product_roles(rows[C.PRODUCT], market, settings, sales_products)
    rows = rows[rows[G.ROLE] != ""]
    rows[C.BOXES] = ten_thousandths(rows[C.BOXES])
    sheet = rows.groupby([*keys, G.ROLE], as_index=False)[C.BOXES].sum()
    sheet[C.BOXES] = sheet[C.BOXES] / (GRID * max(len(months), 1))
    comp = sheet[G.ROLE] == G.COMPETITOR
    sheet.loc[comp, C.BOXES] = sheet.loc[comp, C.BOXES].clip(lower=0.0)
    return sheet


def reference_options(sales, competitors, settings, market, months) -> dict[str, dict]:
    """Per hospital and option type: (targets, kinds, extra boxes), one hospital at a time."""
    facts = G.opportunity_facts(sales, competitors, settings=settings, market=market, months=months)
    prescribers = G.gap_table(facts, "prescriber")
    departments = G.gap_table(facts, "department")
    levels = G.hospital_competitor_level(facts)
    rows = sales[sales[C.MONTH].isin(months) & (sales[C.PRESCRIBER] != "")]
    sales_products = frozenset(normalise_series(sales[C.PRODUCT]))
    roles = G.product_roles(normalise_series(rows[C.PRODUCT]), market, settings, sales_products)
    monthly = monthly_pivot(rows[(roles == G.OURS).to_numpy()], [C.HOSPITAL, C.PRESCRIBER], months)
    per_month = {h: g.droplevel(0) for h, g in monthly.groupby(level=C.HOSPITAL)}
    out = {}
    for hospital, mine in facts.groupby(C.HOSPITAL):
        level = int(levels.get(hospital, -1))
        found = {
            "deepen": deepen(prescribers[prescribers[C.HOSPITAL] == hospital], settings),
            "win_back": win_back(per_month.get(hospital), months, settings),
        }
        if level >= 0:
            n = len(months)
            found["convert"] = competitor(mine, G.CONVERSION, settings.rates.conversion, n)
            found["develop"] = competitor(mine, G.DEVELOPMENT, settings.rates.adoption, n)
        if level >= 1:
            found["event"] = event(departments[departments[C.HOSPITAL] == hospital], settings)
        out[hospital] = {k: v for k, v in found.items() if v is not None and v[2] > 0}
    return out


def deepen(prescribers: pd.DataFrame, settings) -> tuple | None:
    ours = prescribers[prescribers[G.OURS_BOXES] > 0]
    thresholds = list(settings.thresholds)
    chosen = []
    for name, boxes in zip(ours[C.PRESCRIBER], ours[G.OURS_BOXES].round(6), strict=True):
        above = [t for t in thresholds if t > boxes]
        if above and boxes >= above[0] * (1 - settings.rates.reach):
            chosen.append((above[0] - boxes, name))
    if not chosen:
        return None
    chosen.sort()
    lift = pd.Series([x for x, _ in chosen])
    return [n for _, n in chosen], ["prescriber"] * len(chosen), float(lift.sum())


def competitor(facts: pd.DataFrame, kind: str, rate: float, n: int) -> tuple | None:
    comp = facts[(facts[G.ROLE] == G.COMPETITOR) & (facts[G.KIND] == kind)].copy()
    comp[C.BOXES] = ten_thousandths(comp[C.BOXES], n)  # averages over n months, exactly
    level = comp[G.FACT_LEVEL]
    comp["tk"] = np.select([level == 2, level == 1], ["prescriber", "department"], "hospital")
    comp["t"] = np.where(
        level == 2, comp[C.PRESCRIBER], np.where(level == 1, comp[C.DEPARTMENT], comp[C.HOSPITAL])
    )
    per = comp.groupby(["tk", "t", C.PRODUCT], as_index=False)[C.BOXES].sum()
    per = per[per[C.BOXES] > 0]
    totals = per.groupby(["tk", "t"], as_index=False)[C.BOXES].sum()
    if totals.empty:
        return None
    totals = totals.sort_values([C.BOXES, "t"], ascending=[False, True])
    return list(totals["t"]), list(totals["tk"]), int(totals[C.BOXES].sum()) / (GRID * n) * rate


def win_back(monthly: pd.DataFrame | None, months: list[str], settings) -> tuple | None:
    if monthly is None or len(months) < 2:
        return None
    earlier = ten_thousandths(monthly[months[:-1]]).sum(axis=1) / (GRID * (len(months) - 1))
    now = monthly[months[-1]]
    fell = (earlier > 0) & (now < earlier / 2)
    if not fell.any():
        return None
    lost = (earlier[fell] - now[fell].clip(lower=0.0)).rename("lost").reset_index()
    lost = lost.sort_values(["lost", C.PRESCRIBER], ascending=[False, True])
    names = list(lost[C.PRESCRIBER])
    return names, ["prescriber"] * len(names), float(lost["lost"].sum()) * settings.rates.recovery


def event(departments: pd.DataFrame, settings) -> tuple | None:
    depts = departments[departments[G.COMPETITOR_BOXES] > 0]
    if depts.empty:
        return None
    best = depts.sort_values(
        [G.COMPETITOR_BOXES, G.MARKET_BOXES, C.DEPARTMENT], ascending=[False, False, True]
    ).iloc[0]
    return [best[C.DEPARTMENT]], ["department"], float(best[G.MARKET_BOXES]) * settings.rates.event


# Checks ---------------------------------------------------------------------------------------


def check_plans(sales, competitors, settings) -> int:
    """Every option of every hospital matches the plain computation; returns options checked."""
    months = window_months(sales)
    result = PT.plan_hospitals(sales, competitors, settings=settings, options=len(P.TYPES))
    checked = 0
    for market in G.list_markets(settings):
        expected = reference_options(sales, competitors, settings, market, months)
        shown = result.options[result.options[G.MARKET] == market.name]
        assert set(shown[C.HOSPITAL]) <= set(expected)
        for hospital, options in expected.items():
            mine = shown[shown[C.HOSPITAL] == hospital].set_index(P.TYPE)
            got = {t for t in mine.index if t != "vip"}
            assert got == set(options), (market.name, hospital)
            for kind, (targets, kinds, extra) in options.items():
                row = mine.loc[kind]
                assert row[P.TARGETS] == targets, (market.name, hospital, kind)
                assert row[P.TARGET_KINDS] == kinds, (market.name, hospital, kind)
                assert row[P.EXTRA_BOXES] == extra, (market.name, hospital, kind)
                checked += 1
            ranked = list(mine[P.EXTRA_BOXES].round(9))
            assert ranked == sorted(ranked, reverse=True)
            assert list(mine[P.RANK]) == list(range(1, len(mine) + 1))
    summary = result.summary
    counted = result.options.groupby([G.MARKET, C.HOSPITAL])[P.COUNTED_BOXES].sum()
    for market, hospital, current, extra, projected in summary[
        [G.MARKET, C.HOSPITAL, P.CURRENT_BOXES, P.EXTRA_BOXES, P.PROJECTED_BOXES]
    ].itertuples(index=False, name=None):
        assert extra == pytest.approx(counted.get((market, hospital), 0.0), rel=1e-12, abs=1e-12)
        assert projected == current + extra
    assert list(summary[P.PROJECTED_TIER]) == list(
        assign_tiers(summary[P.PROJECTED_BOXES], settings.thresholds)
    )
    return checked


def check_facts(sales, competitors, settings) -> None:
    months = window_months(sales)
    keys = [C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT, G.ROLE, C.BOXES]
    for market in G.list_markets(settings):
        facts = G.opportunity_facts(
            sales, competitors, settings=settings, market=market, months=months
        )
        sheet = facts[facts[G.SOURCE] == G.SHEETS][keys].reset_index(drop=True)
        expected = reference_facts(sales, competitors, settings, market, months)[keys]
        pd.testing.assert_frame_equal(sheet, expected, check_exact=True)


def check_gaps(sales, competitors, settings) -> None:
    """Per hospital: ours, competitors, share, leader, rank and the split, by hand."""
    months = window_months(sales)
    listing = G.competitor_gaps(sales, competitors, settings=settings)
    for market in G.list_markets(settings):
        facts = G.opportunity_facts(
            sales, competitors, settings=settings, market=market, months=months
        )
        rows = listing[listing[G.MARKET] == market.name].set_index(C.HOSPITAL)
        assert sorted(rows.index) == sorted(facts[C.HOSPITAL].unique())
        for hospital, mine in facts.groupby(C.HOSPITAL):
            row = rows.loc[hospital]
            ours = mine.loc[mine[G.ROLE] == G.OURS, C.BOXES].sum()
            comp = mine[mine[G.ROLE] == G.COMPETITOR]
            per_product = comp.groupby(C.PRODUCT)[C.BOXES].sum()
            per_product = per_product[per_product > 0]
            market_boxes = max(ours, 0.0) + comp[C.BOXES].sum()
            assert row[G.OURS_BOXES] == pytest.approx(ours, rel=1e-12, abs=1e-9)
            if comp.empty:  # no competitor figure at all: every competitor figure unknown
                for col in (G.COMPETITOR_BOXES, G.MARKET_BOXES, G.SHARE, G.OPPORTUNITY_BOXES):
                    assert np.isnan(row[col]), (hospital, col)
                assert (row[G.LEADER], row[G.RANK], row[G.SEGMENT]) == ("", 0, "")
                continue
            assert row[G.MARKET_BOXES] == pytest.approx(market_boxes, rel=1e-12, abs=1e-9)
            share = max(ours, 0.0) / market_boxes if market_boxes > 0 else 0.0
            assert row[G.SHARE] == pytest.approx(share, rel=1e-9, abs=1e-12)
            conversion = comp.loc[comp[G.KIND] == G.CONVERSION, C.BOXES].sum()
            assert row[G.CONVERSION_BOXES] == pytest.approx(conversion, rel=1e-12, abs=1e-9)
            assert row[G.OPPORTUNITY_BOXES] == pytest.approx(comp[C.BOXES].sum(), abs=1e-9)
            if per_product.empty:
                assert row[G.LEADER] == ""
                assert row[G.RANK] == 1
            else:
                best = sorted(per_product.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                assert row[G.LEADER] == best[0]
                assert row[G.LEADER_BOXES] == pytest.approx(best[1], rel=1e-12)
                assert row[G.RANK] == 1 + int((per_product > max(ours, 0.0)).sum())
                assert list(row[G.COMPETITORS]) == sorted(
                    per_product.index, key=lambda p: (-per_product[p], p)
                )
    # a drill-down's hospital row is that hospital's row of the listing
    hospital = listing.iloc[0][C.HOSPITAL]
    drill = G.competitor_gaps(sales, competitors, settings=settings, hospital=hospital)
    head = drill[drill[G.LEVEL] == "hospital"].reset_index(drop=True)
    expected = listing[listing[C.HOSPITAL] == hospital].reset_index(drop=True)
    pd.testing.assert_frame_equal(head, expected, check_exact=True)


# Tests ----------------------------------------------------------------------------------------


def test_sample_plans_match_a_plain_per_hospital_computation(samples) -> None:
    assert check_plans(*samples) > 100


def test_random_plans_match_a_plain_per_hospital_computation(randomised) -> None:
    assert check_plans(*randomised) > 50


def test_facts_match_an_ordinary_groupby(samples, randomised) -> None:
    check_facts(*samples)
    check_facts(*randomised)


def test_gaps_match_a_plain_per_hospital_computation(samples, randomised) -> None:
    check_gaps(*samples)
    check_gaps(*randomised)


def test_one_hospital_plans_as_in_the_full_plan(samples) -> None:
    sales, competitors, settings = samples
    full = PT.plan_hospitals(sales, competitors, settings=settings)
    hospital = full.summary.iloc[0][C.HOSPITAL]
    one = PT.plan_hospitals(sales, competitors, settings=settings, hospital=hospital)
    expected = full.options[full.options[C.HOSPITAL] == hospital].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.options, expected, check_exact=True)


def test_sample_figures_checked_by_hand(samples) -> None:
    """A few exact figures of the samples, so a change that moves them all is caught too."""
    sales, competitors, settings = samples
    result = PT.plan_hospitals(sales, competitors, settings=settings)
    summary = result.summary
    assert len(summary) == 47  # 38 hospitals, some in both markets
    assert summary[P.OPTIONS].sum() == len(result.options)
    top = summary.iloc[0]
    assert (top[G.MARKET], top[C.HOSPITAL]) == ("cardio", "华西协和医院")
    assert (top[P.CURRENT_BOXES], top[P.OPTIONS], top[C.VIP]) == (2038.5, 3, True)
    options = result.options[result.options[C.HOSPITAL] == "华西协和医院"]
    cardio = options[options[G.MARKET] == "cardio"]
    assert list(cardio[P.TYPE]) == ["vip", "convert", "event"]
    assert list(cardio[PT.FORMULA])[1:] == [
        "+143.03 boxes/month = 715.17 competitor boxes at 心内科 prescribers who already use "
        "ours x 20% conversion",
        "+137.68 boxes/month = 2,753.67 market boxes in 心内科 (our share 74%) x 5% event uplift",
    ]
    assert list(cardio[P.TARGETS])[1] == ["姚霞", "曾俊", "邵帆飞", "王娜昊", "史嘉"]
    neuro = options[options[G.MARKET] == "neuro"]
    assert neuro.iloc[0][PT.FORMULA] == (
        "+75.83 boxes/month = (300 - 224.17): lift 1 prescriber to the next tier threshold "
        "(each within 30% below it)"
    )


def as_codes(sales: pd.DataFrame) -> pd.DataFrame:
    """The names as ordered categoricals of their sorted values, as the workspace's compact
    read gives them (`Workspace.sales(columns, compact=True)`)."""
    out = sales.copy()
    for col in C.KEY_COLUMNS:
        names = pd.Index(sorted(set(out[col])), dtype="str")
        out[col] = pd.Categorical(out[col], categories=names, ordered=True)
    return out


def test_names_as_codes_give_the_very_same_results(samples, randomised) -> None:
    from uplift.analysis.tiers import tier_entities

    for sales, competitors, settings in (samples, randomised):
        coded = as_codes(sales)
        for market in (None, *[m.name for m in G.list_markets(settings)]):
            plain = PT.plan_hospitals(sales, competitors, settings=settings, market=market)
            fast = PT.plan_hospitals(coded, competitors, settings=settings, market=market)
            pd.testing.assert_frame_equal(fast.options, plain.options, check_exact=True)
            pd.testing.assert_frame_equal(fast.summary, plain.summary, check_exact=True)
        for by in ("hospital", "department", "prescriber"):
            plain = G.competitor_gaps(sales, competitors, settings=settings, by=by)
            fast = G.competitor_gaps(coded, competitors, settings=settings, by=by)
            pd.testing.assert_frame_equal(fast, plain, check_exact=True)
        for by in ("hospital", "department", "prescriber", "partner"):
            for basis in ("average", "latest"):
                plain = tier_entities(sales, settings=settings, by=by, basis=basis)
                fast = tier_entities(coded, settings=settings, by=by, basis=basis)
                for col in ("hospital", "department", "prescriber", "partner"):
                    if col in fast.columns:
                        fast[col] = fast[col].astype("str")
                pd.testing.assert_frame_equal(fast, plain, check_exact=True)


def test_codes_of_sorted_categories_are_those_of_sorted_names() -> None:
    names = pd.Index(["", "乙", "甲", "丙"], dtype="str").sort_values()
    values = pd.Series(pd.Categorical(["甲", "", "甲", "乙"], categories=names, ordered=True))
    codes, uniques = G._coded(values)
    expected_codes, expected = pd.factorize(values.astype("str").array, sort=True)
    # "丙" is not used: the codes skip it, as factorizing the names does
    assert codes.tolist() == expected_codes.tolist() == [2, 0, 2, 1]
    assert list(uniques) == list(expected) == ["", "乙", "甲"]
    unsorted = pd.Series(pd.Categorical(["b", "a"], categories=["b", "a"]))
    codes, uniques = G._coded(unsorted)
    assert codes.tolist() == [1, 0] and list(uniques) == ["a", "b"]


def test_gap_tables_of_some_columns_are_those_columns_of_the_full_table(
    samples, randomised
) -> None:
    subsets = [
        (C.HOSPITAL, G.OURS_BOXES),
        (C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, G.OURS_BOXES),
        (C.HOSPITAL, C.DEPARTMENT, G.OURS_BOXES, G.COMPETITOR_BOXES, G.SHARE, G.COMPETITORS),
        (C.HOSPITAL, G.LEADER, G.RANK, G.COMPETITOR_SOURCE, G.WHITESPACE, G.OPPORTUNITY_BOXES),
    ]
    for sales, competitors, settings in (samples, randomised):
        months = window_months(sales)
        for market in G.list_markets(settings):
            facts = G.opportunity_facts(
                sales, competitors, settings=settings, market=market, months=months
            )
            fc = G.FactCodes.of(facts)
            for level in G.LEVELS:
                full = G.coded_gap_table(facts, fc, level)
                for columns in subsets:
                    part = G.coded_gap_table(facts, fc, level, columns)
                    expected = full[[c for c in full.columns if c in columns]]
                    pd.testing.assert_frame_equal(part, expected, check_exact=True)


def test_facts_come_with_the_codes_of_their_names(samples, randomised) -> None:
    for sales, competitors, settings in (samples, randomised):
        months = window_months(sales)
        codes = G.encode_sales(sales)
        for market in G.list_markets(settings):
            for visits in (competitors, None):
                facts, fc = G.coded_facts_and_codes(
                    codes, visits, settings=settings, market=market, months=months
                )
                expected = G.FactCodes.of(facts)
                for name in G.FactCodes.__dataclass_fields__:
                    got, want = getattr(fc, name), getattr(expected, name)
                    if isinstance(want, int):
                        assert got == want, name
                    else:
                        assert list(got) == list(want), name
                levels = P._competitor_levels(fc)
                assert levels == G.hospital_competitor_level(facts).to_dict()


def test_codes_renumbered_over_the_values_in_use() -> None:
    names = pd.array(["", "丙", "乙", "甲"], dtype="str")  # sorted: 丙 U+4E19, 乙 U+4E59
    codes, uniques = G._in_use(np.array([3, 0, 3, 1]), names)
    assert codes.tolist() == [2, 0, 2, 1]
    assert list(uniques) == ["", "丙", "甲"]
    codes, uniques = G._in_use(np.array([1, 0]), pd.array(["a", "b"], dtype="str"))
    assert codes.tolist() == [1, 0] and list(uniques) == ["a", "b"]


def test_facts_without_visits_carry_their_names_as_codes(randomised) -> None:
    sales, _, settings = randomised
    months = window_months(sales)
    codes = G.encode_sales(sales)
    market = G.list_markets(settings)[0]
    facts, _ = G.coded_facts_and_codes(codes, None, settings=settings, market=market, months=months)
    text = G.coded_facts(codes, None, settings=settings, market=market, months=months)
    for col in (C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT, G.ROLE, G.SOURCE, G.KIND):
        assert isinstance(facts[col].dtype, pd.CategoricalDtype)
        assert text[col].dtype == "str"
        assert facts[col].astype("str").tolist() == text[col].tolist()
    names = G._names(np.array([1, 0, 1]), ["", "心内科"])
    assert names.tolist() == ["心内科", "", "心内科"] and list(names.categories) == ["", "心内科"]
