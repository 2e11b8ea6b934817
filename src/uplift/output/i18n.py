"""Labels in Chinese or English: table headers, titles, sheet names and report labels.

Texts are written in English in the code and looked up here: `t("Hospital")` is "医院" when
the language is Chinese and "Hospital" when it is English; a text without a translation is
returned unchanged. Titles with figures are templates, translated first and filled after:
`t("Tiers by {by}").format(by=t("hospital"))`.

Only what people read changes with the language; JSON and CSV keys never do.

The language is "zh" or "en": the one given to `set_language` (the CLI's `--lang`), else
the locale's (LC_ALL, LC_MESSAGES or LANG starting with "zh" gives Chinese).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

LANGUAGES: Final = ("zh", "en")

_language: str | None = None

# English -> Chinese. Keys are exactly the texts the code writes.
ZH: Final[Mapping[str, str]] = {
    # uplift names
    "sure": "确定",
    "[{number}] {candidate}  score {score:.0f}": "[{number}] {candidate}  相似度 {score:.0f}",
    "{boxes} boxes": "{boxes} 盒",
    "Accept with: uplift names --accept N (or --accept-sure)": "采纳：uplift names --accept 序号（或 --accept-sure 采纳全部确定项）",
    "Hospitals the customer master does not know, with candidates": "客户对照中没有的医院及候选标准名称",
    "Hospital names that look like one hospital": "疑似同一医院的不同写法",
    "No names to wash: every hospital is known.": "无需清洗：所有医院均已匹配。",
    "{n} aliases written to [hospital_aliases] in {path}": "已将 {n} 条别名写入 {path} 的 [hospital_aliases]",
    # entities and common columns
    "Hospital": "医院",
    "Department": "科室",
    "Prescriber": "医生",
    "Partner": "合作者",
    "Left out to fit {width} columns: {names}. To see them: a wider window, or --format csv": (
        "为适应 {width} 列宽，未显示：{names}。如需查看：加宽窗口，或用 --format csv"
    ),
    "(all partners)": "（全部合作者）",
    "Product": "产品",
    "Month": "月份",
    "Market": "市场",
    "Boxes": "盒数",
    "Amount": "金额",
    "Tier": "分级",
    "Share": "份额",
    "VIP": "VIP",
    "Months": "月数",
    "Trend": "趋势",
    "Decile": "十分位",
    "Note": "说明",
    "Source": "来源",
    "Rank": "排名",
    "Name": "名称",
    "Rows": "行",
    "Row": "行",
    "File": "文件",
    "Sheet": "工作表",
    "Kind": "类型",
    "Quantity": "数量",
    "Unit": "单位",
    "Spec": "规格",
    "Period": "期间",
    "hospital": "医院",
    "department": "科室",
    "prescriber": "医生",
    "partner": "合作者",
    "prescribers": "医生",
    "hospitals": "医院",
    "{n} month": "{n} 个月",
    "{n} months": "{n} 个月",
    "no months": "无月份",
    # tier
    "From boxes": "起始盒数",
    "Entities": "数量",
    "Share of boxes": "盒数占比",
    "average boxes/month": "月均盒数",
    "boxes in {month}": "{month} 盒数",
    "Tiers by {by}: {figure}, our products, {window}": "分级（按{by}）：{figure}，我方产品，{window}",
    "Summary (thresholds {bounds})": "汇总（分级阈值 {bounds}）",
    " (top {n} of {total})": "（前 {n} 名，共 {total}）",
    ", all {total}, not only the top {n}": "，全部 {total} 个，不只前 {n} 名",
    "VIP hospitals (>= {vip} boxes/month): {n}": "VIP 医院（月均 ≥ {vip} 盒）：{n}",
    # gaps
    "Ours": "我方",
    "Competitors": "竞品",
    "Band": "份额区间",
    "Segment": "象限",
    "Gap to leader": "与领先竞品差距",
    "Conversion": "替换/联合",
    "Development": "空白开发",
    "Opportunity": "机会",
    "White-space departments": "空白科室",
    "Leader": "领先竞品",
    "Leader boxes": "领先竞品盒数",
    "Competitor boxes": "竞品盒数",
    "Market boxes": "市场盒数",
    "Competitor data at": "竞品数据层级",
    "Average boxes/month. Conversion: competitor boxes where ours is already used; "
    "development: where none of ours is (white space).": (
        "均为月均盒数。替换/联合：已用我方产品处的竞品盒数；空白开发：尚未使用我方产品处的竞品盒数。"
    ),
    "Competitor gaps{suffix}: no rows": "竞品差距{suffix}：无数据",
    "Competitor gaps by {by}{label}{suffix}": "竞品差距（按{by}）{label}{suffix}",
    ", market {market}": "，市场 {market}",
    "{name}: by {level}": "{name}：按{level}",
    "Competitor data only at {where} level here: {level} rows show no competitor figures.": (
        "此处竞品数据只到{where}层级：{level}行不显示竞品数字。"
    ),
    "grow": "增长",
    "defend": "防守",
    "maintain": "维持",
    "low": "低",
    "sheets": "流向表",
    "visits": "拜访",
    "sheets+visits": "流向表+拜访",
    "none": "无",
    # growth
    "Change": "变化",
    "Category": "类别",
    "From rivals": "来自竞品",
    "To rivals": "流向竞品",
    "Bridge": "增长桥",
    "Growth by {by}: {start} -> {end}, average boxes/month of our products": (
        "增长来源（按{by}）：{start} → {end}，我方产品月均盒数"
    ),
    "{shown} of {total} rows": "共 {total} 行，显示 {shown} 行",
    "Start ({period})": "期初（{period}）",
    "= End ({period})": "= 期末（{period}）",
    "+ new": "+ 新增",
    "+ grown": "+ 增长",
    "- declined": "- 下降",
    "- lost": "- 流失",
    "± not reported (data gap)": "± 未报数据（数据缺口）",
    "± possible rename": "± 可能改名",
    "± unit change": "± 单位变化",
    "of which {boxes} switched from competitors": "其中 {boxes} 来自竞品替换",
    "of which {boxes} switched to competitors": "其中 {boxes} 被竞品替换",
    "net change, not counted as new or lost": "净变化，不计入新增或流失",
    "new": "新增",
    "grown": "增长",
    "declined": "下降",
    "lost": "流失",
    "unchanged": "持平",
    "not reported": "未报数据",
    "possible rename": "可能改名",
    "unit change": "单位变化",
    "Breadth x depth ({level}s): {n1} -> {n2} {level}s with our boxes, {s1} -> {s2} boxes "
    "each; change {change} = more/fewer {level}s {breadth} + deeper/shallower use {depth}": (
        "广度 × 深度（{level}）：使用我方产品的{level} {n1} → {n2}，每位 {s1} → {s2} 盒；"
        "变化 {change} = {level}增减 {breadth} + 用量深浅 {depth}"
    ),
    # partners
    "Boxes/month": "月均盒数",
    "Last month": "上月盒数",
    "Previous month": "前月盒数",
    "Growth": "增长",
    "Growth %": "增长率",
    "Hospitals": "医院数",
    "Departments": "科室数",
    "Depts": "科室数",
    "Prescribers": "医生数",
    "Top-5": "前5医生占比",
    "Tier mix": "分级构成",
    "VIP hospitals": "VIP 医院",
    "Reported": "已报月数",
    "Months reported": "已报月数",
    "Months in window": "窗口月数",
    "Timeliness": "及时率",
    "Missing months": "缺报月份",
    "Rows read": "读取行数",
    "Rows rejected": "被拒行数",
    "Rejected": "被拒",
    "Rejected %": "被拒比例",
    "Partners: average boxes/month of our products; falling partners first": (
        "合作者：我方产品月均盒数；下滑的合作者在前"
    ),
    # plans
    "Option": "方案",
    "Priority": "优先级",
    "Extra boxes/month": "月增盒数",
    "Targets": "目标客户",
    "Formula": "算式",
    "Evidence": "依据",
    "Actions": "行动",
    "KPI next month": "下月 KPI",
    "Assumptions": "假设",
    "Boxes/month now": "当前月均盒数",
    "Projected boxes/month": "预计月均盒数",
    "Tier now": "当前分级",
    "Projected tier": "预计分级",
    "Options": "方案数",
    "Why fewer options": "方案不足原因",
    "Summary": "概要",
    "Deepen": "深挖上量",
    "Convert / combine": "竞品替换/联合用药",
    "Develop": "空白开发",
    "Win back": "挽回",
    "VIP joint management": "VIP 联合管理",
    "Academic event": "学术活动",
    "high": "高",
    "medium": "中",
    "Uplift plans": "上量方案",
    "{rank}. {label}: +{boxes} boxes/month ({priority} priority)": (
        "{rank}. {label}：+{boxes} 盒/月（优先级：{priority}）"
    ),
    "now {now} boxes/month (tier {tier}{vip}) -> {projected} if the options land (tier {ptier})": (
        "当前 {now} 盒/月（{tier} 级{vip}）→ 方案落地后 {projected}（{ptier} 级）"
    ),
    "Targets: {names}": "目标客户：{names}",
    "Evidence: {text}": "依据：{text}",
    "KPI: {text}": "KPI：{text}",
    # targets
    "Target": "目标",
    "Actual": "实际",
    "Done": "完成率",
    "Forecast": "预测",
    "Fcst %": "预测完成率",
    "Shortfall": "缺口",
    "YTD %": "年累计完成率",
    "YoY": "同比",
    "Behind the shortfall": "缺口原因",
    "Targets as of {as_of}: boxes of our products": "截至 {as_of} 的目标：我方产品盒数",
    "Not in the data": "数据中没有",
    "Closest name in the data": "数据中最接近的名称",
    "Names in the targets sheet not found in the sales data": "目标表中有、销售数据里找不到的名称",
    # check, load, sources, trace
    "Header row": "表头行",
    "Read": "读取",
    "Kept": "保留",
    "Skipped": "跳过",
    "Boxes ours": "我方盒数",
    "Boxes others": "其他盒数",
    "What was read": "读取情况",
    "Loaded at (UTC)": "载入时间（UTC）",
    "Content hash": "内容哈希",
    "Loaded sources": "已载入的来源",
    # report: sheets
    "Hospital tiers": "医院分级",
    "Prescriber tiers": "医生分级",
    "Gaps": "竞品差距",
    "Plans": "上量方案",
    "Partners": "合作者",
    "Data quality": "数据质量",
    # report: summary
    "Uplift report": "上量报告",
    "Key figures": "关键指标",
    "Figure": "指标",
    "Value": "数值",
    "Detail": "说明",
    "Boxes this month": "本月盒数",
    "Boxes previous month": "上月盒数",
    "Growth vs previous month": "环比增长",
    "Growth % vs previous month": "环比增长率",
    "Hospitals with our products": "使用我方产品的医院",
    "Hospitals in tier {tier}": "{tier} 级医院",
    "VIP hospitals (>= {vip} boxes/month)": "VIP 医院（月均 ≥ {vip} 盒）",
    "Opportunity boxes/month (all hospitals)": "机会盒数/月（全部医院）",
    "Partners needing attention": "需关注的合作者",
    "Where the growth came from ({start} -> {end})": "增长来源（{start} → {end}）",
    "Hospitals per tier": "各级医院数",
    "Top opportunities": "最大机会",
    "Monthly boxes per partner": "各合作者月度盒数",
    "Share in the largest hospitals": "最大医院中的份额",
    "Other competitors": "其他竞品",
    "About this report": "报告说明",
    "Item": "项目",
    "Why": "原因",
    "falling: {growth} boxes ({pct})": "下滑：{growth} 盒（{pct}）",
    "falling: {growth} boxes": "下滑：{growth} 盒",
    "missing {months}": "缺报 {months}",
    "Files": "文件",
    "Partners in the data": "数据中的合作者",
    "Window": "分析窗口",
    "Growth compares": "增长比较",
    "Tier thresholds (boxes/month)": "分级阈值（月均盒数）",
    "VIP from (boxes/month)": "VIP 起点（月均盒数）",
    "Rates": "比率假设",
    "Markets": "市场",
    "Our products": "我方产品",
    "Settings file": "配置文件",
    "Prescriber detail": "医生信息",
    "Language": "语言",
    "Generated": "生成时间",
    "Figures": "数字口径",
    "Average boxes/month of our products over the window unless a month is named; "
    "every figure as in the uplift commands with the same data and settings.": (
        "除注明月份外，均为分析窗口内我方产品的月均盒数；与相同数据和配置下 uplift 各命令的输出一致。"
    ),
    "named": "实名",
    "pseudonym": "化名",
    "hidden": "隐藏",
    "named: doctors' real names": "实名：显示医生真实姓名",
    "pseudonym: doctors as stable pseudonyms": "化名：医生以固定化名显示",
    "hidden: no prescriber-level figures or names": "隐藏：不含医生层级的姓名和数字",
    "(none: every product counts as ours)": "（未配置：所有产品都算我方）",
    "(none)": "（无）",
    "(none): no data for {month}": "（无）：{month} 没有数据",
    "{month}: no data": "{month}：没有数据",
    "{n} more": "另有 {n} 个",
    "Tier mix (hospitals)": "分级构成（医院数）",
    "Boxes {month}": "{month} 盒数",
    "Start": "期初",
    "End": "期末",
    "Switched from competitors": "来自竞品替换",
    "Switched to competitors": "被竞品替换",
    "Opportunities by hospital, all markets": "各医院机会，全部市场",
    # report: data quality
    "Rows kept": "保留行数",
    "Rows skipped": "跳过行数",
    "Skipped because": "跳过原因",
    "Rejected because": "被拒原因",
    "Examples": "示例",
    "Loaded at": "载入时间",
    "Error": "错误",
    "Months covered": "涵盖月份",
    "error": "错误",
    "duplicate": "重复文件",
    "note": "备注",
    "sales": "销售",
    "competitors": "竞品",
    "Boxes of our products": "我方产品盒数",
    "Boxes of other products": "其他产品盒数",
    "Competitor share": "竞品份额",
    "Current boxes/month": "当前月均盒数",
    "Current tier": "当前分级",
    "Counted boxes": "计入盒数",
    "{prescriber} {n}": "{prescriber}{n}",
}


def default_language() -> str:
    """The user's language: from LC_ALL, LC_MESSAGES or LANG (the first set decides, as in
    POSIX locale lookup), else the Windows display language; Chinese when none says.

    "C" and "POSIX" (a server's or container's default) say nothing about the user.
    """
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            key = value.casefold()
            if key.split(".")[0] in ("c", "posix"):
                break
            return "zh" if key.startswith("zh") else "en"
    windows = _windows_language()
    if windows is not None:
        return windows
    return "zh"


def _windows_language() -> str | None:
    """ "zh" or "en" from the Windows display language; None elsewhere."""
    import sys

    if sys.platform != "win32":
        return None
    try:
        import ctypes

        langid = int(ctypes.windll.kernel32.GetUserDefaultUILanguage())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return "zh" if langid & 0x3FF == 0x04 else "en"  # LANG_CHINESE, any region


def check_language(lang: str) -> str:
    """`lang` as "zh" or "en" (case and region ignored: "zh_CN" is "zh"); ValueError else."""
    key = str(lang).strip().casefold().replace("-", "_").split("_")[0]
    if key not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return key


def set_language(lang: str | None) -> None:
    """Use `lang` ("zh" or "en") from now on; None goes back to the locale's language."""
    global _language
    _language = None if lang is None else check_language(lang)


def current_language() -> str:
    """The language in use: the one set, else the locale's."""
    return _language if _language is not None else default_language()


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Use `lang` inside a `with` block, then restore the previous choice."""
    global _language
    before = _language
    set_language(lang)
    try:
        yield current_language()
    finally:
        _language = before


def t(text: str) -> str:
    """`text` in the current language: its Chinese label in zh, itself in en or if unknown."""
    if current_language() == "zh":
        return ZH.get(text, text)
    return text


def t_all(texts: Mapping[str, str]) -> dict[str, str]:
    """Every value of `texts` (e.g. a column -> header mapping) through `t`."""
    return {key: t(value) for key, value in texts.items()}
