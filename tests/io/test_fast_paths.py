"""The fast paths for long text columns (CSV) give what the cell-by-cell paths give.

A CSV ledger of many rows converts coded columns once per distinct value and
cleans identifiers as a whole column; these tests hold both against the
general path on the same values, problems included.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branchkit.io import amounts, columns, convert, ledger
from branchkit.io.grid import Grid
from branchkit.io.output import _byte_writer, _csv_field
from branchkit.models.fields import Column
from branchkit.rules import load_rules
from branchkit.text import DISTINCT_FROM, distinct

RULES = load_rules(None)


def _long(values: list[object], n: int = 3 * DISTINCT_FROM) -> pd.Series:
    """``values`` repeated to ``n`` rows as a CSV column (text, missing as NaN), indexed by sheet row."""
    cells = [values[i % len(values)] for i in range(n)]
    return pd.Series(cells, index=pd.RangeIndex(1, n + 1), dtype="str")


def _bad(bad: convert.Bad) -> list[tuple]:
    """The rejected cells by row (the order the problem log shows them in)."""
    return sorted(zip(bad.rows, bad.codes, bad.messages, bad.values), key=lambda r: r[0])


@pytest.mark.parametrize(("kind", "values", "extra"), [
    ("date", ["2024-03-05", "2024年3月5日", "20240305", "2024/13/40", None, "  ", "1850-01-01", "明天"], {}),
    ("bool", ["是", "否", "Y", "n", "√", "也许", None, "１"], {}),
    ("enum", ["个人", "对公", "对私", "企业", "其他", None, " 个人 "], {"values": "customer_kind"}),
    ("role", ["法人客户经理", "大堂经理", "城中支行副行长", "保安", None], {}),
    ("hour", ["9", "09:00-10:00", "9点", "25", "abc", None], {}),
])
def test_coded_column_converted_per_distinct_value_equals_cell_by_cell(kind, values, extra):
    raw = _long(values)
    column = Column(kind=kind, headers=("x",), **extra)
    grid = Grid(file="t.csv", sheet=None, rows=[])
    assert distinct(raw) is not None                  # the fast path is taken
    fast, fast_bad = columns.convert_column(raw, column, None, RULES, grid)
    slow, slow_bad = columns._convert_values(raw, column, None, RULES, grid)
    pd.testing.assert_series_equal(fast, slow, check_names=False)
    assert _bad(fast_bad) == _bad(slow_bad)
    assert fast_bad.rows                               # each case holds rejected values


def test_distinct_declines_short_or_mostly_different_columns():
    assert distinct(_long(["a", "b"], n=DISTINCT_FROM - 1)) is None
    unique = pd.Series([f"{i:08d}" for i in range(2 * DISTINCT_FROM)], dtype="str")
    assert distinct(unique) is None
    codes, uniques = distinct(_long(["a", None, "b"]))
    assert uniques.tolist() == ["a", "b"]
    assert codes[:3].tolist() == [0, -1, 1]


@pytest.mark.parametrize(("cell", "expected", "code"), [
    ("0012345", "0012345", None),
    ("  0012345\t", "0012345", None),
    ('="0012345"', "0012345", None),
    ("'0012345", "0012345", None),
    ("００１２３", "00123", None),
    ("1.23457E+17", "1.23457E+17", "id_precision_lost"),
    ("", None, None),
])
def test_text_ids_cleaned_as_a_column_like_mixed_cells(cell, expected, code):
    text = pd.Series([cell, "0099"], dtype="str")
    mixed = pd.Series([cell, "0099"], dtype=object)              # a workbook column takes the general path
    for values in (text, mixed):
        out, bad = convert.to_id(values)
        assert (out.iloc[0] if pd.notna(out.iloc[0]) else None) == expected
        assert bad.codes == ([code] if code else [])
        assert out.iloc[1] == "0099"


def test_text_amounts_with_blanks_units_and_errors():
    values = pd.Series(["1,234.5", "", None, "10万", "abc", "1e400", "  7 "], dtype="str")
    out, bad = amounts.to_number(values, unit="万元", money=True)
    assert out.iloc[0] == pytest.approx(12_345_000.0)
    assert np.isnan(out.iloc[1]) and np.isnan(out.iloc[2])
    assert out.iloc[3] == pytest.approx(100_000.0)                # the cell's unit wins
    assert np.isnan(out.iloc[4]) and np.isnan(out.iloc[5])
    assert out.iloc[6] == pytest.approx(70_000.0)
    assert sorted(zip(bad.rows, bad.codes)) == [(4, "not_a_number"), (5, "number_out_of_range")]


def test_csv_fields_quoted_only_where_needed():
    plain = _csv_field(pd.Series(["a", "城中支行", None]), alone=False)
    assert plain.to_pylist() == ["a", "城中支行", ""]
    mixed = _csv_field(pd.Series(['a,b', 'say "hi"', "line\nbreak", "cr\r", "ok"]), alone=False)
    assert mixed.to_pylist() == ['"a,b"', '"say ""hi"""', '"line\nbreak"', '"cr\r"', "ok"]
    alone = _csv_field(pd.Series(["", "x"]), alone=True)
    assert alone.to_pylist() == ['""', "x"]


