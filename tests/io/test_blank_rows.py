"""Blank rows are found column after column, each column looked at only on the rows still blank: the same
rows as every cell of every column looked at."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import convert
from branchkit.io.datarows import _blank_rows

_CELLS = ["", "  ", "\u3000", "\x1c", "x", None, float("nan"), pd.NA, 0.0, 7, dt.date(2024, 3, 5), False, b""]


def _every_cell(body: list[pd.Series]) -> list[bool]:
    return pd.concat([convert._is_blank(s) for s in body], axis=1).all(axis=1).tolist()


def test_a_row_is_blank_only_when_every_column_is():
    index = pd.RangeIndex(4, 9)
    first = pd.Series(["", " ", "1", None, "\u3000"], index=index, dtype="str")
    second = pd.Series(["", "x", "", None, " "], index=index, dtype="str")
    third = pd.Series(["", "", "", "y", None], index=index, dtype="str")
    # blank in the first column only (row 5), in the first two only (row 7), in none (row 6), in all (4, 8)
    assert _blank_rows([first, second, third]).tolist() == [True, False, False, False, True]
    assert _blank_rows([first, second, third]).index.equals(index)
    assert _blank_rows([third, second, first]).tolist() == [True, False, False, False, True]


def test_no_blank_row_after_the_first_column_looks_no_further():
    index = pd.RangeIndex(2, 5)
    filled = pd.Series(["a", "b", "c"], index=index, dtype="str")
    assert _blank_rows([filled, pd.Series([None, None, None], index=index, dtype=object)]).tolist() == [False] * 3


@settings(max_examples=80, deadline=None)
@given(columns=st.lists(st.lists(st.sampled_from(_CELLS), min_size=6, max_size=6), min_size=1, max_size=5),
       text=st.booleans())
def test_blank_rows_are_those_of_every_cell_looked_at(columns, text):
    # workbook columns of mixed cells (whose subsets may be text only) and CSV text columns alike
    index = pd.RangeIndex(1, 7)
    if text:
        body = [pd.Series([c if isinstance(c, str) or c is None else "z" for c in cells], index=index, dtype="str")
                for cells in columns]
    else:
        body = [pd.Series(cells, index=index, dtype=object) for cells in columns]
    assert _blank_rows(body).tolist() == _every_cell(body)
