"""CSV as Chinese branches have it: UTF-8, UTF-8 with BOM or GBK/GB18030, comma or tab.

Text exports of other tools come too: Excel's "Unicode text" (UTF-16 with a
BOM, tab-separated), UTF-16 without one, Western Latin-1/cp1252, old Mac
CR-only line ends. The fast path hands the whole text to Arrow's (else
pandas') CSV parser with every cell as a string. Only when that parser objects
(ragged rows, an unbalanced quote) does the careful path run, row by row,
naming each broken row instead of stopping. No row may hold more fields than
a sheet has columns (``MAX_COLUMNS``), checked on the bytes before any parser
runs, so a line of a million commas costs one pass and one clear error.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from branchkit.errors import InputError
from branchkit.io.grid import Grid
from branchkit.text import AS_STR

#: Excel's widest sheet: a row of more fields is not a table.
MAX_COLUMNS = 16_384

_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_CHARS = 200_000            # the head the delimiter and the width are judged on
#: The head whose UTF-8 is checked before a file is parsed unchecked (``_utf8_unchecked``): a GBK export, the
#: commonest non-UTF-8 CSV here, shows in its first line and is then not parsed twice.
UTF8_HEAD_BYTES = 65_536
#: The bytes Arrow parses as one block, each a chunk of every column. Each pass over a column (``text.led_by``,
#: ``convert.holds_any``, ``amounts._all_plain_floats``, pandas' kernels) pays Python's and Arrow's cost per
#: chunk: at Arrow's 1 MB a 133 MB customer list came as 128 chunks a column. 1,000,000 CSV customers and
#: last month's 890,000 rows, CPU median of 3 on a loaded machine: conversion (``ledger.read_grid``)
#: 0.79 -> 0.69 s and 0.20 -> 0.16 s at 4 MB, the parse's the same (0.35-0.38 s; 16 MB and more: 0.54 s).
ARROW_BLOCK_BYTES = 4 << 20


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was written in: BOM first, then UTF-16 without one, UTF-8, GB18030
    (Chinese Excel's "CSV"), and for text whose non-ASCII bytes stand alone (é, ü between ASCII letters,
    where Chinese characters come as pairs of such bytes) Windows' Western cp1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    wide = utf16_without_bom(data)
    if wide:
        return data.decode(wide, errors="replace"), wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _western(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030 (with undecodable bytes replaced)"


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the text is UTF-16 without a BOM: ASCII characters (delimiters,
    digits, line ends) leave a NUL in every other byte."""
    head = np.frombuffer(data[:8192 - 8192 % 2], dtype=np.uint8)
    if len(head) < 4:
        return None
    even, odd = head[0::2] == 0, head[1::2] == 0
    if odd.mean() > 0.3 and even.mean() < 0.05:
        return "utf-16-le"
    if even.mean() > 0.3 and odd.mean() < 0.05:
        return "utf-16-be"
    return None


def _western(data: bytes) -> bool:
    """Whether most bytes above ASCII stand alone (Western accents), not in pairs (Chinese)."""
    high = np.frombuffer(data, dtype=np.uint8) >= 0x80
    if not high.any():
        return False
    alone = high.copy()
    alone[1:] &= ~high[:-1]
    alone[:-1] &= ~high[1:]
    return int(alone.sum()) * 2 > int(high.sum())


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (comma when in doubt)."""
    lines = [line for line in text[:_SNIFF_CHARS].splitlines()[:60] if line.strip()]
    best, best_score = ",", 0.0
    for delim in _DELIMITERS:
        counts = [line.count(delim) for line in lines]
        if not counts or max(counts) == 0:
            continue
        top = max(counts)
        score = sum(1 for c in counts if c == top) * top
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_grid(data: bytes, label: str) -> Grid:
    """One grid from CSV bytes; NUL bytes, ragged rows and open quotes become row problems."""
    unchecked = _utf8_unchecked(data)
    if unchecked is not None:
        try:
            return _read(data, label, unchecked, proven_by_arrow=True)
        except _NotProven:
            pass
    return _read(data, label, _valid_utf8(data), proven_by_arrow=False)


class _NotProven(Exception):
    """Bytes read as UTF-8 unchecked that Arrow's parse did not prove to be UTF-8."""


