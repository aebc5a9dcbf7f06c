"""CSV columns of few distinct values are written by their distinct values (``io.output._parts``): adjacent
ones as one coded part, each combination's fields joined once. The bytes are those written cell by cell."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import output
from branchkit.io.options import WriteOptions
from branchkit.io.tables import Table
from branchkit.io.xlsxtext import REPEATS


def _csv(table: Table, options: WriteOptions = WriteOptions()) -> str:
    out = io.StringIO()
    output.write_csv(table, out, options)
    return out.getvalue()


def _cell_by_cell(monkeypatch, table: Table, options: WriteOptions = WriteOptions()) -> str:
    """The table written with every column plain (formatted a chunk of cells at a time)."""
    with monkeypatch.context() as patched:
        patched.setattr(output, "_coded", lambda values: None)
        return _csv(table, options)


def _parts(frame: pd.DataFrame, formats: dict | None = None) -> list[output._Part]:
    table = Table("t", frame, "表", "T", formats=formats or {})
    return output._parts({c: frame[c] for c in frame}, [table.format_of(c) for c in frame], WriteOptions())


_TEXTS = ["东湖支行", "=1+1", 'say "hi"', "a,b", "line\nend", "", "-", "kept"]


@settings(max_examples=20, deadline=None)
@given(st.integers(8, 80), st.data())
def test_coded_columns_write_the_bytes_written_cell_by_cell(rows, data):
    pick = lambda values: data.draw(st.lists(st.sampled_from(values), min_size=rows, max_size=rows))
    frame = pd.DataFrame({
        "customer_id": pd.Series([f"{i:04d}" for i in range(rows)], dtype="str"),
        "branch": pd.Series(pick(_TEXTS[:3] + [None]), dtype="str"),
        "reason": pd.Series(pick(_TEXTS), dtype="str"),
        "locked": pd.Series(pick([True, False, None]), dtype="boolean"),
        "deposit": pick([0.0, 12.5, -3.25, np.nan, 1e15]),
        "weight": pick([1.0, 2.5, np.nan]),
        "note": pd.Series(pick(_TEXTS[3:] + [None]), dtype="str"),
    })
    table = Table("t", frame, "表", "T", formats={"deposit": "money", "weight": "number", "locked": "bool"})
    order = data.draw(st.permutations(range(rows)))
    table.order = np.array(order) if data.draw(st.booleans()) else None
    options = data.draw(st.sampled_from([WriteOptions(), WriteOptions(raw_csv=True)]))
    chunk = data.draw(st.sampled_from([7, 100]))
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(output, "_CSV_CHUNK", chunk)
        expected = _cell_by_cell(patched, table, options)
        assert _csv(table, options) == expected


def test_adjacent_coded_columns_are_one_part_and_a_plain_column_ends_it():
    rows = 64
    frame = pd.DataFrame({
        "kind": pd.Series(["retail", "corporate"] * (rows // 2), dtype="str"),
        "tier": pd.Series(["high", "mid", "general", None] * (rows // 4), dtype="str"),
        "customer_id": pd.Series([f"{i:04d}" for i in range(rows)], dtype="str"),
        "locked": pd.Series([True, False] * (rows // 2), dtype="boolean"),
    })
    parts = _parts(frame, {"locked": "bool"})
    assert [p.codes is not None for p in parts] == [True, False, True]
    kind_tier = parts[0]
    # Three kind fields (two and the null's) by four tier fields: twelve numbers, the four held numbered anew.
    assert len(kind_tier.texts) == 4
    assert kind_tier.texts.take(pa.array(kind_tier.codes[:4])).to_pylist() == [
        "retail,high", "corporate,mid", "retail,general", "corporate,"]
    assert parts[2].texts.to_pylist() == ["true", "false", ""]


def _repeating(rows: int, distinct: int) -> pd.Series:
    return pd.Series([f"v{i % distinct}" for i in range(rows)], dtype="str")


@pytest.mark.parametrize(("distinct", "coded"), [(7, True), (8, False)])
def test_a_column_is_coded_up_to_one_distinct_value_and_its_null_in_repeats_rows(distinct, coded):
    # 64 rows: 7 values and the null slot are 8 * 8 = 64 (coded), 8 values and the null 72 (not).
    assert (output._coded(_repeating(8 * REPEATS, distinct)) is not None) is coded


def test_one_value_is_coded_from_twice_repeats_rows():
    # One value and the null slot: 2 * REPEATS rows hold them; an empty column is never coded.
    assert output._coded(_repeating(2 * REPEATS - 1, 1)) is None
    assert output._coded(_repeating(2 * REPEATS, 1)) is not None
    assert output._coded(pd.Series([], dtype="str")) is None and output._coded(pd.Series([], dtype="float64")) is None


@pytest.mark.parametrize(("glance", "coded"), [(3 * REPEATS - 1, False), (3 * REPEATS, True), (3 * REPEATS + 1, True)])
def test_the_first_rows_judge_a_column_before_it_is_hashed(monkeypatch, glance, coded):
    # Three distinct values in the first rows (a third repeated after): 3 * REPEATS rows are needed to pass.
    values = pd.Series([f"x{i}" for i in range(2)] + ["same"] * 200, dtype="str")
    monkeypatch.setattr(output, "_GLANCE", glance)
    assert (output._coded(values) is not None) is coded
    numbers = pd.Series([0.5, 1.5] + [2.5] * 200)
    assert (output._coded(numbers) is not None) is coded


def test_coded_codes_put_nulls_last():
    codes, distinct = output._coded(pd.Series(["b", None, "a", "b"] * REPEATS, dtype="str"))
    assert codes.tolist()[:4] == [0, 2, 1, 0]
    assert distinct.tolist()[:2] == ["b", "a"] and pd.isna(distinct.iloc[2])
    numbers, values = output._coded(pd.Series([2.0, np.nan, 1.0, 2.0] * REPEATS))
    assert numbers.tolist()[:4] == [0, 2, 1, 0] and values.tolist()[:2] == [2.0, 1.0]


@pytest.mark.parametrize(("rows", "kept"), [(6 * REPEATS + 1, True), (6 * REPEATS, True), (6 * REPEATS - 1, False)])
def test_a_product_of_combinations_a_row_may_hold_is_kept_as_it_is(rows, kept):
    joint, codes = np.arange(rows) % 2, np.arange(rows) % 3
    result = output._combined(joint, 2, codes, 3, rows)
    # 2 x 3 = 6 combinations, one in REPEATS rows: kept, numbered first column first; one row fewer: all
    # six are held, too many.
    assert (result is not None) is kept
    if kept:
        wider, size = result
        assert size == 6 and wider.tolist()[:6] == [0, 4, 2, 3, 1, 5]


@pytest.mark.parametrize(("rows", "held", "combined"), [(4 * REPEATS, 4, True), (4 * REPEATS - 1, 4, False),
                                                         (4 * REPEATS - 1, 3, True)])
def test_combinations_are_numbered_anew_while_few_enough_are_held(rows, held, combined):
    joint = np.arange(rows) % held * 10   # the product (100 x 100) is more than a row may hold
    codes = np.arange(rows) % held * 10
    result = output._combined(joint, 100, codes, 100, rows)
    assert (result is not None) is combined
    if combined:
        wider, size = result
        assert size == held and wider.tolist()[:held] == list(range(held))


@pytest.mark.parametrize(("product", "combined"), [(1 << 22, True), ((1 << 22) + 1, False)])
def test_a_product_beyond_dense_is_not_numbered(monkeypatch, product, combined):
    monkeypatch.setattr(output, "_DENSE", 1 << 22)
    rows = 8 * REPEATS
    joint, codes = np.zeros(rows, dtype="int64"), np.zeros(rows, dtype="int64")
    assert (output._combined(joint, 1, codes, product, rows) is not None) is combined


@pytest.mark.parametrize(("largest", "dtype"), [(255, np.uint8), (256, np.uint16), (65535, np.uint16),
                                                (65536, np.uint32)])
def test_codes_are_held_in_the_fewest_bytes(largest, dtype):
    assert output._compact(np.array([0, largest], dtype="int64"), largest).dtype == dtype
    flags = output._coded(pd.Series([True, False, None] * REPEATS, dtype="boolean"))[0]
    assert flags.dtype == np.uint8 and flags.tolist()[:3] == [0, 1, 2]
