"""The package scan's byte comparisons by numpy: a tag counted as bytes.count counts it, wherever the pieces
compared are cut; odd cell tags and wide references found as the rules (regular expressions) say."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import xlsxshape
from branchkit.io.xlsxshape import _beyond, _odd_cell, _wide, literal_hits

from tests.io.test_xlsxshape_bound import _beyond_spec


@pytest.mark.parametrize("at", [4, 5, 6, 7, 8, 9])       # </c> ends before, on and after the cut at 8
def test_a_tag_across_a_piece_boundary_is_counted_once(monkeypatch, at):
    monkeypatch.setattr(xlsxshape, "_PIECE", 8)
    block = b"x" * (at - 4) + b"</c>" + b"y" * 20
    assert literal_hits(block, b"</c>") == 1
    assert literal_hits(block, b"</c>", first=True) == 1


@pytest.mark.parametrize("block, hits", [(b"", 0), (b"</c", 0), (b"</c>", 1), (b"</c></c>", 2), (b"<</c>>", 1),
                                         (b"</C>", 0), (b"<f<f", 2)])
def test_short_blocks(block, hits):
    assert literal_hits(block, b"</c>" if b"<f" not in block else b"<f") == hits


def test_first_stops_at_one(monkeypatch):
    monkeypatch.setattr(xlsxshape, "_PIECE", 4)
    assert literal_hits(b"<f" * 10, b"<f") == 10
    assert literal_hits(b"<f" * 10, b"<f", first=True) == 1
    assert literal_hits(b"x" * 30 + b"<", b"<f", first=True) == 0


@settings(max_examples=200, deadline=None)
@given(block=st.binary(max_size=60).map(lambda b: bytes(b"</c>f"[x % 5] for x in b)),
       piece=st.integers(1, 20), pattern=st.sampled_from([b"</c>", b"<f", b"<"]))
def test_counts_as_bytes_count(block, piece, pattern):
    original = xlsxshape._PIECE
    xlsxshape._PIECE = piece
    try:
        assert literal_hits(block, pattern) == block.count(pattern)
        assert literal_hits(block, pattern, first=True) == min(1, block.count(pattern))
    finally:
        xlsxshape._PIECE = original


@pytest.mark.parametrize("block, odd", [(b'<c r="A1">', False), (b'<c s="1" r="A1">', True), (b"<c>", True),
                                        (b"<c/>", False), (b"<col>", False), (b"<c\x0br", True), (b"<c", False),
                                        (b"<c ", True), (b'<c r="', False), (b"<c r=", True), (b"<c\x1c", False),
                                        (b'<c  r="A1">', True), (b'<cr="A1"><c\tr="B1">', True)])
def test_an_odd_cell_tag_is_one_whose_first_attribute_is_not_its_reference(block, odd):
    assert _odd_cell(block) is odd


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from([b"<c", b" ", b"r", b"=", b'"', b">", b"\t", b"\n", b"\x0b", b"\x0c",
                                       b"\r", b"\x1c", b"<col", b"x"]), max_size=12))
def test_odd_cells_are_the_rule(parts):
    block = b"".join(parts)
    assert _odd_cell(block) == (re.search(rb'<c(?=[\s>])(?! r=")', block) is not None)


def _wide_spec(block: bytes) -> bool:
    """The rule as a regular expression and a look at the byte before each match."""
    return any(m.start() > 0 and block[m.start() - 1] in b" \t\r\n"
               for m in re.finditer(rb'r="(?:[A-Za-z]{2}|[A-Za-z]+[0-9]{6})', block))


@pytest.mark.parametrize("block, wide", [(b' r="AB1"', True), (b' r="A99999"', False), (b' r="A100000"', True),
                                         (b' r="a123456"', True), (b'xmlns:r="http://x"', False), (b'r="AB1"', False),
                                         (b'\tr="ZZ"', True), (b'\x0cr="ZZ"', False), (b' r="A12345', False),
                                         (b' r="1AB"', False), (b'<row r="150000">', False)])
def test_a_wide_reference_has_two_letters_or_six_digits_after_white_space(block, wide):
    assert _wide(block) is wide


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from([b'r="', b" ", b"\t", b"\n", b"\x0c", b"A", b"z", b"1", b"0", b"123456",
                                       b"12345", b":", b'"', b"@", b"AB"]), max_size=12))
def test_wide_blocks_are_the_rule(parts):
    block = b"".join(parts)
    assert _wide(block) == _wide_spec(block)


@pytest.mark.parametrize("at", range(0, 12))          # the reference before, across and after a piece's end
def test_a_wide_reference_is_found_in_any_piece(monkeypatch, at):
    monkeypatch.setattr(xlsxshape, "_PIECE", 8)
    block = b"x" * at + b' r="AB1"' + b"y" * 9
    assert _wide(block) is True
    assert _wide(b"x" * at + b' r="A99999"' + b' r="B1"') is False


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from([b'r="', b'<c r="', b"<c", b" ", b"\t", b"A", b"z", b"1", b"0",
                                       b"123456", b'"', b"AB", b">"]), max_size=16),
       piece=st.integers(1, 16))
def test_the_rules_hold_wherever_the_pieces_are_cut(parts, piece):
    block = b"".join(parts)
    original = xlsxshape._PIECE
    xlsxshape._PIECE = piece
    try:
        assert _wide(block) == _wide_spec(block)
        assert _odd_cell(block) == (re.search(rb'<c(?=[\s>])(?! r=")', block) is not None)
        assert _beyond(block, 150_002) == _beyond_spec(block, 150_002)
    finally:
        xlsxshape._PIECE = original
