"""Sheet names the xlsx writer gives tables: valid for Excel and unique, whatever the titles."""

from __future__ import annotations

import openpyxl
import pandas as pd
import xlsxwriter

from branchkit.io.output import WriteOptions
from branchkit.io.tables import Report, Section, Table
from branchkit.io.xlsx import sheet_name, write_xlsx


def test_names_are_valid_unique_and_short(tmp_path):
    used: set[str] = set()
    titles = ["城中支行 客户经理汇总" * 3, "城中支行 客户经理汇总" * 3, "a" * 30 + "'b", "'quoted'", "x/y:z?",
              "History", "SUMMARY", "summary", "", "tab\tname", "城中支行 1对N维护责任表", "城中支行 1对N维护责任表"]
    names = [sheet_name(t, used) for t in titles]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not name.startswith("'") and not name.endswith("'")
        assert not set(name) & set("[]:*?/\\") and "\t" not in name
    assert names[1].endswith("(2)") and names[7] == "summary(2)" and names[5] != "History"
    book = xlsxwriter.Workbook(str(tmp_path / "names.xlsx"))   # xlsxwriter refuses invalid names
    for name in names:
        book.add_worksheet(name)
    book.close()
    assert openpyxl.load_workbook(tmp_path / "names.xlsx").sheetnames == names


def test_a_report_with_colliding_titles_writes(tmp_path):
    frame = pd.DataFrame({"branch": ["城中支行"], "customers": [3]})
    tables = [Table(f"t{i}", frame, "某某分行城中支行网点营业部客户经理维护汇总表", "Long") for i in range(3)]
    report = Report("r", "r", [Section("s", "s", tables)], primary="t0")
    write_xlsx(report, tmp_path / "r.xlsx", WriteOptions())
    names = openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames
    assert len(names) == 3 and len(set(names)) == 3 and all(len(n) <= 31 for n in names)