def test_csv_bytes_go_to_a_utf8_buffer_or_are_decoded_for_other_streams():
    raw = io.BytesIO()
    utf8 = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    utf8.write("头\n")
    _byte_writer(utf8)(memoryview("城中,1\n".encode()))
    utf8.flush()
    assert raw.getvalue() == "\ufeff头\n城中,1\n".encode()
    other = io.BytesIO()
    gbk = io.TextIOWrapper(other, encoding="gb18030", newline="")
    _byte_writer(gbk)(memoryview("城中\n".encode()))
    gbk.flush()
    assert other.getvalue() == "城中\n".encode("gb18030")
    text = io.StringIO()
    _byte_writer(text)(memoryview("城中\n".encode()))
    assert text.getvalue() == "城中\n"


def test_money_text_keeps_the_rows_of_its_column():
    from branchkit.io.display import csv_text

    values = pd.Series([1.5, np.nan, -2.005, 12345678.9], index=[10, 20, 30, 40])
    assert csv_text(values, "money").to_dict() == {10: "1.50", 20: "", 30: "-2.00", 40: "12345678.90"}


def test_a_workbook_column_of_text_only_reads_like_a_csv_column():
    grid = Grid(file="t.xlsx", sheet="s", rows=[["id", "amount"], ["001", 1.5], ["", 2.0], ["003", ""]])
    ids, amounts = grid.body(1)
    assert isinstance(ids.dtype, pd.StringDtype) and ids.index.tolist() == [1, 2, 3]
    assert ids.tolist() == ["001", "", "003"]
    assert amounts.dtype == object and amounts.tolist() == [1.5, 2.0, ""]


_MIXED = [True, 1, 1.0, None, float("nan"), "", "  ", dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 10, 30),
          dt.date(1850, 1, 1), "2024年3月5日", "2024-03-05", 20240305.0, 45000.0, -3.0, "明天", "是", "否", "Y",
          "个人", "对公", "9点", "09:00-10:00", "法人客户经理"]


def _mixed(values: list[object], n: int = 3 * DISTINCT_FROM) -> pd.Series:
    """``values`` repeated to ``n`` rows as a workbook column of mixed cells (object, by sheet row)."""
    return pd.Series([values[i % len(values)] for i in range(n)], index=pd.RangeIndex(4, n + 4), dtype=object)


@pytest.mark.parametrize(("kind", "extra"), [
    ("date", {}), ("bool", {}), ("enum", {"values": "customer_kind"}), ("role", {}), ("hour", {}),
])
def test_mixed_workbook_column_converted_per_distinct_cell_equals_cell_by_cell(kind, extra):
    raw = _mixed(_MIXED)
    column = Column(kind=kind, headers=("x",), **extra)
    grid = Grid(file="t.xlsx", sheet="s", rows=[])
    codes, cells = columns._distinct_cells(raw)
    assert len(cells) == len(_MIXED) and codes.max() == len(_MIXED) - 1      # True, 1 and 1.0 stay apart
    fast, fast_bad = columns.convert_column(raw, column, None, RULES, grid)
    slow, slow_bad = columns._convert_values(raw, column, None, RULES, grid)
    pd.testing.assert_series_equal(fast, slow, check_names=False)
    assert _bad(fast_bad) == _bad(slow_bad)
    assert fast_bad.rows


