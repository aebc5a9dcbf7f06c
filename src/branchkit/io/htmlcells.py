"""A table's cells as the html report shows them: money and numbers with thousands, ratios as percent,
booleans as words, coded values as words, missing as empty.

The texts are ``column_cells`` of ``display.machine_columns``' columns. A report has thousands of small
tables (a 200-branch pack: 2,205 of ~10-80 rows, 29,000 columns), and there each pandas step on a column
(the rounded numbers made a series, the words a text array and a series, ``fillna`` another) cost more
than formatting its cells: ``table_cells`` formats the common columns (numbers, integers, text of the
str dtype) from their arrays and values directly, and the others as ``machine_columns`` makes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.io.display import bool_word, machine_column, rounded_numbers
from branchkit.io.tables import Table
from branchkit.labels import VALUES, value_label

_NUMBER_TEXT = {
    "money": lambda v: f"{v:,.2f}",
    "score": lambda v: f"{v:.2f}",
    "ratio": lambda v: f"{v * 100:.1f}%",
    "number": lambda v: f"{v:,.2f}".rstrip("0").rstrip("."),
}


def table_cells(table: Table, *, mask: bool, lang: str) -> dict[str, list[str]]:
    """Every column of ``table`` by name as its cells' texts: ``column_cells`` of its ``machine_columns``
    column, the same texts however they are made."""
    out = {}
    for column, values in table.frame.items():
        fmt = table.format_of(column)
        cells = _direct_cells(values, fmt, table.scheme_of(column) if lang else "", mask, lang)
        out[column] = cells if cells is not None else \
            column_cells(machine_column(table, column, values, mask=mask, lang=lang), fmt, lang)
    return out


def column_cells(values: pd.Series, fmt: str, lang: str) -> list[str]:
    """Every value of a ``machine_columns`` column as people read it in a table cell, the column's missing
    values and conversions found once (not a type test per cell)."""
    if fmt in _NUMBER_TEXT:
        return _number_cells(values.to_numpy(dtype="float64", na_value=np.nan), fmt)
    if fmt == "int":
        return _int_cells(values.to_numpy(dtype="int64", na_value=0), values.isna().to_numpy())
    if fmt == "bool":
        words = {True: bool_word(True, lang), False: bool_word(False, lang)}
        return [words.get(v, "") if v is not pd.NA else "" for v in values.tolist()]
    text = values if values.dtype == "str" else values.astype("str")
    return text.fillna("").tolist()


def _direct_cells(values: pd.Series, fmt: str, scheme: str, mask: bool, lang: str) -> list[str] | None:
    """``column_cells`` of the machine column of ``values`` made from its array, or None for the columns
    left to ``machine_column`` (dates, booleans, integers in floats or objects, masked or non-str text)."""
    if fmt in _NUMBER_TEXT:
        return _number_cells(rounded_numbers(values, fmt), fmt)
    if fmt == "int":
        if values.dtype == "int64":
            return _int_cells(values.to_numpy(), None)
        if values.dtype == "Int64":
            whole = values.array
            return _int_cells(whole.to_numpy(dtype="int64", na_value=0), whole.isna())
        return None
    if fmt in ("date", "bool") or (fmt == "sensitive" and mask) or values.dtype != "str":
        return None
    texts = values.tolist()
    if not (scheme and VALUES.get(scheme)):
        return [t if isinstance(t, str) else "" for t in texts]
    words: dict[str, str] = {}        # each distinct value looked up once, as display._words_text does
    out = []
    for t in texts:
        if not isinstance(t, str):
            out.append("")
            continue
        word = words.get(t)
        if word is None:
            word = words[t] = value_label(scheme, t, lang)
        out.append(word)
    return out


def _number_cells(numbers: np.ndarray, fmt: str) -> list[str]:
    show = _NUMBER_TEXT[fmt]
    return ["" if v != v else show(v) for v in numbers.tolist()]


def _int_cells(whole: np.ndarray, missing: np.ndarray | None) -> list[str]:
    if missing is None or not missing.any():
        return [f"{v:,}" for v in whole.tolist()]
    return ["" if m else f"{v:,}" for v, m in zip(whole.tolist(), missing.tolist())]
