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

The model is solved exactly (``core.milp``, HiGHS) on groups of identical
customers: a group is (keeper, tier, the roles it may go to), and a variable
counts the customers of a group moving to one member; a branch of 20,000
customers is a few thousand variables. Which customers of a group move is
then decided by rule: the smallest deposits first, then the customer id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.core.distribute import Placement, route_at
from branchkit.core.milp import INF, Model, Solver, tolerance
from branchkit.core.network import ROLES, Customers, Matrices, Staff, concrete_steps
from branchkit.core.pools import Pools
from branchkit.core.tiers import TIERS
from branchkit.rules import AllocationRules

#: A budget with no limit (the frontier's "all").
UNLIMITED = -1
_BIT = {r: 1 << i for i, r in enumerate(ROLES)}


@dataclass
class Movable:
    """Customers that may move, grouped: each group's branch, keeper, tier, allowed roles and size."""

    positions: np.ndarray     # customer positions, sorted by group, then smallest deposit, then id
    group: np.ndarray         # group of each position
    branch: np.ndarray        # per group
    keeper: np.ndarray
    tier: np.ndarray
    allowed: np.ndarray       # bit mask of roles (``1 << role code``)
    size: np.ndarray


@dataclass
class Solution:
    """One branch's rebalance at one budget: customers moved per candidate move, total moves, branch spread."""

    count: np.ndarray
    moves: int
    spread: float


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


@dataclass
class Branch:
    """One branch: its pool members and every candidate move (a group's customers to one member)."""

    group: np.ndarray          # per candidate move
    member: np.ndarray
    keeper: np.ndarray
    weight: np.ndarray
    members: np.ndarray        # the branch's pool members, in staff id order
    pool: np.ndarray           # their pools
    load: np.ndarray           # their loads before

    @classmethod
    def of(cls, b: int, mv: Movable, people: Staff, pool: np.ndarray, load: np.ndarray,
           m: Matrices) -> "Branch | None":
        """Branch ``b``'s candidates; None when it has no pool member."""
        groups = np.flatnonzero(mv.branch == b)
        members = np.flatnonzero((pool >= 0) & (people.branch == b))
        if not len(members):
            return None
        members = members[np.argsort(people.order[members], kind="stable")]
        gi, si = np.repeat(groups, len(members)), np.tile(members, len(groups))
        keep = ((pool[si] == pool[mv.keeper[gi]]) & (si != mv.keeper[gi])
                & ((mv.allowed[gi] >> people.role[si]) & 1).astype(bool))
        gi, si = gi[keep], si[keep]
        return cls(gi, si, mv.keeper[gi], m.weight[mv.tier[gi]], members, pool[members], load[members])

    def solution(self, count: np.ndarray) -> Solution:
        """The moves ``count`` (per candidate) with the branch's spread they leave."""
        local = {int(s): i for i, s in enumerate(self.members)}
        delta = np.zeros(len(self.members))
        used = np.flatnonzero(count)
        np.add.at(delta, [local[int(s)] for s in self.member[used]], self.weight[used] * count[used])
        np.add.at(delta, [local[int(s)] for s in self.keeper[used]], -self.weight[used] * count[used])
        return Solution(count, int(count.sum()), pool_spread(self.pool, self.load + delta))

    def pool_of(self, staff: np.ndarray) -> np.ndarray:
        """The pool of members (staff positions)."""
        order = np.argsort(self.members)
        return self.pool[order[np.searchsorted(self.members, staff, sorter=order)]]

    def pools(self) -> np.ndarray:
        """The pools with candidate moves."""
        return np.unique(self.pool[np.isin(self.members, self.keeper)])


def pool_spread(pool: np.ndarray, load: np.ndarray) -> float:
    """Sum over pools of highest minus lowest load (``pool`` and ``load`` per member)."""
    if not len(pool):
        return 0.0
    _, at = np.unique(pool, return_inverse=True)
    high, low = np.full(at.max() + 1, -np.inf), np.full(at.max() + 1, np.inf)
    np.maximum.at(high, at, load)
    np.minimum.at(low, at, load)
    return float((high - low).sum())


@dataclass
class _Model:
    solver: Solver
    moves: np.ndarray          # the candidates in the model
    spread_cost: np.ndarray
    move_cost: np.ndarray
    budget_row: int
    whole: bool                # every load is whole (whole tier weights)
    most: int                  # the most customers the model could move


