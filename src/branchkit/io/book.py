"""A printed book (a keeper's 台账, seed 000 §4.2.2 第四步: 打印，装订成册): a cover, the contents, then its
parts (forms and long tables), each starting on a new page, the header row on every page.

The pages are laid out here, once, for every writer: a part prints ``rows_per_page`` lines a page
(under its title and header row), so the contents can name each part's pages and the xlsx and
html books break at the same lines. A page is landscape A4; its lines have fixed heights in points,
which both writers keep (xlsx row heights, CSS ``pt``), so a page of lines always fits its sheet of paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from branchkit.io.tables import Table

#: Height (points) the lines of one page may take: landscape A4 is 595 pt tall; the xlsx margins leave
#: 487 pt and the html page 527 pt; the rest is room for rounding and the running header and footer.
PAGE_POINTS = 440.0
#: Height of a part's title row and of its header row (two lines of 10 pt text), on every page.
TITLE_POINTS = 24.0
HEADER_POINTS = 30.0


@dataclass
class BookPart:
    """One part of a book: a table printed a page at a time, under its title and header.

    ``spans`` gives the grid columns a column takes (a wide box to write in); the columns of
    ``blank`` are boxes to fill in by hand (printed empty, with their borders); lines are
    ``row_height`` points tall (taller to write in)."""

    table: Table
    row_height: float = 18.0
    spans: dict[str, int] = field(default_factory=dict)
    blank: tuple[str, ...] = ()

    @property
    def rows_per_page(self) -> int:
        """Lines on one page under the title and header."""
        return max(1, int((PAGE_POINTS - TITLE_POINTS - HEADER_POINTS) // self.row_height))

    @property
    def pages(self) -> int:
        """Pages this part takes (an empty table still prints its header, on one page)."""
        return max(1, math.ceil(len(self.table.frame) / self.rows_per_page))

    def page_rows(self) -> list[tuple[int, int]]:
        """(first line, lines) of each page."""
        n, per = len(self.table.frame), self.rows_per_page
        return [(start, min(per, n - start)) for start in range(0, n, per)] or [(0, 0)]

    def span(self, column: str) -> int:
        return self.spans.get(column, 1)


@dataclass
class Book:
    """A printable book: the cover (a title and label/value lines), the contents, then the parts."""

    title_zh: str                   # the sheet's name in the workbook
    title_en: str
    heading_zh: str                 # the cover's title, e.g. 客户维护台账
    heading_en: str
    owner_zh: str                   # whose book, on the cover and every page header, e.g. 何芳（002002）
    owner_en: str
    cover: list[tuple[str, str, str, str]]      # label (zh, en), value (zh, en)
    grid: list[float]               # the column widths every part is laid on (Excel character units)
    parts: list[BookPart]
    scope: str = ""                 # the branch, on every page header
    period: str = ""                # the month, on the cover and every page header

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def heading(self, lang: str) -> str:
        return self.heading_zh if lang == "zh" else self.heading_en

    def owner(self, lang: str) -> str:
        return self.owner_zh if lang == "zh" else self.owner_en

    def cover_lines(self, lang: str) -> list[tuple[str, str]]:
        return [(lz, vz) if lang == "zh" else (le, ve) for lz, le, vz, ve in self.cover]

    def first_pages(self) -> list[int]:
        """The page each part starts on: 1 is the cover, 2 the contents."""
        out, page = [], 3
        for part in self.parts:
            out.append(page)
            page += part.pages
        return out

    @property
    def page_count(self) -> int:
        return 2 + sum(part.pages for part in self.parts)

    def contents(self, lang: str) -> list[tuple[str, str, str]]:
        """The contents page: (number, part title, its pages as '4' or '4–6')."""
        out = []
        for i, (part, first) in enumerate(zip(self.parts, self.first_pages()), start=1):
            last = first + part.pages - 1
            out.append((str(i), part.table.title(lang), str(first) if last == first else f"{first}–{last}"))
        return out


#: Labels of the contents page's columns, and the grid columns each spans.
CONTENTS_LABELS = {"zh": ("序号", "内容", "页码"), "en": ("No.", "Part", "Pages")}
CONTENTS_SPANS = (1, 5, 2)
CONTENTS_TITLE = {"zh": "目　录", "en": "Contents"}
CONTINUED = {"zh": "（续）", "en": " (continued)"}
