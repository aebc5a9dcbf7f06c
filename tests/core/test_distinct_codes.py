"""``distinct_codes`` and ``code_positions``: np.unique and np.searchsorted of small integer codes by a count
and a table over their range (the allocation tables' branches)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from branchkit.core.network import code_positions, distinct_codes

_CODES = st.lists(st.integers(min_value=-3, max_value=60), max_size=200).map(lambda v: np.array(v, dtype="int64"))


@given(_CODES)
def test_distinct_codes_are_np_unique(values):
    out = distinct_codes(values)
    assert out.dtype == values.dtype
    np.testing.assert_array_equal(out, np.unique(values))


@given(_CODES)
def test_code_positions_are_the_binary_search(values):
    distinct = np.unique(values)
    np.testing.assert_array_equal(code_positions(distinct, values), np.searchsorted(distinct, values))


def test_gaps_and_negative_codes():
    values = np.array([7, -1, 3, 7, 3, -1, 12], dtype="int64")
    distinct = distinct_codes(values)
    assert distinct.tolist() == [-1, 3, 7, 12]
    assert code_positions(distinct, values).tolist() == [2, 0, 1, 2, 1, 0, 3]


def test_empty_and_single():
    empty = np.zeros(0, dtype="int64")
    assert distinct_codes(empty).tolist() == []
    assert code_positions(empty, empty).tolist() == []
    one = np.array([5, 5], dtype="int64")
    assert distinct_codes(one).tolist() == [5]
    assert code_positions(distinct_codes(one), one).tolist() == [0, 0]
