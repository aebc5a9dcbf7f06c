"""Who markets it keeps it (谁营销谁维护, DOMAIN §3): a customer nobody keeps goes to its marketer (营销人)."""

from __future__ import annotations

import pandas as pd

from allocation_helpers import claims, customers, keeper_of, run, staff
from branchkit.core.allocate import trace_customer
from branchkit.rules import load_rules
from branchkit.views.allocation_explain import explain_customer

TEAM = pd.concat([
    staff(("h1", "head"), ("d1", "deputy"), ("c1", "corporate_rm"), ("r1", "retail_rm"), ("r2", "retail_rm"),
          ("t1", "low_counter"), ("l1", "lobby_manager"), ("g1", "lobby_guide"), ("s1", "supervisor"),
          ("q1", "lobby_manager", "left"), ("v1", "lobby_manager", "on_leave")),
    staff(("o1", "lobby_manager"), branch="城西支行"),
])
MID = {"deposit": 150_000.0, "financial_assets": 150_000.0}          # relationship tier mid, retail potential
MID_HIGH = {"deposit": 10_000.0, "financial_assets": 300_000.0}      # general tier, retail value tier mid_high


def _book() -> pd.DataFrame:
    rows = [
        ("M1", MID, "l1"), ("M2", MID, "t1"),                                    # kept by their marketer
        ("M3", MID, "q1"), ("M4", MID, "o1"), ("M5", MID, "zz9"), ("M6", MID, "v1"),   # left, other branch, ...
        ("M7", MID, "s1"), ("M8", MID, "g1"),                                    # roles the mid route never uses
        ("L1", {**MID, "loan": 600_000.0}, "l1"),                                # loan: RM or leadership only
        ("H1", MID_HIGH, "t1"), ("H2", MID_HIGH, "r2"),                          # mid-high: RM or head
        ("G1", {"deposit": 10_000.0, "financial_assets": 10_000.0}, "l1"),       # general: the rule is silent
        ("B1", {"deposit": 2_000_000.0, "financial_assets": 2_000_000.0}, "r2"),  # high: leadership
        ("N1", MID, None),                                                       # no marketer
    ]
    return customers(*({"customer_id": c, **money, "marketer": who} for c, money, who in rows))


def _rows(result) -> pd.DataFrame:
    return result.allocation.set_index("customer_id")


def test_a_mid_customer_nobody_keeps_goes_to_its_marketer_with_the_reason():
    frame = _rows(run(_book(), TEAM))
    assert frame.loc["M1", "keeper"] == "l1" and frame.loc["M2", "keeper"] == "t1" and frame.loc["H2", "keeper"] == "r2"
    for c in ("M1", "M2", "H2"):
        assert (frame.loc[c, "source"], frame.loc[c, "reason"]) == ("distributed", "marketer_keeps")


def test_a_marketer_who_cannot_keep_it_leaves_the_customer_to_its_route_and_says_why():
    frame = _rows(run(_book(), TEAM))
    reasons = {"M3": "marketer_left", "M4": "marketer_other_branch", "M5": "marketer_unknown",
               "M6": "marketer_on_leave", "M7": "marketer_not_on_route", "M8": "marketer_not_on_route",
               "L1": "marketer_loan_needs_rm", "H1": "marketer_not_on_route"}
    assert frame.loc[list(reasons), "reason"].to_dict() == reasons
    assert set(frame.loc[list(reasons), "keeper"]) <= {"r1", "r2"}          # first step of their routes: an RM
    assert set(frame.loc[list(reasons), "source"]) == {"distributed"}


def test_the_rule_covers_the_mid_and_mid_high_tiers_only_and_customers_nobody_keeps():
    book = _book()
    book.loc[len(book)] = {**book.iloc[0].to_dict(), "customer_id": "K1", "name": "K1", "keeper": "r1"}
    book.loc[len(book)] = {**book.iloc[0].to_dict(), "customer_id": "C1", "name": "C1"}
    result = run(book, TEAM, claims=claims(("t1", "C1")))
    frame = _rows(result)
    assert frame.loc["G1", "keeper"] == "t1" and pd.isna(frame.loc["G1", "reason"])   # general: tellers' route
    assert frame.loc["B1", "keeper"] in {"h1", "d1"} and pd.isna(frame.loc["B1", "reason"])
    assert (frame.loc["K1", "keeper"], frame.loc["K1", "source"]) == ("r1", "kept")   # its keeper stays
    assert (frame.loc["C1", "keeper"], frame.loc["C1", "source"]) == ("t1", "claim")  # the claim wins
    assert frame.loc["N1", "keeper"] in {"r1", "r2"} and pd.isna(frame.loc["N1", "reason"])


def test_the_marketers_capacity_count_does_not_bind_and_its_customers_are_fixed_load(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[allocation.capacity]\nlobby_manager = { high = 0, mid = 1, general = 600 }\n",
                    encoding="utf-8")
    book = customers(*({"customer_id": f"M{i}", **MID, "marketer": "l1"} for i in range(3)))
    result = run(book, TEAM, rules=load_rules(path))
    assert set(keeper_of(result).values()) == {"l1"}
    assert not result.allocation["over_capacity"].any()
    lobby = result.balance[result.balance["role"].eq("lobby_manager").to_numpy()].iloc[0]
    assert lobby["distributed"] == 0 and bool(lobby["balanced"])


def test_the_rule_can_be_turned_off(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[allocation]\nmarketer_keeps = []\n", encoding="utf-8")
    frame = _rows(run(_book(), TEAM, rules=load_rules(path)))
    assert frame.loc["M1", "keeper"] in {"r1", "r2"} and pd.isna(frame.loc["M1", "reason"])
    assert not frame["reason"].isin(["marketer_keeps", "marketer_left"]).any()


def test_explain_tells_the_marketer_and_why_it_keeps_or_not():
    book = _book()
    kept = explain_customer(book, TEAM, load_rules(), "M1", lang="en")
    assert "marketer: 员工l1 (l1, Lobby manager)" in kept
    assert "-> who markets it keeps it: kept by its marketer" in kept
    left = explain_customer(book, TEAM, load_rules(), "M3", lang="en")
    assert "-> the marketer left: distributed by route" in left
    assert trace_customer(book, TEAM, load_rules(), "M3").marketer == "marketer_left"


def test_a_rebalance_leaves_a_customer_with_the_marketer_who_keeps_it():
    # t1 keeps four mid customers (from the 管户人 column), t2 none: a rebalance would even them out, but
    # M0 and M1 were marketed by t1, so only M2 and M3 may move.
    team = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "low_counter"))
    book = customers(*({"customer_id": f"M{i}", **MID, "keeper": "t1", "marketer": "t1" if i < 2 else None}
                       for i in range(4)))
    frame = _rows(run(book, team, rebalance=10))
    assert frame.loc[["M0", "M1"], "keeper"].tolist() == ["t1", "t1"]
    assert frame.loc[["M0", "M1"], "source"].tolist() == ["kept", "kept"]
    assert sorted(frame.loc[["M2", "M3"], "keeper"]) == ["t2", "t2"]
