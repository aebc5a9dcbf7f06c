"""Allocation of one branch: keepers kept, claims settled, hard rules, distribution, targets, reasons."""

from __future__ import annotations

import pandas as pd
import pytest

from allocation_helpers import claims, customers, keeper_of, previous, row, run, staff
from branchkit.errors import DataError
from branchkit.rules import load_rules

TEAM = staff(("h1", "head"), ("d1", "deputy"), ("c1", "corporate_rm"), ("c2", "corporate_rm"), ("r1", "retail_rm"),
             ("r2", "retail_rm"), ("t1", "low_counter"), ("t2", "comprehensive_teller"), ("l1", "lobby_manager"),
             ("g1", "lobby_guide"), ("x1", "high_counter"), ("s1", "supervisor"))


def test_current_keeper_stays_and_previous_allocation_wins_over_the_ledger():
    book = customers({"customer_id": "A", "keeper": "t1"}, {"customer_id": "B", "keeper": "t1"})
    result = run(book, TEAM, previous=previous(("B", "t2")))
    assert keeper_of(result) == {"A": "t1", "B": "t2"}
    assert row(result, "B")["source"] == "kept" and row(result, "B")["previous_keeper"] == "t2"
    assert result.changes.empty


def test_previous_rows_without_keeper_or_customer_are_skipped_and_the_rest_stay_aligned():
    # Last month's rows in one filter: an empty keeper and a customer no longer listed are passed over, and
    # the lock and keeper of the rows after them still land on their own customers.
    book = customers({"customer_id": "A", "keeper": "t1"}, {"customer_id": "B", "keeper": "t1"},
                     {"customer_id": "C", "keeper": "t1"})
    result = run(book, TEAM, previous=previous(("A", None, True), ("GONE", "t2", True), ("C", "t2", True),
                                               ("B", "x1")))
    assert keeper_of(result) == {"A": "t1", "B": "x1", "C": "t2"}
    assert result.allocation.set_index("customer_id")["locked"].to_dict() == {"A": False, "B": False, "C": True}


def test_staff_on_leave_keep_their_customers_but_get_no_new_ones():
    team = staff(("h1", "head"), ("t1", "low_counter", "on_leave"), ("t2", "low_counter"))
    book = customers({"customer_id": "A", "keeper": "t1"}, *({"customer_id": f"N{i}"} for i in range(4)))
    result = run(book, team, claims=claims(("t1", "N0")))
    kept = keeper_of(result)
    assert kept["A"] == "t1"
    assert {kept[f"N{i}"] for i in range(4)} == {"t2"}
    assert result.declined["reason"].tolist() == ["claimant_on_leave"]


@pytest.mark.parametrize(("state", "reason"), [("left", "keeper_left")])
def test_a_keeper_who_left_gives_up_every_customer_with_the_reason(state, reason):
    team = staff(("h1", "head"), ("t1", "low_counter", state), ("t2", "low_counter"))
    book = customers({"customer_id": "A", "keeper": "t1"}, {"customer_id": "B", "keeper": "t2"})
    result = run(book, team)
    assert keeper_of(result) == {"A": "t2", "B": "t2"}
    change = result.changes.iloc[0]
    assert (change["customer_id"], change["previous_keeper"], change["keeper"], change["reason"]) == \
        ("A", "t1", "t2", reason)


def test_previous_keeper_not_on_the_staff_list_or_of_another_branch_is_replaced():
    team = pd.concat([staff(("h1", "head"), ("t1", "low_counter")), staff(("z9", "low_counter"), branch="城西支行")])
    book = customers({"customer_id": "A"}, {"customer_id": "B"})
    result = run(book, team, previous=previous(("A", "gone7"), ("B", "z9")))
    assert keeper_of(result) == {"A": "t1", "B": "t1"}
    assert dict(zip(result.changes["customer_id"], result.changes["reason"])) == {
        "A": "keeper_unknown", "B": "keeper_other_branch"}
    assert result.changes.set_index("customer_id").loc["A", "previous_keeper"] == "gone7"


