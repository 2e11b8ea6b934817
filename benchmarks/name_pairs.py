"""Realistic raw -> standard hospital-name pairs for measuring name matching (seeded code, no data).

`standard_names()` builds a master of plausible hospitals from provinces, cities, districts
and towns (人民医院, 第N人民医院, 中医医院, 妇幼保健院, 社区卫生服务中心, 镇卫生院, university
and military hospitals, private specialty hospitals). Neighbouring towns share a character and
cities have 第一 to 第四人民医院, so the master itself holds near-but-different names.

`pair_set()` writes partners' raw names for it with the changes seen in real flow data, at
rough real frequencies: bracketed tags such as (基药), full-width brackets and spaces, branch
tags, a pharmacy or outpatient department beside a hospital, 有限公司, 镇 for 乡, a dropped
province or city prefix, Arabic for Chinese numerals, military renames and homophone typos;
a fifth of them get two changes. Some raw names belong to hospitals left out of the master
(their answer is None). `clean_set()` is a list of distinct hospitals with no aliases, and
`distinct_names(n)` any number of distinct names (standard and raw) for timing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

GEOGRAPHY: dict[str, dict[str, list[str]]] = {
    "四川省": {
        "成都市": [
            "武侯区",
            "锦江区",
            "青羊区",
            "金牛区",
            "成华区",
            "双流区",
            "郫都区",
            "温江区",
            "新都区",
            "龙泉驿区",
            "简阳市",
            "彭州市",
        ],
        "绵阳市": ["涪城区", "游仙区", "三台县", "江油市", "盐亭县", "梓潼县"],
        "德阳市": ["旌阳区", "广汉市", "什邡市", "绵竹市", "中江县"],
        "乐山市": ["市中区", "五通桥区", "沙湾区", "峨眉山市", "夹江县"],
        "南充市": ["顺庆区", "高坪区", "嘉陵区", "阆中市", "南部县"],
        "宜宾市": ["翠屏区", "南溪区", "叙州区", "江安县", "长宁县"],
        "泸州市": ["江阳区", "龙马潭区", "纳溪区", "泸县", "合江县"],
    },
    "贵州省": {
        "贵阳市": ["南明区", "云岩区", "花溪区", "乌当区", "白云区", "观山湖区", "清镇市"],
        "遵义市": ["红花岗区", "汇川区", "播州区", "仁怀市", "桐梓县"],
        "六盘水市": ["钟山区", "水城区", "盘州市"],
    },
    "云南省": {
        "昆明市": ["五华区", "盘龙区", "官渡区", "西山区", "呈贡区", "安宁市"],
        "曲靖市": ["麒麟区", "沾益区", "宣威市", "陆良县"],
    },
}
SPECIAL = (
    "四川大学华西医院",
    "四川大学华西第二医院",
    "四川大学华西口腔医院",
    "西南医科大学附属医院",
    "川北医学院附属医院",
    "贵州医科大学附属医院",
    "遵义医科大学附属医院",
    "昆明医科大学第一附属医院",
    "昆明医科大学第二附属医院",
    "中国人民解放军西部战区总医院",
    "中国人民解放军联勤保障部队第九二〇医院",
    "中国人民解放军联勤保障部队第九二五医院",
    "中国人民解放军联勤保障部队第九二七医院",
    "中国人民解放军西部战区空军医院",
)
# raw names partners write for the military hospitals above (old names, short forms)
MILITARY_VARIANTS = {
    "中国人民解放军西部战区总医院": ["成都军区总医院", "解放军成都军区总医院", "西部战区总医院"],
    "中国人民解放军联勤保障部队第九二〇医院": [
        "成都军区昆明总医院",
        "解放军第920医院",
        "联勤保障部队第九二〇医院",
        "920医院",
    ],
    "中国人民解放军联勤保障部队第九二五医院": ["解放军第925医院", "联勤保障部队第925医院"],
    "中国人民解放军联勤保障部队第九二七医院": ["解放军第927医院", "联勤保障部队九二七医院"],
    "中国人民解放军西部战区空军医院": ["西部战区空军医院", "解放军西部战区空军医院"],
}
TOWN_FIRST = "桃花清石新龙白黄金柳永安太东西南北长高马"
TOWN_SECOND = "溪河桥坝场江山水口湾泉林"
BRANDS = ("华美", "爱尔", "康华", "仁爱", "博爱", "新世纪", "美中", "现代", "京都", "华西仁")
PRIVATE = ("妇产医院", "眼科医院", "骨科医院", "口腔医院", "男科医院", "肿瘤医院", "康复医院")
CITY_TYPES = (
    "中医医院",
    "妇幼保健院",
    "儿童医院",
    "口腔医院",
    "精神卫生中心",
    "肿瘤医院",
    "中心医院",
)
NUMERALS = "一二三四五"
TAGS = ("(基药)", "（基药）", "(医保)", "【基药】", "(总院)", "(公立)", " (基药)", "(原)")
BRANCHES = ("(东院区)", "（西区）", "(南院)", "(新院区)", "(门诊)")
OUTLETS = ("大药房", "药房", "门诊部", "大药房有限公司", "医药连锁有限公司")
HOMOPHONES = {
    "溪": "西", "桥": "乔", "坝": "霸", "湾": "弯", "江": "将", "林": "琳", "泉": "全",
    "院": "园", "民": "名", "心": "新", "务": "物", "保": "宝", "健": "建", "卫": "为",
    "龙": "隆", "花": "华", "石": "实", "安": "按", "流": "留", "都": "督", "阳": "杨",
    "宾": "滨", "华": "化", "医": "衣", "科": "课", "妇": "付", "镇": "真",
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"

# relative frequencies of the raw-name changes
KINDS = {
    "exact": 8,
    "fullwidth": 6,
    "tag": 14,
    "branch": 4,
    "outlet": 6,
    "legal": 5,
    "town": 8,
    "prefix": 16,
    "numeral": 8,
    "military": 1,
    "typo": 10,
    "abbreviation": 4,
}
ABSENT_SHARE = 0.06  # raw names of hospitals missing from the master
SECOND_CHANGE = 0.2


@dataclass(frozen=True)
class Hospital:
    """One standard hospital of the generated master."""

    name: str
    province: str
    city: str
    prefix: tuple[str, ...] = ()  # the place units the name starts with, outermost first


@dataclass(frozen=True)
class Pair:
    """A partner's raw name and the standard name it means (None: not in the master)."""

    raw: str
    expected: str | None
    kinds: tuple[str, ...]
    city: str | None = None  # the city the sheet gives for the raw name, when it does
    prescribers: frozenset[str] = frozenset()


