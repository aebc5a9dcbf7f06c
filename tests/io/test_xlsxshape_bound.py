"""The package scan's bound for a long ledger's blocks past row 99,999 (``xlsxshape._narrow_bound``).

Such a block is counted, not placed cell by cell, only when one pass has checked that every reference is
one letter and 1 to 7 digits, at or before the block's last row: a reference one row further, of two
letters, of row 0 or outside Excel's sheet has the block placed (and a bad one named) as before.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io.xlsxshape import EXCEL_ROWS, SheetShape, _beyond, parse_references, scan_block


def _block(rows: dict[int, list[str]]) -> bytes:
    """Rows of cells, each row tag numbered as given, each cell of the reference given."""
    return "".join(f'<row r="{r}">' + "".join(f'<c r="{ref}"><v>1</v></c>' for ref in refs) + "</row>"
                   for r, refs in rows.items()).encode()


def _ledger(first: int, rows: int, letters: str = "ABCD") -> dict[int, list[str]]:
    return {r: [f"{c}{r}" for c in letters] for r in range(first, first + rows)}


def _scan(block: bytes) -> SheetShape:
    shape = SheetShape()
    scan_block(block, shape)
    return shape


def test_a_block_past_row_99999_is_counted_within_its_last_row_and_column_z():
    shape = _scan(_block(_ledger(150_000, 3)))
    assert not shape.placed and shape.cells == 12 and shape.bad_reference is None
    assert (shape.bound_rows, shape.bound_cols) == (150_002, 26)
    assert shape.dense_area() == 150_002 * 26


def test_a_reference_at_the_last_row_is_counted_and_one_row_after_it_placed():
    at_last = _ledger(150_000, 3)
    at_last[150_000].append("E150002")                 # a cell of row 150,000 referring to the last row
    assert not _scan(_block(at_last)).placed
    beyond = _ledger(150_000, 3)
    beyond[150_000].append("E150003")
    shape = _scan(_block(beyond))
    assert shape.placed and shape.dense_area() == 150_003 * 5
    assert shape.distinct_rows().tolist() == [149_999, 150_000, 150_001, 150_002]


def test_the_counted_bound_is_the_largest_of_the_blocks():
    shape = SheetShape()
    scan_block(_block(_ledger(2, 3)), shape)                # inside A1:Z99999
    scan_block(_block(_ledger(200_000, 2)), shape)
    scan_block(_block(_ledger(100_000, 2)), shape)
    assert (shape.bound_rows, shape.bound_cols) == (200_001, 26) and shape.cells == 28


def test_two_letters_a_stray_far_row_or_a_bad_reference_have_the_block_placed():
    for extra, bad in [("AA150001", None), ("A999999", None), ("A1048577", "A1048577"), ("A0", "A0"),
                       ("A12345678", "A12345678"), ("1A", "1A"), ("A12x", "A12x")]:
        rows = _ledger(150_000, 2)
        rows[150_000].append(extra)
        shape = _scan(_block(rows))
        assert shape.placed, extra
        assert shape.bad_reference == bad, extra


def test_a_last_row_beyond_excel_is_placed_and_named():
    shape = _scan(_block({1_048_577: ["A1048577"], 1_048_576: ["A1048576"]}))
    assert shape.placed and shape.bad_reference == "A1048577"


def test_lower_case_letters_are_counted_as_the_reader_takes_them():
    shape = _scan(_block({150_000: ["a150000", "b150000"]}))
    assert not shape.placed and shape.cells == 2


@settings(max_examples=300, deadline=None)
@given(last=st.integers(1, EXCEL_ROWS), row=st.integers(0, 99_999_999))
def test_the_pattern_finds_exactly_the_rows_after_the_last(last, row):
    assert _beyond(f'<c r="B{row}">'.encode(), last) == (row == 0 or row > last)


def test_more_digits_than_the_last_row_are_beyond_even_with_leading_zeros():
    assert _beyond(b'<c r="A150002">', 150_002) is False
    assert _beyond(b'<c r="A015000">', 150_002) is False           # as many digits, smaller
    assert _beyond(b'<c r="A0150001">', 150_002) is True            # one digit more: beyond, as before
    assert _beyond(b'<c r="A0000000">', 150_002) is True            # row 0
    assert _beyond(b'<c r="A00150002"><c r="B1">', 150_002) is True   # 8 digits: not a reference


@pytest.mark.parametrize("tail, beyond", [(b'<c r="A15"', False), (b'<c r="A15', True), (b'<c r="A', True),
                                          (b'<c r="', True), (b'<c r=', False), (b'<c r="@1"', True),
                                          (b'<c r="[1"', True), (b'<c r="`1"', True), (b'<c r="{1"', True)])
def test_a_reference_cut_by_the_blocks_end_or_not_a_letter_is_beyond(tail, beyond):
    assert _beyond(b'<row r="20"><c r="A20"><v>1</v></c>' + tail, 20) is beyond


def _beyond_spec(block: bytes, last: int) -> bool:
    """The rule as one regular expression (what the scan used to run on every block)."""
    width, digits = len(str(last)), str(last).encode()
    greater = [digits[:i] + b"[%c-9][0-9]{%d}\"" % (digits[i] + 1, width - i - 1)
               for i in range(width) if digits[i] < ord("9")]
    rows = b"|".join([b"[0-9]{%d}" % (width + 1), b'0+"', *greater])
    return re.search(b'<c r="(?:(?![A-Za-z][0-9]{1,7}")|[A-Za-z](?:' + rows + b"))", block) is not None


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from([b'<c r="', b"A", b"z", b"0", b"1", b"9", b"5", b'"', b"@", b"12",
                                       b"00", b"150002", b"150003", b"0150003", b"1234567"]), max_size=14),
       last=st.sampled_from([1, 9, 10, 150_002, 999_999, EXCEL_ROWS]))
def test_beyond_is_the_rule(parts, last):
    block = b"".join(parts)
    assert _beyond(block, last) == _beyond_spec(block, last)


@settings(max_examples=200, deadline=None)
@given(refs=st.lists(st.tuples(st.sampled_from(["A", "N", "Z", "z", "AB", "", "1"]),
                               st.integers(0, 1_100_000)), min_size=1, max_size=12),
       last=st.integers(100_000, 1_100_000))
def test_a_counted_block_always_holds_every_reference_within_its_bound(refs, last):
    # the row's own cell makes the block one past row 99,999 (blocks inside A1:Z99999 are counted as before)
    texts = [f"A{last}"] + [f"{letters}{row}" for letters, row in refs]
    shape = _scan(_block({last: texts}))
    row, col, ok = parse_references([t.encode() for t in texts])
    if not shape.placed:                   # counted: nothing bad, and every cell inside the bound
        assert ok.all() and shape.bad_reference is None
        assert int(row.max()) + 1 <= shape.bound_rows and int(col.max()) + 1 <= shape.bound_cols
    else:
        assert shape.bad_reference == (None if ok.all() else texts[int(np.argmin(ok))])
