"""Exact distribution where capacities bind: no spill deeper than needed, then balance; the greedy otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import branchkit.core.allocate as allocate_module
import branchkit.core.milp as milp
import branchkit.core.spills as spills
from allocation_helpers import customers, run, staff
from branchkit.rules import load_rules

TIGHT = ("[allocation.capacity]\nretail_rm = { high = 0, mid = 10, general = 0 }\n"
         "low_counter = { high = 0, mid = 10, general = 10 }\n")
# Ten mid-tier loan customers (route: retail RM, then leadership) and twenty mid-tier customers without loans
# (route: retail RM, tellers, lobby manager, leadership). The greedy deals the loans first: they fill the RM,
# and ten customers without loans go two steps down to the lobby manager.
LOANS = [{"customer_id": f"A{i:02d}", "deposit": 200_000.0 + i, "loan": 10_000.0} for i in range(10)]
PLAIN = [{"customer_id": f"B{i:02d}", "deposit": 150_000.0 + i} for i in range(20)]


@pytest.fixture
def tight(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TIGHT, encoding="utf-8")
    return load_rules(path)


def _by_keeper(result) -> dict[tuple[str, str], list[str]]:
    frame = result.allocation
    return {k: sorted(g["customer_id"]) for k, g in frame.groupby(["keeper", "source"])}


def test_the_exact_distribution_keeps_every_spill_one_step_down(tight):
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"), ("l1", "lobby_manager"))
    result = run(customers(*LOANS, *PLAIN), team, rules=tight)
    assert _by_keeper(result) == {
        ("h1", "spill"): [f"A{i:02d}" for i in range(10)],             # loans: one step down, to the head
        ("r1", "distributed"): [f"B{i:02d}" for i in range(10, 20)],   # the largest deposits at the first step
        ("t1", "spill"): [f"B{i:02d}" for i in range(10)],             # the rest one step down
    }


def test_the_greedy_alone_spills_deeper_there(tight, monkeypatch):
    monkeypatch.setattr(allocate_module, "respill", lambda *args: None)
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"), ("l1", "lobby_manager"))
    greedy = _by_keeper(run(customers(*LOANS, *PLAIN), team, rules=tight))
    assert ("l1", "spill") in greedy and len(greedy[("l1", "spill")]) == 10


def test_then_the_load_is_balanced_within_the_pool(tight):
    team = staff(("h1", "head"), ("d1", "deputy"), ("r1", "retail_rm"), ("t1", "low_counter"),
                 ("l1", "lobby_manager"))
    result = run(customers(*LOANS, *PLAIN), team, rules=tight)
    frame = result.allocation
    loans = frame[frame["customer_id"].str.startswith("A")]
    assert loans["keeper"].value_counts().to_dict() == {"d1": 5, "h1": 5}
    assert not frame["keeper"].eq("l1").any()


def test_when_nothing_binds_the_greedy_stands_and_no_solver_runs(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the solver ran although nothing spilled")

    monkeypatch.setattr(milp.Solver, "__init__", refuse)
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"))
    result = run(customers(*LOANS, *PLAIN), team)
    assert set(result.allocation["source"]) == {"distributed"}


@pytest.mark.parametrize(("when_full", "keeper_left"), [("overflow", True), ("leave", False)])
def test_customers_without_room_are_the_fewest_and_follow_when_full(tmp_path, when_full, keeper_left):
    path = tmp_path / "r.toml"
    path.write_text(TIGHT + "head = { high = 0, mid = 5, general = 0 }\nlobby_manager = { high = 0, mid = 0, "
                    f"general = 0 }}\n[allocation]\nwhen_full = \"{when_full}\"\n", encoding="utf-8")
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"))
    result = run(customers(*LOANS, *PLAIN), team, rules=load_rules(path))
    frame = result.allocation.set_index("customer_id")
    full = frame[frame["reason"] == "all_eligible_full"]
    # Room: r1 10 + t1 10 + h1 5 = 25 of 30. Least depth: the customers without loans fill r1 (step 1) and t1
    # (step 2); five loans go to h1 (step 2 of theirs) and five have no room, counted one step past h1.
    assert sorted(full.index) == [f"A{i:02d}" for i in range(5)]        # the smallest deposits of their class
    assert full["keeper"].notna().all() == keeper_left
    assert full["over_capacity"].all() == keeper_left
    if keeper_left:
        assert set(full["keeper"]) <= {"r1", "h1"}                        # over capacity, on their own route
    assert sorted(frame.index[frame["keeper"].eq("r1") & ~frame["over_capacity"]]) == [f"B{i:02d}" for i in
                                                                                       range(10, 20)]


def test_binding_branches_solved_on_threads_equal_one_thread_and_each_branch_alone(tight, monkeypatch):

    names = ["城东支行", "城西支行", "城南支行", "城北支行"]
    frames, teams = [], []
    for k, name in enumerate(names):
        # Each branch binds differently (k more loans, k fewer plain customers), so a count given to the wrong
        # branch would show.
        extra = [{"customer_id": f"C{i:02d}", "deposit": 210_000.0 + i, "loan": 10_000.0} for i in range(k)]
        loans = [{**c, "customer_id": f"{k}{c['customer_id']}"} for c in LOANS + extra]
        plain = [{**c, "customer_id": f"{k}{c['customer_id']}"} for c in PLAIN[k:]]
        frames.append(customers(*loans, *plain, branch=name))
        teams.append(staff((f"h{k}", "head"), (f"d{k}", "deputy"), (f"r{k}", "retail_rm"), (f"t{k}", "low_counter"),
                           (f"l{k}", "lobby_manager"), branch=name))

    solved = []
    real = spills.solve_branch
    monkeypatch.setattr(spills, "solve_branch", lambda *a: solved.append(1) or real(*a))
    monkeypatch.setattr(spills.os, "cpu_count", lambda: 4)
    threaded = run(pd.concat(frames, ignore_index=True), pd.concat(teams, ignore_index=True), rules=tight).allocation
    assert len(solved) == 4                                                   # every branch binds
    monkeypatch.setattr(spills.os, "cpu_count", lambda: 1)
    serial = run(pd.concat(frames, ignore_index=True), pd.concat(teams, ignore_index=True), rules=tight).allocation
    pd.testing.assert_frame_equal(threaded, serial)
    alone = pd.concat([run(f, t, rules=tight).allocation for f, t in zip(frames, teams)])
    key = ["customer_id", "keeper", "source"]
    assert sorted(map(tuple, threaded[key].astype(str).to_numpy())) == sorted(map(tuple, alone[key].astype(str).to_numpy()))
    assert threaded.groupby("branch")["keeper"].apply(lambda k: k.str[1:].eq(str(names.index(k.name))).all()).all()


def _book(frame: pd.DataFrame, rules):
    from branchkit.core.allocate import conform
    from branchkit.core.network import Customers, Matrices, Staff, branch_codes

    frame = conform(frame, "customers")
    team = conform(staff(("h1", "head")), "staff")
    codes, _, names = branch_codes(frame, team)
    m = Matrices.build(rules.allocation)
    return Customers.build(frame, codes, rules, m), m, names


def test_classes_of_several_branches_sort_each_branch_as_it_would_be_sorted_alone(tight):
    # Ids interleave across the branches and deposits tie, so a sort that did not put the branch first, or
    # ranked ids over the wrong customers, would mix the branches' customers or order a tie by the other id.
    rows = [{"customer_id": cid, "deposit": deposit, "branch": branch}
            for cid, deposit, branch in [("B3", 150_000.0, "城西支行"), ("B1", 150_000.0, "城东支行"),
                                         ("B2", 150_000.0, "城西支行"), ("B0", 150_000.0, "城东支行"),
                                         ("B5", 160_000.0, "城东支行"), ("B4", 250_000.0, "城西支行")]]
    frame = pd.concat([customers(r, branch=r["branch"]) for r in rows], ignore_index=True)
    book, m, names = _book(frame, tight)
    ids = book.frame["customer_id"].to_numpy()
    every = np.arange(len(frame))
    together, none = spills.classes(book, every, tight.allocation, m, np.arange(len(names)))
    assert not len(none)
    assert [ids[c.positions].tolist() for c in together] == [["B5", "B0", "B1"], ["B4", "B2", "B3"]]
    assert [c.cls.tolist() for c in together] == [[0, 0, 0], [0, 1, 1]]     # B4 is high tier: a class of its own
    assert [c.size.tolist() for c in together] == [[3], [1, 2]]
    for b, c in enumerate(together):
        alone, _ = spills.classes(book, every[book.branch == b], tight.allocation, m, np.array([b]))
        assert ids[alone[0].positions].tolist() == ids[c.positions].tolist()
        assert alone[0].steps == c.steps and alone[0].tier.tolist() == c.tier.tolist()


def test_classes_leave_a_branch_whose_customers_no_route_takes_with_no_class(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TIGHT + '[[allocation.routes]]\nname = "mid"\nwhen = { tier = ["mid"] }\nroles = ["rm"]\n',
                    encoding="utf-8")
    rules = load_rules(path)
    rows = [{"customer_id": "C1", "deposit": 50_000.0, "branch": "城东支行"},
            {"customer_id": "C2", "deposit": 150_000.0, "branch": "城西支行"}]
    frame = pd.concat([customers(r, branch=r["branch"]) for r in rows], ignore_index=True)
    book, m, names = _book(frame, rules)
    together, none = spills.classes(book, np.arange(2), rules.allocation, m, np.arange(len(names)))
    assert book.frame["customer_id"].to_numpy()[none].tolist() == ["C1"]
    assert [len(c.positions) for c in together] == [0, 1] and together[0].size.tolist() == []
    assert together[1].steps == [[("retail_rm",)]]


def test_solving_order_takes_the_branches_with_most_staff_first_and_ties_in_branch_order():
    assert spills.solving_order([3, 5, 5, 1, 5]) == [1, 2, 4, 0, 3]     # not ascending, ties not reversed
    assert spills.solving_order([2, 2, 2]) == [0, 1, 2]
    assert spills.solving_order([]) == []


def test_binding_branches_are_solved_most_staff_first_and_placed_in_branch_order(tight, monkeypatch):
    # Three branches binding alike, with 1, 3 and 2 extra lobby managers: the solver takes the second branch,
    # then the third, then the first (their models have more columns in that order too).
    names = ["城东支行", "城西支行", "城南支行"]
    frames, teams = [], []
    for k, (name, extra) in enumerate(zip(names, (1, 3, 2))):
        frames.append(customers(*[{**c, "customer_id": f"{k}{c['customer_id']}"} for c in LOANS + PLAIN],
                                branch=name))
        lobby = [(f"l{k}{j}", "lobby_manager") for j in range(extra)]
        teams.append(staff((f"h{k}", "head"), (f"r{k}", "retail_rm"), (f"t{k}", "low_counter"), *lobby, branch=name))
    solved = []
    real = spills.solve_branch

    def solve(c, lane, *rest):
        solved.append((int(c.positions.min()) // len(LOANS + PLAIN), len(lane.cls)))
        return real(c, lane, *rest)

    monkeypatch.setattr(spills, "solve_branch", solve)
    monkeypatch.setattr(spills.os, "cpu_count", lambda: 1)           # one thread: solved as submitted
    result = run(pd.concat(frames, ignore_index=True), pd.concat(teams, ignore_index=True), rules=tight).allocation
    assert [branch for branch, _ in solved] == [1, 2, 0]
    assert [size for _, size in solved] == sorted((size for _, size in solved), reverse=True)
    alone = pd.concat([run(f, t, rules=tight).allocation for f, t in zip(frames, teams)])
    key = ["customer_id", "keeper", "source"]
    assert sorted(map(tuple, result[key].astype(str).to_numpy())) == sorted(map(tuple, alone[key].astype(str).to_numpy()))
