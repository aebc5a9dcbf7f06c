"""HTML tables saved as ".xls" and SpreadsheetML 2003 XML, as core systems export them.

Both are read with the standard library: an HTML parser that follows rowspan
and colspan (so merged cells read as they look), and expat for SpreadsheetML
with DTDs refused before parsing. Neither may make a table much larger than
what the file writes: the cells spans fill are capped (``SPAN_CELLS``), and
so are SpreadsheetML's ss:Index jumps.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.parsers import expat

import numpy as np

from branchkit.errors import InputError
from branchkit.io.csvread import MAX_COLUMNS, decode
from branchkit.io.grid import Grid
from branchkit.io.xlsxshape import EXCEL_ROWS

#: The largest spans HTML allows (colspan 1000, rowspan 65534); larger values count as these.
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534
#: Cells a file's tables may hold once spans are filled in: this many whatever the file, beyond that
#: ``SPAN_RATIO`` times the cells it writes (a name drawn over a column of rows stays far below).
SPAN_CELLS = 1_000_000
SPAN_RATIO = 8
_CELL_TAG = re.compile(r"<t[dh][\s>]", re.IGNORECASE)


class _TableParser(HTMLParser):
    """Collects every <table> as rows of cell texts, expanding spans within ``budget`` cells."""

    def __init__(self, budget: int, label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.budget, self.label = budget, label
        self.cells = 0
        self._stack: list[list[list[str]]] = []
        self._spans: list[dict[int, tuple[int, str]]] = []     # per table: column -> (last row covered, text)
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._cell_span = (1, 1)
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append([])
            self._spans.append({})
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            values = dict(attrs)
            self._cell_span = (_span(values.get("rowspan"), _MAX_ROWSPAN), _span(values.get("colspan"), _MAX_COLSPAN))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None:
            self._close_cell()
        elif tag == "tr" and self._row is not None and self._stack:
            if self._cell is not None:
                self._close_cell()
            table = self._stack[-1]
            self._fill_spans(len(table))
            table.append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
            self._spans.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell.append(data)

    def _close_cell(self) -> None:
        assert self._row is not None and self._cell is not None
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self._cell)).strip()
        table_row = len(self._stack[-1])
        self._fill_spans(table_row)
        rows, cols = self._cell_span
        self._count(rows * cols)
        start = len(self._row)
        self._row.extend([text] * cols)
        if rows > 1:
            for c in range(start, start + cols):
                self._spans[-1][c] = (table_row + rows - 1, text)
        self._cell = None

    def _fill_spans(self, table_row: int) -> None:
        """Cells of this row that a rowspan above covers, at the row's current end."""
        assert self._row is not None
        spans = self._spans[-1]
        while len(self._row) in spans:
            last, text = spans[len(self._row)]
            if last < table_row:
                del spans[len(self._row)]
                continue
            self._row.append(text)
        if len(self._row) > MAX_COLUMNS:
            raise InputError(self.label, f"refused: a table row has {len(self._row):,} cells; a sheet has at most "
                             f"{MAX_COLUMNS:,} columns")

    def _count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self.budget:
            raise InputError(self.label, f"refused: its tables' rowspan and colspan would fill more than "
                             f"{self.budget:,} cells (the most a file may fill: {SPAN_CELLS:,}, or {SPAN_RATIO} "
                             "times the cells it writes); it looks hostile")


def _span(value: str | None, largest: int) -> int:
    try:
        return max(1, min(largest, int(value or 1)))
    except ValueError:
        return 1


def read_html_tables(data: bytes, label: str) -> list[Grid]:
    """One grid per non-empty table (the sheet is named ``table N``)."""
    text, encoding = decode(data)
    written = len(_CELL_TAG.findall(text))
    parser = _TableParser(max(SPAN_CELLS, SPAN_RATIO * written), label)
    parser.feed(text)
    parser.close()
    grids = []
    for i, table in enumerate(t for t in parser.tables if any(any(c for c in r) for r in t)):
        name = None if len(parser.tables) == 1 else f"table {i + 1}"
        grids.append(Grid(file=label, sheet=name, rows=[list(r) for r in table], encoding=encoding))
    if not grids:
        raise InputError(label, "an HTML file without any table")
    return grids


