"""Every per-keeper table sums to its branch's totals: customers nobody keeps have a row of their own
(keeper empty), in the 1对N table, the load balance and the quarter's 客户关系管理效果统计表."""

from __future__ import annotations

import pandas as pd
import pytest

from allocation_helpers import customers, run, staff
from branchkit.core.quarter import analyse_quarter, quarter_months
from branchkit.rules import load_rules

MONEY = ["deposit", "loan"]


@pytest.fixture(scope="module")
def allocation(tmp_path_factory):
    """Two branches; 城东 leaves customers without keeper three ways (below the floor, no eligible role,
    everyone full with ``leave``), 城西 keeps everyone."""
    path = tmp_path_factory.mktemp("rules") / "r.toml"
    path.write_text('[allocation]\ndeposit_floor = 1_000\nwhen_full = "leave"\n'
                    "[allocation.capacity]\nlow_counter = { high = 0, mid = 0, general = 2 }\n", encoding="utf-8")
    team = pd.concat([staff(("t1", "low_counter")),                         # no head, no RM in 城东
                      staff(("w1", "head"), ("w2", "low_counter"), branch="城西支行")])
    book = pd.concat([
        customers({"customer_id": "E1", "deposit": 10.0, "loan": 0.0},         # below the floor
                  {"customer_id": "E2", "deposit": 5e6},                       # high: nobody eligible
                  {"customer_id": "E3", "deposit": 2e3, "loan": 7.0},          # loan: no RM, no head
                  *({"customer_id": f"G{i}", "deposit": 5e3 + i} for i in range(4)),   # 2 of 4 placed
                  {"customer_id": "T1", "status": "target", "kind": "corporate"}),
        customers({"customer_id": "W1", "deposit": 3e6}, {"customer_id": "W2", "deposit": 4e3},
                  branch="城西支行"),
    ], ignore_index=True)
    return run(book, team, rules=load_rules(path))


def test_the_keepers_table_has_one_unkept_row_per_branch_with_unkept_customers(allocation):
    unkept = allocation.keepers[allocation.keepers["keeper"].isna()]
    assert unkept["branch"].tolist() == ["城东支行"]
    row = unkept.iloc[0]
    assert (row["customers"], row["customers_high"], row["customers_general"], row["targets"]) == (5, 1, 4, 1)
    assert row["deposit"] == pytest.approx(10.0 + 5e6 + 2e3 + 5e3 + 5e3 + 1)
    assert row["loan"] == 7.0 and pd.isna(row["keeper_name"]) and pd.isna(row["state"])
    east = allocation.keepers[allocation.keepers["branch"] == "城东支行"]
    assert east["keeper"].isna().tolist() == [False, True]          # last in its branch, after the people


def test_the_keepers_table_sums_to_the_segment_totals_per_branch(allocation):
    keepers = allocation.keepers.groupby("branch")[["customers", "customers_high", "customers_mid",
                                                   "customers_general", *MONEY]].sum()
    seg = allocation.segments
    total = seg[(seg["kind"] == "all") & (seg["tier"] == "all")].set_index("branch")
    assert keepers["customers"].to_dict() == total["customers"].astype("int64").to_dict()
    for money in MONEY:
        assert keepers[money].to_dict() == pytest.approx(total[money].to_dict())
    by_tier = seg[(seg["kind"] != "all") & (seg["tier"] != "all")].pivot_table(
        index="branch", columns="tier", values="customers", aggfunc="sum", fill_value=0)
    for tier in ("high", "mid", "general"):
        assert keepers[f"customers_{tier}"].to_dict() == by_tier[tier].astype("int64").to_dict()
    targets = allocation.allocation[allocation.allocation["status"] == "target"].groupby("branch").size()
    assert allocation.keepers.groupby("branch")["targets"].sum()[targets.index].tolist() == targets.tolist()


def test_the_load_balance_has_the_undistributed_load_per_branch(allocation):
    alloc = allocation.allocation
    balance = allocation.balance
    unkept = balance[balance["role"].isna()].set_index("branch")
    # in scope without keeper in 城东: E2 (high, 5), E3 (general, 1), two of G0-G3 (1 each) -> 8
    assert unkept.loc["城东支行", ["members", "distributed", "max_weight"]].tolist() == [0, 8.0, 5.0]
    assert "城西支行" not in unkept.index
    dealt = alloc[alloc["source"].isin(["distributed", "spill"]) & alloc["status"].eq("existing")]
    left = alloc[alloc["keeper"].isna() & alloc["status"].eq("existing") & alloc["reason"].ne("below_deposit_floor")]
    expected = pd.concat([dealt, left]).groupby("branch")["weight"].sum()
    assert balance.groupby("branch")["distributed"].sum().to_dict() == pytest.approx(expected.to_dict())