@dataclass
class PairSet:
    """A master (`standard`) and raw names to match against it, with evidence."""

    standard: list[str]
    pairs: list[Pair]
    city: dict[str, str] = field(default_factory=dict)  # standard and raw name -> city
    prescribers: dict[str, set[str]] = field(default_factory=dict)


def _towns(rng: random.Random, k: int) -> list[str]:
    first = rng.sample(TOWN_FIRST, 4)
    second = rng.sample(TOWN_SECOND, 3)
    towns = sorted({f + s for f in first for s in second})
    return rng.sample(towns, min(k, len(towns)))


def hospitals(seed: int = 7) -> list[Hospital]:
    """The whole generated master (about 700 hospitals), in a fixed order."""
    rng = random.Random(seed)
    out: list[Hospital] = []
    for province, cities in GEOGRAPHY.items():
        short = province.removesuffix("省")
        first_city = next(iter(cities))
        for kind in ("人民医院", "肿瘤医院", "妇幼保健院", "中医医院", "第二人民医院"):
            out.append(Hospital(province + kind, province, first_city, (province,)))
        for name in SPECIAL:
            if name.startswith(short) or (province == "四川省" and "军" in name):
                out.append(Hospital(name, province, first_city))
        if province == "贵州省":
            out += [Hospital(n, province, "遵义市") for n in SPECIAL if n.startswith("遵义")]
        if province == "四川省":
            out += [Hospital(n, province, "泸州市") for n in SPECIAL if n.startswith("西南")]
            out += [Hospital(n, province, "南充市") for n in SPECIAL if n.startswith("川北")]
        for city, districts in cities.items():
            p = (province, city)
            if rng.random() < 0.7:
                for numeral in NUMERALS[: rng.randint(2, 4)]:
                    out.append(Hospital(f"{city}第{numeral}人民医院", province, city, p))
            else:
                out.append(Hospital(f"{city}人民医院", province, city, p))
            for kind in rng.sample(CITY_TYPES, rng.randint(3, 6)):
                out.append(Hospital(city + kind, province, city, p))
            for brand in rng.sample(BRANDS, 2):
                legal = "有限公司" if rng.random() < 0.3 else ""
                out.append(Hospital(city + brand + rng.choice(PRIVATE) + legal, province, city, p))
            for district in districts:
                # a county-level city is written without its prefecture: 简阳市人民医院
                d = (city, district) if district.endswith("市") else (province, city, district)
                at = district if district.endswith("市") else city + district
                out.append(Hospital(f"{at}人民医院", province, city, d))
                out.append(Hospital(f"{at}中医医院", province, city, d))
                if rng.random() < 0.5:
                    out.append(Hospital(f"{at}妇幼保健院", province, city, d))
                if rng.random() < 0.3:
                    out.append(Hospital(f"{at}第二人民医院", province, city, d))
                towns = _towns(rng, rng.randint(3, 6))
                urban = district.endswith("区")
                for town in towns:
                    kind = "社区卫生服务中心" if urban and rng.random() < 0.6 else "镇卫生院"
                    out.append(Hospital(f"{at}{town}{kind}", province, city, d))
    seen: set[str] = set()
    return [h for h in out if not (h.name in seen or seen.add(h.name))]