def test_hard_rule_loan_customers_are_kept_by_leadership_or_the_rm_of_their_kind():
    book = customers({"customer_id": "L1", "loan": 300_000.0, "keeper": "t1"},
                     {"customer_id": "L2", "kind": "corporate", "loan": 100.0, "keeper": "r1"},
                     {"customer_id": "L3", "kind": "agri", "loan": 100.0, "keeper": "r2"},
                     {"customer_id": "L4", "loan": 100.0, "keeper": "d1"})
    result = run(book, TEAM, claims=claims(("x1", "L4"), ("c1", "L3")))
    kept = keeper_of(result)
    assert kept["L1"] in ("r1", "r2") and kept["L2"] in ("c1", "c2")
    assert kept["L3"] == "r2" and kept["L4"] == "d1"
    assert set(result.changes["reason"]) == {"loan_needs_rm"}
    assert sorted(result.declined["reason"]) == ["loan_needs_rm", "loan_needs_rm"]


def test_a_lock_on_a_loan_customer_does_not_beat_the_hard_rule():
    book = customers({"customer_id": "L1", "loan": 300_000.0})
    result = run(book, TEAM, previous=previous(("L1", "t1", True)))
    assert keeper_of(result)["L1"] in ("r1", "r2")
    assert result.changes["reason"].tolist() == ["loan_needs_rm"]


def test_strictly_higher_claim_moves_the_customer_equal_or_lower_is_declined():
    book = customers({"customer_id": "A", "keeper": "r1"}, {"customer_id": "B", "keeper": "r1"},
                     {"customer_id": "C", "keeper": "r1"})
    result = run(book, TEAM, claims=claims(("c1", "A"), ("r2", "B"), ("l1", "C")))
    assert keeper_of(result) == {"A": "c1", "B": "r1", "C": "r1"}
    assert row(result, "A")["source"] == "claim"
    assert result.changes["reason"].tolist() == ["claim_outranks"]
    assert dict(zip(result.declined["customer_id"], result.declined["reason"])) == {
        "B": "keeper_ranks_equal_or_higher", "C": "keeper_ranks_equal_or_higher"}


def test_among_claims_the_higher_role_wins_and_the_others_are_outranked():
    book = customers({"customer_id": "A"})
    result = run(book, TEAM, claims=claims(("g1", "A"), ("t1", "A"), ("h1", "A")))
    assert keeper_of(result)["A"] == "h1"
    assert sorted(result.declined["reason"]) == ["outranked", "outranked"]
    assert result.conflicts.empty


def test_deputies_rank_with_the_head_and_comprehensive_tellers_with_low_counters():
    book = customers({"customer_id": "A", "keeper": "t1"}, {"customer_id": "B", "keeper": "d1"})
    result = run(book, TEAM, claims=claims(("t2", "A"), ("h1", "B")))
    assert keeper_of(result) == {"A": "t1", "B": "d1"}
    assert set(result.declined["reason"]) == {"keeper_ranks_equal_or_higher"}


def test_equal_claims_are_conflicts_settled_for_the_current_keeper_then_lower_load_then_lower_id():
    book = customers({"customer_id": "K", "keeper": "c2", "kind": "corporate"},
                     {"customer_id": "L", "kind": "corporate"}, {"customer_id": "M", "kind": "corporate"},
                     {"customer_id": "BUSY", "kind": "corporate", "keeper": "c1", "deposit": 5e6})
    # c2 keeps K and locks its claim: both claims on K are locked and equal; c2 already keeps it.
    team = staff(("h1", "head"), ("c1", "corporate_rm"), ("c2", "corporate_rm"), ("c3", "corporate_rm"),
                 ("c4", "corporate_rm"))
    result = run(book, team, claims=claims(("c1", "K", True), ("c2", "K", True), ("c1", "L"), ("c2", "L"),
                                           ("c4", "M"), ("c3", "M")))
    assert keeper_of(result)["K"] == "c2"
    assert keeper_of(result)["L"] == "c2"          # c1 carries a high-tier customer: load 5 against 1
    assert keeper_of(result)["M"] == "c3"          # equal loads (0): the lower staff id
    rules = result.conflicts.groupby("customer_id")["rule"].first().to_dict()
    assert rules == {"K": "already_keeps", "L": "lower_load", "M": "lower_staff_id"}
    winners = result.conflicts[result.conflicts["winner"]].set_index("customer_id")["claimant"].to_dict()
    assert winners == {"K": "c2", "L": "c2", "M": "c3"}
    assert len(result.conflicts) == 6
    assert set(result.declined["reason"]) == {"tie_lost"}


