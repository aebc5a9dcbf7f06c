"""Containers: xlsx/xlsm/xls, CSV in the encodings Chinese Excel writes, stdin, HTML and CSV renamed to .xls."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules

FIXTURES = Path(__file__).parents[1] / "fixtures"
CSV_TEXT = "客户号,客户名称,客户类型,存款余额\n000123,张三,个人,\"1,000\"\n000124,李四,对公,2000\n"


def _ids(read_ledgers, path):
    _, frames, problems = read_ledgers(path)
    assert problems.empty, problems.to_dict("records")
    return frames["customers"]["customer_id"].tolist(), frames["customers"]["deposit"].tolist()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, read_ledgers, encoding):
    path = tmp_path / "客户清单.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert _ids(read_ledgers, path) == (["000123", "000124"], [1000.0, 2000.0])


def test_tab_separated_export_named_xls(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xls"
    path.write_bytes(CSV_TEXT.replace(",", "\t").replace('"1\t000"', "1000").encode("gbk"))
    assert _ids(read_ledgers, path)[0] == ["000123", "000124"]


def test_csv_on_stdin():
    inputs = load_inputs(load_rules(), ["-"], stdin=io.BytesIO(CSV_TEXT.encode("gbk")))
    assert inputs.ledgers["customers"].frame["customer_id"].tolist() == ["000123", "000124"]


def test_an_html_table_on_stdin_is_read_as_a_table():
    html = ("<html><body><table><tr><th>客户号</th><th>客户名称</th><th>客户类型</th><th>存款余额</th></tr>"
            "<tr><td>000123</td><td>张三</td><td>个人</td><td>1,000</td></tr></table></body></html>")
    inputs = load_inputs(load_rules(), ["-"], stdin=io.BytesIO(html.encode("utf-8")))
    assert inputs.ledgers["customers"].frame["customer_id"].tolist() == ["000123"]


def test_a_workbook_on_stdin_is_refused_saying_so(tmp_path):
    from openpyxl import Workbook

    from branchkit.errors import InputError

    book = Workbook()
    book.active.append(["客户号", "客户名称", "客户类型", "存款余额"])
    book.save(tmp_path / "c.xlsx")
    for data in ((tmp_path / "c.xlsx").read_bytes(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)):
        with pytest.raises(InputError, match="an Excel workbook on standard input; '-' reads CSV"):
            load_inputs(load_rules(), ["-"], stdin=io.BytesIO(data))


def test_html_table_saved_as_xls(tmp_path, read_ledgers):
    html = """<html><head><meta charset="gbk"></head><body><table>
    <tr><td colspan="3">城中支行客户清单</td></tr>
    <tr><th>客户号</th><th>客户名称</th><th>客户类型</th><th>存款余额</th></tr>
    <tr><td>000123</td><td>张三 &amp; 子</td><td>个人</td><td>1,000</td></tr>
    <tr><td>000124</td><td>李四</td><td>对公</td><td>2000</td></tr></table></body></html>"""
    path = tmp_path / "客户清单.xls"
    path.write_bytes(html.encode("gbk"))
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["name"].tolist() == ["张三 & 子", "李四"]
    assert frames["customers"]["deposit"].tolist() == [1000.0, 2000.0]
    assert problems.empty


def test_html_rowspan_reads_on_every_row(tmp_path, read_ledgers):
    html = """<table><tr><th>网点</th><th>客户号</th><th>客户名称</th><th>客户类型</th></tr>
    <tr><td rowspan="2">城中</td><td>1</td><td>张三</td><td>个人</td></tr>
    <tr><td>2</td><td>李四</td><td>个人</td></tr></table>"""
    path = tmp_path / "客户清单.xls"
    path.write_text(html, encoding="utf-8")
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["branch"].tolist() == ["城中", "城中"]


def test_spreadsheetml_2003_xml_saved_as_xls(tmp_path, read_ledgers):
    xml = """<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="客户清单"><Table>
  <Row><Cell><Data ss:Type="String">客户号</Data></Cell><Cell><Data ss:Type="String">客户名称</Data></Cell>
       <Cell><Data ss:Type="String">客户类型</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">000123</Data></Cell><Cell><Data ss:Type="String">张三</Data></Cell>
       <Cell><Data ss:Type="String">个人</Data></Cell></Row>
 </Table></Worksheet></Workbook>"""
    path = tmp_path / "客户清单.xls"
    path.write_text(xml, encoding="utf-8")
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["000123"]


def test_real_xls_file(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xls"
    shutil.copy(FIXTURES / "customers.xls", path)
    inputs, frames, problems = read_ledgers(path)
    customers = frames["customers"]
    assert customers["customer_id"].tolist() == ["000123", "000124"]
    assert customers["deposit"].tolist() == [125000.0, 3000000.0]
    assert str(customers["open_date"].iloc[0].date()) == "2024-03-05"
    assert inputs.ledgers["customers"].totals == 1


def test_xlsm_is_read_like_xlsx(book, read_ledgers, tmp_path):
    path = book("c.xlsx", {"客户清单": [["客户号", "客户名称", "客户类型"], ["000123", "张三", "个人"]]})
    xlsm = tmp_path / "客户清单.xlsm"
    path.rename(xlsm)
    assert _ids(read_ledgers, xlsm)[0] == ["000123"]


def test_csv_renamed_to_xlsx_is_read_as_csv(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xlsx"
    path.write_bytes(CSV_TEXT.encode("utf-8-sig"))
    assert _ids(read_ledgers, path)[0] == ["000123", "000124"]


def test_csv_with_a_header_and_no_rows_is_an_empty_ledger(tmp_path, read_ledgers):
    path = tmp_path / "员工.csv"
    path.write_text("工号,姓名,岗位\n", encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert problems.empty and len(frames["staff"]) == 0


def test_a_header_of_formulas_never_calculated_is_named_when_no_header_is_found(tmp_path):
    # a program wrote the header as formulas (="客户号", =C2+1 for a Gantt's days) and never opened the
    # workbook: "no header row found" said nothing of why
    from openpyxl import Workbook

    from branchkit.errors import InputError

    book = Workbook()
    sheet = book.active
    sheet.title = "客户清单"
    sheet.append(['="客户号"', '="客户名称"', '="客户类型"', '="存款余额"'])
    sheet.append(["C1", "甲", "个人", 10])
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(InputError, match=r"4 cell\(s\) there hold a formula never calculated \(A1, B1, C1, D1\)"):
        load_inputs(load_rules(), [tmp_path / "c.xlsx"], force_kind="customers")
    plan = Workbook()
    sheet = plan.active
    sheet.title = "张三"
    sheet.append(["2026年10月工作计划"])
    sheet.append(["客户名称", "月度目标", 1, *[f"={chr(ord('C') + d)}2+1" for d in range(6)]])
    sheet.append(["甲公司", "存款", "√"])
    plan.save(tmp_path / "甘特图.xlsx")
    problems = load_inputs(load_rules(), [tmp_path / "甘特图.xlsx"], force_kind="plan").log.frame()
    message = problems.loc[problems["code"] == "no_header", "message"].iloc[0]
    assert "6 cell(s) there hold a formula never calculated (D2, E2, F2, G2, H2, ...)" in message
