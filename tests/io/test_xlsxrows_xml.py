"""The row XML of ``xlsxrows.row_xml``, exactly: every kind of column (numbers, text, empty boxes,
cells left out, coloured cells, a box kept where the value is missing) in one join, against the cells
written one at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io.xlsxrows import RowStream, concatenated, prepare, row_chunks, row_xml


def _cell(letter: str, row: int, value, style: int, kind: str, keep_blank: bool = False,
          cell_style: int | None = None) -> str:
    """One cell the slow way: what the writer must produce."""
    s = style if cell_style is None else cell_style
    ref = f'<c r="{letter}{row}" s="{s}"'
    if kind == "blank" or value is None:
        return ref + "/>" if (kind == "blank" or keep_blank or s != style) else ""
    if kind == "number":
        return f"{ref}><v>{value}</v></c>"
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f'{ref} t="inlineStr"><is><t{space}>{value}</t></is></c>'


def _rows(count: int, first: int) -> pa.Array:
    return pa.array([str(first + i) for i in range(count)], pa.large_string())


def test_every_kind_of_cell_in_one_row_element():
    text = prepare(pd.Series(["a", None, " b", "c "], dtype="str"), "text", "A", 3)
    money = prepare(pd.Series([1.5, np.nan, 2.0, 1e20]), "money", "B", 4)
    boxed = prepare(pd.Series([None, "x", None, "y"], dtype="str"), "text", "C", 5)
    boxed.keep_blank = True
    empty = prepare(pd.Series([None] * 4, dtype="str"), "text", "D", 6)
    empty.kind = "blank"
    coloured = prepare(pd.Series(["休", None, None, "班"], dtype="str"), "text", "E", 7)
    coloured.styles = pa.array(["7", "9", "7", "9"], pa.large_string())
    columns = [text, money, boxed, empty, coloured]
    got = row_xml(columns, _rows(4, 10), 0, 4, '">').to_pylist()
    expected = [
        '<row r="10">' + _cell("A", 10, "a", 3, "text") + _cell("B", 10, "1.5", 4, "number")
        + _cell("C", 10, None, 5, "text", True) + _cell("D", 10, None, 6, "blank")
        + _cell("E", 10, "休", 7, "text", cell_style=7) + "</row>",
        '<row r="11">' + _cell("C", 11, "x", 5, "text", True) + _cell("D", 11, None, 6, "blank")
        + _cell("E", 11, None, 7, "text", cell_style=9) + "</row>",
        '<row r="12">' + _cell("A", 12, " b", 3, "text") + _cell("B", 12, "2", 4, "number")
        + _cell("C", 12, None, 5, "text", True) + _cell("D", 12, None, 6, "blank") + "</row>",
        '<row r="13">' + _cell("A", 13, "c ", 3, "text") + _cell("B", 13, "1e+20", 4, "number")
        + _cell("C", 13, "y", 5, "text", True) + _cell("D", 13, None, 6, "blank")
        + _cell("E", 13, "班", 7, "text", cell_style=9) + "</row>",
    ]
    assert got == expected
    assert '<c r="B11"' not in got[1] and '<c r="A11"' not in got[1]        # missing values: no cell
    assert '<c r="E12"' not in got[2]                                       # no value, own colour: no cell


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text("ab &<", max_size=4)),
                          st.one_of(st.none(), st.integers(-5, 5))), min_size=1, max_size=30),
       st.integers(0, 5), st.integers(1, 7))
def test_a_slice_of_rows_is_the_same_whatever_the_chunks(values, top, chunk):
    texts = pd.Series([t for t, _ in values], dtype="str")
    numbers = pd.Series([np.nan if n is None else float(n) for _, n in values])
    columns = [prepare(texts, "text", "A", 1), prepare(numbers, "int", "B", 2)]
    count = len(values)
    whole = bytes(concatenated(row_xml(columns, _rows(count, top + 1), 0, count, '">')))
    assert b"".join(bytes(c) for c in row_chunks(columns, top, count)) == whole
    stream = RowStream(columns, np.arange(top, top + count))
    pieces = b"".join(stream.take(i, min(chunk, count - i)) for i in range(0, count, chunk))
    assert pieces == whole
    expected = "".join(f'<row r="{top + 1 + i}">' + _cell("A", top + 1 + i, None if t in (None, "") else
                       t.replace("&", "&amp;").replace("<", "&lt;"), 1, "text")
                       + _cell("B", top + 1 + i, None if n is None else str(n), 2, "number") + "</row>"
                       for i, (t, n) in enumerate(values))
    assert whole.decode("utf-8") == expected


@pytest.mark.parametrize("chunk", [1, 3, 4, 7, 50])
def test_row_stream_and_row_chunks_across_chunk_edges(monkeypatch, chunk):
    """Pages taken across the edges of the stream's chunks (the next chunk made in a worker), at an
    edge, just before and just after it, then going back: each the same bytes as one whole join."""
    from branchkit.io import xlsxrows

    monkeypatch.setattr(xlsxrows, "CHUNK_ROWS", chunk)
    values = pd.Series([f"v{i} & <{i}>" if i % 5 else None for i in range(23)], dtype="str")
    columns = [prepare(values, "text", "A", 1), prepare(pd.Series(range(23), dtype="float64"), "int", "B", 2)]
    numbers = np.arange(3, 3 + 2 * 23, 2)                   # rows placed apart, as on a book's pages
    whole = RowStream(columns, numbers)._build(0, 23)
    rows = [bytes(concatenated(whole.slice(i, 1))) for i in range(23)]
    stream = RowStream(columns, numbers)
    for start, count in [(0, 3), (3, 1), (4, 4), (8, 15), (2, 19), (0, 23), (22, 1), (5, 0)]:
        assert stream.take(start, count) == b"".join(rows[start:start + count])
    assert b"".join(bytes(c) for c in row_chunks(columns, 9, 23)) == bytes(
        concatenated(row_xml(columns, _rows(23, 10), 0, 23, '">')))
