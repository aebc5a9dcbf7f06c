"""``allocate --rebalance``, ``--compare`` and ``--explain`` through the CLI, on CSV ledgers under tmp_path."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.cli import app

STAFF = "staff_id,name,role,branch,state\nh1,李行长,head,城东支行,active\nt1,王柜员,low_counter,城东支行,active\n" \
        "t2,陈柜员,comprehensive_teller,城东支行,active\n"
# t1 keeps six general customers, t2 none: spread 6. E is claimed by t1 itself (never moves).
CUSTOMERS = "customer_id,name,kind,branch,deposit,loan,keeper,status\n" + "".join(
    f"{c},客户{c},个人,城东支行,{d},0,t1,存量\n" for c, d in
    (("A", 500), ("B", 100), ("C", 200), ("D", 300), ("E", 0), ("F", 600)))


@pytest.fixture
def ledgers(tmp_path):
    for name, text in (("customers.csv", CUSTOMERS), ("staff.csv", STAFF),
                       ("claims.csv", "staff_id,customer_id\nt1,E\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _args(folder, *extra: str) -> list[str]:
    return ["allocate", "--customers", str(folder / "customers.csv"), "--staff", str(folder / "staff.csv"),
            "--claims", str(folder / "claims.csv"), *extra]


def _sheet(path, name: str) -> list[tuple]:
    return [tuple(r) for r in openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True)]


def test_rebalance_moves_within_the_budget_and_shows_the_frontier_on_the_load_balance_sheet(runner, ledgers):
    out = ledgers / "a.xlsx"
    result = runner.invoke(app, _args(ledgers, "--rebalance", "2", "-o", str(out)))
    assert result.exit_code == 0, result.output
    assert "rebalance: 2 customer(s) moved; spread summed over pools 6 -> 2" in result.stderr
    assert "  low_counter+comprehensive_teller: spread 6 -> 2 in 1 branch(es), 2 moved" in result.stderr
    assert "budget 0: 0 moved -> 6; budget 10: 3 moved -> 0" in result.stderr
    rows = _sheet(out, "负荷均衡")
    titles = [r[0] for r in rows]
    assert "再平衡：同级人员负荷极差" in titles and "再平衡前沿：调整户数与负荷极差" in titles
    start = titles.index("再平衡前沿：调整户数与负荷极差") + 2
    assert [r[:4] for r in rows[start:start + 6]] == [
        ("城东支行", "0", 0, 6), ("城东支行", "10", 3, 0), ("城东支行", "20", 3, 0), ("城东支行", "50", 3, 0),
        ("城东支行", "100", 3, 0), ("城东支行", "不限", 3, 0)]
    pools = rows[titles.index("再平衡：同级人员负荷极差") + 2]
    assert pools[:6] == ("城东支行", "低柜柜员、综合柜员", 2, 6, 2, 2)
    allocation = _sheet(out, "客户分配表")
    header = allocation[0]
    moved = sorted(r[0] for r in allocation[1:] if r[header.index("来源")] == "再平衡调整")
    assert moved == ["B", "C"]                                  # the smallest deposits; E is claimed


def test_rebalance_csv_is_byte_stable_across_jobs_and_carries_the_reason(runner, ledgers):
    outs = [ledgers / f"a{j}.csv" for j in (1, 2)]
    for out, jobs in zip(outs, ("1", "2")):
        assert runner.invoke(app, _args(ledgers, "--rebalance", "1", "--jobs", jobs, "-o", str(out))).exit_code == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    frame = pd.read_csv(outs[0], dtype=str).set_index("customer_id")
    assert frame.loc["B", ["keeper", "source", "reason", "previous_keeper"]].tolist() == ["t2", "rebalance",
                                                                                         "rebalance", "t1"]


def test_without_the_option_nothing_is_rebalanced_or_shown(runner, ledgers):
    out = ledgers / "a.xlsx"
    result = runner.invoke(app, _args(ledgers, "-o", str(out)))
    assert result.exit_code == 0, result.output
    assert "rebalance" not in result.stderr
    assert "负荷均衡" in openpyxl.load_workbook(out, read_only=True).sheetnames
    assert all(r[0] != "再平衡前沿：调整户数与负荷极差" for r in _sheet(out, "负荷均衡"))


def test_rebalance_frontier_is_in_the_html(runner, ledgers):
    out = ledgers / "a.html"
    assert runner.invoke(app, _args(ledgers, "--rebalance", "0", "-o", str(out))).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "再平衡前沿：调整户数与负荷极差" in html and "不限" in html


def test_a_negative_budget_is_a_usage_error(runner, ledgers):
    result = runner.invoke(app, _args(ledgers, "--rebalance", "-1"))
    assert result.exit_code == 2


def test_compare_lists_the_customers_that_change_and_the_load_per_keeper(runner, ledgers):
    other = ledgers / "other.toml"
    other.write_text("[allocation]\ndeposit_floor = 250\n", encoding="utf-8")
    out = ledgers / "cmp.csv"
    result = runner.invoke(app, _args(ledgers, "--compare", str(other), "-o", str(out)))
    assert result.exit_code == 0, result.output
    assert ("compare: Under the other rules 3 customer(s) change: keeper 3, tier 0, scope 3. Largest load loss "
            "t1 -3.\n") in result.stderr
    frame = pd.read_csv(out, dtype=str)
    assert list(frame.columns[:6]) == ["customer_id", "name", "kind", "branch", "status", "change"]
    assert frame["customer_id"].tolist() == ["B", "C", "E"]            # deposits 100, 200, 0 fall below 250
    assert set(frame["change"]) == {"keeper+scope"}
    assert (frame["keeper_base"] == "t1").all() and frame["keeper_other"].isna().all()
    assert (frame["in_scope_base"] == "true").all() and (frame["in_scope_other"] == "false").all()
    xlsx = ledgers / "cmp.xlsx"
    assert runner.invoke(app, _args(ledgers, "--compare", str(other), "-o", str(xlsx))).exit_code == 0
    keepers = _sheet(xlsx, "规则对比：维护负荷")
    assert ("城东支行", "t1", "王柜员", "低柜柜员", 6, 3, -3, 6, 3, -3) in keepers


def test_explain_prints_the_path_with_the_ledger_rows(runner, ledgers):
    result = runner.invoke(app, _args(ledgers, "--explain", "E", "--lang", "en", "-q"))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "customer list: " in text and "customers.csv row 6" in text
    assert "current keeper: 王柜员 (t1, Low-counter teller), from the customer list's keeper column" in text
    assert "claims.csv row 2  → declined" not in text
    assert "王柜员 (t1, Low-counter teller)  " in text and "the claimant already keeps it: no change" in text
    assert "result: 王柜员 (t1, Low-counter teller), source Kept (kept)" in text


def test_explain_shows_a_rebalance_move(runner, ledgers):
    result = runner.invoke(app, _args(ledgers, "--explain", "B", "--rebalance", "1", "--lang", "en", "-q"))
    assert result.exit_code == 0, result.output
    assert "rebalance: moved from 王柜员 (t1, Low-counter teller) to 陈柜员 (t2, Comprehensive teller)" in result.stdout


@pytest.mark.parametrize(("extra", "message"), [
    (["--explain", "ZZ"], "--explain ZZ: no customer with this id"),
    (["--explain", "A", "-o", "-"], "--explain prints to stdout")])
def test_explain_usage_errors(runner, ledgers, extra, message):
    result = runner.invoke(app, _args(ledgers, *extra))
    assert result.exit_code == 2 and message in result.stderr

