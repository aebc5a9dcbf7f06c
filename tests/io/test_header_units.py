"""Money units as headers give them: in brackets with other words (单位：万元, 人民币万元), after the name
(存款余额/万元, 存款余额万元), in a group cell merged over sub-headers (余额(万元) over 存款 | 贷款); and a
foreign currency, which is an error naming the column, never read as CNY."""

from __future__ import annotations

import pytest

from branchkit.cli import app
from branchkit.text import header_unit, unit_suffix

HEAD = ["客户号", "客户名称", "客户类型"]


def _deposit(book, read_ledgers, header, value=150, name="c.xlsx"):
    path = book(name, {"客户清单": [HEAD + [header, "贷款余额"], ["0001", "甲公司", "对公", value, 0]]})
    inputs, frames, problems = read_ledgers(path)
    return inputs.ledgers["customers"].sources[0], frames["customers"], problems


@pytest.mark.parametrize(("header", "unit", "value"), [
    ("存款余额(万元)", "万元", 1_500_000.0), ("存款余额(万)", "万", 1_500_000.0),
    # the unit with words that do not change it: before the old reader took these for yuan (150.00)
    ("存款余额(单位:万元)", "万元", 1_500_000.0), ("存款余额（单位：万元）", "万元", 1_500_000.0),
    ("存款余额(金额单位:万元)", "万元", 1_500_000.0), ("存款余额(人民币万元)", "万元", 1_500_000.0),
    ("存款余额（折人民币万元）", "万元", 1_500_000.0), ("存款余额(万元人民币)", "万元", 1_500_000.0),
    ("存款余额(万元,RMB)", "万元", 1_500_000.0), ("存款余额(外币折人民币万元)", "万元", 1_500_000.0),
    ("存款余额(单位:千元)", "千元", 150_000.0), ("存款余额(人民币亿元)", "亿元", 15_000_000_000.0),
    ("存款余额（单位：百万元）", "百万元", 150_000_000.0), ("存款余额(十万元)", "十万元", 15_000_000.0),
    ("存款余额(人民币千万元)", "千万元", 1_500_000_000.0),
    # CNY in yuan
    ("存款余额(元)", "元", 150.0), ("存款余额(人民币元)", "人民币元", 150.0), ("存款余额(人民币)", "元", 150.0),
    ("存款余额(单位:元)", "元", 150.0), ("存款余额(CNY)", "cny", 150.0), ("存款余额(rmb)", "rmb", 150.0),
    ("存款余额(外币折人民币)", "元", 150.0),
])
def test_a_bracket_s_money_unit_with_other_words_is_applied_and_noted(book, read_ledgers, header, unit, value):
    source, customers, problems = _deposit(book, read_ledgers, header)
    assert customers["deposit"].tolist() == [value]
    assert source.units.get("deposit") == unit and source.columns["deposit"] == header
    assert problems.empty


@pytest.mark.parametrize("header", ["存款余额(日均)", "存款余额(元/万元)", "存款余额(单位)", "存款余额(≥50万)"])
def test_a_bracket_naming_no_single_unit_gives_none(book, read_ledgers, header):
    source, customers, problems = _deposit(book, read_ledgers, header)
    assert customers["deposit"].tolist() == [150.0]
    assert "deposit" not in source.units and problems.empty


@pytest.mark.parametrize(("header", "currency"), [
    ("存款余额(美元)", "美元"), ("存款余额(万美元)", "美元"), ("存款余额（单位：港币）", "港币"), ("存款余额(USD)", "usd"),
    ("存款余额(日元)", "日元"), ("存款余额(原币)", "原币"), ("存款余额/美元", "美元"), ("存款余额美元", "美元"),
])
def test_a_money_column_in_a_foreign_currency_is_an_error_naming_it(book, read_ledgers, header, currency):
    source, _, problems = _deposit(book, read_ledgers, header)
    [problem] = problems[problems["code"] == "foreign_currency"].to_dict("records")
    assert (problem["severity"], problem["column"], problem["value"], problem["row"]) == \
        ("error", header, currency, 1)
    assert f"amounts in {currency}; branchkit computes in CNY" in problem["message"]


def test_a_foreign_currency_stops_the_run_with_exit_1(runner, book):
    path = book("c.xlsx", {"客户清单": [HEAD + ["存款余额(美元)"], ["0001", "甲公司", "对公", 150]]})
    result = runner.invoke(app, ["validate", str(path), "--skip-invalid"])
    assert result.exit_code == 1, result.output
    assert "foreign_currency" in result.stderr and "存款余额(美元)" in result.stderr


def test_a_unit_line_in_a_foreign_currency_is_an_error_for_the_money_columns(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [["金额单位：美元"], HEAD + ["存款余额", "贷款余额(元)"],
                                      ["0001", "甲公司", "对公", 150, 0]]})
    _, _, problems = read_ledgers(path)
    assert problems.loc[problems["code"] == "foreign_currency", "column"].tolist() == ["存款余额"]


