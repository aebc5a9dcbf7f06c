"""One worksheet of the own xlsx package writer (``io.xlsxpackage``): its settings (column widths and
formats, frozen panes, an autofilter, print settings, page breaks) and the XML around its rows (``head``
before ``<sheetData>``'s rows, ``tail`` after them); and the XML text helpers the package's parts share.
"""

from __future__ import annotations

import re

from branchkit.io.excel import NOT_XML_CHARS, xml_escaped, xml_quoted
from branchkit.io.xlsxrows import SheetRows
from branchkit.io.xlsxstyles import Format, Styles
from branchkit.text import column_letters

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: Excel keeps at most this many manual page breaks in a sheet.
_MAX_BREAKS = 1023
_MAX_DIGIT_PIXELS, _CELL_PADDING = 7, 5           # of the default font, 11 pt Calibri
_DEFAULT_WIDTH = 8.43                             # Excel's column width for that font
_NOT_XML = re.compile(f"[{NOT_XML_CHARS}]")


def xml_text(value: object) -> str:
    """Text for an XML element: escaped, without the characters XML forbids."""
    return xml_escaped(_NOT_XML.sub("", str(value)))


def xml_attr(value: object) -> str:
    """A quoted XML attribute value, escaped, without the characters XML forbids."""
    return xml_quoted(_NOT_XML.sub("", str(value)))


