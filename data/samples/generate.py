"""Deterministic sample usage-detail sheets for `uplift` (every person and hospital is fictional).

Run ``python data/samples/generate.py`` to rewrite the samples next to this file:

- ``kangyuan.xlsx``: partner 康源医药, Chinese layout, one sheet per month (``2026年4月`` ...),
  merged title row, blank row, header on row 3, hospital names merged down their block, a
  ``合计`` row at the bottom, and a few messy lines (quantities as text, injection counted in
  支, a padded two-character doctor name, a trailing space on a hospital name, one return).
- ``northstar.xlsx``: partner Northstar Pharma, English layout, one sheet ``Detail``.
- ``competitors.xlsx``: competitor volumes gathered on hospital visits (``竞品调研``).
- ``uplift.toml``: the matching settings (our products, thresholds, two markets).
- ``products.xlsx``: the product catalogue (品规对照): every product of the samples with its
  spec, units per box, whether it is ours and its market, and the names partners write for it.
- ``hospitals.xlsx``: the customer master (客户对照): a code per hospital, its city and grade,
  and a variant spelling where one is common.

``truth_records()`` returns the canonical records behind the two sales files, one per data
line written, in boxes and with clean names. ``write_large_workbook`` and ``write_large_csv``
build big single-sheet files for benchmarks.

The ``合计`` row of a kangyuan sheet holds the plain sum of that sheet's 数量 column as written
(text such as ``120盒`` or ``1,050`` read as its number, 支 lines counted as written), the way
a partner's export computes it.

Everything comes from seeded ``random.Random`` instances; no clock, no numpy randomness.
Workbooks are re-packed with fixed timestamps so the files are byte-for-byte reproducible.

No ``from __future__ import annotations`` here: the file is also imported by path without
being registered in ``sys.modules``, and dataclasses then cannot resolve string annotations.
"""

import argparse
import csv
import datetime as dt
import io
import itertools
import math
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SEED = 20260401
FIXED_TIME = dt.datetime(2026, 10, 8, 9, 30, 0)
ZIP_TIME = (2026, 10, 8, 9, 30, 0)

KANGYUAN = "康源医药"
NORTHSTAR = "Northstar Pharma"
MONTHS = ("2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09")

TABLET = "心脉宁片"
INJECTION = "心脉宁注射液"
CAPSULE = "脑安胶囊"
OURS = (TABLET, INJECTION, CAPSULE)
COMPETITORS = ("氯吡格雷片", "阿托伐他汀钙片", "替格瑞洛片", "丁苯酞软胶囊")
PRODUCT_ORDER = (*OURS, *COMPETITORS)
SPECS = {
    TABLET: "0.3g*24片",
    INJECTION: "10支/盒",
    CAPSULE: "0.4g*36粒",
    "氯吡格雷片": "75mg*7片",
    "阿托伐他汀钙片": "20mg*7片",
    "替格瑞洛片": "90mg*14片",
    "丁苯酞软胶囊": "0.1g*24粒",
}
UNITS_PER_BOX = 10  # 心脉宁注射液: 10支/盒

DEPT_ORDER = ("心内科", "老年病科", "急诊科", "全科医学科", "神经内科", "心外科", "内分泌科")
DEPT_WEIGHT = {"心内科": 0.6, "老年病科": 0.25, "急诊科": 0.15, "全科医学科": 1.0}
DEPT_RIVALS = {
    "心内科": ("氯吡格雷片", "阿托伐他汀钙片", "替格瑞洛片"),
    "老年病科": ("阿托伐他汀钙片", "氯吡格雷片"),
    "急诊科": ("替格瑞洛片", "氯吡格雷片"),
    "全科医学科": ("阿托伐他汀钙片", "氯吡格雷片"),
    "神经内科": ("丁苯酞软胶囊",),
    "心外科": ("替格瑞洛片", "氯吡格雷片"),
    "内分泌科": ("阿托伐他汀钙片",),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅志文斌宇浩凯健俊帆旭宁婷"
    "雪琳晶慧颖倩欣怡佳悦晨阳海波峰松林蕾琴燕莉丹云飞鑫瑶嘉欢睿博翔昊哲然轩"
)

