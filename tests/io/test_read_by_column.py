"""A long sheet read by column below its first rows (``Grid.tail``) reads exactly as when read as rows.

``io.workbook`` reads a sheet of ``BY_COLUMN_CELLS`` cells or more in blocks of ``BLOCK_ROWS`` rows (taken
``ROW_STEP`` rows at a time), each block's columns kept as Arrow text or as object arrays; the tests lower
them so small workbooks take that way, and compare every ledger value, note and problem with the same workbook read as rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import branchkit
from branchkit.io import workbook
from branchkit.io.grid import Grid, Tail, padded
from branchkit.io.ledger import fill_merged
from branchkit.io.readbook import read_book
from branchkit.rules import load_rules

HEAD = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "开户日期", "管户客户经理"]


def _ledger(path, rows: list[list], title: bool = True, merges: list[str] = (), at: str | None = None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    if title:
        sheet.append(["江城支行客户清单"])
    sheet.append(HEAD)
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    if at is not None:                       # the whole table moved down and right
        sheet.move_range(f"A1:G{sheet.max_row}", rows=int(at[1:]) - 1, cols=ord(at[0]) - ord("A"))
    book.save(path)


def _rows(n: int) -> list[list]:
    """Customers with every kind of cell: ids as text and as numbers, blanks, dates as dates and as text,
    amounts as numbers and as text with a unit, a column of text that turns to a number far down."""
    out = []
    for i in range(n):
        kind = ["个人", "对公", "", "三农"][i % 4]
        amount = [1000.5 + i, f"{i}万", None, 0][i % 4]
        opened = [dt.datetime(2020, 1, 1 + i % 28), f"2021年{1 + i % 12}月3日", None][i % 3]
        keeper = "张三" if i != n - 5 else 12345          # a number in a text column, in the last block
        cid = f"{i:08d}" if i % 9 else 7000000 + i
        out.append([cid, f"客户{i}", kind, "城中支行", amount, opened, keeper])
    return out


def _read(path, monkeypatch, by_column: bool, block: int = 7, step: int = 3):
    monkeypatch.setattr(workbook, "BY_COLUMN_CELLS", 1 if by_column else 10**12)
    monkeypatch.setattr(workbook, "BLOCK_ROWS", block)
    monkeypatch.setattr(workbook, "ROW_STEP", step)
    ledgers = branchkit.read(customers=path)
    return ledgers["customers"], list(ledgers.notes), ledgers.log.frame()


def _tails(path, monkeypatch, by_column: bool) -> list[bool]:
    monkeypatch.setattr(workbook, "BY_COLUMN_CELLS", 1 if by_column else 10**12)
    monkeypatch.setattr(workbook, "BLOCK_ROWS", 7)
    return [g.tail is not None for g in read_book(path, load_rules(None).input).grids]


@pytest.mark.parametrize(("block", "step"), [(1, 1), (7, 3), (7, 6), (7, 7), (7, 8), (64, 64), (10_000, 256)])
def test_long_sheet_by_column_reads_as_by_rows(tmp_path, monkeypatch, block, step):
    # blocks of rows taken a step at a time: steps under, at and over the block
    path = tmp_path / "客户清单.xlsx"
    _ledger(path, _rows(130))
    assert _tails(path, monkeypatch, True) == [True]
    assert _tails(path, monkeypatch, False) == [False]
    frame, notes, problems = _read(path, monkeypatch, True, block, step)
    frame_rows, notes_rows, problems_rows = _read(path, monkeypatch, False)
    pd.testing.assert_frame_equal(frame, frame_rows)
    pd.testing.assert_frame_equal(problems, problems_rows)
    assert notes == notes_rows
    assert len(frame) > 90 and len(problems) > 0
    keeper = frame.set_index("customer_id")["keeper"]
    # the number in the keeper column (a text column) reads as its digits, as by rows
    assert keeper["00000125"] == "12345" and keeper["7000000"] == "张三" and keeper["00000001"] == "张三"


def test_merged_range_in_the_body_is_read_as_rows(tmp_path, monkeypatch):
    """A name merged over rows below the first ones is filled in over rows: such a sheet is read as rows."""
    path = tmp_path / "客户清单.xlsx"
    rows = _rows(120)
    _ledger(path, rows, merges=["D60:D90"])
    assert _tails(path, monkeypatch, True) == [False]
    frame, _, _ = _read(path, monkeypatch, True)
    assert (frame["branch"].iloc[57:88] == "城中支行").all()


def test_merged_title_over_the_first_rows_keeps_the_column_read(tmp_path, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    _ledger(path, _rows(120), merges=["A1:G1"])
    assert _tails(path, monkeypatch, True) == [True]
    frame, notes, problems = _read(path, monkeypatch, True)
    frame_rows, notes_rows, problems_rows = _read(path, monkeypatch, False)
    pd.testing.assert_frame_equal(frame, frame_rows)
    pd.testing.assert_frame_equal(problems, problems_rows)
    assert notes == notes_rows


def test_sheet_not_starting_at_a1_is_read_as_rows(tmp_path, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    _ledger(path, _rows(60), at="C3")
    assert _tails(path, monkeypatch, True) == [False]
    frame, _, _ = _read(path, monkeypatch, True)
    assert len(frame) == len(_read(path, monkeypatch, False)[0]) > 40 and frame["_row"].min() == 5


def test_short_sheet_is_read_as_rows(tmp_path, monkeypatch):
    """Under the cell count (the default's 200,000) a sheet is read as rows: no block costs it anything."""
    path = tmp_path / "客户清单.xlsx"
    _ledger(path, _rows(60))
    monkeypatch.setattr(workbook, "BY_COLUMN_CELLS", 62 * 7 + 1)           # 62 rows of 7 cells: just under
    assert [g.tail is not None for g in read_book(path, load_rules(None).input).grids] == [False]
    monkeypatch.setattr(workbook, "BY_COLUMN_CELLS", 62 * 7)               # at it
    assert [g.tail is not None for g in read_book(path, load_rules(None).input).grids] == [True]


_CELLS = st.one_of(st.sampled_from(["", " ", "张三", "1", "合计"]), st.floats(allow_nan=False, width=32),
                   st.integers(-5, 5), st.booleans(), st.none(),
                   st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 1, 1)))