def test_a_branch_keeping_everyone_has_no_unkept_row(allocation):
    west = allocation.keepers[allocation.keepers["branch"] == "城西支行"]
    assert west["keeper"].notna().all() and west["customers"].sum() == 2


# --- the quarter ------------------------------------------------------------------------------------

def _snapshot(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "name", "kind", "branch", "deposit", "loan", "keeper",
                                        "marketer"])
    frame["status"] = "existing"
    return frame.astype({c: "str" for c in ("customer_id", "name", "kind", "branch", "keeper", "marketer")})


START = _snapshot([("1", "a", "retail", "B", 2e6, 0, "K1", None), ("2", "b", "retail", "B", 2e5, 0, None, None),
                   ("3", "c", "retail", "B", 1e3, 0, None, None), ("4", "d", "retail", "C", 5e6, 0, None, None),
                   ("6", "f", "retail", "C", 3e3, 0, "K2", None)])
END = _snapshot([("1", "a", "retail", "B", 5e4, 0, None, None), ("2", "b", "retail", "B", 2e6, 0, None, None),
                 ("3", "c", "retail", "B", 1e3, 0, "K1", None), ("5", "e", "retail", "B", 1e5, 0, None, None),
                 ("7", "g", "retail", "C", 1e3, 0, None, "K2")])


@pytest.fixture(scope="module")
def quarter():
    months = quarter_months("2026Q3")[1]
    return analyse_quarter("2026Q3", {months[0]: START, months[-1]: END}, load_rules(None))


def test_the_quarter_has_a_row_for_customers_nobody_kept_per_branch(quarter):
    unkept = quarter.keepers[quarter.keepers["keeper"].isna()].set_index("branch")
    assert sorted(unkept.index) == ["B", "C"]
    b = unkept.loc["B"]
    # start: 2 and 3 unkept; end: 1 (its keeper left it), 2 and new 5 unkept
    assert b[["customers_start", "customers_end", "new", "lost", "upgraded", "downgraded"]].tolist() == [
        2, 3, 1, 0, 1, 1]
    assert (b["deposit_start"], b["deposit_end"]) == (2e5 + 1e3, 5e4 + 2e6 + 1e5)
    c = unkept.loc["C"]                    # 4 lost unkept; 7 is new, won by its marketer K2
    assert c[["customers_start", "customers_end", "new", "lost"]].tolist() == [1, 1, 0, 1]
    assert quarter.keepers.set_index("keeper").loc["K2", "new"] == 1


def test_the_quarter_per_keeper_table_sums_to_the_quarter_and_to_each_branch(quarter):
    keepers = quarter.keepers
    summary = quarter.summary
    for column in ("customers_start", "customers_end", "new", "lost", "upgraded", "downgraded"):
        assert keepers[column].sum() == summary[column], column
    assert keepers["deposit_start"].sum() == pytest.approx(summary["deposit_start"])
    assert keepers["deposit_end"].sum() == pytest.approx(summary["deposit_end"])
    branches = quarter.branches.set_index("branch")
    unkept = keepers[keepers["keeper"].isna()].set_index("branch")
    for branch in ("B", "C"):
        # every customer of the branch is either kept by someone or in its unkept row
        customers = quarter.customers[quarter.customers["branch"] == branch]
        kept_end = customers["keeper_end"].notna() & customers["in_end"]
        assert unkept.loc[branch, "customers_end"] + int(kept_end.sum()) == branches.loc[branch, "customers_end"]


def test_the_reports_keeper_coverage_counts_the_unkept_and_agrees_with_the_keepers_table(allocation):
    from branchkit.core.report import keeper_coverage

    coverage = keeper_coverage(allocation.allocation)
    total = coverage[coverage["tier"] == "all"].set_index("branch")
    keepers = allocation.keepers
    unkept = keepers[keepers["keeper"].isna()].set_index("branch")["customers"]
    assert total.loc["城东支行", ["customers", "kept", "without_keeper"]].tolist() == [7, 2, 5]
    assert total["without_keeper"].to_dict() == {"城东支行": unkept["城东支行"], "城西支行": 0}
    assert (total["customers"] == keepers.groupby("branch")["customers"].sum()[total.index]).all()
    by_tier = coverage[coverage["tier"] != "all"].groupby("branch")[["customers", "kept", "without_keeper"]].sum()
    assert by_tier.to_dict() == total[["customers", "kept", "without_keeper"]].to_dict()
