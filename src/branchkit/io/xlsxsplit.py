"""A long sheet parsed in two halves at once, on two calamine handles.

calamine parses a sheet on one core (with the GIL released). A long sheet's XML
is cut at a row near its middle into two packages, each the workbook with that
sheet holding one half of the rows (temporary files, stored, not deflated), and
the halves are parsed at the same time: the top half in a thread as soon as its
package is written, while the bottom half's is written and then parsed.
``Halves`` joins them into what one parse of the whole sheet gives; whenever
that is not certain (the cut row has no ``r`` reference, the halves' cells are
not two touching blocks of the same width starting at A1, a merged range spans
the cut, anything failing) the caller parses the sheet whole,
as before, so that what is read and every error stay exactly as they were.
The caller may have the top half's thread begin reading its rows once parsed
(``begin``), while the bottom half still parses.

The halves hold customer data: they go in the system's temporary folder (the
inputs' may be read-only) as ``io.tempfiles`` makes them (mode 0600, removed as
soon as parsed, and on every exit, signals included).
"""

from __future__ import annotations

import collections
import itertools
import re
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import python_calamine as calamine

from branchkit.errors import reader_failed
from branchkit.io.tempfiles import discard, new_temporary
from branchkit.io.xlsxcheck import sheet_blocks
from branchkit.io.xlsxshape import SheetShape
from branchkit.rules import InputRules

#: A sheet whose XML holds at least this many bytes is parsed in two halves. The split costs no CPU: the
#: halves are stored, so calamine no longer inflates the sheet, which pays for inflating it again and writing
#: them (in-process, 3 runs each, a machine loaded by others: 个人客户 of the 200,000-customer list, 119 MB:
#: whole 1.21-1.24 s CPU, 1.8-5.1 s wall; halves 1.15-1.21 s CPU, 0.9-3.6 s wall. 对公客户, 20 MB: 0.20 s CPU
#: either way, wall 0.67-0.82 -> 0.58-0.68 s). Below a few MB a parse takes a few tens of ms.
SPLIT_BYTES = 8 << 20
#: ... and only when the workbook holds at most one shared string for this many of the sheet's cells: each
#: half's handle reads all the shared strings again, at the same time. 个人客户 re-saved with its text as
#: shared strings (752,661 strings, 2,140,695 cells: 2.8 cells a string): opening the workbook 0.16-0.18 s
#: CPU, parsing the sheet 0.98-0.99 s; parsed in halves 0.22-0.26 s more CPU in all, and each half waits
#: for its handle's strings (0.17 s) where it saves half the parse (0.49 s).
CELLS_PER_STRING = 2
#: Where the cut falls, as a share of the sheet's XML (the first row starting after it).
TOP_SHARE = 0.5
#: A member of this many bytes or more needs zipfile's ZIP64 fields (zipfile's own limit).
_ZIP64_BYTES = zipfile.ZIP64_LIMIT
_SUFFIX = b"</sheetData></worksheet>"
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_ROW_AT = b'<row r="'
_TEMPORARY = Path(tempfile.gettempdir()) / "branchkit-half.xlsx"


def may_split(shape: SheetShape, strings: int) -> bool:
    """Whether a sheet the package check scanned is long enough to be parsed in two halves."""
    return (shape.xml_bytes >= SPLIT_BYTES and shape.bad_reference is None and not shape.odd
            and strings * CELLS_PER_STRING <= shape.cells)


