"""Headers as ledgers write them: aliases, title rows, totals, two-row headers, line breaks."""

from __future__ import annotations

import pytest

from branchkit.io.header import find_header
from branchkit.models.aliases import alias_index
from branchkit.rules import load_rules


@pytest.mark.parametrize("header", ["客户号", "客户编号", "客户代码", " 客户 号 ", "客户号\u3000", "ＣＵＳＴＯＭＥＲ＿ＩＤ",
                                    "Customer-ID", "customer id", "客户号(文本)"])
def test_customer_id_aliases_match_after_folding(header):
    index = alias_index("customers", load_rules())
    match = find_header([[header, "客户名称", "客户类型"]], index, ["customer_id", "name", "kind"])
    assert match.columns["customer_id"] == 0


def test_title_rows_merged_title_blank_rows_and_totals_row(book, read_ledgers):
    path = book("客户清单.xlsx", {"客户清单": [
        ["城中支行存量客户清单"], ["数据日期：2026年10月31日"], [],
        ["客户号", "客户名称", "客户类型", "存款余额"],
        ["000123", "张三", "个人", 100],
        [],
        ["000124", "李四", "对公", 200],
        ["合计", None, None, 300],
    ]}, merges={"客户清单": ["A1:D1"]})
    inputs, frames, problems = read_ledgers(path)
    customers = frames["customers"]
    assert customers["customer_id"].tolist() == ["000123", "000124"]
    assert customers["_row"].tolist() == [5, 7]
    source = inputs.ledgers["customers"].sources[0]
    assert (source.header_row, source.totals, source.blank) == (4, 1, 1)
    assert problems.empty


@pytest.mark.parametrize("word", ["合计", "总计", "小计", "合 计", "合计：", "Total",
                                  # padded with the ideographic space (U+3000), as WPS/Word users align labels
                                  "合\u3000计", "小\u3000计", "总\u3000计", "\u3000合计", "合计\u3000", "合\u3000\u3000计",
                                  "城中支行\u3000合计", "合\xa0计"])
def test_every_totals_word_is_not_a_customer(book, read_ledgers, word):
    path = book("c.xlsx", {"客户清单": [["客户号", "客户名称", "客户类型"], ["1", "张三", "个人"], [word, "", ""]]})
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["1"]
    assert inputs.ledgers["customers"].sources[0].totals == 1 and problems.empty


@pytest.mark.parametrize("word", ["张\u3000合计", "合\u3000计额", "合\u3000x计"])
def test_a_name_with_a_totals_word_and_a_full_width_space_is_still_a_customer(book, read_ledgers, word):
    path = book("c.xlsx", {"客户清单": [["客户号", "客户名称", "客户类型"], ["1", "张三", "个人"], ["2", word, "个人"]]})
    inputs, frames, _ = read_ledgers(path)
    assert frames["customers"]["name"].tolist() == ["张三", word]
    assert inputs.ledgers["customers"].sources[0].totals == 0


def test_header_broken_over_lines(book, read_ledgers):
    path = book("业务量.xlsx", {"日均业务量": [["网点", "日均交易\n笔数"], ["城中", 260]]})
    _, frames, _ = read_ledgers(path)
    assert frames["volumes"]["daily_transactions"].tolist() == [260.0]


def test_two_row_header_with_merged_group_cell(book, read_ledgers):
    rows = [
        ["网点", "网点类型", "日均交易笔数", "对公", None, "现有柜员数"],
        [None, None, None, "现金日均笔数", "非现金日均笔数", None],
        ["城中", "大型全功能网点", 520, 140, 85, 5],
    ]
    path = book("业务量.xlsx", {"日均业务量": rows}, merges={"日均业务量": ["D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2"]})
    inputs, frames, problems = read_ledgers(path)
    volumes = frames["volumes"]
    assert volumes.loc[0, "corporate_cash"] == 140
    assert volumes.loc[0, "corporate_noncash"] == 85
    assert volumes.loc[0, "branch_type"] == "large"
    assert inputs.ledgers["volumes"].sources[0].columns["corporate_cash"] == "对公现金日均笔数"
    assert problems.empty


VOLUMES_GROUPED = [
    ["网点", "网点类型", "日均交易笔数", "对公", None, "现有柜员数"],
    [None, None, None, "现金日均笔数", "非现金日均笔数", None],
]


@pytest.mark.parametrize("write", ["csv", "xlsx"])
def test_a_group_written_once_over_its_sub_headers_names_each(tmp_path, book, read_ledgers, write):
    # a CSV export of the merged 对公 (or a group centred across its columns, no merge): the group cell
    # is written once, the cells to its right are blank; read as the merged workbook is
    rows = VOLUMES_GROUPED + [["城中", "大型全功能网点", 520, 140, 85, 5]]
    if write == "csv":
        path = tmp_path / "业务量.csv"
        path.write_text("\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n",
                        encoding="utf-8")
    else:
        path = book("业务量.xlsx", {"日均业务量": rows})
    inputs, frames, problems = read_ledgers(path)
    assert frames["volumes"].loc[0, ["corporate_cash", "corporate_noncash", "tellers_current"]].tolist() == [140, 85, 5]
    columns = inputs.ledgers["volumes"].sources[0].columns
    assert (columns["corporate_cash"], columns["corporate_noncash"]) == ("对公现金日均笔数", "对公非现金日均笔数")
    assert problems.empty


