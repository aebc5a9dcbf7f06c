"""``ordered.take_rows``: rows of a chunked Arrow column taken chunk by chunk, in the order asked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.ordered import take_frame, take_rows


def _chunked(sizes: list[int]) -> pd.api.extensions.ExtensionArray:
    values, start = [], 0
    for size in sizes:
        values.append(pa.array([f"v{i}" if i % 5 else None for i in range(start, start + size)], pa.large_string()))
        start += size
    return pd.arrays.ArrowStringArray(pa.chunked_array(values, pa.large_string()),
                                      dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def test_rows_across_chunks_come_back_in_the_order_asked() -> None:
    values = _chunked([3, 4, 5])                       # chunks start at 0, 3, 7
    rows = np.array([11, 0, 3, 2, 7, 3, 6])            # each chunk's first and last row, one twice
    out = take_rows(values, rows)
    assert list(pd.Series(out).fillna("<null>")) == ["v11", "<null>", "v3", "v2", "v7", "v3", "v6"]
    assert out.dtype == values.dtype


def test_one_chunk_an_empty_take_and_a_numpy_column_are_plain_takes() -> None:
    one = _chunked([6])
    assert list(pd.Series(take_rows(one, np.array([4, 1]))).fillna("")) == ["v4", "v1"]
    assert len(take_rows(_chunked([2, 2]), np.array([], dtype="int64"))) == 0
    numbers = pd.Series([1.5, 2.5, 3.5]).array
    assert list(take_rows(numbers, np.array([2, 0]))) == [3.5, 1.5]


def test_a_frame_keeps_its_dtypes_and_gets_a_fresh_index() -> None:
    frame = pd.DataFrame({"t": _chunked([2, 3]), "x": np.arange(5.0)}, index=range(10, 15))
    out = take_frame(frame, np.array([4, 1]))
    assert list(out.index) == [0, 1] and out.dtypes.to_dict() == frame.dtypes.to_dict()
    assert list(out["x"]) == [4.0, 1.0] and list(out["t"].fillna("")) == ["v4", "v1"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.data())
def test_the_same_as_the_joined_columns_take(sizes, data) -> None:
    values = _chunked(sizes)
    rows = np.array(data.draw(st.lists(st.integers(0, sum(sizes) - 1), max_size=20)), dtype="int64")
    expected = pd.Series(values.take(rows)).fillna("<null>").tolist()
    assert pd.Series(take_rows(values, rows)).fillna("<null>").tolist() == expected
