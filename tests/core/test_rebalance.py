"""``allocate --rebalance N``: who moves, where to, how many, and the frontier, on hand-made branches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from allocation_helpers import claims, customers, keeper_of, previous, run, staff
from branchkit.core.rebalance_frontier import Solution, _shares
from branchkit.rules import load_rules

TELLERS = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "comprehensive_teller"))


def _book(*rows: tuple) -> pd.DataFrame:
    """Rows of (customer_id, keeper, deposit) or (..., loan): general tier unless the money says otherwise."""
    return customers(*({"customer_id": r[0], "keeper": r[1], "deposit": float(r[2]),
                        "loan": float(r[3]) if len(r) > 3 else 0.0} for r in rows))


# t1 keeps six general customers (E locked, F claimed by t1 itself), t2 none: spread 6.
SIX = _book(("A", "t1", 500), ("B", "t1", 100), ("C", "t1", 100), ("D", "t1", 300), ("E", "t1", 0),
            ("F", "t1", 0))
PINNED = {"previous": previous(("E", "t1", True)), "claims": claims(("t1", "F"))}


def _pool(result, roles: str) -> dict:
    return result.rebalance_pools.set_index("pool_roles").loc[roles].to_dict()


@pytest.mark.parametrize(("budget", "moved", "after"), [
    (0, [], 6.0), (1, ["B"], 4.0), (2, ["B", "C"], 2.0), (3, ["B", "C", "D"], 0.0), (4, ["B", "C", "D"], 0.0)])
def test_the_smallest_deposits_move_first_and_never_more_than_the_budget(budget, moved, after):
    result = run(SIX, TELLERS, rebalance=budget, **PINNED)
    frame = result.allocation.set_index("customer_id")
    assert sorted(frame.index[frame["source"] == "rebalance"]) == moved
    assert all(frame.loc[c, "keeper"] == "t2" and frame.loc[c, "reason"] == "rebalance" for c in moved)
    assert frame.loc[["E", "F"], "keeper"].tolist() == ["t1", "t1"]       # locked and claimed stay
    pool = _pool(result, "low_counter+comprehensive_teller")
    assert (pool["spread_before"], pool["spread_after"], pool["moves"]) == (6.0, after, len(moved))
    changes = result.changes.set_index("customer_id")
    assert sorted(changes.index[changes["reason"] == "rebalance"]) == moved
    assert set(changes.loc[moved, "previous_keeper"]) <= {"t1"}


def test_equal_deposits_move_by_customer_id():
    book = _book(("Z", "t1", 100), ("Y", "t1", 100), ("X", "t1", 200), ("W", "t1", 100))
    frame = run(book, TELLERS, rebalance=1).allocation.set_index("customer_id")
    assert frame.index[frame["source"] == "rebalance"].tolist() == ["W"]


def test_the_frontier_never_rises_and_uses_the_fewest_moves():
    result = run(SIX, TELLERS, rebalance=2, **PINNED)
    frontier = result.rebalance_frontier
    assert frontier["budget"].tolist()[:-1] == [0, 10, 20, 50, 100] and pd.isna(frontier["budget"].iloc[-1])
    assert frontier["spread"].tolist() == [6.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert frontier["moves"].tolist() == [0, 3, 3, 3, 3, 3]           # 3 reach 0: more are never used


def test_budget_zero_moves_nobody_and_shows_the_frontier_and_no_budget_computes_nothing():
    plain, zero = run(SIX, TELLERS, **PINNED), run(SIX, TELLERS, rebalance=0, **PINNED)
    assert keeper_of(plain) == keeper_of(zero)
    assert plain.rebalance_frontier.empty and plain.rebalance_pools.empty
    assert zero.rebalance_frontier["spread"].iloc[0] == 6.0 and zero.rebalance_frontier["moves"].iloc[-1] == 3


def test_the_rules_default_budget_applies_without_the_option(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[allocation]\nrebalance = 2\n", encoding="utf-8")
    result = run(SIX, TELLERS, rules=load_rules(path), **PINNED)
    assert (result.allocation["source"] == "rebalance").sum() == 2


def test_capacity_limits_what_a_member_may_receive(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[allocation.capacity]\ncomprehensive_teller = { high = 0, mid = 0, general = 1 }\n",
                    encoding="utf-8")
    result = run(SIX, TELLERS, rules=load_rules(path), rebalance=5, **PINNED)
    frame = result.allocation.set_index("customer_id")
    assert frame.index[frame["source"] == "rebalance"].tolist() == ["B"]     # room for one: 5 - 1
    assert _pool(result, "low_counter+comprehensive_teller")["spread_after"] == 4.0


def test_a_member_already_over_capacity_receives_none_of_that_tier(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[allocation.capacity]\ncomprehensive_teller = { high = 0, mid = 0, general = 2 }\n",
                    encoding="utf-8")
    book = _book(*((f"A{i}", "t1", 1) for i in range(9)), *((f"B{i}", "t2", 1) for i in range(3)))
    result = run(book, TELLERS, rules=load_rules(path), rebalance=5)
    assert (result.allocation["source"] == "rebalance").sum() == 0
    assert _pool(result, "low_counter+comprehensive_teller")["spread_after"] == 6.0


def test_only_roles_on_the_route_with_capacity_for_the_tier_receive():
    team = staff(("h1", "head"), ("l1", "lobby_manager"), ("l2", "lobby_manager"), ("g1", "lobby_guide"))
    # Mid-tier customers of l1: the guide has no mid capacity (and no mid step); l2 may take them.
    book = _book(*((f"M{i}", "l1", 150_000 + i) for i in range(4)))
    frame = run(book, team, rebalance=10).allocation.set_index("customer_id")
    moved = frame[frame["source"] == "rebalance"]
    assert set(moved["keeper"]) == {"l2"} and len(moved) == 2


def test_a_loan_customer_never_moves_to_a_role_that_may_not_keep_it(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[allocation]\nequal_rank = [["head", "deputy"], ["retail_rm", "low_counter"]]\n',
                    encoding="utf-8")
    team = staff(("h1", "head"), ("r1", "retail_rm"), ("t1", "low_counter"))
    book = _book(("L1", "r1", 10, 1_000), ("L2", "r1", 10, 1_000), ("N1", "r1", 10), ("N2", "r1", 10))
    frame = run(book, team, rules=load_rules(path), rebalance=10).allocation.set_index("customer_id")
    assert frame.loc[["L1", "L2"], "keeper"].tolist() == ["r1", "r1"]
    assert frame.loc[["N1", "N2"], "keeper"].tolist() == ["t1", "t1"]


def test_declined_claims_targets_and_staff_on_leave_stay_out_of_it():
    team = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "comprehensive_teller"),
                 ("t3", "low_counter", "on_leave"))
    book = _book(("A", "t1", 1), ("B", "t1", 1), ("C", "t3", 1), ("D", "t3", 1))
    book.loc[len(book)] = {**book.iloc[0].to_dict(), "customer_id": "T", "status": "target", "keeper": "h1"}
    result = run(book, team, rebalance=10, claims=claims(("t3", "A")))      # declined: t3 is on leave
    frame = result.allocation.set_index("customer_id")
    assert frame.loc["A", "keeper"] == "t1" and frame.loc["T", ["keeper", "source"]].tolist() == ["h1", "target"]
    assert frame.loc[["C", "D"], "keeper"].tolist() == ["t3", "t3"]
    assert frame.loc["B", "keeper"] == "t2" and frame.loc["B", "source"] == "rebalance"
    assert _pool(result, "low_counter+comprehensive_teller")["members"] == 2


def test_the_budget_goes_where_it_removes_the_most_spread():
    team = staff(("h1", "head"), ("t1", "low_counter"), ("t2", "low_counter"), ("r1", "retail_rm"),
                 ("r2", "retail_rm"))
    # Tellers: 4 general vs 0 (one move of weight 1 removes 2); RMs: 2 mid vs 0 (one move of weight 2 removes 4).
    book = _book(*((f"G{i}", "t1", 1) for i in range(4)), *((f"M{i}", "r1", 150_000) for i in range(2)))
    result = run(book, team, rebalance=1)
    frame = result.allocation.set_index("customer_id")
    assert frame.index[frame["source"] == "rebalance"].tolist() == ["M0"]
    assert (_pool(result, "low_counter+comprehensive_teller")["spread_after"], _pool(result, "retail_rm")["spread_after"]) == (4.0, 0.0)
    assert result.rebalance_frontier[["moves", "spread"]].values.tolist()[:2] == [[0, 8.0], [3, 0.0]]


def test_branches_rebalance_apart_and_jobs_give_the_same_result():
    east = _book(("A", "t1", 1), ("B", "t1", 1), ("C", "t1", 1))
    west = customers(*({"customer_id": f"W{i}", "keeper": "w1", "deposit": 1.0} for i in range(5)), branch="城西支行")
    team_w = staff(("wh", "head"), ("w1", "low_counter"), ("w2", "low_counter"), branch="城西支行")
    one = run(pd.concat([east, west]), pd.concat([TELLERS, team_w]), rebalance=1)
    two = run(pd.concat([west, east]), pd.concat([TELLERS, team_w]), rebalance=1, jobs=2)
    assert (one.allocation["source"] == "rebalance").sum() == 2                  # one per branch
    for name in ("allocation", "changes", "rebalance_pools", "rebalance_frontier", "balance"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))


def test_branches_solved_on_threads_give_what_one_thread_gives(monkeypatch):
    import branchkit.core.rebalance as rebalance_module

    east = _book(("A", "t1", 1), ("B", "t1", 1), ("C", "t1", 1))
    west = customers(*({"customer_id": f"W{i}", "keeper": "w1", "deposit": 1.0} for i in range(5)), branch="城西支行")
    team_w = staff(("wh", "head"), ("w1", "low_counter"), ("w2", "low_counter"), branch="城西支行")
    results = []
    for cores in (1, 4):
        monkeypatch.setattr(rebalance_module.os, "cpu_count", lambda cores=cores: cores)
        results.append(run(pd.concat([west, east]), pd.concat([TELLERS, team_w]), rebalance=2))
    one, many = results
    assert (many.allocation["source"] == "rebalance").sum() == 3                 # 1 in the east, 2 in the west
    for name in ("allocation", "changes", "rebalance_pools", "rebalance_frontier", "balance"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(many, name))


def _point(moves: int, spread: float, marker: int) -> Solution:
    """A point of a pool's curve whose moves are told apart by ``marker`` (one candidate of six)."""
    count = np.zeros(6, dtype="int64")
    count[marker] = moves
    return Solution(count, moves, spread)


