"""Worksheet rows as XML, built a whole column at a time.

Writing a workbook cell by cell costs a Python call per cell: minutes for a
million customers. Here each column is prepared once (numbers as their
shortest round-trip text, dates as Excel serials, text escaped for XML), and
for each chunk of rows every cell and every ``<row>`` element is made by
Arrow's element-wise string join, so Python runs per column and per chunk,
never per cell. Text is always an inline string (never a formula); numbers and
dates are numbers with a style; blank cells are left out.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.io.ahead import early
from branchkit.io.display import NUMERIC_FORMATS
from branchkit.io.excel import EXCEL_EPOCH, NOT_XML_CHARS
from branchkit.io.xlsxtext import any_byte, any_edge_space, offsets_and_data, repeated_texts
from branchkit.text import column_letters

_EXCEL_EPOCH = np.datetime64(EXCEL_EPOCH, "s")
#: Characters XML 1.0 forbids (control characters other than tab, LF, CR; U+FFFE/U+FFFF).
_ILLEGAL = f"[{NOT_XML_CHARS}]"
#: Rows joined at a time: a chunk of the allocation sheet is ~5 MB of XML, and a few are in flight at
#: once (one joined early, one being cut, a few queued for the deflate); 20,000 held ~50 MB more at 200k.
CHUNK_ROWS = 5_000
#: Rows of a big table whose cells are prepared at a time when its sheet is written (whole chunks, so the
#: XML comes in the same pieces; ~12 MB of cells at 24 columns, two blocks held). Their one worker, busy
#: through the write at 1,048,575 customers, pays per block and column: the three big frames' cells took
#: 3.98 s of CPU at 10,000 rows, 3.27 s at 20,000, 2.65 s at 40,000. Peak RSS of allocate, 200,000
#: customers to xlsx: 498 MB at 10,000 rows, 518 MB at 20,000, 540 MB at 30,000 (goal: under 600 MB).
BLOCK_ROWS = 4 * CHUNK_ROWS


def _strings(values: pd.Series) -> pa.Array:
    array = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def xml_escape(text: pa.Array) -> pa.Array:
    """Text escaped for XML: & < > replaced, characters XML forbids dropped, ``_xHHHH_`` kept literal."""
    if not any_byte(text, _SPECIAL_BYTES):          # ids, codes, names: mostly nothing to do
        return text
    if pc.any(pc.match_substring_regex(text, _ILLEGAL)).as_py():
        text = pc.replace_substring_regex(text, _ILLEGAL, "")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return _escape_x_sequences(text)


_SPECIAL = f"[{NOT_XML_CHARS}&<>_]"
#: The bytes of the ASCII characters ``_SPECIAL`` matches, by byte value (its other two, U+FFFE and U+FFFF,
#: ``any_byte`` finds by their UTF-8): looked up in a text's bytes, not matched text by text (a text
#: column of 10,000 rows: 0.5 ms by the regex, 0.1 ms by its bytes).
_SPECIAL_BYTES = np.array([b < 0x80 and re.fullmatch(_SPECIAL, chr(b)) is not None for b in range(256)])
#: Excel reads ``_xHHHH_`` in cell text as the character U+HHHH (``_x003D_1+1`` shows as ``=1+1``); an
#: underscore written as ``_x005F_`` before such a sequence keeps it literal (ECMA-376 Part 1, 22.9.2.19).
_X_SEQUENCE = "_x[0-9A-Fa-f]{4}_"
_X_UNDERSCORE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def _escape_x_sequences(text: pa.Array) -> pa.Array:
    """``_x005F_`` before every underscore that starts an ``_xHHHH_`` sequence.

    Sequences can share an underscore (``_x0041_x0042_``: both are read), which takes a look-ahead that
    Arrow's regular expressions lack; such text is rare, so the few cells holding it are fixed in Python.
    """
    hits = pc.match_substring_regex(text, _X_SEQUENCE)
    if not pc.any(hits).as_py():
        return text
    hits = hits.fill_null(False)
    fixed = [_X_UNDERSCORE.sub("_x005F_", value) for value in text.filter(hits).to_pylist()]
    return pc.replace_with_mask(text, hits, pa.array(fixed, type=text.type))


def number_text(numbers: np.ndarray) -> pa.Array:
    """Floats as their shortest round-trip text; NaN and infinities as null (a blank cell)."""
    numbers = np.asarray(numbers, dtype="float64")
    array = pa.array(numbers, mask=~np.isfinite(numbers))
    return pc.cast(array, pa.large_string())


def date_serials(values: pd.Series) -> np.ndarray:
    """The days of dates (or of ISO date text) as Excel serial numbers of the 1900 date system; NaN where
    missing. A date's time of day is dropped, as its ISO text drops it."""
    days = pd.to_datetime(values, errors="coerce").astype("datetime64[s]").to_numpy().astype("datetime64[D]")
    return (days - _EXCEL_EPOCH) / np.timedelta64(1, "D")


