"""Coded values shown as words in xlsx/html (``display.machine_columns``): the words of the distinct
values taken per cell give the same text as ``labels.value_words`` made text cell by cell."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io.display import _words_text, machine_frame
from branchkit.io.tables import Table
from branchkit.labels import VALUES, value_words

TIERS = sorted(VALUES["tier"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TIERS + ["unknown", "高", ""]) | st.none(), max_size=40),
       st.sampled_from(["zh", "en"]))
def test_words_as_text_equal_value_words_made_text(values, lang):
    series = pd.Series(values, dtype="str")
    expected = value_words(series, "tier", lang).astype("str")
    got = _words_text(series, "tier", lang)
    assert got.dtype == "str"
    pd.testing.assert_series_equal(got, expected, check_names=False)


def test_a_word_that_is_not_text_falls_back_to_value_words():
    series = pd.Series([1, 2, None], dtype="object")       # unknown numbers stay as they are
    pd.testing.assert_series_equal(_words_text(series, "tier", "zh").astype("str"),
                                   value_words(series, "tier", "zh").astype("str"), check_names=False)


def test_a_table_shows_words_and_keeps_nulls():
    frame = pd.DataFrame({"tier": pd.Series(["high", None, "general", "odd"], dtype="str")})
    shown = machine_frame(Table("t", frame, "t", "t"), mask=False, lang="zh")["tier"]
    assert shown.tolist()[0] == VALUES["tier"]["high"][0] and pd.isna(shown.iloc[1])
    assert shown.tolist()[2:] == [VALUES["tier"]["general"][0], "odd"]
