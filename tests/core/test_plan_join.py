"""core.plan.joined_per_group: a groupby's distinct texts joined, as the Python aggregate did them."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.plan import joined_per_group


def _reference(values: pd.Series) -> str | None:
    """The aggregate it replaces, run per group."""
    texts = list(dict.fromkeys(str(v) for v in values if pd.notna(v)))
    return "；".join(texts) if texts else None


def _both(frame: pd.DataFrame, dropna: bool) -> tuple[list, list]:
    grouped = frame.groupby(["a", "b"], sort=False, dropna=dropna)
    expected = grouped["v"].agg(_reference).tolist()
    got = joined_per_group(frame["v"], grouped.ngroup(), grouped.ngroups).tolist()
    return [None if pd.isna(x) else x for x in got], [None if pd.isna(x) else x for x in expected]


keys = st.sampled_from(["x", "y", None])
texts = st.sampled_from(["走访", "电话", "走访；电话", "", None])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(keys, keys, texts), min_size=0, max_size=30), st.booleans())
def test_equals_the_python_aggregate_per_group(rows, dropna):
    frame = pd.DataFrame(rows, columns=["a", "b", "v"]).astype("str")
    got, expected = _both(frame, dropna)
    assert got == expected


def test_distinct_in_first_seen_order_and_missing_where_none():
    frame = pd.DataFrame({"a": ["m1", "m1", "m1", "m2", "m2", "m3"], "b": ["c", "c", "c", "c", "c", "c"],
                          "v": ["电话", "走访", "电话", None, None, "走访"]}, dtype="str")
    grouped = frame.groupby(["a", "b"], sort=False)
    got = joined_per_group(frame["v"], grouped.ngroup(), grouped.ngroups)
    assert got.iloc[0] == "电话；走访" and pd.isna(got.iloc[1]) and got.iloc[2] == "走访"


def test_rows_without_a_group_are_left_out():
    frame = pd.DataFrame({"a": ["m1", None, "m1"], "b": ["c", "c", "c"], "v": ["甲", "乙", "丙"]}, dtype="str")
    grouped = frame.groupby(["a", "b"], sort=False)          # dropna: the row without a manager has group -1
    assert joined_per_group(frame["v"], grouped.ngroup(), grouped.ngroups).tolist() == ["甲；丙"]