@dataclass
class Column:
    """One column ready to be cut into cells: its letter, its content and its cell style(s)."""

    letter: str
    kind: str                       # "number", "text", or "blank" (only empty cells with their style)
    values: pa.Array                # number text or escaped text (see ``flat``); null = blank cell
    style: int
    styles: pa.Array | None = None  # per-cell style index as text (coloured cells), else None
    name: str = ""
    fmt: str = "text"
    keep_blank: bool = False        # a null value is still written, as an empty cell with its style (a box)

    @property
    def codes(self) -> pa.Array | None:
        """A text column of few distinct values (``values`` a dictionary array, see ``repeated``): each
        cell's index into ``words``; a cell's tail is then made once per distinct text and taken."""
        return self.values.indices if pa.types.is_dictionary(self.values.type) else None

    @property
    def words(self) -> pa.Array | None:
        """The distinct texts (escaped) of a column of few distinct values, else None."""
        return self.values.dictionary if pa.types.is_dictionary(self.values.type) else None

    def slice(self, start: int, count: int) -> Column:
        styles = self.styles.slice(start, count) if self.styles is not None else None
        return replace(self, values=self.values.slice(start, count), styles=styles)

    def tail(self, start: int, stop: int) -> str | pa.Array:
        """What follows ``<c r="A12`` in each cell of rows ``start`` to ``stop``: the same for every row,
        so it is made without the row numbers (text, for a column of empty boxes); null where no cell
        is written."""
        if self.kind == "blank":
            return f'" s="{self.style}"/>'
        if self.codes is not None and self.styles is None and self.kind == "text":
            # Each distinct text's tail made once (a few hundred joins, not thousands) and taken per cell.
            once = replace(self, values=self.words, keep_blank=False)
            tails = once.tail(0, len(self.words)).take(self.codes.slice(start, stop - start))
            if self.keep_blank:
                return pc.if_else(pc.is_null(tails), pa.scalar(f'" s="{self.style}"/>', pa.large_string()), tails)
            return tails
        values = flat(self.values.slice(start, stop - start))
        if self.styles is None:
            middle = [f'" s="{self.style}"']
        else:
            middle = ['" s="', self.styles.slice(start, stop - start), '"']
        if self.kind == "number":
            parts = [*middle, "><v>", values, "</v></c>"]
        else:
            # xml:space="preserve" only where the text starts or ends with white space (it would be
            # trimmed otherwise): most cells go without its 21 bytes.
            text_open: str | pa.Array = ' t="inlineStr"><is><t>'
            if any_edge_space(values):
                edges = pc.match_substring_regex(values, r"^\s|\s$")
                text_open = pc.if_else(edges, pa.scalar(' t="inlineStr"><is><t xml:space="preserve">',
                                                        pa.large_string()), pa.scalar(text_open, pa.large_string()))
            parts = [*middle, text_open, values, "</t></is></c>"]
        tails = join(*parts)
        if self.keep_blank:
            return pc.if_else(pc.is_null(values), pa.scalar(f'" s="{self.style}"/>', pa.large_string()), tails)
        if self.styles is None:
            return tails
        # A coloured cell without a value (a rest day on a Gantt) is still written, for its colour.
        styles = self.styles.slice(start, stop - start)
        coloured = pc.and_(pc.is_null(values), pc.not_equal(styles, pa.scalar(str(self.style), pa.large_string())))
        return pc.if_else(coloured, join('" s="', styles, '"/>'), tails)