def test_a_keeper_claiming_beside_an_equal_claimant_is_a_listed_conflict_settled_for_the_keeper():
    # DOMAIN §3.2: equal roles claiming one customer are a conflict for the head, meanwhile settled for the
    # claimant who already keeps it. K1: teller t1 keeps it, t1 and t2 (equal rank) claim; K2: deputy d1 keeps
    # it, d1 and the head claim; K3: t1 keeps it, only t2 claims (no contest: declined); K4: pinned to t1.
    book = customers({"customer_id": "K1", "keeper": "t1"}, {"customer_id": "K2", "keeper": "d1"},
                     {"customer_id": "K3", "keeper": "t1"}, {"customer_id": "K4"})
    result = run(book, TEAM, previous=previous(("K4", "t1", True)),
                 claims=claims(("t2", "K1"), ("t1", "K1"), ("h1", "K2"), ("d1", "K2"), ("t2", "K3"), ("t1", "K4"),
                               ("t2", "K4")))
    assert keeper_of(result) == {"K1": "t1", "K2": "d1", "K3": "t1", "K4": "t1"}
    assert result.changes.empty
    conflicts = result.conflicts
    assert sorted(set(conflicts["customer_id"])) == ["K1", "K2"]
    assert conflicts.groupby("customer_id")["rule"].first().to_dict() == {"K1": "already_keeps",
                                                                          "K2": "already_keeps"}
    assert conflicts[conflicts["winner"]].set_index("customer_id")["claimant"].to_dict() == {"K1": "t1", "K2": "d1"}
    assert dict(zip(zip(result.declined["customer_id"], result.declined["claimant"]), result.declined["reason"])) \
        == {("K1", "t2"): "tie_lost", ("K2", "h1"): "tie_lost", ("K3", "t2"): "keeper_ranks_equal_or_higher",
            ("K4", "t2"): "customer_locked"}


def test_an_unlocked_claim_losing_to_a_lower_locked_one_says_a_locked_claim_won():
    book = customers({"customer_id": "X"}, {"customer_id": "Y"})
    result = run(book, TEAM, claims=claims(("h1", "X"), ("l1", "X", True), ("h1", "Y"), ("l1", "Y")))
    assert keeper_of(result) == {"X": "l1", "Y": "h1"}
    assert dict(zip(result.declined["customer_id"], result.declined["reason"])) == {
        "X": "outranked_by_locked", "Y": "outranked"}


def test_a_locked_claim_pins_the_customer_and_later_unlocked_claims_are_declined():
    book = customers({"customer_id": "A", "keeper": "r1"})
    first = run(book, TEAM, claims=claims(("t1", "A", True), ("c1", "A")))
    assert keeper_of(first)["A"] == "t1" and bool(row(first, "A")["locked"]) is True
    assert first.changes["reason"].tolist() == ["locked_claim"]
    later = run(book, TEAM, previous=previous(("A", "t1", True)), claims=claims(("h1", "A")))
    assert keeper_of(later)["A"] == "t1"
    assert later.declined["reason"].tolist() == ["customer_locked"]


def test_declined_claims_for_the_claimant_and_the_customer():
    team = pd.concat([TEAM, staff(("o1", "retail_rm"), branch="城西支行"), staff(("q1", "retail_rm", "left"))])
    book = customers({"customer_id": "A"}, {"customer_id": "T", "status": "target", "kind": "corporate"})
    result = run(book, team, claims=claims(("r1", "A"), ("r1", "A"), ("o1", "A"), ("q1", "A"), ("c1", "T")))
    assert sorted(result.declined["reason"]) == ["claimant_left", "claimant_other_branch", "duplicate_claim",
                                                 "target_customer"]
    assert keeper_of(result)["A"] == "r1"
    declined = result.declined.set_index("reason")
    assert declined.loc["claimant_other_branch", "claimant_name"] == "员工o1"
    assert declined.loc["duplicate_claim", "keeper"] == "r1"