def _model(branch: Branch, pools: np.ndarray, mv: Movable, count: np.ndarray, cap: np.ndarray, m: Matrices,
           floors: np.ndarray | None = None) -> _Model:
    """The exact model of the branch's moves within ``pools`` (``floors``: each pool's least spread, if known)."""
    moves = np.flatnonzero(np.isin(branch.pool_of(branch.keeper), pools))
    gi, si, ki, w = branch.group[moves], branch.member[moves], branch.keeper[moves], branch.weight[moves]
    model = Model()
    y = model.columns(len(gi), 0.0, mv.size[gi].astype("float64"))
    inner = np.isin(branch.pool, pools)
    members, pool, load = branch.members[inner], branch.pool[inner], branch.load[inner]
    u, lo = _bounds(model, pools, pool, load, m.weight)
    groups = np.unique(gi)
    rows = model.constrain(len(groups), -INF, mv.size[groups].astype("float64"))   # a group moves at most its size
    model.entries(rows[np.searchsorted(groups, gi)], y, 1.0)
    _capacity_rows(model, y, si, ki, mv.tier[gi], count, cap)
    # Every member of a pool lies between the pool's lowest (lo) and highest (u) load.
    order = np.argsort(members)
    p = np.searchsorted(pools, pool)
    top, bottom = model.constrain(len(members), load, INF), model.constrain(len(members), -load, INF)
    model.entries(top, u[p], 1.0)
    model.entries(bottom, lo[p], -1.0)
    into, out_of = order[np.searchsorted(members, si, sorter=order)], order[np.searchsorted(members, ki, sorter=order)]
    for rows_, sign in ((top, -1.0), (bottom, 1.0)):         # top: u - in + out >= load; bottom: in - out - lo >= -load
        model.entries(rows_[into], y, sign * w)
        model.entries(rows_[out_of], y, -sign * w)
    if floors is not None:                                    # a bound the budget cannot beat: helps the search
        floor = model.constrain(len(pools), floors, INF)
        model.entries(np.r_[floor, floor], np.r_[u, lo], np.r_[np.ones(len(u)), -np.ones(len(lo))])
    budget_row = int(model.constrain(1, -INF, INF)[0])
    model.entries(np.full(len(y), budget_row), y, 1.0)
    spread_cost, move_cost = np.zeros(model.n_cols), np.zeros(model.n_cols)
    spread_cost[u], spread_cost[lo] = 1.0, -1.0
    move_cost[y] = 1.0
    whole = bool(np.all(np.equal(np.mod(m.weight, 1), 0)))
    return _Model(Solver(model), moves, spread_cost, move_cost, budget_row, whole, int(mv.size[groups].sum()))


