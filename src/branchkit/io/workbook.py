"""Excel workbooks (.xlsx, .xlsm, .xls) through calamine, after the package checks."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import python_calamine as calamine

from branchkit.errors import InputError, reader_failed
from branchkit.io.grid import Book, Grid, Tail, padded
from branchkit.io.heap import give_back_freed
from branchkit.io.sheetbudget import Budget
from branchkit.io.xlserrors import xls_error_cells
from branchkit.io.xlsxcheck import XlsxFacts, check_package, listed_sheets
from branchkit.io.xlsxfills import FillSource
from branchkit.io.xlsxsplit import Halves, may_split, parse_halves
from branchkit.rules import InputRules

_OLE_SCAN = 8 * 1024 * 1024


def read_workbook(path: Path, label: str, kind: str, limits: InputRules,
                  skip: Callable[[str, bool], str | None] | None = None) -> Book:
    """Every visible worksheet of a workbook as a grid; hidden sheets are named as skipped, and the sheets
    ``skip(name, several)`` gives a reason for are passed over unread."""
    if kind == "encrypted" or (kind == "xls" and _ole_encrypted(path)):
        raise InputError(label, "the workbook is encrypted (password-protected); "
                         "remove the password in Excel (File > Info > Protect) and save again")
    if kind == "zip" and skip is not None:
        passed = _all_passed(path, label, limits, skip)
        if passed is not None:
            return passed
    facts = check_package(path, label, limits) if kind == "zip" else XlsxFacts()
    budget = Budget(path, label, limits, facts)
    book = _open(path, label)
    out = Book(label, "xlsx" if kind == "zip" else "xls", [])
    visible = []
    for meta in book.sheets_metadata:
        if str(meta.typ) != str(calamine.SheetTypeEnum.WorkSheet):
            out.skipped.append(f"{meta.name} (not a worksheet)")
        elif str(meta.visible) != str(calamine.SheetVisibleEnum.Visible):
            out.skipped.append(f"{meta.name} (hidden)")
        else:
            visible.append(meta.name)
    reasons = [skip(name, len(visible) > 1) if skip is not None else None for name in visible]
    out.passed = [f"{name} ({reason})" for name, reason in zip(visible, reasons) if reason]
    names = [name for name, reason in zip(visible, reasons) if not reason]
    if kind == "xls":           # its error cells, which calamine reads as empty (an .xlsx's: check_package)
        facts.errors = xls_error_cells(path, names)
    with _Ahead(path if kind == "zip" else None, budget) as ahead:
        for name, after in zip(names, [*names[1:], None]):
            out.grids.append(_grid(book, name, label, facts, budget, ahead, after))
    if any(grid.tail is not None for grid in out.grids):
        book.close()                # its shared strings (a long ledger's names and ids) go now, too
        give_back_freed()
    return out


def _all_passed(path: Path, label: str, limits: InputRules, skip: Callable[[str, bool], str | None]) -> Book | None:
    """The book of a workbook none of whose visible sheets the command reads (the Gantt's hundreds of
    sheets when allocating), told from its sheet list alone: its sheets are neither checked nor parsed.
    None when some sheet may be read: the workbook is then checked and read whole as usual."""
    sheets = listed_sheets(path, label, limits)
    visible = [name for name, shown in sheets if shown]
    if not visible:
        return None
    reasons = [skip(name, len(visible) > 1) for name in visible]
    if not all(reasons):
        return None
    return Book(label, "xlsx", [], skipped=[f"{name} (hidden)" for name, shown in sheets if not shown],
                passed=[f"{name} ({reason})" for name, reason in zip(visible, reasons)])


def _open(source: Path | object, label: str) -> calamine.CalamineWorkbook:
    try:
        if isinstance(source, Path):
            return calamine.CalamineWorkbook.from_path(str(source))
        return calamine.CalamineWorkbook.from_filelike(source)
    except calamine.PasswordError:
        raise InputError(label, "the workbook is encrypted (password-protected)") from None
    except BaseException as exc:
        if not reader_failed(exc):
            raise
        raise InputError(label, f"cannot be read as a workbook: {_reason(exc)}") from None


def _grid(book: calamine.CalamineWorkbook, name: str, label: str, facts: XlsxFacts, budget: Budget,
          ahead: _Ahead, after: str | None) -> Grid:
    """Sheet ``name`` as a grid; the sheet ``after`` it (the next one read) is parsed meanwhile in
    ``ahead`` when it may be (``_may_parse_ahead``). A long sheet parsed with nothing beside it (here with
    nothing parsed ahead, or ahead) is parsed in two halves at once (``_halves``)."""
    compact = budget.plan(name)
    if compact is not None:
        ahead.drop()            # a parse ahead was of the sheet as it is, not of what is read
        book = _open(budget.package(name, compact), label)
    try:
        sheet = ahead.take(name)
        if after is not None and compact is None and _may_parse_ahead(budget, name, after):
            ahead.start(after)
        if sheet is None and compact is None and not ahead.busy():     # both cores are busy already
            sheet = _halves(ahead.path, budget, name)
        if sheet is None:
            sheet = book.get_sheet_by_name(name)
        budget.take_read(name, sheet.end)
        merged = list(sheet.merged_cell_ranges or [])
        first = budget.limits.header_scan_rows + HEAD_MARGIN
        read = _by_column(sheet, first) if compact is None and _long(sheet, first, merged) else None
        rows, tail = read if read is not None else (sheet.to_python(skip_empty_area=False), None)
    except InputError:
        raise
    except BaseException as exc:
        if not reader_failed(exc):
            raise
        raise InputError(label, f"sheet {name!r} cannot be read: {_reason(exc)}") from None
    if tail is not None:
        del sheet
        give_back_freed()
    grid = Grid(
        file=label, sheet=name, rows=rows, merged=merged, date1904=facts.date1904,
        uncalculated=facts.uncalculated.get(name, []), errors=facts.errors.get(name, []), tail=tail,
        fills=FillSource(str(budget.path), facts.parts[name], label, budget.limits) if name in facts.parts else None,
    )
    if compact is not None:
        grid.row_at, grid.col_at = compact.rows[:len(rows)], compact.cols
        shape = facts.shapes[name]
        grid.remarks.append(f"read without its empty rows and columns ({len(shape.distinct_rows()):,} rows and "
                            f"{len(compact.cols):,} columns hold values, the last at {budget.last_cell(name)})")
    return grid


#: The next sheet is parsed ahead only when it and the sheet it is parsed beside both hold at least this many
#: cells (the package scan's count), and at least as many as the workbook has shared strings: the thread opens
#: the workbook again, which reads them all again (660,000 strings: 0.2 s, where a sheet of 80,000 cells
#: parses in 0.03 s and one of 800,000 in 0.4 s), and the parse ahead saves at most the shorter sheet's time.
AHEAD_CELLS = 200_000


def _halves(path: Path | None, budget: Budget, name: str) -> Halves | None:
    """Sheet ``name`` of the workbook at ``path`` (None: an .xls) parsed in two halves at once, when it is
    long enough (``xlsxsplit.may_split``) and its halves join into what one parse gives; else None."""
    shape = budget.facts.shapes.get(name)
    if path is None or shape is None or not may_split(shape, len(budget.facts.shared_lengths)):
        return None
    first = budget.limits.header_scan_rows + HEAD_MARGIN
    return parse_halves(path, budget.facts.parts[name], name, budget.label, budget.limits, shape.xml_bytes,
                        lambda top: _begin(top, first))


def _may_parse_ahead(budget: Budget, name: str, after: str) -> bool:
    """Whether sheet ``after`` may be parsed while sheet ``name`` is read: both are long enough
    (``AHEAD_CELLS``), and by the package scan's figures both sheets' blocks fit what the workbook's budget
    has left, and so does the shared text ``after``'s cells may copy at most. This bounds what a parse ahead
    may take; whether it is used is ``Budget.plan``'s word, in order, once ``name`` is read (a sheet the
    budget then reads otherwise is parsed again, as it is read)."""
    shapes = budget.facts.shapes
    if name not in shapes or after not in shapes or shapes[after].bad_reference:
        return False
    lengths = budget.facts.shared_lengths
    if min(shapes[name].cells, shapes[after].cells) < max(AHEAD_CELLS, len(lengths)):
        return False
    text = shapes[after].cells * int(lengths.max()) if len(lengths) else 0
    return (budget.used + shapes[name].dense_area() + shapes[after].dense_area() <= budget.allowed
            and budget.text_used + text <= budget.text_allowed)


class _Ahead:
    """The next sheet of a workbook parsed in a thread while the one before is made into its grid.

    calamine parses a sheet with the GIL released (``get_sheet_by_name`` runs in ``allow_threads``), so on
    two cores the parse of the next sheet overlaps this one's parse and Python work (its rows, or its tail's
    blocks): the 1,048,575-customer list's 个人客户 (~914,000 rows, 6.7 s of parse) is parsed beside the
    whole read of 对公客户 (~135,000 rows: 1.2 s of parse, 0.4-0.5 s of tail), which the read no longer
    waits for. The thread opens the workbook on a handle of its own: a python-calamine handle parses one
    sheet at a time (``get_sheet_by_name`` from a second thread meanwhile raises "Already borrowed"), and
    opening one costs what reading the workbook's shared strings does. At most one sheet is parsed ahead,
    so at most two sheets' cells are held as calamine builds them (allocate's peak RSS, main -> this:
    200,000 customers 512-514 -> 507-509 MB, 1,048,575 customers 1.59 -> 1.59-1.61 GB). A parse's error is raised when the reader reaches that sheet, as if it had
    been parsed then; a parse not wanted after all is waited for and dropped. A long sheet is parsed ahead
    in two halves (``_halves``; the thread parses one, a thread of the split's the other)."""

    def __init__(self, path: Path | None, budget: Budget) -> None:
        self.path = path                    # None: nothing is parsed ahead (an .xls is parsed as it opens)
        self._budget = budget
        self._name: str | None = None
        self._thread: threading.Thread | None = None
        self._parsed: tuple[calamine.CalamineSheet | Halves | None, BaseException | None] = (None, None)

    def start(self, name: str) -> None:
        """Parse sheet ``name`` in the thread (nothing else may be parsed ahead at the time)."""
        if self.path is None:
            return
        self._name = name
        self._thread = threading.Thread(target=self._parse, args=(self.path, name), daemon=True,
                                        name="branchkit-sheet-ahead")
        self._thread.start()

    def take(self, name: str) -> calamine.CalamineSheet | Halves | None:
        """Sheet ``name`` parsed ahead (its parse's error raised here), or None when it was not."""
        if self._name != name:
            return None
        self._thread.join()
        sheet, error = self._parsed
        self.drop()
        if error is not None:
            raise error
        return sheet

    def busy(self) -> bool:
        """Whether a sheet is being parsed ahead."""
        return self._thread is not None

    def drop(self) -> None:
        """Wait for the parse under way, if any, and let go of what it made."""
        if self._thread is not None:
            self._thread.join()
        self._name, self._thread, self._parsed = None, None, (None, None)

    def __enter__(self) -> "_Ahead":
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

    def _parse(self, path: Path, name: str) -> None:
        halves = _halves(path, self._budget, name)
        if halves is not None:
            self._parsed = (halves, None)
            return
        try:
            book = calamine.CalamineWorkbook.from_path(str(path))
        except BaseException as error:
            if not reader_failed(error):
                raise
            return              # not parsed ahead: the reader's own handle parses it when it gets there
        try:
            self._parsed = (book.get_sheet_by_name(name), None)
        except BaseException as error:
            if not reader_failed(error):
                raise
            self._parsed = (None, error)
        finally:
            book.close()


#: A sheet of at least this many cells is read by column below its first rows (``Grid.tail``), in blocks
#: of ``BLOCK_ROWS`` rows: its text never lives as Python objects all at once.
BY_COLUMN_CELLS = 200_000
BLOCK_ROWS = 16_384
#: Rows taken from calamine's iterator at a time into a block. Each row is a Python list, which the garbage
#: collector follows: 16,384 of them held at once outlived its young collections and set off collections
#: of the older generations, which scan all the objects the process holds (with the collector off, taking
#: the rows cost 0.11-0.13 s instead of 0.20-0.23 s). Taken 256 at a time and copied into the block's array,
#: they die young, and the copy of a few rows stays in the CPU's cache.
#: Tail of 客户清单.xlsx's 个人客户 at 200,000 customers (174,168 rows, 300,000 other objects alive, fresh
#: processes, CPU): 0.81-0.85 s at 16,384 rows a step, 0.61-0.63 s at 256, 0.65-0.70 s at 512, 0.72-0.76 s at
#: 1,024.
ROW_STEP = 256
#: Rows read as rows beyond the header scan's (a header of several rows starts within the scan).
HEAD_MARGIN = 8


def _long(sheet: calamine.CalamineSheet, first: int, merged: list) -> bool:
    """Whether to read a sheet by column: a long sheet that starts at A1, whose merged ranges (filled in
    over rows) all lie within its first rows or beyond its last."""
    if sheet.start != (0, 0) or sheet.end is None:
        return False
    height, width = sheet.end[0] + 1, sheet.end[1] + 1
    if height <= first or height * width < BY_COLUMN_CELLS:
        return False
    return all(r0 >= height or min(r1, height - 1) < first for (r0, _), (r1, _) in merged)


@dataclass
class _Begun:
    """A long sheet being read by column (``_start``): its first ``first`` rows, the tail's whole blocks,
    and the block begun (``filled`` rows of ``block``), which the rows read next go on filling (a sheet
    parsed in halves: the bottom half's, so the blocks are cut where the whole sheet's are)."""

    first: int
    rows: list
    tail: Tail
    block: np.ndarray
    filled: int

    def read_on(self, cells: Iterator[list]) -> _Begun | None:
        """Itself with ``cells``' rows read into its blocks, all of them; None when a row is wider than
        the tail (``_fill``)."""
        while True:
            block, filled = _fill(cells, self.tail.width, self.block, self.filled)
            if block is None:
                return None
            if filled < BLOCK_ROWS:
                self.filled = filled
                return self
            self.tail.add(block)
            self.block, self.filled = _new_block(self.tail.width), 0

    def made(self) -> tuple[list, Tail | None]:
        """The first rows and the tail (None: no row below the first ones), the block begun in it."""
        self.tail.add(self.block[:self.filled])
        return self.rows, self.tail if self.tail.height else None


def _start(cells: Iterator[list], first: int, width: int) -> _Begun | None:
    """Start reading a sheet's rows by column: its first ``first`` rows as lists, the rest of ``cells`` into
    the blocks of a tail ``width`` wide (``_Begun.read_on``)."""
    rows = list(itertools.islice(cells, first))
    return _Begun(first, rows, Tail(width=width), _new_block(width), 0).read_on(cells)


def _begin(top: calamine.CalamineSheet, first: int) -> _Begun | None:
    """The top half of a sheet parsed in halves, read by column in the top half's thread while the bottom
    half parses (``xlsxsplit.parse_halves``' ``begin``). Used only when the whole sheet is read by column
    (``_grid``, as ever: ``_long``, once the whole sheet's end and merged ranges are known) at the same
    width; None when the top half has fewer rows than ``first`` or a row wider than it says (the sheet is
    then read from its first row, as without halves)."""
    if top.start != (0, 0) or top.end is None:
        return None
    begun = _start(top.iter_rows(), first, top.end[1] + 1)
    return begun if begun is not None and len(begun.rows) == first else None


def _by_column(sheet: calamine.CalamineSheet | Halves, first: int) -> tuple[list, Tail | None] | None:
    """The sheet's first rows as lists and the rest as a ``Tail``; None when a row is wider than the
    sheet says (the caller reads it as rows). Halves whose top half was read (``_begin``) at the sheet's
    width are read on from the bottom half's rows."""
    begun = sheet.begun if isinstance(sheet, Halves) else None
    if begun is not None and begun.first == first and begun.tail.width == sheet.end[1] + 1:
        read = begun.read_on(sheet.rows_below())
    else:
        read = _start(sheet.iter_rows(), first, sheet.end[1] + 1)
    return None if read is None else read.made()


def _new_block(width: int) -> np.ndarray:
    return np.empty((BLOCK_ROWS, width), dtype=object)


def _fill(cells: Iterator[list], width: int, block: np.ndarray, filled: int) -> tuple[np.ndarray | None, int]:
    """``block`` (a 2-D object array ``BLOCK_ROWS`` by ``width``, its first ``filled`` rows taken) filled
    on with the next rows, a shorter row filled out with '' (``padded``), and how many rows it then holds
    (fewer than ``BLOCK_ROWS`` at the end); a None block when a row is wider. The rows are taken
    ``ROW_STEP`` at a time and put in the array at once, so their lists die young (see ``ROW_STEP``)."""
    while filled < BLOCK_ROWS and (rows := list(itertools.islice(cells, min(ROW_STEP, BLOCK_ROWS - filled)))):
        if max(map(len, rows)) > width:
            return None, 0
        block[filled:filled + len(rows)] = padded(rows, width)
        filled += len(rows)
    return block, filled


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _ole_encrypted(path: Path) -> bool:
    """An OLE file is an encrypted OOXML workbook when its directory names the encryption streams."""
    with path.open("rb") as handle:
        data = handle.read(_OLE_SCAN)
    return ("EncryptedPackage".encode("utf-16-le") in data
            or "EncryptionInfo".encode("utf-16-le") in data)
