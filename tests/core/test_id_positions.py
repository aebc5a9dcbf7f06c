"""One hash of the customers' and last month's ids tells what the repeat check and the lookup told."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.network import NONE, UNKNOWN, id_positions, lookup
from branchkit.text import DIGIT_KEY_LENGTH, _arrow_text, any_repeated, digit_keys, digit_positions, joint_codes

_cell = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "0012", "12", "", "客户"]))


def _ids(cells: list) -> pd.Series:
    return pd.Series(cells, dtype="str")


@settings(max_examples=40, deadline=None)
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


_id = st.one_of(st.none(), st.sampled_from(["", "0", "00", "012", "12", "0012", "客户", "12a"]),
                st.text("0123456789", min_size=1, max_size=18))


@settings(max_examples=40, deadline=None)
@given(st.lists(_id, max_size=10), st.lists(_id, max_size=10))
def test_joint_codes_equal_exactly_where_the_texts_are(first, second):
    own, theirs, distinct = joint_codes(_ids(first), _ids(second))
    cells, codes = first + second, np.concatenate([own, theirs]).tolist()
    assert all(c < distinct for c in codes)
    for i, a in enumerate(cells):
        assert (codes[i] == -1) == (a is None)
        for j, b in enumerate(cells):
            if a is not None and b is not None:
                assert (codes[i] == codes[j]) == (a == b)


def _digits(*cells) -> object:
    return digit_keys(pa.array(cells, type=pa.large_string()))


def test_digit_keys_up_to_the_length_bound():
    assert DIGIT_KEY_LENGTH == 17
    under, at = _digits("9" * 16, "0" * 16), _digits("9" * 17, "0" * 17, "0" * 16)
    assert under is not None and len(set(under[0].tolist())) == 2
    assert at is not None and len(set(at[0].tolist())) == 3
    assert _digits("9" * 18) is None                   # over: 10**18 + value would leave int64
    assert _digits("1", "9" * 18) is None


def test_digit_keys_keep_leading_zeros_and_missing_apart():
    keys, missing = _digits("012", "12", None, "0", "00", "12")
    assert keys[1] == keys[5] and len({keys[0], keys[1], keys[2], keys[3], keys[4]}) == 5
    assert missing.tolist() == [False, False, True, False, False, False]


def test_digit_keys_only_for_digit_text():
    assert _digits("12", "") is None
    assert _digits("12", "１２") is None              # full-width digits are not ASCII
    assert _digits("12", " 12") is None
    assert _digits(None, None) is None
    assert digit_keys(pa.chunked_array([["1"], ["2", None]]), pa.array(["01"]))[0].tolist() == [11, 12, 1, 101]


_digit_id = st.one_of(st.none(), st.sampled_from(["0", "00", "012", "12", "0012", "9" * 17]))


@settings(max_examples=40, deadline=None)
@given(st.lists(_digit_id, max_size=8), st.lists(_digit_id, max_size=10))
def test_digit_ids_give_what_the_text_gives(customers, previous):
    """Digit ids go by digit_positions' hash of the keys; the answers are the factorisation's (other text)."""
    ids, prev = _ids(customers), _ids(previous)
    repeated, at = id_positions(ids, prev)
    assert repeated == any_repeated(ids) == _ids(customers).duplicated().any()
    assert any_repeated(ids, missing=False) == ids.dropna().duplicated().any()
    if not repeated:
        np.testing.assert_array_equal(at, lookup(prev, pd.Index(ids.astype("str"))))
    found = digit_positions(ids, prev)
    if ids.dropna().duplicated().any() or digit_keys(_arrow_text(ids)) is None or digit_keys(_arrow_text(prev)) is None:
        assert found is None
    else:
        where, missing = found
        assert missing == ids.isna().sum()
        assert where.tolist() == [-1 if p is None or p not in customers else customers.index(p) for p in previous]


def test_digit_positions_by_case():
    where, missing = digit_positions(_ids(["012", None, "12"]), _ids(["12", None, "0012", "012"]))
    assert where.tolist() == [2, -1, -1, 0] and missing == 1
    assert digit_positions(_ids(["012", "012"]), _ids(["012"])) is None      # a present id repeats
    assert digit_positions(_ids(["012", None, None]), _ids(["012"]))[1] == 2  # two missing: no present repeat
    assert digit_positions(_ids(["012", "a"]), _ids(["012"])) is None        # not every id is digits
    assert id_positions(_ids(["012", None, None]), _ids(["012", None]))[0] is True
