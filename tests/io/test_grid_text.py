"""A column of cells as Arrow text (``grid._text``): one UTF-8 encoding of the cells joined by NUL gives what
``pa.array(cells, type=pa.string())`` gives, and the columns it cannot tell apart go that way instead."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import grid
from branchkit.io.grid import _joined_text, _text


def _cells(values: list) -> np.ndarray:
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    return cells


def _arrow(cells: np.ndarray) -> pa.Array | None:
    try:
        return pa.array(cells, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=40))
def test_joined_text_is_arrows_conversion(values: list[str]) -> None:
    cells = _cells(values)
    expected = pa.array(cells, type=pa.string())
    got = _text(cells)
    assert got.equals(expected) and got.null_count == 0
    assert got.to_pylist() == values
    if not any("\x00" in v for v in values):
        assert _joined_text(cells) is not None        # the joined way was the one taken


@pytest.mark.parametrize("values", [
    ["a", "b\x00c", ""],            # a NUL within a cell: the joins cannot be told apart
    ["\x00"], ["", "\x00", ""],
    ["姓名", 1.5], [3.0, "x"], ["a", None], [None], ["a", True],
    [],
])
def test_columns_the_join_cannot_take_go_through_arrow(values: list) -> None:
    cells = _cells(values)
    assert _joined_text(cells) is None
    expected = _arrow(cells)
    got = _text(cells)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert got.equals(expected)


def test_a_lone_surrogate_fails_as_in_arrow() -> None:
    cells = _cells(["ok", "\ud800"])         # no UTF-8 for it (calamine's text is UTF-8: never read)
    assert _joined_text(cells) is None
    with pytest.raises(UnicodeEncodeError):
        pa.array(cells, type=pa.string())
    with pytest.raises(UnicodeEncodeError):
        _text(cells)


def test_cells_with_nul_keep_their_text() -> None:
    assert _text(_cells(["a\x00b", "c"])).to_pylist() == ["a\x00b", "c"]
    assert _text(_cells(["", ""])).to_pylist() == ["", ""]
    assert _text(_cells([""])).to_pylist() == [""]
    assert _text(_cells(["中文", "", "x"])).to_pylist() == ["中文", "", "x"]


@pytest.mark.parametrize("limit, joined", [(9, True), (8, True), (7, False)])
def test_text_past_the_offsets_bound_goes_through_arrow(monkeypatch, limit: int, joined: bool) -> None:
    """8 bytes of text: at and under ``_TEXT_BYTES`` joined, over it converted by Arrow (same array)."""
    monkeypatch.setattr(grid, "_TEXT_BYTES", limit)
    cells = _cells(["ab", "中文", ""])          # 2 + 6 + 0 = 8 bytes
    assert (_joined_text(cells) is not None) == joined
    assert _text(cells).to_pylist() == ["ab", "中文", ""]
