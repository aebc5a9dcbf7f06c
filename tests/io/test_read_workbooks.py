"""Workbooks as branches keep them: hidden sheets, merged cells, split ledgers, formulas, styled rows."""

from __future__ import annotations

import re
import time
import zipfile

import pandas as pd
import pytest

from branchkit.errors import InputError

HEAD = ["客户号", "客户名称", "客户类型", "存款余额"]


def test_hidden_sheets_are_not_read_and_are_named(book, read_ledgers):
    path = book("客户清单.xlsx", {"客户清单": [HEAD, ["1", "张三", "个人", 10]],
                                  "旧版客户清单": [HEAD, ["9", "旧", "个人", 99]]}, hidden=["旧版客户清单"])
    inputs, frames, _ = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["1"]
    assert any("旧版客户清单" in note and "hidden" in note for note in inputs.notes)


def test_cells_merged_down_read_on_every_row(book, read_ledgers):
    rows = [["所属网点", "管户人"] + HEAD, ["城中", "王五", "1", "张三", "个人", 1], [None, None, "2", "李四", "个人", 2],
            [None, None, "3", "赵六", "个人", 3]]
    path = book("c.xlsx", {"客户清单": rows}, merges={"客户清单": ["A2:A4", "B2:B4"]})
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["branch"].tolist() == ["城中"] * 3
    assert frames["customers"]["keeper"].tolist() == ["王五"] * 3


def test_one_ledger_over_several_sheets_with_problems_naming_their_sheet(book, read_ledgers):
    path = book("客户清单.xlsx", {"对公客户": [HEAD, ["1", "甲公司", "对公", 10], ["2", "乙公司", "对公", "x"]],
                                  "个人客户": [HEAD, ["3", "张三", "个人", 5], ["4", "李四", "个人", -1]]})
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["1", "2", "3", "4"]
    assert frames["customers"]["_rid"].tolist() == [0, 1, 2, 3]
    assert problems[["sheet", "row", "code"]].values.tolist() == [
        ["个人客户", 3, "negative_value"], ["对公客户", 3, "not_a_number"]]


def test_one_sheet_per_branch_fills_the_branch_from_the_sheet_name(book, read_ledgers):
    path = book("客户清单.xlsx", {"城中支行": [HEAD, ["1", "甲", "对公", 1]], "东城分理处": [HEAD, ["2", "乙", "个人", 2]]})
    _, frames, _ = read_ledgers(path, kind="customers")
    assert frames["customers"]["branch"].tolist() == ["城中支行", "东城分理处"]


def _without_full_calc(path):
    """Make a workbook look saved by Excel: formula values are trusted (no fullCalcOnLoad)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb'\s*fullCalcOnLoad="1"', b"", data)
            dst.writestr(item, data)
    tmp.replace(path)


def test_formula_cells_are_read_by_their_computed_value(tmp_path, read_ledgers):
    import xlsxwriter

    path = tmp_path / "客户清单.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户清单")
    ws.write_row(0, 0, HEAD)
    ws.write_row(1, 0, ["1", "张三", "个人"])
    ws.write_formula(1, 3, "=100*12", None, 1200)
    wb.close()
    _without_full_calc(path)
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["deposit"].tolist() == [1200.0]
    assert problems.empty


def test_formula_never_calculated_is_an_error_naming_the_cell(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [HEAD, ["1", "张三", "个人", 10], ["2", "李四", "个人", "=D2*2"]]})
    _, frames, problems = read_ledgers(path)
    row = problems.iloc[0]
    assert (row["code"], row["row"], row["value"]) == ("formula_not_calculated", 3, "D3")
    assert "D3" in row["message"]
    assert pd.isna(frames["customers"]["deposit"].iloc[1])


def test_sheet_styled_down_to_the_last_row_costs_what_its_values_cost(tmp_path, read_ledgers, package):
    path = tmp_path / "客户清单.xlsx"
    _styled_workbook(package, path, data_rows=[HEAD, ["1", "张三", "个人", "10"]], styled_rows=1_048_000)
    start = time.perf_counter()
    _, frames, problems = read_ledgers(path)
    assert time.perf_counter() - start < 20  # a generous bound: it takes well under a second
    assert frames["customers"]["customer_id"].tolist() == ["1"]


def _styled_workbook(package, path, data_rows, styled_rows):
    """A workbook whose sheet has style-only cells down to ``styled_rows`` (as whole-column formatting leaves)."""
    cells = []
    for i, row in enumerate(data_rows, start=1):
        cells.append(f'<row r="{i}">' + "".join(
            f'<c r="{chr(65 + j)}{i}" t="inlineStr"><is><t>{v}</t></is></c>' for j, v in enumerate(row)) + "</row>")
    start = len(data_rows) + 1
    filler = "".join(f'<row r="{i}" s="1" customFormat="1"><c r="A{i}" s="1"/></row>'
                     for i in range(start, styled_rows))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><dimension ref="A1:D{styled_rows}"/><sheetData>{"".join(cells)}{filler}'
             "</sheetData></worksheet>")
    package(path, {"xl/worksheets/sheet1.xml": sheet})


def test_a_sheet_of_only_styled_empty_rows_is_not_a_ledger(tmp_path, read_ledgers, package):
    path = tmp_path / "客户清单.xlsx"
    _styled_workbook(package, path, data_rows=[], styled_rows=1_048_000)
    with pytest.raises(InputError, match="no header row"):
        read_ledgers(path)