class Worksheet:
    """One sheet: its settings, and the rows (``self.rows``) that fill its ``<sheetData>``."""

    def __init__(self, name: str, index: int, styles: Styles) -> None:
        self.name, self.index, self._styles = name, index, styles
        self.rows = SheetRows()
        self._columns: dict[int, tuple[float | None, int]] = {}
        self._pane: tuple[int, int] = (0, 0)
        self.filter_range: str | None = None
        self.print_titles: str | None = None
        self._setup: dict[str, object] = {}
        self._margins = {"left": 0.7, "right": 0.7, "top": 0.75, "bottom": 0.75, "header": 0.3, "footer": 0.3}
        self._header = self._footer = ""
        self._gridlines = 1
        self._breaks: list[int] = []

    # --- layout ---------------------------------------------------------------------------------------

    def set_column(self, first: int, last: int, width: float | None = None, fmt: Format | None = None) -> None:
        """Width (Excel character units) and cell format of the columns ``first`` to ``last`` (0-based)."""
        style = self._styles.index(fmt) if fmt is not None else 0
        for j in range(first, last + 1):
            self._columns[j] = (width, style)

    def freeze_panes(self, row: int, col: int) -> None:
        """Keep the ``row`` rows above and the ``col`` columns left of the scrolling part in view."""
        self._pane = (row, col)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Filter buttons on the header of the range (0-based, inclusive)."""
        self.filter_range = f"{column_letters(first_col)}{first_row + 1}:{column_letters(last_col)}{last_row + 1}"

    # --- print ----------------------------------------------------------------------------------------

    def set_paper(self, code: int) -> None:
        """Excel's paper code (9 is A4)."""
        self._setup["paperSize"] = int(code)

    def set_landscape(self) -> None:
        """Print across the long side of the paper."""
        self._setup["orientation"] = "landscape"

    def set_portrait(self) -> None:
        """Print across the short side of the paper."""
        self._setup["orientation"] = "portrait"

    def fit_to_pages(self, width: int, height: int) -> None:
        """Shrink to ``width`` pages across and ``height`` pages down (0: as many as it takes)."""
        self._setup["fitToWidth"], self._setup["fitToHeight"] = int(width), int(height)

    def set_margins(self, left: float = 0.7, right: float = 0.7, top: float = 0.75, bottom: float = 0.75) -> None:
        """Page margins in inches."""
        self._margins.update(left=left, right=right, top=top, bottom=bottom)

    def set_header(self, text: str, options: dict | None = None) -> None:
        """The page header in Excel's codes (&L, &C, &R, &P, ...); ``options['margin']`` in inches."""
        self._header = text
        if options and "margin" in options:
            self._margins["header"] = float(options["margin"])

    def set_footer(self, text: str, options: dict | None = None) -> None:
        """The page footer in Excel's codes; ``options['margin']`` in inches."""
        self._footer = text
        if options and "margin" in options:
            self._margins["footer"] = float(options["margin"])

    def hide_gridlines(self, option: int = 1) -> None:
        """xlsxwriter's choices: 0 shows gridlines on screen and on paper, 1 on screen only, 2 nowhere."""
        self._gridlines = int(option)

    def repeat_rows(self, first: int, last: int | None = None) -> None:
        """Print the rows ``first`` to ``last`` (0-based) at the top of every page."""
        self.print_titles = f"${first + 1}:${(first if last is None else last) + 1}"

    def set_h_pagebreaks(self, rows: list[int]) -> None:
        """Start a new page at each of these 0-based rows (Excel keeps the first 1,023)."""
        self._breaks = sorted(set(int(r) for r in rows if r > 0))[:_MAX_BREAKS]

    def set_start_page(self, number: int) -> None:
        """Number the first printed page ``number``."""
        self._setup["firstPageNumber"] = int(number)

    # --- XML ------------------------------------------------------------------------------------------

    def head(self) -> bytes:
        """The sheet's XML up to its ``<sheetData>``, in CT_Worksheet's order."""
        parts = [XML_HEAD, f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">']
        if "fitToWidth" in self._setup:
            parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        parts.append(f'<dimension ref="{self.rows.dimension()}"/>')
        parts.append(f'<sheetViews><sheetView{self._view_attrs()} workbookViewId="0"{self._pane_xml()}</sheetViews>')
        parts.append('<sheetFormatPr defaultRowHeight="15"/>')
        parts.append(self._cols_xml())
        return "".join(parts).encode("utf-8")

    def _view_attrs(self) -> str:
        attrs = ' showGridLines="0"' if self._gridlines == 2 else ""
        return attrs + (' tabSelected="1"' if self.index == 0 else "")

    def _pane_xml(self) -> str:
        row, col = self._pane
        if not row and not col:
            return "/>"
        active = "bottomRight" if row and col else ("bottomLeft" if row else "topRight")
        split = (f' xSplit="{col}"' if col else "") + (f' ySplit="{row}"' if row else "")
        return (f'><pane{split} topLeftCell="{column_letters(col)}{row + 1}" activePane="{active}" state="frozen"/>'
                f'<selection pane="{active}"/></sheetView>')

    def _cols_xml(self) -> str:
        if not self._columns:
            return ""
        out, spans = [], _spans(self._columns)
        for first, last, (width, style) in spans:
            attrs = f'min="{first + 1}" max="{last + 1}" width="{_stored_width(width)}"'
            attrs += f' style="{style}"' if style else ""
            attrs += ' customWidth="1"' if width is not None else ""
            out.append(f"<col {attrs}/>")
        return f"<cols>{''.join(out)}</cols>"

    def tail(self) -> bytes:
        """The sheet's XML after its ``<sheetData>``, in CT_Worksheet's order."""
        parts = []
        if self.filter_range:
            parts.append(f'<autoFilter ref="{self.filter_range}"/>')
        if self._gridlines == 0:
            parts.append('<printOptions gridLines="1"/>')
        parts.append("<pageMargins" + "".join(f' {k}="{v:g}"' for k, v in self._margins.items()) + "/>")
        if self._setup:
            parts.append(f"<pageSetup{self._setup_attrs()}/>")
        if self._header or self._footer:
            header = f"<oddHeader>{xml_text(self._header)}</oddHeader>" if self._header else ""
            footer = f"<oddFooter>{xml_text(self._footer)}</oddFooter>" if self._footer else ""
            parts.append(f"<headerFooter>{header}{footer}</headerFooter>")
        if self._breaks:
            count = len(self._breaks)
            breaks = "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in self._breaks)
            parts.append(f'<rowBreaks count="{count}" manualBreakCount="{count}">{breaks}</rowBreaks>')
        parts.append("</worksheet>")
        return "".join(parts).encode("utf-8")

    def _setup_attrs(self) -> str:
        order = ("paperSize", "firstPageNumber", "fitToWidth", "fitToHeight", "orientation")
        attrs = "".join(f' {name}="{self._setup[name]}"' for name in order if name in self._setup)
        return attrs + (' useFirstPageNumber="1"' if "firstPageNumber" in self._setup else "")


def _spans(columns: dict[int, tuple]) -> list[tuple[int, int, tuple]]:
    """Runs of adjacent columns with the same width and format, as (first, last, (width, style))."""
    spans: list[tuple[int, int, tuple]] = []
    for j in sorted(columns):
        if spans and spans[-1][1] == j - 1 and spans[-1][2] == columns[j]:
            spans[-1] = (spans[-1][0], j, columns[j])
        else:
            spans.append((j, j, columns[j]))
    return spans


def _stored_width(width: float | None) -> str:
    """A width in character units as Excel stores it: whole pixels of the default font plus padding,
    in 1/256 of a character (what Excel itself writes for a width typed in)."""
    if width is None:
        width = _DEFAULT_WIDTH
    if width <= 0:
        return "0"
    if width < 1:
        pixels = int(width * (_MAX_DIGIT_PIXELS + _CELL_PADDING) + 0.5)
    else:
        pixels = int(width * _MAX_DIGIT_PIXELS + 0.5) + _CELL_PADDING
    return f"{(pixels * 256 // _MAX_DIGIT_PIXELS) / 256:.16g}"


__all__ = ["MAIN", "REL", "XML_HEAD", "Worksheet", "xml_attr", "xml_text"]
