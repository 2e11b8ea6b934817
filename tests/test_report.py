"""The report workbook: sheets per language, charts, numbers, safety, privacy, and figures
that equal the commands' own."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import range_boundaries

from tests.fixtures_build import write_csv
from tests.test_plans import SALES as PLAN_SALES
from tests.test_plans import SETTINGS as PLAN_SETTINGS
from tests.test_plans import VISITS as PLAN_VISITS
from uplift.analysis.gaps import competitor_gaps
from uplift.analysis.growth import growth_bridge
from uplift.analysis.partners import load_stats_from, partner_scorecard
from uplift.analysis.tiers import tier_entities, tier_summary
from uplift.config import load_settings, settings_from_dict
from uplift.errors import NoData, UsageError
from uplift.output.export import display_width
from uplift.output.plan_texts import plan_hospitals
from uplift.output.render import round_half_up
from uplift.output.report import (
    QUALITY_COLUMNS,
    build_report,
    quality_from_result,
    quality_from_sources,
    write_report,
)
from uplift.sheets.loading import LoadResult, load_files
from uplift.store.privacy import mask_prescribers, privacy_level, pseudonym

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
KEY = bytes(range(32))
PAYLOAD = '=HYPERLINK("http://x","y")'
# xlsx files keep 16 significant digits ("%.16g"): 2357.8333333333335 reads 2357.833333333333
EXCEL_DIGITS = 1e-15

ZH_SHEETS = ["概要", "医院分级", "医生分级", "竞品差距", "上量方案", "增长", "合作者", "数据质量"]
EN_SHEETS = [
    "Summary",
    "Hospital tiers",
    "Prescriber tiers",
    "Gaps",
    "Plans",
    "Growth",
    "Partners",
    "Data quality",
]


# Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples() -> tuple[Any, LoadResult]:
    settings = load_settings(SAMPLES / "uplift.toml")
    files = [SAMPLES / n for n in ("kangyuan.xlsx", "northstar.xlsx", "competitors.xlsx")]
    return settings, load_files(files, settings=settings)


def _build(samples: tuple[Any, LoadResult], **options: Any) -> Any:
    settings, result = samples
    return build_report(
        result.sales,
        result.competitors,
        settings=settings,
        load_report=quality_from_result(result),
        load_stats=load_stats_from(result.sheets),
        **options,
    )


@pytest.fixture(scope="module")
def zh(samples, tmp_path_factory) -> tuple[Any, openpyxl.Workbook]:
    report = _build(samples, lang="zh", privacy="named")
    path = write_report(report, tmp_path_factory.mktemp("zh") / "report.xlsx")
    return report, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def en_pseudonym(samples, tmp_path_factory) -> tuple[Any, openpyxl.Workbook]:
    report = _build(samples, lang="en", privacy="pseudonym", key=KEY)
    path = write_report(report, tmp_path_factory.mktemp("en") / "report.xlsx")
    return report, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def hidden(tmp_path_factory) -> tuple[Any, openpyxl.Workbook]:
    """The plans fixture (its VIP option targets five doctors), prescriber detail hidden."""
    # the level comes from uplift.toml (prescriber_detail) when none is given
    settings = replace(PLAN_SETTINGS, prescriber_detail="hidden")
    report = build_report(PLAN_SALES, PLAN_VISITS, settings=settings, lang="en")
    path = write_report(report, tmp_path_factory.mktemp("hidden") / "report.xlsx")
    return report, openpyxl.load_workbook(path)


HOSTILE_SETTINGS = settings_from_dict({"ours": ["心脉宁片"]})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> LoadResult:
    """A partner sheet whose hospital, doctor, department and quantity hold formula payloads."""
    folder = tmp_path_factory.mktemp("hostile")
    header = ["医院名称", "科室", "医生", "品名", "数量", "月份"]
    rows = [
        header,
        [PAYLOAD, "心内科", PAYLOAD, "心脉宁片", 250, "2026-08"],
        [PAYLOAD, "心内科", PAYLOAD, "心脉宁片", 320, "2026-09"],
        [PAYLOAD, "心内科", "王伟", "氯吡格雷片", 400, "2026-09"],
        ["+86 医院", "@SUM(A1)", "-李娜", "心脉宁片", 120, "2026-09"],
        ["甲医院", "心内科", "赵六", "心脉宁片", PAYLOAD, "2026-09"],  # rejected: not a number
    ]
    path = write_csv(folder / "hostile.csv", rows)
    return load_files([path], settings=HOSTILE_SETTINGS, partner=PAYLOAD)


# Helpers ----------------------------------------------------------------------------------


def _cells(wb: openpyxl.Workbook):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws, cell


def _row_of(ws, column: int, text: str) -> int:
    """The row whose cell in `column` reads `text` (the first one)."""
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not found in {ws.title}")


def _figure(ws, label: str) -> Any:
    """A key figure of the Summary sheet, by its label."""
    return ws.cell(row=_row_of(ws, 1, label), column=2).value


def _ref(formula: str) -> tuple[str, tuple[int, int, int, int]]:
    sheet, _, cells = formula.rpartition("!")
    return sheet.strip("'"), range_boundaries(cells.replace("$", ""))


def _values(ws, formula: str) -> list[Any]:
    _, (c1, r1, c2, r2) = _ref(formula)
    return [ws.cell(row=r, column=c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


# Sheets and charts ------------------------------------------------------------------------


def test_sheet_names_per_language(zh, en_pseudonym, hidden) -> None:
    assert zh[1].sheetnames == ZH_SHEETS
    assert list(zh[0].sheets) == ZH_SHEETS
    assert en_pseudonym[1].sheetnames == EN_SHEETS
    # hidden: no prescriber-level sheet at all
    assert hidden[1].sheetnames == [n for n in EN_SHEETS if n != "Prescriber tiers"]
    assert zh[1]["医院分级"]["A1"].value == "医院"
    assert en_pseudonym[1]["Hospital tiers"]["A1"].value == "Hospital"


def test_charts_exist_and_reference_the_summary_tables(zh, samples) -> None:
    settings, result = samples
    ws = zh[1]["概要"]
    line, bar, stacked = ws._charts
    assert type(line).__name__ == "LineChart"
    assert type(bar).__name__ == "BarChart" and bar.type == "col"
    assert type(stacked).__name__ == "BarChart" and stacked.grouping == "percentStacked"

    # monthly trend per partner: months down column A, a column per partner
    header = _row_of(ws, 1, "各合作者月度盒数") + 1
    first, last = header + 1, header + 6
    card = partner_scorecard(result.sales, settings=settings, competitors=result.competitors)
    expected = {p: list(m) for p, m in zip(card["partner"], card["monthly"], strict=True)}
    for i, series in enumerate(line.series):
        col = openpyxl.utils.get_column_letter(2 + i)
        assert series.val.numRef.f == f"'概要'!${col}${first}:${col}${last}"
        assert series.cat.strRef.f == f"'概要'!$A${first}:$A${last}"
        assert series.tx.strRef.f == f"'概要'!{col}{header}"
        partner = ws[f"{col}{header}"].value
        assert _values(ws, series.val.numRef.f) == expected[partner]
    assert _values(ws, line.series[0].cat.strRef.f) == [f"2026-0{m}" for m in range(4, 10)]
    assert {ws.cell(row=header, column=2 + i).value for i in range(2)} == set(expected)

    # hospitals per tier: tier labels and the counts of `uplift tier`
    (series,) = bar.series
    sheet, (c1, r1, c2, r2) = _ref(series.val.numRef.f)
    assert sheet == "概要" and (c1, c2) == (3, 3) and r2 - r1 == 3
    assert ws.cell(row=r1 - 1, column=3).value == "医院数"
    assert _values(ws, series.cat.strRef.f) == ["A", "B", "C", "D"]
    tiers = tier_summary(tier_entities(result.sales, settings=settings), thresholds=(100, 200, 300))
    assert _values(ws, series.val.numRef.f) == tiers["entities"].tolist()

    # our share against the top competitors: ours, three competitors, the rest
    assert len(stacked.series) == 5
    header = _row_of(ws, 1, "最大医院中的份额") + 1
    titles = [ws[s.tx.strRef.f.split("!")[1]].value for s in stacked.series]
    assert titles[0] == "我方" and titles[-1] == "其他竞品"
    hospitals = _values(ws, stacked.series[0].cat.strRef.f)
    assert len(hospitals) == 10 and hospitals[0] == "华西协和医院"
    for s in stacked.series:
        _, (_, r1, _, r2) = _ref(s.val.numRef.f)
        assert (r1, r2) == (header + 1, header + 10)


def test_numbers_are_numbers_with_formats(zh) -> None:
    wb = zh[1]
    tiers = wb["医院分级"]
    headers = [c.value for c in tiers[1]]
    boxes, share = headers.index("月均盒数") + 1, headers.index("份额") + 1
    for r in range(2, tiers.max_row + 1):
        assert tiers.cell(row=r, column=boxes).data_type == "n"
        # boxes at 2 decimals (299.5 is not "300" beside tier B), shares at 4 (0.00%)
        assert tiers.cell(row=r, column=boxes).number_format == "#,##0.00"
        assert tiers.cell(row=r, column=share).number_format == "0.00%"
        assert tiers.cell(row=r, column=len(headers)).data_type == "n"  # the last month
    summary = wb["概要"]
    cell = summary.cell(row=_row_of(summary, 1, "本月盒数"), column=2)
    assert cell.data_type == "n" and cell.number_format == "#,##0.00"
    cell = summary.cell(row=_row_of(summary, 1, "环比增长率"), column=2)
    assert cell.data_type == "n" and cell.number_format == "0.00%"
    gaps = wb["竞品差距"]
    headers = [c.value for c in gaps[1]]
    column = headers.index("机会") + 1
    assert all(gaps.cell(row=r, column=column).data_type == "n" for r in range(2, gaps.max_row + 1))


def test_frozen_headers_filters_widths_and_tier_colours(zh) -> None:
    wb = zh[1]
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2", ws.title
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
    tiers = wb["医院分级"]
    widest = max(display_width(c.value) for c in tiers["A"])  # Chinese characters count 2
    assert widest == 22  # 石桥铺社区卫生服务中心
    assert tiers.column_dimensions["A"].width == widest + 2
    rules = {
        rule.formula[0]: str(rng.sqref)
        for rng in tiers.conditional_formatting
        for rule in rng.rules
    }
    assert rules == {f'"{t}"': f"B2:B{tiers.max_row}" for t in "ABCD"}


# Figures ----------------------------------------------------------------------------------


def test_summary_figures_equal_the_commands(zh, samples) -> None:
    settings, result = samples
    report, wb = zh
    ws = wb["概要"]
    sales, comp = result.sales, result.competitors
    _, totals = growth_bridge(sales, settings=settings)  # as `uplift growth`
    hospitals = tier_entities(sales, settings=settings)  # as `uplift tier`
    per_tier = tier_summary(hospitals, thresholds=settings.thresholds)
    gaps = competitor_gaps(sales, comp, settings=settings)  # as `uplift gaps`

    assert _figure(ws, "本月盒数") == totals["end"] == 11169.5
    assert _figure(ws, "上月盒数") == totals["start"] == 10868.0
    assert _figure(ws, "环比增长") == totals["end"] - totals["start"]
    growth = (totals["end"] - totals["start"]) / totals["start"]
    assert _figure(ws, "环比增长率") == round_half_up(growth, 4)  # a ratio, at 4 decimals
    for tier, n in zip(per_tier["tier"], per_tier["entities"], strict=True):
        assert _figure(ws, f"{tier} 级医院") == n
    assert _figure(ws, "VIP 医院（月均 ≥ 1000 盒）") == int(hospitals["vip"].sum()) == 3
    assert _figure(ws, "机会盒数/月（全部医院）") == round_half_up(
        gaps["opportunity_boxes"].sum(), 2
    )
    # the bridge lines of `uplift growth`
    assert _figure(ws, "+ 增长") == totals["grown"]
    assert _figure(ws, "- 下降") == totals["declined"]
    assert _figure(ws, "= 期末（2026-09）") == totals["end"]
    assert report.kpis["boxes_this_month"] == totals["end"]
    assert report.kpis["hospitals_per_tier"] == {"A": 9, "B": 7, "C": 8, "D": 14}

    # top opportunities: the first rows of `uplift gaps`, in its order
    header = _row_of(ws, 1, "最大机会") + 1
    first = [ws.cell(row=header + 1 + i, column=2).value for i in range(3)]
    assert first == gaps["hospital"].head(3).tolist()


def boxes(values: pd.Series) -> list[float | None]:
    """Figures as a workbook cell holds them: 2 decimals, an unknown figure an empty cell."""
    return [None if math.isnan(v) else round_half_up(v, 2) for v in values.tolist()]


def test_data_sheets_equal_the_commands(zh, samples) -> None:
    settings, result = samples
    wb = zh[1]
    sales, comp = result.sales, result.competitors
    hospitals = tier_entities(sales, settings=settings)
    tiers = wb["医院分级"]
    assert [c.value for c in tiers["A"][1:]] == hospitals["hospital"].tolist()
    # every figure as the commands' JSON gives it: boxes rounded once, to 2 decimals
    assert [c.value for c in tiers["C"][1:]] == boxes(hospitals["boxes"])
    assert [c.value for c in tiers["B"][1:]] == hospitals["tier"].tolist()
    gaps = competitor_gaps(sales, comp, settings=settings)
    sheet = wb["竞品差距"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("机会")
    assert [r[column].value for r in sheet.iter_rows(min_row=2)] == boxes(gaps["opportunity_boxes"])
    rows, _ = growth_bridge(sales, settings=settings)
    growth = wb["增长"]
    assert [c.value for c in growth["A"][1:]] == rows["hospital"].tolist()
    assert [c.value for c in growth["E"][1:]] == rows["change"].tolist()
    card = partner_scorecard(
        sales, settings=settings, competitors=comp, load_stats=load_stats_from(result.sheets)
    )
    partners = wb["合作者"]
    assert [c.value for c in partners["A"][1:]] == card["partner"].tolist()
    assert [c.value for c in partners["B"][1:]] == boxes(card["boxes"])


def test_summary_note_says_what_produced_it(zh) -> None:
    report, wb = zh
    notes = dict(report.notes)
    assert notes["文件"] == "kangyuan.xlsx, northstar.xlsx, competitors.xlsx"
    assert notes["分析窗口"] == "2026-04..2026-09 (6 个月)"
    assert notes["分级阈值（月均盒数）"] == "100, 200, 300"
    assert "conversion 20%" in notes["比率假设"]
    assert notes["医生信息"] == "实名：显示医生真实姓名"
    assert notes["配置文件"] == "uplift.toml"
    ws = wb["概要"]
    assert ws.cell(row=_row_of(ws, 1, "医生信息"), column=2).value == "实名：显示医生真实姓名"


def test_data_quality_sheet(zh, samples) -> None:
    _, result = samples
    ws = zh[1]["数据质量"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["文件", "工作表", "类型"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.sheets)
    first = dict(zip(headers, rows[0], strict=True))
    sheet = result.sheets[0]
    assert (first["文件"], first["工作表"], first["类型"]) == ("kangyuan.xlsx", "2026年4月", "销售")
    assert (first["读取行数"], first["保留行数"], first["跳过行数"]) == (426, 422, 4)
    assert first["保留行数"] == sheet.kept
    assert "1 totals row" in first["跳过原因"]


# Safety and privacy -------------------------------------------------------------------------


@pytest.mark.parametrize("privacy", ["named", "pseudonym", "hidden"])
def test_payloads_are_text_never_formulas(hostile: LoadResult, privacy: str, tmp_path) -> None:
    report = build_report(
        hostile.sales,
        hostile.competitors,
        settings=HOSTILE_SETTINGS,
        lang="en",
        privacy=privacy,
        key=KEY,
        load_report=quality_from_result(hostile),
        load_stats=load_stats_from(hostile.sheets),
    )
    wb = openpyxl.load_workbook(write_report(report, tmp_path / "r.xlsx"))
    texts = []
    for ws, cell in _cells(wb):
        assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            texts.append(cell.value)
    assert PAYLOAD in texts  # the hospital (and partner) name, exactly as typed
    assert "+86 医院" in texts
    tiers = wb["Hospital tiers"]
    assert tiers["A2"].value == PAYLOAD and tiers["A2"].data_type == "s"
    summary = wb["Summary"]
    header = _row_of(summary, 1, "Monthly boxes per partner") + 1
    assert summary.cell(row=header, column=2).value == PAYLOAD  # a series title
    quality = wb["Data quality"]
    headers = [c.value for c in quality[1]]
    examples = quality.cell(row=2, column=headers.index("Examples") + 1).value
    assert "row 6" in examples and "quantity is not a number" in examples
    if privacy == "named":
        assert PAYLOAD in examples  # the rejected value, quoted
        doctors = [c.value for c in wb["Prescriber tiers"]["B"][1:]]
        assert PAYLOAD in doctors and "-李娜" in doctors
    else:
        assert PAYLOAD not in examples
        names = {c.value for ws, c in _cells(wb) if isinstance(c.value, str)}
        assert not any("-李娜" in v or "王伟" in v for v in names)


def _real_names(sales: pd.DataFrame, competitors: pd.DataFrame) -> set[str]:
    names = set(sales["prescriber"]) | set(competitors["prescriber"])
    return {n for n in names if n}


def _revealed(wb: openpyxl.Workbook, names: set[str]) -> set[str]:
    """The names found in any text cell of `wb`."""
    text = "\x00".join(c.value for _, c in _cells(wb) if isinstance(c.value, str))
    return {n for n in names if n in text}


def test_pseudonyms_never_reveal_a_real_name(en_pseudonym, samples) -> None:
    _, result = samples
    report, wb = en_pseudonym
    names = _real_names(result.sales, result.competitors)
    assert len(names) > 300
    assert _revealed(wb, names) == set()
    texts = [c.value for _, c in _cells(wb) if isinstance(c.value, str)]
    # the pseudonyms of every other output
    tiers = report.sheet("prescriber_tiers")
    first = result.sales[result.sales["prescriber"] != ""].iloc[0]
    assert pseudonym(first["hospital"], first["prescriber"], KEY) in set(tiers["prescriber"])
    assert "pseudonym: doctors as stable pseudonyms" in texts


def test_plan_pseudonyms_are_those_of_plan_mask_prescribers() -> None:
    report = build_report(
        PLAN_SALES, PLAN_VISITS, settings=PLAN_SETTINGS, lang="en", privacy="pseudonym", key=KEY
    )
    result = plan_hospitals(PLAN_SALES, PLAN_VISITS, settings=PLAN_SETTINGS)
    options = mask_prescribers(result.options, KEY)  # as `uplift plan --mask-prescribers`
    plans = report.sheet("plans")
    shown = {
        (h, r): (x, f)
        for h, r, x, f in zip(
            plans["hospital"], plans["rank"], plans["targets"], plans["formula"], strict=True
        )
    }
    assert len(options) >= 6
    for h, r, x, f in zip(
        options["hospital"], options["rank"], options["targets"], options["formula"], strict=True
    ):
        assert shown[(h, r)] == ("、".join(x), f)
    assert _real_names(PLAN_SALES, PLAN_VISITS).isdisjoint(
        {n for x in plans["targets"] for n in x.split("、")}
    )


def test_hidden_has_no_prescriber_names_or_columns(hidden) -> None:
    report, wb = hidden
    assert report.privacy == "hidden"
    names = _real_names(PLAN_SALES, PLAN_VISITS)
    assert len(names) >= 10
    assert _revealed(wb, names) == set()
    texts = [c.value for _, c in _cells(wb) if isinstance(c.value, str)]
    assert not any(text.startswith("医生-") for text in texts)  # no pseudonyms either
    for ws in wb.worksheets[1:]:
        headers = {c.value for c in ws[1]}
        assert "Prescriber" not in headers and "Top-5" not in headers, ws.title
    plans = report.sheet("plans")
    vip = plans[plans["type"] == "VIP joint management"].iloc[0]
    assert vip["targets"] == "、".join(f"Prescriber {i}" for i in range(1, 6))
    assert "hidden: no prescriber-level figures or names" in texts


def test_privacy_level_and_key() -> None:
    named = settings_from_dict({})
    hidden = settings_from_dict({"prescriber_detail": "hidden"})
    assert privacy_level(named) == "named"
    assert privacy_level(named, mask_prescribers=True) == "pseudonym"
    assert privacy_level(hidden, mask_prescribers=True) == "hidden"  # the stricter wins
    from tests.helpers import sales

    rows = sales([("P", "2026-01", "甲医院", "心内科", "王伟", "心脉宁片", 5)])
    with pytest.raises(UsageError, match="masking key"):
        build_report(rows, settings=named, privacy="pseudonym")
    with pytest.raises(UsageError, match="prescriber detail"):
        build_report(rows, settings=named, privacy="everyone")


# Edges ------------------------------------------------------------------------------------


def test_one_month_and_months_option(tmp_path) -> None:
    from tests.helpers import sales

    settings = settings_from_dict({"ours": ["心脉宁片"]})
    rows = sales(
        [
            ("P", "2026-01", "甲医院", "心内科", "王伟", "心脉宁片", 150),
            ("P", "2026-02", "甲医院", "心内科", "王伟", "心脉宁片", 250),
            ("Q", "2026-02", "乙医院", "", "", "心脉宁片", 40),
        ]
    )
    report = build_report(rows, settings=settings, lang="en", months=["2026-02"])
    assert report.kpis["window"] == ["2026-02"]
    assert report.kpis["boxes_this_month"] == 290.0
    assert report.sheet("growth").empty
    assert report.kpis["hospitals_per_tier"] == {"A": 0, "B": 1, "C": 0, "D": 1}
    wb = openpyxl.load_workbook(write_report(report, tmp_path / "one.xlsx"))
    assert _figure(wb["Summary"], "Boxes this month") == 290
    assert len(wb["Summary"]._charts) == 2  # no competitor figures: no share chart
    with pytest.raises(NoData):
        build_report(rows, settings=settings, months=["2025-12"])
    with pytest.raises(UsageError, match=r"\.xlsx"):
        write_report(report, tmp_path / "report.csv")


def test_quality_from_sources() -> None:
    sources = pd.DataFrame(
        {
            "file": ["/data/kangyuan.xlsx"],
            "partner": ["kangyuan"],
            "kind": ["sales"],
            "months": ["2026-04,2026-05,2026-06"],
            "rows": [1200],
            "boxes": [5000.0],
            "rows_read": [1210],
            "rows_rejected": [3],
            "loaded_at": ["2026-10-01 08:00:00"],
            "digest": ["abc"],
        }
    )
    got = quality_from_sources(sources)
    assert tuple(got.columns) == QUALITY_COLUMNS
    row = got.iloc[0]
    assert (row["file"], row["months"], row["kept"], row["rejected"]) == (
        "kangyuan.xlsx",
        "2026-04..2026-06",
        1200,
        3,
    )
    assert row["loaded_at"] == "2026-10-01 08:00:00"
    # the sheet leaves out what a workspace cannot say (sheets, reasons)
    sales = pd.DataFrame(
        {
            "partner": ["kangyuan"],
            "month": ["2026-04"],
            "hospital": ["甲医院"],
            "department": [""],
            "prescriber": [""],
            "product": ["x"],
            "boxes": [1.0],
            "source_file": ["/data/kangyuan.xlsx"],
        }
    )
    report = build_report(sales, settings=settings_from_dict({}), lang="en", load_report=got)
    assert list(report.sheet("data_quality").columns) == [
        "file",
        "kind",
        "partners",
        "months",
        "rows_read",
        "kept",
        "rejected",
        "loaded_at",
    ]


def test_progress_inputs_and_language(hostile: LoadResult) -> None:
    from uplift.output.i18n import current_language, language

    before = hostile.sales.copy()
    steps: list[tuple[int, int, str]] = []
    with language("en"):
        build_report(
            hostile.sales,
            settings=HOSTILE_SETTINGS,
            lang="zh",
            progress=lambda done, total, label: steps.append((done, total, label)),
        )
        assert current_language() == "en"  # the report's language does not leak
    assert [s[0] for s in steps] == list(range(1, len(steps) + 1))
    assert steps[-1][0] == steps[-1][1]
    pd.testing.assert_frame_equal(hostile.sales, before)  # inputs untouched
