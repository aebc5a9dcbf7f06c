"""A plan row meets its visits whichever of the customer's id and name each wrote (DOMAIN §5: by customer id
or by exact name): the id/name pairs the visits, the plan and the customer list write together bridge a row
written by one to a visit written by the other; a plan cell holding an id is that id; pairs that disagree
are not used, and the run says which.

Every ledger is a workbook drawn here and read as ``branchkit plan`` reads it; counts are
(planned, done_on_time, slipped, slip_kept, missed, unplanned) per manager x customer.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

import branchkit

ID, NAME = "1770513062", "江城恒通贸易有限公司"
COUNTS = ["planned", "done_on_time", "slipped", "slip_kept", "missed", "unplanned"]


def _gantt(path, rows: list[tuple[object, str, dict[int, str]]]):
    """One sheet, 王静's: rows of (customer cell, goal, {day: mark}), days 1..31."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "王静"
    sheet.append(["2026年10月对公客户营销计划（甘特图）"])
    sheet.append(["项目/客户", "月度工作目标", *range(1, 32)])
    for customer, goal, marks in rows:
        sheet.append([customer, goal, *(marks.get(d) for d in range(1, 32))])
    book.save(path)
    return path


def _visits(path, rows: list[tuple[int, str | None, str | None]]):
    """王静's visits in October: (day, 客户号, 客户名称)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "拜访记录"
    sheet.append(["拜访日期", "拜访人", "客户号", "客户名称", "拜访方式"])
    for day, cid, name in rows:
        sheet.append([dt.datetime(2026, 10, day), "王静", cid, name, "上门"])
    book.save(path)
    return path


def _customers(path, rows: list[tuple[str, str]]):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户清单"
    sheet.append(["客户号", "客户名称", "客户类型", "存款余额"])
    for cid, name in rows:
        sheet.append([cid, name, "对公", 100])
    for cell in sheet["A"][1:]:
        cell.number_format = "@"
    book.save(path)
    return path


def _plan(tmp_path, plan_rows, visit_rows, customers=None):
    named = {"plan": _gantt(tmp_path / "甘特图.xlsx", plan_rows),
             "visits": _visits(tmp_path / "拜访记录.xlsx", visit_rows)}
    if customers is not None:
        named["customers"] = _customers(tmp_path / "客户清单.xlsx", customers)
    result = branchkit.open(**named).plan("2026-10")
    table = result.value.adherence
    counts = {(r.staff_id, r.customer): tuple(int(getattr(r, k)) for k in COUNTS) for r in table.itertuples()}
    return counts, table, [str(n) for n in result.value.notes]


def test_a_visit_by_id_alone_meets_the_plan_row_written_by_name_through_the_visits_own_pairs(tmp_path):
    # The id 1770513062 is written with its name on days 8 and 22: the visit of day 15, id alone, is that customer.
    counts, table, notes = _plan(tmp_path, [(NAME, "开立基本户", {8: "√", 15: "√", 22: "√"})],
                                 [(8, ID, NAME), (15, ID, None), (22, ID, NAME)])
    assert counts == {("王静", NAME): (3, 3, 0, 0, 0, 0)}
    assert table["customer_id"].tolist() == [ID]
    assert not any("disagree" in n for n in notes)


def test_a_visit_by_name_alone_meets_the_plan_row_written_by_id(tmp_path):
    counts, _, _ = _plan(tmp_path, [(ID, "开立基本户", {8: "√", 15: "√"})], [(8, ID, NAME), (15, None, NAME)])
    assert counts == {("王静", NAME): (2, 2, 0, 0, 0, 0)}       # shown by the name the visits give the id


@pytest.mark.parametrize("cell", [ID, int(ID)], ids=["text", "number"])
def test_a_plan_cell_holding_the_id_is_that_id(tmp_path, cell):
    counts, table, _ = _plan(tmp_path, [(cell, "开立基本户", {8: "√", 15: "√", 22: "√"})],
                             [(8, ID, None), (15, ID, None), (22, ID, NAME)])
    assert counts == {("王静", NAME): (3, 3, 0, 0, 0, 0)}
    assert table["customer_id"].tolist() == [ID]


def test_a_plan_cell_holding_an_id_of_the_customer_list_is_that_id(tmp_path):
    # The visits write the name only: the list's id makes the cell an id, and gives the name.
    counts, _, _ = _plan(tmp_path, [(ID, "开立基本户", {8: "√", 15: "√"}), ("清河建材有限公司", "代发", {9: "√"})],
                         [(8, None, NAME), (15, ID, None), (9, None, "清河建材有限公司")],
                         customers=[(ID, NAME), ("1000000001", "清河建材有限公司")])
    assert counts == {("王静", NAME): (2, 2, 0, 0, 0, 0), ("王静", "清河建材有限公司"): (1, 1, 0, 0, 0, 0)}


def test_pairs_that_disagree_are_not_used_and_the_run_names_them(tmp_path):
    # The id is written with two names: a visit by the id alone is not the plan row's (by name); the run says why.
    other = "江城恒达贸易有限公司"
    counts, _, notes = _plan(tmp_path, [(NAME, "开立基本户", {8: "√", 15: "√"})],
                             [(8, ID, NAME), (15, ID, None), (20, ID, other)])
    assert counts[("王静", NAME)] == (2, 1, 0, 0, 1, 0)
    assert counts[("王静", other)] == (0, 0, 0, 0, 0, 2)        # the id's visits (15, 20), by the id as written
    clash = [n for n in notes if "disagree" in n]
    assert len(clash) == 1 and f"{ID}={NAME}" in clash[0] and f"{ID}={other}" in clash[0]


def test_one_name_with_two_ids_bridges_neither(tmp_path):
    counts, _, notes = _plan(tmp_path, [(NAME, "开立基本户", {8: "√", 15: "√"})],
                             [(8, ID, NAME), (9, "1770513099", NAME), (15, ID, None)])
    assert counts[("王静", NAME)] == (2, 1, 0, 0, 1, 1)          # day 9 by the name as written: unplanned
    assert counts[("王静", ID)] == (0, 0, 0, 0, 0, 1)            # day 15, the id alone: not bridged to the name
    assert any("disagree" in n and "1770513099=" + NAME in n for n in notes)