KANGYUAN_TITLE = "{partner} {label} 使用明细"
KANGYUAN_HEADER = ("医院名称", "科室", "医生", "品名", "规格", "数量", "单位")
NORTHSTAR_HEADER = ("Month", "Hospital", "Dept", "Doctor", "Product", "Spec", "QTY", "Unit")
COMPETITOR_HEADER = ("医院", "科室", "竞品名称", "月均盒数")
LARGE_HEADER = ("医院名称", "科室", "医生", "品名", "规格", "数量", "单位", "月份")

UPLIFT_TOML = """\
ours = ["心脉宁片", "心脉宁注射液", "脑安胶囊"]
thresholds = [100, 200, 300]
vip = 1000

[markets.cardio]
ours = ["心脉宁片", "心脉宁注射液"]
competitors = ["氯吡格雷片", "阿托伐他汀钙片", "替格瑞洛片"]

[markets.neuro]
ours = ["脑安胶囊"]
competitors = ["丁苯酞软胶囊"]
"""


@dataclass(frozen=True)
class Cover:
    """One partner's coverage of one hospital, with the volume it is planned to carry."""

    hospital: str
    partner: str
    ours: float  # planned monthly boxes of our products
    anchors: tuple[float, ...] = ()  # planned monthly boxes of the key prescribers
    rival: float = 0.6  # competitor boxes per box of ours; 0: no competitor lines at all
    depts: tuple[str, ...] = ("心内科", "老年病科", "急诊科")  # where our cardio users work
    neuro: float = 0.0  # share of our volume prescribed in 神经内科 (脑安胶囊)
    white: int = 0  # competitor-only prescribers in departments without any of ours
    white_dept: str = "心外科"
    named: tuple[str, ...] = ()  # names given to the first (largest) prescribers


K, N = KANGYUAN, NORTHSTAR
GP = ("全科医学科",)
COVERS: tuple[Cover, ...] = (
    # 康源医药: 22 hospitals
    Cover(
        "华西协和医院",
        K,
        2200,
        (990, 340, 260, 175, 150, 120),
        0.5,
        neuro=0.15,
        white=2,
        white_dept="内分泌科",
    ),
    Cover("岷江市人民医院", K, 420, (160,), 0.0, neuro=0.2),
    Cover("蓉城市第一人民医院", K, 640, (230, 120), 0.8, ("心内科", "急诊科"), white=2),
    Cover("青岚区中医医院", K, 270, (), 1.2, ("心内科", "老年病科")),
    Cover("锦屏县中医医院", K, 85, (), 0.4),
    Cover("蓉城市第三人民医院", K, 720, (330, 140), 0.7, neuro=0.2, named=("王伟",)),
    Cover("白鹭湾社区卫生服务中心", K, 60, (), 1.5, GP),
    Cover("沱溪县人民医院", K, 255, (), 0.0),
    Cover("蜀南市第二人民医院", K, 180, (), 0.6, white=1),
    Cover("锦江中心医院", K, 540, (210, 120), 0.9, neuro=0.2, named=("李娜",)),
    Cover("东篱镇卫生院", K, 40, (), 0.0, GP),
    Cover("望江区人民医院", K, 160, (), 1.0),
    Cover("玉垒市中西医结合医院", K, 240, (), 0.5, neuro=0.25),
    Cover("柳溪县人民医院", K, 20, (), 2.0),
    Cover("浣溪社区卫生服务中心", K, 160, (), 0.3, GP),
    Cover("蓉城市第二人民医院", K, 150, (), 1.1, ("心内科",)),
    Cover("金沙湾医院", K, 130, (), 0.8, white=1, white_dept="内分泌科"),
    Cover("鹤鸣山医院", K, 12, (), 3.0),
    Cover("云锦县人民医院", K, 140, (), 0.0),
    Cover("蓉城市第五人民医院", K, 30, (), 2.5, white=2),
    Cover("石桥铺社区卫生服务中心", K, 5, (), 4.0, GP),
    Cover("龙泉湾医院", K, 0, (), 0.0, white=3, white_dept="心内科"),
    # Northstar Pharma: 18 hospitals, two of them shared with 康源医药
    Cover(
        "西蜀省人民医院", N, 1300, (380, 240, 160, 120), 0.6, neuro=0.2, white=2, named=("张伟",)
    ),
    Cover(
        "嘉陵市中心医院", N, 600, (250, 110), 0.9, white=1, white_dept="内分泌科", named=("张伟",)
    ),
    Cover("蓉城市第一人民医院", N, 460, (150, 110), 0.6, ("老年病科",), neuro=0.45),
    Cover("巴山市人民医院", N, 380, (140,), 1.3),
    Cover("涪江医院", N, 340, (120,), 0.4, neuro=0.2),
    Cover("锦官城医院", N, 265, (), 0.7),
    Cover("雅河县人民医院", N, 250, (), 1.0),
    Cover("青衣江医院", N, 225, (), 1.6, white=1),
    Cover("凌霄县人民医院", N, 175, (), 0.5),
    Cover("栖霞湾医院", N, 150, (), 0.0),
    Cover("桃溪社区卫生服务中心", N, 130, (), 0.6, GP),
    Cover("蓉城市第二人民医院", N, 85, (), 0.5, (), neuro=1.0),
    Cover("清源镇卫生院", N, 70, (), 0.3, GP),
    Cover("明月湖医院", N, 50, (), 1.2),
    Cover("南屏县中医医院", N, 25, (), 0.0),
    Cover("花溪社区卫生服务中心", N, 15, (), 2.0, GP),
    Cover("松林镇卫生院", N, 8, (), 0.0, GP),
    Cover("北辰医院", N, 3, (), 5.0),
)

