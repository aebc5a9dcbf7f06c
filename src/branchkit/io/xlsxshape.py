"""Where a worksheet's cells are, learned from its XML before the reader builds anything.

calamine (the fast reader) makes a sheet one dense block from its first to its
last cell, and python-calamine then pads it to A1: one value at XFD1048576 in a
2 KB file asks for 17 billion cells (a Rust abort, exit 134). So the package
check scans every sheet's XML, a block of whole rows at a time: the row and
column of every cell that holds something (a value, a formula, even an empty
string: calamine keeps those; self-closed ``<c .../>`` cells it drops).
One regular expression finds the references, numpy turns them into numbers:
no Python step per cell. Whether a block needs its cells placed at all is told
by numpy comparing bytes (where ``<c`` and ``r="`` stand, what follows them),
not by regular expressions trying every cell. ``io.workbook`` then reads a
sheet as it is, with its empty rows and columns left out (``io.xlsxcompact``),
or refuses it, so the cost follows the cells that hold values, never the
sheet's bounding box.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

#: Excel's last row and column: no cell reference points beyond them.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
#: A cell with content whose reference comes first (as every spreadsheet program writes it).
_CELL = re.compile(rb'<c r="([^"]{0,16})"[^>]*(?<!/)>')
#: Any row or cell tag, for sheets with odd cell tags (read one tag at a time).
_TAG = re.compile(rb'<(c|row)(?=[\s>/])([^>]*?)(/?)>')
_REF_ATTR = re.compile(rb'\sr="([^"]{0,16})"')
_WIDTH = 12                         # bytes a valid reference fills at most: XFD1048576 and a margin


#: A block any of whose references has two or more letters or six or more digits (``_wide``; or a cell
#: without a leading reference) has its cells placed one by one, unless one pass finds them all within the
#: block's last row and column Z (``_narrow_bound``: a long ledger past row 99,999). Other blocks stay
#: inside A1:Z99999.
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
    tags = None if shape.odd else _literal_at(block, b"<c")      # every <c (cells, and <col, <cfRule ...)
    if shape.odd or _odd_cell(block, tags):
        shape.odd = True
        _scan_tags(block, shape)
        return
    bound = None if place_all else (SMALL_ROWS, SMALL_COLS) if not _wide(block) else _narrow_bound(block, tags)
    if bound is not None:
        found = literal_hits(block, b"</c>")
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


#: Bytes compared at a time by ``literal_hits``: the masks stay in the cache. Counting ``</c>`` in an 8 MB
#: block of the 1,048,575-row benchmark sheet: 1.5 ms by pieces of 256 KB (2.0 at 64 KB, 1.6 at 1 MB,
#: 13.7 in one piece) against 8.6 ms for ``bytes.count`` (best of 5, in-process).
_PIECE = 256 * 1024


def literal_hits(block: bytes, pattern: bytes, first: bool = False) -> int:
    """How many times ``pattern`` (a few bytes that cannot overlap themselves, such as ``</c>``) occurs in
    ``block``, as ``block.count(pattern)`` counts; with ``first``, 1 as soon as one occurs."""
    hits = 0
    for found in _literal_masks(block, pattern):
        hits += int(np.count_nonzero(found))
        if first and hits:
            return 1
    return hits


def _literal_at(block: bytes, pattern: bytes) -> np.ndarray:
    """Every position where ``pattern`` starts in ``block``, in order."""
    return np.concatenate([*_literal_pieces(block, pattern), np.zeros(0, dtype=np.int64)])


def _literal_pieces(block: bytes, pattern: bytes):
    """The positions where ``pattern`` starts in ``block``, a piece of the block at a time."""
    for start, found in zip(range(0, len(block), _PIECE), _literal_masks(block, pattern)):
        yield np.flatnonzero(found) + start


def _literal_masks(block: bytes, pattern: bytes):
    """Where ``pattern`` starts in each piece of ``block``: numpy compares each of its bytes at every
    position, a piece at a time."""
    data = np.frombuffer(block, dtype=np.uint8)
    width = len(pattern)
    for start in range(0, len(data), _PIECE):
        window = data[start:start + _PIECE + width - 1]
        found = window[:max(len(window) - width + 1, 0)] == pattern[0]
        for k in range(1, width):
            found &= window[k:len(window) - width + 1 + k] == pattern[k]
        yield found


def _odd_cell(block: bytes, tags: np.ndarray | None = None) -> bool:
    """Whether a cell tag's first attribute is not its reference (another order, or no reference at all):
    ``<c`` (at ``tags``, when found already) then white space or ``>``, not `` r="``. 2.3 ms per 8 MB
    block of the 1,048,575-row benchmark sheet against 4.6 for one regular expression (best of 5,
    in-process)."""
    starts = (_literal_at(block, b"<c") if tags is None else tags) + 2
    if not len(starts):
        return False
    after = _reaching(block, starts, 4)
    following = after[starts]
    spaced = (following == ord(" ")) | (following == ord(">")) | ((following >= 9) & (following <= 13))
    return bool((spaced & ~_followed_by(after, starts, b' r="')).any())


def _followed_by(data: np.ndarray, starts: np.ndarray, text: bytes) -> np.ndarray:
    """Which of ``starts`` begin ``text`` in ``data``."""
    found = data[starts] == text[0]
    for k in range(1, len(text)):
        found &= data[starts + k] == text[k]
    return found


def _reaching(block: bytes, starts: np.ndarray, reach: int) -> np.ndarray:
    """The block's bytes, to be read from each of ``starts`` (in order) up to ``reach`` bytes on: NUL bytes
    after the block's end (what follows a tag cut by it), added only when a start comes that close."""
    data = np.frombuffer(block, dtype=np.uint8)
    if not len(starts) or starts[-1] + reach <= len(data):
        return data
    padded = np.zeros(len(data) + reach, dtype=np.uint8)
    padded[:len(data)] = data
    return padded