def test_mixed_date_column_keeps_true_and_one_apart():
    # True is not a date; the number 1 is a number typed into a date column (the serial of 1900-01-01):
    # both rejected, each with its own verdict: grouping them by value would give every 1 the verdict of
    # the True before it.
    raw = _mixed([True, 1, dt.date(2024, 3, 5)])
    out, bad = columns.convert_column(raw, Column(kind="date", headers=("x",)), None, RULES,
                                      Grid(file="t.xlsx", sheet="s", rows=[]))
    assert pd.isna(out.iloc[0]) and pd.isna(out.iloc[1])
    assert out.iloc[2] == pd.Timestamp("2024-03-05")
    assert set(bad.codes) == {"bad_date"}
    verdicts = dict(zip(bad.rows, bad.messages))
    assert sorted(verdicts) == sorted([*range(4, 4 + 3 * DISTINCT_FROM, 3), *range(5, 5 + 3 * DISTINCT_FROM, 3)])
    assert verdicts[4] == "expected a date" and verdicts[5].startswith("a number, not a date: as an Excel date")


def test_distinct_cells_declines_short_mostly_different_or_unhashable_columns():
    assert columns._distinct_cells(_mixed([dt.date(2024, 1, 1), "x"], n=DISTINCT_FROM - 1)) is None
    assert columns._distinct_cells(_mixed([dt.date(2024, 1, 1) + dt.timedelta(days=i)
                                          for i in range(DISTINCT_FROM)], n=DISTINCT_FROM)) is None
    assert columns._distinct_cells(_mixed([[1], "x"])) is None
    codes, cells = columns._distinct_cells(_mixed(["x", None, float("nan"), "x"], n=DISTINCT_FROM))
    assert cells.iloc[0] == "x" and cells.iloc[1] is None and np.isnan(cells.iloc[2])
    assert codes[:4].tolist() == [0, 1, 2, 0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks=st.lists(st.sampled_from(_MIXED), min_size=1, max_size=12),
       kind=st.sampled_from(["date", "bool", "hour"]))
def test_mixed_column_per_distinct_cell_is_cell_by_cell(picks, kind):
    raw = _mixed(picks, n=DISTINCT_FROM)
    column = Column(kind=kind, headers=("x",))
    grid = Grid(file="t.xlsx", sheet="s", rows=[])
    fast, fast_bad = columns.convert_column(raw, column, None, RULES, grid)
    slow, slow_bad = columns._convert_values(raw, column, None, RULES, grid)
    pd.testing.assert_series_equal(fast, slow, check_names=False)
    assert _bad(fast_bad) == _bad(slow_bad)


def test_read_grid_lets_go_of_the_body_rows_and_pads_ragged_ones():
    from branchkit.problems import ProblemLog

    rows = [["客户清单", "", "", ""], ["客户号", "客户名称", "客户类型", "所属网点"],
            ["001", "张三", "个人", "城中支行"], ["002", "李四", "对公"], ["003", "王五", "个人", "城南支行", ""]]
    grid = Grid(file="t.xlsx", sheet="s", rows=rows)
    frame, note = ledger.read_grid(grid, "customers", RULES, ProblemLog())
    assert frame["customer_id"].tolist() == ["001", "002", "003"]
    assert frame["branch"].isna().tolist() == [False, True, False]       # the short row is padded, not shifted
    assert frame["_row"].tolist() == [3, 4, 5]
    assert grid.rows == [["客户清单", "", "", ""], ["客户号", "客户名称", "客户类型", "所属网点"]]   # head kept


_CELLS = [1.5, 0.0, 7, -2.25, "", "  ", "\u3000", "\t x ", "x", None, float("nan"), pd.NA, dt.date(2024, 3, 5),
          True, False, b"", b"x"]


