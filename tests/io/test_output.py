"""The output layer: each format written and read back, safety, atomic writes, determinism."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from branchkit.errors import OutputError
from branchkit.io import output as output_module
from branchkit.io.charts import bar_chart
from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Sheet, Table

EVIL = "<script>alert('x')</script>"


def _report() -> Report:
    frame = pd.DataFrame({
        "customer_id": ["000123", "000124", "000125"],
        "name": ["=HYPERLINK(\"http://evil\",\"点我\")", EVIL, "+1 张三"],
        "deposit": [1234.5, -20.0, None],
        "adherence": [0.8995, 1.0, 0.0],
        "open_date": pd.to_datetime(["2024-03-05", None, "2019-01-02"]),
        "id_number": ["410105199001011234", "91350100M000100Y43", None],
        "phone": ["13812345678", "0571-88886666", None],
        "rank": [1, 2, 3],
    })
    table = Table("customers", frame, "客户", "Customers", formats={"adherence": "ratio", "rank": "int"})
    chart = bar_chart(["甲", EVIL], [1.0, 2.0], title="负载")
    section = Section("客户", "Customers", [table], charts=[chart])
    return Report("测试报告", "Test report", [section], primary="customers")


def test_xlsx_cells_formats_panes_and_no_formulas(tmp_path):
    path = tmp_path / "out.xlsx"
    write_report(str(path), _report(), WriteOptions())
    sheet = openpyxl.load_workbook(path)["客户"]
    assert [c.value for c in sheet[1]][:4] == ["客户号", "名称", "存款余额(元)", "计划执行率"]
    assert sheet["A2"].value == "000123" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value.startswith("=HYPERLINK") and sheet["B2"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["C2"].value == 1234.5 and sheet["C2"].number_format == "#,##0.00"
    assert sheet["D2"].number_format == "0.00%"
    assert sheet["E2"].value == dt.datetime(2024, 3, 5) and sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].value == "410105********1234"        # ID number masked
    assert sheet["F3"].value == "91350100M000100Y43"        # company credit code is public
    assert sheet["G2"].value == "138****5678"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"


def test_xlsx_english_labels_and_no_mask(tmp_path):
    path = tmp_path / "out.xlsx"
    write_report(str(path), _report(), WriteOptions(lang="en", mask=False))
    sheet = openpyxl.load_workbook(path)["Customers"]
    assert sheet["A1"].value == "Customer ID"
    assert sheet["F2"].value == "410105199001011234"


def test_csv_neutralises_formula_text_but_keeps_numbers_and_carries_personal_data(tmp_path):
    path = tmp_path / "out.csv"
    write_report(str(path), _report(), WriteOptions())
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame["name"].tolist()[0].startswith("'=HYPERLINK")
    assert frame["name"].tolist()[2] == "'+1 张三"
    assert frame["deposit"].tolist() == ["1234.50", "-20.00", ""]
    assert frame["adherence"].tolist() == ["0.8995", "1.0000", "0.0000"]
    assert frame["id_number"].tolist()[0] == "410105199001011234"
    assert list(frame.columns)[:3] == ["customer_id", "name", "deposit"]


def test_raw_csv_and_mask_options(tmp_path):
    path = tmp_path / "out.csv"
    write_report(str(path), _report(), WriteOptions(raw_csv=True, mask=True))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert frame["name"].tolist()[0].startswith("=HYPERLINK")
    assert frame["phone"].tolist()[0] == "138****5678"


def test_json_round_trip(tmp_path):
    path = tmp_path / "out.json"
    write_report(str(path), _report(), WriteOptions())
    records = json.loads(path.read_text(encoding="utf-8"))
    assert records[0]["customer_id"] == "000123"
    assert records[0]["deposit"] == 1234.5 and records[2]["deposit"] is None
    assert records[0]["open_date"] == "2024-03-05" and records[1]["open_date"] is None
    assert records[1]["name"] == EVIL
    assert records[0]["rank"] == 1


def test_html_is_self_contained_escaped_and_masked(tmp_path):
    path = tmp_path / "out.html"
    write_report(str(path), _report(), WriteOptions())
    html = path.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    without_text = re.sub(r">[^<]*<", "><", html)           # references live in tags, not in table text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", without_text)
    assert "@import" not in html and "url(" not in html
    assert "410105********1234" in html and "<svg" in html


def test_long_text_is_cut_for_xlsx_with_a_warning(tmp_path):
    frame = pd.DataFrame({"name": ["长" * 40000]})
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T")])], "t")
    warnings = write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    assert warnings and "row 2" in warnings[0] and "32767" in warnings[0]
    assert len(openpyxl.load_workbook(tmp_path / "o.xlsx")["表"]["A2"].value) == 32767


def test_interrupted_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "out.xlsx"
    write_report(str(path), _report(), WriteOptions())
    before = path.read_bytes()

    def broken(report, tmp, options):
        tmp.write_bytes(b"half a workbook")
        raise RuntimeError("disk pulled out")

    import branchkit.io.output as output_module

    monkeypatch.setattr(output_module, "write_xlsx", broken)
    with pytest.raises(RuntimeError):
        write_report(str(path), _report(), WriteOptions())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_refuses_to_overwrite_an_input(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="inputs"):
        write_report(str(path), _report(), WriteOptions(inputs=[path]))
    assert path.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("suffix", [".csv", ".json", ".xlsx"])
def test_same_report_gives_the_same_bytes(tmp_path, suffix):
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_report(str(first), _report(), WriteOptions())
    write_report(str(second), _report(), WriteOptions())
    assert first.read_bytes() == second.read_bytes()


def test_multi_table_sheet_and_coloured_cells(tmp_path):
    frame = pd.DataFrame({"customer": ["甲公司"], "d1": ["拜访"]})
    fills = pd.DataFrame({"d1": ["#009E73"]})
    sheet = Sheet("台账-王五", "Ledger", [Table("a", frame, "客户基本信息", "Customers", fills=fills),
                                         Table("b", pd.DataFrame(columns=["date", "customer"]), "跟进记录", "Follow-up")],
                  heading_zh="维护责任人：王五")
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T", fills=fills)])], "t", extra_sheets=[sheet])
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions())
    book = openpyxl.load_workbook(tmp_path / "o.xlsx")
    assert book.sheetnames == ["表", "台账-王五"]
    assert book["表"]["B2"].fill.fgColor.rgb == "FF009E73"
    ledger = book["台账-王五"]
    assert [ledger.cell(r, 1).value for r in (1, 3, 4, 5, 8, 9)] == [
        "维护责任人：王五", "客户基本信息", "客户", "甲公司", "跟进记录", "日期"]


def test_broken_pipe_exits_quietly(tmp_path):
    path = tmp_path / "客户清单.csv"
    rows = "\n".join(f"{i:06d},客户{i},个人,{i}" for i in range(200_000))
    path.write_text("客户号,客户名称,客户类型,存款余额\n" + rows + "\n", encoding="utf-8")
    command = f"{sys.executable} -m branchkit validate {path} -o - -q | head -1"
    result = subprocess.run(["bash", "-c", "set -o pipefail; " + command], capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("customer_id,")
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_output_format_comes_from_the_extension():
    assert output_module.output_format("-") == "csv"
    assert output_module.output_format("a.HTML") == "html"


def test_csv_quotes_only_where_needed_and_reads_back(tmp_path):
    import csv as csv_module

    cells = ["plain", "a,b", 'say "hi"', "two\nlines", "car\rreturn", "", "前后 空格"]
    frame = pd.DataFrame({"name": cells, "note": ["x"] * len(cells)})
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T")])], "t")
    write_report(str(tmp_path / "o.csv"), report, WriteOptions(raw_csv=True))
    raw = (tmp_path / "o.csv").read_text(encoding="utf-8")
    assert raw.splitlines()[:3] == ["name,note", "plain,x", '"a,b",x']
    with open(tmp_path / "o.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv_module.reader(handle))
    assert [r[0] for r in rows[1:]] == cells and all(r[1] == "x" for r in rows[1:])


def test_csv_of_one_column_keeps_an_empty_cell_a_row(tmp_path):
    frame = pd.DataFrame({"name": ["a", "", "b"]})
    report = Report("t", "t", [Section("t", "t", [Table("t", frame, "表", "T")])], "t")
    write_report(str(tmp_path / "o.csv"), report, WriteOptions())
    assert (tmp_path / "o.csv").read_text(encoding="utf-8") == 'name\na\n""\nb\n'
