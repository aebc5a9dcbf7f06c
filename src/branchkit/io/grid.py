"""Raw grids: the cells of each sheet of a file, before any meaning is given to them.

Every supported container (xlsx/xlsm/xls through calamine, CSV in the
encodings Chinese Excel writes, HTML tables saved as .xls, SpreadsheetML 2003,
CSV on stdin) becomes a list of ``Grid`` objects with the same shape: rows of
Python values, the merged ranges, and where each row sits in the file as the
user sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from branchkit.text import column_letters, str_series

if TYPE_CHECKING:
    from branchkit.io.xlsxfills import FillSource

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
    #: Cells holding an Excel error value (row0, col0, e.g. ``#N/A``), which the reader gives as empty cells.
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)      # how it was read, where that is worth a note
    problems: list[tuple[int, str, str]] = field(default_factory=list)   # (row0, code, message)
    encoding: str | None = None
    #: A sparse sheet read with its empty rows and columns left out: the sheet row (0-based) of each entry
    #: of ``rows`` and the sheet column of each column position (None: the same numbers).
    row_at: np.ndarray | None = None
    col_at: np.ndarray | None = None
    #: A long sheet's rows below ``rows``, held by column as they were read (``io.workbook``): ``rows``
    #: then holds only the first rows (where the header is looked for).
    tail: Tail | None = None
    #: Where the sheet's cell styles can be read (an .xlsx sheet; ``io.xlsxfills``): the colours of a plan drawn
    #: in colours, and the number formats that pad identifiers stored as numbers with zeros (``io.idpadding``).
    fills: FillSource | None = None
    #: The command's month (year, month): dates written without their year are read in the twelve months to it.
    month: tuple[int, int] | None = None

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
        if self.tail is not None and n > len(self.rows):
            self._untail()
        return self.rows[:n]

    def cells(self) -> int:
        """How many cells the grid's rows hold (for the merged ranges' check)."""
        return sum(len(row) for row in self.rows) + (self.tail.height * self.tail.width if self.tail else 0)

    def drop_body(self, start: int) -> None:
        """Let go of the rows from ``start`` on (once ``body`` holds them), so a long sheet is not held
        twice while it is converted. A CSV's frame goes whole (its rows before ``start`` stay, as rows): its
        columns, held by ``body`` alone, are then let go of one by one as they are converted."""
        if self.frame is not None:
            self.rows = self.head(start)
            self.frame = None
        del self.rows[start:]
        self.tail = None

    def _untail(self) -> None:
        """The tail's rows back as lists of the same Python values (for a caller that wants rows beyond
        the first: none of the ledger readers)."""
        self.rows.extend(self.tail.rows())
        self.tail = None

    def body(self, start: int, consume: bool = False) -> list[pd.Series]:
        """One series per column with the cells from row ``start`` on, indexed by row (0-based).
        ``consume``: the caller lets go of the rows next (``drop_body``), so a long sheet's tail blocks
        are let go of column by column as its whole columns are made (its text is never held twice)."""
        if self.frame is not None:
            part = self.frame.iloc[start:]
            return [part[c] for c in part.columns]
        if self.tail is not None and (start > len(self.rows) or self.row_at is not None
                                      or any(len(row) > self.tail.width for row in self.rows[start:])):
            self._untail()
        if self.tail is not None:
            return self._tail_body(start, consume)
        rows = self.rows[start:]
        lengths = set(map(len, rows))         # in C: a generator over a million rows costs half a second
        width = max(lengths, default=0)
        if width == 0:
            return []
        index = pd.RangeIndex(start, len(self.rows)) if self.row_at is None else pd.Index(
            np.asarray(self.row_at[start:len(self.rows)], dtype=np.int64))
        if len(lengths) > 1:
            rows = padded(rows, width)
        # One C pass makes the rows a 2-D array whose columns are then taken whole (zip(*rows) builds a
        # tuple per column cell by cell: four times slower on a million rows).
        cells = np.array(rows, dtype=object)
        if cells.shape != (len(rows), width):       # a cell holding a list would nest; never from our readers
            return [_column(np.array(column, dtype=object), index) for column in zip(*rows)]
        return [_column(np.ascontiguousarray(cells[:, j]), index) for j in range(width)]

    def _tail_body(self, start: int, consume: bool) -> list[pd.Series]:
        """``body`` of a grid with a tail: the first rows from ``start`` on put above the tail's columns;
        each column as ``_column`` makes it of all its cells (with ``consume``, the tail's blocks of a
        column go once it is made, and the tail with the last)."""
        tail = self.tail
        width = tail.width
        rows = padded(self.rows[start:], width)
        index = pd.RangeIndex(start, len(self.rows) + tail.height)
        cells = np.array(rows, dtype=object).reshape(len(rows), width)
        out = []
        for j in range(width):
            top = np.ascontiguousarray(cells[:, j])
            text = _text(top) if all(isinstance(c, pa.Array) for c in tail.columns[j]) else None
            whole = _concat([text, *tail.columns[j]]) if text is not None else None
            if whole is not None:
                out.append(str_series(whole, index))
            else:
                out.append(_column(np.concatenate([top, *map(_objects, tail.columns[j])]), index))
            if consume:
                tail.columns[j] = []
        if consume:
            self.tail = None
        return out

    def where(self) -> str:
        """``file [sheet]`` for messages."""
        return f"{self.file} [{self.sheet}]" if self.sheet else self.file

    def uncalculated_above(self, n: int) -> str:
        """Where no header was found: the cells of the first ``n`` rows holding a formula never calculated
        (a header of formulas a program wrote, =C2+1 ...), as words to add to the message, or ''."""
        if not self.uncalculated or not self.rows:
            return ""
        last = self.sheet_row(min(n, len(self.rows)) - 1)
        cells = sorted((r, c) for r, c in self.uncalculated if r <= last)
        if not cells:
            return ""
        named = ", ".join(f"{column_letters(c)}{r + 1}" for r, c in cells[:5]) + (", ..." if len(cells) > 5 else "")
        return (f"; {len(cells)} cell(s) there hold a formula never calculated ({named}): the workbook was "
                "written by a program and never opened in Excel; open and save it in Excel (or WPS, LibreOffice)")


def padded(rows: list[list[Any]], width: int) -> list[list[Any]]:
    """The rows with each shorter one filled out with '' to ``width`` (an empty cell, as the readers give
    it), so that they make one 2-D array; rows of the full width are kept as they are, not copied, and
    when every row has it the list itself is given back (the lengths are looked at in C: a Python step
    per row cost a second on 200,000 rows read by column)."""
    if min(map(len, rows), default=width) >= width:
        return rows
    return [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in rows]


def _column(cells: np.ndarray, index: pd.RangeIndex) -> pd.Series:
    """A column of cells as Python values; a column of nothing but text (names, ids typed as text, codes;
    empty cells are '') becomes a text column like a CSV's, so it takes the same whole-column paths."""
    text = _text(cells)
    return pd.Series(cells, index=index, dtype=object) if text is None else str_series(text, index)


