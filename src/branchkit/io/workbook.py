"""Excel workbooks (.xlsx, .xlsm, .xls) through calamine, after the package checks."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Callable

import python_calamine as calamine

from branchkit.errors import InputError
from branchkit.io.grid import Book, Grid, Tail
from branchkit.io.heap import give_back_freed
from branchkit.io.sheetbudget import Budget
from branchkit.io.xlsxcheck import XlsxFacts, check_package, listed_sheets
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
    for name in visible:
        reason = skip(name, len(visible) > 1) if skip is not None else None
        if reason:
            out.passed.append(f"{name} ({reason})")
        else:
            out.grids.append(_grid(book, name, label, facts, budget))
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
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise InputError(label, f"cannot be read as a workbook: {_reason(exc)}") from None


def _grid(book: calamine.CalamineWorkbook, name: str, label: str, facts: XlsxFacts, budget: Budget) -> Grid:
    compact = budget.plan(name)
    if compact is not None:
        book = _open(budget.package(name, compact), label)
    try:
        sheet = book.get_sheet_by_name(name)
        budget.take_read(name, sheet.end)
        merged = list(sheet.merged_cell_ranges or [])
        first = budget.limits.header_scan_rows + HEAD_MARGIN
        read = _by_column(sheet, first) if compact is None and _long(sheet, first, merged) else None
        rows, tail = read if read is not None else (sheet.to_python(skip_empty_area=False), None)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(label, f"sheet {name!r} cannot be read: {_reason(exc)}") from None
    if tail is not None:
        del sheet
        give_back_freed()
    grid = Grid(
        file=label, sheet=name, rows=rows, merged=merged, date1904=facts.date1904,
        uncalculated=facts.uncalculated.get(name, []), tail=tail,
    )
    if compact is not None:
        grid.row_at, grid.col_at = compact.rows[:len(rows)], compact.cols
        shape = facts.shapes[name]
        grid.remarks.append(f"read without its empty rows and columns ({len(shape.distinct_rows()):,} rows and "
                            f"{len(compact.cols):,} columns hold values, the last at {budget.last_cell(name)})")
    return grid


#: A sheet of at least this many cells is read by column below its first rows (``Grid.tail``), in blocks
#: of ``BLOCK_ROWS`` rows: its text never lives as Python objects all at once.
BY_COLUMN_CELLS = 200_000
BLOCK_ROWS = 16_384
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


def _by_column(sheet: calamine.CalamineSheet, first: int) -> tuple[list, Tail | None] | None:
    """The sheet's first rows as lists and the rest as a ``Tail``; None when a row is wider than the
    sheet says (the caller reads it as rows)."""
    cells = sheet.iter_rows()
    rows = list(itertools.islice(cells, first))
    tail = Tail(width=sheet.end[1] + 1)
    while block := list(itertools.islice(cells, BLOCK_ROWS)):
        if not tail.add(block):
            return None
    return rows, tail if tail.height else None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _ole_encrypted(path: Path) -> bool:
    """An OLE file is an encrypted OOXML workbook when its directory names the encryption streams."""
    with path.open("rb") as handle:
        data = handle.read(_OLE_SCAN)
    return ("EncryptedPackage".encode("utf-16-le") in data
            or "EncryptionInfo".encode("utf-16-le") in data)
