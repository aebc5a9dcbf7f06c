"""Text columns of few distinct values (``xlsxrows.repeated``): each distinct text's cell made once and
taken per row must give the same XML as every cell made on its own; the quick tests for text starting or
ending with white space, and for text holding a character to escape, must agree with the regular
expressions they stand in for."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import xlsxrows
from branchkit.io import xlsxtext
from branchkit.io.xlsxrows import concatenated, prepare, row_xml, xml_escape
from branchkit.io.xlsxtext import any_byte, any_edge_space

_EDGE_CHARS = " \t\n\x0b\x0c\r\u3000\u00a0a中&"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_EDGE_CHARS, max_size=4)), max_size=12), st.integers(0, 12),
       st.integers(0, 12))
def test_edge_space_agrees_with_the_regular_expression(texts, start, count):
    array = pa.array(texts, pa.large_string()).slice(start, count)      # a slice: its offsets start inside
    expected = bool(pc.any(pc.match_substring_regex(array, r"^\s|\s$")).as_py() or False)
    assert any_edge_space(array) is expected


def test_edge_space_is_told_by_the_first_or_last_byte_only():
    assert any_edge_space(pa.array(["a b", "中文", None, ""], pa.large_string())) is False
    assert any_edge_space(pa.array(["ab", "x\t"], pa.large_string())) is True
    assert any_edge_space(pa.array(["\nab", "x"], pa.large_string())) is True
    assert any_edge_space(pa.array(["\x0bab"], pa.large_string())) is False       # RE2's \s has no \v
    assert any_edge_space(pa.array(["\u3000ab"], pa.large_string())) is False     # ... nor wide spaces
    assert any_edge_space(pa.array([], pa.large_string())) is False


#: What xml_escape acts on (& < > _, control characters, U+FFFE, U+FFFF), their neighbours in UTF-8 (U+FFFD,
#: U+FFE5 and U+FF08 start EF BF / EF BC like U+FFFE; U+7F, tab, LF and CR are left alone) and plain text.
_ESCAPE_CHARS = "&<>_\x00\x08\x0b\x0c\x1f\ufffe\uffff\ufffd\uffe5\uff08\x7f\t\n\ra中"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_ESCAPE_CHARS, max_size=4)), max_size=12), st.integers(0, 12),
       st.integers(0, 12))
def test_special_bytes_agree_with_the_regular_expression(texts, start, count):
    array = pa.array(texts, pa.large_string()).slice(start, count)      # a slice: bytes outside it are not its
    expected = bool(pc.any(pc.match_substring_regex(array, xlsxrows._SPECIAL)).as_py() or False)
    assert any_byte(array, xlsxrows._SPECIAL_BYTES) is expected


@pytest.mark.parametrize(("text", "special"), [("\ufffe", True), ("\uffff", True), ("\ufffd", False),
                                                ("￥", False), ("（）", False), ("a_b", True), ("\x1f", True),
                                                ("\x7f", False), ("a\tb\r\n", False), ("", False)])
def test_special_bytes_tell_the_characters_to_escape_from_their_neighbours(text, special):
    assert any_byte(pa.array(["中文", text], pa.large_string()), xlsxrows._SPECIAL_BYTES) is special


def test_special_bytes_outside_a_slice_are_not_its():
    array = pa.array(["a&b", "plain", "x<y"], pa.large_string())
    assert any_byte(array.slice(1, 1), xlsxrows._SPECIAL_BYTES) is False
    assert any_byte(array.slice(1, 2), xlsxrows._SPECIAL_BYTES) is True
    assert any_byte(array.slice(1, 0), xlsxrows._SPECIAL_BYTES) is False


@pytest.mark.parametrize(("rows", "distinct", "coded"), [(16, 2, True), (16, 3, False), (24, 3, True),
                                                          (23, 3, False), (7, 1, False), (8, 1, True)])
def test_a_column_is_coded_at_one_distinct_value_in_eight_rows(rows, distinct, coded):
    values = pd.Series([f"v{i % distinct}" for i in range(rows)], dtype="str")
    column = prepare(values, "text", "A", 3)
    assert (column.codes is not None) is coded
    assert column.values.to_pylist() == values.tolist()
    if coded:
        assert sorted(column.words.to_pylist()) == [f"v{i}" for i in range(distinct)]


def _plain(column: xlsxrows.Column) -> xlsxrows.Column:
    """The same column made cell by cell (no codes), as every column was before."""
    return replace(column, values=xlsxrows.flat(column.values))


def _rows(count: int, first: int) -> pa.Array:
    return pa.array([str(first + i) for i in range(count)], pa.large_string())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([None, "", "城东支行", "a&b", " lead", "tail ", "<x>", "_x0041_", "\x01c"]),
                min_size=72, max_size=90),
       st.booleans(), st.booleans(), st.integers(0, 7))
def test_coded_cells_are_the_cells_made_one_by_one(texts, keep_blank, fmt_bool, cut):
    values = pd.Series([t in ("a&b", " lead") if t is not None else None for t in texts], dtype="boolean") \
        if fmt_bool else pd.Series(texts, dtype="str")
    column = prepare(values, "bool" if fmt_bool else "text", "B", 4)
    column.keep_blank = keep_blank
    assert column.codes is not None                         # at most 9 distinct texts in 72 rows or more
    plain = _plain(column)
    count = len(texts) - cut
    for a, b in ((column, plain), (column.slice(cut, count), plain.slice(cut, count))):
        rows = len(a.values)
        assert row_xml([a], _rows(rows, 5), 0, rows, '">').to_pylist() == \
            row_xml([b], _rows(rows, 5), 0, rows, '">').to_pylist()
    escaped = xml_escape(pa.array([None if t in (None, "") else t for t in texts], pa.large_string()))
    if not fmt_bool:
        assert column.values.to_pylist() == escaped.to_pylist()


def test_coded_cells_with_their_own_colours_are_made_one_by_one():
    values = pd.Series(["休", None] * 8, dtype="str")
    column = prepare(values, "text", "C", 7)
    column.styles = pa.array(["7", "9"] * 8, pa.large_string())
    got = bytes(concatenated(row_xml([column], _rows(16, 1), 0, 16, '">'))).decode()
    assert got.count('<c r="C2" s="9"/>') == 1 and got.count('t="inlineStr"><is><t>休</t>') == 8


def test_the_allocation_like_column_reads_the_same_through_every_chunk(monkeypatch):
    monkeypatch.setattr(xlsxrows, "CHUNK_ROWS", 7)
    branches = pd.Series(np.array(["城东支行", "城西支行", None, " 南区"], dtype=object)[np.arange(50) % 4],
                         dtype="str")
    column = prepare(branches, "text", "A", 2)
    assert column.codes is not None
    coded = b"".join(bytes(c) for c in xlsxrows.row_chunks([column], 0, 50))
    plain = b"".join(bytes(c) for c in xlsxrows.row_chunks([_plain(column)], 0, 50))
    assert coded == plain
    assert coded.count(b'<t xml:space="preserve"> \xe5\x8d\x97\xe5\x8c\xba</t>') == 12


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 25, 26, 63, 64, 70, 701, 702]),
                          st.one_of(st.none(), st.text("{}0ab&<\x00中 ", max_size=6)), st.integers(0, 40)),
                max_size=5),
       st.integers(0, 1_048_575), st.sampled_from([None, 14.25, 30.0]))
def test_a_row_template_gives_the_row_made_on_its_own(cells, top, height):
    """A header or title made once and placed at many rows: the same bytes as ``text_row`` at that row
    (braces, NUL, text like the row number's place, columns past the looked-up letters)."""
    assert xlsxrows.row_template(cells, height)(top) == xlsxrows.text_row(top, cells, height)


def test_a_row_template_numbers_every_cell_of_its_row():
    template = xlsxrows.row_template([(0, "{0}", 1), (64, None, 2)], 20.0)
    assert template(9) == (b'<row r="10" ht="20" customHeight="1"><c r="A10" s="1" t="inlineStr"><is>'
                           b'<t xml:space="preserve">{0}</t></is></c><c r="BM10" s="2"/></row>')


def test_a_column_is_judged_on_its_first_rows_before_it_is_hashed_whole(monkeypatch):
    """Different texts in the first rows (ids): written cell by cell, though later rows repeat; the
    same first rows but many texts later: cell by cell too. Either way the same bytes."""
    monkeypatch.setattr(xlsxtext, "GLANCE", 16)
    ids = pd.Series([f"C{i}" for i in range(16)] + ["x"] * 200, dtype="str")
    later = pd.Series(["x"] * 16 + [f"C{i}" for i in range(200)], dtype="str")
    few = pd.Series(["x", "y"] * 108, dtype="str")
    assert prepare(ids, "text", "A", 1).codes is None
    assert prepare(later, "text", "A", 1).codes is None
    assert prepare(few, "text", "A", 1).codes is not None
    for values in (ids, later):
        column = prepare(values, "text", "A", 1)
        assert column.values.to_pylist() == values.tolist()


def test_a_flag_column_is_words_with_nulls_as_blank_cells():
    from branchkit.io.xlsxrows import prepare

    flags = pd.Series([True, False, None, True] * 10, dtype="boolean")
    column = prepare(flags, "bool", "C", 4, words=("Yes", "No"))
    assert column.values.to_pylist() == ["Yes", "No", None, "Yes"] * 10
    assert column.words is not None and sorted(column.words.to_pylist()) == ["No", "Yes"]
    assert column.words.take(column.codes).to_pylist() == column.values.to_pylist()
