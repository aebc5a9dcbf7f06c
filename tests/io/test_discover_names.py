"""Finding ledgers by name, and what layout readers are handed."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.io import discover
from branchkit.io.discover import LayoutContext, kind_from_name, load_inputs
from branchkit.io.kinds import list_folder
from branchkit.io.ledger import SourceNote
from branchkit.rules import load_rules


@pytest.mark.parametrize(("name", "kind"), [
    ("甘特图", "plan"),
    ("对公客户经理甘特图", "plan"),            # holds 对公客户, but it is a plan of a manager
    ("2026年10月公司客户经理工作计划", "plan"),
    ("拜访计划", "plan"),                      # the longer keyword beats 拜访
    ("客户经理拜访记录", "visits"),
    ("月初客户清单", "customers_start"),
    ("分时段业务量", "volumes_hourly"),
    ("对公客户清单", "customers"),
    ("张三", None),
    ("Sheet1", None),
])
def test_kind_from_name_takes_the_longest_keyword(name, kind):
    assert kind_from_name(name) == kind


def test_layout_readers_get_the_row_id_start_and_the_commands_options(tmp_path, monkeypatch):
    seen: list[LayoutContext] = []

    def reader(grid, rules, log, context):
        seen.append(context)
        frame = pd.DataFrame({"staff_id": ["张三"], "_file": [grid.file], "_sheet": [grid.sheet], "_row": [1]})
        frame["_rid"] = [context.rid_start]
        return frame, SourceNote(grid.file, grid.sheet, "plan")

    monkeypatch.setitem(discover.LAYOUT_READERS, "plan", reader)
    book = openpyxl.Workbook()
    book.active.title = "张三"
    book.active.append(["项目/客户", "1", "2"])
    book.create_sheet("李四").append(["项目/客户", "1", "2"])
    path = tmp_path / "甘特图.xlsx"
    book.save(path)
    inputs = load_inputs(load_rules(), [path], options={"month": "2026-10"})
    assert [c.rid_start for c in seen] == [0, 1]
    assert all(c.options == {"month": "2026-10"} for c in seen)
    assert inputs.frame("plan")["_rid"].tolist() == [0, 1]


def _gantt_sheet(sheet) -> None:
    sheet.append(["2026年10月"])
    sheet.append(["项目/客户", "月度工作目标", 1, 2, 5, 6])
    sheet.append(["甲公司", "存款", "x", None, None, "x"])


def test_a_gantt_is_known_by_its_layout_whatever_its_file_is_called(tmp_path):
    book = openpyxl.Workbook()
    _gantt_sheet(book.active)
    book.save(tmp_path / "张三.xlsx")
    inputs = load_inputs(load_rules(), [tmp_path])
    assert inputs.frame("plan")["staff_id"].tolist() == ["张三", "张三"]


def test_gantt_sheets_beside_a_visits_sheet_are_still_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "张三"
    _gantt_sheet(book.active)
    visits = book.create_sheet("拜访记录")
    visits.append(["拜访日期", "拜访人", "客户名称"])
    visits.append(["2026-10-01", "张三", "甲公司"])
    book.save(tmp_path / "甘特图.xlsx")
    inputs = load_inputs(load_rules(), [tmp_path / "甘特图.xlsx"])
    assert len(inputs.frame("plan")) == 2 and len(inputs.frame("visits")) == 1


def _customer_book(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, ids in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(["客户号", "客户名称", "客户类型"])
        for cid in ids:
            sheet.append([cid, f"客户{cid}", "对公" if name == "对公客户" else "个人"])
    book.save(path)


def test_sheets_named_for_customers_in_a_month_start_file_are_the_month_start_snapshot(tmp_path):
    _customer_book(tmp_path / "月初客户清单.xlsx", {"对公客户": ["C1"], "个人客户": ["P1"]})
    _customer_book(tmp_path / "客户清单.xlsx", {"对公客户": ["C1", "C2"], "个人客户": ["P1"]})
    inputs = load_inputs(load_rules(), [tmp_path])
    assert len(inputs.log) == 0, inputs.log.frame()
    assert sorted(inputs.frame("customers_start")["customer_id"]) == ["C1", "P1"]
    assert sorted(inputs.frame("customers")["customer_id"]) == ["C1", "C2", "P1"]


def test_a_more_specific_sheet_name_still_wins_over_its_file(tmp_path):
    _customer_book(tmp_path / "客户清单.xlsx", {"客户清单": ["C1", "C2"], "月初客户清单": ["C1"]})
    inputs = load_inputs(load_rules(), [tmp_path / "客户清单.xlsx"])
    assert inputs.frame("customers_start")["customer_id"].tolist() == ["C1"]


def test_sheets_named_nothing_go_by_their_files_name(tmp_path):
    # Sheet1/Sheet2 of 月初客户清单.xlsx and the two tables of an HTML export were read by their headers
    # alone: as the month-end list, every customer then a duplicate of the real one
    _customer_book(tmp_path / "月初客户清单.xlsx", {"Sheet1": ["C1"], "Sheet2": ["P1"]})
    table = "<table><tr><td>客户号</td><td>客户名称</td><td>客户类型</td></tr><tr><td>{}</td><td>甲</td><td>个人</td></tr></table>"
    (tmp_path / "客户清单.html").write_text(f"<html><body>{table.format('C1')}{table.format('P1')}</body></html>",
                                            encoding="utf-8")
    inputs = load_inputs(load_rules(), [tmp_path])
    assert len(inputs.log) == 0, inputs.log.frame()
    assert sorted(inputs.frame("customers_start")["customer_id"]) == ["C1", "P1"]
    assert sorted(inputs.frame("customers")["customer_id"]) == ["C1", "P1"]


def test_a_sheet_named_nothing_holding_another_ledger_is_known_by_its_headers(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["客户号", "客户名称", "客户类型"])
    book.active.append(["C1", "甲", "个人"])
    staff = book.create_sheet("Sheet2")
    staff.append(["工号", "姓名", "岗位"])
    staff.append(["S1", "张三", "行长"])
    book.save(tmp_path / "客户清单.xlsx")
    inputs = load_inputs(load_rules(), [tmp_path / "客户清单.xlsx"])
    assert inputs.frame("customers")["customer_id"].tolist() == ["C1"]
    assert inputs.frame("staff")["staff_id"].tolist() == ["S1"]


def test_a_single_sheet_file_goes_by_its_file_name_before_its_headers(tmp_path):
    (tmp_path / "上月分配.csv").write_text("客户号,客户名称,客户类型,维护责任人\nC1,甲,对公,E1\n", encoding="utf-8")
    _customer_book(tmp_path / "客户清单.xlsx", {"对公客户": ["C1"]})
    inputs = load_inputs(load_rules(), [tmp_path])
    assert inputs.frame("previous")["customer_id"].tolist() == ["C1"]
    assert inputs.frame("customers")["customer_id"].tolist() == ["C1"]


def test_an_entry_named_as_a_ledger_that_is_not_a_file_is_named_as_skipped(tmp_path):
    # a folder (an unpacked workbook), a pipe (opening it would wait for a writer), a link to nothing: each
    # is said to be passed over, with why, and the regular file beside them is read
    import os

    (tmp_path / "员工.csv").write_text("员工号,姓名,网点,角色\nS1,张三,城中,客户经理\n", encoding="utf-8")
    (tmp_path / "客户清单.xlsx").mkdir()
    (tmp_path / "扣分.xlsx").symlink_to(tmp_path / "gone.xlsx")
    pipe = hasattr(os, "mkfifo")
    if pipe:
        os.mkfifo(tmp_path / "拜访记录.csv")
    files, notes = list_folder(tmp_path)
    assert [p.name for p in files] == ["员工.csv"]
    expected = [f"skipped {tmp_path / '客户清单.xlsx'}: a folder, not a file",
                f"skipped {tmp_path / '扣分.xlsx'}: a link to a file that is not there"]
    if pipe:
        expected.insert(1, f"skipped {tmp_path / '拜访记录.csv'}: not a regular file (a pipe, a socket or a device)")
    assert sorted(notes) == sorted(expected)
    inputs = load_inputs(load_rules(None), [tmp_path])
    assert set(inputs.ledgers) == {"staff"} and len(inputs.frame("staff")) == 1
    assert set(expected) <= set(inputs.notes)


def test_spreadsheets_of_formats_not_read_are_named_in_a_folder(tmp_path):
    # an .ods ledger in a folder was passed over without a word, even with --verbose
    from branchkit.errors import InputError

    for name in ("客户清单.ods", "员工.xlsb", "认领.et", "notes.docx"):
        (tmp_path / name).write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match=r"holds 3 spreadsheet\(s\) of a format branchkit does not read "
                                         r"\(员工\.xlsb, 客户清单\.ods, 认领\.et\): save them as \.xlsx"):
        load_inputs(load_rules(), [tmp_path])
    (tmp_path / "员工.csv").write_text("工号,姓名,岗位\nS1,张三,行长\n", encoding="utf-8")
    notes = load_inputs(load_rules(), [tmp_path]).notes
    assert [n.split(": ", 1)[1] for n in notes if ".ods" in n or ".xlsb" in n or ".et" in n] == [
        "an Excel binary workbook, which branchkit does not read; save it as .xlsx (or .csv) to have it read",
        "an OpenDocument spreadsheet, which branchkit does not read; save it as .xlsx (or .csv) to have it read",
        "a WPS spreadsheet, which branchkit does not read; save it as .xlsx (or .csv) to have it read"]
