"""How a workbook's sheets print: A4, fitted to the page width, landscape where wide, the header row
repeated on every page, and a page header and footer naming the branch (or network), the month and
the page number.

Excel and LibreOffice lay out the pages themselves from these settings; nothing here depends on the
fonts installed. Widths are in Excel's character units (of the workbook's default font, 11 pt Calibri:
a unit is about 7 pixels at 96 dpi).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

A4 = 9                          # Excel's paper code for A4
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.75}     # inches
HEADER_MARGIN = 0.3
#: Printable width of A4 portrait within the margins, in pixels at 96 dpi (8.27 in - 0.8 in).
PORTRAIT_PIXELS = 717
#: Characters Excel keeps of a page header or footer.
_HEAD_LIMIT = 255
#: Branch values that are totals rows, not branches (the network row of a comparison, a segment total).
_TOTALS = frozenset({"合计", "总计", "小计", "全网", "全网合计", "all", "total", "network", "Network", "Total"})


@dataclass(frozen=True)
class PageHead:
    """What a sheet's page header says: whose figures (a branch, or the network), what, and when."""

    scope: str
    title: str
    period: str
    lang: str
    pages: int | None = None        # a book's page count, known from its layout (else Excel's &N)

    def header(self) -> str:
        """Excel's header codes: scope on the left, title centred, period on the right."""
        scope, period = _escape(self.scope[:80]), _escape(self.period[:40])
        title = self.title
        while len(_escape(title)) > _HEAD_LIMIT - len(scope) - len(period) - 6:
            title = title[:-1]
        return "".join(f"&{at}{text}" for at, text in (("L", scope), ("C", _escape(title)), ("R", period)) if text)

    def footer(self) -> str:
        """The page number and the page count, centred."""
        count = "&N" if self.pages is None else str(self.pages)
        return f"&C第 &P 页 / 共 {count} 页" if self.lang == "zh" else f"&CPage &P of {count}"


def _escape(text: str) -> str:
    """Header text with Excel's code character doubled, so a branch named 'A&B' prints as it is."""
    return str(text).replace("&", "&&")


def column_pixels(widths: Iterable[float]) -> int:
    """Printed width of columns of these widths (character units), in pixels at 96 dpi."""
    return sum(int(7 * w + 5) for w in widths)


def is_wide(widths: Iterable[float]) -> bool:
    """Whether columns of these widths need landscape to print at a readable size."""
    return column_pixels(widths) > PORTRAIT_PIXELS


def setup_page(sheet, head: PageHead, widths: list[float], *, repeat_row: int | None = None,
               breaks: Iterable[int] = (), first_page: int | None = None, gridlines: bool = True,
               landscape: bool | None = None) -> None:
    """Print settings of one worksheet: A4, one page wide (as many tall as it takes), landscape when
    the columns are wider than portrait, gridlines printed (unless the cells draw their own boxes),
    the header row ``repeat_row`` (0-based) on every page, page breaks before the rows ``breaks``,
    numbering from ``first_page`` if given; ``landscape`` forces the orientation."""
    sheet.set_paper(A4)
    if landscape if landscape is not None else is_wide(widths):
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(**MARGINS)
    sheet.set_header(head.header(), {"margin": HEADER_MARGIN})
    sheet.set_footer(head.footer(), {"margin": HEADER_MARGIN})
    # Printed gridlines: a row of a wide table is easy to follow across the page on paper.
    if gridlines:
        sheet.hide_gridlines(0)
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)
    rows = sorted(set(breaks))
    if rows:
        sheet.set_h_pagebreaks(rows)
    if first_page is not None:
        sheet.set_start_page(first_page)


def scope_of(frames: Iterable[pd.DataFrame], lang: str) -> str:
    """The branch the frames are about when they name one, 全网（N 个网点） when several, '' when none
    has a branch column (totals rows such as 全网合计 are not branches)."""
    names: set[str] = set()
    for frame in frames:
        if "branch" in frame.columns and len(frame):
            # One hash pass, then Python per distinct value: a few pandas steps per frame cost more than
            # the frame itself when there is one small sheet per keeper.
            values = (str(v).strip() for v in frame["branch"].unique() if not pd.isna(v))
            names.update(v for v in values if v and v not in _TOTALS)
    if not names:
        return ""
    if len(names) == 1:
        return next(iter(names))
    return f"全网（{len(names)} 个网点）" if lang == "zh" else f"Network ({len(names)} branches)"


#: Height of one line of 10 pt text in a row, in points, and the row's padding.
LINE_POINTS = 13.0
_ROW_PAD = 3.0
_MAX_WIDTH = 60


def _tokens(line: str) -> list[float]:
    """Widths of the pieces a line may break between: each CJK character (2 units), each word with its
    space (1 unit a character)."""
    out: list[float] = []
    word = 0.0
    for ch in line:
        if ord(ch) > 0x2E7F:
            if word:
                out.append(word)
                word = 0.0
            out.append(2.0)
        elif ch == " ":
            out.append(word + 1)
            word = 0.0
        else:
            word += 1
    if word:
        out.append(word)
    return out


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (about one unit of padding)."""
    room, count = max(width - 1.0, 1.0), 0
    for line in str(text).split("\n"):
        count += 1
        used = 0.0
        for token in _tokens(line):
            if used and used + token > room:
                count += 1
                used = 0.0
            used += token
    return count


def header_width(header: str, content: float) -> float:
    """A column's width: its content's plus padding, at least six units and room for the header on two
    lines (never narrower than the header's longest word), at most sixty units."""
    need = 0.0
    for line in str(header).split("\n"):
        tokens = _tokens(line)
        if tokens:
            need = max(need, max(tokens) + 1, sum(tokens) / 2 + 2)
    return float(min(max(content + 2, need, 6), _MAX_WIDTH))


def header_height(headers: list[str], widths: list[float]) -> float | None:
    """The height (points) a header row needs for its wrapped labels, or None for a one-line row."""
    lines = max((text_lines(h, w) for h, w in zip(headers, widths)), default=1)
    return None if lines <= 1 else lines * LINE_POINTS + _ROW_PAD
