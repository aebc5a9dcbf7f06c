"""Shared fixtures."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    """A CLI runner that keeps stderr apart from stdout."""
    return CliRunner()


from pathlib import Path
from typing import Any, Iterable

import openpyxl
import zipfile


def write_book(path: Path, sheets: dict[str, list[list[Any]]], *, merges: dict[str, list[str]] | None = None,
               hidden: Iterable[str] = (), date1904: bool = False) -> Path:
    """An .xlsx with the given sheets (rows of cell values), merged ranges and hidden sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if date1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        book.epoch = CALENDAR_MAC_1904
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for rng in (merges or {}).get(name, []):
            sheet.merge_cells(rng)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    """Write an .xlsx under tmp_path: book("name.xlsx", {"sheet": rows}, merges=..., hidden=...)."""

    def make(name: str, sheets: dict[str, list[list[Any]]], **kwargs: Any) -> Path:
        return write_book(tmp_path / name, sheets, **kwargs)

    return make


@pytest.fixture
def read_ledgers():
    """Read sources with the default rules: returns (inputs, frames by kind, problem frame)."""
    from branchkit.core.checks import cross_check
    from branchkit.io.discover import load_inputs
    from branchkit.rules import load_rules

    def read(*sources: Any, kind: str | None = None, check: bool = False):
        inputs = load_inputs(load_rules(), list(sources), force_kind=kind)
        frames = {k: ledger.frame for k, ledger in inputs.ledgers.items()}
        if check:
            cross_check(frames, inputs.log)
        return inputs, frames, inputs.log.frame()

    return read


def write_package(path: Path, parts: dict[str, str]) -> None:
    """A minimal xlsx package from raw XML parts (one sheet named 客户清单), for odd and hostile files."""
    base = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="客户清单" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in {**base, **parts}.items():
            zf.writestr(name, text)



@pytest.fixture
def package():
    """Build a minimal xlsx package from raw XML parts."""
    return write_package
