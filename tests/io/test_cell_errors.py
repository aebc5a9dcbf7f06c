"""Excel error values (#N/A of a VLOOKUP that found nothing, #DIV/0!, #REF! ...) in a cell a ledger field reads:
an error naming the cell and the value, never an empty cell, a zero amount or a lost keeper."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

HEAD = ["客户号", "客户名称", "客户类型", "存款余额", "贷款余额", "管户人", "备注栏X"]


def _errors(problems):
    found = problems[problems["code"].isin(["cell_error", "missing_value", "formula_not_calculated"])]
    return sorted(found[["row", "column", "code", "value"]].values.tolist())


def test_error_cells_of_an_xlsx_are_errors_naming_cell_and_value(tmp_path, read_ledgers):
    # openpyxl writes a cell value that is an error code as an error cell (t="e"), as Excel saves one
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户清单"
    sheet.append(HEAD)
    sheet.append(["0001", "甲", "对公", 100, 0, "李四", "#N/A"])       # a column no field reads: ignored
    sheet.append(["0002", "乙", "对公", "#N/A", 0, "李四", ""])
    sheet.append(["0003", "丙", "对公", 100, "#VALUE!", "#N/A", ""])
    sheet.append(["#REF!", "丁", "对公", "#DIV/0!", 0, "李四", ""])
    path = tmp_path / "客户清单.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        assert b't="e"' in archive.read("xl/worksheets/sheet1.xml")
    _, frames, problems = read_ledgers(path)
    assert _errors(problems) == sorted([
        [3, "存款余额", "cell_error", "#N/A"], [4, "贷款余额", "cell_error", "#VALUE!"],
        [4, "管户人", "cell_error", "#N/A"], [5, "客户号", "cell_error", "#REF!"],
        [5, "存款余额", "cell_error", "#DIV/0!"]])
    messages = dict(zip(problems["row"].astype(str) + problems["column"], problems["message"]))
    assert messages["3存款余额"].startswith("cell D3 holds the Excel error value #N/A")
    assert messages["4管户人"].startswith("cell F4 holds the Excel error value #N/A")
    customers = frames["customers"]
    assert customers["deposit"].isna().tolist() == [False, True, False, True]
    assert customers["keeper"].isna().tolist() == [False, False, True, False]


def test_a_formula_whose_result_is_an_error_is_an_error(tmp_path, read_ledgers):
    import xlsxwriter

    path = tmp_path / "客户清单.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户清单")
    sheet.write_row(0, 0, HEAD[:4])
    sheet.write_row(1, 0, ["0001", "甲", "对公"])
    sheet.write_formula(1, 3, "=VLOOKUP(A2,存款!A:B,2,0)", None, "#N/A")
    sheet.write_row(2, 0, ["0002", "乙", "对公"])
    sheet.write_formula(2, 3, "=100*2", None, 200)
    book.close()
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(tmp_path / "saved.xlsx", "w") as out:
        for item in archive.infolist():       # as Excel saves it: the cached results trusted
            data = archive.read(item.filename)
            out.writestr(item, re.sub(rb'\s*fullCalcOnLoad="1"', b"", data) if item.filename == "xl/workbook.xml"
                         else data)
    _, frames, problems = read_ledgers(tmp_path / "saved.xlsx")
    assert _errors(problems) == [[2, "存款余额", "cell_error", "#N/A"]]
    assert frames["customers"]["deposit"].tolist()[1] == 200.0
    # never calculated (fullCalcOnLoad): the error cached is a placeholder, the cell is reported once, as such
    _, _, problems = read_ledgers(path)
    assert _errors(problems) == [[2, "存款余额", "formula_not_calculated", "D2"],
                                 [3, "存款余额", "formula_not_calculated", "D3"]]


@pytest.mark.parametrize(("cell", "error"), [
    ("#N/A", "#N/A"), (" #n/a ", "#N/A"), ("#DIV/0!", "#DIV/0!"), ("#NAME?", "#NAME?"), ("#NUM!", "#NUM!"),
    ("#NULL!", "#NULL!"), ("#SPILL!", "#SPILL!"), ("#CALC!", "#CALC!"), ("#GETTING_DATA", "#GETTING_DATA"),
])
def test_error_text_of_an_exported_csv_is_an_error(tmp_path, read_ledgers, cell, error):
    path = tmp_path / "客户清单.csv"
    path.write_text(f"客户号,客户名称,客户类型,存款余额,管户人\n0001,甲,对公,100,{cell}\n0002,乙,对公,{cell},李四\n"
                    f"0003,丙,{cell},5,李四\n", encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert _errors(problems) == [[2, "管户人", "cell_error", cell], [3, "存款余额", "cell_error", cell],
                                 [4, "客户类型", "cell_error", cell]]
    assert problems.loc[problems["code"] == "cell_error", "message"].str.contains(f"value {re.escape(error)} ",
                                                                                  regex=True).all()
    assert problems["code"].isin(["cell_error", "column_absent"]).all()
    assert frames["customers"]["deposit"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize("cell", ["N/A", "#N/A x", "#N/", "#", "3#楼"])
def test_text_that_only_looks_like_an_error_is_read_as_text(tmp_path, read_ledgers, cell):
    path = tmp_path / "客户清单.csv"
    path.write_text(f"客户号,客户名称,客户类型\n0001,{cell},对公\n", encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert problems.empty
    assert frames["customers"]["name"].tolist() == [cell]


def test_error_text_of_an_html_export_is_an_error(tmp_path, read_ledgers):
    html = """<table><tr><th>客户号</th><th>客户名称</th><th>客户类型</th><th>存款余额</th></tr>
    <tr><td>0001</td><td>甲</td><td>对公</td><td>#DIV/0!</td></tr>
    <tr><td>0002</td><td>乙</td><td>对公</td><td>1,000</td></tr></table>"""
    path = tmp_path / "客户清单.xls"
    path.write_text(html, encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert _errors(problems) == [[2, "存款余额", "cell_error", "#DIV/0!"]]
    assert frames["customers"]["deposit"].tolist()[1] == 1000.0


def test_error_text_in_a_long_coded_column_is_an_error_on_its_rows(tmp_path, read_ledgers):
    # a coded column of many rows is converted once per distinct value: the error rows are still each named
    rows = "".join(f"{i:05d},c{i},{'#N/A' if i in (7, 6000) else '对公'}\n" for i in range(6001))
    path = tmp_path / "客户清单.csv"
    path.write_text("客户号,客户名称,客户类型\n" + rows, encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert _errors(problems) == [[9, "客户类型", "cell_error", "#N/A"], [6002, "客户类型", "cell_error", "#N/A"]]
    assert frames["customers"]["kind"].isna().sum() == 2