def _read(data: bytes, label: str, utf8: int | None, proven_by_arrow: bool) -> Grid:
    """``read_csv_grid`` with ``utf8`` where the text starts in ``data`` (after any BOM) when it is UTF-8
    (else None: decoded). ``proven_by_arrow``: the UTF-8 is not checked yet, and only Arrow's parse (which
    checks every cell's UTF-8) may prove it; anything else raises ``_NotProven``, for the reading of checked
    bytes. The bytes after a BOM are never copied out of ``data`` (``data[3:]`` of a 133 MB customer list:
    0.066 s CPU): each reader takes them where they start."""
    if utf8 is not None:
        # Arrow splits the UTF-8 bytes as they are: only the head the delimiter and the width are judged on
        # is decoded (the whole text was 0.25 s and twice the file's size in memory), the rest if needed.
        text, encoding = _head(data, utf8), "utf-8-sig" if utf8 else "utf-8"
    else:
        text, encoding = decode(data)
    # Where UTF-8 as it came starts (what the text would encode back to): spares encoding the text again.
    start = utf8 if utf8 is not None else 3 if encoding == "utf-8-sig" else 0 if encoding == "utf-8" else None
    problems: list[tuple[int, str, str]] = []
    if "\x00" in text:
        text = _strip_nuls(text, problems)
    delim = sniff_delimiter(text)
    ascii_compatible = not encoding.startswith("utf-16")
    try:
        if start is not None:
            check_width(data, delim, label, start)
        else:
            check_width(data if ascii_compatible else text.encode("utf-8"), delim, label)
    except InputError:
        if proven_by_arrow:
            raise _NotProven from None
        raise
    grid = Grid(file=label, sheet=None, rows=[], encoding=encoding)
    grid.notes.append(f"read as CSV, encoding {encoding}, delimiter {delim!r}")
    if encoding not in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):      # guessed, or bytes replaced: say so
        grid.remarks.append(f"read as text in {encoding}")
    width = _width(text, delim)
    body, at = (data, start) if start is not None and not problems else (text.encode("utf-8"), 0)
    frame = _arrow(body, at, delim, width)
    if frame is None and proven_by_arrow:
        raise _NotProven
    frame = frame if frame is not None else _pandas(body[at:], delim, width)
    if frame is None:
        rows = _careful(text if utf8 is None else data[utf8:].decode("utf-8"), delim, width, problems)
        grid.frame = pd.DataFrame(rows, dtype="str") if rows else pd.DataFrame()
        if len(grid.frame.columns):
            grid.frame.columns = range(len(grid.frame.columns))
            grid.frame = grid.frame.fillna("")
    else:
        grid.frame = frame
    grid.problems = problems
    return grid


def _utf8_unchecked(data: bytes) -> int | None:
    """Where the bytes after any UTF-8 BOM start, not yet checked to be UTF-8, when Arrow's parse can prove
    them so:
    it checks every cell's UTF-8 and every other byte is an ASCII delimiter or line end. Not with a quote
    (a quote taken out of a cell may join the halves of a broken character), a NUL (not UTF-8 as ``decode``
    finds it), UTF-16, or a head that is not UTF-8 (a GBK file would be parsed twice). Checking the whole file first cost 0.35 s of the 1,000,000-customer folder's read."""
    start = _after_bom(data)
    if not start and (data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data)):
        return None
    if b"\x00" in data or b'"' in data or not _utf8_head(data, start):      # (the BOM holds neither)
        return None
    return start


def _after_bom(data: bytes) -> int:
    """Where the text starts: after a UTF-8 BOM (3), else at 0."""
    return 3 if data.startswith(b"\xef\xbb\xbf") else 0


