"""``allocate --explain`` (the trace of one customer) and ``--compare`` (two rules), on hand-made branches."""

from __future__ import annotations

import pytest

from allocation_helpers import RULES, customers, run, staff
from branchkit.core.allocation_compare import compare_allocations
from branchkit.core.allocate import trace_customer
from branchkit.rules import load_rules
from branchkit.views.allocation_explain import explain_customer

TELLERS = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "comprehensive_teller"))
NEW = customers(*({"customer_id": f"N{i}", "deposit": float(3 - i)} for i in range(3)))


def test_the_trace_shows_each_candidate_at_the_customers_turn():
    # Dealt by deposit: N0 -> t1 (tie at 0, lower id), N1 -> t2, then N2 meets t1 and t2 at load 1 each.
    trace = trace_customer(NEW, TELLERS, RULES, "N2")
    step = trace.steps[0]
    assert step.roles == ("low_counter", "comprehensive_teller")
    assert step.load.tolist() == [1.0, 1.0] and step.count.tolist() == [1, 1]
    assert step.capacity.tolist() == [800, 800]
    assert TELLERS["staff_id"].iloc[step.chosen] == "t1" and not trace.exact
    text = explain_customer(NEW, TELLERS, RULES, "N2", lang="en")
    assert "员工t1 (t1, Low-counter teller) load 1, General tier 1/800  ←" in text
    assert "员工t2 (t2, Comprehensive teller) load 1, General tier 1/800\n" in text


def test_the_whole_result_does_not_depend_on_the_trace():
    traced = trace_customer(NEW, TELLERS, RULES, "N1")
    plain = run(NEW, TELLERS)
    assert traced.state.people.ids(traced.state.out.keeper).tolist() == plain.allocation["keeper"].tolist()


def test_an_exact_distribution_is_traced_step_by_step(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[allocation.capacity]\nretail_rm = { high = 0, mid = 10, general = 0 }\n"
                    "low_counter = { high = 0, mid = 10, general = 10 }\n", encoding="utf-8")
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"), ("l1", "lobby_manager"))
    book = customers(*({"customer_id": f"A{i:02d}", "deposit": 200_000.0 + i, "loan": 10_000.0} for i in range(10)),
                     *({"customer_id": f"B{i:02d}", "deposit": 150_000.0 + i} for i in range(20)))
    text = explain_customer(book, team, load_rules(path), "B00", lang="en")
    assert "(capacities bind: solved exactly, least spill depth)" in text
    assert "员工r1 (r1, Retail RM) load 0, Mid tier 0/10\n" in text           # before the branch was dealt
    assert "员工t1 (t1, Low-counter teller) load 0, Mid tier 0/10  ←" in text
    assert "source Spill (spill)" in text


def test_an_unknown_customer_has_no_trace():
    assert trace_customer(NEW, TELLERS, RULES, "nobody") is None
    assert explain_customer(NEW, TELLERS, RULES, "nobody") is None


@pytest.fixture
def higher_mid(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[tiers.relationship]\nmid_min_deposit = 200000\n", encoding="utf-8")
    return load_rules(path)


def test_compare_lists_tier_and_keeper_changes_and_the_load_per_keeper(higher_mid):
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"))
    book = customers({"customer_id": "M", "deposit": 150_000.0}, {"customer_id": "G", "deposit": 10.0},
                     {"customer_id": "K", "deposit": 150_000.0, "keeper": "r1"})
    comparison = compare_allocations(run(book, team), run(book, team, rules=higher_mid))
    rows = comparison.customers.set_index("customer_id")
    assert sorted(rows.index) == ["K", "M"]                                # G is general either way
    assert rows.loc["M", ["change", "tier_base", "tier_other", "keeper_base", "keeper_other"]].tolist() == [
        "keeper+tier", "mid", "general", "r1", "t1"]
    assert rows.loc["K", "change"] == "tier" and rows.loc["K", "keeper_other"] == "r1"      # kept: same keeper
    keepers = comparison.keepers.set_index("keeper")
    assert keepers.loc["r1", ["load_base", "load_other", "load_change"]].tolist() == [4.0, 1.0, -3.0]
    assert keepers.loc["t1", ["customers_base", "customers_other", "customers_change"]].tolist() == [1, 2, 1]
