"""Raw grids: the cells of each sheet of a file, before any meaning is given to them.

Every supported container (xlsx/xlsm/xls through calamine, CSV in the
encodings Chinese Excel writes, HTML tables saved as .xls, SpreadsheetML 2003,
CSV on stdin) becomes a list of ``Grid`` objects with the same shape: rows of
Python values, the merged ranges, and where each row sits in the file as the
user sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from branchkit.text import str_series

Merged = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class Grid:
    """The cells of one sheet (or of a CSV file), row 0 = the first row the user sees."""

    file: str
    sheet: str | None
    rows: list[list[Any]]
    merged: list[Merged] = field(default_factory=list)
    frame: pd.DataFrame | None = None      # CSV fast path: all cells as strings, columns 0..n-1
    date1904: bool = False
    uncalculated: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)      # how it was read, where that is worth a note
    problems: list[tuple[int, str, str]] = field(default_factory=list)   # (row0, code, message)
    encoding: str | None = None
    #: A sparse sheet read with its empty rows and columns left out: the sheet row (0-based) of each entry
    #: of ``rows`` and the sheet column of each column position (None: the same numbers).
    row_at: np.ndarray | None = None
    col_at: np.ndarray | None = None

    def sheet_row(self, i: int) -> int:
        """The 0-based sheet row of row position ``i`` (for messages and row numbers)."""
        if self.row_at is None:
            return i
        return int(self.row_at[i]) if i < len(self.row_at) else int(self.row_at[-1]) + i - len(self.row_at) + 1

    def sheet_col(self, j: int) -> int:
        """The 0-based sheet column of column position ``j`` (for column letters)."""
        if self.col_at is None:
            return j
        return int(self.col_at[j]) if j < len(self.col_at) else int(self.col_at[-1]) + j - len(self.col_at) + 1

    def head(self, n: int) -> list[list[Any]]:
        """The first ``n`` rows as lists (for header detection)."""
        if self.frame is not None:
            return self.frame.head(n).to_numpy(dtype=object, na_value="").tolist()
        return self.rows[:n]

    def body(self, start: int) -> list[pd.Series]:
        """One series per column with the cells from row ``start`` on, indexed by row (0-based)."""
        if self.frame is not None:
            part = self.frame.iloc[start:]
            return [part[c] for c in part.columns]
        rows = self.rows[start:]
        lengths = set(map(len, rows))         # in C: a generator over a million rows costs half a second
        width = max(lengths, default=0)
        if width == 0:
            return []
        index = pd.RangeIndex(start, len(self.rows)) if self.row_at is None else pd.Index(
            np.asarray(self.row_at[start:len(self.rows)], dtype=np.int64))
        if len(lengths) > 1:
            rows = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in rows]
        # One C pass makes the rows a 2-D array whose columns are then taken whole (zip(*rows) builds a
        # tuple per column cell by cell: four times slower on a million rows).
        cells = np.array(rows, dtype=object)
        if cells.shape != (len(rows), width):       # a cell holding a list would nest; never from our readers
            return [_column(np.array(column, dtype=object), index) for column in zip(*rows)]
        return [_column(np.ascontiguousarray(cells[:, j]), index) for j in range(width)]

    def where(self) -> str:
        """``file [sheet]`` for messages."""
        return f"{self.file} [{self.sheet}]" if self.sheet else self.file


def _column(cells: np.ndarray, index: pd.RangeIndex) -> pd.Series:
    """A column of cells as Python values; a column of nothing but text (names, ids typed as text, codes;
    empty cells are '') becomes a text column like a CSV's, so it takes the same whole-column paths."""
    try:
        text = pa.array(cells, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.Series(cells, index=index, dtype=object)
    return str_series(text, index)


@dataclass
class Book:
    """Every sheet read from one file, and the sheets passed over with the reason."""

    file: str
    format: str
    grids: list[Grid]
    skipped: list[str] = field(default_factory=list)
    #: sheets not read because the command does not use their ledger (see ``read_book``'s ``skip``)
    passed: list[str] = field(default_factory=list)