def _utf8_head(data: bytes, start: int) -> bool:
    """Whether the first ``UTF8_HEAD_BYTES`` bytes from ``start`` are UTF-8 (a character cut at their end
    counts as such)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[start:start + UTF8_HEAD_BYTES], final=False)
    except UnicodeDecodeError:
        return False
    return True


def _valid_utf8(data: bytes) -> int | None:
    """Where the bytes after any UTF-8 BOM start when they are valid UTF-8 without NULs (as ``decode`` would
    find them: not UTF-16, whose ASCII leaves NULs), validated by Arrow without a Python string; else None."""
    start = _after_bom(data)
    if not start and (data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data)):
        return None
    if b"\x00" in data:
        return None
    offsets = pa.py_buffer(np.array([0, len(data) - start], dtype=np.int64))
    try:
        text = pa.py_buffer(data).slice(start)
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, text]).validate(full=True)
    except pa.ArrowInvalid:
        return None
    return start


def _head(data: bytes, start: int) -> str:
    """The first ``_SNIFF_CHARS`` characters of valid UTF-8 from ``start`` (a character is at most four bytes)."""
    return data[start:start + 4 * _SNIFF_CHARS + 4].decode("utf-8", errors="ignore")[:_SNIFF_CHARS]


def _strip_nuls(text: str, problems: list[tuple[int, str, str]]) -> str:
    for row0, line in enumerate(text.split("\n")):
        if "\x00" in line:
            problems.append((row0, "nul_byte", "the row holds NUL bytes (a damaged export); they were removed"))
    return text.replace("\x00", "")


_QUOTED = re.compile(rb'"[^"]*"')


def check_width(raw: bytes, delim: str, label: str, start: int = 0) -> None:
    """Refuse text with a line of more fields than ``MAX_COLUMNS``, in one pass before any parser.

    ``raw`` from ``start`` is the text in an ASCII-compatible encoding (line ends and delimiters are single
    bytes). Only lines at least ``MAX_COLUMNS`` bytes long can hold that many fields; those few have their
    delimiters outside quotes counted."""
    if len(raw) - start < MAX_COLUMNS or not _may_hold_long_line(raw, start):
        return
    array = np.frombuffer(raw, dtype=np.uint8, offset=start)
    ends = _line_ends(array)
    starts = np.concatenate(([0], ends + 1)) + start
    stops = np.concatenate((ends, [len(array)])) + start
    long_lines = np.flatnonzero(stops - starts >= MAX_COLUMNS)
    for line in long_lines:
        fields = _QUOTED.sub(b"", raw[starts[line]:stops[line]]).count(delim.encode()) + 1
        if fields > MAX_COLUMNS:
            number = int(np.count_nonzero(array[:starts[line] - start] == ord("\n")) or line) + 1
            raise InputError(label, f"refused: line {number:,} holds {fields:,} fields; a sheet has at most "
                             f"{MAX_COLUMNS:,} columns, so this is not a table")


def _may_hold_long_line(raw: bytes, start: int = 0) -> bool:
    """Whether some stretch of ``MAX_COLUMNS // 2`` bytes, at a multiple of that from ``start``, holds no line
    end: a line of ``MAX_COLUMNS`` bytes or more holds such a stretch whole, so without one no line is that
    long. Each ``find`` stops at its stretch's first line end (a ledger's line is some hundred bytes): 1,000,000 CSV
    customers (133 MB), 0.050 -> 0.002 s CPU against finding every line end first (min of 5)."""
    step = MAX_COLUMNS // 2
    for at in range(start, len(raw) - step + 1, step):
        if raw.find(b"\n", at, at + step) < 0 and raw.find(b"\r", at, at + step) < 0:
            return True
    return False


_BLOCK = 1 << 22


def _line_ends(array: np.ndarray) -> np.ndarray:
    """Positions of every CR and LF byte, a block at a time: whole-file masks were three temporaries the
    size of the file (400 MB for a million-customer list, the read's peak) and slow to fault in."""
    parts = [np.zeros(0, dtype=np.intp)]
    for start in range(0, len(array), _BLOCK):
        block = array[start:start + _BLOCK]
        parts.append(np.flatnonzero((block == ord("\n")) | (block == ord("\r"))) + start)
    return np.concatenate(parts)


def _width(text: str, delim: str) -> int:
    """The table's width: that of its first line at least as wide as the most common field count of the
    first rows (the widest count when none stands out). Title rows above the header are narrower and
    skipped; the header's width holds for the rows under it, as a CSV reader takes a header's: a row
    shorter than it has empty cells at its end (Excel leaves out a row's trailing empty fields past the
    first rows; a header may name columns no row fills), a row wider is broken (ragged_row)."""
    reader = csv.reader(io.StringIO(text[:_SNIFF_CHARS], newline=""), delimiter=delim)
    widths: list[int] = []
    try:
        for i, row in enumerate(reader):
            if len(row) > 1:
                widths.append(len(row))
            if i > 200:
                break
    except csv.Error:
        pass
    if not widths:
        return 1
    counts = Counter(widths)
    top = max(counts.values())
    common = max(n for n, c in counts.items() if c == top)
    return next(n for n in widths if n >= common)


def _without_empty_tail(table: pa.Table) -> pa.Table:
    """The table without the columns at its right end that are empty on every row (a line of trailing
    delimiters: Excel writes one per formatted column); positions of the others do not change."""
    keep = table.num_columns
    while keep > 1 and not pc.any(pc.not_equal(table.column(keep - 1), "")).as_py():
        keep -= 1
    return table if keep == table.num_columns else table.select(range(keep))


def _arrow(data: bytes, start: int, delim: str, width: int) -> pd.DataFrame | None:
    """The whole table of ``data`` from ``start`` in one go when every row has the table's width: Arrow's
    CSV reader (several times faster than pandas', and its strings need no conversion); None when it
    cannot (ragged rows, blank lines, a cell not UTF-8). Arrow reads the bytes in place (a BytesIO of them
    was read through Python: 0.02-0.03 s more CPU for 1,000,000 customers)."""
    names = [str(j) for j in range(width)]
    # A line end inside a value needs a quote around it: without quotes Arrow may split blocks at any line end.
    quoted = data.find(b'"', start) >= 0
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=True, block_size=ARROW_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(delimiter=delim, newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                  check_utf8=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    table = _without_empty_tail(table)
    frame = table.to_pandas(types_mapper=AS_STR.get)
    frame.columns = range(table.num_columns)
    return frame


def _pandas(data: bytes, delim: str, width: int) -> pd.DataFrame | None:
    """What Arrow's reader could not read, by pandas' C reader (it takes blank lines); None when it cannot
    either, for the careful row-by-row reading."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=delim, header=None, names=range(width), dtype="str", encoding="utf-8",
            keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
            quoting=csv.QUOTE_MINIMAL, on_bad_lines="error",
        )
    except (pd.errors.ParserError, ValueError, csv.Error):
        return None
    # A first line wider than the table does not fail: pandas takes its extra leading fields for an index
    # (its "implicit index"), shifting every row's cells (index_col=False would drop the extra fields in
    # silence instead). The careful reading reports such a row (ragged_row) and keeps the others' cells in place.
    return frame if isinstance(frame.index, pd.RangeIndex) else None


def _careful(text: str, delim: str, width: int, problems: list[tuple[int, str, str]]) -> list[list[str]]:
    """Row by row: a row wider than the header is kept whole and reported; an open quote is reported."""
    lines = io.StringIO(text, newline="").readlines()     # split at \r\n, \n and \r only, as a CSV parser
    rows: list[list[str]] = []
    i = 0
    while i < len(lines):
        record, used = _record(lines, i, delim)
        if record is None:
            problems.append((len(rows), "unbalanced_quote",
                             "a quote opened in this row is never closed; the row was read without quoting"))
            record = _split(lines[i], delim)
            used = 1
        if len(record) > width:
            problems.append((len(rows), "ragged_row",
                             f"the row has {len(record)} fields, more than the {width} columns of the table"))
            record = record[:width]
        rows.append(record + [""] * (width - len(record)))
        i += used
    return rows


def _record(lines: list[str], start: int, delim: str, max_lines: int = 50) -> tuple[list[str] | None, int]:
    """Parse one CSV record starting at ``lines[start]``; None when its quote never closes."""
    chunk = ""
    for used in range(1, min(max_lines, len(lines) - start) + 1):
        chunk += lines[start + used - 1]
        if chunk.count('"') % 2 == 0:
            try:
                return next(csv.reader(io.StringIO(chunk, newline=""), delimiter=delim, strict=True), []), used
            except csv.Error:        # a quote in the middle of a field: read the record as plain text
                return _split(chunk, delim), used
    return None, 1


def _split(text: str, delim: str) -> list[str]:
    """A record without quoting: quotes dropped, split at every delimiter (never fails)."""
    return text.rstrip("\r\n").replace('"', "").split(delim)
