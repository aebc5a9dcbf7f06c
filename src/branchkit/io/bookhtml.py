"""Printed books (``io.book.Book``) as one self-contained HTML file to print: every book from a new
page, every page a sheet of landscape A4 (CSS ``@page``) with its running header (branch, whose
book, month) and its number in the book (第 n 页 / 共 N 页), the pages laid out as in the workbook.

Nothing is fetched (inline CSS, system fonts); text is escaped; ID numbers and phones are masked
unless ``--no-mask``. The lines of the long tables are made as HTML a whole column at a time and a
chunk of rows at a time (Arrow), then cut into pages, so thousands of books cost about what one
long table costs.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from markupsafe import escape

from branchkit.io.book import (CONTENTS_LABELS, CONTENTS_SPANS, CONTENTS_TITLE, CONTINUED, HEADER_POINTS,
                               TITLE_POINTS, Book, BookPart)
from branchkit.io.display import NUMERIC_FORMATS, bool_word, machine_frame
from branchkit.io.options import WriteOptions
from branchkit.io.output import atomic_path, check_target
from branchkit.io.tables import Table
from branchkit.io.xlsxrows import CHUNK_ROWS, concatenated, join

#: A4 landscape within the @page margins (297 x 210 mm less 12 and 10 mm a side); a page is a little
#: shorter than its sheet so that rounding never spills it onto a second one. Tables in 8 pt: the
#: grid's 173 character units across 273 mm, as the workbook prints them fitted to the page width.
_CSS = """
@page { size: A4 landscape; margin: 10mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #000; font: 10pt/1.25 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
       "Microsoft YaHei","Hiragino Sans GB",sans-serif; }
