"""Styled workbooks for people: one sheet per table, frozen header, filters, fitted widths.

Text from ledgers is always written as a string cell, never as a formula
(``io.xlsxrows`` writes inline strings). Document properties are fixed so the
same input gives the same workbook.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_datetime64_dtype

from branchkit.io.ahead import early
from branchkit.io.display import NUMERIC_FORMATS, bool_word, machine_columns
from branchkit.io.options import WriteOptions
from branchkit.io.book import Book
from branchkit.io.tables import Report, Sheet, Table
from branchkit.io.xlsxbook import BookWriter
from branchkit.io.xlsxpackage import Workbook
from branchkit.io.xlsxpage import PageHead, header_height, header_width, scope_of, setup_page
from branchkit.io.xlsxrows import BLOCK_ROWS, Column, SheetRows, flat, prepare
from branchkit.io.xlsxstyles import CellFormats
from branchkit.io.xlsxtext import longest_bytes
from branchkit.text import column_letters

_FIXED_TIME = dt.datetime(2000, 1, 1)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: Control characters, and the two characters XML cannot hold at all.
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")
_WIDTH_SAMPLE = 300
_NOT_TEXT = NUMERIC_FORMATS | {"date", "bool"}


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\ or control characters, at most 31 characters, not starting or
    ending with an apostrophe, not 'History'; a repeat (Excel compares names case-insensitively) gets (2), (3)..."""
    base = _CONTROL_CHARS.sub("", _BAD_SHEET_CHARS.sub("_", title)).strip().strip("'").strip() or "Sheet"
    if base.lower() == "history":
        base = "History_"
    name = _fit(base, 31)
    n = 2
    while name.lower() in used:
        suffix = f"({n})"
        name = _fit(base, 31 - len(suffix)) + suffix
        n += 1
    used.add(name.lower())
    return name


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters without an apostrophe or space left at the end."""
    return text[:limit].rstrip("' ") or "Sheet"


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_xlsx(report: Report, path: Path, options: WriteOptions) -> list[str]:
    """Write every table of ``report`` as a styled sheet, then its extra sheets; returns warnings.

    ``io.xlsxpackage`` lays out the workbook (sheets, styles, widths, frozen
    panes, filters, print settings, properties); each sheet's cells are made a
    whole column at a time (``io.xlsxrows``) and streamed into its
    ``<sheetData>`` when the package is written.
    """
    book = Workbook(path)
    book.set_properties({"title": report.title(options.label_lang), "author": "branchkit", "company": "",
                         "created": _FIXED_TIME, "comments": "written by branchkit"})
    styles = CellFormats(book)
    used: set[str] = set()
    warnings: list[str] = []
    singles = report.sheet_tables() + [t for t in report.extra_sheets if isinstance(t, Table)]
    blocks = [b for extra in report.extra_sheets if isinstance(extra, Sheet) for b in extra.blocks]
    cells = _Cells(singles + blocks, styles, options, warnings)
    lang, title = options.label_lang, report.title(options.label_lang)
    scope = scope_of([t.frame for t in singles], lang)
    for table in singles:
        sheet = book.add_worksheet(sheet_name(table.title(lang), used))
        widths = _widths(table, cells.shape(table), lang)
        _write_table(sheet, sheet.rows, table, cells, styles, options, 0, widths, single=True)
        head = PageHead(scope_of([table.frame], lang) or scope, f"{title} · {table.title(lang)}", report.period, lang)
        setup_page(sheet, head, widths, repeat_row=0)
    if report.later_books is not None:
        # The sheets so far are deflated in a worker while the books are made and laid out here.
        book.write_ahead()
    try:
        extras = report.all_extra_sheets()
        books = [extra for extra in extras if isinstance(extra, Book)]
        writer = BookWriter(books, styles, lang, lambda t: _prepare(t, list(t.frame.columns), [
            t.format_of(c) for c in t.frame.columns], styles, options, parts=[])[0]) if books else None
        for extra in extras:
            if isinstance(extra, Book):
                writer.write(book.add_worksheet(sheet_name(extra.title(lang), used)), extra)
            elif isinstance(extra, Sheet):
                sheet = book.add_worksheet(sheet_name(extra.title(lang), used))
                widths, repeat = _write_blocks(sheet, sheet.rows, extra, styles, options, cells)
                head = PageHead(extra.scope or scope_of([b.frame for b in extra.blocks], lang) or scope,
                                f"{title} · {extra.title(lang)}", report.period, lang)
                setup_page(sheet, head, widths, repeat_row=repeat)
    except BaseException:
        book.abandon()
        raise
    book.close()
    return warnings


def _write_blocks(sheet, rows: SheetRows, extra: Sheet, styles: CellFormats, options: WriteOptions,
                  cells: _Cells) -> tuple[list[float], int | None]:
    """The blocks stacked on one sheet, each under its title; returns the column widths (the widest
    block's at each column) and the row of the header printed on every page (or None)."""
    lang = options.label_lang
    top = 0
    heading = extra.heading(lang)
    title = styles.index(styles.title)
    if heading:
        rows.add_row(0, [(0, heading, title)])
        top = 2
    widths: list[float] = []
    for block in extra.blocks:
        for j, width in enumerate(_widths(block, cells.shape(block), lang)):
            widths[j:j + 1] = [max(widths[j], width)] if j < len(widths) else [width]
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    repeat = None
    for i, block in enumerate(extra.blocks):
        rows.add_row(top, [(0, block.title(lang), title)])
        if i == extra.repeat_header:
            repeat = top + 1
            sheet.freeze_panes(top + 2, extra.freeze_columns)
        _write_table(sheet, rows, block, cells, styles, options, top + 1, widths, single=False)
        top += len(block.frame) + 4
    return widths, repeat


def _widths(table: Table, ready: _Shape, lang: str) -> list[float]:
    """Column widths: the content's, with room for the header on at most two lines (the header row
    grows to fit), unless ``table.widths`` fixes them."""
    return [float(table.widths[name]) if name in table.widths else header_width(table.label(name, lang), content)
            for name, content in zip(ready.names, ready.widths)]


def _write_table(sheet, rows: SheetRows, table: Table, cells: _Cells, styles: CellFormats,
                 options: WriteOptions, top: int, widths: list[float], single: bool) -> None:
    """A table's header row and, made when the sheet is written (``_Cells``), its rows."""
    ready = cells.shape(table)
    headers = [table.label(c, options.label_lang) for c in ready.names]
    if single:
        for j, (fmt, width) in enumerate(zip(ready.formats, widths)):
            sheet.set_column(j, j, width, styles.column(fmt))
    header = styles.index(styles.header)
    row = [(j, text, styles.index(styles.header_fill(table.header_fills[name])) if name in table.header_fills
            else header) for j, (name, text) in enumerate(zip(ready.names, headers))]
    rows.add_row(top, row, header_height(headers, widths))
    if single:
        sheet.freeze_panes(top + 1, 0)
        if ready.names:
            sheet.autofilter(top, 0, top + max(ready.count, 1), len(ready.names) - 1)
    # Every style the cells use is registered now, in the order it always was: the styles part of
    # the package is written before the sheets whose rows are made later.
    column_styles = [styles.index(styles.wrapped(fmt)) if name in table.wrap else styles.index(styles.column(fmt))
                     for name, fmt in zip(ready.names, ready.formats)]
    fills = table.fills.reindex(index=table.frame.index) if table.fills is not None else None
    fill_styles = {name: _fill_styles(fills[name], fmt, style, styles)
                   for name, fmt, style in zip(ready.names, ready.formats, column_styles)
                   if fills is not None and name in fills}

    def blocks() -> Iterator[tuple[int, list[Column]]]:
        for start, block in cells.take(table, headers, top):
            yield start, [replace(column, style=style, styles=_cut(fill_styles.get(column.name), start, column))
                          for column, style in zip(block, column_styles)]

    if ready.count:
        rows.add_blocks(blocks, top + 1, ready.count, len(ready.names))
    if not ready.count:       # the empty state, as html says it (never a note meant for rows)
        rows.add_row(top + 1, [(0, table.empty(options.label_lang), styles.index(styles.column("text")))])


@dataclass
class _Shape:
    """What a table's sheet needs before its cells are made: column names, formats, content widths, rows."""

    names: list[str]
    formats: list[str]
    widths: list[float]
    count: int


class _Cells:
    """Tables' cells, prepared a whole column at a time only when their sheet is written.

    Tables with the same columns and formats (the blocks of a sheet of many tables, say) are prepared
    together as one frame and then sliced, so a thousand small tables cost about what one big table
    costs. A group's cells are made when the first of its tables is written and let go once the last
    one has taken its slice, so the package holds the cells of about one sheet at a time, not of every
    sheet. What is needed before (the content widths, measured on each table's first
    ``_WIDTH_SAMPLE`` rows, and the styles the cells use) comes from those rows alone.
    """

    def __init__(self, tables: list[Table], styles: CellFormats, options: WriteOptions, warnings: list[str]) -> None:
        self.styles, self.options, self.warnings = styles, options, warnings
        groups: dict[tuple, list[Table]] = {}
        for table in tables:
            names = tuple(table.frame.columns)
            groups.setdefault((names, tuple(table.format_of(c) for c in names)), []).append(table)
        self._shapes: dict[int, _Shape] = {}
        self._place: dict[int, tuple[tuple, int, int]] = {}
        self._groups: dict[tuple, list[Table]] = {}
        self._left: dict[tuple, int] = {}
        self._made: dict[tuple, tuple[list[Column], list[tuple[int, int, int]]]] = {}
        for key, members in groups.items():
            self._groups[key] = members
            self._left[key] = sum(1 for t in members if len(t.frame))
            counts = [len(t.frame) for t in members]
            starts = np.cumsum([0] + counts[:-1]).tolist()
            heads = [t.frame.iloc[:_WIDTH_SAMPLE] for t in members]
            sample = pd.concat(heads, ignore_index=True) if len(heads) > 1 else heads[0]
            parts = list(zip(np.cumsum([0] + [len(h) for h in heads[:-1]]).tolist(), [len(h) for h in heads]))
            _, widths, _, _ = _prepare(self._together(members, key, sample), list(key[0]), list(key[1]), styles,
                                       options, parts)
            for i, (table, start, count) in enumerate(zip(members, starts, counts)):
                self._shapes[id(table)] = _Shape(list(key[0]), list(key[1]), [w[i] for w in widths], count)
                self._place[id(table)] = (key, start, count)

    def shape(self, table: Table) -> _Shape:
        """The table's columns, formats, content widths and rows."""
        return self._shapes[id(table)]

    def take(self, table: Table, headers: list[str], top: int) -> Iterator[tuple[int, list[Column]]]:
        """The table's cells (once per table, when its sheet is written) as (first row, columns) of
        blocks of rows; a text cut to fit a cell is a warning, under the header ``top`` (0-based) of
        ``headers``. A table prepared alone is prepared ``BLOCK_ROWS`` rows at a time: the cells of
        one block are held, not of the whole table."""
        key, start, count = self._place[id(table)]
        if len(self._groups[key]) == 1:
            together = self._together([table], key, table.frame)

            def block(first: int) -> tuple:
                part = replace(together, frame=table.frame.iloc[first:first + BLOCK_ROWS])
                return _prepare(part, list(key[0]), list(key[1]), self.styles, self.options, [])

            # The next block's cells are prepared in a worker while this block's rows are joined; the
            # warnings are taken here, in row order.
            if not count:
                return
            coming = early(block, 0, lane="cells")
            for first in range(0, count, BLOCK_ROWS):
                columns, _, long, _ = coming.result()
                if first + BLOCK_ROWS < count:
                    coming = early(block, first + BLOCK_ROWS, lane="cells")
                self.warnings += _warnings(table, [(i + first, j, n) for i, j, n in long], headers, top,
                                           self.options)
                yield first, columns
            return
        if key not in self._made:
            members = self._groups[key]
            whole = _whole_of(members)
            if whole is None:
                frames = [t.frame for t in members]
                whole = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            columns, _, long, _ = _prepare(self._together(members, key, whole), list(key[0]), list(key[1]),
                                           self.styles, self.options, [])
            self._made[key] = (columns, long)
        columns, long = self._made[key]
        self._left[key] -= 1
        if not self._left[key]:
            del self._made[key]
        cut = [(i - start, j, n) for i, j, n in long if start <= i < start + count]
        self.warnings += _warnings(table, cut, headers, top, self.options)
        yield 0, [c.slice(start, count) for c in columns]

    @staticmethod
    def _together(members: list[Table], key: tuple, frame: pd.DataFrame) -> Table:
        names, formats = key
        return replace(members[0], frame=frame, fills=None, formats={c: f for c, f in zip(names, formats)})


def _whole_of(members: list[Table]) -> pd.DataFrame | None:
    """The frame the members were cut from, when they are all of it, in order (see ``Table.part_of``)."""
    first = members[0].part_of
    if first is None or len(members) < 2:
        return None
    whole, at = first[0], 0
    for table in members:
        if table.part_of is None or table.part_of[0] is not whole or table.part_of[1] != at:
            return None
        at += len(table.frame)
    return whole.reset_index(drop=True) if at == len(whole) else None


def _prepare(table: Table, names: list[str], formats: list[str], styles: CellFormats, options: WriteOptions,
             parts: list[tuple[int, int]]) -> tuple[list[Column], list[list[float]], list[tuple[int, int, int]], int]:
    """The table's columns, the content width of each of ``parts`` (start, count) by column (measured
    on a part's first ``_WIDTH_SAMPLE`` rows only: no more are read), text cut to fit a cell, rows."""
    # Dates held as datetimes go to serials from their days, not through the ISO text the machine columns
    # make and read back (1,048,575 opening dates: ~1 s of CPU); the other columns without a frame made.
    days = {name for name, fmt in zip(names, formats) if fmt == "date" and is_datetime64_dtype(table.frame[name])}
    frame = machine_columns(replace(table, frame=table.frame.drop(columns=list(days))) if days else table,
                            mask=options.masked("xlsx"), lang=options.label_lang)
    sampled = [np.arange(start, start + min(count, _WIDTH_SAMPLE)) for start, count in parts]
    rows = np.concatenate(sampled) if sampled else np.zeros(0, dtype="int64")
    edges = np.cumsum([0] + [len(r) for r in sampled])
    words = (bool_word(True, options.label_lang), bool_word(False, options.label_lang))
    limit = options.max_text_chars
    columns, widths, long = [], [], []
    for j, (name, fmt) in enumerate(zip(names, formats)):
        values = (table.frame[name] if name in days else frame[name]).rename(name)    # named: a table's fills
        if fmt not in _NOT_TEXT and longest_bytes(values) > limit:
            # Counted in characters only where some text has more bytes than the limit: a text has no
            # more characters than UTF-8 bytes, and the byte lengths are read without a string made.
            text = values.astype("str")
            lengths = text.str.len().fillna(0).to_numpy(dtype="int64")
            if (lengths > limit).any():
                long += [(int(i), j, int(lengths[i])) for i in np.flatnonzero(lengths > limit)]
                values = text.where(lengths <= limit, text.str.slice(0, limit))
        column = prepare(values, fmt, column_letters(j), styles.index(styles.column(fmt)), words)
        columns.append(column)
        cells = _display_widths(column, values, fmt, rows) if len(rows) else rows
        widths.append([float(cells[a:b].max()) if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])])
    return columns, widths, long, len(table.frame)