def standard_names(seed: int = 7) -> list[str]:
    """The generated master's names."""
    return [h.name for h in hospitals(seed)]


def clean_set(seed: int = 7) -> list[str]:
    """Distinct real-looking hospitals with no aliases: nothing in it is a duplicate."""
    return standard_names(seed)


def _change(kind: str, h: Hospital, name: str, rng: random.Random) -> str | None:
    """`name` changed the way partners change it, or None when `kind` does not apply."""
    if kind == "exact":
        return name
    if kind == "fullwidth":
        spaced = name.replace("(", "（").replace(")", "）")
        return rng.choice(
            [spaced + " ", " " + spaced, spaced.replace("医院", "医院\u3000"), spaced]
        )
    if kind == "tag":
        return name + rng.choice(TAGS)
    if kind == "branch":
        return name + rng.choice(BRANCHES) if name.endswith("医院") else None
    if kind == "outlet":
        return name + rng.choice(OUTLETS) if name.endswith("医院") and "公司" not in name else None
    if kind == "legal":
        if name.endswith("有限公司"):
            return name.removesuffix("有限公司")
        return name + "有限公司" if any(p in name for p in PRIVATE) else None
    if kind == "town":
        return name.replace("镇卫生院", "乡卫生院") if "镇卫生院" in name else None
    if kind == "prefix":
        if name.startswith("四川大学"):
            return name.removeprefix("四川大学")  # 四川大学华西医院 -> 华西医院
        if len(h.prefix) == 3 and name.startswith(h.city + h.prefix[2]):
            return name.removeprefix(h.city)  # 成都市双流区人民医院 -> 双流区人民医院
        if len(h.prefix) == 2 and name.startswith(h.prefix[1]):
            return h.prefix[0] + name  # 成都市第一人民医院 -> 四川省成都市第一人民医院
        return None
    if kind == "numeral":
        for k, zh in enumerate(NUMERALS, start=1):
            if f"第{zh}" in name:
                return name.replace(f"第{zh}", f"第{k}")
        return None
    if kind == "military":
        options = MILITARY_VARIANTS.get(h.name)
        return rng.choice(options) if options else None
    if kind == "typo":
        spots = [k for k, c in enumerate(name) if c in HOMOPHONES]
        if not spots:
            return None
        k = rng.choice(spots)
        return name[:k] + HOMOPHONES[name[k]] + name[k + 1 :]
    if kind == "abbreviation":
        if name.endswith("中医医院"):
            return name.removesuffix("中医医院") + "中医院"
        if "第二人民医院" in name and rng.random() < 0.5:
            return name.replace("第二人民医院", "二医院")
        return None
    raise ValueError(kind)


