"""Sections shown only in html (printable statements) are not written as xlsx sheets."""

from __future__ import annotations

import openpyxl
import pandas as pd

from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Table


def _report() -> Report:
    main = Table("main", pd.DataFrame({"staff_id": ["S1"], "total": [1.5]}), "汇总", "Summary")
    page = Table("page", pd.DataFrame({"item": ["x"]}), "个人", "Statement")
    return Report("报告", "Report", [Section("汇总", "Summary", [main]),
                                     Section("个人", "Statement", [page], page_break=True, in_xlsx=False)], "main")


def test_html_only_section_is_not_a_sheet(tmp_path):
    target = tmp_path / "out.xlsx"
    write_report(str(target), _report(), WriteOptions())
    assert openpyxl.load_workbook(target).sheetnames == ["汇总"]


def test_html_only_section_is_in_the_html(tmp_path):
    target = tmp_path / "out.html"
    write_report(str(target), _report(), WriteOptions())
    text = target.read_text(encoding="utf-8")
    assert "个人" in text and 'class="page-break"' in text
