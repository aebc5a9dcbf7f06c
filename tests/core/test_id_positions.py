"""One hash of the customers' and last month's ids tells what the repeat check and the lookup told."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.network import NONE, UNKNOWN, id_positions, lookup
from branchkit.text import any_repeated

_cell = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "0012", "12", "", "客户"]))


def _ids(cells: list) -> pd.Series:
    return pd.Series(cells, dtype="str")


@settings(max_examples=80, deadline=None)
@given(st.lists(_cell, max_size=8), st.lists(_cell, max_size=12))
def test_the_repeat_and_the_positions_are_the_separate_checks(customers, previous):
    ids, prev = _ids(customers), _ids(previous)
    repeated, at = id_positions(ids, prev)
    assert repeated == any_repeated(ids)
    if not repeated:                      # positions are only read for a list without repeats
        np.testing.assert_array_equal(at, lookup(prev, pd.Index(ids.astype("str"))))


def test_positions_by_case():
    repeated, at = id_positions(_ids(["a", None, "b"]), _ids(["b", None, "x", "a", "b"]))
    assert not repeated
    assert at.tolist() == [2, NONE, UNKNOWN, 0, 2]


def test_one_missing_id_is_no_repeat_two_are():
    assert id_positions(_ids(["a", None]), _ids(["a"]))[0] is False
    assert id_positions(_ids(["a", None, None]), _ids(["a"]))[0] is True
    assert id_positions(_ids(["a", "b", "a"]), _ids([]))[0] is True


def test_only_missing_ids():
    repeated, at = id_positions(_ids([None]), _ids([None, None]))
    assert not repeated and at.tolist() == [NONE, NONE]


def test_without_previous_or_text_the_lookup_is_left_to_lookup():
    assert id_positions(_ids(["a", "a"]), None) == (True, None)
    assert id_positions(_ids(["a", "b"]), pd.Series([1, 2])) == (False, None)
    assert id_positions(pd.Series([1, 1]), _ids(["1"])) == (True, None)
