"""The allocation table is held in ledger order with its branch order, and reordered only when read in
order (``core.ordered``): every reader sees the branch order; csv/json take rows from the order."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from branchkit.core.allocate import Allocation, allocate
from branchkit.core.ordered import Ordered, ordered
from branchkit.io import output
from branchkit.io.options import WriteOptions
from branchkit.runs import allocate as allocate_run
from branchkit.session import read
from branchkit.views.allocate import Counts, allocation_report

from tests.core.allocation_helpers import RULES, customers, staff

EAST, WEST = "城东支行", "城西支行"


def _ledgers() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two branches interleaved in the ledger, one target and one keeper nobody knows in each."""
    rows = [
        {"customer_id": "W1", "branch": WEST, "deposit": 90_000.0, "keeper": "w1"},
        {"customer_id": "E1", "branch": EAST, "deposit": 80_000.0, "keeper": "e1"},
        {"customer_id": "W2", "branch": WEST, "deposit": 70_000.0, "status": "target"},
        {"customer_id": "E2", "branch": EAST, "deposit": 60_000.0, "keeper": "e2"},
        {"customer_id": "E3", "branch": EAST, "deposit": 50_000.0, "status": "target"},
        {"customer_id": "W3", "branch": WEST, "deposit": 40_000.0, "keeper": "gone"},
        {"customer_id": "E4", "branch": EAST, "deposit": 30_000.0, "keeper": "ghost"},
    ]
    people = pd.concat([staff(("e1", "rm"), ("e2", "rm"), branch=EAST), staff(("w1", "rm"), branch=WEST)],
                       ignore_index=True)
    return customers(*rows), people


def _result() -> Allocation:
    book, people = _ledgers()
    return allocate(book, people, RULES)


def test_held_in_ledger_order_with_the_branch_order():
    result = _result()
    held = result.as_computed()
    assert held.frame["customer_id"].tolist() == ["W1", "E1", "W2", "E2", "E3", "W3", "E4"]
    assert held.order.tolist() == [1, 3, 4, 6, 0, 2, 5]          # sorted branch names, then ledger order
    assert isinstance(result.__dict__["_allocation_ordered"], Ordered)        # not reordered yet


def test_read_in_branch_order_once_and_kept():
    result = _result()
    frame = result.allocation
    assert frame["customer_id"].tolist() == ["E1", "E2", "E3", "E4", "W1", "W2", "W3"]
    assert frame.index.tolist() == list(range(7))
    assert frame["branch"].tolist() == [EAST] * 4 + [WEST] * 3
    assert result.allocation is frame                        # reordered once, then kept
    assert result.as_computed().order is None and result.as_computed().frame is frame


def test_every_other_table_is_by_branch():
    result = _result()
    assert result.targets["customer_id"].tolist() == ["E3", "W2"]
    assert result.targets["seq"].tolist() == [1, 1]
    assert result.changes["customer_id"].tolist() == ["E4", "W3"]
    assert result.changes["reason"].tolist() == ["keeper_unknown"] * 2
    assert result.changes["branch"].tolist() == [EAST, WEST]


def test_an_order_that_changes_nothing_is_dropped():
    frame = pd.DataFrame({"a": [1, 2, 3]})
    assert ordered(frame, np.arange(3)).order is None
    assert ordered(frame, np.array([0, 2, 1])).materialize()["a"].tolist() == [1, 3, 2]


def test_concat_of_held_parts_is_in_order():
    first, second = _result(), _result()
    joined = Allocation.concat([first, second])
    assert joined.allocation["customer_id"].tolist() == ["E1", "E2", "E3", "E4", "W1", "W2", "W3"] * 2


def _report(lang: str = "en"):
    book, people = _ledgers()
    result = allocate(book, people, RULES)
    return result, allocation_report(result, lang=lang, people=False, counts=Counts.of(result))


@pytest.mark.parametrize("chunk", [1, 2, 4, 100])
def test_csv_from_the_order_equals_csv_of_the_reordered_table(monkeypatch, chunk):
    result, report = _report()
    table = report.primary_table()
    assert table.order is not None
    monkeypatch.setattr(output, "_CSV_CHUNK", chunk)
    taken = io.StringIO()
    output.write_csv(table, taken, WriteOptions())
    assert isinstance(result.__dict__["_allocation_ordered"], Ordered)        # the write did not reorder it
    table.frame, table.order = table.ordered_frame(), None
    whole = io.StringIO()
    output.write_csv(table, whole, WriteOptions())
    assert taken.getvalue() == whole.getvalue()
    ids = [line.split(",")[0] for line in taken.getvalue().splitlines()[1:]]
    assert ids == ["E1", "E2", "E3", "E4", "W1", "W2", "W3"]


def test_json_rows_in_branch_order():
    _, report = _report()
    out = io.StringIO()
    output.write_json(report.primary_table(), out, WriteOptions())
    assert [r["customer_id"] for r in json.loads(out.getvalue())] == ["E1", "E2", "E3", "E4", "W1", "W2", "W3"]


def test_unplaced_table_by_branch_with_the_rows_of_the_ordered_table():
    result, report = _report()
    unplaced = next(t for t in report.tables() if t.key == "unplaced").frame
    whole = result.allocation
    expected = whole[whole["keeper"].isna() & whole["reason"].ne("below_deposit_floor")]
    assert unplaced.index.tolist() == expected.index.tolist()
    assert unplaced["customer_id"].tolist() == expected["customer_id"].tolist()


def test_library_table_is_in_order():
    book, people = _ledgers()
    result = allocate_run(read(customers=book, staff=people))
    ids = ["E1", "E2", "E3", "W1", "W2"]            # the rows with unknown keepers rejected by the read
    assert result.table["customer_id"].tolist() == ids
    assert result.tables["allocation"]["customer_id"].tolist() == ids
    assert result.value.allocation["customer_id"].tolist() == ids
