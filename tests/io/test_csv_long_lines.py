"""``csvread.check_width`` looks for a long line only where a stretch of half a sheet's width holds no
line end: a line of ``MAX_COLUMNS`` bytes or more always holds such a stretch, at any place in the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.errors import InputError
from branchkit.io.csvread import MAX_COLUMNS, _may_hold_long_line, check_width

STEP = MAX_COLUMNS // 2


@pytest.mark.parametrize("length", [MAX_COLUMNS, MAX_COLUMNS + 1])
@pytest.mark.parametrize("before", [0, 1, STEP - 1, STEP, STEP + 1])
@pytest.mark.parametrize("end", [b"\n", b"\r", b"\r\n"])
def test_a_line_of_a_sheets_width_is_found_wherever_it_starts(length, before, end):
    lines = [b"1,2"] * before + [b"a" * length, b"1,2", b""]      # the long line starts at 4 * before
    assert _may_hold_long_line(end.join(lines))


def test_short_lines_hold_no_such_stretch():
    assert not _may_hold_long_line(b"1,2,3\n" * 20_000)
    assert not _may_hold_long_line((b"a" * (STEP - 1) + b"\r") * 8)      # every stretch holds a line end


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3 * STEP), min_size=1, max_size=6), st.sampled_from([b"\n", b"\r"]))
def test_never_false_where_a_line_is_long(lengths, end):
    text = end.join(b"b" * n for n in lengths)
    if max(lengths) >= MAX_COLUMNS:
        assert _may_hold_long_line(text)


@pytest.mark.parametrize("before", [0, 3, STEP + 5])
def test_a_line_of_too_many_fields_after_short_ones_is_refused_with_its_number(before):
    text = b"1,2\n" * before + b"," * MAX_COLUMNS + b"\n" + b"1,2\n"
    with pytest.raises(InputError, match=rf"line {before + 1:,} holds {MAX_COLUMNS + 1:,} fields"):
        check_width(text, ",", "x.csv")
    check_width(b"1,2\n" * before + b"," * (MAX_COLUMNS - 1) + b"\n", ",", "x.csv")      # at the width: read


@pytest.mark.parametrize("start", [0, 3])
@pytest.mark.parametrize("before", [0, 3, STEP + 5])
def test_the_text_after_a_bom_is_judged_from_where_it_starts(start, before):
    """``check_width`` of the bytes from ``start`` (after a BOM): the lines and their numbers of those bytes."""
    text = b"\xef\xbb\xbf"[:start] + b"1,2\n" * before + b"," * MAX_COLUMNS + b"\n" + b"1,2\n"
    with pytest.raises(InputError, match=rf"line {before + 1:,} holds {MAX_COLUMNS + 1:,} fields"):
        check_width(text, ",", "x.csv", start)
    short = b"\xef\xbb\xbf"[:start] + b"1,2\n" * before + b"," * (MAX_COLUMNS - 1) + b"\n"
    check_width(short, ",", "x.csv", start)                       # at the width: read
    assert _may_hold_long_line(short, start) is _may_hold_long_line(short[start:])
