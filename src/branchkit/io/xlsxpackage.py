"""A minimal xlsx (OOXML) package writer, on public APIs only (its zip container: ``io.zipwrite``).

It writes what branchkit's workbooks use and nothing more: sheets whose ``<sheetData>`` is streamed
from ``io.xlsxrows.SheetRows``, cell formats (``io.xlsxstyles``), column widths and formats, frozen
panes, an autofilter, print settings (paper, orientation, fit to width, margins, page header and
footer, rows repeated on every page, page breaks, first page number) and document properties. The
method names are xlsxwriter's, so the callers read the same.

The package goes straight into the target zip in one pass: no copy in memory, no second zip. Every
member has the zip format's fixed 1980 date and no text varies between runs, so the same workbook
gives the same bytes. Sheet names are checked in constant time each (``sheet_name`` in ``io.xlsx``
makes them valid and unique; here a name that is not is a ValueError).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape, quoteattr

from branchkit import progress
from branchkit.io.ahead import ahead, early
from branchkit.io.excel import NOT_XML_CHARS
from branchkit.io.tempfiles import discard, new_temporary
from branchkit.io.xlsxrows import SheetRows
from branchkit.io.xlsxstyles import Format, Styles, make_format
from branchkit.io.zipwrite import ZipWriter
from branchkit.text import column_letters

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument."
#: Deflate level of the workbook (ISA-L's levels are 0-3): 1 is several times faster than zlib's
#: default 6 on sheet XML, for files about 15% larger.
ZIP_LEVEL = 1
#: A sheet of more cells than this may pass 4 GiB of XML: its zip member is written as ZIP64.
_ZIP64_CELLS = 20_000_000
#: Row XML is gathered into pieces of about this size before it goes to the compressor.
_WRITE_BYTES = 1 << 20
#: Pieces of sheet XML made ahead of the compressor: bounds what is held between the two (a few MiB).
_AHEAD = 4
#: Excel keeps at most this many manual page breaks in a sheet.
_MAX_BREAKS = 1023
_MAX_DIGIT_PIXELS, _CELL_PADDING = 7, 5           # of the default font, 11 pt Calibri
_DEFAULT_WIDTH = 8.43                             # Excel's column width for that font
_BAD_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f\ufffe\uffff]")
_NOT_XML = re.compile(f"[{NOT_XML_CHARS}]")


def _text(value: object) -> str:
    """Text for an XML element: escaped, without the characters XML forbids."""
    return escape(_NOT_XML.sub("", str(value)))


def _attr(value: object) -> str:
    """A quoted XML attribute value, escaped, without the characters XML forbids."""
    return quoteattr(_NOT_XML.sub("", str(value)))


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
        parts = [_XML_HEAD, f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">']
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
            header = f"<oddHeader>{_text(self._header)}</oddHeader>" if self._header else ""
            footer = f"<oddFooter>{_text(self._footer)}</oddFooter>" if self._footer else ""
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


class Workbook:
    """A workbook written to ``path`` by ``close()``: sheets, formats and document properties."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.sheets: list[Worksheet] = []
        self.styles = Styles()
        self._names: set[str] = set()
        self._properties: dict[str, object] = {}
        #: Sheets being written ahead (``write_ahead``): their spool, how many, the thread's end, its stop.
        self._ahead: tuple[ZipWriter, int, Future, threading.Event] | None = None

    def add_format(self, props: dict[str, object]) -> Format:
        """A cell format of these properties (xlsxwriter's names); numbered when first used."""
        return make_format(props)

    def index(self, fmt: Format) -> int:
        """The cell-format index of ``fmt`` that a cell's ``s`` attribute names."""
        return self.styles.index(fmt)

    def add_worksheet(self, name: str) -> Worksheet:
        """A new sheet at the end. ``name`` must be valid and unique (compared case-insensitively):
        ``io.xlsx.sheet_name`` makes it so."""
        if not name or len(name) > 31 or _BAD_NAME.search(name) or name[0] == "'" or name[-1] == "'":
            raise ValueError(f"invalid sheet name: {name!r}")
        if name.lower() in self._names:
            raise ValueError(f"a sheet named {name!r} exists already (Excel ignores case)")
        self._names.add(name.lower())
        sheet = Worksheet(name, len(self.sheets), self.styles)
        self.sheets.append(sheet)
        return sheet

    def set_properties(self, props: dict[str, object]) -> None:
        """Document properties: title, author, company, comments, created (a datetime)."""
        self._properties.update(props)

    def write_ahead(self) -> None:
        """Start writing the sheets added so far (complete: their settings and rows given) in a worker,
        deflated into a spool beside the workbook, while the caller adds more sheets; ``close`` copies
        them into their place. The package's first parts (the sheets' list, the styles) wait for every
        sheet, and the workbook's bytes are those written without it. After this, ``close`` or
        ``abandon`` must be called."""
        if self._ahead is not None:
            raise ValueError("sheets are being written ahead already")
        spool, stop = ZipWriter(new_temporary(self.path), ZIP_LEVEL), threading.Event()
        sheets = list(self.sheets)
        self._ahead = (spool, len(sheets), early(self._write_sheets, spool, sheets, stop, lane="package"), stop)

    def abandon(self) -> None:
        """Give up a workbook whose sheets are being written ahead (after an error): the worker is
        stopped and waited for, its spool removed."""
        if self._ahead is None:
            return
        spool, _, done, stop = self._ahead
        self._ahead = None
        stop.set()
        try:
            done.result()
        except BaseException:           # the error that ended the write is the caller's to raise
            pass
        spool.abandon()
        discard(spool.path)

    def close(self) -> None:
        """Write the package: content types, relationships, properties, workbook, styles, then each
        sheet with its rows streamed in (those written ahead copied from their spool)."""
        progress.step("writing the sheets", total=len(self.sheets))
        try:
            spooled, count = self._spooled()
        except BaseException:
            self.abandon()
            raise
        archive = ZipWriter(self.path, ZIP_LEVEL)
        try:
            for name, data in ((("[Content_Types].xml", self._content_types()), ("_rels/.rels", _ROOT_RELS),
                                ("docProps/core.xml", self._core()), ("docProps/app.xml", self._app()),
                                ("xl/workbook.xml", self._workbook()), ("xl/_rels/workbook.xml.rels", self._rels()),
                                ("xl/styles.xml", self.styles.xml()))):
                archive.add(name, data if isinstance(data, bytes) else data.encode("utf-8"))
            if spooled is not None:
                archive.adopt(spooled)
            self._write_sheets(archive, self.sheets[count:], None)
        except BaseException:
            archive.abandon()
            raise
        finally:
            self.abandon()              # the spool's file removed (nothing is left running)
        archive.close()

    def _spooled(self) -> tuple[ZipWriter | None, int]:
        """The spool of the sheets written ahead, once they are all written, and how many they are."""
        if self._ahead is None:
            return None, 0
        spool, count, done, _ = self._ahead
        done.result()
        progress.advance(count)
        return spool, count

    def _write_sheets(self, archive: ZipWriter, sheets: list[Worksheet], stop: threading.Event | None) -> None:
        """``sheets`` written to ``archive``; with ``stop`` (written ahead, in a worker: progress is told
        by ``close``) ended early once it is set."""
        # The rows are made (Arrow joins) in a thread while this one deflates (ISA-L): both release
        # the GIL, so they overlap. The pieces come in order, so the bytes never depend on timing.
        pieces = ahead(((sheet, *piece) for sheet in sheets for piece in _sheet_pieces(sheet)), _AHEAD)
        member = None
        try:
            for sheet, piece, last in pieces:
                if stop is not None and stop.is_set():
                    return
                if member is None:
                    member = archive.open(f"xl/worksheets/sheet{sheet.index + 1}.xml",
                                          zip64=sheet.rows.cells > _ZIP64_CELLS)
                member.write(piece)
                if last:
                    member.close()
                    member = None
                    if stop is None:
                        progress.advance()
        finally:
            pieces.close()              # stops the thread when an error ends the loop early

    def _content_types(self) -> str:
        sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_TYPE}'
                         f'spreadsheetml.worksheet+xml"/>' for i in range(1, len(self.sheets) + 1))
        return (f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}spreadsheetml.sheet.main+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}spreadsheetml.styles+xml"/>{sheets}'
                '<Override PartName="/docProps/core.xml" '
                'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                f'<Override PartName="/docProps/app.xml" ContentType="{_TYPE}extended-properties+xml"/></Types>')

    def _core(self) -> str:
        props = self._properties
        created = props.get("created") or dt.datetime(2000, 1, 1)
        stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        fields = [(tag, props[key]) for tag, key in (("dc:title", "title"), ("dc:creator", "author"),
                                                     ("dc:description", "comments")) if props.get(key)]
        if props.get("author"):
            fields.append(("cp:lastModifiedBy", props["author"]))
        body = "".join(f"<{tag}>{_text(value)}</{tag}>" for tag, value in fields)
        return (f'{_XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
                'terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/'
                f'XMLSchema-instance">{body}<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')

    def _app(self) -> str:
        company = f"<Company>{_text(self._properties['company'])}</Company>" if self._properties.get("company") else ""
        return (f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'extended-properties"><Application>branchkit</Application><DocSecurity>0</DocSecurity>'
                f"<ScaleCrop>false</ScaleCrop>{company}<LinksUpToDate>false</LinksUpToDate>"
                "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
                "<AppVersion>12.0000</AppVersion></Properties>")

    def _workbook(self) -> str:
        sheets = "".join(f'<sheet name={_attr(s.name)} sheetId="{s.index + 1}" r:id="rId{s.index + 1}"/>'
                         for s in self.sheets)
        return (f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews><workbookView/>'
                f"</bookViews><sheets>{sheets}</sheets>{self._defined_names()}</workbook>")

    def _defined_names(self) -> str:
        """The hidden filter ranges and the print titles, each local to its sheet (as Excel writes them:
        by name, then by sheet)."""
        names = []
        for name, attr, hidden in (("_xlnm._FilterDatabase", "filter_range", True),
                                   ("_xlnm.Print_Titles", "print_titles", False)):
            for sheet in self.sheets:
                ref = getattr(sheet, attr)
                if ref is None:
                    continue
                absolute = ref if attr == "print_titles" else _absolute(ref)
                flag = ' hidden="1"' if hidden else ""
                names.append(f'<definedName name="{name}" localSheetId="{sheet.index}"{flag}>'
                             f"{_text(_quoted(sheet.name))}!{absolute}</definedName>")
        return f"<definedNames>{''.join(names)}</definedNames>" if names else ""

    def _rels(self) -> str:
        sheets = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                         for i in range(1, len(self.sheets) + 1))
        styles = (f'<Relationship Id="rId{len(self.sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>')
        return f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_REL}">{sheets}{styles}</Relationships>'


