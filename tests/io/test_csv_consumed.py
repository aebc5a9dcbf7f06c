"""A CSV grid read as a ledger lets go of its frame: its columns, held by the body alone, go one by one as
they are converted (the raw table of a million-row customer list was held through the whole conversion)."""

from __future__ import annotations

import pandas as pd

from branchkit.io.csvread import read_csv_grid
from branchkit.io.ledger import read_grid
from branchkit.problems import ProblemLog
from branchkit.rules import load_rules

_TEXT = "客户清单\n客户号,客户名称,存款余额\n001,张三,10\n002,李四,20\n003,王五,30\n"


def test_consumed_body_is_the_frame_and_the_rows_before_it_stay():
    """body(start, consume=True) then drop_body(start): the same columns as before, the frame let go of,
    the rows before ``start`` still there (as ``head`` gave them) and none from ``start`` on."""
    grid = read_csv_grid(_TEXT.encode("utf-8"), "a.csv")
    head = grid.head(10)
    want = [column.copy() for column in grid.body(2)]
    body = grid.body(2, consume=True)
    grid.drop_body(2)
    assert grid.frame is None
    assert grid.head(10) == head[:2] == [["客户清单", "", ""], ["客户号", "客户名称", "存款余额"]]
    for got, expected in zip(body, want, strict=True):
        pd.testing.assert_series_equal(got, expected)
    assert [column.tolist() for column in body] == [["001", "002", "003"], ["张三", "李四", "王五"],
                                                      ["10", "20", "30"]]


def test_drop_body_at_the_first_row_keeps_no_row():
    grid = read_csv_grid(_TEXT.encode("utf-8"), "a.csv")
    grid.drop_body(0)
    assert grid.frame is None and grid.head(10) == []


def test_a_csv_read_as_a_ledger_no_longer_holds_its_frame_and_reads_as_before():
    grid = read_csv_grid(_TEXT.encode("utf-8"), "a.csv")
    frame, note = read_grid(grid, "customers", load_rules(None), ProblemLog())
    assert grid.frame is None
    assert frame["customer_id"].tolist() == ["001", "002", "003"]
    assert frame["name"].tolist() == ["张三", "李四", "王五"]
    assert frame["_row"].tolist() == [3, 4, 5] and note.header_row == 2 and note.rows == 3


def test_a_required_cell_is_missing_when_blank_and_not_when_it_did_not_convert():
    """Only blank cells of a required column are missing values (looked for among the values that did not
    convert): a kind that is no kind is an unknown value, not a missing one."""
    text = "客户号,客户名称,客户类型\n001,张三,个人\n002,李四,\u3000\n003,王五,外星人\n004,,对公\n"
    log = ProblemLog()
    read_grid(read_csv_grid(text.encode("utf-8"), "a.csv"), "customers", load_rules(None), log)
    found = log.frame()
    got = sorted(zip(found["row"], found["code"]))
    assert got == [(3, "missing_value"), (4, "unknown_value"), (5, "missing_value")]