def _labels(parent, child):
    match = find_header([parent, child], alias_index("volumes", load_rules()), ["branch"])
    return match.depth, [match.labels.get(j, "") for j in range(len(child))]


def test_a_group_carries_only_over_an_unbroken_run_of_sub_headers():
    # a column without a sub-header ends the group: 非现金日均笔数 beyond it is not 对公's
    assert _labels(["网点", "对公", None, None], [None, "现金日均笔数", None, "非现金日均笔数"])[1] == \
        ["网点", "对公现金日均笔数", "", "非现金日均笔数"]
    # a header merged down (the same text in both rows) is no group and ends the one before it
    assert _labels(["网点", "对公", "现有柜员数", None], ["网点", "现金日均笔数", "现有柜员数", "非现金日均笔数"])[1] \
        == ["网点", "对公现金日均笔数", "现有柜员数", "非现金日均笔数"]
    # unbroken, the group carries over several blanks
    assert _labels(["网点", "对公", None, None], [None, "现金日均笔数", "非现金日均笔数", "现金日均笔数"])[1] == \
        ["网点", "对公现金日均笔数", "对公非现金日均笔数", "对公现金日均笔数"]


def test_a_carried_group_names_a_column_only_where_joined_it_names_a_field():
    # 对公 over 网点类型 names nothing: the sub-header stands alone, as it does under a blank
    assert _labels(["对公", None], ["现金日均笔数", "网点类型"])[1] == ["对公现金日均笔数", "网点类型"]
    assert _labels(["对公", None], ["现金日均笔数", "备注"])[1] == ["对公现金日均笔数", "备注"]


def test_rules_file_extends_the_alias_table(tmp_path, book):
    from branchkit.io.discover import load_inputs
    from branchkit.rules import load_rules

    rules_path = tmp_path / "r.toml"
    rules_path.write_text('[aliases.customers]\ncustomer_id = ["客户识别码"]\n', encoding="utf-8")
    path = book("c.xlsx", {"客户清单": [["客户识别码", "客户名称", "客户类型"], ["0099", "张三", "个人"]]})
    inputs = load_inputs(load_rules(rules_path), [path])
    assert inputs.ledgers["customers"].frame["customer_id"].tolist() == ["0099"]


def test_same_field_under_two_headers_is_a_problem(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [["客户号", "客户名称", "客户类型", "存款余额", "日均存款"],
                                        ["1", "张三", "个人", 10, 20]]})
    _, _, problems = read_ledgers(path)
    dup = problems[problems["code"] == "duplicate_field"]
    assert len(dup) == 1 and dup.iloc[0]["row"] == 1
    assert "存款余额" in dup.iloc[0]["message"] and "日均存款" in dup.iloc[0]["message"]


@pytest.mark.parametrize(("headers", "values", "state"), [
    (["在岗", "人员状态"], ["是", "在岗"], None),              # two aliases: the ledger does not say which
    (["active", "state"], ["true", "on_leave"], "on_leave"),   # validate -o's staff: `state` is the field
    (["在岗", "state"], ["是", "left"], "left"),
    (["state", "状态", "active"], ["on_leave", "在岗", "true"], "on_leave"),
])
def test_a_fields_own_name_beside_an_alias_is_the_field(book, read_ledgers, headers, values, state):
    path = book("s.xlsx", {"员工": [["工号", "姓名", "岗位", *headers], ["S1", "张三", "行长", *values]]})
    _, frames, problems = read_ledgers(path)
    assert problems["code"].eq("duplicate_field").any() == (state is None)
    if state is not None:
        assert frames["staff"]["state"].tolist() == [state]


def test_english_headers(book, read_ledgers):
    path = book("customers.xlsx", {"Sheet1": [["Customer ID", "Name", "Kind", "Deposit"],
                                              ["C1", "Acme", "corporate", "1,000"]]})
    _, frames, _ = read_ledgers(path)
    row = frames["customers"].iloc[0]
    assert (row["customer_id"], row["kind"], row["deposit"]) == ("C1", "corporate", 1000.0)


def test_repeated_header_rows_are_not_data(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [["客户号", "客户名称", "客户类型"], ["1", "张三", "个人"],
                                        ["客户号", "客户名称", "客户类型"], ["2", "李四", "个人"]]})
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["1", "2"]
    assert inputs.ledgers["customers"].sources[0].repeated_headers == 1
    assert problems.empty
