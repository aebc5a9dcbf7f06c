"""UTF-8 without quotes is not checked before Arrow's parse: the parse checks every cell, and every other
byte is an ASCII delimiter or line end, so a parse that succeeds proves the whole file UTF-8. Whatever the
bytes, the grid is the one of the bytes checked first."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.errors import InputError
from branchkit.io import csvread
from branchkit.io.csvread import read_csv_grid

# pieces of UTF-8 characters (the halves of 中, a lone lead or continuation byte), GBK, delimiters, line ends
_PIECES = [b"a", b"1", b",", b"\n", b"\r\n", "中".encode(), b"\xe4", b"\xb8\xad", b"\xd6\xd0", b"\x80", b'"', b" "]


def _checked(data: bytes):
    """The grid as read with the whole file's UTF-8 checked first (the way a quoted file is read)."""
    try:
        return csvread._read(data, "a.csv", csvread._valid_utf8(data), proven_by_arrow=False)
    except InputError as error:
        return error


def _same(got, want) -> None:
    if isinstance(want, InputError):
        assert isinstance(got, InputError) and str(got) == str(want)
        return
    assert (got.encoding, got.notes, got.remarks, got.problems) == (want.encoding, want.notes, want.remarks,
                                                                    want.problems)
    pd.testing.assert_frame_equal(got.frame, want.frame)


def _read(data: bytes):
    try:
        return read_csv_grid(data, "a.csv")
    except InputError as error:
        return error


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.booleans())
def test_unchecked_utf8_reads_as_checked_utf8(pieces, bom):
    data = (b"\xef\xbb\xbf" if bom else b"") + "客户号,名称\n".encode() + b"".join(pieces)
    _same(_read(data), _checked(data))


_REPLACED = "gb18030 (with undecodable bytes replaced)"


@pytest.mark.parametrize("data, encoding", [
    ("客户号,名称\n1,中\n".encode(), "utf-8"),                          # proven by the parse
    ("客户号,名称\n1,x".encode() + b"\xe4\n2,\xb8\xad\n", _REPLACED),       # a character split over two rows
    ("客户号,名称\n1,".encode("gb18030") + "中".encode("gb18030") + b"\n", "gb18030"),    # GBK, not UTF-8
    ("客户号,名称\n1,\"x".encode() + b"\xe4\"\xb8\xad\n", _REPLACED),       # quote inside a character: checked first
])
def test_only_a_parse_of_utf8_cells_without_quotes_skips_the_check(data, encoding, monkeypatch):
    checks = []
    valid = csvread._valid_utf8
    monkeypatch.setattr(csvread, "_valid_utf8", lambda b: checks.append(1) or valid(b))
    grid = read_csv_grid(data, "a.csv")
    assert grid.encoding == encoding
    assert checks == ([] if encoding == "utf-8" else [1])
    _same(grid, _checked(data))


def test_a_ragged_utf8_file_is_read_carefully_as_before():
    data = "客户号,名称\n1,中\n2,x,y\n".encode()
    grid = read_csv_grid(data, "a.csv")
    assert grid.encoding == "utf-8" and [p[1] for p in grid.problems] == ["ragged_row"]
    assert grid.frame.values.tolist() == [["客户号", "名称"], ["1", "中"], ["2", "x"]]


_HEAD = csvread.UTF8_HEAD_BYTES


@pytest.mark.parametrize("at, unchecked", [
    (_HEAD - 1, False),         # the last byte of the head is not UTF-8: checked first
    (_HEAD, True),              # the first byte after it: parsed unchecked (the parse finds it)
    (_HEAD + 1, True),
])
def test_a_head_not_utf8_is_checked_first(at, unchecked):
    body = b"1,a\n" * (_HEAD // 4 + 10)
    data = body[:at] + b"\x80" + body[at + 1:]             # a continuation byte alone: never UTF-8
    assert (csvread._utf8_unchecked(data) is not None) is unchecked
    _same(_read(data), _checked(data))


def test_a_character_cut_at_the_end_of_the_head_is_utf8():
    line = "1,中\n".encode()                           # 中 is three bytes, after "1,"
    body = b"x" * (_HEAD - 3) + line * 3               # 中's first byte is the head's last: cut, not broken
    assert csvread._utf8_unchecked(body) is not None
    broken = b"x" * (_HEAD - 5) + b"1," + "中".encode()[:2] + b"\n" * 3     # two of 中's bytes, then a line end
    assert csvread._utf8_unchecked(broken) is None


def test_a_gbk_export_is_not_parsed_twice(monkeypatch):
    data = "客户号,名称\n1,中\n".encode("gb18030")
    parses = []
    arrow = csvread._arrow
    monkeypatch.setattr(csvread, "_arrow", lambda *a: parses.append(1) or arrow(*a))
    grid = read_csv_grid(data, "a.csv")
    assert grid.encoding == "gb18030" and len(parses) == 1
