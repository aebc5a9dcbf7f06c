"""A minimal xlsx (OOXML) package writer, on public APIs only (its zip container: ``io.zipwrite``).

It writes what branchkit's workbooks use and nothing more: sheets whose ``<sheetData>`` is streamed
from ``io.xlsxrows.SheetRows``, cell formats (``io.xlsxstyles``), column widths and formats, frozen
panes, an autofilter, print settings (paper, orientation, fit to width, margins, page header and
footer, rows repeated on every page, page breaks, first page number) and document properties. The
method names are xlsxwriter's, so the callers read the same. A sheet's settings and the XML around its
rows are ``io.xlsxsheet.Worksheet``.

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

from branchkit import progress
from branchkit.io.ahead import ahead, early
from branchkit.io.tempfiles import discard, new_temporary
from branchkit.io.xlsxsheet import MAIN as _MAIN, REL as _REL, XML_HEAD as _XML_HEAD, Worksheet
from branchkit.io.xlsxsheet import xml_attr as _attr, xml_text as _text
from branchkit.io.xlsxstyles import Format, Styles, make_format
from branchkit.io.zipwrite import ZipWriter

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
_BAD_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f\ufffe\uffff]")


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