# Competitor figures gathered on visits: (hospital, department, product) -> monthly boxes for
# the hospitals whose sales sheets carry no competitor lines, and for white-space departments
# (no sales at all there). The other surveyed hospitals are derived from the sales data.
SURVEY_EXTRA = (
    ("华西协和医院", "心外科", "替格瑞洛片", 180),
    ("华西协和医院", "心外科", "氯吡格雷片", 120),
    ("岷江市人民医院", "心内科", "氯吡格雷片", 260),
    ("岷江市人民医院", "心内科", "阿托伐他汀钙片", 150),
    ("岷江市人民医院", "神经内科", "丁苯酞软胶囊", 90),
    ("岷江市人民医院", "内分泌科", "阿托伐他汀钙片", 70),
    ("沱溪县人民医院", "心内科", "替格瑞洛片", 110),
    ("沱溪县人民医院", "心内科", "阿托伐他汀钙片", 140),
    ("沱溪县人民医院", "老年病科", "阿托伐他汀钙片", 60),
    ("栖霞湾医院", "心内科", "氯吡格雷片", 200),
    ("栖霞湾医院", "急诊科", "替格瑞洛片", 40),
)
SURVEY_FROM_SALES = (
    "华西协和医院",
    "蓉城市第一人民医院",
    "蓉城市第三人民医院",
    "锦江中心医院",
    "西蜀省人民医院",
    "嘉陵市中心医院",
    "巴山市人民医院",
)

# Messy bits in the kangyuan workbook.
PADDED = {"王伟": ("2026-04", "2026-05", "2026-07"), "李娜": ("2026-06", "2026-09")}
TRAILING_SPACE = ("锦江中心医院", "2026-07")
RETURN = ("岷江市人民医院", "2026-06", TABLET, -10.0)


@dataclass
class Line:
    """One data line of a sales sheet: the clean record and how it is written."""

    partner: str
    month: str
    hospital: str
    department: str
    prescriber: str
    product: str
    boxes: float
    quantity: object = None  # as written: int, float or text
    unit: str = "盒"
    hospital_text: str = ""
    prescriber_text: str = ""

    def record(self) -> dict[str, object]:
        return {
            "partner": self.partner,
            "month": self.month,
            "hospital": self.hospital,
            "department": self.department,
            "prescriber": self.prescriber,
            "product": self.product,
            "boxes": float(self.boxes),
        }


@dataclass
class Prescriber:
    hospital: str
    department: str
    name: str
    level: float  # planned monthly boxes of ours while active
    inj_share: float = 0.0
    kind: str = "regular"  # regular | winback | new | white
    rivals: tuple[tuple[str, float], ...] = ()  # competitor product, planned monthly boxes


# --------------------------------------------------------------------------- names


def _person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.3:
        return surname + rng.choice(GIVEN)
    return surname + rng.choice(GIVEN) + rng.choice(GIVEN)


def _unique_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = _person_name(rng)
        if name not in used:
            used.add(name)
            return name


# --------------------------------------------------------------------------- the sample data


def _shares(rng: random.Random, n: int, total: float) -> list[float]:
    """Split `total` over `n` people, heavy-tailed (a few big, many small)."""
    if n <= 0:
        return []
    weights = [rng.paretovariate(1.4) for _ in range(n)]
    scale = total / sum(weights)
    return sorted((w * scale for w in weights), reverse=True)


