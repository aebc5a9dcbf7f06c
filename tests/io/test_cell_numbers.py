"""A workbook amount column of nothing but numbers (``convert._only_numbers``) converts as the cell-by-cell
way converts it: NaN cells blank, ints and floats alike, the header's unit applied, no problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import amounts, convert

_NUMBERS = st.one_of(st.floats(allow_infinity=True, allow_nan=True), st.integers(-10**20, 10**20),
                     st.floats(width=64).map(np.float64), st.integers(-10**12, 10**12).map(np.int64))


def _column(values: list) -> pd.Series:
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    return pd.Series(cells, index=pd.RangeIndex(5, 5 + len(values)), dtype=object)


def _general(values: pd.Series, unit: str | None, monkeypatch) -> tuple[pd.Series, convert.Bad]:
    with monkeypatch.context() as m:
        m.setattr(amounts, "_only_numbers", lambda values: False)
        return amounts.to_number(values, unit=unit, money=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(_NUMBERS, max_size=30), st.sampled_from([None, "万元", "千元"]))
def test_a_column_of_numbers_converts_as_cell_by_cell(values: list, unit: str | None) -> None:
    column = _column(values)
    assert convert._only_numbers(column)
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected, expected_bad = _general(column, unit, monkeypatch)
    got, bad = amounts.to_number(column, unit=unit, money=True)
    pd.testing.assert_series_equal(got, expected)
    assert (bad.rows, bad.codes, bad.values) == (expected_bad.rows, expected_bad.codes, expected_bad.values)


def test_values_of_a_column_of_numbers() -> None:
    got, bad = amounts.to_number(_column([1.5, 2, np.nan, np.int64(3), 2e15]), unit="万元", money=True)
    assert got.index.tolist() == [5, 6, 7, 8, 9]
    assert got.tolist()[:2] == [15000.0, 20000.0] and np.isnan(got.iloc[2]) and got.iloc[3] == 30000.0
    assert np.isnan(got.iloc[4]) and bad.rows == [9] and bad.codes == ["number_out_of_range"]


@pytest.mark.parametrize("odd", ["", "1,000", True, None, pd.NA, np.float32(1.5), np.int32(2), "x"])
def test_any_other_cell_takes_the_cell_by_cell_way(odd: object, monkeypatch) -> None:
    column = _column([1.0, odd, 2])
    assert not convert._only_numbers(column)
    expected, expected_bad = _general(column, None, monkeypatch)
    got, bad = amounts.to_number(column, money=True)
    pd.testing.assert_series_equal(got, expected)
    assert (bad.rows, bad.codes) == (expected_bad.rows, expected_bad.codes)


def test_a_text_column_is_not_a_column_of_numbers() -> None:
    assert not convert._only_numbers(pd.Series(["1", "2"], dtype="str"))
    assert convert._only_numbers(pd.Series([1.0, 2.0]))          # a float64 column (a DataFrame's)
