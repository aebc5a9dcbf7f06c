"""Text lookups that hash the smaller side find what Arrow's index_in and is_in find."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit import text
from branchkit.text import text_isin, text_positions

_cell = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "0012", "12", "", "客户", "d"]))


def _series(cells: list) -> pd.Series:
    return pd.Series(cells, dtype="str")


@settings(max_examples=300, deadline=None)
@given(st.lists(_cell, max_size=12), st.lists(_cell, max_size=40))
def test_positions_hashing_either_side_agree(values, keys):
    cells = pa.array(values, type=pa.large_string())
    key_cells = pa.array(keys, type=pa.large_string())
    want = pc.index_in(cells, value_set=key_cells).fill_null(-1).to_numpy(zero_copy_only=False)
    np.testing.assert_array_equal(text._positions_of_few(cells, key_cells), want)


@settings(max_examples=200, deadline=None)
@given(st.lists(_cell, max_size=6), st.lists(_cell, min_size=60, max_size=120))
def test_text_positions_and_isin_take_the_small_side_path(values, keys):
    assert len(values) * text._FEW_SHARE < len(keys)
    s, k = _series(values), _series(keys)
    first = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    want = [first.get(v, -1) for v in values]            # nulls too: a missing value at the first missing key
    assert text_positions(s, k).tolist() == want
    known = {x for x in keys if x is not None}
    assert text_isin(s, k).tolist() == [v is not None and v in known for v in values]


def test_the_first_of_repeated_keys_is_found_and_absent_values_are_minus_one():
    keys = _series(["x"] * 20 + ["b", "a", "b", "a"] + ["y"] * 20)
    assert text_positions(_series(["a", "b", "q"]), keys).tolist() == [21, 20, -1]
    assert text_positions(_series([None]), keys).tolist() == [-1]          # no missing key
    assert text_isin(_series(["a", None, "q"]), keys).tolist() == [True, False, False]


def test_the_threshold_picks_the_path():
    few = pa.array(["a"] * 3, type=pa.large_string())
    assert text._few(few, pa.array(["a"] * 25, type=pa.large_string()))
    assert not text._few(few, pa.array(["a"] * 24, type=pa.large_string()))


@settings(max_examples=300, deadline=None)
@given(st.lists(_cell, max_size=30), st.booleans())
def test_any_repeated_is_pandas_duplicated(cells, as_text):
    values = _series(cells) if as_text else pd.Series(cells, dtype=object)
    assert text.any_repeated(values) == bool(values.duplicated().any())
    assert text.any_repeated(values, missing=False) == bool((values.duplicated() & values.notna()).any())


def test_two_missing_values_are_a_repeat_only_when_missing_counts():
    values = _series(["a", None, "b", None])
    assert text.any_repeated(values) and not text.any_repeated(values, missing=False)
    assert text.any_repeated(_series(["a", "b", "a"]), missing=False)
    assert not text.any_repeated(_series(["a", "b", None]))
