"""A DataFrame given in place of a ledger file, as a grid the ledger reader takes like any sheet.

``branchkit.open(customers=df)`` reads a frame exactly as it reads a workbook: its column names are
the header row (matched through the same alias table, units and all) and its rows are the records,
numbered as a sheet would show them (the header is row 1, ``df.iloc[0]`` is row 2). Text columns stay
text columns (the whole-column paths of a CSV); other columns are handed over as cell values, as a
workbook's numbers and dates are.
"""

from __future__ import annotations

import pandas as pd

from branchkit.io.grid import Book, Grid


def frame_book(frame: pd.DataFrame, label: str) -> Book:
    """One grid holding ``frame`` under a header row of its column names."""
    header = pd.DataFrame([[str(c) for c in frame.columns]], columns=range(len(frame.columns)))
    body = pd.DataFrame({j: _cells(frame.iloc[:, j]) for j in range(len(frame.columns))},
                        index=pd.RangeIndex(1, len(frame) + 1))
    cells = pd.concat([header.astype(object), body], axis=0) if len(frame) else header.astype(object)
    for j in range(len(frame.columns)):
        if pd.api.types.is_string_dtype(body[j].dtype) and body[j].dtype != object:
            cells[j] = cells[j].astype("str")
    grid = Grid(file=label, sheet=None, rows=[], frame=cells)
    return Book(label, "frame", [grid])


def _cells(column: pd.Series) -> pd.Series:
    """A column as the reader takes cells: text stays text ('' for empty), anything else becomes Python
    values with empty cells as ''."""
    values = column.reset_index(drop=True)
    values.index = pd.RangeIndex(1, len(values) + 1)
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.fillna("")
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    cells = values.astype(object)
    return cells.where(values.notna(), "")
