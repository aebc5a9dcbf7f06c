"""Last month naming two different keepers for one customer makes it ambiguous (``core.keeping``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.keeping import _named_by_two


def _prev(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"_at": np.array([r[0] for r in rows], dtype="int64"),
                         "keeper": pd.array([r[1] for r in rows], dtype="str")})


def test_two_keepers_one_keeper_twice_and_once():
    prev = _prev([(0, "k1"), (2, "k1"), (2, "k2"), (3, "k4"), (3, "k4"), (5, "k9")])
    assert _named_by_two(prev, 6).tolist() == [2]            # 3: the same keeper twice is no doubt


def test_nobody_twice():
    assert _named_by_two(_prev([(1, "a"), (0, "b")]), 2).tolist() == []
    assert _named_by_two(_prev([]), 0).tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["a", "b", "c"])), max_size=40))
def test_equals_counting_distinct_keepers_per_customer(rows):
    prev = _prev(rows)
    count = prev.groupby("_at")["keeper"].nunique()
    assert sorted(_named_by_two(prev, 10).tolist()) == sorted(count.index[count > 1].tolist())
