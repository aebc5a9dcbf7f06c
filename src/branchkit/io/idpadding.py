"""Identifiers stored as numbers whose number format pads them with zeros, read as the text the sheet shows.

A customer id typed as 123 into a cell formatted ``0000000000`` shows as 0000000123 in Excel, and the core
system knows it so; calamine gives the number alone. For the columns of identifier fields (kind ``id``) and
staff references (kind ``staff``) of an .xlsx/.xlsm sheet, the number cells' formats are looked up
(``xlsxfills.padded_cells``) and a whole number under a format of zeros becomes its digits padded to the
format's width: 123 -> 0000000123, 1234567890 -> 1234567890, and a number wider than the format keeps all
its digits. Read silently: it is what the sheet shows. An .xls keeps the number (its formats are not read),
as do a number with decimals, a negative one and one past 15 digits (their own problems, as before).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.io.convert import _ID_DIGITS_EXACT, _numbers, _types
from branchkit.io.grid import Grid

#: The field kinds whose number cells are read through their number format.
KINDS = frozenset({"id", "staff"})


def pad_ids(body: list[pd.Series | None], columns: set[int], grid: Grid) -> None:
    """The number cells of ``body``'s ``columns`` (positions in the grid) that the sheet shows padded with
    zeros, replaced in ``body`` by that text. Only those columns' whole-number cells are asked about, and the
    sheet is scanned only when some style pads (``FillSource.padding``)."""
    if grid.fills is None:
        return
    numbers = {j: found for j in sorted(columns) if body[j] is not None
               and len(found := _whole_numbers(body[j]))}
    if not numbers:
        return
    # A body's index is the sheet's rows (``Grid.body``: a sparse sheet's too), its columns the grid's.
    rows = {j: found.index.to_numpy(dtype=np.int64) for j, found in numbers.items()}
    wanted = {grid.sheet_col(j): _mask(r) for j, r in rows.items()}
    widths = grid.fills.padding(wanted)
    for j, found in numbers.items():
        width = widths.get(grid.sheet_col(j))
        if width is not None:
            body[j] = _padded(body[j], found, width[rows[j]])


def _whole_numbers(raw: pd.Series) -> pd.Series:
    """The column's cells holding a whole number an identifier may be (0 up to 15 digits), as int64."""
    if isinstance(raw.dtype, pd.StringDtype):
        return raw.iloc[:0]
    cells = raw[_numbers(raw, _types(raw))].astype("float64")
    return cells[(cells >= 0) & (cells < 10 ** _ID_DIGITS_EXACT) & (cells % 1 == 0)].astype("int64")


def _mask(rows: np.ndarray) -> np.ndarray:
    """``rows`` (sheet rows) as a mask by row: one byte per row up to the last (a sheet's rows are at most
    1,048,576), looked up per styled cell of the scan."""
    mask = np.zeros(int(rows.max()) + 1, dtype=bool)
    mask[rows] = True
    return mask


def _padded(raw: pd.Series, found: pd.Series, widths: np.ndarray) -> pd.Series:
    """``raw`` with each of the cells ``found`` whose width pads it written as its digits zero-padded."""
    digits = found.astype("str")
    out = raw.copy()
    for width in np.unique(widths[widths > 0]):
        at = widths == width
        out.loc[found.index[at]] = digits[at].str.zfill(int(width)).to_numpy(dtype=object)
    return out
