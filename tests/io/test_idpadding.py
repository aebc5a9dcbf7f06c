"""Identifiers stored as numbers under a number format of zeros read as the sheet shows them (``io.idpadding``,
``xlsxfills.padded_cells``): 123 in a cell formatted ``0000000000`` is 0000000123.

Each workbook is written by the test with openpyxl (``cell.number_format``, which writes a custom ``numFmt``
for a code of zeros) or xlsxwriter, and read as a folder's ledgers are read.
"""

from __future__ import annotations

import zipfile

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from branchkit.io import xlsxfills
from branchkit.io.xlsxfills import padded_cells, padding_width
from branchkit.rules import load_rules

HEAD = ["客户号", "客户名称", "客户类型", "管户人"]


def _customers(path, cells: list[tuple[object, str]], keeper: tuple[object, str] = ("001004", "@")):
    """A customer list whose ids are ``cells`` (value, number format), each kept by ``keeper``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户清单"
    sheet.append(HEAD)
    for i, (value, fmt) in enumerate(cells):
        sheet.append([value, f"客户{i}", "个人", keeper[0]])
        sheet.cell(sheet.max_row, 1).number_format = fmt
        sheet.cell(sheet.max_row, 4).number_format = keeper[1]
    book.save(path)
    return path


@pytest.mark.parametrize(("value", "fmt", "expected"), [
    (123, "0000000000", "0000000123"),
    (1234567890, "0000000000", "1234567890"),       # as wide as the format
    (12345678901, "0000000000", "12345678901"),     # wider: every digit kept
    (123, "0", "123"),                              # built-in format 1: no padding
    (123, "General", "123"),
    (123, "000000;@", "000123"),                    # with a text section
    (123, "#,##0", "123"),
    (123, '"00000"', "123"),                        # a literal: not read as padding
    ("0000000123", "@", "0000000123"),              # the text as typed
    ("0000000123", "General", "0000000123"),        # '0000000123, the text with its quote prefix
])
def test_an_id_stored_as_a_number_reads_as_its_format_shows_it(tmp_path, read_ledgers, value, fmt, expected):
    _, frames, problems = read_ledgers(_customers(tmp_path / "客户.xlsx", [(value, fmt), ("0000000009", "@")]))
    assert frames["customers"]["customer_id"].tolist() == [expected, "0000000009"]
    assert problems.empty


def test_padding_as_xlsxwriter_writes_it(tmp_path, read_ledgers):
    path = tmp_path / "客户.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("客户清单")
    padded = book.add_format({"num_format": "0000000000"})
    sheet.write_row(0, 0, HEAD[:3])
    for r, value in enumerate([123, 5, 98765], start=1):
        sheet.write_number(r, 0, value, padded if r < 3 else None)
        sheet.write_row(r, 1, [f"客户{r}", "个人"])
    book.close()
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["0000000123", "0000000005", "98765"]


def test_decimals_negative_and_rounded_ids_keep_their_problems(tmp_path, read_ledgers):
    cells = [(123.5, "0000000000"), (-123, "0000000000;-0000000000"), (1234567890123456789, "0000000000")]
    _, frames, problems = read_ledgers(_customers(tmp_path / "客户.xlsx", cells))
    assert problems[["row", "code"]].values.tolist() == [[2, "bad_id"], [4, "id_precision_lost"]]
    assert frames["customers"]["customer_id"].tolist()[1] == "-123"


def test_a_staff_id_padded_by_its_format_is_the_keeper_written_with_zeros(book, tmp_path, read_ledgers):
    staff = tmp_path / "员工.xlsx"
    made = openpyxl.Workbook()
    sheet = made.active
    sheet.title = "员工"
    sheet.append(["工号", "姓名", "岗位", "所属网点"])
    sheet.append([1004, "甲", "个人客户经理", "城中支行"])
    sheet.cell(2, 1).number_format = "000000"
    made.save(staff)
    customers = _customers(tmp_path / "客户.xlsx", [("0000000001", "@")], keeper=("001004", "@"))
    _, frames, problems = read_ledgers(staff, customers, check=True)
    assert frames["staff"]["staff_id"].tolist() == ["001004"]
    assert frames["customers"]["keeper"].tolist() == ["001004"]
    assert not problems["code"].isin(["unknown_staff", "duplicate_id"]).any()


def test_a_keeper_stored_as_a_number_reads_padded(tmp_path, read_ledgers):
    path = _customers(tmp_path / "客户.xlsx", [("0000000001", "@"), ("0000000002", "@")], keeper=(1004, "000000"))
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["keeper"].tolist() == ["001004", "001004"]


def test_a_padded_number_and_the_same_id_as_text_are_one_duplicate(tmp_path, read_ledgers):
    cells = [(123, "0000000000"), ("0000000123", "@"), ("0000000009", "@")]
    _, _, problems = read_ledgers(_customers(tmp_path / "客户.xlsx", cells), check=True)
    dup = problems[problems["code"] == "duplicate_id"]
    assert dup[["row", "value"]].values.tolist() == [[3, "0000000123"]]
    # the same id as written, not one "written with other leading zeros"
    assert dup["message"].iloc[0].startswith("the id appears again (first on row 2")


@pytest.mark.parametrize(("code", "width"), [
    ("0000000000", 10), ("000000", 6), ("000000;@", 6), ("0000;-0000", 4), ("0000;0000", 4),
    ("0000;-0000;0000;@", 4), (" 00000 ", 5),
    ("0", 0), ("General", 0), ("@", 0), ('"00000"', 0), ("\\0\\0\\0", 0), ("0.00", 0), ("#,##0", 0),
    ("00000_ ", 0), ("[Red]0000", 0), ("0000;-0000;00", 0), ("0000;-0000;;@", 0), ("", 0), ("0" * 300, 0),
])
def test_which_number_formats_pad(code, width):
    assert padding_width(code) == width


def _styled_sheet(path, rows: int):
    """Three columns of numbers all under ``0000000000``; column D under ``000000``."""
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, rows + 1):
        for c, fmt in enumerate(["0000000000"] * 3 + ["000000"], start=1):
            sheet.cell(r, c, r).number_format = fmt
    book.save(path)
    part = "xl/worksheets/sheet1.xml"
    assert part in zipfile.ZipFile(path).namelist()
    return path, part


def test_only_the_chosen_cells_come_back(tmp_path):
    path, part = _styled_sheet(tmp_path / "s.xlsx", 50)
    wanted = {0: np.zeros(5, dtype=bool), 3: np.zeros(5, dtype=bool), 7: np.ones(60, dtype=bool)}
    wanted[0][[1, 3]] = True
    wanted[3][4] = True
    out = padded_cells(path, part, "s.xlsx", load_rules().input, wanted)
    assert sorted(out) == [0, 3]                        # column H holds nothing: no array made for it
    assert out[0].tolist() == [0, 10, 0, 10, 0]         # sized by the rows asked about, not the sheet's 50
    assert out[3].tolist() == [0, 0, 0, 0, 6]


def test_a_workbook_with_no_padding_format_is_not_scanned(tmp_path, read_ledgers, monkeypatch):
    scanned = []
    monkeypatch.setattr(xlsxfills, "sheet_blocks", lambda *a: scanned.append(a) or iter(()))
    _, frames, _ = read_ledgers(_customers(tmp_path / "客户.xlsx", [(123, "General"), (124, "0")], keeper=(5, "0")))
    assert frames["customers"]["customer_id"].tolist() == ["123", "124"]
    assert scanned == []


def _long_list(path, rows: int):
    """A customer list of ``rows`` ids 1.. stored as numbers under ``00000000``, its keepers 1004 under
    ``000000``."""
    return _customers(path, [(i, "00000000") for i in range(1, rows + 1)], keeper=(1004, "000000"))


def test_a_long_sheet_read_by_column_pads_its_ids(tmp_path, read_ledgers, monkeypatch):
    from branchkit.io import workbook

    monkeypatch.setattr(workbook, "BY_COLUMN_CELLS", 1)
    monkeypatch.setattr(workbook, "BLOCK_ROWS", 7)
    inputs, frames, _ = read_ledgers(_long_list(tmp_path / "客户.xlsx", 60))
    assert frames["customers"]["customer_id"].tolist() == [f"{i:08d}" for i in range(1, 61)]
    assert set(frames["customers"]["keeper"]) == {"001004"}


def test_a_sheet_read_without_its_empty_rows_pads_by_its_true_cells(tmp_path, read_ledgers, monkeypatch):
    from branchkit.io import sheetbudget

    # ids on rows 2-3 and 500-501 (a gap of empty rows, left out of the grid), a remark far away at Z2000:
    # the grid's row positions are not the sheet's rows, and the formats are looked up at the sheet's
    path = tmp_path / "客户.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户清单"
    sheet.append(HEAD)
    for r, (value, fmt) in zip([2, 3, 500, 501], [(1, "00000000"), (2, "General"), (3, "General"), (4, "00000000")]):
        for c, cell in enumerate([value, f"客户{r}", "个人", 1004], start=1):
            sheet.cell(r, c, cell)
        sheet.cell(r, 1).number_format = fmt
        sheet.cell(r, 4).number_format = "000000" if r == 500 else "General"
    sheet["Z2000"] = "备注"
    book.save(path)
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 0)
    monkeypatch.setattr(sheetbudget, "SPARSE_RATIO", 64)
    inputs, frames, _ = read_ledgers(path)
    assert any("read without its empty rows" in note for note in inputs.notes)
    customers = frames["customers"].head(4)
    assert customers["_row"].tolist() == [2, 3, 500, 501]
    assert customers["customer_id"].tolist() == ["00000001", "2", "3", "00000004"]
    assert customers["keeper"].tolist() == ["1004", "1004", "001004", "1004"]


def test_a_cell_whose_style_comes_before_its_reference(tmp_path, package, read_ledgers):
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    styles = (f'<?xml version="1.0"?><styleSheet xmlns="{ns}"><numFmts count="1"><numFmt numFmtId="164" '
              'formatCode="0000000"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>'
              '</styleSheet>')
    head = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABC", HEAD))
    rows = "".join(f'<row r="{r}"><c s="1" t="n" r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>客户{r}</t>'
                   f'</is></c><c r="C{r}" t="inlineStr"><is><t>个人</t></is></c></row>' for r in (2, 3))
    path = tmp_path / "客户.xlsx"
    package(path, {"xl/styles.xml": styles, "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet '
                   f'xmlns="{ns}"><sheetData><row r="1">{head}</row>{rows}</sheetData></worksheet>'})
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["0000002", "0000003"]
