"""HTML tables saved as ".xls" and SpreadsheetML 2003 XML, as core systems export them.

Both are read with the standard library: an HTML parser that follows rowspan
and colspan (so merged cells read as they look), and expat for SpreadsheetML
with DTDs refused before parsing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.parsers import expat

from branchkit.errors import InputError
from branchkit.io.csvread import decode
from branchkit.io.grid import Grid

_MAX_SPAN = 1000


class _TableParser(HTMLParser):
    """Collects every <table> as rows of cell texts, expanding spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []
        self._spans: list[dict[tuple[int, int], str]] = []
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
            self._cell_span = (_span(values.get("rowspan")), _span(values.get("colspan")))
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
            table, spans = self._stack[-1], self._spans[-1]
            self._fill_spans(len(table), spans)
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
        spans = self._spans[-1]
        self._fill_spans(table_row, spans)
        rows, cols = self._cell_span
        start = len(self._row)
        for c in range(cols):
            self._row.append(text)
            for r in range(1, rows):
                spans[(table_row + r, start + c)] = text
        self._cell = None

    def _fill_spans(self, table_row: int, spans: dict[tuple[int, int], str]) -> None:
        assert self._row is not None
        while (table_row, len(self._row)) in spans:
            self._row.append(spans.pop((table_row, len(self._row))))


def _span(value: str | None) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(value or 1)))
    except ValueError:
        return 1


def read_html_tables(data: bytes, label: str) -> list[Grid]:
    """One grid per non-empty table (the sheet is named ``table N``)."""
    text, encoding = decode(data)
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    grids = []
    for i, table in enumerate(t for t in parser.tables if any(any(c for c in r) for r in t)):
        name = None if len(parser.tables) == 1 else f"table {i + 1}"
        grids.append(Grid(file=label, sheet=name, rows=[list(r) for r in table], encoding=encoding))
    if not grids:
        raise InputError(label, "an HTML file without any table")
    return grids


def read_spreadsheetml(data: bytes, label: str) -> list[Grid]:
    """SpreadsheetML 2003 (XML "xls"): one grid per worksheet, ss:Index gaps honoured."""
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise InputError(label, "refused: the XML declares entities (a DTD); it can be an entity bomb")
    grids: list[Grid] = []
    state: dict[str, object] = {"cell": None, "row": None, "col": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1]
        if local == "Worksheet":
            grids.append(Grid(file=label, sheet=_attr(attrs, "Name") or f"Sheet{len(grids) + 1}", rows=[]))
        elif local == "Row" and grids:
            index = _attr(attrs, "Index")
            while index and len(grids[-1].rows) < int(index) - 1:
                grids[-1].rows.append([])
            state["row"] = []
            grids[-1].rows.append(state["row"])  # type: ignore[arg-type]
        elif local == "Cell" and state["row"] is not None:
            row: list = state["row"]  # type: ignore[assignment]
            index = _attr(attrs, "Index")
            while index and len(row) < int(index) - 1:
                row.append("")
            state["cell"] = []
        elif local == "Data":
            state["data"] = True

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
    return [g for g in grids if g.rows]


def _attr(attrs: dict[str, str], name: str) -> str | None:
    for key, value in attrs.items():
        if key.rsplit("}", 1)[-1] == name:
            return value
    return None
