"""Printed books (``io.book.Book``, a keeper's 台账) in a workbook, one sheet each: the cover, the
contents, then every part a page at a time under its title and header row, with a page break
before each page, fixed line heights, and boxes drawn round every cell (including the empty ones
to fill in by hand).

A large network has thousands of books. Their tables are cut from a few whole frames
(``Table.part_of``) or shared by every book (the weekly form); the row XML of a whole frame is made
once, a chunk at a time, with each row's place in its own book (``xlsxrows.RowStream``), and each
page takes its slice. Only the cover, contents, titles and header rows are made row by row.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import numpy as np
import pyarrow as pa

from branchkit.io.ahead import early
from branchkit.io.book import (CONTENTS_LABELS, CONTENTS_SPANS, CONTENTS_TITLE, CONTINUED, HEADER_POINTS, TITLE_POINTS,
                               Book, BookPart)
from branchkit.io.display import NUMERIC_FORMATS
from branchkit.io.tables import Table
from branchkit.io.xlsxpage import PageHead, setup_page
from branchkit.io.xlsxrows import BLOCK_ROWS, Column, RowStream, SheetRows, row_template, text_row
from branchkit.io.xlsxstyles import CellFormats
from branchkit.text import column_letters

#: Row heights (points) of the cover: three spacers, the title, a gap, then one per line.
_COVER = [40.0, 40.0, 40.0, 60.0, 30.0]
_COVER_LINE = 30.0
#: The contents page: title, gap, header, one line per part.
_CONTENTS = [40.0, 20.0, 24.0]
_CONTENTS_LINE = 24.0
_BORDER = {"top": 1, "bottom": 1}
_EDGES = {"single": {"left": 1, "right": 1}, "left": {"left": 1}, "mid": {}, "right": {"right": 1}}


@dataclass
class _Page:
    """One page of a part: the sheet row of its title, and the lines of the part it holds."""

    row: int
    start: int
    count: int


@dataclass
class _Layout:
    """Where a book's rows go: the first row of every page after the first, and each part's pages."""

    breaks: list[int] = field(default_factory=list)
    pages: list[list[_Page]] = field(default_factory=list)
    contents_row: int = 0


def layout(book: Book) -> _Layout:
    """The sheet rows of a book's cover, contents and parts' pages."""
    out = _Layout()
    row = len(_COVER) + len(book.cover)
    out.breaks.append(row)
    out.contents_row = row
    row += len(_CONTENTS) + len(book.parts)
    for part in book.parts:
        pages = []
        for start, count in part.page_rows():
            out.breaks.append(row)
            pages.append(_Page(row, start, count))
            row += 2 + count
        out.pages.append(pages)
    return out


class _BookRows:
    """A book's rows in order, each made only when the sheet is written (in the thread making rows
    ahead of the compressor): one part of the sheet's ``SheetRows`` instead of one per row. Each row
    is still its own piece, so the sheet is cut into the same pieces as row by row."""

    def __init__(self) -> None:
        self.items: list[tuple[Callable, tuple]] = []
        self.last_row = self.last_col = self.cells = 0

    def add_row(self, top: int, cells: list[tuple[int, str | None, int]], height: float | None = None) -> None:
        self.items.append((text_row, (top, cells, height)))
        self._extend(top, max((j for j, _, _ in cells), default=0), len(cells))

    def add_template(self, top: int, template: Callable[[int], bytes], last_col: int, cells: int) -> None:
        self.items.append((template, (top,)))
        self._extend(top, last_col, cells)

    def add_pages(self, produce: Callable[[], Iterator[bytes]], last_row: int, last_col: int, cells: int) -> None:
        """Rows given as pieces by ``produce()`` (a part's pages, laid out only when the sheet is written)."""
        self.items.append((produce, None))
        self._extend(last_row, last_col, cells)

    def _extend(self, row: int, col: int, cells: int) -> None:
        if row > self.last_row:
            self.last_row = row
        if col > self.last_col:
            self.last_col = col
        self.cells += cells

    def produce(self) -> Iterator[bytes]:
        """The rows' XML, one piece a row (a page's lines are one piece)."""
        for make, args in self.items:
            if args is None:
                yield from make()
            else:
                yield make(*args)


class BookWriter:
    """Writes the books of one workbook; ``prepare(table)`` gives a whole table's ``Column``s."""

    def __init__(self, books: list[Book], styles: CellFormats, lang: str,
                 prepare: Callable[[Table], list[Column]]) -> None:
        self.styles, self.lang, self._prepare = styles, lang, prepare
        self.layouts = {id(book): layout(book) for book in books}
        # A whole frame's cells are prepared when its rows are first written (in the thread making rows),
        # not before the package is written: by then the other sheets' cells are let go.
        self._plans: dict[int, tuple[Table, list[tuple[str | None, str, str, int]]]] = {}
        self._columns: dict[int, list[Column]] = {}
        self._numbers: dict[int, tuple[BookPart, np.ndarray]] = {}
        self._streams: dict[int, RowStream] = {}
        self._fixed: dict[tuple, bytes] = {}
        self._made: dict[tuple, object] = {}        # style indexes and row templates, made once
        for book in books:
            for part, pages in zip(book.parts, self.layouts[id(book)].pages):
                whole, offset = _whole(part.table)
                key = id(whole)
                if key not in self._plans:
                    plan = self._grid_plan(part, book.grid)
                    # Only the columns whose values are written are prepared: an empty box shows none.
                    # 1,048,575 customers: the follow-up record's six boxes were half its cells' CPU.
                    shown = [name for name, _, kind, _ in plan if name is not None and kind != "blank"]
                    self._plans[key] = (replace(part.table, frame=whole[shown], part_of=None), plan)
                if part.table.part_of is not None:
                    if key not in self._numbers:       # one array per whole frame, not one made per book
                        self._numbers[key] = (part, np.zeros(len(whole), dtype="int64"))
                    numbers = self._numbers[key][1]
                    for page in pages:
                        at = offset + page.start
                        numbers[at:at + page.count] = np.arange(page.row + 2, page.row + 2 + page.count)

    def write(self, sheet, book: Book) -> SheetRows:
        """One book's sheet: widths, rows (into ``sheet.rows``), page breaks and print settings."""
        rows, plan = _BookRows(), self.layouts[id(book)]
        for j, width in enumerate(book.grid):
            sheet.set_column(j, j, width)
        self._cover(rows, book)
        self._contents(rows, book, plan.contents_row)
        for part, pages in zip(book.parts, plan.pages):
            self._pages(rows, part, pages)
        sheet.rows.add_stream(rows.produce, rows.last_row, rows.last_col, rows.cells)
        head = PageHead(book.scope, f"{book.heading(self.lang)} · {book.owner(self.lang)}", book.period, self.lang,
                        pages=book.page_count)
        setup_page(sheet, head, book.grid, breaks=plan.breaks, first_page=1, gridlines=False, landscape=True)
        return sheet.rows

    # --- the cover and the contents ---------------------------------------------------------------

    def _cover(self, rows: _BookRows, book: Book) -> None:
        last = len(book.grid) - 1
        for r, height in enumerate(_COVER):
            row = self._template(("cover", r, book.heading(self.lang) if r == 3 else "", last), lambda: (
                [(0, book.heading(self.lang), self._style("cover_title"))] + self._across(1, last, "cover_title")
                if r == 3 else [], height))
            rows.add_template(r, row, last, last + 1)
        across = self._made.get(("across", last)) or self._made.setdefault(("across", last),
                                                                            self._across(1, last, "cover_line"))
        line = self._style("cover_line")
        for i, (label, value) in enumerate(book.cover_lines(self.lang)):
            text = f"{label}：{value}" if self.lang == "zh" else f"{label}: {value}"
            rows.add_row(len(_COVER) + i, [(0, text, line), *across], _COVER_LINE)

    def _across(self, first: int, last: int, kind: str) -> list[tuple[int, str | None, int]]:
        """Empty cells a centred text is centred across."""
        return [(j, None, self._style(kind)) for j in range(first, last + 1)]

    def _contents(self, rows: _BookRows, book: Book, top: int) -> None:
        last = len(book.grid) - 1
        title = self._template(("contents_title", last), lambda: (
            [(0, CONTENTS_TITLE[self.lang], self._style("contents_title"))] + self._across(1, last, "contents_title"),
            _CONTENTS[0]))
        rows.add_template(top, title, last, last + 1)
        rows.add_row(top + 1, [], _CONTENTS[1])
        header = self._template(("contents_header",), lambda: (
            self._spanned(CONTENTS_LABELS[self.lang], CONTENTS_SPANS, header=True), _CONTENTS[2]))
        rows.add_template(top + 2, header, sum(CONTENTS_SPANS) - 1, sum(CONTENTS_SPANS))
        # A contents line is made once per distinct (number, part, pages): most books' lines are alike.
        for i, entry in enumerate(book.contents(self.lang)):
            line = self._template(("contents_line", *entry), lambda entry=entry: (
                self._spanned(entry, CONTENTS_SPANS, header=False), _CONTENTS_LINE))
            rows.add_template(top + 3 + i, line, sum(CONTENTS_SPANS) - 1, sum(CONTENTS_SPANS))

    def _spanned(self, texts, spans, header: bool) -> list[tuple[int, str | None, int]]:
        cells, j = [], 0
        for text, span in zip(texts, spans):
            for k in range(span):
                edge = _edge(k, span)
                style = self._header(edge) if header else self._box("text", edge, centred=k == 0 and span < 3)
                cells.append((j + k, text if k == 0 else None, style))
            j += span
        return cells

    # --- a part's page ------------------------------------------------------------------------------

    def _pages(self, rows: _BookRows, part: BookPart, pages: list[_Page]) -> None:
        """A part's pages: each its title (继续 after the first), header row and slice of lines. What is
        the same on every page (its templates, and so its styles) is made here, once per part; the pages
        themselves are laid out when the sheet is written (``_page_rows``, in the thread making rows ahead
        of the compressor): a network has tens of thousands of pages, whose loop in this thread was the
        command's alone (200,000 customers: 0.57 s of CPU in 1,567 books, nothing else running)."""
        table = part.table
        titles = [self._template(("title", table.key, table.title(self.lang), continued), lambda c=continued: (
            [(0, table.title(self.lang) + (CONTINUED[self.lang] if c else ""), self._style("part_title"))],
            TITLE_POINTS)) for continued in (False, True)]
        whole, offset = _whole(table)
        header, width = self._made.get(("header", id(whole))) or self._header_row(part, whole)
        count = len(self._plans[id(whole)][1])
        lines = sum(page.count for page in pages)
        last = pages[-1]
        rows.add_pages(lambda: self._page_rows(part, pages, titles, header, whole, offset),
                       last.row + 1 + last.count, max(width - 1, count - 1 if lines else 0),
                       len(pages) * (1 + width) + lines * count)

    def _page_rows(self, part: BookPart, pages: list[_Page], titles: list, header: Callable[[int], bytes], whole,
                   offset: int) -> Iterator[bytes]:
        """The rows of a part's pages, one piece a row (a page's lines are one piece)."""
        key = id(whole)
        streamed = key in self._numbers
        for i, page in enumerate(pages):
            yield titles[i > 0](page.row)
            yield header(page.row + 1)
            if not page.count:
                continue
            if streamed:
                yield self._stream(key).take(offset + page.start, page.count)
                continue
            fixed = (key, page.row, page.start, page.count)
            if fixed not in self._fixed:
                numbers = np.arange(page.row + 2, page.row + 2 + page.count)
                columns = self._columns_of(key)
                self._fixed[fixed] = RowStream([c.slice(offset + page.start, page.count) for c in columns], numbers,
                                               part.row_height).take(0, page.count)
            yield self._fixed[fixed]

    def _columns_of(self, key: int) -> list[Column]:
        """A whole frame's cells laid on the grid, prepared on first use."""
        if key not in self._columns:
            table, plan = self._plans[key]
            self._columns[key] = _grid_columns(plan, self._prepare(table), len(table.frame))
        return self._columns[key]

    def _stream(self, key: int) -> RowStream:
        """The rows of a whole frame cut into many books' pages, made on first use, its cells a block
        of rows at a time."""
        if key not in self._streams:
            part, numbers = self._numbers[key]
            table, plan = self._plans[key]
            self._streams[key] = RowStream(_Blocks(table, plan, self._prepare).at, numbers, part.row_height)
        return self._streams[key]

    def _header_row(self, part: BookPart, whole):
        """The header row of a part's table (made once for the tables cut from one frame) and its width."""
        columns = tuple(str(c) for c in part.table.frame.columns)
        spans = [part.span(c) for c in columns]
        header = self._template(("header", part.table.key, columns), lambda: (
            self._spanned([part.table.label(c, self.lang) for c in columns], spans, header=True), HEADER_POINTS))
        self._made[("header", id(whole))] = made = (header, sum(spans))
        return made

    def _grid_plan(self, part: BookPart, grid: list[float]) -> list[tuple[str | None, str, str, int]]:
        """Where a part's columns go on the grid: each in its first grid column, boxed, followed by empty
        boxes over the rest of its span, as (column, letter, kind, style); None names an empty box. The
        styles are registered now, in the order the cells were always given them (the column formats,
        then the boxes): the styles part of the package is written before the rows are made."""
        table = part.table
        names = [str(c) for c in table.frame.columns]
        formats = [table.format_of(c) for c in table.frame.columns]
        for fmt in formats:
            self.styles.index(self.styles.column(fmt))
        out, j = [], 0
        for name, fmt in zip(names, formats):
            span = part.span(name)
            if j + span > len(grid):
                raise ValueError(f"{table.key}: its columns take more than the book's {len(grid)} grid columns")
            kind = "blank" if name in part.blank else ("number" if fmt in NUMERIC_FORMATS or fmt == "date" else "text")
            out.append((name, column_letters(j), kind, self._box(fmt, _edge(0, span), shrink=kind == "text")))
            out += [(None, column_letters(j + k), "blank", self._box("text", _edge(k, span))) for k in range(1, span)]
            j += span
        return out

    # --- styles and rows made once -------------------------------------------------------------------

    def _template(self, key: tuple, cells: Callable[[], tuple[list, float]]):
        """A row template made once per ``key`` from ``cells()`` = (cells, height)."""
        if key not in self._made:
            self._made[key] = row_template(*cells())
        return self._made[key]

    def _cached(self, key: tuple, props: Callable[[], dict]) -> int:
        if key not in self._made:
            self._made[key] = self.styles.index(self.styles.make(**props()))
        return self._made[key]

    def _style(self, kind: str) -> int:
        made = self._made.get(("style", kind))
        if made is not None:
            return made
        props = {
            "cover_title": {"bold": True, "font_size": 26, "align": "center_across", "valign": "vcenter"},
            "cover_line": {"font_size": 14, "align": "center_across", "valign": "vcenter"},
            "contents_title": {"bold": True, "font_size": 18, "align": "center_across", "valign": "vcenter"},
            "part_title": {"bold": True, "font_size": 12, "valign": "vcenter"},
        }
        return self._cached(("style", kind), lambda: props[kind])

    def _header(self, edge: str) -> int:
        return self._cached(("header", edge), lambda: dict(
            bold=True, bg_color="#DDEBF7", text_wrap=True, valign="vcenter", align="center_across", **_BORDER,
            **_EDGES[edge]))

    def _box(self, fmt: str, edge: str, *, shrink: bool = False, centred: bool = False) -> int:
        def props() -> dict:
            extra: dict[str, object] = {"shrink": True} if shrink else {}
            if centred:
                extra["align"] = "center"
            return dict(num_format=self.styles.number_format(fmt), valign="vcenter", **_BORDER, **_EDGES[edge],
                        **extra)
        return self._cached(("box", fmt, edge, shrink, centred), props)


def _edge(k: int, span: int) -> str:
    """Which borders the ``k``-th grid cell of a span draws: the box's left side, right side or both."""
    if span == 1:
        return "single"
    return "left" if k == 0 else ("right" if k == span - 1 else "mid")


class _Blocks:
    """A whole frame's cells laid on the grid, prepared ``BLOCK_ROWS`` rows at a time as the rows are
    asked for (in order, by the thread making rows and by the worker joining the next chunk): one
    block's cells are held, not the frame's, and the next block's are prepared in a worker
    (``io.ahead.early``, its own lane) while this block's rows are joined."""

    def __init__(self, table: Table, plan: list, prepare: Callable[[Table], list[Column]]) -> None:
        self.table, self.plan, self.prepare = table, plan, prepare
        self._lock = threading.Lock()
        self._block: tuple[int, list[Column]] = (-1, [])
        self._coming: tuple[int, Future] | None = None

    def at(self, start: int) -> tuple[int, list[Column]]:
        """The block holding row ``start``: (its first row, its columns)."""
        first = start - start % BLOCK_ROWS
        with self._lock:
            if self._block[0] != first:
                coming = self._coming
                columns = coming[1].result() if coming is not None and coming[0] == first else self._made(first)
                self._block = (first, columns)
                following = first + BLOCK_ROWS
                self._coming = ((following, early(self._made, following, lane="cells"))
                                if following < len(self.table.frame) else None)
            return self._block

    def _made(self, first: int) -> list[Column]:
        """The cells of the block starting at row ``first`` (touches nothing shared: run in a worker)."""
        part = replace(self.table, frame=self.table.frame.iloc[first:first + BLOCK_ROWS])
        return _grid_columns(self.plan, self.prepare(part), len(part.frame))


def _grid_columns(plan: list[tuple[str | None, str, str, int]], columns: list[Column], rows: int) -> list[Column]:
    """A part's prepared columns (those written with their values) of ``rows`` rows laid on the grid as
    ``plan`` says (see ``BookWriter._grid_plan``)."""
    given = iter(columns)
    out = []
    for name, letter, kind, style in plan:
        if name is None or kind == "blank":
            out.append(Column(letter, "blank", pa.nulls(rows, pa.large_string()), style))
        else:
            out.append(replace(next(given), letter=letter, kind=kind, style=style, styles=None, keep_blank=True))
    return out


def _whole(table: Table):
    """The frame a part's rows are cut from (itself when not cut), and where they start in it."""
    if table.part_of is not None:
        return table.part_of[0], table.part_of[1]
    return table.frame, 0
