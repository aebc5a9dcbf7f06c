"""CSV cell text of numbers and flags: the vectorised formatting equals per-value formatting."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io.display import csv_text, rounded


def _reference(values: pd.Series, fmt: str) -> list[str]:
    spec = {"money": ".2f", "score": ".2f", "ratio": ".4f"}
    out = []
    for v in values:
        if pd.isna(v):
            out.append("")
        elif fmt == "number":
            out.append(format(float(v), ".12g"))
        elif fmt == "bool":
            out.append("true" if v else "false")
        else:
            out.append(format(v, spec[fmt]))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9)),
                max_size=30),
       st.sampled_from(["money", "score", "ratio", "number"]))
def test_numbers_format_as_one_by_one(values, fmt):
    series = rounded(pd.Series([float(v) for v in values], dtype="float64"), fmt)
    assert csv_text(series, fmt).tolist() == _reference(series, fmt)


def test_edges_negative_zero_large_and_flags():
    money = pd.Series([-0.0, -1.005, 0.1, 12345678.9, 1e15, -3e20, math.inf, np.nan, 5.0])
    assert csv_text(money, "money").tolist() == _reference(money, "money")
    flags = pd.Series([True, False, None], dtype="boolean")
    assert csv_text(flags, "bool").tolist() == ["true", "false", ""]


def test_values_under_one_keep_a_leading_zero_and_every_decimal():
    # The point goes before the last ``decimals`` digits of the scaled integer, padded to one digit more:
    # 1 ten-thousandth is "0.0001", not ".0001" or "0.001".
    ratios = pd.Series([0.0001, 0.001, 0.01, 0.1, -0.0001, -0.0012, 9.9999, 0.0, 12.5])
    assert csv_text(ratios, "ratio").tolist() == ["0.0001", "0.0010", "0.0100", "0.1000", "-0.0001", "-0.0012",
                                                  "9.9999", "0.0000", "12.5000"]
    money = pd.Series([0.01, -0.05, 0.5, 100.0, -1234.56, np.nan])
    assert csv_text(money, "money").tolist() == ["0.01", "-0.05", "0.50", "100.00", "-1234.56", ""]
