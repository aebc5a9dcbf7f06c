"""``convert.holds_any``: the byte scan that lets a text column skip a regex pass (ids without an
exponent's e, without a leading quote or tab) says False only when no cell holds a needle."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import convert


def test_found_in_any_cell_and_not_elsewhere():
    cells = pa.array(["0012", "31e5", None, "城中"], type=pa.large_string())
    assert convert.holds_any(cells, (b"e",))
    assert not convert.holds_any(cells, (b"E", b"'"))
    assert convert.holds_any(cells, ("城".encode(),))


def test_a_slice_is_judged_on_its_own_cells():
    cells = pa.array(["1e5", "0012", "0099", "'7"], type=pa.large_string())
    assert not convert.holds_any(cells.slice(1, 2), (b"e", b"'"))
    assert convert.holds_any(cells.slice(1, 3), (b"'",))
    assert not convert.holds_any(cells.slice(4, 0), (b"e",))


def test_pandas_columns_on_arrow_chunks_and_others():
    chunked = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["0012"], ["0e1"]], pa.large_string())))
    assert convert.holds_any(chunked, (b"e",))
    assert not convert.holds_any(chunked.iloc[:1], (b"e",))
    assert convert.holds_any(pd.Series(["0012"], dtype=object), (b"e",))           # not Arrow: may hold
    assert convert.holds_any(pd.Series(["0012"], dtype="string[python]"), (b"e",))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="0eE'\t城 ", max_size=4)), max_size=8),
       st.integers(0, 8), st.integers(0, 8))
def test_never_false_where_a_cell_holds_a_needle(cells, start, length):
    array = pa.array(cells, type=pa.large_string()).slice(start, length)
    held = any(c is not None and ("e" in c or "\t" in c) for c in array.to_pylist())
    assert convert.holds_any(array, (b"e", b"\t")) == held


@pytest.mark.parametrize(("cell", "expected", "code"), [
    ("3.1e+17", "3.1e+17", "id_precision_lost"),          # the lower-case exponent is found too
    ("３e５", "3e5", "id_precision_lost"),                   # NFKC first: full-width digits and letter
    ("'\t0012", "0012", None),                            # a quote and a tab taken off together
    ("\t'0012", "0012", None),
])
def test_text_ids_still_cleaned_and_checked(cell, expected, code):
    out, bad = convert.to_id(pd.Series([cell, "0099"], dtype="str"))
    assert out.tolist() == [expected, "0099"]
    assert bad.codes == ([code] if code else [])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="0eE'城é", max_size=4)), max_size=10),
       st.integers(0, 10), st.integers(0, 10), st.integers(0, 10))
def test_cells_holding_a_letter_are_the_cells_that_hold_it(cells, start, length, cut):
    """``cells_holding``: exactly the positions of the cells holding e or E, on a slice and over chunks."""
    array = pa.array(cells, type=pa.large_string()).slice(start, length)
    chunked = pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=pa.large_string())
    values = pd.Series(pd.arrays.ArrowStringArray(chunked))
    expected = [i for i, c in enumerate(array.to_pylist()) if c is not None and ("e" in c or "E" in c)]
    assert convert.cells_holding(values, b"eE").tolist() == expected
    assert convert.cells_holding(pd.Series(cells, dtype=object), b"eE").tolist() == list(range(len(cells)))


def test_an_id_in_exponent_form_is_found_among_ids_that_hold_an_e_elsewhere():
    values = pd.Series(["91320106987038962E", "3.1E+17", "0012", "1e5", None], dtype="str",
                       index=pd.RangeIndex(5, 10))
    out, bad = convert.to_id(values)
    assert (bad.rows, bad.codes, bad.values) == ([6, 8], ["id_precision_lost"] * 2, ["3.1E+17", "1e5"])
    assert out.tolist()[:4] == ["91320106987038962E", "3.1E+17", "0012", "1e5"]