def _split(rows: list[list], first: int, block: int) -> Grid:
    tail = Tail(width=len(rows[0]))
    for k in range(first, len(rows), block):
        cells = np.empty((len(rows[k:k + block]), tail.width), dtype=object)
        cells[:] = padded(rows[k:k + block], tail.width)
        tail.add(cells)
    return Grid(file="f", sheet="s", rows=[list(r) for r in rows[:first]], tail=tail if tail.height else None)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4).flatmap(lambda w: st.lists(st.lists(_CELLS, min_size=w, max_size=w), min_size=1,
                                                     max_size=30)),
       st.integers(0, 12), st.integers(1, 9), st.integers(0, 14))
def test_tail_body_head_and_rows_equal_the_plain_grid(rows, first, block, start):
    """Whatever the cells, the split point, the block size and where the body starts (before or beyond
    the first rows): the body's columns, the head and the cell count are those of the grid of all rows."""
    plain = Grid(file="f", sheet="s", rows=[list(r) for r in rows])
    split = _split(rows, min(first, len(rows)), block)
    assert split.cells() == plain.cells() == sum(map(len, rows))
    start = min(start, len(rows))
    for got, want in zip(split.body(start), plain.body(start), strict=True):
        pd.testing.assert_series_equal(got, want)
    assert split.head(len(rows) + 1) == plain.head(len(rows) + 1)
    # consumed (as read_grid takes it, letting go of the tail's blocks as it goes): the same columns
    consumed = _split(rows, min(first, len(rows)), block)
    had_tail = consumed.tail is not None and start <= len(consumed.rows)
    for got, want in zip(consumed.body(start, consume=True), plain.body(start), strict=True):
        pd.testing.assert_series_equal(got, want)
    if had_tail:
        assert consumed.tail is None


