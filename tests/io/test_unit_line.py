"""A money unit given for the whole table on a line above the header (单位：万元), as Chinese reports write it:
applied to the money columns whose own header names no unit, never to counts; said in a note."""

from __future__ import annotations

import pytest

from branchkit.io.header import find_header
from branchkit.models.aliases import alias_index
from branchkit.rules import load_rules

RULES = load_rules()


def _customers(book, read_ledgers, rows, name="客户清单.xlsx"):
    return read_ledgers(book(name, {"客户清单": rows}))


HEADER = ["客户号", "客户名称", "客户类型", "存款余额", "贷款余额(元)"]


@pytest.mark.parametrize(("line", "said"), [
    ("单位：万元", "单位：万元"), ("金额单位：人民币万元", "单位：人民币万元"), ("江城支行对公客户清单（单位:万元）", "单位:万元"),
    ("单位/万元", "单位/万元"), ("单位　：　万元", "单位 ： 万元")])
def test_a_unit_line_above_the_header_multiplies_money_without_its_own_unit(book, read_ledgers, line, said):
    inputs, frames, problems = _customers(book, read_ledgers, [[line], HEADER, ["C1", "甲公司", "对公", 12.5, 3000]])
    customers = frames["customers"]
    assert customers["deposit"].tolist() == [125000.0]          # 12.5 万元
    assert customers["loan"].tolist() == [3000.0]               # its header says 元: the header wins
    assert problems.empty
    assert any(n.endswith(f"存款余额 read in 万元, as the line above its header says ({said})") for n in inputs.notes)


def test_a_unit_cell_beside_the_header_counts_and_a_header_naming_a_unit_is_untouched(book, read_ledgers):
    inputs, frames, _ = _customers(book, read_ledgers, [HEADER[:4] + ["单位：万元"], ["C1", "甲公司", "对公", 2]])
    assert frames["customers"]["deposit"].tolist() == [20000.0]
    plain, frames, _ = _customers(book, read_ledgers, [["单位：万元"], ["客户号", "客户名称", "客户类型", "存款余额(元)"],
                                                       ["C1", "甲公司", "对公", 2]], "客户清单2.xlsx")
    assert frames["customers"]["deposit"].tolist() == [2.0]
    assert not [n for n in plain.notes if "read in" in n]


@pytest.mark.parametrize("line", ["所属单位：城中支行", "单位名称", "单位：户", "数据日期：2026年10月31日"])
def test_lines_naming_no_money_unit_change_nothing(book, read_ledgers, line):
    inputs, frames, _ = _customers(book, read_ledgers, [[line], HEADER, ["C1", "甲公司", "对公", 12.5, 3000]])
    assert frames["customers"]["deposit"].tolist() == [12.5]
    assert not [n for n in inputs.notes if "read in" in n or "several units" in n]


def test_two_different_units_apply_neither_and_say_so(book, read_ledgers):
    inputs, frames, _ = _customers(book, read_ledgers, [["单位：万元"], ["单位：元"], HEADER, ["C1", "甲公司", "对公", 12.5, 3]])
    assert frames["customers"]["deposit"].tolist() == [12.5]
    [said] = [n for n in inputs.notes if "several units" in n]
    assert "(单位：万元; 单位：元): none is applied" in said
    inputs, frames, _ = _customers(book, read_ledgers, [["单位：万元"], ["（单位：万元）"], HEADER, ["C1", "甲公司", "对公", 1, 3]],
                                   "客户清单3.xlsx")
    assert frames["customers"]["deposit"].tolist() == [10000.0]        # the same unit twice is one unit


def test_counts_are_never_multiplied_and_the_pool_is(book, read_ledgers):
    path = book("台账.xlsx", {"业务量": [["单位：万元"], ["网点", "日均交易笔数", "现有柜员数"], ["城中支行", 300, 6]],
                              "绩效工资": [["单位：万元"], ["网点", "绩效工资总额"], ["城中支行", 4.5]]})
    _, frames, _ = read_ledgers(path)
    assert frames["volumes"][["daily_transactions", "tellers_current"]].values.tolist() == [[300.0, 6.0]]
    assert frames["pool"]["amount"].tolist() == [45000.0]


def test_a_csv_title_line_gives_the_unit(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text("江城支行客户清单,,,\n单位：万元,,,\n客户号,客户名称,客户类型,存款余额\nC1,甲公司,对公,0.5\n", encoding="utf-8")
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["deposit"].tolist() == [5000.0]


def test_find_header_keeps_the_words_that_say_the_unit():
    index = alias_index("customers", RULES)
    match = find_header([["XX支行（单位:万元）"], ["客户号", "客户名称", "存款余额"]], index, ["customer_id"])
    assert (match.row, match.sheet_unit, match.unit_lines) == (1, "万元", {"万元": "单位:万元"})
