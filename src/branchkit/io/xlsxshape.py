"""Where a worksheet's cells are, learned from its XML before the reader builds anything.

calamine (the fast reader) makes a sheet one dense block from its first to its
last cell, and python-calamine then pads it to A1: one value at XFD1048576 in a
2 KB file asks for 17 billion cells (a Rust abort, exit 134). So the package
check scans every sheet's XML, a block of whole rows at a time: the row and
column of every cell that holds something (a value, a formula, even an empty
string: calamine keeps those; self-closed ``<c .../>`` cells it drops).
One regular expression finds the references, numpy turns them into numbers:
no Python step per cell. ``io.workbook`` then reads a sheet as it is, with its
empty rows and columns left out (``io.xlsxcompact``), or refuses it, so the
cost follows the cells that hold values, never the sheet's bounding box.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np

#: Excel's last row and column: no cell reference points beyond them.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
#: A cell with content whose reference comes first (as every spreadsheet program writes it).
_CELL = re.compile(rb'<c r="([^"]{0,16})"[^>]*(?<!/)>')
#: A cell tag whose first attribute is not its reference (another order, or no reference at all).
_ODD_CELL = re.compile(rb'<c(?=[\s>])(?! r=")')
#: Any row or cell tag, for sheets with odd cell tags (read one tag at a time).
_TAG = re.compile(rb'<(c|row)(?=[\s>/])([^>]*?)(/?)>')
_REF_ATTR = re.compile(rb'\sr="([^"]{0,16})"')
_WIDTH = 12                         # bytes a valid reference fills at most: XFD1048576 and a margin


#: A block any of whose references has two or more letters or six or more digits (or a cell without a
#: leading reference): its cells are placed one by one, unless one pass finds them all within the block's
#: last row and column Z (``_narrow_bound``: a long ledger past row 99,999). Other blocks stay inside A1:Z99999.
_WIDE = re.compile(rb'r="(?:[A-Za-z]{2}|[A-Za-z]+[0-9]{6})')
SMALL_ROWS, SMALL_COLS = 99_999, 26


@dataclass
class SheetShape:
    """The cells of one sheet that hold something, as the package scan found them."""

    cells: int = 0                                            # cells with content (not self-closed)
    xml_bytes: int = 0                                        # the sheet's XML
    rows: list[np.ndarray] = field(default_factory=list)      # distinct 0-based rows, per placed block
    cols: list[np.ndarray] = field(default_factory=list)
    small: bool = False             # some blocks were only counted: their cells lie inside A1:<bound>
    bound_rows: int = 0             # ... rows and columns of the counted blocks' bound (A1:Z99999 at most,
    bound_cols: int = 0             # unless a block's own bound was checked: ``_narrow_bound``)
    bad_reference: str | None = None                          # a reference outside Excel's sheet
    odd: bool = False                                         # cells placed by order, not by reference
    _row: int = -1                                            # the odd path's position between blocks
    _col: int = -1

    def distinct_rows(self) -> np.ndarray:
        return np.unique(np.concatenate(self.rows)) if self.rows else np.zeros(0, dtype=np.int64)

    def distinct_cols(self) -> np.ndarray:
        return np.unique(np.concatenate(self.cols)) if self.cols else np.zeros(0, dtype=np.int64)

    def dense_area(self) -> int:
        """Cells of the block the reader builds, from A1 to the last row and column holding something
        (an upper bound when some blocks were only counted)."""
        rows, cols = self.distinct_rows(), self.distinct_cols()
        height = int(rows[-1]) + 1 if len(rows) else 0
        width = int(cols[-1]) + 1 if len(cols) else 0
        if self.small:
            height, width = max(height, self.bound_rows), max(width, self.bound_cols)
        return height * width

    @property
    def placed(self) -> bool:
        """Whether every cell was placed (the rows and columns are exact)."""
        return not self.small


def scan_block(block: bytes, shape: SheetShape, place_all: bool = False) -> None:
    """Add the cells of one block of a sheet's XML (no tag cut) to ``shape``.

    A block whose references all lie inside A1:Z99999 (most blocks of most ledgers) is only counted
    unless ``place_all``; the others have every cell placed."""
    shape.xml_bytes += len(block)
    if shape.odd or _ODD_CELL.search(block):
        shape.odd = True
        _scan_tags(block, shape)
        return
    bound = None if place_all else (SMALL_ROWS, SMALL_COLS) if not _wide(block) else _narrow_bound(block)
    if bound is not None:
        found = block.count(b"</c>")
        shape.cells += found
        if found:
            shape.small = True
            shape.bound_rows, shape.bound_cols = max(shape.bound_rows, bound[0]), max(shape.bound_cols, bound[1])
        return
    refs = _CELL.findall(block)
    if not refs:
        return
    shape.cells += len(refs)
    row, col, ok = parse_references(refs)
    _add(shape, row[ok], col[ok])
    if not np.all(ok):
        shape.bad_reference = shape.bad_reference or refs[int(np.argmin(ok))].decode("ascii", "replace")


def _wide(block: bytes) -> bool:
    """Whether a reference in the block has two or more letters or six or more digits (an attribute
    ``r=`` after white space: ``xmlns:r="http..."`` is not one)."""
    start = 0
    while (match := _WIDE.search(block, start)) is not None:
        if match.start() > 0 and block[match.start() - 1] in b" \t\r\n":
            return True
        start = match.end()
    return False


def _narrow_bound(block: bytes) -> tuple[int, int] | None:
    """Rows and columns (1-based, inclusive) that every cell reference of a block lies within, when one
    regular-expression pass can tell: the number of the block's last row, checked against every
    reference, and column Z (one letter), as for a block inside A1:Z99999. A long ledger's blocks past
    row 99,999 are bounded so instead of having each cell placed. None when some reference is not one
    letter and 1 to 7 digits, or its row is 0 or after that row (a stray cell far away): the block's cells
    are then placed one by one."""
    at = block.rfind(b'<row r="')
    end = block.find(b'"', at + 8, at + 17) if at >= 0 else -1
    digits = block[at + 8:end] if end > 0 else b""
    if not digits.isdigit() or digits.startswith(b"0") or int(digits) > EXCEL_ROWS:
        return None
    if _beyond(digits).search(block):
        return None
    return int(digits), SMALL_COLS


@functools.lru_cache(maxsize=64)
def _beyond(last_row: bytes) -> re.Pattern:
    """A cell reference that is not one letter and 1 to 7 digits (either case), or whose row is 0 or after
    ``last_row`` (more digits, or as many and greater)."""
    width = len(last_row)
    greater = [last_row[:i] + b"[%c-9][0-9]{%d}\"" % (last_row[i] + 1, width - i - 1)
               for i in range(width) if last_row[i] < ord("9")]
    rows = b"|".join([b"[0-9]{%d}" % (width + 1), b'0+"', *greater])
    return re.compile(b'<c r="(?:(?![A-Za-z][0-9]{1,7}")|[A-Za-z](?:' + rows + b"))")


def _add(shape: SheetShape, row: np.ndarray, col: np.ndarray) -> None:
    if len(row):
        shape.rows.append(np.unique(row))
        shape.cols.append(np.unique(col))


def parse_references(refs: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0-based rows and columns of cell references (``b"XFD1048576"``), and which are valid references
    inside Excel's sheet (1 to 3 letters, either case as calamine takes them, then 1 to 7 digits)."""
    raw = np.array(refs, dtype=f"S{_WIDTH + 1}")
    # one contiguous array per character position: whole-column steps stay cheap
    chars = raw.view(np.uint8).reshape(len(refs), _WIDTH + 1).T.astype(np.int32)
    upper = chars & ~0x20
    is_letter = (upper >= ord("A")) & (upper <= ord("Z")) & (chars >= ord("A"))
    is_digit = (chars >= ord("0")) & (chars <= ord("9"))
    letters = np.argmin(is_letter, axis=0)
    stop = np.argmax((np.arange(_WIDTH + 1)[:, None] >= letters) & ~is_digit, axis=0)   # NUL pads all
    col = np.zeros(len(refs), dtype=np.int64)
    for k in range(3):
        col = np.where(k < letters, col * 26 + upper[k] - ord("A") + 1, col)
    row = np.zeros(len(refs), dtype=np.int64)
    for k in range(_WIDTH):
        row = np.where((k >= letters) & (k < stop), row * 10 + chars[k] - ord("0"), row)
    ok = ((chars[stop, np.arange(len(refs))] == 0) & (stop == np.char.str_len(raw))
          & (letters >= 1) & (letters <= 3) & (stop - letters <= 7)
          & (row >= 1) & (row <= EXCEL_ROWS) & (col >= 1) & (col <= EXCEL_COLUMNS))
    return row - 1, col - 1, ok


def _scan_tags(block: bytes, shape: SheetShape) -> None:
    """Tag by tag, as calamine places cells: a row without a reference follows the one before, a cell
    without one follows the cell before it in its row. Only files of unusual writers come here."""
    rows: list[int] = []
    cols: list[int] = []
    for match in _TAG.finditer(block):
        kind, attrs, closed = match.groups()
        ref = _REF_ATTR.search(attrs)
        if kind == b"row":
            shape._row = int(ref.group(1)) - 1 if ref is not None and ref.group(1).isdigit() else shape._row + 1
            shape._col = -1
            continue
        if ref is not None:
            row, col, ok = parse_references([ref.group(1)])
            if not ok[0]:
                shape.bad_reference = shape.bad_reference or ref.group(1).decode("ascii", "replace")
                continue
            shape._row, shape._col = int(row[0]), int(col[0])
        else:
            shape._col += 1
        if not closed:
            rows.append(max(shape._row, 0))
            cols.append(shape._col)
    shape.cells += len(rows)
    if any(c >= EXCEL_COLUMNS for c in cols) or any(r >= EXCEL_ROWS for r in rows):
        shape.bad_reference = shape.bad_reference or "a cell placed beyond XFD1048576"
    _add(shape, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))
