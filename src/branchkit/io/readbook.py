"""Reading a file into raw grids: the format told from its first bytes, then the reader for it.

``grid`` holds the shapes every reader produces (``Grid``, ``Book``); this module dispatches to the
readers (``workbook``: xlsx/xlsm/xls through calamine; ``htmltable``: HTML tables saved as .xls and
SpreadsheetML 2003; ``csvread``: CSV and text exports, stdin included), which import only ``grid``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Callable

from branchkit.errors import InputError
from branchkit.io.csvread import read_csv_grid
from branchkit.io.grid import Book
from branchkit.io.htmltable import read_html_tables, read_spreadsheetml
from branchkit.io.sniff import compression, sniff
from branchkit.io.workbook import read_workbook
from branchkit.rules import InputRules


def read_book(source: str | Path, limits: InputRules, *, stdin: IO[bytes] | None = None,
              skip: Callable[[str, bool], str | None] | None = None) -> Book:
    """Read every visible sheet of a file (``-`` = CSV from stdin) into raw grids.

    ``skip(sheet, several)`` may pass over a workbook sheet before it is parsed: it returns the reason
    (recorded in ``Book.skipped``) or None to read the sheet.
    """
    if str(source) == "-":
        data = (stdin or sys.stdin.buffer).read()
        if compression(data[:8]):
            raise InputError("<stdin>", f"{compression(data[:8])}-compressed data, not a ledger; decompress it "
                             "first (e.g. zcat FILE | branchkit ...)")
        kind = sniff(data[:65536])
        if kind in ("zip", "xls", "encrypted"):
            # A workbook needs its file (its parts are found by their place in it): said, not read as text.
            raise InputError("<stdin>", "an Excel workbook on standard input; '-' reads CSV (or an HTML table): "
                             "give the workbook's path instead")
        if kind == "binary":
            raise InputError("<stdin>", "not CSV or an HTML table (unrecognised binary content)")
        return _text_book("<stdin>", data, kind if kind in ("html", "spreadsheetml") else "csv")
    path = Path(source)
    label = str(source)
    if not path.exists():
        raise InputError(label, "no such file")
    if path.is_dir():
        raise InputError(label, "is a folder, not a ledger file")
    size = path.stat().st_size
    if size > limits.max_file_mb * 1024 * 1024:
        raise InputError(label, f"refused: {size // (1024 * 1024)} MB is larger than the limit "
                         f"of {limits.max_file_mb} MB (input.max_file_mb in the rules)")
    with path.open("rb") as handle:
        head = handle.read(65536)
    kind = sniff(head, path.suffix.lower())
    if kind == "empty":
        raise InputError(label, "the file is empty")
    if kind == "binary":
        raise InputError(label, "not a spreadsheet, CSV or HTML table (unrecognised binary content)")
    if kind == "compressed":
        raise InputError(label, f"a {compression(head)}-compressed file, not a ledger; decompress it and give "
                         "the file inside")
    if kind in ("zip", "xls", "encrypted"):
        return read_workbook(path, label, kind, limits, skip)
    data = path.read_bytes()
    return _text_book(label, data, kind)


def _text_book(label: str, data: bytes, kind: str) -> Book:
    if kind == "html":
        return Book(label, "html", read_html_tables(data, label))
    if kind == "spreadsheetml":
        return Book(label, "spreadsheetml", read_spreadsheetml(data, label))
    return Book(label, "csv", [read_csv_grid(data, label)])
