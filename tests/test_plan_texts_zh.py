"""Plan texts in Chinese: every option and reason written for the partner, numbers as in English.

The same plans are written twice, under `--lang zh` and `--lang en`: the Chinese texts hold
no English word, carry exactly the numbers of the English ones (which are pinned in
tests/test_plans.py), and the English texts are those of before.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.helpers import sales
from tests.test_plans import M1, M2, M3, SALES, SETTINGS, VISITS
from uplift.analysis import plans as P
from uplift.analysis.gaps import MARKET
from uplift.config import load_settings
from uplift.output import plan_texts as PT
from uplift.output.i18n import language, set_language
from uplift.output.plan_texts import anonymise_plan_targets, plan_hospitals
from uplift.output.views.plans import plan_markdown, plan_panels, plan_sheets, show_plans
from uplift.sheets import columns as C
from uplift.sheets.loading import load_files
from uplift.store.privacy import TARGETS

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TEXTS = (PT.FORMULA, PT.EVIDENCE, PT.KPI)
ALWAYS_ALLOWED = {"VIP", "KPI"}
WORD = re.compile(r"[A-Za-z]{3,}")
# a number as the texts write it: 1,234.5, 30%, the parts of 2026-09
NUMBER = re.compile(r"\d(?:[\d,]*\d)?(?:\.\d+)?%?")


@pytest.fixture(autouse=True)
def reset_language():
    set_language(None)
    yield
    set_language(None)


@pytest.fixture(scope="module")
def samples() -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    settings = load_settings(SAMPLES / "uplift.toml")
    files = [SAMPLES / n for n in ("kangyuan.xlsx", "northstar.xlsx", "competitors.xlsx")]
    result = load_files(files, settings=settings)
    return result.sales, result.competitors, settings


def _plans(samples: tuple[pd.DataFrame, pd.DataFrame, Any], lang: str) -> P.PlanResult:
    sales_, competitors, settings = samples
    with language(lang):
        return plan_hospitals(sales_, competitors, settings=settings, options=len(P.TYPES))


@pytest.fixture(scope="module")
def zh(samples) -> P.PlanResult:
    return _plans(samples, "zh")


@pytest.fixture(scope="module")
def en(samples) -> P.PlanResult:
    return _plans(samples, "en")


@pytest.fixture(scope="module")
def allowed(samples) -> set[str]:
    """English-looking words the data itself brings: names of products, hospitals ... and
    the markets of uplift.toml (they title the plan sheets)."""
    sales_, competitors, settings = samples
    names = [[m.name for m in settings.markets]]
    for frame in (sales_, competitors):
        for col in (C.HOSPITAL, C.DEPARTMENT, C.PRESCRIBER, C.PRODUCT):
            if col in frame.columns:
                names.append(frame[col].astype("str").unique().tolist())
    words = {w for group in names for name in group for w in WORD.findall(str(name))}
    return words | ALWAYS_ALLOWED


def _english_words(texts: list[str], allowed: set[str]) -> set[str]:
    return {w for text in texts for w in WORD.findall(text)} - allowed


def _option_texts(options: pd.DataFrame) -> list[str]:
    texts = [str(x) for col in TEXTS for x in options[col]]
    return texts + [a for actions in options[PT.ACTIONS] for a in actions]


# Chinese on the samples --------------------------------------------------------------------


def test_every_option_text_is_chinese(zh: P.PlanResult, allowed: set[str]) -> None:
    options = zh.options
    assert set(options[P.TYPE]) == set(P.TYPES)  # every writer is exercised
    texts = _option_texts(options)
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in texts)
    assert _english_words(texts, allowed) == set()
    reasons = [r for r in zh.summary[PT.REASON] if r]
    assert reasons  # some hospitals have fewer options than asked for
    assert _english_words(reasons, allowed) == set()
    assert all(r.startswith(("只有 ", "无可行方案")) for r in reasons)


def test_what_people_read_is_chinese(zh: P.PlanResult, allowed: set[str]) -> None:
    """The table, plan.md and plan.xlsx, headers, option type and priority included."""
    with language("zh"):
        panels = plan_panels(zh.options, zh.summary)
        markdown = plan_markdown(zh.options, zh.summary)
        sheets = plan_sheets(zh.options, zh.summary)
    lines = [p.title for p in panels] + [line.text for p in panels for line in p.lines]
    assert _english_words(lines, allowed) == set()
    assert _english_words([markdown], allowed) == set()
    cells = [name for name, _ in sheets]
    for _, frame in sheets[1:]:
        cells += [str(v) for col in frame.columns for v in frame[col]]
    assert _english_words(cells, allowed) == set()


def test_numbers_are_those_of_the_english_texts(zh: P.PlanResult, en: P.PlanResult) -> None:
    """Each text of each option holds the very numbers of its English text: the figures
    are written once, with the same rounding, whatever the language."""
    keys = [MARKET, C.HOSPITAL, P.RANK]
    pd.testing.assert_frame_equal(zh.options[keys], en.options[keys])
    for col in TEXTS:
        for z, e in zip(zh.options[col], en.options[col], strict=True):
            assert Counter(NUMBER.findall(z)) == Counter(NUMBER.findall(e)), (z, e)
    for z, e in zip(zh.options[PT.ACTIONS], en.options[PT.ACTIONS], strict=True):
        assert Counter(NUMBER.findall("".join(z))) == Counter(NUMBER.findall("".join(e)))
    for z, e in zip(zh.summary[PT.REASON], en.summary[PT.REASON], strict=True):
        assert Counter(NUMBER.findall(z)) == Counter(NUMBER.findall(e)), (z, e)
    # the estimate opens the formula, as the figures column rounds it (2 decimals, half up)
    for formula, extra in zip(zh.options[PT.FORMULA], zh.options[P.EXTRA_BOXES], strict=True):
        assert formula.startswith(f"+{PT.fmt_boxes(extra)} 盒/月 = ")


def test_english_is_unchanged(en: P.PlanResult) -> None:
    options = en.options[en.options[C.HOSPITAL] == "华西协和医院"]
    cardio = options[options[MARKET] == "cardio"].set_index(P.TYPE)
    assert cardio.loc["convert", PT.FORMULA] == (
        "+143.03 boxes/month = 715.17 competitor boxes at 心内科 prescribers who already use "
        "ours x 20% conversion"
    )
    assert cardio.loc["event", PT.FORMULA] == (
        "+137.68 boxes/month = 2,753.67 market boxes in 心内科 (our share 74%) x 5% event uplift"
    )
    neuro = options[options[MARKET] == "neuro"]
    assert neuro.iloc[0][PT.FORMULA] == (
        "+75.83 boxes/month = (300 - 224.17): lift 1 prescriber to the next tier threshold "
        "(each within 30% below it)"
    )


def test_english_after_chinese_in_one_run() -> None:
    """The language is read when the texts are written: no Chinese left over in English."""
    with language("zh"):
        plan_hospitals(SALES, VISITS, settings=SETTINGS)
    with language("en"):
        result = plan_hospitals(SALES, VISITS, settings=SETTINGS, options=6)
    got = result.options.set_index([C.HOSPITAL, P.TYPE])
    assert got.loc[("甲医院", "deepen"), PT.FORMULA] == (
        "+35 boxes/month = (100 - 95) + (200 - 170): lift 2 prescribers to the next tier "
        "threshold (each within 30% below it)"
    )
    assert got.loc[("甲医院", "convert"), PT.KPI] == (
        "next month: ours at 王伟 from 170 to 190 boxes/month, 立普妥 down"
    )
    assert got.loc[("甲医院", "win_back"), PT.EVIDENCE] == (
        "钱七 2026-01..2026-02 average 90, 2026-03 0; 郑一 2026-01..2026-02 average 40, 2026-03 10"
    )
    assert result.summary[PT.REASON].tolist()[1] == (
        "only 2 options: no competitor data for this hospital"
    )


# Worked out by hand (the fixture of tests/test_plans.py) ----------------------------------


@pytest.fixture(scope="module")
def six_zh() -> P.PlanResult:
    with language("zh"):
        return plan_hospitals(SALES, VISITS, settings=SETTINGS, options=6)


def _option(result: P.PlanResult, hospital: str, kind: str) -> dict:
    rows = result.options[
        (result.options[C.HOSPITAL] == hospital) & (result.options[P.TYPE] == kind)
    ]
    assert len(rows) == 1, (hospital, kind)
    return rows.iloc[0].to_dict()


def test_deepen_in_chinese(six_zh: P.PlanResult) -> None:
    got = _option(six_zh, "甲医院", "deepen")
    assert got[PT.FORMULA] == (
        "+35 盒/月 = (100 - 95) + (200 - 170)：推动 2 位医生上量到上一级分级门槛"
        "（均在门槛以下 30% 以内）"
    )
    assert got[PT.EVIDENCE] == (
        "周九 95 → 100 盒/月（D 级 → C 级）；王伟 170 → 200 盒/月（C 级 → B 级）"
    )
    assert got[PT.KPI] == "下月：周九月用量达到 100 盒以上，王伟月用量达到 200 盒以上"
    assert got[PT.ACTIONS] == [
        "与合作者一起分析周九、王伟的使用明细：哪些患者、哪些适应症还能增加用量",
        "提高对这些医生的拜访频率：合作者团队每周拜访 20 人次以上，其中 10 人次以上针对本品沟通",
    ]


def test_convert_and_develop_in_chinese(six_zh: P.PlanResult) -> None:
    got = _option(six_zh, "甲医院", "convert")
    # 100 competitor boxes at 王伟 x 20% = 20; ours at 王伟 170 -> 190
    assert got[PT.FORMULA] == (
        "+20 盒/月 = 心内科医生的竞品 100 盒/月（已使用我方产品）× 替换/联合率 20%"
    )
    assert got[PT.EVIDENCE] == "竞品月均盒数：王伟 100（立普妥 100）"
    assert got[PT.KPI] == "下月：王伟的我方产品用量从 170 增至 190 盒/月，立普妥用量下降"
    assert got[PT.ACTIONS][0] == (
        "与合作者一起和王伟沟通替换/联合用药：以我方产品替代立普妥，或与其联合使用"
    )
    got = _option(six_zh, "甲医院", "develop")
    assert got[PT.FORMULA] == ("+7 盒/月 = 2 位医生的竞品 70 盒/月（均未使用我方产品）× 开发率 10%")
    assert got[PT.KPI] == "下月：赵六、褚四开始使用我方产品，合计 7 盒/月"
    # 丙医院: competitor data per department (from the visit sheet)
    got = _option(six_zh, "丙医院", "develop")
    assert got[PT.FORMULA] == ("+10 盒/月 = 老年科的竞品 100 盒/月（未使用我方产品）× 开发率 10%")
    assert got[PT.ACTIONS] == [
        "与合作者一起开发老年科：在使用波立维的处方医生中引入我方产品",
        "在老年科开展学术活动（科室会），推动首次使用我方产品",
    ]


def test_win_back_in_chinese(six_zh: P.PlanResult) -> None:
    got = _option(six_zh, "甲医院", "win_back")
    assert got[PT.FORMULA] == (
        "+60 盒/月 = 2 位医生流失的 [(90 - 0) + (40 - 10)] 盒/月 × 挽回率 50%"
    )
    assert got[PT.EVIDENCE] == (
        "钱七 2026-01 至 2026-02 月均 90 盒，2026-03 为 0 盒；"
        "郑一 2026-01 至 2026-02 月均 40 盒，2026-03 为 10 盒"
    )
    assert got[PT.KPI] == "下月：钱七、郑一合计恢复到 70 盒/月（目前 10 盒/月）"


def test_vip_and_event_in_chinese(six_zh: P.PlanResult) -> None:
    got = _option(six_zh, "甲医院", "vip")
    assert got[PT.FORMULA] == (
        "+121 盒/月 = 深挖上量 35 + 竞品替换/联合用药 20 + 挽回 60 + 空白开发 6："
        "本月协访的 5 个目标客户在各方案中的盒数"
    )
    assert got[PT.EVIDENCE].startswith("王伟 50（深挖上量 30，竞品替换/联合用药 20）；钱七 45")
    # ours now at the five: 王伟 170 + 钱七 60 + 郑一 30 + 赵六 0 + 周九 95 = 355
    assert got[PT.KPI] == (
        "下月：完成 5 次协访；王伟、钱七、郑一、赵六、周九的我方产品用量从 355 增至 476 盒/月"
    )
    assert got[PT.ACTIONS][0] == (
        "本月与合作者协访王伟、钱七、郑一、赵六、周九（VIP 联合管理：每月 5 个目标客户协同拜访）"
    )
    got = _option(six_zh, "甲医院", "event")
    assert got[PT.FORMULA] == (
        "+50.75 盒/月 = 心内科市场 1,015 盒/月（我方份额 89.2%）× 学术活动提升率 5%"
    )
    assert got[PT.EVIDENCE] == (
        "心内科：市场 1,015 盒/月，我方 905，竞品 立普妥 100、波立维 10；本院竞品用量最大的科室"
    )
    assert got[PT.KPI] == "下月：心内科的我方产品用量从 905 增至 955.75 盒/月"
    assert got[PT.ACTIONS][1] == "关注心内科的竞品学术活动（立普妥）"


def test_fewer_options_say_why_in_chinese() -> None:
    with language("zh"):
        three = plan_hospitals(SALES, VISITS, settings=SETTINGS)
        one = plan_hospitals(
            sales([("P", M1, "戊医院", "", "", "心脉宁", 10)]), None, settings=SETTINGS
        )
    assert three.summary[PT.REASON].tolist() == ["", "只有 2 个方案：本院没有竞品数据", ""]
    assert one.summary[PT.REASON].tolist() == [
        "无可行方案：没有我方产品到医生层级的使用明细；本院没有竞品数据；"
        "只有一个月的数据（挽回方案要用之前各月与最近一个月比较）"
    ]


def test_thousands_and_two_decimals() -> None:
    """Averages over three months: 王伟 uses (1,200 + 1,300 + 1,204) / 3 = 1,234.67 of ours
    and (100 + 100 + 101) / 3 = 100.33 of 立普妥; converting 20% of it is 20.07."""
    rows = sales(
        [
            ("P", m, "甲医院", "心内科", "王伟", product, b)
            for product, boxes in (("心脉宁", (1200, 1300, 1204)), ("立普妥", (100, 100, 101)))
            for m, b in zip((M1, M2, M3), boxes, strict=True)
        ]
    )
    with language("zh"):
        result = plan_hospitals(rows, None, settings=SETTINGS, options=6)
    got = _option(result, "甲医院", "convert")
    assert got[PT.FORMULA] == (
        "+20.07 盒/月 = 心内科医生的竞品 100.33 盒/月（已使用我方产品）× 替换/联合率 20%"
    )
    # 1,234.67 + 20.07 = 1,254.73 (the sum of the unrounded figures, rounded once)
    assert got[PT.KPI] == (
        "下月：王伟的我方产品用量从 1,234.67 增至 1,254.73 盒/月，立普妥用量下降"
    )
    got = _option(result, "甲医院", "event")
    # market 1,234.67 + 100.33 = 1,335, our share 92.5%, x 5% = 66.75
    assert got[PT.FORMULA] == (
        "+66.75 盒/月 = 心内科市场 1,335 盒/月（我方份额 92.5%）× 学术活动提升率 5%"
    )


# Type and priority: names for people, codes for programs ----------------------------------


def test_type_and_priority_by_name_in_chinese(six_zh: P.PlanResult, tmp_path: Path) -> None:
    with language("zh"):
        three = plan_hospitals(SALES, VISITS, settings=SETTINGS)
        panels = plan_panels(three.options, three.summary)
        sheets = dict(plan_sheets(three.options, three.summary))
        markdown = plan_markdown(three.options, three.summary)
    lines = [line.text for line in panels[0].lines]
    assert lines[0] == "当前 905 盒/月（A 级，VIP）→ 方案落地后 1,076.75（A 级）"
    assert "1. VIP 联合管理：+121 盒/月（优先级：高）" in lines
    assert "2. 挽回：+60 盒/月（优先级：中）" in lines
    assert (
        "1、本月与合作者协访王伟、钱七、郑一、赵六、周九（VIP 联合管理：每月 5 个目标客户协同拜访）"
        in lines
    )
    sheet = sheets["甲医院"]
    assert sheet[P.TYPE].tolist() == ["VIP 联合管理", "挽回", "学术活动"]
    assert sheet[P.PRIORITY].tolist() == ["高", "中", "中"]
    assert sheet[P.ASSUMPTIONS].tolist()[1:] == ["挽回率 50%", "学术活动提升率 5%"]
    assert sheet[TARGETS].tolist()[1] == "钱七、郑一"
    assert "| 1 | VIP 联合管理 | 高 | 121 |" in markdown
    assert "只有 2 个方案：本院没有竞品数据" in markdown


def test_english_files_keep_their_codes() -> None:
    with language("en"):
        three = plan_hospitals(SALES, VISITS, settings=SETTINGS)
        sheets = dict(plan_sheets(three.options, three.summary))
        markdown = plan_markdown(three.options, three.summary)
    assert sheets["甲医院"][P.TYPE].tolist() == ["vip", "win_back", "event"]
    assert sheets["甲医院"][P.ASSUMPTIONS].tolist()[1] == {"recovery": 0.5}
    assert "| 1 | VIP joint management | high | 121 |" in markdown


def test_json_keeps_codes_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with language("zh"):
        three = plan_hospitals(SALES, VISITS, settings=SETTINGS)
        show_plans(three.options, three.summary, fmt="json")
    records = json.loads(capsys.readouterr().out)
    assert [r["type"] for r in records[:3]] == ["vip", "win_back", "event"]
    assert [r["priority"] for r in records[:3]] == ["high", "medium", "medium"]
    assert records[1]["assumptions"] == {"recovery": 0.5}


def test_hidden_doctors_in_chinese(six_zh: P.PlanResult) -> None:
    with language("zh"):
        hidden = anonymise_plan_targets(six_zh.options)
    got = hidden[(hidden[C.HOSPITAL] == "甲医院") & (hidden[P.TYPE] == "win_back")].iloc[0]
    assert got[PT.KPI] == "下月：医生1、医生2合计恢复到 70 盒/月（目前 10 盒/月）"
    assert "钱七" not in "".join(_option_texts(hidden))
