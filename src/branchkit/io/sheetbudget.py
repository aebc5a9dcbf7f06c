"""How much of a workbook the reader may build: the cost follows the cells that hold values.

calamine builds each sheet as one dense block from A1 to its last cell, at about
50 bytes a cell with the Python rows made from it, and copies a shared string
into every cell that uses it. A workbook may take ``DENSE_CELLS`` whatever its
shape, beyond that ``SPARSE_RATIO`` times the cells that hold something. A
sheet too sparse for that is read without its empty rows and columns
(``io.xlsxcompact``); one still too sparse, or whose cells would copy more
shared text than ``SHARED_TEXT_BYTES`` (or ``SHARED_TEXT_RATIO`` times its XML),
is refused naming the sheet.
"""

from __future__ import annotations

import io
from pathlib import Path

from branchkit.errors import InputError
from branchkit.io.xlsxcheck import XlsxFacts, place_cells, shared_text_bytes
from branchkit.io.xlsxcompact import Compact, compact_package, compact_rows
from branchkit.io.xlsxshape import SheetShape
from branchkit.rules import InputRules
from branchkit.text import column_letters

#: Cells a workbook's dense blocks may hold whatever its shape (about 200 MB).
DENSE_CELLS = 4_000_000
#: Beyond that, at most this many times the cells that hold something.
SPARSE_RATIO = 4
#: Shared-string text a workbook's cells may copy whatever its size; beyond that, this many times the
#: bytes of its sheets' XML (a ledger's cells repeat short words: far below).
SHARED_TEXT_BYTES = 256 * 1024 * 1024
SHARED_TEXT_RATIO = 4
_MB = 1024 * 1024


class Budget:
    """The cells and shared text one workbook's sheets take as they are read, in order."""

    def __init__(self, path: Path, label: str, limits: InputRules, facts: XlsxFacts) -> None:
        self.path, self.label, self.limits, self.facts = path, label, limits, facts
        cells = sum(shape.cells for shape in facts.shapes.values())
        self.allowed = max(DENSE_CELLS, SPARSE_RATIO * cells)
        xml = sum(shape.xml_bytes for shape in facts.shapes.values())
        self.text_allowed = max(SHARED_TEXT_BYTES, SHARED_TEXT_RATIO * xml)
        self.used = self.text_used = 0
        strings = len(facts.shared_lengths)
        if strings > self.allowed:                # the reader loads them all when it opens the workbook
            raise InputError(label, f"refused: the workbook holds {strings:,} shared strings for {cells:,} cells "
                             "that hold something; it looks hostile")

    def plan(self, name: str) -> Compact | None:
        """None to read the sheet as it is, a ``Compact`` to read it without its empty rows and columns;
        refuses a sheet the workbook's budget cannot hold."""
        shape = self.facts.shapes.get(name)
        if shape is None:
            return None
        if shape.bad_reference:
            raise InputError(self.label, f"refused: sheet {name!r} has a cell at {shape.bad_reference!r}, "
                             "outside Excel's sheet (A1 to XFD1048576); the file is damaged or hostile")
        self._take_text(name, shape)
        if self._fits(shape.dense_area()):
            return None
        if not shape.placed:
            shape = self.facts.shapes[name] = place_cells(self.path, self.facts.parts[name], self.label, self.limits)
            if self._fits(shape.dense_area()):
                return None
        rows, cols = shape.distinct_rows(), shape.distinct_cols()
        compact = Compact(compact_rows(rows, self.limits.header_scan_rows), cols)
        if shape.odd or not self._fits(compact.area()):
            raise InputError(self.label, f"refused: in sheet {name!r} {shape.cells:,} cells hold something but "
                             f"they are spread over {len(rows):,} rows and {len(cols):,} columns (the last at "
                             f"{self.last_cell(name)}): reading them would take more memory than the workbook's "
                             "values justify. Delete the stray cells far from the table (Ctrl+End in Excel goes "
                             "to the last one) and save again")
        return compact

    def package(self, name: str, compact: Compact) -> io.BytesIO:
        """The workbook with sheet ``name`` rewritten by ``compact``."""
        return compact_package(self.path, self.facts.parts[name], compact, self.label, self.limits)

    def take_read(self, name: str, end: tuple[int, int] | None) -> None:
        """Account for a sheet the reader now holds, by its real size (the scan's figure for small blocks
        is an upper bound; an .xls is not scanned at all): refuse it, before it becomes Python rows, when
        the workbook's sheets would hold too many cells."""
        area = (end[0] + 1) * (end[1] + 1) if end else 0
        if self.used + area > self.allowed:
            raise InputError(self.label, f"refused: sheet {name!r} spans {end[0] + 1:,} rows and {end[1] + 1:,} "
                             f"columns (to {column_letters(end[1])}{end[0] + 1}); with the sheets before it that is "
                             f"more than {self.allowed:,} cells. Delete stray cells far from the table"
                             + ("" if self.facts.shapes else ", or save the workbook as .xlsx"))
        self.used += area

    def last_cell(self, name: str) -> str:
        """The reference of the last row and column holding something (for messages)."""
        shape = self.facts.shapes[name]
        rows, cols = shape.distinct_rows(), shape.distinct_cols()
        return f"{column_letters(int(cols[-1]))}{int(rows[-1]) + 1}" if len(rows) else "A1"

    def _fits(self, area: int) -> bool:
        """Whether a sheet of ``area`` cells fits beside the sheets read so far (counted in ``take_read``)."""
        return self.used + area <= self.allowed

    def _take_text(self, name: str, shape: SheetShape) -> None:
        lengths = self.facts.shared_lengths
        if not shape.cells or not len(lengths):
            return
        text = shape.cells * int(lengths.max())         # every cell the longest string: an upper bound
        if self.text_used + text > self.text_allowed:
            text = shared_text_bytes(self.path, self.facts.parts[name], lengths, self.label, self.limits)
        self.text_used += text
        if self.text_used > self.text_allowed:
            raise InputError(self.label, f"refused: the cells of sheet {name!r} repeat its shared strings "
                             f"{text // _MB:,} MB over (the workbook may repeat {self.text_allowed // _MB:,} MB); "
                             "the file looks hostile")