def _text(cells: np.ndarray) -> pa.Array | None:
    """The cells as an Arrow text array, or None when some cell is not text."""
    joined = _joined_text(cells)
    if joined is not None:
        return joined
    try:
        return pa.array(cells, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


#: What a text array's 32-bit offsets address (larger text goes through ``pa.array``).
_TEXT_BYTES = 2**31 - 1


def _joined_text(cells: np.ndarray) -> pa.Array | None:
    """``pa.array(cells, type=pa.string())`` for a column of nothing but str cells none of which holds a
    NUL, made from one UTF-8 encoding of the cells joined by NUL: Arrow's conversion encodes every cell
    apart (CPython caches each str's UTF-8 in a buffer of its own), twice the time. None where it does
    not apply (a cell not a str, or holding a NUL or a lone surrogate; no cells; past ``_TEXT_BYTES``):
    the caller converts as before. 个人客户 of the 200,000-customer list (174,168 rows, 14 columns, by
    blocks): 0.18-0.28 -> 0.10-0.12 s CPU (3 runs each, fresh cells)."""
    n = len(cells)
    if n == 0:
        return None
    try:
        data = np.frombuffer("\x00".join(cells).encode("utf-8"), dtype=np.uint8)
    except (TypeError, UnicodeEncodeError):
        return None
    ends = np.flatnonzero(data == 0)
    if len(ends) != n - 1 or len(data) - (n - 1) > _TEXT_BYTES:
        return None             # a NUL within a cell: the joins cannot be told from the text
    offsets = np.empty(n + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:n] = ends - np.arange(n - 1, dtype=np.int64)
    offsets[n] = len(data) - (n - 1)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data[data != 0] if n > 1 else data))


def _concat(parts: list[pa.Array]) -> pa.Array | None:
    """The text blocks as one array; None beyond what one Arrow text array holds (2 GB): the caller then
    goes the way of a column that is not text, as a whole column's ``pa.array`` would fail there."""
    try:
        return pa.concat_arrays(parts)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _objects(part: pa.Array | np.ndarray) -> np.ndarray:
    """A tail block's column as an object array of the Python values read (text back from Arrow)."""
    return part.to_numpy(zero_copy_only=False) if isinstance(part, pa.Array) else part


@dataclass
class Tail:
    """A long sheet's rows below the first ones, by column and in blocks of rows: a block's column of
    nothing but text as an Arrow array, any other as an object array of the values read. The Python
    objects of a block's text die with the block, so a sheet never lives as Python rows whole."""

    width: int
    height: int = 0
    columns: list[list[pa.Array | np.ndarray]] = field(default_factory=list)

    def add(self, cells: np.ndarray) -> None:
        """Take a block of rows as a 2-D object array of the tail's width (``io.workbook`` reads it)."""
        if not len(cells):
            return
        if not self.columns:
            self.columns = [[] for _ in range(self.width)]
        for j in range(self.width):
            column = np.ascontiguousarray(cells[:, j])
            text = _text(column)
            self.columns[j].append(column if text is None else text)
        self.height += len(cells)

    def rows(self) -> list[list[Any]]:
        """The tail as rows of Python values."""
        out: list[list[Any]] = []
        for k in range(len(self.columns[0]) if self.columns else 0):
            out.extend(np.stack([_objects(column[k]) for column in self.columns], axis=1).tolist())
        return out


@dataclass
class Book:
    """Every sheet read from one file, and the sheets passed over with the reason."""

    file: str
    format: str
    grids: list[Grid]
    skipped: list[str] = field(default_factory=list)
    #: sheets not read because the command does not use their ledger (see ``read_book``'s ``skip``)
    passed: list[str] = field(default_factory=list)
