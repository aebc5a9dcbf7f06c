"""``display.rounded`` on the column types tables hold (it runs in numpy now): values, index and name kept."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from branchkit.io.display import rounded


def test_money_rounds_half_up_on_the_decimal_value_and_never_shows_minus_zero():
    out = rounded(pd.Series([1.005, -2.345, -0.001, 2.5, np.nan], index=[3, 1, 4, 1, 5], name="pay"), "money")
    assert out.tolist()[:4] == [1.01, -2.35, 0.0, 2.5] and math.isnan(out.iloc[4])
    assert not np.signbit(out.iloc[2])
    assert list(out.index) == [3, 1, 4, 1, 5] and out.name == "pay" and out.dtype == "float64"


def test_ratio_keeps_four_decimals_and_number_is_not_rounded():
    values = pd.Series([0.123449, 0.12345, 1 / 3])
    assert rounded(values, "ratio").tolist() == [0.1234, 0.1235, 0.3333]
    assert rounded(values, "number").tolist() == values.tolist()


def test_nullable_text_and_bool_columns_become_floats_with_nan_for_missing():
    assert rounded(pd.Series([1, None], dtype="Int64"), "money").tolist()[0] == 1.0
    assert math.isnan(rounded(pd.Series([1, None], dtype="Int64"), "money").iloc[1])
    text = rounded(pd.Series(["1.255", "x", None], dtype="str"), "score")
    assert text.iloc[0] == 1.26 and text.iloc[1:].isna().all()
    assert rounded(pd.Series([True, False]), "score").tolist() == [1.0, 0.0]


def test_a_huge_amount_overflows_to_inf_without_a_warning(recwarn):
    assert rounded(pd.Series([1e308, -1e308]), "money").tolist() == [math.inf, -math.inf]
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