class Halves:
    """Two halves of a sheet, the second's rows right below the first's, read as the whole sheet: what
    ``io.workbook`` uses of a ``CalamineSheet``. ``below``: the bottom half's rows from the cut on (its
    ``iter_rows`` starts at row 0: the empty rows above the cut were passed over as the top half was still
    being parsed, ``_from_cut``)."""

    def __init__(self, top: calamine.CalamineSheet, bottom: calamine.CalamineSheet, below: Iterator[list[Any]],
                 begun: Any = None) -> None:
        self._top, self._bottom, self._below = top, bottom, below
        #: what ``parse_halves``' ``begin`` made of the top half (None: nothing), read on from ``below``
        self.begun = begun
        self.start = top.start
        self.end = (bottom.end[0], bottom.end[1])
        self.merged_cell_ranges = bottom.merged_cell_ranges    # the mergeCells follow the rows: all there

    def iter_rows(self) -> Iterator[list[Any]]:
        """The rows from the first, as one parse's ``iter_rows``; taken once (a sheet is read once)."""
        return itertools.chain(self._top.iter_rows(), self._below)

    def rows_below(self) -> Iterator[list[Any]]:
        """The bottom half's rows alone (``iter_rows`` without the top half's); taken once, as it is."""
        return self._below

    def to_python(self, skip_empty_area: bool = True) -> list[list[Any]]:
        return self._top.to_python(skip_empty_area=skip_empty_area) + self._bottom.to_python(skip_empty_area=True)


def _from_cut(bottom: calamine.CalamineSheet, cut: int) -> Iterator[list[Any]] | None:
    """The bottom half's rows from row ``cut`` on, when its cells start there in column A (else None)."""
    if bottom.start != (cut, 0):
        return None
    rows = bottom.iter_rows()
    collections.deque(itertools.islice(rows, cut), maxlen=0)
    return rows


def joined(top: calamine.CalamineSheet, bottom: calamine.CalamineSheet, cut: int,
           below: Iterator[list[Any]], begun: Any = None) -> Halves | None:
    """The halves as the whole sheet, when their cells are exactly one parse's: the top half from A1 to the
    row above ``cut`` (0-based), the bottom half from column A of row ``cut`` on, both as wide, and no
    merged range across the cut. None otherwise."""
    if top.start != (0, 0) or top.end is None or bottom.start != (cut, 0) or bottom.end is None:
        return None
    if top.end != (cut - 1, bottom.end[1]):
        return None
    if any(r0 < cut <= r1 for (r0, _), (r1, _) in bottom.merged_cell_ranges or []):
        return None
    return Halves(top, bottom, below, begun)


def parse_halves(path: Path, part: str, name: str, label: str, limits: InputRules, size: int,
                 begin: Callable[[calamine.CalamineSheet], Any] | None = None) -> Halves | None:
    """Sheet ``name`` (package part ``part``, ``size`` bytes of XML) parsed in two halves at once; None
    when it is to be parsed whole (see the module's note). ``begin(top)`` is called in the top half's
    thread once it is parsed, while the bottom half still parses; what it returns is ``Halves.begun``
    (None when it raises: the caller then reads the sheet from its first row)."""
    files: list[Path] = []
    top: _Parse | None = None
    try:
        for _ in range(2):
            files.append(new_temporary(_TEMPORARY))
        top = _Parse(files[0], name, begin)
        with zipfile.ZipFile(path) as source:
            cut = _write_halves(source, part, files, label, limits, size, top.start)
        if cut is None:
            return None
        bottom = _Parse(files[1], name)
        bottom.run()
        below = _from_cut(bottom.result(), cut) if bottom.ok() else None
        if below is None or not top.ok():
            return None
        return joined(top.result(), bottom.result(), cut, below, top.begun)
    except Exception:           # anything unusual: parsed whole, failing (or not) as it always did
        return None
    finally:
        if top is not None:
            top.wait()
        for file in files:
            discard(file)


def _write_halves(source: zipfile.ZipFile, part: str, files: list[Path], label: str, limits: InputRules,
                  size: int, top_written) -> int | None:
    """Write the two packages; ``top_written()`` is called once the first is complete. The 0-based row the
    bottom half starts at, or None when there is no cut (a package begun is then left unfinished)."""
    packages = [_Package(source, files[0], part, size)]
    try:
        return _write_rows(source, part, packages, files[1], label, limits, size, top_written)
    finally:
        for package in packages:
            package.abandon()


