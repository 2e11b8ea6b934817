"""Per-distinct-value work mapped back to rows, and the loader's quick word screen."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from uplift.sheets.distinct import (
    codes_and_values,
    numbers_from_codes,
    repeated_text,
    texts_from_codes,
)
from uplift.sheets.headers import ALIASES, field_for
from uplift.sheets.loading import (
    _FOOTER_WORDS,
    _TOTAL_WORDS,
    _is_footer,
    _maybe_word,
    is_total_label,
)
from uplift.sheets.names import normalise, normalise_series
from uplift.sheets.quantities import parse_numbers


def test_codes_and_values_keep_first_appearance_order_and_mark_missing():
    codes, values = codes_and_values(pd.Series(["b", None, "a", "b"], dtype="str"))
    assert values == ["b", "a"]
    assert codes.tolist() == [0, -1, 1, 0]


def test_answers_go_back_to_their_rows():
    index = pd.Index([10, 11, 12, 13])
    codes = np.array([1, 0, -1, 1])
    texts = texts_from_codes(["x", "y"], codes, index, missing="?")
    assert texts.tolist() == ["y", "x", "?", "y"]
    assert texts.index.tolist() == [10, 11, 12, 13]
    assert str(texts.dtype) == "str"
    numbers = numbers_from_codes([1.5, 2.0], codes, index)
    assert numbers.tolist()[:2] == [2.0, 1.5]
    assert np.isnan(numbers.iloc[2])
    assert repeated_text("康源", 3).tolist() == ["康源", "康源", "康源"]


def test_parse_numbers_parses_each_text_once_and_maps_back():
    out = parse_numbers(
        pd.Series(["120", "1,200", None, "120盒", "n/a", "120", "１５"], dtype="str")
    )
    assert out["value"].tolist()[:2] == [120.0, 1200.0]
    assert np.isnan(out["value"].iloc[2])
    assert out["value"].iloc[3] == 120.0 and out["unit"].iloc[3] == "盒"
    assert np.isnan(out["value"].iloc[4])
    assert out["value"].iloc[5] == 120.0 and out["value"].iloc[6] == 15.0
    assert out["unit"].tolist() == ["", "", "", "盒", "", "", ""]


def test_normalise_series_leaves_clean_names_alone_and_cleans_the_rest():
    clean = pd.Series(["华西医院", "王伟"], dtype="str")
    assert normalise_series(clean).tolist() == ["华西医院", "王伟"]
    messy = pd.Series(["华西医院 ", None, "王　伟"], dtype="str")
    assert normalise_series(messy, person=True).tolist() == ["华西医院", "", "王伟"]


WORDS = [*_TOTAL_WORDS, *_FOOTER_WORDS, "Total", "Sub-total", "SUM", *ALIASES]
ALIAS_TEXTS = [alias for names in ALIASES.values() for alias in names]


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=6),
    st.sampled_from(WORDS + ALIAS_TEXTS + [""]),
    st.text(max_size=6),
    st.sampled_from(["", " ", "（标准）", "(盒)", "\n", "　"]),
)
def test_the_quick_screen_never_hides_a_header_total_or_footer(before, word, after, extra):
    """Whatever the text, a cell the exact checks accept passes the quick screen."""
    screen = _maybe_word({"hospital": "终端客户"})
    for text in (word + extra, before + word, word + after + extra, before + extra + word + after):
        exact = (
            field_for(text, {"hospital": "终端客户"}) is not None
            or is_total_label(text)
            or _is_footer(text)
        )
        if exact:
            assert screen(normalise(text).casefold()), text


def test_the_quick_screen_lets_common_names_through_unchecked():
    screen = _maybe_word(None)
    assert not screen(normalise("王伟").casefold())
    assert screen(normalise("合 计").casefold())
    assert screen(normalise("医院名称").casefold())


def test_coded_fill_down_stops_at_block_starts():
    from uplift.sheets.distinct import Coded

    col = Coded.of(pd.Series([None, "内科", None, None, "外科", None], dtype="str"), 6)
    restart = np.array([False, False, False, True, False, False])
    assert col.ffill().texts(np.ones(6, bool), pd.RangeIndex(6), missing="-").tolist() == [
        "-",
        "内科",
        "内科",
        "内科",
        "外科",
        "外科",
    ]
    filled = col.ffill(restart=restart)
    assert filled.texts(np.ones(6, bool), pd.RangeIndex(6), missing="-").tolist() == [
        "-",
        "内科",
        "内科",
        "-",
        "外科",
        "外科",
    ]
    kept = np.array([True, False, True, False, True, True])
    cleaned = filled.where(kept).texts(kept, pd.Index([0, 2, 4, 5]), lambda v: v + "!")
    assert cleaned.tolist() == ["", "内科!", "外科!", "外科!"]
    assert Coded.of(None, 3).isna().tolist() == [True, True, True]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([None, "a", "b", "c"]), st.booleans(), st.booleans()),
        max_size=30,
    )
)
def test_coded_fill_down_matches_pandas_grouped_fill(rows):
    """Masking and filling down by codes gives what pandas' where + grouped ffill gives."""
    from uplift.sheets.distinct import Coded

    values = pd.Series([r[0] for r in rows], dtype="str")
    mask = np.array([r[1] for r in rows], dtype=bool)
    restart = np.array([r[2] for r in rows], dtype=bool)
    expected = values.where(mask).groupby(np.cumsum(restart)).ffill().fillna("?")
    got = Coded.of(values, len(rows)).where(mask).ffill(restart=restart)
    assert got.texts(np.ones(len(rows), bool), values.index, missing="?").tolist() == (
        expected.tolist()
    )