def _rivals(rng: random.Random, dept: str, level: float, ratio: float) -> tuple:
    if ratio <= 0 or rng.random() > 0.65:
        return ()
    options = DEPT_RIVALS[dept]
    k = 1 if len(options) == 1 or rng.random() < 0.6 else 2
    picked = rng.sample(options, k)
    return tuple((p, level * ratio * rng.uniform(0.3, 1.7) / k) for p in picked)


def _prescribers(rng: random.Random, cover: Cover, used: set[str]) -> list[Prescriber]:
    out: list[Prescriber] = []
    n = max(len(cover.anchors) + 1, round(2 + 6 * math.sqrt(cover.ours / 100))) if cover.ours else 0
    n_neuro = max(1, round(n * cover.neuro)) if cover.neuro else 0
    if cover.neuro >= 1:
        n_neuro = n
    n_cardio = n - n_neuro
    cardio_total = cover.ours * (1 - cover.neuro)
    rest = _shares(rng, n_cardio - len(cover.anchors), cardio_total - sum(cover.anchors))
    names = list(cover.named)
    for i, level in enumerate((*cover.anchors, *rest)):
        if i < len(cover.anchors):
            dept = cover.depts[0]
        else:
            weights = [DEPT_WEIGHT[d] for d in cover.depts]
            dept = rng.choices(cover.depts, weights=weights)[0]
        if names:
            name = names.pop(0)
            used.add(name)
        else:
            name = _unique_name(rng, used)
        if dept == "急诊科":
            share = rng.uniform(0.5, 1.0)
        elif dept == "心内科" and rng.random() < 0.35:
            share = rng.uniform(0.1, 0.35)
        else:
            share = 0.0
        if i == 0 and level >= 900:
            share = 0.0  # the department head writes tablets
        p = Prescriber(cover.hospital, dept, name, level, share)
        p.rivals = _rivals(rng, dept, level, cover.rival)
        out.append(p)
    for level in _shares(rng, n_neuro, cover.ours * cover.neuro):
        p = Prescriber(cover.hospital, "神经内科", _unique_name(rng, used), level)
        p.rivals = _rivals(rng, "神经内科", level, cover.rival)
        out.append(p)
    for _ in range(cover.white):
        options = DEPT_RIVALS[cover.white_dept]
        picked = rng.sample(options, 1 if rng.random() < 0.6 else len(options))
        rivals = tuple((prod, rng.uniform(10, 80)) for prod in picked)
        out.append(
            Prescriber(
                cover.hospital, cover.white_dept, _unique_name(rng, used), 0.0, 0.0, "white", rivals
            )
        )
    return out


def _plan(rng: random.Random) -> list[tuple[Cover, float, list[Prescriber]]]:
    used: dict[str, set[str]] = {}
    plan = []
    for idx, cover in enumerate(COVERS):
        names = used.setdefault(cover.hospital, set())
        people = _prescribers(rng, cover, names)
        # win-back: one mid-sized user stops using ours in the last two months
        if cover.ours >= 100 and idx % 2 == 0:
            candidates = [
                p
                for p in people[len(cover.anchors) :]
                if p.kind == "regular" and 15 <= p.level <= 90
            ]
            if candidates:
                p = rng.choice(candidates)
                p.kind = "winback"
                if not p.rivals:
                    p.rivals = ((DEPT_RIVALS[p.department][0], p.level * 0.3),)
        # new prescribers seen only in the last month
        if cover.ours >= 50 and idx % 4 == 1:
            dept = cover.depts[0] if cover.depts else "神经内科"
            level = float(rng.randint(8, 45))
            people.append(
                Prescriber(cover.hospital, dept, _unique_name(rng, names), level, 0.0, "new")
            )
        slope = rng.uniform(-0.03, 0.05)
        plan.append((cover, slope, people))
    return plan


