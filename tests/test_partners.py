"""Partner scorecard on a small fixture, every figure computed by hand."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from uplift.analysis.partners import SCORECARD_COLUMNS, load_stats_from, partner_scorecard
from uplift.config import Settings
from uplift.output.views.partners import PARTNER_KEYS, show_partners
from uplift.sheets.columns import COMPETITOR_COLUMNS, conform

OURS, RIVAL = "心脉宁片", "氯吡格雷片"
# tiers A >= 30, B >= 20, C >= 10, D below; VIP hospitals from 30 boxes a month
SETTINGS = Settings(ours=frozenset({OURS}), thresholds=(10.0, 20.0, 30.0), vip=30.0)
A, B, K = "甲", "乙", "丙"
H1, H2, H4, H5 = "市一院", "县医院", "中心医院", "社区医院"
CARDIO, GERI = "心内科", "老年病科"


def sales_frame(records: list[tuple]) -> pd.DataFrame:
    """Canonical rows from (partner, month, hospital, department, prescriber, product, boxes)."""
    cols = ["partner", "month", "hospital", "department", "prescriber", "product", "boxes"]
    df = pd.DataFrame(records, columns=cols)
    df["quantity"] = df["boxes"]
    df["unit"] = "盒"
    df["spec"] = ""
    df["source_file"] = "sales.xlsx"
    df["sheet"] = "Sheet1"
    df["row"] = range(2, len(df) + 2)
    return conform(df)


def fixture_rows() -> list[tuple]:
    rows = []
    for month, wang in (("2026-01", 30), ("2026-02", 30), ("2026-03", 24)):
        rows.append((A, month, H1, CARDIO, "王伟", OURS, wang))
        rows.append((A, month, H1, CARDIO, "李娜", OURS, 10))
        rows.append((A, month, H1, CARDIO, "王伟", RIVAL, 12))
    rows.append((A, "2026-03", H1, GERI, "赵丽", OURS, 6))
    rows.append((A, "2026-01", H2, "", "", OURS, 15))  # hospital-level lines only
    rows.append((A, "2026-02", H2, "", "", OURS, 15))
    # 乙 sent nothing for 2026-01
    rows.append((B, "2026-02", H1, CARDIO, "孙强", OURS, 5))
    rows.append((B, "2026-03", H1, CARDIO, "孙强", OURS, 8))
    feb = {"周杰": 20, "陈刚": 10, "吴芳": 8, "郑洁": 6, "张敏": 4, "刘洋": 2}
    for name, boxes in feb.items():
        rows.append((B, "2026-02", H4, CARDIO, name, OURS, boxes))
        rows.append((B, "2026-03", H4, CARDIO, name, OURS, boxes + (2 if name == "周杰" else 0)))
    rows.append((K, "2026-02", H5, "", "", OURS, 3))
    rows.append((K, "2026-03", H5, "", "", OURS, 1))
    return rows


SALES = sales_frame(fixture_rows())
COMPETITORS = conform(
    pd.DataFrame(
        {
            "hospital": [H4, H1],
            "department": [CARDIO, CARDIO],
            "product": [RIVAL, RIVAL],
            "boxes": [66.0, 50.0],  # 市一院 has sheet rows of competitors: those count
            "row": [2, 3],
        }
    ),
    COMPETITOR_COLUMNS,
)
LOAD_STATS = pd.DataFrame({"partner": [A, A], "rows_read": [40, 10], "rows_rejected": [2, 3]})


def test_scorecard_by_hand() -> None:
    got = partner_scorecard(
        SALES, settings=SETTINGS, competitors=COMPETITORS, load_stats=LOAD_STATS
    )
    # 甲: months 55, 55, 40 (王伟+李娜+县医院; 24+10+6 in March) -> 150 / 3 = 50, growth -15
    #   市一院 120 / 3 = 40 (tier A), 县医院 30 / 3 = 10 (tier C)
    #   share: 市一院 only (县医院 has no competitor figures): ours there from every partner
    #   (120 + 13) / 3, competitor sheet rows 36 / 3 = 12: 40 / (133/3 + 12) = 120/169
    #   prescribers 王伟 84, 李娜 30, 赵丽 6: top 5 = 120 of its 150 boxes
    # 乙: months 0, 55, 60 -> 115 / 3, growth +5 (5/55)
    #   市一院 13/3 (tier D), 中心医院 102/3 = 34 (tier A)
    #   share: (13/3 + 34) / ((133/3 + 12) + (34 + 66)) = 115/469
    #   top 5: 周杰 42, 陈刚 20, 吴芳 16, 孙强 13, 郑洁 12 = 103 of 115
    # 丙: months 0, 3, 1 -> 4/3, growth -2 (-2/3); hospital-level only: no concentration
    # VIP (>= 30 a month, every partner): 市一院 133/3, 中心医院 34
    # order: falling partners first (甲 50, then 丙 4/3), then 乙
    nan = np.nan
    expected = pd.DataFrame(
        {
            "partner": [A, K, B],
            "boxes": [50.0, 4 / 3, 115 / 3],
            "last_month_boxes": [40.0, 1.0, 60.0],
            "previous_month_boxes": [55.0, 3.0, 55.0],
            "growth": [-15.0, -2.0, 5.0],
            "growth_pct": [-15 / 55, -2 / 3, 5 / 55],
            "hospitals": [2, 1, 2],
            "departments": [2, 0, 2],
            "prescribers": [3, 0, 7],
            "share": [120 / 169, nan, 115 / 469],
            "concentration": [120 / 150, nan, 103 / 115],
            "tier_mix": [
                {"A": 1, "B": 0, "C": 1, "D": 0},
                {"A": 0, "B": 0, "C": 0, "D": 1},
                {"A": 1, "B": 0, "C": 0, "D": 1},
            ],
            "vip_hospitals": [1, 0, 2],
            "months_reported": [3, 2, 2],
            "months_in_window": [3, 3, 3],
            "timeliness": [1.0, 2 / 3, 2 / 3],
            "missing_months": [[], ["2026-01"], ["2026-01"]],
            "rows_read": [50.0, nan, nan],
            "rows_rejected": [5.0, nan, nan],
            "rejected_rate": [0.1, nan, nan],
            "monthly": [[55.0, 55.0, 40.0], [0.0, 3.0, 1.0], [0.0, 55.0, 60.0]],
        }
    )
    expected["partner"] = expected["partner"].astype("str")
    assert list(got.columns) == list(SCORECARD_COLUMNS)
    assert_frame_equal(got, expected, check_dtype=False)
    assert got["hospitals"].dtype == "int64"


def test_scorecard_without_competitors_or_stats() -> None:
    got = partner_scorecard(SALES, settings=SETTINGS).set_index("partner")
    # without the field visits, 中心医院 has no competitor figures: 乙 is judged on 市一院
    # alone: (13/3) / (133/3 + 12) = 13/169
    assert got.loc[B, "share"] == pytest.approx(13 / 169)
    assert got["rejected_rate"].isna().all()


def test_load_stats_from_sheet_reports() -> None:
    class Sheet:
        def __init__(self, partners: list[str], kept: int, rejected: int, kind: str = "sales"):
            self.partners, self.kept, self.kind = partners, kept, kind
            self.rejected = Counter({"not a number": rejected})

    sheets = [
        Sheet([A], 38, 2),
        Sheet([A], 7, 3),
        Sheet([A, B], 10, 5),  # shared: whose rejected lines? not counted
        Sheet([], 0, 4),  # nothing kept: no partner to charge
        Sheet([B], 5, 1, kind="competitors"),
    ]
    stats = load_stats_from(sheets)
    assert stats.to_dict("records") == [{"partner": A, "rows_read": 50, "rows_rejected": 5}]
    card = partner_scorecard(SALES, settings=SETTINGS, load_stats=stats).set_index("partner")
    assert card.loc[A, "rejected_rate"] == 0.1


def test_single_month_has_no_growth() -> None:
    got = partner_scorecard(SALES[SALES["month"] == "2026-03"], settings=SETTINGS)
    assert got["growth"].isna().all()
    assert got["months_in_window"].tolist() == [1, 1, 1]


def test_show_partners(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that table cells do not wrap
    card = partner_scorecard(SALES, settings=SETTINGS, competitors=COMPETITORS)
    show_partners(card, fmt="json")
    doc = json.loads(capsys.readouterr().out)
    assert tuple(doc[0]) == PARTNER_KEYS
    assert doc[0]["tier_mix"] == {"A": 1, "B": 0, "C": 1, "D": 0}
    show_partners(card, fmt="csv")
    assert capsys.readouterr().out.splitlines()[0] == ",".join(PARTNER_KEYS)
    show_partners(card, fmt="table")
    out = capsys.readouterr().out
    assert "A1 B0 C1 D0" in out
    assert "2/3" in out
