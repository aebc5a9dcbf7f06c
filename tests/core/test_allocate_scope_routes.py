"""DOMAIN §3 as updated: loan customers always in scope; routes on the retail value tier.

Each test is at a threshold (just under, at, just over) or tells two orders of the routes apart.
"""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest

from allocation_helpers import RULES, claims, customers, keeper_of, row, run, staff
from branchkit.errors import RulesError
from branchkit.rules import default_text, load_rules

TEAM = staff(("h1", "head"), ("c1", "corporate_rm"), ("r1", "retail_rm"), ("t1", "low_counter"),
             ("l1", "lobby_manager"), ("x1", "high_counter"))


def _rules(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


@pytest.mark.parametrize(("assets", "retail_tier", "role"), [
    (199_999.99, "potential", "low_counter"),
    (200_000.00, "mid_high", "retail_rm"),
    (200_000.01, "mid_high", "retail_rm"),
])
def test_a_retail_customer_with_small_deposits_goes_by_its_value_tier(assets, retail_tier, role):
    book = customers({"customer_id": "P", "deposit": 1_000.0, "financial_assets": assets})
    result = run(book, TEAM)
    got = row(result, "P")
    assert (got["tier"], got["retail_tier"], got["keeper_role"]) == ("general", retail_tier, role)
    assert got["source"] == "distributed"


@pytest.mark.parametrize(("loan", "in_scope"), [(0.0, False), (0.01, True), (1.0, True)])
def test_the_deposit_floor_is_for_customers_without_loans(tmp_path, loan, in_scope):
    rules = _rules(tmp_path, "[allocation]\ndeposit_floor = 50_000\n")
    book = customers({"customer_id": "U", "deposit": 49_999.99, "loan": loan},
                     {"customer_id": "AT", "deposit": 50_000.0}, {"customer_id": "OVER", "deposit": 50_000.01})
    result = run(book, TEAM, rules=rules)
    under = row(result, "U")
    if in_scope:
        assert under["keeper"] == "r1" and under["keeper_role"] == "retail_rm"
        assert pd.isna(under["reason"])
    else:
        assert pd.isna(under["keeper"]) and under["reason"] == "below_deposit_floor"
    assert keeper_of(result)["AT"] is not None and keeper_of(result)["OVER"] is not None


def test_a_loan_customer_below_the_floor_kept_by_a_teller_is_re_kept_by_an_rm_and_a_teller_claim_declined(tmp_path):
    rules = _rules(tmp_path, "[allocation]\ndeposit_floor = 50_000\n")
    book = customers({"customer_id": "L", "deposit": 49_999.99, "loan": 10.0, "keeper": "t1", "kind": "corporate"},
                     {"customer_id": "N", "deposit": 49_999.99, "keeper": "t1"})
    result = run(book, TEAM, rules=rules, claims=claims(("l1", "L"), ("l1", "N")))
    assert keeper_of(result)["L"] == "c1"
    assert dict(zip(result.changes["customer_id"], result.changes["reason"])) == {
        "L": "loan_needs_rm", "N": "below_deposit_floor"}
    assert dict(zip(result.declined["customer_id"], result.declined["reason"])) == {
        "L": "loan_needs_rm", "N": "below_deposit_floor"}


def test_a_loan_customer_below_the_floor_without_rm_goes_to_the_head(tmp_path):
    rules = _rules(tmp_path, "[allocation]\ndeposit_floor = 50_000\n")
    team = staff(("h1", "head"), ("t1", "low_counter"))
    result = run(customers({"customer_id": "L", "deposit": 0.0, "loan": 5.0}), team, rules=rules)
    assert keeper_of(result)["L"] == "h1"


def test_mid_high_retail_route_comes_before_the_mid_tier_route(tmp_path):
    # Mid relationship tier and mid_high value tier: the retail route (RM, then head) applies, not the
    # mid tier's (RM, then tellers): with the retail RM full for mid tier, the head takes it.
    rules = _rules(tmp_path, "[allocation.capacity]\nretail_rm = { high = 80, mid = 0, general = 600 }\n")
    book = customers({"customer_id": "M", "deposit": 150_000.0, "financial_assets": 300_000.0},
                     {"customer_id": "Q", "deposit": 150_000.0, "financial_assets": 100_000.0})
    result = run(book, TEAM, rules=rules)
    assert (row(result, "M")["tier"], row(result, "M")["retail_tier"]) == ("mid", "mid_high")
    assert keeper_of(result)["M"] == "h1"
    assert row(result, "Q")["keeper_role"] == "low_counter"      # potential: the mid tier's route spills to tellers


def test_mid_high_retail_route_comes_before_the_general_route_and_never_reaches_tellers():
    team = staff(("h1", "head"), ("t1", "low_counter"), ("l1", "lobby_manager"))
    result = run(customers({"customer_id": "G", "deposit": 10.0, "financial_assets": 250_000.0}), team)
    assert keeper_of(result)["G"] == "h1"
    assert row(result, "G")["source"] == "distributed"     # no retail RM: the head is the first step with members


def test_the_high_tier_route_comes_before_the_mid_high_retail_route():
    result = run(customers({"customer_id": "H", "deposit": 1_000_000.0, "financial_assets": 2_000_000.0}), TEAM)
    assert row(result, "H")["retail_tier"] == "mid_high"
    assert keeper_of(result)["H"] == "h1"


def test_personal_loans_make_a_retail_customer_mid_high_at_the_threshold():
    # 499,999.99 of loans: mid tier on loans (>= 500,000 is mid), value tier from assets;
    # 500,000: mid_high on loans. Both are loan customers, so a retail RM keeps them either way:
    # the value tier is what differs.
    book = customers({"customer_id": "A", "loan": 499_999.99, "financial_assets": 0.0},
                     {"customer_id": "B", "loan": 500_000.0, "financial_assets": 0.0})
    result = run(book, TEAM)
    assert row(result, "A")["retail_tier"] == "mass" and row(result, "B")["retail_tier"] == "mid_high"
    assert {keeper_of(result)["A"], keeper_of(result)["B"]} == {"r1"}


def test_corporate_customers_have_no_value_tier_and_do_not_take_the_retail_route():
    book = customers({"customer_id": "C", "kind": "corporate", "scale": "small", "deposit": 10.0,
                      "financial_assets": 900_000.0})
    result = run(book, TEAM)
    assert pd.isna(row(result, "C")["retail_tier"])
    assert row(result, "C")["keeper_role"] == "low_counter"


def test_agricultural_customers_take_the_retail_route_when_the_rules_tier_them(tmp_path):
    rules = _rules(tmp_path, '[tiers.retail]\nkinds = ["retail", "agri"]\n')
    book = customers({"customer_id": "F", "kind": "agri", "deposit": 10.0, "financial_assets": 200_000.0})
    assert row(run(book, TEAM, rules=rules), "F")["keeper_role"] == "retail_rm"
    assert row(run(book, TEAM), "F")["keeper_role"] == "low_counter"


def test_a_route_can_match_any_retail_tier_and_every_key_given_must_match(tmp_path):
    rules = _rules(tmp_path, """
[[allocation.routes]]
name = "potential retail to the lobby"
when = { retail_tier = ["potential"], kind = ["retail"] }
roles = ["lobby_manager", "head"]
[[allocation.routes]]
name = "the rest"
when = {}
roles = ["high_counter", "head"]
""")
    book = customers({"customer_id": "P", "deposit": 10.0, "financial_assets": 60_000.0},
                     {"customer_id": "M", "deposit": 10.0, "financial_assets": 10.0},
                     {"customer_id": "C", "kind": "corporate", "deposit": 10.0, "financial_assets": 60_000.0})
    roles = dict(zip(*(run(book, TEAM, rules=rules).allocation[c] for c in ("customer_id", "keeper_role"))))
    assert roles == {"P": "lobby_manager", "M": "high_counter", "C": "high_counter"}


def test_an_unknown_retail_tier_in_a_route_is_refused_naming_the_key(tmp_path):
    with pytest.raises(RulesError, match="retail_tier"):
        _rules(tmp_path, '[[allocation.routes]]\nname = "x"\nwhen = { retail_tier = ["vip"] }\nroles = ["head"]\n')


def test_the_default_rules_and_what_init_writes_route_retail_mid_high_to_the_rm_then_the_head():
    data = tomllib.loads(default_text())
    names = [r["name"] for r in data["allocation"]["routes"]]
    retail = next(r for r in data["allocation"]["routes"] if r["when"] == {"retail_tier": ["mid_high"]})
    assert retail["roles"] == ["rm", ["head", "deputy"]]
    assert names.index(retail["name"]) < names.index("mid tier to relationship managers")
    assert names.index(retail["name"]) > names.index("credit customers to relationship managers")
    assert RULES.allocation.routes[names.index(retail["name"])].when.retail_tier == ["mid_high"]