def _box_lines(rng: random.Random) -> list[Line]:
    """All sales lines in boxes, before the kangyuan messy bits are applied."""
    lines: list[Line] = []
    for cover, slope, people in _plan(rng):
        for mi, month in enumerate(MONTHS):
            trend = 1 + slope * (mi - 2.5)
            for p in people:
                ours_on = (
                    p.kind == "regular"
                    or (p.kind == "winback" and mi < 4)
                    or (p.kind == "new" and mi == 5)
                )
                if ours_on and p.level > 0:
                    spread = 0.1 if p.level >= 100 else 0.4
                    if p.level < 5 and rng.random() < 0.3:
                        q = 0.0
                    else:
                        q = p.level * trend * rng.uniform(1 - spread, 1 + spread)
                    product = CAPSULE if p.department == "神经内科" else TABLET
                    inj = round(q * p.inj_share)
                    tab = round(q) - inj if inj else round(q)
                    for prod, qty in ((product, tab), (INJECTION, inj)):
                        if qty > 0:
                            lines.append(
                                Line(
                                    cover.partner,
                                    month,
                                    cover.hospital,
                                    p.department,
                                    p.name,
                                    prod,
                                    qty,
                                )
                            )
                for prod, level in p.rivals:
                    boost = 1.6 if p.kind == "winback" and mi >= 4 else 1.0
                    if p.kind == "new":
                        continue
                    qty = round(level * boost * trend * rng.uniform(0.7, 1.3))
                    if qty > 0:
                        lines.append(
                            Line(
                                cover.partner,
                                month,
                                cover.hospital,
                                p.department,
                                p.name,
                                prod,
                                qty,
                            )
                        )
    return lines


def _sort_key(hospital_rank: dict[str, int]):
    def key(line: Line) -> tuple:
        return (
            line.month,
            hospital_rank[line.hospital],
            DEPT_ORDER.index(line.department),
            line.prescriber,
            PRODUCT_ORDER.index(line.product),
        )

    return key


def _dataset() -> tuple[list[Line], list[Line]]:
    """The kangyuan and northstar lines, in the order they are written, messy bits applied."""
    rng = random.Random(SEED)
    lines = _box_lines(rng)
    for line in lines:
        line.quantity = int(line.boxes)
        line.hospital_text = line.hospital
        line.prescriber_text = line.prescriber
    ranks: dict[str, dict[str, int]] = {K: {}, N: {}}
    for cover in COVERS:
        ranks[cover.partner].setdefault(cover.hospital, len(ranks[cover.partner]))
    kangyuan = sorted((x for x in lines if x.partner == K), key=_sort_key(ranks[K]))
    northstar = sorted((x for x in lines if x.partner == N), key=_sort_key(ranks[N]))
    for line in northstar:
        line.unit = "box"

    mess = random.Random(SEED + 1)
    for line in kangyuan:
        months = PADDED.get(line.prescriber, ())
        if line.month in months:
            line.prescriber_text = line.prescriber[0] + "\u3000" + line.prescriber[1]
        if (line.hospital, line.month) == TRAILING_SPACE:
            line.hospital_text = line.hospital + " "
        if line.boxes >= 1000:
            line.quantity = f"{int(line.boxes):,}"
    # injection counted in 支 on a few lines, two of them not whole boxes
    eligible = [
        x for x in kangyuan if x.product == INJECTION and 2 <= x.boxes <= 30 and x.unit == "盒"
    ]
    for i, line in enumerate(mess.sample(eligible, 5)):
        units = int(line.boxes) * UNITS_PER_BOX - (5 if i < 2 else 0)
        line.quantity, line.unit, line.boxes = units, "支", units / UNITS_PER_BOX
    # quantities as text with the unit attached
    eligible = [x for x in kangyuan if x.product == TABLET and 20 <= x.boxes < 1000]
    for line in mess.sample(eligible, 4):
        line.quantity = f"{int(line.boxes)}盒"
    # one return line, right after the line it returns against
    hospital, month, product, boxes = RETURN
    at = next(
        i
        for i, x in enumerate(kangyuan)
        if (x.hospital, x.month, x.product) == (hospital, month, product) and x.boxes >= 30
    )
    src = kangyuan[at]
    ret = Line(K, month, hospital, src.department, src.prescriber, product, boxes, int(boxes))
    ret.hospital_text, ret.prescriber_text = src.hospital_text, src.prescriber_text
    kangyuan.insert(at + 1, ret)
    return kangyuan, northstar


def truth_records() -> list[dict[str, object]]:
    """The canonical records behind kangyuan.xlsx then northstar.xlsx, one per data line."""
    kangyuan, northstar = _dataset()
    return [line.record() for line in (*kangyuan, *northstar)]


