"""Finding ledgers: a ``--<kind>`` option that takes a related kind's sheets from the same workbook, and a
file's name that wins over a header guess (SPEC: by name, failing that by headers)."""

from __future__ import annotations

import openpyxl

from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules


def _volumes_book(path, hourly_sheet="分时段业务量"):
    book = openpyxl.Workbook()
    daily = book.active
    daily.title = "日均业务量"
    daily.append(["网点", "网点类型", "日均交易笔数"])
    daily.append(["城中支行", "一般网点", 260])
    hourly = book.create_sheet(hourly_sheet)
    hourly.append(["网点", "时段", "到达笔数"])
    hourly.append(["城中支行", "09:00-10:00", 30])
    hourly.append(["城中支行", "10:00-11:00", 45])
    book.save(path)
    return path


def test_volumes_option_reads_the_daily_and_the_hourly_sheet(tmp_path):
    path = _volumes_book(tmp_path / "业务量.xlsx")
    inputs = load_inputs(load_rules(), [], {"volumes": [path]})
    assert len(inputs.log) == 0
    assert inputs.frame("volumes")["daily_transactions"].tolist() == [260]
    assert inputs.frame("volumes_hourly")["hour"].tolist() == [9, 10]


def test_an_unnamed_hourly_sheet_is_known_by_its_headers(tmp_path):
    path = _volumes_book(tmp_path / "业务量.xlsx", hourly_sheet="Sheet2")
    inputs = load_inputs(load_rules(), [], {"volumes": [path]})
    assert inputs.frame("volumes_hourly")["arrivals"].tolist() == [30, 45]


def test_the_option_overrides_the_folders_hourly_sheet_too(tmp_path):
    given = _volumes_book(tmp_path / "given.xlsx")
    folder = tmp_path / "ledgers"
    folder.mkdir()
    _volumes_book(folder / "业务量.xlsx")
    inputs = load_inputs(load_rules(), [folder], {"volumes": [given]})
    assert len(inputs.frame("volumes_hourly")) == 2
    assert any("given by option" in note for note in inputs.passed)        # said with --verbose


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


def test_ledgers_a_command_does_not_use_are_not_parsed(tmp_path, monkeypatch):
    import branchkit.io.workbook as workbook

    rows = [["客户号", "客户名称", "客户类型"], ["C1", "甲", "对公"]]
    _book(tmp_path / "客户清单.xlsx", "客户清单", rows)
    _book(tmp_path / "月初客户清单.xlsx", "Sheet1", rows)
    (tmp_path / "拜访记录.csv").write_bytes(b"\x00\x01 not even text")   # would be an error if read
    book = openpyxl.Workbook()                                         # a workbook of several ledgers
    book.active.title = "员工"
    book.active.append(["工号", "姓名", "岗位"])
    book.active.append(["S01", "王强", "行长"])
    book.create_sheet("工作日志").append(["工号", "日期"])
    book.create_sheet("Sheet3").append(["工号", "姓名", "岗位"])
    book.save(tmp_path / "台账.xlsx")
    parsed = []
    real = workbook._grid
    monkeypatch.setattr(workbook, "_grid", lambda b, name, *a: parsed.append(name) or real(b, name, *a))
    gantt = openpyxl.Workbook()                                        # one sheet per manager
    gantt.active.title = "张三"
    gantt.create_sheet("李四")
    gantt.save(tmp_path / "甘特图.xlsx")
    inputs = load_inputs(load_rules(), [tmp_path], wanted={"customers", "staff"})
    assert sorted(parsed) == ["Sheet3", "员工", "客户清单"]              # never the month-start list, log or plan
    assert sorted(inputs.ledgers) == ["customers", "staff"]
    assert any("拜访记录.csv: a visits ledger is not used" in n for n in inputs.passed)       # said with --verbose
    assert any("月初客户清单.xlsx" in n and "customers_start" in n for n in inputs.passed)
    # without a wanted set (validate), everything is read
    inputs = load_inputs(load_rules(), [tmp_path / "月初客户清单.xlsx"])
    assert list(inputs.ledgers) == ["customers_start"]


def test_a_workbook_none_of_whose_sheets_is_used_is_neither_checked_nor_opened(tmp_path, monkeypatch):
    import branchkit.io.workbook as workbook

    rows = [["客户号", "客户名称", "客户类型"], ["C1", "甲", "对公"]]
    _book(tmp_path / "客户清单.xlsx", "客户清单", rows)
    gantt = openpyxl.Workbook()                                        # one sheet per manager, one hidden
    gantt.active.title = "张三"
    gantt.create_sheet("李四")
    gantt.create_sheet("备注").sheet_state = "hidden"
    gantt.save(tmp_path / "甘特图.xlsx")
    mixed = openpyxl.Workbook()                                        # a plan file holding a staff sheet
    mixed.active.title = "张三"
    mixed.create_sheet("员工").append(["工号", "姓名", "岗位"])
    mixed["员工"].append(["S01", "王强", "行长"])
    mixed.save(tmp_path / "计划.xlsx")
    checked, opened = [], []
    real_check, real_open = workbook.check_package, workbook._open
    monkeypatch.setattr(workbook, "check_package", lambda path, *a: checked.append(path.name) or real_check(path, *a))
    monkeypatch.setattr(workbook, "_open", lambda path, *a: opened.append(path.name) or real_open(path, *a))
    inputs = load_inputs(load_rules(), [tmp_path], wanted={"customers", "staff"})
    assert sorted(checked) == sorted(opened) == ["客户清单.xlsx", "计划.xlsx"]   # never the Gantt
    assert sorted(inputs.ledgers) == ["customers", "staff"]
    gantt_notes = [n for n in inputs.passed if "甘特图.xlsx" in n]
    assert len(gantt_notes) == 2 and all("a plan ledger is not used by this command" in n for n in gantt_notes)
    assert any("备注 (hidden)" in n for n in inputs.notes)
    # a command that reads plans checks and reads the same workbook whole
    checked.clear()
    inputs = load_inputs(load_rules(), [tmp_path / "甘特图.xlsx"], wanted={"plan"})
    assert checked == ["甘特图.xlsx"]
