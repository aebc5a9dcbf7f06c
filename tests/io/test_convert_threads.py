"""A long ledger of Arrow text (a CSV's) has its columns converted by two threads (``ledger._Converter``):
the ledger, its problems and their order are those of converting one column after another."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import ledger
from branchkit.io.csvread import read_csv_grid
from branchkit.io.frames import frame_book
from branchkit.io.ledger import read_grid
from branchkit.problems import ProblemLog
from branchkit.rules import load_rules

_HEAD = "客户号,客户名称,客户类型,存款余额,开户日期,科技企业,身份证号"
_ROWS = [
    "001,张三,个人,10,2026-01-05,是,110101199001011234",
    "002,李四,外星人,abc,2026-13-45,也许,12345",
    "合计,,,,,,",
    ",,,,,,",
    "1.2E+17, 王五 ,对公,(12),20260105,否,",
    "004,,,3万,soon,Y,110101199001011234",
]


def _csv(rows: int) -> bytes:
    return "\n".join([_HEAD, *(_ROWS[i % len(_ROWS)] for i in range(rows))]).encode("utf-8") + b"\n"


_RULES = load_rules(None)


def _read(data: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    log = ProblemLog()
    frame, _ = read_grid(read_csv_grid(data, "a.csv"), "customers", _RULES, log)
    return frame, log.frame()


def _threads_seen(monkeypatch) -> list[str]:
    """The names of the threads ``convert_column`` runs in, from now on."""
    seen: list[str] = []
    convert_column = ledger.convert_column

    def recorded(*args):
        seen.append(threading.current_thread().name)
        return convert_column(*args)

    monkeypatch.setattr(ledger, "convert_column", recorded)
    return seen


@pytest.mark.parametrize("rows, threaded", [(11, False), (12, True), (13, True)])
def test_ledgers_of_threaded_rows_and_more_are_converted_by_two_threads(monkeypatch, rows, threaded):
    """``THREADED_ROWS`` counts the data rows kept (a totals row and a blank one are not)."""
    monkeypatch.setattr(ledger, "THREADED_ROWS", 12)
    seen = _threads_seen(monkeypatch)
    data = [row for row in _ROWS if row[0] not in "合,"]
    text = "\n".join([_HEAD, _ROWS[2], _ROWS[3], *(data[i % len(data)] for i in range(rows))]) + "\n"
    assert len(_read(text.encode("utf-8"))[0]) == rows
    assert len(seen) == len(_HEAD.split(","))
    converters = {name.startswith("branchkit-convert") for name in seen}
    assert converters == {threaded}


def test_a_workbooks_columns_of_python_cells_are_converted_here(monkeypatch):
    monkeypatch.setattr(ledger, "THREADED_ROWS", 1)
    seen = _threads_seen(monkeypatch)
    frame = pd.DataFrame({"客户号": ["001", "002", "003"], "存款余额": [1.5, "2万", None]})
    grid = frame_book(frame, "<customers DataFrame>").grids[0]
    read_grid(grid, "customers", _RULES, ProblemLog())
    assert seen and all(name == threading.main_thread().name for name in seen)


def _same_on_threads(patch: pytest.MonkeyPatch, data: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger and problems of ``data``, asserted the same converted one column after another and on
    two threads."""
    patch.setattr(ledger, "THREADED_ROWS", 10 ** 9)
    alone = _read(data)
    patch.setattr(ledger, "THREADED_ROWS", 1)
    threaded = _read(data)
    pd.testing.assert_frame_equal(threaded[0], alone[0])
    pd.testing.assert_frame_equal(threaded[1], alone[1])
    return alone


def test_threads_give_the_ledger_and_problems_of_one_column_after_another(monkeypatch):
    alone = _same_on_threads(monkeypatch, _csv(600))
    assert len(alone[0]) == 400         # totals and blank rows left out: the rows kept are not a range
    assert {"unknown_value", "not_a_number", "bad_date", "bad_bool", "id_precision_lost"} <= set(alone[1]["code"])


def test_the_problems_do_not_depend_on_which_thread_ends_first(monkeypatch):
    """The first column's conversion made the slowest, so later columns are done before it: the same
    ledger and problems as converted one after another."""
    data = _csv(60)
    monkeypatch.setattr(ledger, "THREADED_ROWS", 10 ** 9)
    frame, problems = _read(data)
    convert_column = ledger.convert_column
    done: list[str] = []

    def first_slow(raw, column, *args):
        if column.kind == "id":
            time.sleep(0.05)
        done.append(column.kind)
        return convert_column(raw, column, *args)

    monkeypatch.setattr(ledger, "convert_column", first_slow)
    monkeypatch.setattr(ledger, "THREADED_ROWS", 1)
    threaded = _read(data)
    assert done[0] != "id" and "id" in done
    pd.testing.assert_frame_equal(threaded[0], frame)
    pd.testing.assert_frame_equal(threaded[1], problems)
    assert "id_precision_lost" in set(problems["code"])


_CELL = st.sampled_from(["", " ", "001", "1.2E+17", "张三", "个人", "对公", "外星人", "10", "-5", "abc", "3万",
                         "(12)", "2026-01-05", "2026/2/30", "是", "否", "maybe", "合计", "１２"])


@settings(max_examples=6, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=7, max_size=7), min_size=1, max_size=40))
def test_any_ledger_converts_the_same_on_two_threads(rows):
    data = "\n".join([_HEAD, *(",".join(row) for row in rows)]).encode("utf-8") + b"\n"
    with pytest.MonkeyPatch.context() as patch:
        frame, _ = _same_on_threads(patch, data)
    assert len(frame) <= len(rows)