def truth_competitors() -> list[dict[str, object]]:
    """The rows of competitors.xlsx: hospital, department, product, monthly boxes."""
    kangyuan, northstar = _dataset()
    totals: dict[tuple[str, str, str], float] = {}
    for line in (*kangyuan, *northstar):
        if line.hospital in SURVEY_FROM_SALES and line.product in COMPETITORS:
            key = (line.hospital, line.department, line.product)
            totals[key] = totals.get(key, 0.0) + line.boxes
    rng = random.Random(SEED + 2)
    rows = []
    for hospital in SURVEY_FROM_SALES:
        keys = sorted(
            (k for k in totals if k[0] == hospital),
            key=lambda k: (DEPT_ORDER.index(k[1]), PRODUCT_ORDER.index(k[2])),
        )
        for key in keys:
            # visits see volume the partners do not carry: the survey is above the sheets
            boxes = round(totals[key] / len(MONTHS) * rng.uniform(1.2, 1.8) / 10) * 10
            if boxes >= 30:  # visits note the main competitors only
                rows.append((*key, boxes))
        rows.extend(x for x in SURVEY_EXTRA if x[0] == hospital)
    rows.extend(x for x in SURVEY_EXTRA if x[0] not in SURVEY_FROM_SALES)
    return [
        {"hospital": h, "department": d, "product": p, "boxes": float(b)} for h, d, p, b in rows
    ]


# --------------------------------------------------------------------------- writing


