"""A report's later books (``Report.later_books``) are made while the sheets before them are written
ahead, deflated into a spool: the workbook is byte for byte the one written with the books given at
once, and an error making them leaves no spool behind."""

from __future__ import annotations

import zipfile

import pytest

from branchkit.io.options import WriteOptions
from branchkit.io.output import write_report
from branchkit.io.tables import Report, Section, Sheet, Table
from tests.io.test_xlsx_blocks import _books, _frame


def _report(later: bool, calls: list[int] | None = None) -> Report:
    table = Table("customers", _frame(30), "客户", "Customers", formats={"deposit": "money"})
    side = Sheet("附表", "Side", [Table("side", _frame(3), "附", "Side")])
    books = _books(_frame(12), [5, 7])

    def made() -> list:
        if calls is not None:
            calls.append(1)
        return books

    return Report("t", "t", [Section("t", "t", [table])], "customers", extra_sheets=[side] + ([] if later else books),
                  later_books=made if later else None)


def test_later_books_give_the_same_workbook(tmp_path):
    calls: list[int] = []
    write_report(str(tmp_path / "at_once.xlsx"), _report(False), WriteOptions())
    write_report(str(tmp_path / "later.xlsx"), _report(True, calls), WriteOptions())
    assert (tmp_path / "later.xlsx").read_bytes() == (tmp_path / "at_once.xlsx").read_bytes()
    assert calls == [1]
    names = zipfile.ZipFile(tmp_path / "later.xlsx").namelist()
    assert names[:7] == ["[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml",
                         "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"]
    assert names[7:] == [f"xl/worksheets/sheet{i}.xml" for i in range(1, 5)]


def test_all_extra_sheets_makes_the_later_books_after_the_others():
    report = _report(True)
    assert [s.title_en for s in report.all_extra_sheets()] == ["Side", "Ledger-0", "Ledger-1"]
    assert [s.title_en for s in _report(False).all_extra_sheets()] == ["Side", "Ledger-0", "Ledger-1"]


def test_an_error_making_the_books_leaves_no_file(tmp_path):
    report = _report(True)

    def broken() -> list:
        raise RuntimeError("no books")

    report.later_books = broken
    with pytest.raises(RuntimeError, match="no books"):
        write_report(str(tmp_path / "a.xlsx"), report, WriteOptions())
    assert list(tmp_path.iterdir()) == []
