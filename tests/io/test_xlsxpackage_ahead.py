"""The sheet rows made in a thread ahead of the compressor (``io.ahead.ahead``): same order, errors
raised in the caller, the thread stopped when the caller stops, and the package's bytes unchanged."""

from __future__ import annotations

import threading
import zipfile

import pytest

from branchkit.io import xlsxpackage
from branchkit.io.ahead import ahead
from branchkit.io.xlsxpackage import Workbook


def test_items_come_in_order_whatever_the_depth():
    for depth in (1, 2, 7):
        assert list(ahead(iter(range(1000)), depth)) == list(range(1000))


def test_an_error_in_the_thread_is_raised_in_the_caller_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise KeyError("boom")

    got = []
    with pytest.raises(KeyError, match="boom"):
        for item in ahead(items(), 1):
            got.append(item)
    assert got == [1, 2]


def test_closing_early_stops_the_thread():
    made = []

    def items():
        for i in range(10_000):
            made.append(i)
            yield i

    before = threading.active_count()
    pieces = ahead(items(), 2)
    assert next(pieces) == 0
    pieces.close()
    assert threading.active_count() == before
    assert len(made) <= 4                   # one handed over, at most two queued, one waiting to be


def _rows_book(path, sheets: int, rows: int) -> None:
    book = Workbook(path)
    for s in range(sheets):
        sheet = book.add_worksheet(f"s{s}")
        for r in range(rows):
            sheet.rows.add_row(r, [(0, f"表{s}行{r}", 0), (1, "x" * 50, 0)])
    book.close()


def test_sheets_cut_into_many_pieces_are_whole_and_in_their_own_members(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxpackage, "_WRITE_BYTES", 256)          # a piece every few rows
    _rows_book(tmp_path / "small.xlsx", 3, 40)
    monkeypatch.setattr(xlsxpackage, "_WRITE_BYTES", 1 << 20)     # one piece per sheet
    _rows_book(tmp_path / "large.xlsx", 3, 40)
    with zipfile.ZipFile(tmp_path / "small.xlsx") as small, zipfile.ZipFile(tmp_path / "large.xlsx") as large:
        assert small.namelist() == large.namelist()
        for name in small.namelist():
            assert small.read(name) == large.read(name)
        for s in range(3):
            xml = small.read(f"xl/worksheets/sheet{s + 1}.xml").decode("utf-8")
            assert xml.count("<row ") == 40 and f"表{s}行39" in xml and xml.endswith("</worksheet>")
            assert f"表{(s + 1) % 3}行" not in xml


def test_an_error_making_rows_leaves_no_member_open_and_is_the_error_raised(tmp_path):
    book = Workbook(tmp_path / "bad.xlsx")
    sheet = book.add_worksheet("s")
    sheet.rows.add_row(0, [(0, "ok", 0)])

    def broken():
        raise ValueError("no rows")
        yield b""                           # a generator, as the row producers are

    sheet.rows.parts.append(broken)
    with pytest.raises(ValueError, match="no rows"):
        book.close()


def test_two_lanes_run_side_by_side_and_one_lane_in_order():
    # a "rows" call waiting for a "cells" call finishes only if the lanes have workers of their own
    from branchkit.io.ahead import early

    ready = threading.Event()
    waiting = early(lambda: ready.wait(5), lane="rows")
    early(ready.set, lane="cells").result(timeout=5)
    assert waiting.result(timeout=5) is True
    order: list[int] = []
    futures = [early(order.append, i, lane="cells") for i in range(50)]
    for future in futures:
        future.result(timeout=5)
    assert order == list(range(50))


def test_an_error_preparing_a_later_block_in_the_worker_is_raised_by_the_write(tmp_path, monkeypatch):
    import pandas as pd

    from branchkit.io import xlsx, xlsxrows
    from branchkit.io.options import WriteOptions
    from branchkit.io.output import write_report
    from branchkit.io.tables import Report, Section, Table

    monkeypatch.setattr(xlsxrows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx, "BLOCK_ROWS", 6)
    original, blocks = xlsx._prepare, []

    def failing(table, *args, **kwargs):
        blocks.append(len(table.frame))
        if len(blocks) == 3:                    # the widths' sample, the first block, then this one
            raise ValueError("block two")
        return original(table, *args, **kwargs)

    monkeypatch.setattr(xlsx, "_prepare", failing)
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(20)]})
    report = Report("t", "t", [Section("t", "t", [Table("customers", frame, "客户", "Customers")])], "customers")
    with pytest.raises(ValueError, match="block two"):
        write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    assert not (tmp_path / "o.xlsx").exists()
