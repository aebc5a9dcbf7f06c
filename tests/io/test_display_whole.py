"""``machine_columns``' int and bool columns: integer columns are taken as they are, others converted;
the values, missing cells, dtype, index and name are those of the general conversion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from branchkit.io.display import machine_columns
from branchkit.io.tables import Table


def _reference(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def _int_column(values: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"n": values})
    return machine_columns(Table("t", frame, "表", "Table", formats={"n": "int"}), mask=False)["n"]


@given(st.lists(st.integers(-2**62, 2**62), max_size=8))
def test_int64_column_is_taken_as_nullable_integers(numbers):
    values = pd.Series(np.asarray(numbers, dtype="int64"), index=pd.RangeIndex(3, 3 + len(numbers)), name="n")
    got = _int_column(values)
    pd.testing.assert_series_equal(got, _reference(values))
    assert got.dtype == "Int64" and not got.isna().any() and got.tolist() == numbers


@pytest.mark.parametrize("values", [
    pd.Series(pd.array([1, None, -7], dtype="Int64")),
    pd.Series([1.5, 2.5, np.nan, -0.4]),                   # rounded half to even, as before; NaN missing
    pd.Series(["12", "x", None], dtype=object),            # text that is not a number: missing
    pd.Series([], dtype="int64"),
])
def test_other_int_columns_convert_as_before(values):
    got = _int_column(values.rename("n"))
    pd.testing.assert_series_equal(got, _reference(values.rename("n")))
    assert got.dtype == "Int64"


def test_the_values_of_mixed_columns():
    assert _int_column(pd.Series([1.5, 2.5, np.nan])).tolist() == [2, 2, pd.NA]
    assert _int_column(pd.Series(["12", "x"], dtype=object)).tolist() == [12, pd.NA]


def test_bool_column_stays_boolean_or_is_converted():
    frame = pd.DataFrame({"a": pd.array([True, None], dtype="boolean"), "b": [True, False]})
    out = machine_columns(Table("t", frame, "表", "Table", formats={"a": "bool", "b": "bool"}), mask=False)
    assert out["a"].dtype == "boolean" and out["a"].tolist() == [True, pd.NA]
    assert out["b"].dtype == "boolean" and out["b"].tolist() == [True, False]