def row_xml(columns: list[Column], rows: pa.Array, start: int, stop: int, close: str) -> pa.Array:
    """The ``<row>`` elements of rows ``start`` to ``stop`` of ``columns`` (their row numbers as text in
    ``rows``), in one element-wise join: a cell is its column's letter, its row number and its tail;
    only a column with cells left out (null tails) is joined on its own first."""
    parts: list[str | pa.Array] = ['<row r="', rows, close]
    for column in columns:
        tail = column.tail(start, stop)
        if isinstance(tail, pa.Array) and tail.null_count:
            parts.append(join(f'<c r="{column.letter}', rows, tail))
        else:
            parts += [f'<c r="{column.letter}', rows, tail]
    parts.append("</row>")
    merged: list[str | pa.Array] = []
    for part in parts:              # adjacent text made one literal: fewer pieces for Arrow to copy
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return join(*merged, blanks_as_empty=True)


def prepare(values: pd.Series, fmt: str, letter: str, style: int,
            words: tuple[str, str] = ("是", "否")) -> Column:
    """A machine-frame column (see ``io.display.machine_frame``) as a ``Column``."""
    name = str(values.name)
    if fmt in NUMERIC_FORMATS:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        return Column(letter, "number", number_text(numbers), style, None, name, fmt)
    if fmt == "date":
        return Column(letter, "number", number_text(date_serials(values)), style, None, name, fmt)
    if fmt == "bool":
        flags = pa.array(values.astype("boolean"))         # a null flag is a null cell (if_else keeps it)
        text = pc.if_else(flags, pa.scalar(words[0], pa.large_string()), pa.scalar(words[1], pa.large_string()))
        return repeated(Column(letter, "text", text, style, None, name, fmt))
    text = _strings(values)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)
    return repeated(Column(letter, "text", text, style, None, name, fmt))


def repeated(column: Column) -> Column:
    """A text column (``values`` not yet escaped) made ready: escaped, and with few distinct values (branch
    names, keepers, codes as words) escaped once per distinct value and kept as a dictionary array (its
    ``codes`` into its ``words``), so that each cell's XML is made once per distinct value. Either way
    ``values`` holds every cell's text escaped, the same text (``flat`` gives it cell by cell)."""
    encoded = repeated_texts(column.values)
    if encoded is None:
        return replace(column, values=xml_escape(column.values))
    words = xml_escape(encoded.dictionary)
    # No cell's text made (20,000 words taken a coded column a block: ~0.25 s of cells CPU at 1M rows).
    return replace(column, values=pa.DictionaryArray.from_arrays(encoded.indices, words))


def flat(values: pa.Array) -> pa.Array:
    """A column's ``values`` as one text per cell (a dictionary array's words taken per cell)."""
    return values.dictionary.take(values.indices) if pa.types.is_dictionary(values.type) else values


def join(*parts: str | pa.Array, blanks_as_empty: bool = False, separator: str = "") -> pa.Array:
    """Element-wise concatenation of arrays and literal text; a null part makes the result null,
    or counts as empty text with ``blanks_as_empty``."""
    large = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    options = {"null_handling": "replace", "null_replacement": ""} if blanks_as_empty else {}
    return pc.binary_join_element_wise(*large, pa.scalar(separator, pa.large_string()), **options)


def row_chunks(columns: list[Column], top: int, count: int, height: float | None = None) -> Iterator[memoryview]:
    """The ``<row>`` elements of ``count`` rows starting at 0-based sheet row ``top``, as UTF-8 chunks;
    ``height`` (points) fixes every row's height. The next chunk is joined in a worker (``io.ahead.early``)
    while this one is handed on: Arrow's joins release the GIL, so they overlap the writing."""
    close = '">' if height is None else f'" ht="{height:g}" customHeight="1">'

    def chunk(start: int) -> pa.Array:
        stop = min(start + CHUNK_ROWS, count)
        rows = pc.cast(pa.array(np.arange(top + 1 + start, top + 1 + stop)), pa.large_string())
        return row_xml(columns, rows, start, stop, close)

    if count <= CHUNK_ROWS:
        if count > 0:
            yield concatenated(chunk(0))
        return
    coming = early(chunk, 0)
    for start in range(0, count, CHUNK_ROWS):
        made = coming.result()
        if start + CHUNK_ROWS < count:
            coming = early(chunk, start + CHUNK_ROWS)
        yield concatenated(made)


