"""The words of an uplift plan: formula, evidence, actions, KPI and why fewer options.

`analysis.plans.plan_figures` works out every option's figures (`facts`) and the reasons an
option type could not be made (codes with their figures); this module writes them as the
texts a manager forwards to a partner. The targets are written as tokens `⟦0⟧`, `⟦1⟧` ...
into `text_template` and filled with their names (see `store.privacy`), so masking a
doctor re-renders the texts and a real name can never survive in them.

Every text is written in the reader's language (`i18n.current_language()`, as every label
is): in English, or in Chinese as a manager writes to a partner (协访, 科室会, 目标客户 ...).
Both languages write the same figures with the same helpers (`fmt_boxes`, `_pct`), so the
numbers in a text are those of the figures columns. Type and priority stay codes in the
frames ("convert", "high"); the views show them through `i18n.t`.

`plan_hospitals` is the whole plan as every command and workbook shows it: the figures and
their texts, one row per option (`PLAN_COLUMNS`) and per hospital (`SUMMARY_COLUMNS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from uplift.analysis import plans as P
from uplift.analysis.gaps import MARKET
from uplift.output.i18n import ZH, current_language, t
from uplift.output.render import BOX_DECIMALS, round_half_up
from uplift.sheets import columns as C
from uplift.store.privacy import (
    PRESCRIBER_KIND,
    TARGET_KINDS,
    TARGETS,
    TEXT_COLUMNS,
    TEXT_TEMPLATE,
    render_texts,
    token,
)

if TYPE_CHECKING:
    import pandas as pd

    from uplift.config import Settings

TYPE_LABELS: Final = {
    "deepen": "Deepen",
    "convert": "Convert / combine",
    "develop": "Develop",
    "win_back": "Win back",
    "vip": "VIP joint management",
    "event": "Academic event",
}

# Text columns of an option
FORMULA: Final = "formula"
EVIDENCE: Final = "evidence"
ACTIONS: Final = "actions"
KPI: Final = "kpi"
# Why a hospital has fewer options than asked for
REASON: Final = "reason"

PLAN_COLUMNS: Final = (
    MARKET,
    C.HOSPITAL,
    P.RANK,
    P.TYPE,
    TARGETS,
    TARGET_KINDS,
    P.EXTRA_BOXES,
    P.COUNTED_BOXES,
    FORMULA,
    P.ASSUMPTIONS,
    EVIDENCE,
    ACTIONS,
    KPI,
    P.PRIORITY,
    TEXT_TEMPLATE,
)

SUMMARY_COLUMNS: Final = (
    MARKET,
    C.HOSPITAL,
    P.CURRENT_BOXES,
    P.EXTRA_BOXES,
    P.PROJECTED_BOXES,
    P.CURRENT_TIER,
    P.PROJECTED_TIER,
    C.VIP,
    P.OPTIONS,
    REASON,
)

NO_COMPETITOR_DATA: Final = "no competitor data for this hospital"
_EXPLICIT_TERMS: Final = 6  # longer sums are shown as totals

# the tokens `privacy.token` writes, found as `privacy.fill_names` finds them
_TOKENS: Final = re.compile(r"⟦(\d+)⟧")


def plan_hospitals(
    sales: pd.DataFrame,
    competitors: pd.DataFrame | None = None,
    *,
    settings: Settings,
    market: str | None = None,
    hospital: str | None = None,
    options: int = 3,
    months: list[str] | None = None,
) -> P.PlanResult:
    """The plan with its texts: `analysis.plans.plan_figures`, then `with_texts`."""
    return with_texts(
        P.plan_figures(
            sales,
            competitors,
            settings=settings,
            market=market,
            hospital=hospital,
            options=options,
            months=months,
        )
    )


def with_texts(plan: P.PlanResult) -> P.PlanResult:
    """Options with formula, evidence, actions, KPI and template; summaries with the reason.

    The texts are written in the current language (`i18n.current_language()`).
    """
    lang = current_language()
    options = plan.options
    templates = [
        option_template(kind, facts, kinds, lang=lang)
        for kind, facts, kinds in zip(
            options[P.TYPE], options[P.FACTS], options[TARGET_KINDS], strict=True
        )
    ]
    rendered = [
        _rendered(template, names)
        for template, names in zip(templates, options[TARGETS], strict=True)
    ]
    out = options.drop(columns=[P.FACTS])
    for column in (FORMULA, EVIDENCE, KPI):
        out[column] = [r[column] for r in rendered]
        out[column] = out[column].astype("str")
    out[ACTIONS] = [r[ACTIONS] for r in rendered]
    out[TEXT_TEMPLATE] = templates
    summary = plan.summary.copy()
    summary[REASON] = [
        "" if why is None else _reason(n, why, lang)
        for n, why in zip(summary[P.OPTIONS], summary[P.WHY_FEWER], strict=True)
    ]
    summary[REASON] = summary[REASON].astype("str")
    return P.PlanResult(options=out[list(PLAN_COLUMNS)], summary=summary[list(SUMMARY_COLUMNS)])


def anonymise_plan_targets(options: pd.DataFrame) -> pd.DataFrame:
    """Plan options whose doctors read "Prescriber 1", "Prescriber 2" ... within each option."""
    out = options.copy()
    label = t("Prescriber")
    named = []
    for targets, kinds in zip(out[TARGETS], out[TARGET_KINDS], strict=True):
        n, names = 0, []
        for target, kind in zip(targets, kinds, strict=True):
            if kind == PRESCRIBER_KIND:
                n += 1
                names.append(t("{prescriber} {n}").format(prescriber=label, n=n))
            else:
                names.append(target)
        named.append(names)
    out[TARGETS] = named
    rendered = [
        render_texts(tpl, names) for tpl, names in zip(out[TEXT_TEMPLATE], named, strict=True)
    ]
    for col in TEXT_COLUMNS:
        out[col] = [r[col] for r in rendered]
    return out


# Numbers in words ---------------------------------------------------------------------------


def fmt_boxes(x: float) -> str:
    """A number of boxes: up to two decimals (trailing zeros dropped), thousands separated."""
    try:
        return _FORMATTED[x]
    except (KeyError, TypeError):
        pass
    text = f"{round_half_up(float(x), BOX_DECIMALS):,.2f}".rstrip("0").rstrip(".")
    if len(_FORMATTED) >= _FORMATTED_MAX:
        _FORMATTED.clear()
    _FORMATTED[x] = text
    return text


# fmt_boxes runs for every figure of every plan: the same figures recur, so remember them
# (equal numbers format alike, 0.0 and -0.0 included)
_FORMATTED: dict[float, str] = {}
_FORMATTED_MAX: Final = 100_000


def _pct(x: float) -> str:
    """A fraction as a percentage with at most one decimal: 0.2 -> "20%", 0.9666 -> "96.7%"."""
    text = f"{round_half_up(float(x) * 100, 1):.1f}"
    return text.removesuffix(".0") + "%"


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _list(items: list[str]) -> str:
    return "、".join(items)


def _differences(tops: Any, bottoms: Any) -> str:
    """`(a - b) + (c - d)` term by term, or the two sums when there are many terms."""
    pairs = list(zip(tops, bottoms, strict=True))
    if len(pairs) <= _EXPLICIT_TERMS:
        return " + ".join(f"({fmt_boxes(t)} - {fmt_boxes(b)})" for t, b in pairs)
    return f"{fmt_boxes(sum(t for t, _ in pairs))} - {fmt_boxes(sum(b for _, b in pairs))}"


def _filled(text: str, names: list[str]) -> str:
    """`privacy.fill_names(text, names)`: each token replaced by its name in one pass.

    Split at the tokens (every odd part is a token's index) and joined again, which
    saves a Python call per token over a substitution with a function.
    """
    if "⟦" not in text:
        return text
    parts = _TOKENS.split(text)
    parts[1::2] = [names[int(i)] for i in parts[1::2]]
    return "".join(parts)


def _rendered(template: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """`privacy.render_texts(template, names)`, with `_filled`."""
    return {
        key: [_filled(v, names) for v in value]
        if isinstance(value, list)
        else _filled(value, names)
        for key, value in template.items()
    }


# Reasons ------------------------------------------------------------------------------------

_REASONS: Final[dict[str, Callable[..., str]]] = {
    "no_competitor_data": lambda: NO_COMPETITOR_DATA,
    "no_prescriber_usage": lambda: "no prescriber-level usage of ours",
    "none_near_threshold": lambda reach: (
        f"no prescriber within {_pct(reach)} below a tier threshold"
    ),
    "no_competitor_with_ours": lambda: "no competitor use where ours is already used",
    "no_white_space": lambda: "no competitor use outside ours (no white space)",
    "one_month_only": lambda: (
        "only one month of data (win back compares earlier months with the last)"
    ),
    "none_fell": lambda month: f"no prescriber stopped or fell by more than half in {month}",
    "no_vip_targets": lambda: "no target customers with an opportunity for joint visits",
    "hospital_level_only": lambda: (
        "competitor data for the whole hospital only (no department for an event)"
    ),
    "no_department_with_competitors": lambda: "no department with competitor use",
}


_REASONS_ZH: Final[dict[str, Callable[..., str]]] = {
    "no_competitor_data": lambda: "本院没有竞品数据",
    "no_prescriber_usage": lambda: "没有我方产品到医生层级的使用明细",
    "none_near_threshold": lambda reach: f"没有医生处在分级门槛以下 {_pct(reach)} 以内",
    "no_competitor_with_ours": lambda: "已使用我方产品的医生或科室没有竞品用量",
    "no_white_space": lambda: "未使用我方产品处没有竞品用量（无空白可开发）",
    "one_month_only": lambda: "只有一个月的数据（挽回方案要用之前各月与最近一个月比较）",
    "none_fell": lambda month: f"{month} 没有医生停用或用量下降超过一半",
    "no_vip_targets": lambda: "没有可安排协访的目标客户",
    "hospital_level_only": lambda: "竞品数据只到医院层级（无法确定开展学术活动的科室）",
    "no_department_with_competitors": lambda: "没有科室有竞品用量",
}


def reason_text(code: str, figures: dict[str, Any], lang: str | None = None) -> str:
    """One reason an option type could not be made, in words (`lang`: the current one)."""
    reasons = _REASONS_ZH if (lang or current_language()) == "zh" else _REASONS
    return reasons[code](**figures)


def _reason(k: int, reasons: list[tuple[str, dict[str, Any]]], lang: str) -> str:
    unique = list(dict.fromkeys(reason_text(code, figures, lang) for code, figures in reasons))
    if lang == "zh":
        head = "无可行方案" if k == 0 else f"只有 {k} 个方案"
        return f"{head}：{'；'.join(unique)}" if unique else head
    head = "no options" if k == 0 else f"only {_plural(k, 'option')}"
    return f"{head}: {'; '.join(unique)}" if unique else head


# Option texts -------------------------------------------------------------------------------


def option_template(
    kind: str, facts: dict[str, Any], target_kinds: list[str], *, lang: str | None = None
) -> dict[str, Any]:
    """An option's texts (formula, evidence, KPI, actions) with its targets as tokens.

    lang: "zh" or "en"; None takes the current language.
    """
    toks = [token(i) for i in range(len(target_kinds))]
    writers = _WRITERS_ZH if (lang or current_language()) == "zh" else _WRITERS
    return writers[kind](facts, target_kinds, toks)


def _deepen(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    thresholds, boxes = f["thresholds"], f["boxes"]
    pairs = list(zip(thresholds, boxes, strict=True))
    formula = (
        f"+{fmt_boxes(f['extra'])} boxes/month = {_differences(thresholds, boxes)}: "
        f"lift {_plural(len(toks), 'prescriber')} "
        f"to the next tier threshold (each within {_pct(f['reach'])} below it)"
    )
    evidence = "; ".join(
        f"{tok} {fmt_boxes(b)} -> {fmt_boxes(t)} boxes/month (tier {fr} -> {to})"
        for tok, (t, b), fr, to in zip(
            toks, pairs, f["tiers_before"], f["tiers_after"], strict=True
        )
    )
    kpi = "next month: " + ", ".join(
        f"{tok} at {fmt_boxes(t)}+" for tok, (t, _) in zip(toks, pairs, strict=True)
    )
    kpi += " boxes"
    actions = [
        f"Review the usage detail of {_list(toks)} with the partner: which patients and "
        "indications could add volume",
        "Raise visit frequency to these prescribers: the partner's team at 20+ calls a week, "
        "10+ of them on this product",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _where(kinds: list[str], toks: list[str], departments: list[str]) -> str:
    """Where the competitor boxes are, in words ("心内科 prescribers", "神经内科、老年科")."""
    if all(k == "prescriber" for k in kinds):
        unique = sorted(set(departments))
        if len(unique) == 1 and unique[0]:
            return f"{unique[0]} prescribers" if len(kinds) > 1 else f"{unique[0]} prescriber"
        return _plural(len(kinds), "prescriber")
    if all(k == "department" for k in kinds):
        return _list(toks)
    if all(k == "hospital" for k in kinds):
        return "the hospital (competitor data for the whole hospital only)"
    # mixed levels: "2 prescribers and 老年科 and the rest of the hospital"
    parts = []
    if "prescriber" in kinds:
        parts.append(_plural(kinds.count("prescriber"), "prescriber"))
    named = [t for t, k in zip(toks, kinds, strict=True) if k == "department"]
    if named:
        parts.append(_list(named))
    if "hospital" in kinds:
        parts.append("the rest of the hospital (hospital-level figures)")
    return " and ".join(parts)


def _evidence_of_competitors(f: dict[str, Any], toks: list[str]) -> str:
    evidence = "; ".join(
        f"{tok} {fmt_boxes(b)} ({', '.join(f'{p} {fmt_boxes(x)}' for p, x in plist)})"
        for tok, b, plist in zip(toks, f["target_boxes"], f["products_per_target"], strict=True)
    )
    return f"competitor boxes/month: {evidence}"


def _convert(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, products = f["extra"], f["products"]
    where = _where(kinds, toks, f["departments"])
    is_prescribers = all(k == "prescriber" for k in kinds)
    who = _list(toks) if is_prescribers else f"the prescribers of {_list(toks)}"
    if is_prescribers:
        verb = "uses" if len(kinds) == 1 else "use"
        where = f"at {where} who already {verb} ours"
    elif all(k == "department" for k in kinds):
        where = f"in {where}, where ours is already used"
    else:
        where = f"at {where}, where ours is already used"
    formula = (
        f"+{fmt_boxes(extra)} boxes/month = {fmt_boxes(f['competitor_boxes'])} competitor "
        f"boxes {where} x {_pct(f['rate'])} conversion"
    )
    now = f["ours_now"]
    kpi = (
        f"next month: ours at {_list(toks)} from {fmt_boxes(now)} "
        f"to {fmt_boxes(now + extra)} boxes/month, {_list(products)} down"
    )
    actions = [
        f"Replacement / combination talk with {who}: ours instead of or alongside "
        f"{_list(products)}",
        f"Bring clinical evidence comparing ours with {products[0]} to these prescribers",
    ]
    evidence = _evidence_of_competitors(f, toks)
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _develop(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, products = f["extra"], f["products"]
    where = _where(kinds, toks, f["departments"])
    preposition = "in" if all(k == "department" for k in kinds) else "at"
    formula = (
        f"+{fmt_boxes(extra)} boxes/month = {fmt_boxes(f['competitor_boxes'])} competitor "
        f"boxes {preposition} {where} with none of ours x {_pct(f['rate'])} adoption"
    )
    kpi = f"next month: first use of ours at {_list(toks)}, {fmt_boxes(extra)} boxes/month"
    if all(k == "prescriber" for k in kinds):
        first = f"Visit {_list(toks)} with the partner: introduce ours where they use"
    else:
        first = f"Department entry with the partner in {_list(toks)}: introduce ours where"
        first += " prescribers use"
    actions = [f"{first} {_list(products)}"]
    departments = [t for t, k in zip(toks, kinds, strict=True) if k == "department"]
    if departments:
        actions.append(f"Academic event in {departments[0]} to drive first use of ours")
    evidence = _evidence_of_competitors(f, toks)
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _win_back(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, earlier, now = f["extra"], f["earlier"], f["now"]
    earlier_months, last = f["earlier_months"], f["last_month"]
    span = (
        earlier_months[0]
        if len(earlier_months) == 1
        else f"{earlier_months[0]}..{earlier_months[-1]}"
    )
    formula = (
        f"+{fmt_boxes(extra)} boxes/month = {_differences(earlier, now)} boxes/month lost by "
        f"{_plural(len(toks), 'prescriber')} x {_pct(f['rate'])} recovery"
    )
    evidence = "; ".join(
        f"{tok} {span} average {fmt_boxes(e)}, {last} {fmt_boxes(x)}"
        for tok, (e, x) in zip(toks, zip(earlier, now, strict=True), strict=True)
    )
    now_total = f["now_total"]
    together = " together" if len(toks) > 1 else ""
    kpi = (
        f"next month: {_list(toks)} back to {fmt_boxes(now_total + extra)} "
        f"boxes/month{together} (now {fmt_boxes(now_total)})"
    )
    actions = [
        f"Find out why with the partner: what changed for {_list(toks)} (stock, price, a "
        "competitor's visits, patients)",
        "Agree one fix per prescriber with the partner and check it in the next usage detail",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _vip(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, k = f["extra"], len(toks)
    parts = [f"{TYPE_LABELS[kind].lower()} {fmt_boxes(v)}" for kind, v in f["by_lever"].items()]
    formula = (
        f"+{fmt_boxes(extra)} boxes/month = {' + '.join(parts)}: the options' boxes at the "
        f"{_plural(k, 'target customer')} for this month's joint visits"
    )
    evidence = "; ".join(
        f"{tok} {fmt_boxes(sum(boxes for _, boxes in levers))} ("
        + ", ".join(f"{TYPE_LABELS[kind].lower()} {fmt_boxes(boxes)}" for kind, boxes in levers)
        + ")"
        for tok, levers in zip(toks, f["levers_per_target"], strict=True)
    )
    now = f["ours_now"]
    kpi = (
        f"next month: {_plural(k, 'joint visit')} done; ours at {_list(toks)} "
        f"from {fmt_boxes(now)} to {fmt_boxes(now + extra)} boxes/month"
    )
    actions = [
        f"Joint visits with the partner to {_list(toks)} this month (VIP joint management: "
        "5 target customers a month)",
        "Discuss the problems found on each visit with the partner the same week",
        "Ask the partner for this hospital's usage detail every month: analyse growth points "
        "and why targets were missed",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _event(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    tok = toks[0]
    extra, market, ours, leaders = f["extra"], f["market"], f["ours"], f["competitors"]
    formula = (
        f"+{fmt_boxes(extra)} boxes/month = {fmt_boxes(market)} market boxes in {tok} "
        f"(our share {_pct(f['share'])}) x {_pct(f['rate'])} event uplift"
    )
    evidence = (
        f"{tok}: market {fmt_boxes(market)} boxes/month, ours {fmt_boxes(ours)}, competitors "
        + ", ".join(f"{p} {fmt_boxes(b)}" for p, b in leaders.items())
        + "; the department with the most competitor volume"
    )
    kpi = (
        f"next month: ours in {tok} from {fmt_boxes(ours)} to {fmt_boxes(ours + extra)} boxes/month"
    )
    actions = [
        f"Academic event in {tok} with the partner: plan it, report it and invite the "
        "department's prescribers",
        f"Watch competitor academic activity in {tok} ({next(iter(leaders))})",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


_WRITERS: Final[dict[str, Callable[[dict[str, Any], list[str], list[str]], dict[str, Any]]]] = {
    "deepen": _deepen,
    "convert": _convert,
    "develop": _develop,
    "win_back": _win_back,
    "vip": _vip,
    "event": _event,
}


# Option texts in Chinese ----------------------------------------------------------------------
#
# Written as a manager writes to a partner, in the deck's words: 上量, 协访, 目标客户, 竞品,
# 学术活动 / 科室会, 使用明细. The figures and their order are those of the English texts.

# each assumption (`analysis.plans` option column `assumptions`) as a partner reads it
ASSUMPTION_NAMES_ZH: Final = {
    "reach": "门槛距离",
    "conversion": "替换/联合率",
    "adoption": "开发率",
    "recovery": "挽回率",
    "event": "学术活动提升率",
}


def assumptions_text_zh(assumptions: dict[str, float]) -> str:
    """An option's rates in Chinese, as percents: "替换/联合率 20%；门槛距离 30%"."""
    return "；".join(
        f"{ASSUMPTION_NAMES_ZH.get(name, name)} {_pct(rate)}" for name, rate in assumptions.items()
    )


def _each(k: int) -> str:
    """ "均" ("each of them") before a verb when there are several targets."""
    return "均" if k > 1 else ""


def _these(kinds: list[str]) -> str:
    """ "这位医生" for one prescriber, else "这些医生" (a department has several)."""
    return "这位医生" if kinds == ["prescriber"] else "这些医生"


def _and_zh(parts: list[str]) -> str:
    """ "甲", "甲及乙", "甲、乙及丙"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{'、'.join(parts[:-1])}及{parts[-1]}"


def _bracketed(terms: str, n: int) -> str:
    """A sum of differences in brackets when it has several terms (it is then multiplied)."""
    return f"[{terms}]" if n > 1 else terms


def _where_zh(kinds: list[str], toks: list[str], departments: list[str]) -> tuple[str, str]:
    """Where the competitor boxes are ("心内科医生", "心内科、老年科"), and a note on
    the level of the figures ("" when they are per prescriber or department)."""
    if all(k == "prescriber" for k in kinds):
        unique = sorted(set(departments))
        if len(unique) == 1 and unique[0]:
            return f"{unique[0]}医生", ""  # one or several, as Chinese says it
        return f"{len(kinds)} 位医生", ""
    if all(k == "department" for k in kinds):
        return _list(toks), ""
    if all(k == "hospital" for k in kinds):
        return "全院", "竞品数据只到医院层级"
    # mixed levels: "2 位医生、老年科及医院其余部分"
    parts = []
    if "prescriber" in kinds:
        parts.append(f"{kinds.count('prescriber')} 位医生")
    parts.extend(t for t, k in zip(toks, kinds, strict=True) if k == "department")
    note = ""
    if "hospital" in kinds:
        parts.append("医院其余部分")
        note = "医院其余部分为医院层级数据"
    return _and_zh(parts), note


def _evidence_of_competitors_zh(f: dict[str, Any], toks: list[str]) -> str:
    evidence = "；".join(
        f"{tok} {fmt_boxes(b)}（{'，'.join(f'{p} {fmt_boxes(x)}' for p, x in plist)}）"
        for tok, b, plist in zip(toks, f["target_boxes"], f["products_per_target"], strict=True)
    )
    return f"竞品月均盒数：{evidence}"


def _deepen_zh(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    thresholds, boxes = f["thresholds"], f["boxes"]
    pairs = list(zip(thresholds, boxes, strict=True))
    k = len(toks)
    formula = (
        f"+{fmt_boxes(f['extra'])} 盒/月 = {_differences(thresholds, boxes)}："
        f"推动 {k} 位医生上量到上一级分级门槛（{_each(k)}在门槛以下 {_pct(f['reach'])} 以内）"
    )
    evidence = "；".join(
        f"{tok} {fmt_boxes(b)} → {fmt_boxes(t)} 盒/月（{fr} 级 → {to} 级）"
        for tok, (t, b), fr, to in zip(
            toks, pairs, f["tiers_before"], f["tiers_after"], strict=True
        )
    )
    kpi = "下月：" + "，".join(
        f"{tok}月用量达到 {fmt_boxes(t)} 盒以上" for tok, (t, _) in zip(toks, pairs, strict=True)
    )
    actions = [
        f"与合作者一起分析{_list(toks)}的使用明细：哪些患者、哪些适应症还能增加用量",
        f"提高对{_these(kinds)}的拜访频率：合作者团队每周拜访 20 人次以上，"
        "其中 10 人次以上针对本品沟通",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _convert_zh(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, products = f["extra"], f["products"]
    where, note = _where_zh(kinds, toks, f["departments"])
    is_prescribers = all(k == "prescriber" for k in kinds)
    who = _list(toks) if is_prescribers else f"{_list(toks)}的处方医生"
    scope = "；".join(x for x in (note, f"{_each(len(toks))}已使用我方产品") if x)
    formula = (
        f"+{fmt_boxes(extra)} 盒/月 = {where}的竞品 {fmt_boxes(f['competitor_boxes'])} 盒/月"
        f"（{scope}）× 替换/联合率 {_pct(f['rate'])}"
    )
    now = f["ours_now"]
    kpi = (
        f"下月：{_list(toks)}的我方产品用量从 {fmt_boxes(now)} 增至 "
        f"{fmt_boxes(now + extra)} 盒/月，{_list(products)}用量下降"
    )
    actions = [
        f"与合作者一起和{who}沟通替换/联合用药：以我方产品替代{_list(products)}，或与其联合使用",
        f"向{_these(kinds)}提供我方产品与{products[0]}对比的临床证据和学术资料",
    ]
    evidence = _evidence_of_competitors_zh(f, toks)
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _develop_zh(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, products = f["extra"], f["products"]
    where, note = _where_zh(kinds, toks, f["departments"])
    scope = "；".join(x for x in (note, f"{_each(len(toks))}未使用我方产品") if x)
    formula = (
        f"+{fmt_boxes(extra)} 盒/月 = {where}的竞品 {fmt_boxes(f['competitor_boxes'])} 盒/月"
        f"（{scope}）× 开发率 {_pct(f['rate'])}"
    )
    together = "合计 " if len(toks) > 1 else ""
    kpi = f"下月：{_list(toks)}开始使用我方产品，{together}{fmt_boxes(extra)} 盒/月"
    if all(k == "prescriber" for k in kinds):
        first = f"与合作者一起拜访{_list(toks)}：在其使用{_list(products)}的患者中引入我方产品"
    else:
        first = f"与合作者一起开发{_list(toks)}：在使用{_list(products)}的处方医生中引入我方产品"
    actions = [first]
    departments = [t for t, k in zip(toks, kinds, strict=True) if k == "department"]
    if departments:
        actions.append(f"在{departments[0]}开展学术活动（科室会），推动首次使用我方产品")
    evidence = _evidence_of_competitors_zh(f, toks)
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _win_back_zh(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, earlier, now = f["extra"], f["earlier"], f["now"]
    earlier_months, last = f["earlier_months"], f["last_month"]
    span = (
        earlier_months[0]
        if len(earlier_months) == 1
        else f"{earlier_months[0]} 至 {earlier_months[-1]}"
    )
    k = len(toks)
    lost = _bracketed(_differences(earlier, now), len(earlier))
    formula = (
        f"+{fmt_boxes(extra)} 盒/月 = {k} 位医生流失的 {lost} 盒/月 × 挽回率 {_pct(f['rate'])}"
    )
    evidence = "；".join(
        f"{tok} {span} 月均 {fmt_boxes(e)} 盒，{last} 为 {fmt_boxes(x)} 盒"
        for tok, (e, x) in zip(toks, zip(earlier, now, strict=True), strict=True)
    )
    now_total = f["now_total"]
    together = "合计" if k > 1 else ""
    kpi = (
        f"下月：{_list(toks)}{together}恢复到 {fmt_boxes(now_total + extra)} 盒/月"
        f"（目前 {fmt_boxes(now_total)} 盒/月）"
    )
    actions = [
        f"与合作者一起查明原因：{_list(toks)}的用量为何下降或停用（库存、价格、竞品拜访、患者变化）",
        f"与合作者{'为每位医生' if k > 1 else ''}商定一项改进措施，并在下一期使用明细中核查效果",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _vip_zh(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    extra, k = f["extra"], len(toks)

    def label(kind: str) -> str:
        # the option type's Chinese name, as the views show it (`i18n.ZH`)
        english = TYPE_LABELS.get(kind, kind)
        return ZH.get(english, english)

    parts = [f"{label(kind)} {fmt_boxes(v)}" for kind, v in f["by_lever"].items()]
    formula = (
        f"+{fmt_boxes(extra)} 盒/月 = {' + '.join(parts)}："
        f"本月协访的 {k} 个目标客户在各方案中的盒数"
    )
    evidence = "；".join(
        f"{tok} {fmt_boxes(sum(boxes for _, boxes in levers))}（"
        + "，".join(f"{label(kind)} {fmt_boxes(boxes)}" for kind, boxes in levers)
        + "）"
        for tok, levers in zip(toks, f["levers_per_target"], strict=True)
    )
    now = f["ours_now"]
    kpi = (
        f"下月：完成 {k} 次协访；{_list(toks)}的我方产品用量从 {fmt_boxes(now)} 增至 "
        f"{fmt_boxes(now + extra)} 盒/月"
    )
    actions = [
        f"本月与合作者协访{_list(toks)}（VIP 联合管理：每月 {P.VIP_TARGETS} 个目标客户协同拜访）",
        "每次协访发现的问题，当周与合作者讨论处理",
        "每月向合作者索取本院的使用明细：分析增长点，寻找未达成的原因",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


def _event_zh(f: dict[str, Any], kinds: list[str], toks: list[str]) -> dict[str, Any]:
    tok = toks[0]
    extra, market, ours, leaders = f["extra"], f["market"], f["ours"], f["competitors"]
    formula = (
        f"+{fmt_boxes(extra)} 盒/月 = {tok}市场 {fmt_boxes(market)} 盒/月"
        f"（我方份额 {_pct(f['share'])}）× 学术活动提升率 {_pct(f['rate'])}"
    )
    evidence = (
        f"{tok}：市场 {fmt_boxes(market)} 盒/月，我方 {fmt_boxes(ours)}，竞品 "
        + "、".join(f"{p} {fmt_boxes(b)}" for p, b in leaders.items())
        + "；本院竞品用量最大的科室"
    )
    kpi = f"下月：{tok}的我方产品用量从 {fmt_boxes(ours)} 增至 {fmt_boxes(ours + extra)} 盒/月"
    actions = [
        f"与合作者在{tok}开展学术活动（科室会）：主动规划、及时上报，邀请科室处方医生参加",
        f"关注{tok}的竞品学术活动（{next(iter(leaders))}）",
    ]
    return {FORMULA: formula, EVIDENCE: evidence, KPI: kpi, ACTIONS: actions}


_WRITERS_ZH: Final[dict[str, Callable[[dict[str, Any], list[str], list[str]], dict[str, Any]]]] = {
    "deepen": _deepen_zh,
    "convert": _convert_zh,
    "develop": _develop_zh,
    "win_back": _win_back_zh,
    "vip": _vip_zh,
    "event": _event_zh,
}