# Pool A: 1 move -> 5, 2 moves -> 4 (from 10); pool B: only 2 moves help, 10 -> 2.
POOL_A = [_point(0, 10.0, 0), _point(1, 5.0, 0), _point(2, 4.0, 0)]
POOL_B = [_point(0, 10.0, 1), _point(2, 2.0, 1)]


@pytest.mark.parametrize("budget, expected", [(0, [0, 0]), (1, [1, 0]), (2, [0, 2]), (3, [1, 2]), (4, [2, 2]),
                                              (9, [2, 2])])
def test_the_budget_is_shared_among_pools_for_the_least_total_spread(budget, expected):
    # At 2 the best first move (A's) is not part of the optimum: all of it goes to B (12 < 14 < 15).
    count = _shares([POOL_A, POOL_B], budget, 6)
    assert count[:2].tolist() == expected and count[2:].sum() == 0


def test_equal_total_spreads_take_the_fewest_moves_then_leave_the_earlier_pool_smaller():
    a = [_point(0, 10.0, 0), _point(1, 6.0, 0), _point(3, 4.0, 0)]
    b = [_point(0, 10.0, 1), _point(1, 8.0, 1)]
    # Budget 3: A's 3 moves + none of B and one move each both leave 14; the fewest moves (2) win.
    assert _shares([a, b], 3, 6)[:2].tolist() == [1, 1]
    same = [_point(0, 10.0, 1), _point(1, 6.0, 1)]
    # Budget 1: one move in either pool leaves 16: the earlier pool keeps its smaller point (the move goes
    # to the later pool), whichever pool that is.
    assert _shares([a, same], 1, 6)[:2].tolist() == [0, 1]
    assert _shares([same, a], 1, 6)[:2].tolist() == [1, 0]


def test_the_rebalance_tells_its_progress_a_branch_at_a_time():
    from branchkit import progress

    class Listener:
        def __init__(self):
            self.steps = []             # [description, total, items advanced]

        def step(self, description, total=None):
            self.steps.append([description, total, 0])

        def advance(self, count=1):
            self.steps[-1][2] += count

    east = _book(("A", "t1", 1), ("B", "t1", 1), ("C", "t1", 1))
    west = customers(*({"customer_id": f"W{i}", "keeper": "w1", "deposit": 1.0} for i in range(5)), branch="城西支行")
    team_w = staff(("wh", "head"), ("w1", "low_counter"), ("w2", "low_counter"), branch="城西支行")
    listener = Listener()
    previous = progress.listen(listener)
    try:
        run(pd.concat([west, east]), pd.concat([TELLERS, team_w]), rebalance=1)
    finally:
        progress.listen(previous)
    assert ["rebalancing the pools", 2, 2] in listener.steps