def test_deposit_floor_leaves_small_customers_out_of_scope(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[allocation]\ndeposit_floor = 50_000\n", encoding="utf-8")
    book = customers({"customer_id": "S", "deposit": 49_999.0, "keeper": "t1"}, {"customer_id": "B", "deposit": 50_000.0})
    result = run(book, TEAM, rules=load_rules(path), claims=claims(("r1", "S")))
    small = row(result, "S")
    assert pd.isna(small["keeper"]) and small["reason"] == "below_deposit_floor"
    assert result.declined["reason"].tolist() == ["below_deposit_floor"]
    assert result.changes["reason"].tolist() == ["below_deposit_floor"]
    assert not pd.isna(row(result, "B")["keeper"])


def test_distribution_follows_the_routes_by_tier_and_kind():
    book = customers({"customer_id": "H", "deposit": 2e6}, {"customer_id": "MC", "kind": "corporate", "deposit": 2e5},
                     {"customer_id": "MR", "deposit": 2e5}, {"customer_id": "G", "deposit": 10.0},
                     {"customer_id": "SC", "kind": "corporate", "scale": "small"},
                     {"customer_id": "LC", "kind": "corporate", "scale": "large"})
    roles = result_roles(run(book, TEAM))
    assert roles["H"] in ("head", "deputy")
    assert roles["MC"] == "corporate_rm" and roles["MR"] == "retail_rm" and roles["LC"] == "corporate_rm"
    assert roles["G"] in ("low_counter", "comprehensive_teller")
    assert roles["SC"] in ("low_counter", "comprehensive_teller")


def result_roles(result) -> dict:
    return dict(zip(result.allocation["customer_id"], result.allocation["keeper_role"]))


def test_balanced_within_a_role_by_weighted_load_and_deterministic():
    team = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "low_counter"), ("t3", "comprehensive_teller"))
    book = customers({"customer_id": "K1", "keeper": "t1"}, {"customer_id": "K2", "keeper": "t1"},
                     *({"customer_id": f"N{i:02d}", "deposit": float(i)} for i in range(10)))
    result = run(book, team)
    loads = result.keepers.set_index("keeper")["load"].to_dict()
    assert loads["t1"] == 4 and loads["t2"] == 4 and loads["t3"] == 4
    # largest deposits first, to the least-loaded member, ties to the lower staff id
    assert keeper_of(result)["N09"] == "t2" and keeper_of(result)["N08"] == "t3"
    again = run(book, team)
    pd.testing.assert_frame_equal(result.allocation, again.allocation)
    balance = result.balance.set_index("role")
    assert balance.loc["low_counter", "max_deviation"] <= 1 and balance.loc["low_counter", "balanced"]


def test_capacity_spills_to_the_next_step_and_overflows_only_when_all_are_full(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[allocation.capacity]\nlow_counter = { high = 0, mid = 0, general = 2 }\n"
                    "lobby_manager = { high = 0, mid = 0, general = 1 }\n"
                    "head = { high = 1, mid = 1, general = 1 }\n", encoding="utf-8")
    rules = load_rules(path)
    team = staff(("h1", "head"), ("t1", "low_counter"), ("l1", "lobby_manager"))
    book = customers(*({"customer_id": f"N{i}", "deposit": float(10 - i)} for i in range(6)))
    result = run(book, team, rules=rules)
    frame = result.allocation.set_index("customer_id")
    assert frame.loc[["N0", "N1"], "keeper"].tolist() == ["t1", "t1"]
    assert frame.loc[["N0", "N1"], "source"].tolist() == ["distributed", "distributed"]
    assert frame.loc["N2", "keeper"] == "l1" and frame.loc["N2", "source"] == "spill"
    assert frame.loc["N3", "keeper"] == "h1" and frame.loc["N3", "source"] == "spill"
    assert frame.loc[["N4", "N5"], "over_capacity"].all()
    assert set(frame.loc[["N4", "N5"], "reason"]) == {"all_eligible_full"}
    path.write_text(path.read_text() + '[allocation]\nwhen_full = "leave"\n', encoding="utf-8")
    left = run(book, team, rules=load_rules(path)).allocation.set_index("customer_id")
    assert left.loc[["N4", "N5"], "keeper"].isna().all()
    assert set(left.loc[["N4", "N5"], "reason"]) == {"all_eligible_full"}


def test_no_eligible_role_is_a_reason_not_a_silent_blank():
    team = staff(("t1", "low_counter"))
    book = customers({"customer_id": "H", "deposit": 5e6}, {"customer_id": "G"})
    frame = run(book, team).allocation.set_index("customer_id")
    assert pd.isna(frame.loc["H", "keeper"]) and frame.loc["H", "reason"] == "no_eligible_role"
    assert frame.loc["G", "keeper"] == "t1"


