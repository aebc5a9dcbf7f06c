"""The cells of an .xls (BIFF8) workbook that hold an Excel error value, which calamine reads as empty.

An .xlsx tells them in its sheet XML (``t="e"``, found by ``xlsxcheck``); an .xls keeps them in the binary
records of its Workbook stream, which lives in an OLE compound file (read with ``olefile``):

- BOOLERR (0x0205): a constant error; ``rw, col, ixfe, bBoolErr, fError``, an error when ``fError`` is 1,
  ``bBoolErr`` its code;
- FORMULA (0x0006): a formula whose cached result is an error; ``rw, col, ixfe`` then the 8-byte result,
  an error when its byte 0 is 2 and its bytes 6-7 are 0xFFFF, its code at byte 2.

Each sheet's records are found from the workbook globals' BOUNDSHEET records (the stream offset of the
sheet's BOF, and its name). Records are walked by their headers (type, length), so a CONTINUE record is
passed over as any other, and an embedded chart's substream (a BOF ... EOF inside the sheet's) is not read
as cells. The scan is bounded by the stream, which the file-size check already bounds: each record read is
at least 4 of its bytes, and all the sheets' walks together read it at most ``_WALKS`` times over (the
whole stream once in a well-formed file). Anything malformed (a container olefile cannot read, a stream
that is not BIFF8, a record running past the stream, an encrypted workbook) skips the scan: whether the
file is readable at all is the calamine read's word, and the scan never fails a read.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Iterable

from branchkit.io.xlsxcheck import ErrorCell

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _BOOLERR, _FORMULA = 0x0809, 0x000A, 0x0085, 0x002F, 0x0205, 0x0006
_BIFF8, _GLOBALS = 0x0600, 0x0005
#: The error codes of BIFF8 (BErr), as Excel shows them.
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
#: How many times over the sheets' walks may read the stream, together (a well-formed file: once).
_WALKS = 2
_HEAD = struct.Struct("<HH").unpack_from       # a record's type and length; a cell's row and column


class _Malformed(Exception):
    """The stream is not what a BIFF8 workbook writes: the scan is skipped."""


def xls_error_cells(path: Path, sheets: Iterable[str]) -> dict[str, list[ErrorCell]]:
    """Sheet -> each cell holding an error value (row0, col0, the value as Excel shows it, e.g. ``#N/A``), for
    the ``sheets`` named; {} when the workbook cannot be scanned (see the module's notes)."""
    wanted = set(sheets)
    if not wanted:
        return {}
    try:
        stream = _workbook_stream(path)
    except Exception:  # olefile raises several unrelated types for a damaged container; calamine read it
        return {}
    return {} if stream is None else stream_error_cells(stream, wanted)


def stream_error_cells(data: bytes, sheets: Iterable[str]) -> dict[str, list[ErrorCell]]:
    """``xls_error_cells`` of a Workbook stream's bytes; {} when the stream is malformed."""
    try:
        return _error_cells(data, set(sheets))
    except (_Malformed, struct.error, IndexError):     # struct.error: a record header past the stream's end
        return {}


def _workbook_stream(path: Path) -> bytes | None:
    """The BIFF8 Workbook stream of an OLE compound file (None: there is none, e.g. a BIFF5 ``Book``)."""
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        if not ole.exists("Workbook") or ole.get_type("Workbook") != olefile.STGTY_STREAM:
            return None
        with ole.openstream("Workbook") as stream:
            return stream.read()


def _error_cells(data: bytes, wanted: set[str]) -> dict[str, list[ErrorCell]]:
    offsets = _sheet_offsets(data)
    budget = [_WALKS * len(data)]
    out: dict[str, list[ErrorCell]] = {}
    for offset, name in offsets:
        if name in wanted and name not in out:
            out[name] = _sheet_errors(data, offset, budget)
    return {name: cells for name, cells in out.items() if cells}


def _sheet_offsets(data: bytes) -> list[tuple[int, str]]:
    """Each sheet's BOF offset and name, from the workbook globals' BOUNDSHEET records."""
    kind, size = _HEAD(data, 0)
    if kind != _BOF or size < 4 or _HEAD(data, 4) != (_BIFF8, _GLOBALS):
        raise _Malformed
    sheets = []
    pos = 4 + size
    while True:
        kind, size = _HEAD(data, pos)
        body, pos = pos + 4, pos + 4 + size
        if pos > len(data):
            raise _Malformed
        if kind == _EOF:
            return sheets
        if kind == _FILEPASS:               # encrypted: the records' contents are not what they say
            raise _Malformed
        if kind == _BOUNDSHEET and size >= 8:
            offset, _, cch, flags = struct.unpack_from("<IHBB", data, body)
            name = data[body + 8:pos]
            if flags & 1:
                name = name[:2 * cch].decode("utf-16-le", "replace")
            else:
                name = name[:cch].decode("latin-1")
            sheets.append((offset, name))


def _sheet_errors(data: bytes, pos: int, budget: list[int]) -> list[ErrorCell]:
    """The error cells of the sheet whose substream begins at ``pos`` (its BOF), down to its EOF; the records
    of a substream inside it (an embedded chart's) are passed over."""
    end = len(data)
    if pos + 4 > end or _HEAD(data, pos)[0] != _BOF:
        raise _Malformed
    start, depth, cells = pos, 0, []
    while True:
        kind, size = _HEAD(data, pos)
        body, pos = pos + 4, pos + 4 + size
        if pos > end:
            raise _Malformed
        if kind == _FORMULA or kind == _BOOLERR:
            if depth == 1:
                cell = _error_cell(data, kind, body, size)
                if cell is not None:
                    cells.append(cell)
        elif kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth == 0:
                break
    budget[0] -= pos - start
    if budget[0] < 0:
        raise _Malformed
    return cells


def _error_cell(data: bytes, kind: int, body: int, size: int) -> ErrorCell | None:
    if kind == _BOOLERR:
        if size < 8 or data[body + 7] != 1:
            return None
        code = data[body + 6]
    else:
        if size < 14 or data[body + 6] != 2 or data[body + 12] != 0xFF or data[body + 13] != 0xFF:
            return None
        code = data[body + 8]
    error = ERROR_CODES.get(code)
    if error is None:                       # no code Excel writes: not told as one it is not
        return None
    row, col = _HEAD(data, body)
    return row, col, error
