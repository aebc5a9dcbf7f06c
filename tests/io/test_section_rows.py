"""Section heading rows inside a ledger's body (一、对公客户 merged across the table, 城中支行 in the first column
alone): counted apart like a totals row, never read as a customer; a real customer with blank cells stays one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

HEAD = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "开户日期"]


def _customer(i: int, kind: str = "对公") -> list:
    return [f"00000{i}", f"客户{i}", kind, "城中支行", 100 * i, "2024-03-05"]


def test_headings_merged_across_the_table_are_counted_not_read(book, read_ledgers):
    # before: '一、对公客户' copied into every column by the merge gave one error per column (存款余额 not a
    # number, 开户日期 bad date, 客户类型 unknown ...) on rows 2 and 5
    path = book("客户清单.xlsx", {"客户清单": [
        HEAD, ["一、对公客户"], _customer(1), _customer(2), ["二、个人客户"], _customer(3, "个人"), ["城中支行"],
        _customer(4, "个人"),
    ]}, merges={"客户清单": ["A2:F2", "A5:F5", "A7:F7"]})
    inputs, frames, problems = read_ledgers(path)
    customers = frames["customers"]
    assert customers["customer_id"].tolist() == ["000001", "000002", "000003", "000004"]
    assert customers["_row"].tolist() == [3, 4, 6, 8]
    source = inputs.ledgers["customers"].sources[0]
    assert (source.sections, source.totals, source.blank) == (3, 0, 0)
    assert problems.empty, problems.to_dict("records")


@pytest.mark.parametrize("heading", ["一、对公客户", "（一）存量客户", "(2) 新增客户", "1、城中支行", "2.个人客户",
                                     "第一部分 对公客户", "①对公客户", "⑵目标客户", "Ⅱ、个人客户", "十一、其他",
                                     "城中支行", "总行营业部", "对公客户", "个人客户：", "存量客户清单"])
def test_a_heading_in_the_first_column_alone(book, read_ledgers, heading):
    path = book("c.xlsx", {"客户清单": [HEAD, [heading], _customer(1), _customer(2)]})
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["000001", "000002"]
    assert inputs.ledgers["customers"].sources[0].sections == 1 and problems.empty


def test_a_customer_with_only_an_id_and_a_name_is_still_a_customer_with_its_errors(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [HEAD, ["一、对公客户"], ["000001", "甲公司"], _customer(2)]})
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["000001", "000002"]
    assert inputs.ledgers["customers"].sources[0].sections == 1
    missing = problems[problems["row"] == 3]
    assert set(missing["code"]) == {"missing_value"} and "客户类型" in set(missing["column"])


@pytest.mark.parametrize("row", [
    ["", "国泰君安证券城中营业部"],            # a name (a securities branch) with no id: a customer missing its id
    ["", "城中支行"],                       # a section word in the name column: a record, not a heading
    ["000001"],                             # an id alone
    ["1.5"],                                # a number, not an ordinal
    ["一"],                                 # an ordinal with no words after it
    ["", "", "", "", "二、对公客户"],          # an ordinal far from the first columns: a stray note, not a heading
    ["张三", "张三"],                         # one text in two cells of six: no merge across the table
    ["", "", "", "城中支行"],                  # a branch name in the branch column
])
def test_rows_that_are_no_heading_stay_rows_with_their_errors(book, read_ledgers, row):
    path = book("c.xlsx", {"客户清单": [HEAD, _customer(1), row]})
    inputs, frames, problems = read_ledgers(path)
    assert len(frames["customers"]) == 2 and frames["customers"]["_row"].tolist() == [2, 3]
    assert inputs.ledgers["customers"].sources[0].sections == 0
    assert set(problems.loc[problems["row"] == 3, "code"]) >= {"missing_value"}


def test_a_branch_of_a_volumes_list_with_no_volumes_is_no_heading(tmp_path, read_ledgers):
    # a volumes ledger's rows are branches: 城中支行 with its numbers missing is a branch missing them
    path = tmp_path / "业务量.csv"
    path.write_text("网点,日均交易笔数,现有柜员数\n城中支行,,\n城东支行,600,5\n", encoding="utf-8")
    inputs, frames, problems = read_ledgers(path)
    assert frames["volumes"]["branch"].tolist() == ["城中支行", "城东支行"]
    assert inputs.ledgers["volumes"].sources[0].sections == 0 and not problems.empty


def test_csv_keeps_a_merged_heading_in_its_first_cell_only(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text("序号,客户号,客户名称,客户类型\n一、对公客户,,,\n1,001,甲公司,对公\n（二）个人客户\n"
                    "2,002,张三,个人\n城中支行,,,\n3,003,李四,\n", encoding="utf-8")
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["001", "002", "003"]
    assert frames["customers"]["_row"].tolist() == [3, 5, 7]
    assert inputs.ledgers["customers"].sources[0].sections == 3
    assert problems[["row", "code"]].values.tolist() == [[7, "missing_value"]]


def test_html_export_with_a_colspan_heading_and_a_lone_cell(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xls"
    path.write_text("<html><body><table><tr><th>客户号</th><th>客户名称</th><th>客户类型</th><th>存款余额</th></tr>"
                    "<tr><td colspan=\"4\">一、对公客户</td></tr><tr><td>001</td><td>甲公司</td><td>对公</td><td>100</td></tr>"
                    "<tr><td colspan=\"4\">城中支行</td></tr><tr><td>对公客户</td></tr>"
                    "<tr><td>002</td><td>乙公司</td><td>对公</td><td>5</td></tr></table></body></html>", encoding="utf-8")
    inputs, frames, problems = read_ledgers(path)
    assert frames["customers"]["customer_id"].tolist() == ["001", "002"]
    assert frames["customers"]["deposit"].tolist() == [100.0, 5.0]
    assert inputs.ledgers["customers"].sources[0].sections == 3 and problems.empty


def test_section_rows_looks_at_few_rows_past_the_first_columns():
    from branchkit.io.header import HeaderMatch
    from branchkit.io.sections import section_rows

    n = 10_000
    ids = pd.Series([f"{i:06d}" for i in range(n)], dtype="str")
    names = pd.Series([f"客户{i}" for i in range(n)], dtype="str")
    ids[[0, 5000]], names[[0, 5000]] = "一、对公客户", ["一、对公客户", ""]
    kinds = pd.Series(np.where(np.arange(n) % 2, "对公", "个人"), dtype="str")
    kinds[[0, 5000]] = ["一、对公客户", ""]
    sequence = pd.Series(np.arange(n, dtype=float), dtype=object)
    match = HeaderMatch(row=0, depth=1, columns={"customer_id": 1, "name": 2, "kind": 3},
                        labels={1: "客户号", 2: "客户名称", 3: "客户类型"}, units={})
    sequence[[0, 5000]] = ""
    found = section_rows([sequence, ids, names, kinds], match, np.ones(n, dtype=bool))
    assert np.flatnonzero(found).tolist() == [0, 5000]


def test_the_report_cover_and_the_accounting_count_the_section_rows(book):
    import branchkit
    from branchkit.runs import quality

    path = book("客户清单.xlsx", {"客户清单": [HEAD, ["一、对公客户"], _customer(1), ["（二）个人客户"], _customer(2, "个人")]},
                merges={"客户清单": ["A2:F2"]})
    ledgers = branchkit.read([path])
    assert ledgers.accounting.set_index("ledger").loc["customers", ["read", "section_rows"]].tolist() == [2, 2]
    assert quality(ledgers).ledgers[["ledger", "read", "section_rows"]].values.tolist() == [["customers", 2, 2]]