.page { width: 273mm; height: 188mm; position: relative; overflow: hidden; break-after: page; }
.page:last-child { break-after: auto; }
.run { display: flex; justify-content: space-between; height: 14pt; font-size: 8pt; color: #333; }
.run span { flex: 1; } .run span:nth-child(2) { text-align: center; } .run span:last-child { text-align: right; }
.foot { position: absolute; bottom: 0; left: 0; right: 0; height: 14pt; text-align: center; font-size: 8pt; }
.cover { text-align: center; padding-top: 120pt; }
.cover h1 { font-size: 26pt; margin: 0 0 30pt; }
.cover p { font-size: 14pt; margin: 0; line-height: 30pt; }
h2 { font-size: 12pt; margin: 0; height: 24pt; line-height: 24pt; }
h2.contents { font-size: 18pt; text-align: center; height: 40pt; line-height: 40pt; margin-bottom: 20pt; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; font-size: 8pt; }
th, td { border: 0.75pt solid #000; padding: 0 2pt; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
th { background: #DDEBF7; white-space: normal; text-align: center; font-weight: bold; line-height: 1.15; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
@media screen { body { background: #e8e8e8; }
  .page { background: #fff; margin: 8mm auto; padding: 0; box-shadow: 0 1px 4px rgba(0,0,0,.3); } }
"""
_HTML_SPECIAL = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"))


def write_books(target: str, books: list[Book], options: WriteOptions, title: str) -> int:
    """Write ``books`` to ``target`` (.html) atomically; returns the number of pages."""
    check_target(target, options.inputs)
    with atomic_path(Path(target)) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        return render_books(books, fh, options, title)


def render_books(books: list[Book], out: IO[str], options: WriteOptions, title: str) -> int:
    """The books as one HTML document written to ``out``; returns the number of pages."""
    lang = options.label_lang
    out.write(f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
              f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
              f"<style>{_CSS}</style>\n</head>\n<body>\n")
    lines = _Lines(books, options)
    pages = 0
    for book in books:
        pages += _Book(book, lang, lines).write(out)
    out.write("</body>\n</html>\n")
    return pages


class _Lines:
    """The HTML lines (``<tr>``) of every part's table, by the whole frame its rows are cut from."""

    def __init__(self, books: list[Book], options: WriteOptions) -> None:
        self.options = options
        self._rows: dict[int, _LazyRows] = {}
        for book in books:
            for part in book.parts:
                whole, _ = _whole(part.table)
                if id(whole) not in self._rows:
                    self._rows[id(whole)] = self._make(part, whole)

    def take(self, part: BookPart, start: int, count: int) -> str:
        whole, offset = _whole(part.table)
        return self._rows[id(whole)].take(offset + start, count)

    def _make(self, part: BookPart, whole: pd.DataFrame) -> _LazyRows:
        table = Table(part.table.key, whole, "", "", formats=part.table.formats, labels=part.table.labels)
        shown = machine_frame(table, mask=self.options.masked("html"))
        cells = []
        for name in whole.columns:
            fmt = table.format_of(name)
            css = ' class="num"' if fmt in NUMERIC_FORMATS else ""
            span = part.span(name)
            open_td = f"<td{css}{f' colspan={span}' if span > 1 else ''}>"
            if name in part.blank:
                cells.append(lambda a, b, o=open_td: pa.array([o + "</td>"] * (b - a), pa.large_string()))
            else:
                text = _escaped(_text(shown[name], fmt, self.options.label_lang))
                cells.append(lambda a, b, t=text, o=open_td: join(o, t.slice(a, b - a), "</td>"))
        height = f'<tr style="height:{part.row_height:g}pt">'
        return _LazyRows(len(whole), lambda a, b: join(height, *[c(a, b) for c in cells], "</tr>"))


class _LazyRows:
    """Lines built a chunk at a time as pages ask for them (best in order)."""

    def __init__(self, count: int, build: Callable[[int, int], pa.Array]) -> None:
        self.count, self.build = count, build
        self._start, self._rows = 0, pa.array([], pa.large_string())

    def take(self, start: int, count: int) -> str:
        if start < self._start or start + count > self._start + len(self._rows):
            stop = min(max(start + CHUNK_ROWS, start + count), self.count)
            self._start, self._rows = start, self.build(start, stop)
        return bytes(concatenated(self._rows.slice(start - self._start, count))).decode("utf-8")


class _Book:
    """One book's pages."""

    def __init__(self, book: Book, lang: str, lines: _Lines) -> None:
        self.book, self.lang, self.lines = book, lang, lines
        self.page = 0

    def write(self, out: IO[str]) -> int:
        book = self.book
        cover = "".join(f"<p>{escape(label)}{'：' if self.lang == 'zh' else ': '}{escape(value)}</p>"
                        for label, value in book.cover_lines(self.lang))
        self._page(out, f'<div class="cover"><h1>{escape(book.heading(self.lang))}</h1>{cover}</div>')
        first, part_span, pages_span = CONTENTS_SPANS
        rows = "".join(f'<tr style="height:24pt"><td class="c" colspan="{first}">{escape(n)}</td>'
                       f'<td colspan="{part_span}">{escape(part)}</td>'
                       f'<td class="c" colspan="{pages_span}">{escape(pages)}</td></tr>'
                       for n, part, pages in book.contents(self.lang))
        heads = "".join(f'<th colspan="{w}">{escape(h)}</th>' for h, w in zip(CONTENTS_LABELS[self.lang], CONTENTS_SPANS))
        grid = self._colgroup(book.grid)
        self._page(out, f'<h2 class="contents">{escape(CONTENTS_TITLE[self.lang])}</h2><table>{grid}'
                        f'<tr style="height:24pt">{heads}</tr>{rows}</table>')
        for part in book.parts:
            for i, (start, count) in enumerate(part.page_rows()):
                self._part_page(out, part, start, count, continued=i > 0, grid=grid)
        return self.page

    def _part_page(self, out: IO[str], part: BookPart, start: int, count: int, continued: bool, grid: str) -> None:
        table = part.table
        title = table.title(self.lang) + (CONTINUED[self.lang] if continued else "")
        heads = "".join(f'<th{f" colspan={part.span(c)}" if part.span(c) > 1 else ""}>'
                        f"{escape(table.label(c, self.lang))}</th>" for c in table.frame.columns)
        body = self.lines.take(part, start, count) if count else ""
        self._page(out, f'<h2 style="height:{TITLE_POINTS:g}pt">{escape(title)}</h2><table>{grid}'
                        f'<tr style="height:{HEADER_POINTS:g}pt">{heads}</tr>{body}</table>')

    def _colgroup(self, grid: list[float]) -> str:
        total = sum(grid)
        return "<colgroup>" + "".join(f'<col style="width:{w / total * 100:.3f}%">' for w in grid) + "</colgroup>"

    def _page(self, out: IO[str], content: str) -> None:
        self.page += 1
        book, lang = self.book, self.lang
        run = (f'<div class="run"><span>{escape(book.scope)}</span><span>{escape(book.heading(lang))} · '
               f'{escape(book.owner(lang))}</span><span>{escape(book.period)}</span></div>')
        number = (f"第 {self.page} 页 / 共 {book.page_count} 页" if lang == "zh"
                  else f"Page {self.page} of {book.page_count}")
        out.write(f'<section class="page">{run}{content}<div class="foot">{number}</div></section>\n')


def _whole(table: Table):
    if table.part_of is not None:
        return table.part_of[0], table.part_of[1]
    return table.frame, 0


def _text(values: pd.Series, fmt: str, lang: str) -> pa.Array:
    """A machine-frame column as people read it: money with separators and cents, counts with
    separators, yes/no in words; each distinct value formatted once."""
    if fmt in ("money", "score", "number", "ratio", "int"):
        spec = {"money": ",.2f", "score": ".2f", "number": ",.2f", "ratio": ".1%", "int": ",.0f"}[fmt]
        shown = _each_distinct(values, lambda v: format(float(v), spec))
    elif fmt == "bool":
        shown = _each_distinct(values, lambda v: bool_word(v, lang))
    else:
        shown = values.astype("str")
    array = pa.array(shown, type=pa.large_string(), from_pandas=True)
    return (array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array).fill_null("")


def _each_distinct(values: pd.Series, show: Callable[[object], str]) -> pd.Series:
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([show(u) for u in uniques] + [""], dtype=object)
    return pd.Series(texts[np.where(found < 0, len(uniques), found)], index=values.index, dtype="str")


def _escaped(text: pa.Array) -> pa.Array:
    for raw, entity in _HTML_SPECIAL:
        text = pc.replace_substring(text, raw, entity)
    return text