def _display_widths(column: Column, values: pd.Series, fmt: str, rows: np.ndarray) -> np.ndarray:
    """Width of the text of the cells at ``rows`` in Excel character units (CJK characters count double)."""
    values = values.iloc[rows]
    if fmt == "date":
        return np.where(pd.isna(values).to_numpy(), 0, 10)
    text = flat(column.values.take(rows)) if fmt in _NOT_TEXT else pa.array(values.astype("str"), type=pa.large_string())
    extra = 4 if fmt == "money" else 0
    # A CJK character is 3 bytes in UTF-8 and shows double width: characters + (bytes - characters) / 2
    # counts it as 2 without a regex over every cell (other non-ASCII letters count a little wide).
    chars = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype("float64")
    size = pc.binary_length(text).to_numpy(zero_copy_only=False).astype("float64")
    return np.nan_to_num(chars + (size - chars) / 2, nan=0.0) + extra


def _cut(styles: pa.Array | None, start: int, column: Column) -> pa.Array | None:
    """The per-cell styles of a block of rows starting at ``start`` (None: the column's one style)."""
    return None if styles is None else styles.slice(start, len(column.values))


def _fill_styles(colours: pd.Series, fmt: str, style: int, styles: CellFormats) -> pa.Array:
    """Per-cell style indexes (as text) of a coloured column: the fill's style where a colour is set."""
    colours = colours.astype("str")
    known = {c: styles.index(styles.fill(fmt, c)) for c in colours.dropna().unique() if c}
    indexes = colours.map(known).fillna(style).astype("int64")
    return pa.array(indexes.astype("str"), type=pa.large_string())


def _warnings(table: Table, long: list[tuple[int, int, int]], headers: list[str], top: int,
              options: WriteOptions) -> list[str]:
    return [f"{table.title(options.label_lang)} row {top + 2 + i}, {headers[j]}: text of {n} characters cut to "
            f"{options.max_text_chars} (an Excel cell holds no more)" for i, j, n in long]