def test_ambiguous_keepers_are_left_for_the_head():
    team = pd.concat([staff(("h1", "head"), ("t1", "low_counter")),
                      pd.DataFrame([{"staff_id": "t8", "name": "王静", "role": "low_counter", "branch": "城东支行",
                                     "state": "active"},
                                    {"staff_id": "t9", "name": "王静", "role": "retail_rm", "branch": "城东支行",
                                     "state": "active"}])])
    book = customers({"customer_id": "A"}, {"customer_id": "B"}, {"customer_id": "C"})
    result = run(book, team, previous=previous(("A", "王静"), ("B", "t1"), ("B", "h1")), ambiguous=frozenset({"C"}))
    frame = result.allocation.set_index("customer_id")
    assert frame.loc[["A", "B", "C"], "keeper"].isna().all()
    assert set(frame.loc[["A", "B", "C"], "reason"]) == {"keeper_ambiguous"}


def test_a_name_two_people_share_once_padding_is_read_away_is_ambiguous():
    # 王　静 (spaced to line up) and 王静 are one name to a reader: last month's "王 静" is theirs to tell
    team = pd.concat([staff(("h1", "head")),
                      pd.DataFrame([{"staff_id": "t8", "name": "王　静", "role": "low_counter", "branch": "城东支行",
                                     "state": "active"},
                                    {"staff_id": "t9", "name": "王静", "role": "retail_rm", "branch": "城东支行",
                                     "state": "active"}])])
    book = customers({"customer_id": "A"}, {"customer_id": "B"})
    frame = run(book, team, previous=previous(("A", "王 静"), ("B", "王靜"))).allocation.set_index("customer_id")
    assert pd.isna(frame.loc["A", "keeper"]) and frame.loc["A", "reason"] == "keeper_ambiguous"
    assert frame.loc["B", "reason"] != "keeper_ambiguous"          # another character: nobody's name


def test_role_change_away_from_the_tier_moves_the_customer_unless_locked():
    team = staff(("h1", "head"), ("r1", "supervisor"), ("r2", "retail_rm"))
    book = customers({"customer_id": "A", "deposit": 2e5}, {"customer_id": "B", "deposit": 2e5},
                     {"customer_id": "C", "deposit": 2e5})
    result = run(book, team, previous=previous(("A", "r1", False, "retail_rm"), ("B", "r1", True, "retail_rm"),
                                                ("C", "r1", False, "supervisor")))
    assert keeper_of(result) == {"A": "r2", "B": "r1", "C": "r1"}
    assert result.changes["reason"].tolist() == ["keeper_role_changed"]


def test_targets_go_by_scale_large_to_the_head_others_balanced_over_rms_of_their_kind():
    team = staff(("h1", "head"), ("d1", "deputy"), ("c1", "corporate_rm"), ("c2", "corporate_rm"), ("r1", "retail_rm"))
    book = customers(*({"customer_id": f"T{i}", "status": "target", "kind": "corporate", "scale": s}
                       for i, s in enumerate(["large", "medium", "small", "micro", None])),
                     {"customer_id": "P", "status": "target", "kind": "retail"})
    result = run(book, team, previous=previous(("T2", "c2")))
    kept = keeper_of(result)
    assert kept["T0"] == "h1" and kept["P"] == "r1"
    rms = [kept[f"T{i}"] for i in range(1, 5)]
    assert sorted(rms) == ["c1", "c1", "c2", "c2"] and kept["T2"] == "c2"
    assert set(result.allocation.loc[result.allocation["status"] == "target", "source"]) == {"target"}
    table = result.targets
    assert table["seq"].tolist() == list(range(1, 7))
    assert table.set_index("customer_id").loc["T0", "keeper_name"] == "员工h1"


def test_a_target_owner_whose_role_never_owned_its_scale_gives_it_up_for_that_reason_not_a_role_change():
    # P: small corporate target owned by a retail RM, retail RM then and now: corporate RMs own it.
    # E: large target owned by a corporate RM (unchanged): the head owns it. Q: its owner was a corporate RM
    # last month and is a supervisor now: a true role change.
    team = staff(("h1", "head"), ("c1", "corporate_rm"), ("r1", "retail_rm"), ("s1", "supervisor"))
    book = customers({"customer_id": "P", "status": "target", "kind": "corporate", "scale": "small"},
                     {"customer_id": "E", "status": "target", "kind": "corporate", "scale": "large"},
                     {"customer_id": "Q", "status": "target", "kind": "corporate", "scale": "small"})
    result = run(book, team, previous=previous(("P", "r1", False, "retail_rm"), ("E", "c1", False, "corporate_rm"),
                                                ("Q", "s1", False, "corporate_rm")))
    assert keeper_of(result) == {"P": "c1", "E": "h1", "Q": "c1"}
    assert dict(zip(result.changes["customer_id"], result.changes["reason"])) == {
        "P": "target_owner_role", "E": "target_owner_role", "Q": "keeper_role_changed"}


