"""A sheet's cells are prepared when the sheet is written, a block of ``BLOCK_ROWS`` rows at a time
(a table alone, and the whole frames the keeper books are cut from): the workbook is the same byte
for byte whatever the block size, every row lands once at its place, a text cut to fit a cell in a
later block is reported at its own row, and no block is prepared before its sheet is written."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.io import xlsx, xlsxbook, xlsxrows
from branchkit.io.book import Book, BookPart
from branchkit.io.options import WriteOptions
from branchkit.io.output import write_report
from branchkit.io.tables import Report, Section, Table

GRID = [12.0, 20.0, 24.0, 12.0, 8.0, 8.0]


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(n)], "name": [f"客户{i}" for i in range(n)],
                         "id_number": ["110101199001011234"] * n, "deposit": [1000.5 + i for i in range(n)]})


def _books(whole: pd.DataFrame, cuts: list[int]) -> list[Book]:
    books, start = [], 0
    for i, n in enumerate(cuts):
        basic = Table("basic", whole.iloc[start:start + n], "客户基础信息表", "Basic",
                      formats={"id_number": "sensitive"}, part_of=(whole, start))
        books.append(Book(f"台账-{i}", f"Ledger-{i}", "客户维护台账", "Customer ledger", f"人{i}", f"P{i}",
                          [("维护责任人", "Keeper", f"人{i}", f"P{i}")], GRID, [BookPart(basic, 18.0)],
                          scope="城东支行", period="2026-10"))
        start += n
    return books


def _report(n: int, cuts: list[int], texts: dict[int, str] | None = None) -> Report:
    frame = _frame(n)
    for row, text in (texts or {}).items():
        frame.loc[row, "name"] = text
    table = Table("customers", frame, "客户", "Customers", formats={"deposit": "money"})
    books = _books(_frame(sum(cuts)), cuts)
    return Report("t", "t", [Section("t", "t", [table])], "customers", extra_sheets=books)


def _write(path, report: Report, monkeypatch, chunk: int, block: int) -> list[str]:
    monkeypatch.setattr(xlsxrows, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(xlsx, "BLOCK_ROWS", block)
    monkeypatch.setattr(xlsxbook, "BLOCK_ROWS", block)
    return write_report(str(path), report, WriteOptions())


@pytest.mark.parametrize("block", [3, 6, 9, 12])
def test_the_workbook_is_the_same_whatever_the_block(tmp_path, monkeypatch, block):
    # 25 rows, chunks of 3: blocks of 3 to 12 rows cut the table and the books' frame at different
    # places (a book's pages straddle them); one block of everything is the reference.
    report = _report(25, [4, 9, 12])
    _write(tmp_path / "whole.xlsx", report, monkeypatch, 3, 10_000)
    _write(tmp_path / "blocks.xlsx", report, monkeypatch, 3, block)
    assert (tmp_path / "blocks.xlsx").read_bytes() == (tmp_path / "whole.xlsx").read_bytes()


def test_every_row_lands_once_at_its_place_across_blocks(tmp_path, monkeypatch):
    _write(tmp_path / "o.xlsx", _report(25, [4, 9, 12]), monkeypatch, 3, 6)
    book = openpyxl.load_workbook(tmp_path / "o.xlsx")
    sheet = book["客户"]
    assert [c.value for c in sheet["A"]][1:] == [f"C{i:04d}" for i in range(25)]
    assert [c.value for c in sheet["D"]][1:] == [1000.5 + i for i in range(25)]
    assert sheet.max_row == 26
    ids = [c.value for name in ("台账-0", "台账-1", "台账-2") for c in book[name]["A"]
           if isinstance(c.value, str) and c.value.startswith("C")]
    assert ids == [f"C{i:04d}" for i in range(25)]


@pytest.mark.parametrize("row", [5, 6, 7, 20])
def test_a_text_cut_in_a_later_block_is_reported_at_its_row(tmp_path, monkeypatch, row):
    limit = WriteOptions().max_text_chars
    warnings = _write(tmp_path / "o.xlsx", _report(25, [25], {row: "长" * (limit + 3)}), monkeypatch, 3, 6)
    # the header is sheet row 1, the table's row i is sheet row i + 2
    assert len(warnings) == 1 and f"row {row + 2}," in warnings[0] and f"{limit + 3} characters" in warnings[0]
    cell = openpyxl.load_workbook(tmp_path / "o.xlsx")["客户"].cell(row + 2, 2).value
    assert cell == "长" * limit


def test_cells_are_prepared_a_block_at_a_time_when_the_sheet_is_written(tmp_path, monkeypatch):
    prepared: list[tuple[str, int]] = []
    original = xlsx._prepare

    def recording(table, *args, **kwargs):
        prepared.append((table.key, len(table.frame)))
        return original(table, *args, **kwargs)

    monkeypatch.setattr(xlsx, "_prepare", recording)
    first = Table("first", _frame(25), "甲", "First")
    second = Table("second", _frame(7).rename(columns={"name": "title"}), "乙", "Second")
    report = Report("t", "t", [Section("t", "t", [first, second])], "first")
    _write(tmp_path / "o.xlsx", report, monkeypatch, 3, 12)
    # the widths' samples first (before the package is written), then each table's blocks in sheet order
    assert prepared == [("first", 25), ("second", 7), ("first", 12), ("first", 12), ("first", 1), ("second", 7)]


def test_a_book_frame_is_prepared_a_block_at_a_time(tmp_path, monkeypatch):
    sizes: list[int] = []
    original = xlsxbook._grid_columns

    def recording(plan, columns, rows):
        sizes.append(len(columns[0].values))
        assert rows == len(columns[0].values)
        return original(plan, columns, rows)

    monkeypatch.setattr(xlsxbook, "_grid_columns", recording)
    _write(tmp_path / "o.xlsx", _report(2, [4, 9, 12]), monkeypatch, 3, 6)
    assert sizes == [6, 6, 6, 6, 1]


def test_a_book_part_s_empty_boxes_are_not_prepared(tmp_path, monkeypatch):
    # A box to fill in shows no value, whatever its column holds: only the columns written with their
    # values are prepared; the boxes are the same empty cells with their style as before.
    prepared: list[list[str]] = []
    original = xlsx._prepare

    def recording(table, names, *args, **kwargs):
        prepared.append(list(names))
        return original(table, names, *args, **kwargs)

    monkeypatch.setattr(xlsx, "_prepare", recording)
    whole = _frame(5).assign(note=["写了", None, "也写了", None, "x"])
    record = Table("record", whole.iloc[0:5], "客户跟进记录表", "Follow-up", part_of=(whole, 0))
    book = Book("台账-0", "Ledger-0", "客户维护台账", "Customer ledger", "人0", "P0", [("维护责任人", "Keeper", "人0", "P0")],
                GRID, [BookPart(record, 34.0, {"note": 2}, blank=("note", "deposit"))], scope="城东支行", period="2026-10")
    report = Report("t", "t", [Section("t", "t", [Table("one", _frame(1), "一", "One")])], "one", extra_sheets=[book])
    _write(tmp_path / "o.xlsx", report, monkeypatch, 3, 6)
    table = ["customer_id", "name", "id_number", "deposit"]
    assert prepared == [table, table, ["customer_id", "name", "id_number"]]    # widths, the sheet, the book
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")["台账-0"]
    lines = [r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], str) and r[0].startswith("C")]
    assert [r[0] for r in lines] == [f"C{i:04d}" for i in range(5)]
    assert all(v is None for r in lines for v in r[3:])         # deposit and note: empty boxes
    boxes = [c for c in sheet["D"] if isinstance(sheet.cell(c.row, 1).value, str) and
             sheet.cell(c.row, 1).value.startswith("C")]
    assert all(c.border.left.style == "thin" for c in boxes)