class RowStream:
    """The ``<row>`` XML of a whole table whose rows go to many places (the pages of every keeper's
    book), built a chunk of rows at a time as they are asked for: Arrow runs per column and chunk,
    never per page, and no more than two chunks are held.

    ``numbers`` gives each row's 0-based sheet row; rows are fetched by ``take(start, count)``, best in
    order: chunks are fixed runs of ``CHUNK_ROWS`` rows, the next one built in a worker
    (``io.ahead.early``) while this one is read; going back rebuilds a chunk."""

    def __init__(self, columns: list[Column] | Callable[[int], tuple[int, list[Column]]], numbers: np.ndarray,
                 height: float | None = None) -> None:
        # ``columns``: the table's, or a function giving the block of rows holding row ``start`` as
        # (its first row, its columns): cells made a block at a time (a block is whole chunks).
        self.columns, self.height = columns, height
        self.numbers = pc.cast(pa.array(np.asarray(numbers, dtype="int64") + 1), pa.large_string())
        self._chunk, self._rows = -1, pa.array([], pa.large_string())
        # The current chunk's row offsets and bytes, read once per chunk: a page is then a slice of them.
        self._offsets, self._data = np.zeros(1, dtype=np.int64), memoryview(b"")
        self._coming: tuple[int, Future] | None = None

    def take(self, start: int, count: int) -> bytes:
        """The XML of rows ``start`` to ``start + count`` of the table."""
        if count <= 0:
            return b""
        size = CHUNK_ROWS
        pieces = []
        for k in range(start // size, (start + count - 1) // size + 1):
            self._rows_of(k)
            first, stop = max(start, k * size) - k * size, min(start + count, (k + 1) * size) - k * size
            pieces.append(self._data[self._offsets[first]:self._offsets[stop]])
        return bytes(pieces[0]) if len(pieces) == 1 else b"".join(pieces)

    def _rows_of(self, k: int) -> pa.Array:
        """Chunk ``k``'s rows, and the next chunk started in the worker."""
        if k != self._chunk:
            size, total = CHUNK_ROWS, len(self.numbers)
            if self._coming is not None and self._coming[0] == k:
                rows = self._coming[1].result()
            else:
                rows = self._build(k * size, min((k + 1) * size, total))
            self._chunk, self._rows = k, rows
            self._offsets, self._data = offsets_and_data(rows)
            following = (k + 1) * size
            self._coming = ((k + 1, early(self._build, following, min(following + size, total)))
                            if following < total else None)
        return self._rows

    def _build(self, start: int, stop: int) -> pa.Array:
        rows = self.numbers.slice(start, stop - start)
        close = '">' if self.height is None else f'" ht="{self.height:g}" customHeight="1">'
        first, columns = self.columns(start) if callable(self.columns) else (0, self.columns)
        joined = row_xml(columns, rows, start - first, stop - first, close)
        return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def concatenated(array: pa.Array) -> memoryview:
    """All strings of a large_string array without nulls, back to back: a view of its data buffer."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not len(array):
        return memoryview(b"")
    offsets, data = offsets_and_data(array)
    return data[offsets[0]:offsets[-1]]


def text_row(top: int, cells: list[tuple[int, str | None, int]], height: float | None = None) -> bytes:
    """One row of text cells: (0-based column, text, style index); a ``None`` text is an empty cell with
    its style (a box of a form to fill in). ``height`` (points) fixes the row's height."""
    return _row_xml(str(top + 1), cells, height).encode("utf-8")


#: Column letters of the first columns, looked up (a keeper's book writes some 170,000 cells one by one).
_LETTERS = [column_letters(j) for j in range(64)]


def _row_xml(number: str, cells: list[tuple[int, str | None, int]], height: float | None) -> str:
    parts = []
    for j, text, style in cells:
        ref = f'<c r="{_LETTERS[j] if j < 64 else column_letters(j)}{number}" s="{style}"'
        if text is None:
            parts.append(ref + "/>")
        else:
            parts.append(f'{ref} t="inlineStr"><is><t xml:space="preserve">{_escape_text(text)}</t></is></c>')
    return _row_open(number, height) + "".join(parts) + "</row>"


def row_template(cells: list[tuple[int, str | None, int]], height: float | None = None) -> Callable[[int], bytes]:
    """``text_row`` for a row that recurs at many places (a header on every page of every book): the XML
    is made once, as UTF-8 pieces around the row number; the function joins them at a 0-based sheet row."""
    # NUL marks where the row number goes: XML cannot hold it, so escaped text never does (it is dropped).
    pieces = _row_xml("\x00", cells, height).encode("utf-8").split(b"\x00")
    return lambda top: str(top + 1).encode("ascii").join(pieces)


def _row_open(number: str, height: float | None) -> str:
    if height is None:
        return f'<row r="{number}">'
    return f'<row r="{number}" ht="{height:g}" customHeight="1">'


_ILLEGAL_CHARS = re.compile(_ILLEGAL)


def _escape_text(text: str) -> str:
    """One text escaped for XML (a few cells of a heading or a form: plain Python is quicker than Arrow)."""
    text = _ILLEGAL_CHARS.sub("", str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _X_UNDERSCORE.sub("_x005F_", text)


@dataclass
class SheetRows:
    """What goes into one worksheet's ``<sheetData>``: producers of row XML, in row order."""

    parts: list[Callable[[], Iterator[bytes]]] = field(default_factory=list)
    last_row: int = 0               # 0-based index of the last row written
    last_col: int = 0
    cells: int = 0

    def add_row(self, top: int, cells: list[tuple[int, str | None, int]], height: float | None = None) -> None:
        row = text_row(top, cells, height)
        self.parts.append(lambda: iter((row,)))
        self._extend(top, max((j for j, _, _ in cells), default=0), len(cells))

    def add_rows(self, columns: list[Column], top: int, count: int, height: float | None = None) -> None:
        if not count or not columns:
            return
        self.parts.append(lambda: row_chunks(columns, top, count, height))
        self._extend(top + count - 1, len(columns) - 1, count * len(columns))

    def add_blocks(self, blocks: Callable[[], Iterator[tuple[int, list[Column]]]], top: int, count: int,
                   width: int, height: float | None = None) -> None:
        """``count`` rows of ``width`` columns from 0-based row ``top``, their cells made only when the
        sheet is written: ``blocks()`` gives the (first row, columns) of blocks of them, in order."""
        if not count or not width:
            return
        self.parts.append(lambda: (chunk for start, columns in blocks()
                                   for chunk in row_chunks(columns, top + start, len(columns[0].values), height)))
        self._extend(top + count - 1, width - 1, count * width)

    def add_template(self, top: int, template: Callable[[int], bytes], last_col: int, cells: int) -> None:
        """A row made by a ``row_template``, at 0-based row ``top``."""
        self.parts.append(lambda: iter((template(top),)))
        self._extend(top, last_col, cells)

    def add_made(self, produce: Callable[[], bytes], last_row: int, last_col: int, cells: int) -> None:
        """Rows made elsewhere (``RowStream.take``), asked for only when the sheet is written."""
        self.parts.append(lambda: iter((produce(),)))
        self._extend(last_row, last_col, cells)

    def add_stream(self, produce: Callable[[], Iterator[bytes]], last_row: int, last_col: int, cells: int) -> None:
        """Many rows in order (a whole book's), as pieces of XML from ``produce()`` when the sheet is written."""
        self.parts.append(produce)
        self._extend(last_row, last_col, cells)

    def _extend(self, row: int, col: int, cells: int) -> None:
        self.last_row = max(self.last_row, row)
        self.last_col = max(self.last_col, col)
        self.cells += cells

    def dimension(self) -> str:
        if not self.parts:
            return "A1"
        return f"A1:{column_letters(self.last_col)}{self.last_row + 1}"

    def chunks(self) -> Iterator[bytes]:
        for part in self.parts:
            yield from part()
