"""The html table body made column by column (``io.html.column_cells`` and ``_body``) says exactly what
the per-cell reference ``cell_text`` (kept here) said, escaped as the template escaped it; and
``text_em``'s ASCII shortcut is the loop's own float."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st
from markupsafe import escape

from branchkit.io.display import machine_frame
from branchkit.io.display import bool_word
from branchkit.io.html import _escaped_column, table_view
from branchkit.io.svg import escape_text
from branchkit.io.htmlfit import _wide, text_em
from branchkit.io.options import WriteOptions
from branchkit.io.tables import Table

FORMATS = {"money": "money", "score": "score", "ratio": "ratio", "count": "int", "amount": "number",
           "flag": "bool", "note": "text"}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "money": [1234567.5, -0.001, np.nan, 2.005],
        "score": [99.995, 0.0, 1.0, np.nan],
        "ratio": [0.12345, 1.0, np.nan, -0.0004],
        "count": pd.array([1234, None, 0, -5], dtype="Int64"),
        "amount": [1.5, 2.0, np.nan, 1234.125],
        "flag": pd.array([True, False, None, True], dtype="boolean"),
        "note": pd.array(['<b>"x" & \'y\'</b>', None, "城东支行", ""], dtype="str"),
    })


def cell_text(value: object, fmt: str, lang: str) -> str:
    """The reference: a value as people read it in a table cell, one type test per cell (what the html
    writer did before ``io.html.column_cells`` formatted whole columns)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if fmt == "money":
        return f"{float(value):,.2f}"
    if fmt == "score":
        return f"{float(value):.2f}"
    if fmt == "ratio":
        return f"{float(value) * 100:.1f}%"
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "number":
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    if fmt == "bool":
        return bool_word(value, lang)
    return str(value)


def _cells(body: str) -> list[list[str]]:
    return [re.findall(r'<td class="[a-z]+">(.*?)</td>', row) for row in body.split("</tr>\n") if row]


def test_body_is_the_per_cell_text_escaped() -> None:
    table = Table("t", _frame(), "表", "Table", formats=FORMATS)
    options = WriteOptions(lang="zh")
    view = table_view(table, options)
    shown = machine_frame(table, mask=True, lang="zh")
    expected = [[str(escape(cell_text(v, table.format_of(c), "zh"))) for c, v in zip(shown.columns, row)]
                for row in shown.itertuples(index=False, name=None)]
    (part,) = view["parts"]
    assert _cells(str(part["body"])) == expected
    assert expected[0][:4] == ["1,234,567.50", "100.00", "12.3%", "1,234"]      # half up, thousands
    assert expected[1][0] == "0.00" and expected[3][0] == "2.01"                # no negative zero; half up
    assert expected[2][:6] == ["", "1.00", "", "0", "", ""] and expected[1][3] == ""   # missing: empty
    assert expected[1][6] == "" and expected[3][1] == ""
    assert expected[0][6] == "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;"   # escaped as the template did
    assert expected[0][5] == "是" and expected[1][5] == "否"
    assert expected[3][4] == "1,234.12" and expected[0][4] == "1.5" and expected[1][4] == "2"
    assert view["rows"][0][6] == '<b>"x" & \'y\'</b>'                           # widths measure the raw text


def test_a_table_without_rows_or_columns() -> None:
    empty = table_view(Table("t", _frame().iloc[:0], "表", "Table", formats=FORMATS), WriteOptions())
    assert empty["rows"] == [] and str(empty["parts"][0]["body"]) == ""
    bare = table_view(Table("t", pd.DataFrame(index=range(2)), "表", "Table"), WriteOptions())
    assert bare["rows"] == [[], []]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_text_em_is_the_loop(text: str) -> None:
    assert text_em(text) == sum(1.0 if _wide(ch) else 0.55 for ch in text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ab城 <>&'\"", max_size=6), max_size=8))
def test_a_column_is_escaped_cell_by_cell(column: list[str]) -> None:
    """``_escaped_column`` leaves a column without anything to escape as it is, else escapes each cell."""
    assert _escaped_column(column) == [escape_text(c) for c in column] == [str(escape(c)) for c in column]
