"""The branch a line above the header names (机构：城中支行), for a sheet without a branch column: a core
system's per-branch export. Then held against the staff list with the sheets named after branches
(``core.branch_names.given_branches``), through ``branchkit.read`` and the allocate command."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import branchkit
from branchkit.cli import app
from branchkit.io.header import _BRANCH_LINE, _branch_name

HEADER = ["客户号", "客户名称", "客户类型", "存款余额", "管户人"]
STAFF = [["工号", "姓名", "岗位", "所属网点"], ["001", "王五", "个人客户经理", "城中支行"], ["002", "赵六", "个人客户经理", "城中支行"],
         ["101", "王五", "个人客户经理", "城东支行"], ["102", "钱七", "个人客户经理", "城东支行"]]


def _said(text: str) -> str | None:
    found = _BRANCH_LINE.search(text)
    return _branch_name(found.group(2)) if found else None


@pytest.mark.parametrize(("line", "branch"), [
    ("机构：城中支行", "城中支行"), ("所属网点: 城中支行", "城中支行"), ("机构名称：城中支行(320101)", "城中支行"),
    ("机构：320101 城中支行  数据日期：2026年10月31日", "城中支行"), ("机构：城中支行 数据日期：2026-10-31", "城中支行"),
    ("机构：城中支行，单位：万元", "城中支行"), ("网点：城中支行 营业部", "城中支行 营业部"),
    # not a branch: another label, a code alone, nothing, the office that printed or queried it
    ("网点负责人：张三", None), ("机构号：320101", None), ("机构：320101", None), ("机构：", None),
    ("打印机构：江城分行营业部   打印日期：2026-11-01", None), ("查询机构：城中支行", None),
])
def test_a_branch_line_is_read_without_its_code_up_to_the_next_label(line, branch):
    assert _said(line) == branch


def _customers(book, name: str, lines: list[list], sheet: str = "客户清单", header=HEADER, more=None, ids="C"):
    rows = [*lines, header, [f"{ids}1", "甲", "个人", 10, "王五"], [f"{ids}2", "乙", "个人", 20, None]]
    return book(name, {sheet: rows, **(more or {})})


def test_a_line_gives_a_sheet_without_a_branch_column_its_branch(book, read_ledgers):
    path = _customers(book, "城中客户清单.xlsx", [["城中支行客户清单"], ["机构：320101 城中支行", None, "数据日期：2026年10月31日"]])
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["branch"].tolist() == ["城中支行", "城中支行"]
    note = inputs.ledgers["customers"].sources[0]
    assert (note.branch_given, note.branch_line) == ("城中支行", "机构：城中支行")
    assert problems.empty


def test_a_branch_column_wins_over_the_line_and_two_lines_saying_otherwise_give_none(book, read_ledgers):
    header = ["所属网点", *HEADER]
    rows = [["机构：城中支行"], header, ["城东支行", "C1", "甲", "个人", 10, "王五"]]
    _, frames, _ = read_ledgers(book("a.xlsx", {"客户清单": rows}))
    assert frames["customers"]["branch"].tolist() == ["城东支行"]
    inputs, frames, _ = read_ledgers(_customers(book, "b.xlsx", [["机构：城中支行"], ["所属网点：城东支行"]]))
    assert frames["customers"]["branch"].isna().all()
    assert inputs.ledgers["customers"].sources[0].branch_given is None


def test_the_line_wins_over_the_sheets_name(book, read_ledgers):
    path = _customers(book, "客户清单.xlsx", [["机构：城东支行"]], sheet="城中支行",
                      more={"城西支行": [HEADER, ["C9", "丙", "个人", 5, None]]})
    _, frames, _ = read_ledgers(path, kind="customers")
    assert frames["customers"]["branch"].tolist() == ["城东支行", "城东支行", "城西支行"]


def test_a_network_of_per_branch_files_is_read_and_held_against_the_staff_list(book, tmp_path):
    _customers(book, "城中.xlsx", [["机构名称：江城分行城中支行（320101）"]])
    _customers(book, "城东.xlsx", [["机构：城东支行"]], ids="D")
    book("员工.xlsx", {"员工": STAFF})
    ledgers = branchkit.read(tmp_path)
    customers = ledgers.used("customers")
    assert sorted(zip(customers["branch"], customers["keeper"].fillna(""))) == [
        ("城东支行", ""), ("城东支行", "101"), ("城中支行", ""), ("城中支行", "001")]    # 王五 of each branch
    assert any(n.endswith("its rows are branch 城中支行, whose name the line 机构名称：江城分行城中支行 above its header "
                          "(江城分行城中支行) holds") for n in ledgers.notes)
    assert not ledgers.log.frame()["code"].eq("ambiguous_staff").any()


@pytest.mark.parametrize("names", [("对公", "个人"), ("Sheet1", "Sheet2")])
def test_allocate_a_single_branchs_list_on_sheets_named_otherwise_than_branches(book, tmp_path, names):
    # one branch's list over two sheets, no branch column: before, each sheet was a branch nobody works in,
    # and every customer was left without a keeper. 对公/个人 are held against the staff list's one branch;
    # Excel's default names are no branch at all
    staff = [row for row in STAFF if row[3] != "城东支行"]
    book("员工.xlsx", {"员工": staff})
    book("客户清单.xlsx", {names[0]: [HEADER, ["C1", "甲", "个人", 10, "王五"]],
                          names[1]: [HEADER, ["C2", "乙", "个人", 20, "赵六"], ["C3", "丙", "个人", 30, None]]})
    out = tmp_path / "out" / "allocation.csv"
    out.parent.mkdir()
    result = CliRunner().invoke(app, ["allocate", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    allocation = pd.read_csv(out, dtype=str)
    assert allocation["branch"].tolist() == ["城中支行"] * 3
    assert allocation.set_index("customer_id").loc[["C1", "C2"], "keeper"].tolist() == ["001", "002"]
    assert allocation["keeper"].notna().all()
    held = f"its sheet name ({names[0]}) names no branch of the staff list: its rows are branch 城中支行's"
    assert (held in result.output) == (names[0] == "对公")
    assert "branch_without_staff" not in result.output


def test_a_roster_over_sheets_named_otherwise_is_the_customer_lists_one_branch(book, tmp_path):
    staff = [row[:3] for row in STAFF if row[3] != "城东支行"]           # no branch column
    book("员工.xlsx", {"客户经理": [staff[0], staff[1]], "Sheet2": [staff[0], staff[2]]})
    book("客户清单.xlsx", {"客户清单": [["所属网点", *HEADER], ["城中支行", "C1", "甲", "个人", 10, "王五"],
                                    ["城中支行", "C2", "乙", "个人", 20, "赵六"]]})
    ledgers = branchkit.read(tmp_path)
    # 客户经理 is held against the customer list's one branch; Sheet2 names nothing: no branch, as a roster
    # without a branch column has
    assert ledgers.used("staff")["branch"].fillna("").tolist() == ["城中支行", ""]
    assert ledgers.used("customers")["keeper"].tolist() == ["001", "002"]
    assert any("its sheet name (客户经理) names no branch of the customer list: its rows are branch 城中支行's"
               in n for n in ledgers.notes)


def test_a_branch_kept_on_sheets_per_post_and_per_customer_type_is_one_branch(book, tmp_path):
    staff = [row[:3] for row in STAFF if row[3] != "城东支行"]           # no branch column
    book("员工.xlsx", {"客户经理": [staff[0], staff[1]], "柜员": [staff[0], staff[2]]})
    book("客户清单.xlsx", {"对公": [HEADER, ["C1", "甲", "对公", 10, "王五"]], "个人": [HEADER, ["C2", "乙", "个人", 20, "赵六"]]})
    ledgers = branchkit.read(tmp_path)
    assert ledgers.used("staff")["branch"].isna().all() and ledgers.used("customers")["branch"].isna().all()
    assert ledgers.used("customers")["keeper"].tolist() == ["001", "002"]
    table = ledgers.allocate().table
    assert table.set_index("customer_id")["keeper"].to_dict() == {"C1": "001", "C2": "002"}


def test_a_rosters_line_stays_against_a_customer_list_naming_no_branch_its_sheet_name_does_not(book, tmp_path):
    staff = [row[:3] for row in STAFF if row[3] != "城东支行"]
    customers = {"客户清单": [HEADER, ["C1", "甲", "个人", 10, "王五"], ["C2", "乙", "个人", 20, "赵六"]]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    book("a/员工.xlsx", {"员工": [["机构：城中支行"], *staff]})
    book("a/客户清单.xlsx", customers)
    book("b/员工.xlsx", {"客户经理": staff, "说明": [["这是员工名单"]]})
    book("b/客户清单.xlsx", customers)
    said = branchkit.read(tmp_path / "a")
    assert said.used("staff")["branch"].tolist() == ["城中支行", "城中支行"]         # said by its line: kept
    assert said.allocate().table["keeper"].tolist() == ["001", "002"]
    guessed = branchkit.read(tmp_path / "b")
    assert guessed.used("staff")["branch"].isna().all()                            # a sheet's name: a guess
    assert guessed.allocate().table["keeper"].tolist() == ["001", "002"]


def test_the_whole_banks_line_on_each_branchs_sheet_gives_way_to_the_sheets_name(book, tmp_path):
    # one sheet per branch, each titled with the bank's 机构：江城分行: the line names no branch of the staff
    # list, the sheet's name does; a line naming a branch still wins over its sheet's name (above)
    book("员工.xlsx", {"员工": STAFF})
    book("客户清单.xlsx", {"城中支行": [["机构：江城分行"], HEADER, ["C1", "甲", "个人", 10, "王五"]],
                          "城东支行对公": [["机构：江城分行"], HEADER, ["D1", "乙", "对公", 20, "王五"]]})
    ledgers = branchkit.read(tmp_path)
    customers = ledgers.used("customers")
    assert customers["branch"].tolist() == ["城中支行", "城东支行"]
    assert customers["keeper"].tolist() == ["001", "101"]
    assert any(n.endswith("[城东支行对公]: no branch column; its rows are branch 城东支行, as its sheet name (城东支行对公) "
                          "says: the line 机构：江城分行 above its header names no branch of the staff list")
               for n in ledgers.notes)