def test_targets_fall_back_to_a_deputy_without_an_active_head():
    team = staff(("h1", "head", "on_leave"), ("d1", "deputy"))
    book = customers({"customer_id": "T", "status": "target", "kind": "corporate", "scale": "large"},
                     {"customer_id": "U", "status": "target", "kind": "corporate", "scale": "small"})
    assert keeper_of(run(book, team)) == {"T": "d1", "U": "d1"}


def test_branches_are_kept_apart_and_each_gets_what_it_would_get_alone():
    east = customers(*({"customer_id": f"E{i}", "deposit": float(i)} for i in range(6)))
    west = customers(*({"customer_id": f"W{i}", "deposit": float(i)} for i in range(4)), branch="城西支行")
    team_e = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "low_counter"))
    team_w = staff(("h2", "head"), ("t3", "low_counter"), branch="城西支行")
    both = run(pd.concat([west, east]), pd.concat([team_e, team_w]), claims=claims(("t1", "W0")))
    alone_e = run(east, team_e)
    alone_w = run(west, team_w)
    assert both.allocation["branch"].tolist()[:6] == ["城东支行"] * 6            # sorted branch order
    assert keeper_of(both) == {**keeper_of(alone_e), **keeper_of(alone_w)}
    assert both.declined["reason"].tolist() == ["claimant_other_branch"]
    parallel = run(pd.concat([west, east]), pd.concat([team_e, team_w]), claims=claims(("t1", "W0")), jobs=2)
    for name in ("allocation", "keepers", "balance", "segments", "declined"):
        pd.testing.assert_frame_equal(getattr(both, name), getattr(parallel, name))


def test_staff_without_branch_belong_to_the_customers_only_branch_and_several_is_an_error():
    book = customers({"customer_id": "A"})
    team = staff(("h1", "head")).assign(branch=None)
    assert keeper_of(run(book, team)) == {"A": "h1"}
    two = pd.concat([book, customers({"customer_id": "B"}, branch="城西支行")])
    with pytest.raises(DataError, match="staff list names no branch"):
        run(two, team)


def test_segments_and_keepers_tables_add_up():
    book = customers({"customer_id": "A", "deposit": 2e6, "kind": "corporate"}, {"customer_id": "B", "deposit": 10.0},
                     {"customer_id": "C", "deposit": 3e5}, {"customer_id": "T", "status": "target"})
    result = run(book, TEAM)
    seg = result.segments.set_index(["kind", "tier"])
    assert seg.loc[("all", "all"), "customers"] == 3
    assert seg.loc[("corporate", "high"), "deposit"] == 2e6
    assert seg.loc[("retail", "all"), "customers"] == 2
    keepers = result.keepers
    assert keepers["customers"].sum() == 3 and keepers["deposit"].sum() == 2e6 + 10 + 3e5
    assert keepers["targets"].sum() == 1
    assert (keepers["customers"] == keepers[["customers_high", "customers_mid", "customers_general"]].sum(axis=1)).all()


def test_empty_claims_and_no_customers_give_empty_tables():
    result = run(customers({"customer_id": "A"}).iloc[0:0], TEAM)
    assert result.allocation.empty and result.changes.empty and result.declined.empty
    assert list(result.allocation.columns)[:11] == ["customer_id", "name", "kind", "branch", "tier", "retail_tier",
                                                    "keeper", "keeper_name", "keeper_role", "source",
                                                    "previous_keeper"]


def test_customers_without_branch_in_a_network_carry_the_reason():
    book = pd.concat([customers({"customer_id": "A"}), customers({"customer_id": "B"}, branch=None)])
    frame = run(book, TEAM).allocation.set_index("customer_id")
    assert frame.loc["A", "keeper"] is not None and not pd.isna(frame.loc["A", "keeper"])
    assert pd.isna(frame.loc["B", "keeper"]) and frame.loc["B", "reason"] == "no_branch"


def test_a_customer_id_twice_is_a_data_error():
    with pytest.raises(DataError, match="twice"):
        run(customers({"customer_id": "A"}, {"customer_id": "A"}), TEAM)


def test_a_claimant_on_no_staff_list_is_declined():
    result = run(customers({"customer_id": "A"}), TEAM, claims=claims(("nobody", "A")))
    assert result.declined["reason"].tolist() == ["claimant_unknown"]
