"""Rebalance (issue 19): at most N customers per branch move, to even out the load within pools.

After the rules have done their work (kept keepers, claims, distribution),
most of the remaining spread comes from customers kept from last month. With
a budget of N moves per branch, some of those customers move to another
member of their keeper's pool (``core.pools``) so that the branch's spread
(the sum over its pools of highest minus lowest weighted load) is as small
as it can be, and then the number of moves is as small as it can be.

What may move: an existing customer in scope who stays with its keeper this
month (source ``kept``), not locked, named in no claim, kept by an active
member of a balanced pool. Where it may go: another active member of the
same pool whose role is on the customer's route (so the hard rule for loan
customers holds) and has capacity for its tier; a member never ends above
its capacity for a tier unless it already was (and then it receives none of
that tier). Customers distributed this month stay where the distribution put
them, so a budget of 0 is exactly the allocation without rebalance.

The model is solved exactly (``core.rebalance_frontier``, HiGHS) on groups of
identical customers: a group is (keeper, tier, the roles it may go to), and a
variable counts the customers of a group moving to one member; a branch of
20,000 customers is a few thousand variables. Which customers of a group move
is then decided by rule: the smallest deposits first, then the customer id.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit import progress
from branchkit.core.distribute import Placement, route_at
from branchkit.core.network import ROLES, Customers, Matrices, Staff, concrete_steps
from branchkit.core.pools import Pools
from branchkit.core.rebalance_frontier import UNLIMITED, Branch, Movable, Solution, frontier_of
from branchkit.core.tiers import TIERS
from branchkit.rules import AllocationRules

_BIT = {r: 1 << i for i, r in enumerate(ROLES)}


@dataclass
class Outcome:
    """What a rebalance did: the customers moved and the per-pool and per-budget tables (branch codes)."""

    moved: np.ndarray          # customer positions
    previous: np.ndarray       # their keeper before the move
    pools: pd.DataFrame        # branch, pool, pool_roles, members, spread_before, spread_after, moves
    frontier: pd.DataFrame     # branch, budget, moves, spread


def route_roles(customers: Customers, positions: np.ndarray, rules: AllocationRules, m: Matrices) -> np.ndarray:
    """Bit mask of the roles on each customer's route (loan customers: only the roles the hard rule allows)."""
    route = route_at(customers, positions, rules)
    rm = m.rm[np.maximum(customers.kind[positions], 0)]
    loan = customers.has_loan[positions].astype("int64")
    key = (route + 1) * (2 * len(ROLES)) + rm * 2 + loan
    uniques, inverse = np.unique(key, return_inverse=True)
    masks = np.zeros(len(uniques), dtype="int64")
    for i, k in enumerate(uniques.tolist()):
        r, rest = divmod(k, 2 * len(ROLES))
        if r == 0:
            continue
        steps = concrete_steps(rules.routes[r - 1].roles, ROLES[rest // 2], bool(rest % 2), rules)
        masks[i] = sum({_BIT[role] for step in steps for role in step})
    return masks[inverse]


def movable(customers: Customers, people: Staff, out: Placement, fixed: np.ndarray, pool: np.ndarray,
            pools: Pools, rules: AllocationRules, m: Matrices) -> Movable:
    """The customers a rebalance may move (``fixed``: locked or claimed), grouped."""
    keeper = out.keeper
    at = np.maximum(keeper, 0)
    ok = (keeper >= 0) & customers.existing & customers.in_scope & (out.source == "kept") & ~fixed
    ok &= pool[at] >= 0
    positions = np.flatnonzero(ok)
    role_bits = np.array([1 << i for i in range(len(ROLES))] + [0], dtype="int64")
    pool_bits = np.zeros(len(pools.roles), dtype="int64")
    for p, roles in enumerate(pools.roles):
        pool_bits[p] = sum(_BIT[r] for r in roles)
    cap_bits = np.array([(role_bits[:len(ROLES)] * (m.capacity[:len(ROLES), t] > 0)).sum()
                         for t in range(len(TIERS))], dtype="int64")
    allowed = (route_roles(customers, positions, rules, m) & cap_bits[customers.tier[positions]]
               & pool_bits[pool[keeper[positions]]])
    keep = allowed != 0
    positions, allowed = positions[keep], allowed[keep]
    branch, who, tier = customers.branch[positions], keeper[positions], customers.tier[positions]
    order = np.lexsort((customers.id_order(positions), customers.deposit[positions], allowed, tier,
                        people.order[who], branch))
    positions, allowed, branch, who, tier = (a[order] for a in (positions, allowed, branch, who, tier))
    first = np.r_[True, (np.diff(branch) != 0) | (np.diff(who) != 0) | (np.diff(tier) != 0)
                  | (np.diff(allowed) != 0)] if len(positions) else np.zeros(0, bool)
    group = np.cumsum(first) - 1
    heads = np.flatnonzero(first)
    return Movable(positions, group, branch[heads], who[heads], tier[heads], allowed[heads],
                   np.bincount(group, minlength=len(heads)).astype("int64"))


def rebalance(customers: Customers, people: Staff, out: Placement, fixed: np.ndarray, budget: int,
              rules: AllocationRules, m: Matrices) -> Outcome:
    """Move at most ``budget`` customers per branch (in place in ``out``); the pools and the frontier.

    ``fixed`` marks customers that never move (locked, claimed, or with their marketer). The frontier
    has every budget of ``rules.rebalance_frontier`` and the unlimited one.
    """
    pools = Pools.of(rules, m.capacity)
    branches = np.unique(customers.branch)
    pool = pools.members(people, branches)
    load, count = _loads(customers, people, out.keeper)
    cap = m.capacity[people.role].T
    mv = movable(customers, people, out, fixed, pool, pools, rules, m)
    budgets = sorted(set(rules.rebalance_frontier) | {budget})
    chosen, frontier = [], []
    # Branches share nothing a frontier changes (each model is its own single-threaded, seeded HiGHS
    # instance, which releases the GIL while it solves): solved on a thread per core, taken in branch order,
    # they give what one after another gives. An error or Ctrl-C cancels the branches not started.
    executor = ThreadPoolExecutor(max(1, min(len(branches), os.cpu_count() or 1)))
    progress.step("rebalancing the pools", total=len(branches))      # minutes on large branches
    try:
        work = []
        for b in branches.tolist():
            branch = Branch.of(b, mv, people, pool, load, m)
            work.append((b, branch, None if branch is None else
                         executor.submit(frontier_of, branch, budgets, mv, count, cap, m)))
        for b, branch, solving in work:
            if solving is None:                     # no pool to balance: the frontier is flat at 0
                solutions = {k: Solution(np.zeros(0, dtype="int64"), 0, 0.0) for k in [*budgets, UNLIMITED]}
            else:
                solutions = solving.result()
                chosen.append((branch, solutions[budget]))
            frontier += [(b, k, s.moves, s.spread) for k, s in sorted(solutions.items(), key=_budget_order)
                         if k in rules.rebalance_frontier or k == UNLIMITED]
            progress.advance()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    moved, previous = _apply(mv, chosen, out)
    after, _ = _loads(customers, people, out.keeper)
    return Outcome(moved, previous, _pool_table(people, pool, pools, load, after, previous),
                   pd.DataFrame(frontier, columns=["branch", "budget", "moves", "spread"]))


def _budget_order(item: tuple[int, Solution]) -> tuple[bool, int]:
    return item[0] == UNLIMITED, item[0]


def _loads(customers: Customers, people: Staff, keeper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted load per person, and customers per tier and person (existing customers)."""
    n = len(people.role)
    kept = (keeper >= 0) & customers.existing
    load = np.bincount(keeper[kept], weights=customers.weight[kept], minlength=n).astype("float64")
    count = np.zeros((len(TIERS), n), dtype="int64")
    np.add.at(count, (customers.tier[kept], keeper[kept]), 1)
    return load, count


def _apply(mv: Movable, chosen: list[tuple[Branch, Solution]], out: Placement) -> tuple[np.ndarray, np.ndarray]:
    """Move the chosen counts: in each group the smallest deposits first, then the customer id."""
    if not chosen:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    group = np.concatenate([b.group for b, _ in chosen])
    member = np.concatenate([b.member for b, _ in chosen])
    count = np.concatenate([s.count for _, s in chosen])
    wanted = np.bincount(group, weights=count, minlength=len(mv.size)).astype("int64")
    start = np.searchsorted(mv.group, np.arange(len(mv.size)))
    rank = np.arange(len(mv.positions)) - start[mv.group]
    moved = mv.positions[rank < wanted[mv.group]]
    previous = out.keeper[moved].copy()
    out.keeper[moved] = np.repeat(member, count)       # both in group order, members in staff id order
    out.source[moved] = "rebalance"
    return moved, previous


def _pool_table(people: Staff, pool: np.ndarray, pools: Pools, before: np.ndarray, after: np.ndarray,
                previous: np.ndarray) -> pd.DataFrame:
    """Per branch and pool: members, spread before and after, customers moved."""
    at = np.flatnonzero(pool >= 0)
    frame = pd.DataFrame({"branch": people.branch[at], "pool": pool[at], "before": before[at], "after": after[at]})
    g = frame.groupby(["branch", "pool"], sort=True)
    out = pd.DataFrame({"members": g.size(), "spread_before": g["before"].max() - g["before"].min(),
                        "spread_after": g["after"].max() - g["after"].min()}).reset_index()
    width = len(pools.roles)
    moved = np.bincount(people.branch[previous] * width + pool[previous],
                        minlength=int(people.branch.max(initial=0) + 1) * width)
    out["moves"] = moved[out["branch"].to_numpy() * width + out["pool"].to_numpy()].astype("int64")
    out["pool_roles"] = [pools.key(p) for p in out["pool"]]
    return out


__all__ = ["Outcome", "movable", "rebalance", "route_roles"]
