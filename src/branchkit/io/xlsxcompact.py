"""A sparse sheet rewritten without its empty rows and columns, for the fast reader.

A ledger with one stray value far away (a note typed at XFD20000) would make
calamine build every cell up to it. Here the sheet's XML is copied with each
cell reference moved to the row and column it takes among the rows and columns
that hold something, and the package holding it is read instead: calamine
builds only those rows and columns, and ``Grid.row_at``/``col_at`` keep the
numbers and letters the user sees. The first rows stay where they are, so the
header is looked for in the same rows as in any other sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from branchkit.io.xlsxcheck import sheet_blocks
from branchkit.rules import InputRules
from branchkit.text import column_letters

_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"([^>]*?)(/?)>')
_ROW = re.compile(rb'(<row\b[^>]*?\br=")([0-9]{1,10})(")')
_DIMENSION = re.compile(rb'<dimension\b[^>]*/>')
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?"\s*/>')


@dataclass
class Compact:
    """Where the rows and columns of the rewritten sheet sit in the original one."""

    rows: np.ndarray            # 0-based sheet row of each rewritten row
    cols: np.ndarray            # 0-based sheet column of each rewritten column

    def __post_init__(self) -> None:
        self._row = {int(r): str(i + 1).encode() for i, r in enumerate(self.rows)}
        self._col = {int(c): column_letters(i).encode() for i, c in enumerate(self.cols)}

    def area(self) -> int:
        return len(self.rows) * len(self.cols)

    def cell(self, match: re.Match) -> bytes:
        letters, digits, attrs, closed = match.groups()
        if closed:                       # a styled empty cell: the reader drops it anyway
            return b""
        row, col = int(digits) - 1, _col_index(letters)
        return b'<c r="' + self._col[col] + self._row[row] + b'"' + attrs + b">"

    def row(self, match: re.Match) -> bytes:
        return match.group(1) + str(self._first(self.rows, int(match.group(2)) - 1) + 1).encode() + match.group(3)

    def merge(self, match: re.Match) -> bytes:
        c0, r0 = _col_index(match.group(1)), int(match.group(2)) - 1
        c1 = _col_index(match.group(3)) if match.group(3) else c0
        r1 = int(match.group(4)) - 1 if match.group(4) else r0
        top, bottom = self._first(self.rows, r0), self._last(self.rows, r1)
        left, right = self._first(self.cols, c0), self._last(self.cols, c1)
        if top > bottom or left > right:
            return b""
        return (b'<mergeCell ref="' + column_letters(left).encode() + str(top + 1).encode() + b":"
                + column_letters(right).encode() + str(bottom + 1).encode() + b'"/>')

    @staticmethod
    def _first(kept: np.ndarray, value: int) -> int:
        return int(np.searchsorted(kept, value, side="left"))

    @staticmethod
    def _last(kept: np.ndarray, value: int) -> int:
        return int(np.searchsorted(kept, value, side="right")) - 1


def _col_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ch - 64)
    return index - 1


def compact_rows(rows: np.ndarray, keep_first: int) -> np.ndarray:
    """The rows the rewritten sheet keeps: the first ``keep_first`` as they are, then those holding values."""
    last = int(rows[-1]) + 1 if len(rows) else 0
    return np.union1d(np.arange(min(keep_first, last), dtype=np.int64), rows)


def compact_package(path: Path, part: str, compact: Compact, label: str, limits: InputRules) -> io.BytesIO:
    """The workbook at ``path`` with sheet ``part`` rewritten by ``compact`` and the other sheets left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dest:
        for info in source.infolist():
            name = info.filename
            if name == part:
                with dest.open(name, "w", force_zip64=True) as stream:
                    for block in sheet_blocks(source, part, label, limits, [limits.max_uncompressed_mb << 20]):
                        stream.write(_rewrite(block, compact))
            elif not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                dest.writestr(name, source.read(name))
    out.seek(0)
    return out


def _rewrite(block: bytes, compact: Compact) -> bytes:
    block = _CELL.sub(compact.cell, block)
    block = _ROW.sub(compact.row, block)
    if b"<dimension" in block:
        block = _DIMENSION.sub(b"", block)
    if b"<mergeCell " in block:
        block = _MERGE.sub(compact.merge, block)
    return block