def _blank_cell(cell: object) -> bool:
    return bool(pd.isna(cell)) if not isinstance(cell, (str, bytes)) else isinstance(cell, str) and not cell.strip()


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(st.sampled_from(_CELLS), min_size=1, max_size=30), typed=st.booleans())
def test_blank_cells_of_a_workbook_column(cells, typed):
    # None, NaN, '' and white space are blank, whatever else the column holds (numbers, dates, flags, bytes)
    values = pd.Series(cells, dtype=object, index=pd.RangeIndex(3, 3 + len(cells)))
    types = convert._types(values) if typed else None
    assert convert._is_blank(values, types).tolist() == [_blank_cell(c) for c in cells]


def test_a_column_of_numbers_is_not_blank_and_its_empty_text_is():
    numbers = pd.Series([float(i) + 0.5 for i in range(1000)] + ["", None], dtype=object)
    assert convert._is_blank(numbers).tolist() == [False] * 1000 + [True, True]
    out, bad = amounts.to_number(numbers, money=True)
    assert out.iloc[999] == 999.5 and out.iloc[1000:].isna().all() and not bad.rows
    # Arrow takes bytes and text together as binary: the empty text is still found blank
    assert convert._is_blank(pd.Series([b"x", "", b""], dtype=object)).tolist() == [False, True, False]


@pytest.mark.parametrize("uniques, used", [(DISTINCT_FROM // 4 - 1, True), (DISTINCT_FROM // 4, True),
                                           (DISTINCT_FROM // 4 + 1, False)])
def test_distinct_paths_share_the_one_in_four_threshold(uniques, used):
    """At most one distinct value in four: at the share, just under and just over it, for text (CSV)
    and for mixed workbook cells alike (one rule, ``text.few_distinct``)."""
    n = DISTINCT_FROM
    text = pd.Series([f"v{i % uniques}" for i in range(n)], dtype="str")
    cells = pd.Series([i % uniques for i in range(n)], dtype=object)
    assert (distinct(text) is not None) is used
    assert (columns._distinct_cells(cells) is not None) is used
    if used:
        assert len(distinct(text)[1]) == uniques and len(columns._distinct_cells(cells)[1]) == uniques


_CELL_TEXT = st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("=+-@\t\r'a1 城,\"")), max_size=4)),
                      max_size=30)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(values=_CELL_TEXT, start=st.integers(0, 5))
def test_neutralised_cells_equal_neutralise_on_the_same_text(values, start):
    from branchkit.io.display import csv_cells
    from branchkit.io.safety import neutralise, neutralise_cells

    series = pd.Series(values, dtype="str")
    # A slice starts inside the buffers, as a chunk of a column does.
    cells = csv_cells(series, "text").slice(start)
    expected = neutralise(series.astype("str").fillna("")).tolist()[start:]
    assert neutralise_cells(cells).to_pylist() == expected


def test_neutralised_cells_mark_exactly_the_formula_starts():
    from branchkit.io.safety import neutralise_cells
    import pyarrow as pa

    cells = pa.array(["=1", "+1", "-1", "@a", "\tx", "\ry", "", "a=", " =", "城", "'="], type=pa.large_string())
    assert neutralise_cells(cells).to_pylist() == ["'=1", "'+1", "'-1", "'@a", "'\tx", "'\ry", "", "a=", " =",
                                                   "城", "'="]


@given(values=st.lists(st.one_of(st.none(), st.booleans()), max_size=20))
def test_bool_and_number_cells_are_formatted_once_per_distinct_value(values):
    from branchkit.io.display import csv_cells

    flags = pd.Series(values, dtype="boolean")
    assert csv_cells(flags, "bool").to_pylist() == ["" if v is None else ("true" if v else "false") for v in values]
    numbers = pd.Series([None if v is None else (0.1 if v else 2.0) for v in values], dtype="float64")
    assert csv_cells(numbers, "number").to_pylist() == ["" if v is None else ("0.1" if v else "2") for v in values]