def _write_rows(source: zipfile.ZipFile, part: str, packages: list[_Package], bottom_file: Path, label: str,
                limits: InputRules, size: int, top_written) -> int | None:
    """``_write_halves``' rows: the sheet's XML into the first package, then from the cut into a second
    (appended to ``packages``)."""
    head = cut = None
    seen, target = 0, int(size * TOP_SHARE)
    for block in sheet_blocks(source, part, label, limits, [limits.max_uncompressed_mb << 20]):
        seen += len(block)
        if head is None:
            at = block.find(b"<row ")
            if at < 0 or not block[:at].rstrip().endswith(b"<sheetData>"):
                return None
            head = _DIMENSION.sub(b"", block[:at])
            packages[0].write(head)
            block = block[at:]
        at = block.find(_ROW_AT, max(0, len(block) - (seen - target))) if cut is None and seen > target else -1
        if at >= 0:
            end = block.find(b'"', at + len(_ROW_AT), at + len(_ROW_AT) + 8)
            digits = block[at + len(_ROW_AT):end] if end > 0 else b""
            if not digits.isdigit() or int(digits) < 2:
                return None
            packages[0].write(block[:at])
            packages[0].write(_SUFFIX)
            packages[0].finish()
            top_written()
            cut = int(digits) - 1
            packages.append(_Package(source, bottom_file, part, size))
            packages[1].write(head)
            block = block[at:]
        packages[-1].write(block)
    if cut is None:
        return None
    packages[1].finish()
    return cut


class _Package:
    """A package at ``file`` holding the workbook's parts but its sheets, and sheet ``part`` as written to
    it. Stored, not deflated: calamine then reads the XML as it is (个人客户 of the 200,000-customer list:
    written in 0.07-0.10 s CPU and parsed in 1.06-1.08 s, against 0.11-0.12 and 1.25-1.28 s deflated by
    ISA-L at its fastest level, in-process)."""

    def __init__(self, source: zipfile.ZipFile, file: Path, part: str, size: int) -> None:
        self._handle = open(file, "wb")
        self._archive = zipfile.ZipFile(self._handle, "w", zipfile.ZIP_STORED)
        for info in source.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                self._archive.writestr(info.filename, source.read(info.filename))
        self._member = self._archive.open(part, "w", force_zip64=size >= _ZIP64_BYTES)

    def write(self, data: bytes) -> None:
        self._member.write(data)

    def finish(self) -> None:
        self._member.close()
        self._archive.close()
        self._handle.close()

    def abandon(self) -> None:
        """Close the file, finished or not (what is unfinished is closed as it stands, and only removed)."""
        try:
            self.finish()
        finally:
            self._handle.close()


class _Parse:
    """One half parsed on a calamine handle of its own (in a thread, with ``start``), then ``begin``
    called on it there, if given (``parse_halves``)."""

    def __init__(self, file: Path, name: str,
                 begin: Callable[[calamine.CalamineSheet], Any] | None = None) -> None:
        self._file, self._name, self._begin = file, name, begin
        self._thread: threading.Thread | None = None
        self._sheet: calamine.CalamineSheet | None = None
        self.begun: Any = None

    def start(self) -> None:
        thread = threading.Thread(target=self.run, daemon=True, name="branchkit-sheet-half")
        thread.start()
        self._thread = thread               # only once started: ``wait`` joins it

    def run(self) -> None:
        try:
            with calamine.CalamineWorkbook.from_path(str(self._file)) as book:
                self._sheet = book.get_sheet_by_name(self._name)
        except BaseException as error:      # a panic too: this thread's failure is the parse's, said there
            if not reader_failed(error):
                raise
            self._sheet = None
            return
        if self._begin is not None:
            try:
                self.begun = self._begin(self._sheet)
            except Exception:
                self.begun = None

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def ok(self) -> bool:
        self.wait()
        return self._sheet is not None

    def result(self) -> calamine.CalamineSheet:
        return self._sheet
