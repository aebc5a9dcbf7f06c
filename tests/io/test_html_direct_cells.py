"""``htmlcells.table_cells`` formats the common columns from their arrays: the texts must be exactly
``column_cells`` of ``machine_columns``' columns, the path every column took before, whatever the values
(missing, empty, negative zero, halves, huge), the dtype or the size of the frame."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from branchkit.io.display import machine_columns
from branchkit.io.htmlcells import _direct_cells, column_cells, table_cells
from branchkit.io.tables import Table

_FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0), st.just(0.005),
                    st.just(-2.345), st.just(1e15 + 0.5), st.just(9.999e300), st.just(float("nan")))
#: Floats an ``int`` column of objects can hold (past 2**63 ``machine_columns`` refuses them, either path).
_MODEST = st.one_of(st.floats(-1e12, 1e12), st.just(-0.0), st.just(float("nan")))
_INTS = st.one_of(st.integers(-2**62, 2**62), st.just(0), st.just(-1), st.just(10**15))
_WORDS = st.one_of(st.sampled_from(["high", "mid", "general", "all", "retail", "corporate", "", " ", "x<&>",
                                    "城东支行", "HIGH"]), st.text(max_size=8))


def _reference(table: Table, lang: str) -> dict[str, list[str]]:
    return {c: column_cells(v, table.format_of(c), lang)
            for c, v in machine_columns(table, mask=True, lang=lang).items()}


@st.composite
def _tables(draw) -> Table:
    n = draw(st.sampled_from([0, 1, 3, 12, 80, 400]))
    small = n <= 12

    def column(values, dtype):
        drawn = draw(st.lists(values, min_size=n, max_size=n)) if small else \
            (draw(st.lists(values, min_size=12, max_size=12)) * 200)[:n]
        return pd.array(drawn, dtype=dtype)

    maybe = lambda s: st.one_of(s, st.none())                                         # noqa: E731
    frame = pd.DataFrame({
        "money": column(_FLOATS, "float64"), "score": column(_FLOATS, "float64"),
        "ratio": column(_FLOATS, "float64"), "amount": column(_FLOATS, "float64"),
        "count": column(_INTS, "int64"), "held": column(maybe(_INTS), "Int64"),
        "tier": column(maybe(_WORDS), "str"), "note": column(maybe(_WORDS), "str"),
        "kind": column(maybe(_WORDS), "object"), "loose": column(maybe(_MODEST), "object"),
    })
    formats = {"money": "money", "score": "score", "ratio": "ratio", "amount": "number", "count": "int",
               "held": "int", "note": "text", "kind": "text", "loose": draw(st.sampled_from(["int", "money"]))}
    return Table("t", frame, "表", "Table", formats=formats)


@settings(max_examples=40, deadline=None)
@given(_tables(), st.sampled_from(["zh", "en"]))
def test_direct_cells_are_the_machine_columns_cells(table: Table, lang: str) -> None:
    assert table_cells(table, mask=True, lang=lang) == _reference(table, lang)


def test_which_columns_are_formatted_directly() -> None:
    """The direct path is taken where it can be (else the test above compares a path with itself)."""
    taken = {name: _direct_cells(pd.Series(values, dtype=dtype), fmt, scheme, True, "zh") is not None
             for name, values, dtype, fmt, scheme in [
                 ("float", [1.5], "float64", "money", ""), ("int64", [1], "int64", "int", ""),
                 ("Int64", [1, None], "Int64", "int", ""), ("str", ["high"], "str", "text", "tier"),
                 ("object", ["high"], "object", "text", "tier"), ("float int", [1.0], "float64", "int", ""),
                 ("masked", ["13800000000"], "str", "sensitive", ""), ("bool", [True], "boolean", "bool", "")]}
    assert taken == {"float": True, "int64": True, "Int64": True, "str": True, "object": False,
                     "float int": False, "masked": False, "bool": False}


def test_known_cells() -> None:
    frame = pd.DataFrame({"tier": pd.array(["high", None, "odd", ""], dtype="str"),
                          "money": [-0.0, 2.005, math.nan, 1234567.125],
                          "n": pd.array([1234, None, -5, 0], dtype="Int64")})
    table = Table("t", frame, "表", "Table", formats={"money": "money", "n": "int"})
    assert table_cells(table, mask=True, lang="zh") == {
        "tier": ["高端", "", "odd", ""], "money": ["0.00", "2.01", "", "1,234,567.13"],
        "n": ["1,234", "", "-5", "0"]}
    assert table_cells(table, mask=True, lang="en")["tier"][0] == "High"
    assert np.isnan(frame["money"].iloc[2])                       # the frame itself left as it was