@pytest.mark.parametrize("step", [1, 2, 3])
def test_a_read_by_column_refuses_a_row_wider_than_the_sheet(monkeypatch, step):
    monkeypatch.setattr(workbook, "ROW_STEP", step)
    rows, tail = workbook._start(iter([["h", "i"], ["a", "b"], ["c"], [1]]), 1, 2).made()
    assert rows == [["h", "i"]] and tail.height == 3 and tail.rows() == [["a", "b"], ["c", ""], [1, ""]]
    assert workbook._start(iter([["a", "b"], ["c"], ["d", "e", "f"]]), 1, 2) is None
    assert workbook._start(iter([["a", "b", "c"]]), 1, 2).made() == ([["a", "b", "c"]], None)   # first rows: any width
    assert workbook._start(iter([]), 1, 2).made() == ([], None)


@pytest.mark.parametrize(("rows", "block", "step", "sizes"), [
    (7, 3, 2, [3, 3, 1]), (6, 3, 3, [3, 3]), (6, 3, 4, [3, 3]), (5, 5, 1, [5]), (1, 3, 2, [1])])
def test_blocks_take_block_rows_each(monkeypatch, rows, block, step, sizes):
    monkeypatch.setattr(workbook, "BLOCK_ROWS", block)
    monkeypatch.setattr(workbook, "ROW_STEP", step)
    begun = workbook._start(iter([["h", "i"]] + [[i, f"r{i}"] for i in range(rows)]), 1, 2)
    assert begun.filled == sizes[-1] % block
    _, tail = begun.made()
    assert [len(part) for part in tail.columns[0]] == sizes
    assert tail.rows() == [[i, f"r{i}"] for i in range(rows)]


@pytest.mark.parametrize("carry", [0, 1, 2])
def test_a_read_begun_goes_on_filling_its_block(monkeypatch, carry):
    """Rows read on from a read begun (a sheet's bottom half after its top half) fill the block begun:
    the blocks are those of the rows read at once."""
    monkeypatch.setattr(workbook, "BLOCK_ROWS", 3)
    monkeypatch.setattr(workbook, "ROW_STEP", 2)
    rows = [[i, f"r{i}"] for i in range(8)]
    begun = workbook._start(iter(rows[:3 + carry]), 1, 2)
    assert begun.filled == (2 + carry) % 3
    _, tail = begun.read_on(iter(rows[3 + carry:])).made()
    _, whole = workbook._start(iter(rows), 1, 2).made()
    assert [len(part) for part in tail.columns[0]] == [len(part) for part in whole.columns[0]] == [3, 3, 1]
    assert tail.rows() == whole.rows() == rows[1:]


def test_merged_ranges_count_the_tail_cells():
    """The overlap check of merged ranges weighs them against every cell of the sheet, the tail's too: ranges
    covering more than the first rows but less than the sheet are filled, not refused."""
    rows = [["a", "b"], ["", ""]] + [["x", 1.0]] * 10
    grid = _split(rows, 2, 4)
    grid.merged = [((0, 0), (1, 1)), ((0, 0), (1, 1))]       # 8 cells covered: more than the 4 first cells
    fill_merged(grid)
    assert grid.rows == [["a", "a"], ["a", "a"]]
    assert np.array_equal(grid.body(2)[1].to_numpy(dtype=object), np.array([1.0] * 10, dtype=object))


def test_padded_fills_short_rows_with_empty_text_and_keeps_full_rows():
    from branchkit.io.grid import padded
    full, short, tup = [1, "a", None], [2], (3, "b")
    out = padded([full, short, tup], 3)
    assert out == [[1, "a", None], [2, "", ""], [3, "b", ""]]
    assert out[0] is full                   # a row of the full width is not copied
    assert short == [2]                     # the row read is not changed in place
    assert padded([], 4) == []


def test_a_long_sheet_gives_freed_memory_back_once_read_and_a_short_one_does_not(tmp_path, monkeypatch):
    """Once a long sheet is in its tail, calamine's copy is let go and the C heap trimmed (for the sheet,
    then for the closed workbook); the cells read are those read without the trim."""
    path = tmp_path / "客户清单.xlsx"
    _ledger(path, _rows(130))
    calls = []
    monkeypatch.setattr(workbook, "give_back_freed", lambda: calls.append(1))
    assert _tails(path, monkeypatch, True) == [True] and len(calls) == 2
    calls.clear()
    assert _tails(path, monkeypatch, False) == [False] and calls == []
    monkeypatch.undo()
    workbook.give_back_freed()              # the real call: harmless whenever it runs
    workbook.give_back_freed()
