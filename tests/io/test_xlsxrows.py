"""The column-at-a-time sheet writer: every cell read back as written, across chunks and sheets."""

from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import openpyxl
import pandas as pd

from branchkit.io import xlsxrows
from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Sheet, Table
from branchkit.text import column_letters


def test_column_letters():
    assert [column_letters(j) for j in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_rows_across_chunks_read_back_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxrows, "CHUNK_ROWS", 7)
    n = 30
    frame = pd.DataFrame({
        "customer_id": [f"{i:06d}" for i in range(n)],
        "name": [f"客户{i} & <公司>" if i % 3 else None for i in range(n)],
        "deposit": [i * 1000.5 if i % 4 else np.nan for i in range(n)],
        "open_date": pd.to_datetime(["2024-03-05"] * n).where([i % 5 != 0 for i in range(n)]),
        "flag": pd.array([bool(i % 2) if i % 7 else None for i in range(n)], dtype="boolean"),
    })
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T")])], "t")
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")["表"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == n and sheet.dimensions == "A1:E31"
    for i, (cid, name, deposit, opened, active) in enumerate(rows):
        assert cid == f"{i:06d}"
        assert name == (f"客户{i} & <公司>" if i % 3 else None)
        assert deposit == (i * 1000.5 if i % 4 else None)
        assert opened == (dt.datetime(2024, 3, 5) if i % 5 else None)
        assert active == (("是" if i % 2 else "否") if i % 7 else None)


def test_characters_xml_forbids_are_dropped_and_text_is_never_a_formula(tmp_path):
    frame = pd.DataFrame({"name": ["A\x00B\x1fC", "=SUM(A1:A9)", "@cmd", " 前后空格 "]})
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T")])], "t")
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")["表"]
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == ["ABC", "=SUM(A1:A9)", "@cmd", " 前后空格 "]
    assert all(sheet.cell(r, 1).data_type == "s" for r in range(2, 6))


def test_many_ledger_sheets_of_the_same_shape_each_get_their_own_rows(tmp_path):
    sheets = []
    for k in range(5):
        frame = pd.DataFrame({"customer_id": [f"{k}-{i}" for i in range(k + 1)], "deposit": [float(k)] * (k + 1)})
        sheets.append(Sheet(f"台账-{k}", f"Ledger {k}", [Table(f"c{k}", frame, "客户", "Customers")],
                            heading_zh=f"维护责任人：{k}"))
    main = Table("t", pd.DataFrame({"x": [1]}), "表", "T")
    report = Report("t", "t", [Section("t", "t", [main])], "t", extra_sheets=sheets)
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    book = openpyxl.load_workbook(tmp_path / "o.xlsx")
    for k in range(5):
        sheet = book[f"台账-{k}"]
        assert sheet["A1"].value == f"维护责任人：{k}" and sheet["A3"].value == "客户"
        assert [sheet.cell(5 + i, 1).value for i in range(k + 1)] == [f"{k}-{i}" for i in range(k + 1)]
        assert sheet.cell(6 + k, 1).value is None
        assert sheet.cell(5, 2).value == float(k) and sheet.cell(5, 2).number_format == "#,##0.00"


def test_zip_members_have_fixed_timestamps(tmp_path):
    report = Report("t", "t", [Section("t", "t", [Table("t", pd.DataFrame({"x": ["a"]}), "表", "T")])], "t")
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    with zipfile.ZipFile(tmp_path / "o.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert book.namelist()[0] == "[Content_Types].xml"


def test_a_failure_while_making_rows_reaches_the_writer_and_nothing_is_left(tmp_path, monkeypatch):
    import pytest

    def broken(columns, top, count, height=None):
        yield b"<row r='2'></row>"
        raise RuntimeError("disk of rows on fire")

    monkeypatch.setattr(xlsxrows, "row_chunks", broken)
    report = Report("t", "t", [Section("t", "t", [Table("t", pd.DataFrame({"x": ["a", "b"]}), "表", "T")])], "t")
    with pytest.raises(RuntimeError, match="on fire"):
        write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    assert list(tmp_path.iterdir()) == []


def test_text_like_an_excel_escape_reads_back_literally(tmp_path):
    # Excel (and calamine, which reads as Excel does) turns _xHHHH_ in cell text into U+HHHH: the ledger's
    # "_x003D_1+1" would show as "=1+1". Sequences that share an underscore are both kept literal.
    import python_calamine

    texts = ["_x003D_1+1", "a_x0041_x0042_b", "_x005F_", "_x12_", "_X0041_", "plain_text", "_x00e9_ & <b>"]
    frame = pd.DataFrame({"name": texts})
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T")])], "t")
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    sheet = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "o.xlsx")).get_sheet_by_name("表")
    assert [row[0] for row in sheet.to_python()[1:]] == texts
    with zipfile.ZipFile(tmp_path / "o.xlsx") as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x003D_1+1" in xml and "_x005F_X0041_" not in xml and "plain_text" in xml


def test_escape_sequences_in_headings_are_kept_literal(tmp_path):
    rows = xlsxrows.text_row(0, [(0, "_x0041_", 0)]).decode()
    assert "<t xml:space=\"preserve\">_x005F_x0041_</t>" in rows
