"""Labels in Chinese or English: the table, the default from the locale, the views."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import sales
from uplift.analysis.tiers import tier_entities, tier_summary
from uplift.config import settings_from_dict
from uplift.output.i18n import (
    ZH,
    check_language,
    current_language,
    default_language,
    language,
    set_language,
    t,
)
from uplift.output.views.tiers import show_tiers

SOURCE = Path(__file__).resolve().parents[1] / "src" / "uplift"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def reset_language():
    """Every test starts and ends with no language set."""
    set_language(None)
    yield
    set_language(None)


def test_t_maps_in_chinese_and_passes_in_english() -> None:
    set_language("zh")
    assert (t("Hospital"), t("Department"), t("Prescriber"), t("Partner")) == (
        "医院",
        "科室",
        "医生",
        "合作者",
    )
    assert (t("Boxes"), t("Tier"), t("Share"), t("Month"), t("Product")) == (
        "盒数",
        "分级",
        "份额",
        "月份",
        "产品",
    )
    assert t("something new") == "something new"  # unknown: unchanged
    assert (
        t("Summary (thresholds {bounds})").format(bounds="100, 200") == "汇总（分级阈值 100, 200）"
    )
    set_language("en")
    assert t("Hospital") == "Hospital"
    assert t("something new") == "something new"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "zh"),  # a server's default says nothing: Chinese
        ({"LC_ALL": "POSIX"}, "zh"),
        ({}, "zh"),  # nothing set (Windows, a bare shell): Chinese
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # LC_ALL wins
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ],
)
def test_default_comes_from_the_locale(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_language() == expected
    assert current_language() == expected  # nothing set: the locale's
    set_language("en" if expected == "zh" else "zh")
    assert current_language() != expected  # set: the one given


def test_language_names_and_scopes() -> None:
    assert check_language("ZH") == "zh"
    assert check_language("zh-CN") == "zh"
    assert check_language("en_US") == "en"
    with pytest.raises(ValueError, match="zh, en"):
        check_language("fr")
    set_language("en")
    with language("zh") as inside:
        assert inside == "zh" and t("Tier") == "分级"
    assert current_language() == "en" and t("Tier") == "Tier"


def _literals(path: Path) -> set[str]:
    """Every text written as a single literal inside t(...)."""
    return set(re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"\s*\)', path.read_text(encoding="utf-8")))


def test_every_label_of_views_and_report_has_chinese() -> None:
    files = [SOURCE / "output" / "report.py", *sorted((SOURCE / "output" / "views").glob("*.py"))]
    missing = {}
    found = 0
    for path in files:
        for text in _literals(path):
            found += 1
            if text not in ZH:
                missing.setdefault(path.name, []).append(text)
    assert found > 150
    assert missing == {}
    # templates keep their placeholders in both languages
    for english, chinese in ZH.items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", chinese)), english


SETTINGS = settings_from_dict({"ours": ["心脉宁片"]})
SALES = sales(
    [
        ("P", "2026-08", "华西医院", "心内科", "王伟", "心脉宁片", 400),
        ("P", "2026-09", "华西医院", "心内科", "王伟", "心脉宁片", 200),
        ("P", "2026-09", "第一医院", "心内科", "李娜", "心脉宁片", 150),
    ]
)


def _show(fmt: str) -> None:
    result = tier_entities(SALES, settings=SETTINGS)
    summary = tier_summary(result, thresholds=SETTINGS.thresholds)
    show_tiers(
        result,
        summary,
        SALES,
        fmt=fmt,
        by="hospital",
        basis="average",
        method="thresholds",
        settings=SETTINGS,
    )


def test_tier_table_headers_follow_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    set_language("zh")
    _show("table")
    out = capsys.readouterr().out
    for header in ("医院", "盒数", "分级", "份额", "趋势", "汇总（分级阈值 100, 200, 300）"):
        assert header in out
    assert "分级（按医院）：月均盒数，我方产品" in out  # the title wraps at the table width
    assert "Hospital" not in out
    set_language("en")
    _show("table")
    out = capsys.readouterr().out
    assert "Hospital" in out and "Summary (thresholds 100, 200, 300)" in out
    assert "医院 " not in out.replace("华西医院", "").replace("第一医院", "")


def test_json_and_csv_keys_never_change(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = {}
    for lang in ("en", "zh"):
        set_language(lang)
        _show("json")
        doc = json.loads(capsys.readouterr().out)
        _show("csv")
        outputs[lang] = (doc, capsys.readouterr().out)
    assert outputs["zh"] == outputs["en"]
    assert list(outputs["zh"][0][0])[:3] == ["hospital", "boxes", "tier"]