_ROOT_RELS = (f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_REL}">'
              f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
              f'<Relationship Id="rId2" Type="{_PACKAGE_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
              f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
              "</Relationships>")


def _quoted(name: str) -> str:
    """A sheet name as a formula names it: in apostrophes, its own apostrophes doubled (always valid)."""
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """``A1:X30`` as ``$A$1:$X$30``."""
    return re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", ref)


def _sheet_pieces(sheet: Worksheet) -> Iterator[tuple[bytes, bool]]:
    """One sheet's member in pieces, each with whether it is the last: its head, its rows gathered
    into large pieces (each write to a zip member costs a compressor call; a book's rows come a page
    at a time) or, a chunk of rows large enough, as it is, its tail."""
    rows = sheet.rows
    pending = bytearray(sheet.head())
    if rows.parts:
        pending += b"<sheetData>"
        for chunk in rows.chunks():
            if len(chunk) >= _WRITE_BYTES:      # a whole chunk of a large table: handed on as it is, uncopied
                if pending:
                    yield pending, False
                    pending = bytearray()
                yield chunk, False
                continue
            pending += chunk
            if len(pending) >= _WRITE_BYTES:
                yield pending, False
                pending = bytearray()
        pending += b"</sheetData>"
        rows.parts.clear()          # what made the rows (and the cells it holds) is let go
    else:
        pending += b"<sheetData/>"
    yield bytes(pending) + sheet.tail(), True
