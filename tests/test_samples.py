"""The committed sample sheets in data/samples: reproducible, shaped as documented, realistic."""

import csv
import importlib.util
import re
import tomllib
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
OURS = {"心脉宁片", "心脉宁注射液", "脑安胶囊"}
COMPETITORS = {"氯吡格雷片", "阿托伐他汀钙片", "替格瑞洛片", "丁苯酞软胶囊"}
KEYS = ["partner", "month", "hospital", "department", "prescriber", "product", "boxes"]
BANDS = [(1000, float("inf")), (300, 1000), (200, 300), (100, 200), (float("-inf"), 100)]


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("sample_generator", SAMPLES / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def truth(gen) -> pd.DataFrame:
    return pd.DataFrame(gen.truth_records(), columns=KEYS)


@pytest.fixture(scope="module")
def kangyuan():
    return openpyxl.load_workbook(SAMPLES / "kangyuan.xlsx")


@pytest.fixture(scope="module")
def northstar():
    return openpyxl.load_workbook(SAMPLES / "northstar.xlsx")


def _clean(text: object, person: bool = False) -> str:
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"^(\w) (\w)$", r"\1\2", s) if person else s


def _number(quantity: object) -> float:
    if isinstance(quantity, int | float):
        return float(quantity)
    return float(str(quantity).replace(",", "").removesuffix("盒"))


def _monthly(truth: pd.DataFrame, by: list[str]) -> pd.Series:
    """Monthly boxes of our products, averaged over the six months, for everyone in `truth`."""
    ours = truth[truth["product"].isin(OURS)]
    everyone = truth.groupby(by).size().index
    return (ours.groupby(by)["boxes"].sum() / len(MONTHS)).reindex(everyone, fill_value=0.0)


def _band_counts(values: pd.Series) -> list[int]:
    return [int(((values >= lo) & (values < hi)).sum()) for lo, hi in BANDS]


def _same_xlsx(a: Path, b: Path) -> bool:
    """Byte-identical, or (another zlib build) the same members with the same contents."""
    if a.read_bytes() == b.read_bytes():
        return True
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names = za.namelist()
        return names == zb.namelist() and all(za.read(n) == zb.read(n) for n in names)


# --------------------------------------------------------------------------- reproducibility


