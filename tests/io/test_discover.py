"""Finding ledger kinds: a file's name wins over a header guess (SPEC: by name, failing that by headers)."""

from __future__ import annotations

import openpyxl

from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules


def _book(path, title: str, rows: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_file_name_decides_between_kinds_with_alike_headers(tmp_path):
    # 工号 + 日期 are the required headers of both the tidy plan and the work log.
    _book(tmp_path / "工作日志.xlsx", "工作日志", [["工号", "日期"], ["S01", "2026-10-08"]])
    inputs = load_inputs(load_rules(), [tmp_path])
    assert list(inputs.ledgers) == ["worklog"]


def test_month_start_customer_list_is_found_by_its_file_name(tmp_path):
    rows = [["客户号", "客户名称", "客户类型"], ["C1", "甲", "对公"]]
    _book(tmp_path / "客户清单.xlsx", "客户清单", rows)
    _book(tmp_path / "月初客户清单.xlsx", "月初客户清单", rows)
    inputs = load_inputs(load_rules(), [tmp_path])
    assert sorted(inputs.ledgers) == ["customers", "customers_start"]
    assert len(inputs.ledgers["customers"].frame) == len(inputs.ledgers["customers_start"].frame) == 1


def test_headers_decide_when_the_name_says_nothing(tmp_path):
    _book(tmp_path / "export.xlsx", "Sheet1", [["工号", "姓名", "岗位"], ["S01", "王强", "行长"]])
    inputs = load_inputs(load_rules(), [tmp_path])
    assert list(inputs.ledgers) == ["staff"]


def test_a_month_start_workbook_with_customer_sheets_is_a_month_start_list(tmp_path):
    rows = [["客户号", "客户名称", "客户类型"], ["C1", "甲", "对公"]]
    book = openpyxl.Workbook()
    book.active.title = "对公客户"
    for row in rows:
        book.active.append(row)
    second = book.create_sheet("个人客户")
    second.append(rows[0])
    second.append(["C2", "乙", "个人"])
    book.save(tmp_path / "月初客户清单.xlsx")
    inputs = load_inputs(load_rules(), [tmp_path])
    assert list(inputs.ledgers) == ["customers_start"]
    assert inputs.ledgers["customers_start"].frame["customer_id"].tolist() == ["C1", "C2"]