#: SpreadsheetML rows kept in place at the top (header detection looks there); further down, a jump
#: of ss:Index leaves the empty rows out (``Grid.row_at``), so one cell at row 1,048,576 costs one row.
_TOP_ROWS = 1000


class _Sheet:
    """One SpreadsheetML worksheet as it is parsed: its rows with their 0-based sheet row."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[tuple[int, list[str]]] = []
        self.cells = 0                      # cells written, and cells padded before an ss:Index
        self.padded = 0

    def grid(self, label: str) -> Grid:
        last = self.rows[-1][0] if self.rows else -1
        if last < _TOP_ROWS + 2 * len(self.rows):        # dense enough: empty rows as empty lists
            rows: list[list[str]] = [[] for _ in range(last + 1)]
            for row0, cells in self.rows:
                rows[row0] = cells
            return Grid(file=label, sheet=self.name, rows=rows)
        top = {row0: cells for row0, cells in self.rows if row0 < _TOP_ROWS}
        below = [(row0, cells) for row0, cells in self.rows if row0 >= _TOP_ROWS]
        grid = Grid(file=label, sheet=self.name, rows=[top.get(i, []) for i in range(_TOP_ROWS)]
                    + [cells for _, cells in below])
        grid.row_at = np.concatenate((np.arange(_TOP_ROWS), np.array([r for r, _ in below], dtype=np.int64)))
        return grid


def read_spreadsheetml(data: bytes, label: str) -> list[Grid]:
    """SpreadsheetML 2003 (XML "xls"): one grid per worksheet, ss:Index gaps honoured."""
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise InputError(label, "refused: the XML declares entities (a DTD); it can be an entity bomb")
    sheets: list[_Sheet] = []
    state: dict[str, object] = {"cell": None, "row": None}

    def index(attrs: dict[str, str], after: int, largest: int, what: str) -> int:
        value = _attr(attrs, "Index")
        if value is None:
            return after
        try:
            at = int(value) - 1
        except ValueError:
            raise InputError(label, f"damaged SpreadsheetML: {what} index {value!r} is not a number") from None
        if not after <= at < largest:
            raise InputError(label, f"refused: a {what} index {value} lies outside the sheet or goes back "
                             f"(after {after}, at most {largest:,}); the file is damaged or hostile")
        return at

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "Worksheet":
            sheets.append(_Sheet(_attr(attrs, "Name") or f"Sheet{len(sheets) + 1}"))
        elif local == "Row" and sheets:
            sheet = sheets[-1]
            row0 = index(attrs, sheet.rows[-1][0] + 1 if sheet.rows else 0, EXCEL_ROWS, "row")
            state["row"] = []
            sheet.rows.append((row0, state["row"]))  # type: ignore[arg-type]
        elif local == "Cell" and state["row"] is not None:
            row: list = state["row"]  # type: ignore[assignment]
            col = index(attrs, len(row), MAX_COLUMNS, "column")
            sheets[-1].padded += col - len(row)
            sheets[-1].cells += 1
            row.extend([""] * (col - len(row)))
            _within_budget(sheets[-1], label)
            state["cell"] = []

    def end(tag: str) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "Cell" and state["cell"] is not None:
            state["row"].append("".join(state["cell"]).strip())  # type: ignore[union-attr]
            state["cell"] = None
        elif local == "Row":
            state["row"] = None

    def chars(text: str) -> None:
        if state["cell"] is not None:
            state["cell"].append(text)  # type: ignore[union-attr]

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError(label, f"damaged SpreadsheetML (XML) file: {exc}") from None
    return [sheet.grid(label) for sheet in sheets if sheet.rows]


def _within_budget(sheet: _Sheet, label: str) -> None:
    """Cells padded before ss:Index jumps may not outgrow the cells written (as spans may not)."""
    if sheet.padded > max(SPAN_CELLS, SPAN_RATIO * sheet.cells):
        raise InputError(label, f"refused: sheet {sheet.name!r} jumps over {sheet.padded:,} empty cells with "
                         f"ss:Index for {sheet.cells:,} cells written; it looks hostile")


def _attr(attrs: dict[str, str], name: str) -> str | None:
    for key, value in attrs.items():
        if key.rsplit("}", 1)[-1] == name:
            return value
    return None