def _wide(block: bytes) -> bool:
    """Whether a reference in the block has two or more letters or six or more digits: an attribute
    ``r="`` after a space, tab or line end (``xmlns:r="http..."`` is not one) and then two letters, or
    letters and six digits. Piece by piece, stopping at the first: 2.5 ms per 8 MB block of the
    benchmark's sheets that has none, against 9 for a regular expression trying every ``r="`` (best of
    5, in-process)."""
    for starts in _literal_pieces(block, b'r="'):
        starts = starts[starts > 0]
        after = _reaching(block, starts, 10)
        before = after[starts - 1]
        starts = starts[(before == ord(" ")) | (before == ord("\t")) | (before == ord("\r"))
                        | (before == ord("\n"))] + 3
        digits = np.ones(len(starts), dtype=bool)
        for k in range(1, 7):
            byte = after[starts + k]
            digits &= (byte >= ord("0")) & (byte <= ord("9"))
        if (_is_letter(after[starts]) & (_is_letter(after[starts + 1]) | digits)).any():
            return True
    return False


def _is_letter(byte: np.ndarray) -> np.ndarray:
    """Which bytes are ASCII letters, either case."""
    folded = byte | 0x20
    return (folded >= ord("a")) & (folded <= ord("z"))


def _narrow_bound(block: bytes, tags: np.ndarray | None = None) -> tuple[int, int] | None:
    """Rows and columns (1-based, inclusive) that every cell reference of a block lies within, when one
    pass can tell: the number of the block's last row, checked against every reference, and column Z
    (one letter), as for a block inside A1:Z99999. A long ledger's blocks past row 99,999 are bounded so
    instead of having each cell placed. None when some reference is not one letter and 1 to 7 digits, or
    its row is 0 or after that row (a stray cell far away): the block's cells are then placed one by one.
    ``tags``: where the block's ``<c`` are, when found already."""
    at = block.rfind(b'<row r="')
    end = block.find(b'"', at + 8, at + 17) if at >= 0 else -1
    digits = block[at + 8:end] if end > 0 else b""
    if not digits.isdigit() or digits.startswith(b"0") or int(digits) > EXCEL_ROWS:
        return None
    if _beyond(block, int(digits), tags):
        return None
    return int(digits), SMALL_COLS


def _beyond(block: bytes, last_row: int, tags: np.ndarray | None = None) -> bool:
    """Whether a cell reference (what follows ``<c r="``) is not one letter (either case), 1 to 7 digits
    and a quote, or its row is 0 or after ``last_row`` (or written with more digits than it, leading zeros
    or not). numpy reads the nine bytes after each ``<c r="`` (among ``tags``, every ``<c``, when found
    already): 7 ms per 8 MB block of the 1,048,575-row benchmark sheet against 17 to 27 for one regular
    expression trying every cell (best of 5, in-process)."""
    tags = _literal_at(block, b"<c") if tags is None else tags
    data = _reaching(block, tags, 16)                          # a reference cut by the block's end is odd
    starts = tags[_followed_by(data, tags, b'<c r="')] + 6
    if not len(starts):
        return False
    ok = _is_letter(data[starts])
    length = np.zeros(len(starts), dtype=np.int64)             # digits after the letter, up to 8
    row = np.zeros(len(starts), dtype=np.int64)
    running = np.ones(len(starts), dtype=bool)
    for k in range(1, 9):
        byte = data[starts + k]
        running &= (byte >= ord("0")) & (byte <= ord("9"))
        length += running
        row = np.where(running, row * 10 + byte.astype(np.int64) - ord("0"), row)
        if not running.any():
            break
    ok &= (length >= 1) & (length <= 7) & (data[starts + 1 + length] == ord('"'))
    return bool(not ok.all() or ((row == 0) | (row > last_row) | (length > len(str(last_row)))).any())


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