def _save_reproducible(wb, path: Path) -> None:
    """Save an openpyxl workbook with fixed timestamps in the zip and in docProps/core.xml."""
    from openpyxl.xml.functions import tostring

    wb.properties.creator = "uplift samples"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    wb.properties.modified = FIXED_TIME  # openpyxl stamps the clock while saving
    core = tostring(wb.properties.to_tree())
    buf.seek(0)
    with (
        zipfile.ZipFile(buf) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            out = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o600 << 16
            dst.writestr(out, data)


def _month_label(month: str) -> str:
    year, mm = month.split("-")
    return f"{year}年{int(mm)}月"


def _write_kangyuan(path: Path, lines: list[Line]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for month in MONTHS:
        label = _month_label(month)
        ws = wb.create_sheet(label)
        ws.append([KANGYUAN_TITLE.format(partner=KANGYUAN, label=label)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(KANGYUAN_HEADER))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([])
        ws.append(list(KANGYUAN_HEADER))
        for cell in ws[3]:
            cell.font = bold
        total = 0.0
        blocks: list[tuple[str, int, int]] = []
        for line in (x for x in lines if x.month == month):
            row = ws.max_row + 1
            if not blocks or blocks[-1][0] != line.hospital:
                blocks.append((line.hospital, row, row))
                hospital_cell = line.hospital_text
            else:
                blocks[-1] = (blocks[-1][0], blocks[-1][1], row)
                hospital_cell = None
            ws.append(
                [
                    hospital_cell,
                    line.department,
                    line.prescriber_text,
                    line.product,
                    SPECS[line.product],
                    line.quantity,
                    line.unit,
                ]
            )
            total += _as_number(line.quantity)
        for _, first, last in blocks:
            if last > first:
                ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
            ws.cell(first, 1).alignment = Alignment(vertical="center")
        ws.append(["合计", None, None, None, None, int(total) if total.is_integer() else total])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for col, width in zip("ABCDEFG", (26, 10, 8, 14, 11, 9, 6), strict=True):
            ws.column_dimensions[col].width = width
    _save_reproducible(wb, path)


def _as_number(quantity: object) -> float:
    """A quantity as written (number or text like 120盒 / 1,050) read as its number."""
    if isinstance(quantity, int | float):
        return float(quantity)
    return float(str(quantity).replace(",", "").removesuffix("盒"))


def _write_northstar(path: Path, lines: list[Line]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Detail"
    ws.append(list(NORTHSTAR_HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for line in lines:
        ws.append(
            [
                line.month,
                line.hospital_text,
                line.department,
                line.prescriber_text,
                line.product,
                SPECS[line.product],
                line.quantity,
                line.unit,
            ]
        )
    for col, width in zip("ABCDEFGH", (9, 24, 10, 8, 14, 11, 7, 6), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    _save_reproducible(wb, path)


def _write_competitors(path: Path, rows: list[dict[str, object]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "竞品调研"
    ws.append(list(COMPETITOR_HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row["hospital"], row["department"], row["product"], int(row["boxes"])])
    for col, width in zip("ABCD", (24, 10, 16, 10), strict=True):
        ws.column_dimensions[col].width = width
    _save_reproducible(wb, path)


PRODUCT_HEADER = ("产品名称", "规格", "每盒数量", "是否本公司产品", "市场", "生产企业", "别名")
PRODUCT_ROWS = (
    (TABLET, SPECS[TABLET], 24, "是", "cardio", "蓉城康健药业", "心脉宁、心脉宁片剂"),
    (INJECTION, SPECS[INJECTION], UNITS_PER_BOX, "是", "cardio", "蓉城康健药业", "心脉宁针"),
    (CAPSULE, SPECS[CAPSULE], 36, "是", "neuro", "蓉城康健药业", "脑安"),
    ("氯吡格雷片", SPECS["氯吡格雷片"], 7, "否", "cardio", "", "波立维"),
    ("阿托伐他汀钙片", SPECS["阿托伐他汀钙片"], 7, "否", "cardio", "", "立普妥"),
    ("替格瑞洛片", SPECS["替格瑞洛片"], 14, "否", "cardio", "", "倍林达"),
    ("丁苯酞软胶囊", SPECS["丁苯酞软胶囊"], 24, "否", "neuro", "", "恩必普"),
)
HOSPITAL_HEADER = ("医院编码", "医院名称", "别名", "等级", "省份", "城市")


def _write_products(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "品规对照"
    ws.append(list(PRODUCT_HEADER))
    for row in PRODUCT_ROWS:
        ws.append(list(row))
    _save_reproducible(wb, path)


def _write_hospitals(path: Path) -> None:
    from openpyxl import Workbook

    names = sorted({str(r["hospital"]) for r in truth_records()})
    wb = Workbook()
    ws = wb.active
    ws.title = "客户对照"
    ws.append(list(HOSPITAL_HEADER))
    for i, name in enumerate(names, start=1):
        grade = "三甲" if "省" in name or "协和" in name or "第一" in name else "二甲"
        place = next((name[: k + 1] for k, ch in enumerate(name[:4]) if ch in "市县"), "")
        # partners often drop the 市/县 of the place: 云锦县人民医院 -> 云锦人民医院
        variant = place[:-1] + name[len(place) :] if place and "人民医院" in name else ""
        ws.append([f"H{i:03d}", name, variant, grade, "西蜀省", place or "蓉城市"])
    _save_reproducible(wb, path)


SAMPLE_FILES = (
    "kangyuan.xlsx",
    "northstar.xlsx",
    "competitors.xlsx",
    "uplift.toml",
    "products.xlsx",
    "hospitals.xlsx",
)


def write_samples(out_dir: Path) -> None:
    """Write the sample files (SAMPLE_FILES) into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kangyuan, northstar = _dataset()
    _write_kangyuan(out_dir / "kangyuan.xlsx", kangyuan)
    _write_northstar(out_dir / "northstar.xlsx", northstar)
    _write_competitors(out_dir / "competitors.xlsx", truth_competitors())
    (out_dir / "uplift.toml").write_bytes(UPLIFT_TOML.encode("utf-8"))
    _write_products(out_dir / "products.xlsx")
    _write_hospitals(out_dir / "hospitals.xlsx")


# --------------------------------------------------------------------------- large files

LARGE_MONTHS = tuple(f"2025-{m:02d}" for m in range(1, 13))
LARGE_PLACE_CHARS = (
    "安宁平和兴华永丰新昌泰康顺德清源长乐广福寿宝金玉龙凤云山河江湖溪川桥东西南北中青红白石松柏"
    "桃李梅兰竹嘉祥瑞明光阳晨星月"
)
LARGE_SUFFIXES = (
    ("人民医院", 4),
    ("市人民医院", 2),
    ("县人民医院", 3),
    ("中医医院", 3),
    ("中心医院", 2),
    ("第一人民医院", 1),
    ("第二人民医院", 1),
    ("中西医结合医院", 1),
    ("社区卫生服务中心", 4),
    ("镇卫生院", 4),
)
LARGE_DEPTS = (("心内科", 5), ("老年病科", 2), ("急诊科", 1), ("全科医学科", 2), ("神经内科", 1))
LARGE_HOSPITALS = 3000
LARGE_PRESCRIBERS = 40_000


def _large_pools(rng: random.Random) -> tuple[list[tuple[str, str, str]], list[float], list]:
    """Prescribers (hospital, dept, doctor), their activity weights and product choices."""
    places = ["".join(p) for p in itertools.permutations(LARGE_PLACE_CHARS, 2)]
    rng.shuffle(places)
    suffixes = [s for s, _ in LARGE_SUFFIXES]
    suffix_w = [w for _, w in LARGE_SUFFIXES]
    picked = rng.choices(suffixes, suffix_w, k=LARGE_HOSPITALS)
    hospitals = [p + s for p, s in zip(places[:LARGE_HOSPITALS], picked, strict=True)]
    sizes = [min(rng.paretovariate(1.5), 25.0) for _ in hospitals]  # a few big hospitals
    scale = LARGE_PRESCRIBERS / sum(sizes)
    counts = [max(1, round(s * scale)) for s in sizes]
    total = sum(counts)
    depts = rng.choices([d for d, _ in LARGE_DEPTS], [w for _, w in LARGE_DEPTS], k=total)
    weights = [rng.paretovariate(2.5) for _ in range(total)]
    cardio = [(p, SPECS[p]) for p in (TABLET, INJECTION, *COMPETITORS[:3])]
    neuro = [(p, SPECS[p]) for p in (CAPSULE, COMPETITORS[3])]
    products = [
        rng.sample(neuro, rng.randint(1, 2)) if d == "神经内科" else rng.sample(cardio, k)
        for d, k in zip(depts, rng.choices(range(1, 6), (4, 4, 3, 2, 1), k=total), strict=True)
    ]
    names = _name_stream(rng)
    people: list[tuple[str, str, str]] = []
    for hospital, count in zip(hospitals, counts, strict=True):
        used: set[str] = set()
        for name in names:
            if name not in used:
                used.add(name)
                people.append((hospital, depts[len(people)], name))
                if len(used) == count:
                    break
    return people, weights, products


def _name_stream(rng: random.Random, batch: int = 50_000) -> Iterator[str]:
    """Endless plausible names, drawn in batches (fast enough for 40,000 prescribers)."""
    while True:
        surnames = rng.choices(SURNAMES, k=batch)
        first = rng.choices(GIVEN, k=batch)
        second = rng.choices(GIVEN, k=batch)
        for s, a, b in zip(surnames, first, second, strict=True):
            yield s + a if rng.random() < 0.3 else s + a + b


def _large_rows(rows: int, seed: int) -> Iterator[list[object]]:
    rng = random.Random(seed)
    people, weights, products = _large_pools(rng)
    cum = list(itertools.accumulate(weights))
    picks = rng.choices(range(len(people)), cum_weights=cum, k=rows)
    rand = rng.random
    pareto = rng.paretovariate
    months = LARGE_MONTHS
    for i in picks:
        hospital, dept, doctor = people[i]
        choices = products[i]
        product, spec = choices[int(rand() * len(choices))]
        qty: float = min(3000, int(pareto(1.3) * 4))
        unit = "盒"
        r = rand()
        if r < 0.01:
            qty += 0.5
        elif r < 0.02 and product == INJECTION:
            qty, unit = qty * UNITS_PER_BOX + int(rand() * UNITS_PER_BOX), "支"
        yield [hospital, dept, doctor, product, spec, qty, unit, months[int(rand() * 12)]]


def write_large_workbook(path: Path, rows: int, seed: int = 7) -> None:
    """One sheet, header on row 1, `rows` data rows, written with shared strings like Excel."""
    import xlsxwriter

    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(str(path), options)
    wb.set_properties({"created": FIXED_TIME})
    ws = wb.add_worksheet("使用明细")
    ws.write_row(0, 0, LARGE_HEADER)
    write_row = ws.write_row
    for r, row in enumerate(_large_rows(rows, seed), start=1):
        write_row(r, 0, row)
    wb.close()


def write_large_csv(path: Path, rows: int, seed: int = 7, encoding: str = "utf-8") -> None:
    """The same content as `write_large_workbook`, as CSV in `encoding` (e.g. gbk)."""
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(LARGE_HEADER)
        writer.writerows(_large_rows(rows, seed))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, metavar="ROWS", help="write a large file instead")
    parser.add_argument("--out", type=Path, help="the large file (.xlsx or .csv)")
    args = parser.parse_args(argv)
    if args.large:
        if args.out is None:
            parser.error("--large needs --out")
        if args.out.suffix == ".csv":
            write_large_csv(args.out, args.large)
        else:
            write_large_workbook(args.out, args.large)
        return
    write_samples(Path(__file__).resolve().parent)


if __name__ == "__main__":
    main()
