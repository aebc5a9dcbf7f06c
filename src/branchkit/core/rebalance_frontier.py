"""Rebalance's exact optimum per branch (``core.rebalance``): the least spread within a budget of moves,
then the fewest moves, at every budget of the frontier and with none.

The model (``core.milp``, HiGHS) is on groups of identical customers: a
variable counts the customers of a group (keeper, tier, roles it may go to)
moving to one member of the keeper's pool, so a branch of 20,000 customers
is a few thousand variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from branchkit.core.milp import INF, Model, Solver, tolerance
from branchkit.core.network import Matrices, Staff
from branchkit.core.tiers import TIERS

#: A budget with no limit (the frontier's "all").
UNLIMITED = -1


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


def _solve(model: _Model, n: int, budget: int, nodes: int | None = None) -> np.ndarray | None:
    """Moves per candidate (of ``n``): the least spread within ``budget`` moves, then the fewest moves.

    None when ``nodes`` branch-and-bound nodes do not prove it (``Solver.try_minimise``)."""
    solver = model.solver
    solver.bound_row(model.budget_row, INF if budget == UNLIMITED else float(budget))
    if model.whole:
        # Whole loads: spreads differ by 1 at least and moves never reach ``most``, so one objective
        # weighing a point of spread above every possible move is the lexicographic order, in one solve
        # (each solve costs HiGHS some milliseconds of setup, which dominate on small branches).
        most = float(model.most if budget == UNLIMITED else min(budget, model.most)) + 1.0
        found = solver.try_minimise(model.spread_cost * most + model.move_cost, nodes)
    else:
        found = solver.try_minimise(model.spread_cost, nodes)
        if found is not None:
            fixing = solver.h.getNumRow()
            solver.fix(model.spread_cost, found[1] + tolerance(found[1]))
            found = solver.try_minimise(model.move_cost, nodes)
            solver.h.deleteRows(1, np.array([fixing], dtype="int32"))   # the next budget starts from the model
    if found is None:
        return None
    count = np.zeros(n, dtype="int64")
    count[model.moves] = np.rint(found[0][:len(model.moves)]).astype("int64")
    return count


#: Branch-and-bound nodes the model of all a branch's pools may take to prove an optimum within a budget
#: before the pools are solved one by one (``frontier_of``). Either way the optimum is exact (among equal
#: optima the two may choose different customers); the limit only decides how it is found, the same way on
#: every machine. The joint model is quicker where it proves at once (one node on bench_rebalance.py's
#: networks: 0.06-0.2 s per branch), the pools' curves where it does not: on the benchmark's 200,000-customer
#: network (40 branches of six pools) one branch took 1,177 nodes (8 s) at a budget of 10 and was not proved
#: in ten minutes at 20, where its pools' curves up to 50 moves take ~15 s. A node of that model costs
#: 7-40 ms, so a larger limit only delays the curves where it fails.
JOINT_NODES = 10


def frontier_of(branch: Branch, budgets: list[int], mv: Movable, count: np.ndarray, cap: np.ndarray,
                m: Matrices) -> dict[int, Solution]:
    """The branch's rebalance at each budget and with none (UNLIMITED).

    Without a budget the pools are independent and solved one by one (a much
    smaller search each). Within a budget the pools share only the budget (a
    group moves within its keeper's pool, capacity is per member): one model
    of them all, where each pool's unlimited spread is a bound it cannot beat,
    is solved if it proves its optimum within JOINT_NODES nodes; else, and for
    every larger budget, each pool's curve (its optimum at every budget up to
    the largest needed) is solved on its own and the budget shared among the
    pools by ``_shares``. Budgets at or above the unlimited optimum's moves
    reuse it.
    """
    n, pools = len(branch.group), branch.pools()
    models = [_model(branch, np.array([p]), mv, count, cap, m) for p in pools.tolist()]
    best = [_solve(model, n, UNLIMITED) for model in models]
    out = {UNLIMITED: branch.solution(np.sum(best, axis=0, dtype="int64") if best else np.zeros(n, dtype="int64"))}
    floors = [_pool_spread_of(branch, c, p) for c, p in zip(best, pools.tolist())]
    limited = sorted(set(budgets) - {UNLIMITED})
    need = max((b for b in limited if b < out[UNLIMITED].moves), default=0)
    joint, curves = None, None
    for budget in limited:
        if budget >= out[UNLIMITED].moves:
            out[budget] = out[UNLIMITED]
            continue
        moved = np.zeros(n, dtype="int64") if budget == 0 else None
        if moved is None and curves is None:
            joint = joint or _model(branch, pools, mv, count, cap, m, np.array(floors))
            moved = _solve(joint, n, budget, JOINT_NODES)
        if moved is None:
            curves = curves or [_curve(branch, model, p, n, need, c)
                                for model, p, c in zip(models, pools.tolist(), best)]
            moved = _shares(curves, budget, n)
        out[budget] = branch.solution(moved)
    return out


def _curve(branch: Branch, model: _Model, p: int, n: int, need: int, best: np.ndarray) -> list[Solution]:
    """Pool ``p``'s optimum at each budget where it improves, up to ``need`` moves: (moves, pool spread)."""
    points = [Solution(np.zeros(n, dtype="int64"), 0, _pool_spread_of(branch, np.zeros(n, dtype="int64"), p))]
    for budget in range(1, min(need, int(best.sum())) + 1):
        c = best if budget == int(best.sum()) else _solve(model, n, budget)
        spread = _pool_spread_of(branch, c, p)
        if spread < points[-1].spread - tolerance(spread):      # else the budget buys nothing in this pool
            points.append(Solution(c, int(c.sum()), spread))
    return points


def _shares(curves: list[list[Solution]], budget: int, n: int) -> np.ndarray:
    """Each pool's point on its curve: the least total spread within ``budget`` moves, then the fewest moves.

    A dynamic program over the moves used so far (at most ``budget`` + 1 states per pool); among equal
    totals the first found is kept (earlier pools' smaller points), so the choice is deterministic.
    """
    states: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}
    for points in curves:
        after: dict[int, tuple[float, list[int]]] = {}
        for used, (spread, picks) in states.items():
            for k, point in enumerate(points):
                total, moves = spread + point.spread, used + point.moves
                if moves > budget:
                    break
                if moves not in after or total < after[moves][0] - tolerance(total):
                    after[moves] = (total, picks + [k])
        states = after
    least = min(spread for spread, _ in states.values())
    moves = min(used for used, (spread, _) in states.items() if spread <= least + tolerance(least))
    count = np.zeros(n, dtype="int64")
    for points, k in zip(curves, states[moves][1]):
        count += points[k].count
    return count


def _pool_spread_of(branch: Branch, count: np.ndarray, p: int) -> float:
    """Pool ``p``'s spread after the moves ``count``."""
    mine = branch.pool == p
    only = Branch(branch.group, branch.member, branch.keeper, branch.weight, branch.members[mine],
                  branch.pool[mine], branch.load[mine])
    keep = np.isin(branch.keeper, only.members)
    return only.solution(np.where(keep, count, 0)).spread


__all__ = ["Branch", "JOINT_NODES", "Movable", "Solution", "UNLIMITED", "frontier_of", "pool_spread"]
