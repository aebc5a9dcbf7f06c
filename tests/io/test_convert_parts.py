"""Parts of the conversion that stand for a slower form of the same: where ``pd.factorize``'s codes first
stand (``columns._first_places`` for ``np.unique``'s first indices) and Python's ``\\s`` spelt as a class of its
characters (``dates._SPACE``, so that pandas runs the date patterns in Arrow)."""

from __future__ import annotations

import re
import sys

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import columns, dates


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=60))
def test_first_places_are_uniques_first_indices(values: list[int]) -> None:
    codes = pd.factorize(np.array(values))[0]
    assert columns._first_places(codes).tolist() == np.unique(codes, return_index=True)[1].tolist()


def test_first_places_of_an_order_of_appearance() -> None:
    assert columns._first_places(np.array([0, 0, 1, 0, 2, 1, 3])).tolist() == [0, 2, 4, 6]
    assert columns._first_places(np.array([0])).tolist() == [0]
    assert columns._first_places(np.array([], dtype=np.int64)).tolist() == []


def test_space_class_is_pythons_white_space() -> None:
    pattern = re.compile(dates._SPACE)
    assert "\\" not in dates._SPACE              # no escape pandas would hand to Python's re
    chars = "".join(map(chr, range(sys.maxunicode + 1)))
    assert re.findall(pattern, chars) == re.findall(r"\s", chars)


def test_dates_with_any_white_space_around_their_parts() -> None:
    text = pd.Series(["2024\u3000年 3\x0b月\u20055日", "2024\x85/3/5", "2024\u2028.3.5", "2024年3月5号\t10:30",
                      "2024\u200b/3/5", "2024-3-5"], dtype="str")
    got = dates._parse_other_dates(text)
    assert got.tolist()[:4] == [pd.Timestamp("2024-03-05")] * 4
    assert pd.isna(got.iloc[4]) and got.iloc[5] == pd.Timestamp("2024-03-05")     # U+200B is not white space