def _doctors(rng: random.Random, k: int) -> set[str]:
    return {rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2))) for _ in range(k)}


def pair_set(n: int = 3000, *, seed: int = 7, evidence: bool = True) -> PairSet:
    """`n` raw names against the master, with the city and prescribers the sheets would give.

    A share `ABSENT_SHARE` of raw names come from hospitals taken out of the master.
    """
    rng = random.Random(seed * 7919 + n)
    every = hospitals(seed)
    absent = set(rng.sample(range(len(every)), int(len(every) * ABSENT_SHARE)))
    master = [h for k, h in enumerate(every) if k not in absent]
    missing = [h for k, h in enumerate(every) if k in absent]
    doctors = {h.name: _doctors(rng, rng.randint(3, 8)) for h in every}
    kinds, weights = list(KINDS), list(KINDS.values())
    military = [h for h in master if h.name in MILITARY_VARIANTS]
    pairs: list[Pair] = []
    seen: set[str] = {h.name for h in master}
    while len(pairs) < n:
        gone = rng.random() < ABSENT_SHARE and missing
        h = rng.choice(missing) if gone else rng.choice(master)
        applied: list[str] = []
        name: str | None = h.name
        first = rng.choices(kinds, weights)[0]
        if first == "military" and military and not gone:
            h = rng.choice(military)
            name = h.name
        for kind in [first] + (
            [rng.choices(kinds, weights)[0]] if rng.random() < SECOND_CHANGE else []
        ):
            changed = _change(kind, h, name, rng) if name is not None else None
            if changed is not None and kind not in applied:
                name, applied = changed, [*applied, kind]
        if not applied or name is None:
            continue
        if not gone and name in seen and applied != ["exact"]:
            continue  # a change that happens to give another master name
        city = h.city if evidence and rng.random() < 0.6 else None
        seen_by = (
            frozenset(
                rng.sample(sorted(doctors[h.name]), min(len(doctors[h.name]), rng.randint(1, 3)))
            )
            if evidence and rng.random() < 0.7
            else frozenset()
        )
        pairs.append(Pair(name, None if gone else h.name, tuple(applied), city, seen_by))
    cities = {h.name: h.city for h in master}
    prescribers = {h.name: set(doctors[h.name]) for h in master}
    return PairSet([h.name for h in master], pairs, cities, prescribers)


def distinct_names(n: int = 100_000, *, seed: int = 7) -> list[str]:
    """`n` distinct hospital names (about a fifth written the way partners write them)."""
    rng = random.Random(seed)
    syllables = "安宝昌崇大德东丰福甘光广海汉合和河华怀会吉嘉建江金晋靖九康兰乐黎理连临灵龙隆泸洛茂梅蒙米绵南宁平普祁青清庆仁荣瑞沙山上石寿双顺松泰天通桐万旺文武西仙祥兴秀宣雅延阳永余玉元岳云长昭镇中忠资"
    out: dict[str, None] = {}
    base = hospitals(seed)
    for h in base:
        out[h.name] = None
    while len(out) < n:
        province = rng.choice(syllables) + rng.choice(syllables) + "省"
        city = rng.choice(syllables) + rng.choice(syllables) + "市"
        for numeral in NUMERALS[: rng.randint(1, 4)]:
            out[f"{city}第{numeral}人民医院"] = None
        out[city + rng.choice(CITY_TYPES)] = None
        for _ in range(rng.randint(3, 8)):
            district = rng.choice(syllables) + rng.choice(syllables) + rng.choice("区县")
            h = Hospital(f"{city}{district}人民医院", province, city, (city, district))
            names = [h.name, f"{city}{district}中医医院"]
            names += [f"{city}{district}{t}镇卫生院" for t in _towns(rng, rng.randint(2, 6))]
            for name in names:
                out[name] = None
                if rng.random() < 0.2:
                    kind = rng.choice(list(KINDS))
                    changed = _change(kind, Hospital(name, province, city, h.prefix), name, rng)
                    if changed:
                        out[changed] = None
    return list(out)[:n]
