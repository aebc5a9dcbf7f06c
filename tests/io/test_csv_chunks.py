"""CSV is formatted and written a chunk of rows at a time: the bytes never depend on where chunks end."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import output
from branchkit.io.options import WriteOptions
from branchkit.io.tables import Table


def _table() -> Table:
    frame = pd.DataFrame({
        "customer_id": pd.Series(["001", "002", "003", "004", "005", "006", "007"], dtype="str"),
        "name": pd.Series(["张三", "=SUM(A1)", 'say "hi"', None, "a,b", "line\nend", "+1"], dtype="str"),
        "deposit": [1234.5, -20.0, np.nan, 0.005, 1e15, 7.0, -0.0],
        "weight": [1.0, 2.5, 1.0, np.nan, 3.0, 1.0, 2.5],
        "locked": [True, False, True, False, False, True, False],
        "rank": [1, 2, None, 4, 5, 6, 7],
    })
    return Table("t", frame, "表", "T", formats={"deposit": "money", "weight": "number", "locked": "bool",
                                                 "rank": "int"})


def _csv(table: Table, options: WriteOptions) -> str:
    out = io.StringIO()
    output.write_csv(table, out, options)
    return out.getvalue()


@pytest.mark.parametrize("options", [WriteOptions(), WriteOptions(raw_csv=True), WriteOptions(lang="zh")])
@pytest.mark.parametrize("chunk", [1, 2, 3, 6])
def test_any_chunk_size_writes_the_same_text(monkeypatch, options, chunk):
    whole = _csv(_table(), options)
    monkeypatch.setattr(output, "_CSV_CHUNK", chunk)
    assert _csv(_table(), options) == whole


def test_the_chunked_text_is_the_contract():
    """Formula text neutralised only in its own chunk's rows, quotes only where RFC 4180 needs them."""
    lines = _csv(_table(), WriteOptions()).split("\n")
    assert lines[0] == "customer_id,name,deposit,weight,locked,rank"
    assert lines[1:3] == ["001,张三,1234.50,1,true,1", "002,'=SUM(A1),-20.00,2.5,false,2"]
    assert lines[3] == '003,"say ""hi""",,1,true,'
    assert lines[5] == '005,"a,b",1000000000000000.00,3,false,5'
    assert lines[6:8] == ['006,"line', 'end",7.00,1,true,6']
    assert lines[8] == "007,'+1,0.00,2.5,false,7"                 # negative zero is written as zero


def test_a_single_column_keeps_its_empty_fields_quoted_in_every_chunk(monkeypatch):
    table = Table("t", pd.DataFrame({"name": pd.Series(["a", "", None, "b"], dtype="str")}), "表", "T")
    monkeypatch.setattr(output, "_CSV_CHUNK", 1)
    assert _csv(table, WriteOptions()) == 'name\na\n""\n""\nb\n'


def _runs(count: int, length: int = 3) -> np.ndarray:
    """An order of ``count`` runs of ``length`` consecutive rows each, the runs in reverse."""
    return np.concatenate([np.arange(r * length, (r + 1) * length) for r in reversed(range(count))])


@pytest.mark.parametrize(("runs", "sliced"), [(output._RUNS - 1, True), (output._RUNS, True),
                                              (output._RUNS + 1, False)])
def test_a_chunk_of_few_runs_is_sliced_of_many_taken(runs, sliced):
    order = _runs(runs)
    pieces = list(output._pieces(order, len(order)))
    if sliced:
        assert pieces == [slice(r * 3, r * 3 + 3) for r in reversed(range(runs))]
    else:
        assert len(pieces) == 1 and pieces[0].tolist() == order.tolist()


def test_pieces_cover_each_chunk_and_a_table_without_order():
    assert list(output._pieces(None, 5)) == [slice(0, 5)]
    order = np.array([4, 5, 6, 0, 1, 2, 3])
    assert list(output._pieces(order, 7)) == [slice(4, 7), slice(0, 4)]


@pytest.mark.parametrize("chunk", [1, 3, 7])
@pytest.mark.parametrize("runs", [1, 2, 6])
def test_an_ordered_table_writes_its_rows_in_order_sliced_or_taken(monkeypatch, chunk, runs):
    table = _table()
    expected = _csv(Table("t", table.frame.iloc[[5, 6, 2, 3, 4, 0, 1]].reset_index(drop=True), "表", "T",
                          formats=table.formats), WriteOptions())
    table.order = np.array([5, 6, 2, 3, 4, 0, 1])                   # three runs
    monkeypatch.setattr(output, "_CSV_CHUNK", chunk)
    monkeypatch.setattr(output, "_RUNS", runs)
    assert _csv(table, WriteOptions()) == expected


def _field(cell: str, alone: bool) -> str:
    """RFC 4180 for one cell, as written cell by cell."""
    if any(c in cell for c in ',"\n\r') or (alone and cell == ""):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=',"\n\ra城 ', max_size=4)), max_size=12), st.booleans())
def test_fields_quoted_cell_by_cell(cells, alone):
    got = output._csv_field(pd.Series(cells, dtype="str"), alone=alone).to_pylist()
    assert got == [_field(c if c is not None else "", alone) for c in cells]