def _bounds(model: Model, active: np.ndarray, pool: np.ndarray, load: np.ndarray,
            weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The highest (u) and lowest (lo) load of each pool with moves, as columns.

    Moves within a pool keep its total load, so the highest load is at least
    the average and the lowest at most the average. With whole tier weights
    every load is whole, u and lo are integer and the average is rounded up
    and down: this is what lets the solver prove a spread of 1 optimal when
    the total does not divide evenly, instead of searching for a 0.
    """
    at = np.searchsorted(active, pool)
    mean = np.bincount(at, weights=load, minlength=len(active)) / np.bincount(at, minlength=len(active))
    whole = bool(np.all(np.equal(np.mod(weights, 1), 0)))
    high, low = (np.ceil(mean - 1e-9), np.floor(mean + 1e-9)) if whole else (mean, mean)
    return (model.columns(len(active), high, INF, integer=whole),
            model.columns(len(active), -INF, low, integer=whole))


def _capacity_rows(model: Model, y: np.ndarray, si: np.ndarray, ki: np.ndarray, tier: np.ndarray,
                   count: np.ndarray, cap: np.ndarray) -> None:
    """A member ends within capacity for a tier it receives (or no higher than it started, if already above)."""
    tiers = len(TIERS)
    key_in = si * tiers + tier
    keys = np.unique(key_in)
    s, t = np.divmod(keys, tiers)
    room = np.maximum(cap[t, s], count[t, s]) - count[t, s]
    rows = model.constrain(len(keys), -INF, room)
    model.entries(rows[np.searchsorted(keys, key_in)], y, 1.0)
    key_out = ki * tiers + tier
    hit = np.isin(key_out, keys)
    model.entries(rows[np.searchsorted(keys, key_out[hit])], y[hit], -1.0)


def _solve(model: _Model, n: int, budget: int) -> np.ndarray:
    """Moves per candidate (of ``n``): the least spread within ``budget`` moves, then the fewest moves."""
    solver = model.solver
    solver.bound_row(model.budget_row, INF if budget == UNLIMITED else float(budget))
    if model.whole:
        # Whole loads: spreads differ by 1 at least and moves never reach ``most``, so one objective
        # weighing a point of spread above every possible move is the lexicographic order, in one solve
        # (each solve costs HiGHS some milliseconds of setup, which dominate on small branches).
        most = float(model.most if budget == UNLIMITED else min(budget, model.most)) + 1.0
        x, _ = solver.minimise(model.spread_cost * most + model.move_cost)
    else:
        _, spread = solver.minimise(model.spread_cost)
        fixing = solver.h.getNumRow()
        solver.fix(model.spread_cost, spread + tolerance(spread))
        x, _ = solver.minimise(model.move_cost)
        solver.h.deleteRows(1, np.array([fixing], dtype="int32"))      # the next budget starts from the model
    count = np.zeros(n, dtype="int64")
    count[model.moves] = np.rint(x[:len(model.moves)]).astype("int64")
    return count


def frontier_of(branch: Branch, budgets: list[int], mv: Movable, count: np.ndarray, cap: np.ndarray,
                m: Matrices) -> dict[int, Solution]:
    """The branch's rebalance at each budget and with none (UNLIMITED).

    Without a budget the pools are independent and solved one by one (a much
    smaller search each); a budget below the moves that takes couples them in
    one model, where each pool's unlimited spread is a bound it cannot beat.
    Budgets at or above the unlimited optimum's moves reuse it.
    """
    n, pools = len(branch.group), branch.pools()
    best, floors = np.zeros(n, dtype="int64"), []
    for p in pools.tolist():
        count_p = _solve(_model(branch, np.array([p]), mv, count, cap, m), n, UNLIMITED)
        best += count_p
        floors.append(_pool_spread_of(branch, count_p, p))
    out = {UNLIMITED: branch.solution(best)}
    joint = None
    for budget in sorted(set(budgets) - {UNLIMITED}):
        if budget >= out[UNLIMITED].moves:
            out[budget] = out[UNLIMITED]
            continue
        if budget > 0 and joint is None:
            joint = _model(branch, pools, mv, count, cap, m, np.array(floors))
        out[budget] = branch.solution(np.zeros(n, dtype="int64") if budget == 0 else _solve(joint, n, budget))
    return out


def _pool_spread_of(branch: Branch, count: np.ndarray, p: int) -> float:
    """Pool ``p``'s spread after the moves ``count``."""
    mine = branch.pool == p
    only = Branch(branch.group, branch.member, branch.keeper, branch.weight, branch.members[mine],
                  branch.pool[mine], branch.load[mine])
    keep = np.isin(branch.keeper, only.members)
    return only.solution(np.where(keep, count, 0)).spread


def rebalance(customers: Customers, people: Staff, out: Placement, fixed: np.ndarray, budget: int,
              rules: AllocationRules, m: Matrices) -> Outcome:
    """Move at most ``budget`` customers per branch (in place in ``out``); the pools and the frontier.

    ``fixed`` marks customers that never move (locked or claimed). The frontier
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
    for b in branches.tolist():
        branch = Branch.of(b, mv, people, pool, load, m)
        if branch is None:                          # no pool to balance: the frontier is flat at 0
            solutions = {k: Solution(np.zeros(0, dtype="int64"), 0, 0.0) for k in [*budgets, UNLIMITED]}
        else:
            solutions = frontier_of(branch, budgets, mv, count, cap, m)
            chosen.append((branch, solutions[budget]))
        frontier += [(b, k, s.moves, s.spread) for k, s in sorted(solutions.items(), key=_budget_order)
                     if k in rules.rebalance_frontier or k == UNLIMITED]
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


__all__ = ["Branch", "Movable", "Outcome", "Solution", "UNLIMITED", "frontier_of", "movable", "pool_spread", "rebalance",
           "route_roles"]