@pytest.mark.parametrize(("header", "unit", "value"), [
    ("存款余额/万元", "万元", 1_500_000.0), ("存款余额_万元", "万元", 1_500_000.0), ("存款余额 万元", "万元", 1_500_000.0),
    ("存款余额\u3000万元", "万元", 1_500_000.0), ("存款余额万元", "万元", 1_500_000.0),
    ("存款余额-单位:万元", "万元", 1_500_000.0), ("存款余额/万", "万元", 1_500_000.0),
    ("存款余额百万元", "百万元", 150_000_000.0), ("存款余额/千元", "千元", 150_000.0),
    ("存款余额元", "元", 150.0), ("存款余额/元", "元", 150.0), ("存款日均(元)", "元", 150.0),
])
def test_a_unit_written_after_the_name_names_the_field_and_is_applied(book, read_ledgers, header, unit, value):
    # before: the column was not recognised at all (validate wrote an empty deposit, allocate said it was missing)
    source, customers, problems = _deposit(book, read_ledgers, header)
    assert customers["deposit"].tolist() == [value]
    assert source.units.get("deposit") == unit and problems.empty


def test_a_name_ending_in_a_unit_word_is_cut_only_when_the_whole_name_names_nothing():
    assert unit_suffix("单元") is None and unit_suffix("美元") is None and unit_suffix("存款余额") is None
    assert unit_suffix("存款余额万") is None            # glued on, only a unit ending in 元 (or a currency) is one
    assert header_unit("存款余额万元") == "万元" and header_unit("存款余额百万元") == "百万元"   # the longest unit


def test_an_alias_that_ends_in_a_unit_word_still_names_its_field(tmp_path, book):
    from branchkit.io.discover import load_inputs
    from branchkit.rules import load_rules

    rules = tmp_path / "rules.toml"
    rules.write_text('[aliases.customers]\nloan = ["存款余额万元"]\n', encoding="utf-8")
    path = book("c.xlsx", {"客户清单": [HEAD + ["存款余额万元", "存款余额"], ["0001", "甲公司", "对公", 150, 7]]})
    frame = load_inputs(load_rules(rules), [path]).ledgers["customers"].frame
    assert (frame["loan"].tolist(), frame["deposit"].tolist()) == ([1_500_000.0], [7.0])


def _grouped(book, read_ledgers, group, subs, merge=True, name="c.xlsx"):
    rows = [HEAD + [group] + [None] * (len(subs) - 1) + ["管户人"], HEAD + subs + ["管户人"],
            ["0001", "甲公司", "对公"] + [150] * len(subs) + [None]]
    end = chr(ord("D") + len(subs) - 1)
    merges = ["A1:A2", "B1:B2", "C1:C2", f"D1:{end}1", f"{chr(ord(end) + 1)}1:{chr(ord(end) + 1)}2"] if merge else []
    path = book(name, {"客户清单": rows}, merges={"客户清单": merges})
    inputs, frames, problems = read_ledgers(path)
    return inputs.ledgers["customers"].sources[0], frames["customers"], problems


@pytest.mark.parametrize("merge", [True, False])
def test_a_group_s_unit_applies_to_its_money_sub_columns(book, read_ledgers, merge):
    # merged (余额(万元) over 存款 | 贷款), or written once over them as a CSV export of the merge writes it
    source, customers, problems = _grouped(book, read_ledgers, "余额(万元)", ["存款", "贷款"], merge)
    assert customers[["deposit", "loan"]].iloc[0].tolist() == [1_500_000.0, 1_500_000.0]
    assert (source.units["deposit"], source.units["loan"]) == ("万元", "万元")
    assert problems.empty


def test_a_sub_header_s_own_unit_wins_over_its_group_s(book, read_ledgers):
    source, customers, _ = _grouped(book, read_ledgers, "余额(万元)", ["存款(元)", "贷款"])
    assert customers[["deposit", "loan"]].iloc[0].tolist() == [150.0, 1_500_000.0]
    assert (source.units["deposit"], source.units["loan"]) == ("元", "万元")


def test_a_group_naming_no_unit_changes_nothing(book, read_ledgers):
    source, customers, _ = _grouped(book, read_ledgers, "余额", ["存款", "贷款"])
    assert customers[["deposit", "loan"]].iloc[0].tolist() == [150.0, 150.0]
    assert "deposit" not in source.units and "loan" not in source.units


def test_a_group_in_a_foreign_currency_is_an_error(book, read_ledgers):
    _, _, problems = _grouped(book, read_ledgers, "余额(美元)", ["存款", "贷款"])
    assert sorted(problems.loc[problems["code"] == "foreign_currency", "column"]) == ["存款", "贷款"]