def test_regenerated_samples_match_the_committed_ones(gen, tmp_path):
    gen.write_samples(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(gen.SAMPLE_FILES)
    for name in gen.SAMPLE_FILES:
        committed, fresh = SAMPLES / name, tmp_path / name
        assert committed.stat().st_size < 1_000_000
        if name.endswith(".xlsx"):
            assert _same_xlsx(committed, fresh), f"{name} differs: rerun generate.py"
        else:
            assert committed.read_bytes() == fresh.read_bytes(), name


def test_truth_records_are_stable_and_clean(gen, truth):
    assert gen.truth_records() == truth.to_dict("records")
    assert set(truth["partner"]) == {"康源医药", "Northstar Pharma"}
    assert set(truth["month"]) == set(MONTHS)
    assert set(truth["product"]) == OURS | COMPETITORS
    assert truth["boxes"].dtype == "float64"
    for name in truth["hospital"].unique():
        assert name == _clean(name)
        assert " " not in name
    for name in truth["prescriber"].unique():
        assert name == _clean(name, person=True)
        assert 2 <= len(name) <= 3
    assert (truth["department"] != "").all()
    assert (truth["prescriber"] != "").all()
    assert 35 <= truth["hospital"].nunique() <= 45
    assert 350 <= truth.groupby(["hospital", "prescriber"]).ngroups <= 450


def test_the_files_hold_exactly_the_truth(gen, kangyuan, northstar):
    read: list[dict[str, object]] = []
    for ws in kangyuan:
        year, month = re.fullmatch(r"(\d{4})年(\d{1,2})月", ws.title).groups()
        hospital = ""
        for row in ws.iter_rows(min_row=4, values_only=True):
            if row[0] == "合计":
                break
            hospital = _clean(row[0]) if row[0] is not None else hospital
            boxes = _number(row[5])
            if row[6] == "支":
                boxes /= float(re.match(r"(\d+)支/盒", row[4]).group(1))
            read.append(
                {
                    "partner": "康源医药",
                    "month": f"{year}-{int(month):02d}",
                    "hospital": hospital,
                    "department": _clean(row[1]),
                    "prescriber": _clean(row[2], person=True),
                    "product": _clean(row[3]),
                    "boxes": boxes,
                }
            )
    rows = northstar["Detail"].iter_rows(min_row=2, values_only=True)
    for month, hospital, dept, doctor, product, _spec, qty, _unit in rows:
        values = [month, _clean(hospital), dept, _clean(doctor, person=True), product, float(qty)]
        read.append(dict(zip(KEYS, ["Northstar Pharma", *values], strict=True)))
    assert read == gen.truth_records()


# --------------------------------------------------------------------------- layouts


def test_kangyuan_layout_and_totals(kangyuan):
    assert kangyuan.sheetnames == [
        "2026年4月",
        "2026年5月",
        "2026年6月",
        "2026年7月",
        "2026年8月",
        "2026年9月",
    ]
    seen: dict[str, set] = {"text": set(), "units": set(), "padded": set(), "plain": set()}
    for ws in kangyuan:
        assert ws["A1"].value == f"康源医药 {ws.title} 使用明细"
        assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
        assert all(c.value is None for c in ws[2])
        assert [c.value for c in ws[3]] == [
            "医院名称",
            "科室",
            "医生",
            "品名",
            "规格",
            "数量",
            "单位",
        ]
        assert sum(1 for r in ws.merged_cells.ranges if r.min_col == r.max_col == 1) >= 10
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        total, data = rows[-1], rows[:-1]
        assert total[0] == "合计"
        assert not any(r[0] == "合计" for r in data)
        assert total[5] == sum(_number(r[5]) for r in data)
        for r in data:
            if isinstance(r[5], str):
                seen["text"].add(r[5])
            if r[6] == "支":
                assert r[3] == "心脉宁注射液"
                assert r[4] == "10支/盒"
                seen["units"].add(r[5])
            else:
                assert r[6] == "盒"
            if r[2] == "王　伟":
                seen["padded"].add(ws.title)
            if r[2] == "王伟":
                seen["plain"].add(ws.title)
    assert any(t.endswith("盒") for t in seen["text"])
    assert any("," in t for t in seen["text"])
    assert any(q % 10 for q in seen["units"])
    assert any(q % 10 == 0 for q in seen["units"])
    assert seen["padded"]
    assert seen["plain"]
    assert not seen["padded"] & seen["plain"]
    hospitals = [c.value for ws in kangyuan for c in ws["A"][3:] if isinstance(c.value, str)]
    assert sum(h != h.strip() for h in hospitals) >= 1
    quantities = [c.value for ws in kangyuan for c in ws["F"][3:-1]]
    assert sum(isinstance(q, int | float) and q < 0 for q in quantities) == 1


def test_northstar_layout(northstar, truth):
    assert northstar.sheetnames == ["Detail"]
    rows = list(northstar["Detail"].iter_rows(values_only=True))
    assert rows[0] == ("Month", "Hospital", "Dept", "Doctor", "Product", "Spec", "QTY", "Unit")
    assert {r[0] for r in rows[1:]} == set(MONTHS)
    assert {r[7] for r in rows[1:]} == {"box"}
    by_partner = truth.groupby("partner")["hospital"].unique()
    shared = set(by_partner["康源医药"]) & set(by_partner["Northstar Pharma"])
    assert len(shared) == 2
    assert 20 <= len(by_partner["康源医药"]) <= 24
    assert 16 <= len(by_partner["Northstar Pharma"]) <= 20
    ns = truth[truth["partner"] == "Northstar Pharma"]
    assert (ns.groupby("prescriber")["hospital"].nunique() >= 2).any()


def test_competitor_survey(gen, truth):
    wb = openpyxl.load_workbook(SAMPLES / "competitors.xlsx")
    assert wb.sheetnames == ["竞品调研"]
    rows = list(wb["竞品调研"].iter_rows(values_only=True))
    assert rows[0] == ("医院", "科室", "竞品名称", "月均盒数")
    survey = pd.DataFrame(rows[1:], columns=["hospital", "department", "product", "boxes"])
    expected = pd.DataFrame(gen.truth_competitors())
    pd.testing.assert_frame_equal(survey.astype({"boxes": "float64"}), expected)
    assert set(survey["product"]) <= COMPETITORS
    assert 8 <= survey["hospital"].nunique() <= 12
    in_sales = set(truth.loc[truth["product"].isin(COMPETITORS), "hospital"])
    only_here = set(survey["hospital"]) - in_sales
    assert 2 <= len(only_here) <= 3
    sold = set(zip(truth["hospital"], truth["department"], strict=True))
    white = set(zip(survey["hospital"], survey["department"], strict=True)) - sold
    assert white


def test_config():
    config = tomllib.loads((SAMPLES / "uplift.toml").read_text(encoding="utf-8"))
    assert set(config["ours"]) == OURS
    assert config["thresholds"] == [100, 200, 300]
    assert config["vip"] == 1000
    assert set(config["markets"]) == {"cardio", "neuro"}
    assert config["markets"]["neuro"] == {"ours": ["脑安胶囊"], "competitors": ["丁苯酞软胶囊"]}


# --------------------------------------------------------------------------- distribution


def test_hospital_tiers(truth):
    hospitals = _monthly(truth, ["hospital"])
    vip, big, mid, core, small = _band_counts(hospitals)
    assert vip >= 2
    assert min(big, mid, core, small) >= 3
    assert vip <= big <= mid <= core <= small  # heavy-tailed: few big, many small
    # a hospital covered by both partners reaches VIP only when they are combined
    by_partner = truth[truth["product"].isin(OURS)].groupby(["hospital", "partner"])["boxes"]
    split = (by_partner.sum() / len(MONTHS)).unstack(fill_value=0.0)
    shared = split[(split > 0).all(axis=1)]
    assert ((shared.max(axis=1) < 1000) & (shared.sum(axis=1) >= 1000)).any()


def test_prescriber_tiers(truth):
    prescribers = _monthly(truth, ["hospital", "prescriber"])
    top, big, mid, core, small = _band_counts(prescribers)
    assert big + top >= 3
    assert min(mid, core) >= 3
    assert top + big <= mid <= core <= small
    assert small >= 0.75 * len(prescribers)


def test_competitor_and_movement_patterns(truth):
    is_ours = truth["product"].isin(OURS)
    hospitals = truth.groupby("hospital")
    with_rivals = hospitals.apply(lambda g: (~g["product"].isin(OURS)).any(), include_groups=False)
    assert with_rivals.mean() > 0.7
    ours_boxes = truth[is_ours].groupby("hospital")["boxes"].sum()
    rival_boxes = truth[~is_ours].groupby("hospital")["boxes"].sum()
    share = (rival_boxes / (rival_boxes + ours_boxes)).dropna()
    assert share.min() < 0.2
    assert share.max() > 0.5

    key = ["hospital", "prescriber"]
    kinds = truth.assign(ours=is_ours).groupby(key)["ours"].agg(["any", "all"])
    assert (kinds["any"] & ~kinds["all"]).sum() >= 50  # ours and competitors
    rivals_only = kinds[~kinds["any"]].index
    assert len(rivals_only) >= 10
    ours_depts = set(
        zip(truth.loc[is_ours, "hospital"], truth.loc[is_ours, "department"], strict=True)
    )
    depts = truth.drop_duplicates(key).set_index(key)["department"]
    assert all((h, depts[(h, p)]) not in ours_depts for h, p in rivals_only)

    monthly = truth[is_ours].pivot_table(index=key, columns="month", values="boxes", aggfunc="sum")
    monthly = monthly.reindex(columns=MONTHS, fill_value=0.0).fillna(0.0)
    early, late = monthly[MONTHS[:4]], monthly[MONTHS[4:]]
    stopped = (early > 0).all(axis=1) & (late <= 0).all(axis=1)
    assert stopped.sum() >= 5  # win-back
    first_seen = truth.groupby(key)["month"].min()
    assert (first_seen == MONTHS[-1]).sum() >= 3  # new in the last month


# --------------------------------------------------------------------------- large files


def test_large_workbook(gen, tmp_path):
    path = tmp_path / "large.xlsx"
    gen.write_large_workbook(path, 2000)
    with zipfile.ZipFile(path) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
        assert b"<is>" not in z.read("xl/worksheets/sheet1.xml")
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert rows[0] == ("医院名称", "科室", "医生", "品名", "规格", "数量", "单位", "月份")
    assert len(rows) == 2001
    assert {r[7] for r in rows[1:]} <= {f"2025-{m:02d}" for m in range(1, 13)}
    assert {r[3] for r in rows[1:]} >= {"心脉宁片", "氯吡格雷片"}

    csv_path = tmp_path / "large.csv"
    gen.write_large_csv(csv_path, 2000, encoding="gbk")
    with open(csv_path, encoding="gbk", newline="") as f:
        from_csv = list(csv.reader(f))
    assert from_csv[0] == list(rows[0])
    assert [r[:5] for r in from_csv[1:]] == [list(r[:5]) for r in rows[1:]]
    assert [float(r[5]) for r in from_csv[1:]] == [float(r[5]) for r in rows[1:]]
