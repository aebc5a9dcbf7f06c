"""Exact distribution where capacities bind (issue 19): no spill deeper than it must be.

The greedy of ``core.distribute`` deals batches one after another (heaviest
tier first, then route order). When a step has room for everyone nobody
spills, every customer lands on the first step of its route that has
members, and the greedy is optimal: that is the fast path, and it is kept
whenever a branch has no spill. When capacities bind, an earlier batch can
take the room a later batch needed at its first step, and push that batch
two or three steps down its route (mid-tier customers to the lobby manager
and the head) where another order keeps every spill one step down.

So for each branch where the greedy spilled (a customer placed beyond a step
that had members, or over capacity, or left for lack of room), the branch's
distribution is solved again exactly (``core.milp``, HiGHS), in this order:

1. the fewest customers without room (over capacity, or left without keeper);
2. the least total route depth: a customer at the k-th step of its route that
   has members in the branch counts k (0 = no spill), one without room counts
   the number of such steps (deeper than the last);
3. the least spread of weighted load within pools of equal-rank staff
   (``core.pools``; the sum over pools of highest minus lowest).

Variables count the customers of a class (tier, route, RM kind, loan) given
to one member, never one per customer. Within a class the largest deposits
take the shallowest steps (as the greedy deals them); members of a step in
staff id order. Customers left over go through the greedy's own rule for a
full route (``when_full``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from typing import TYPE_CHECKING

from branchkit.core.distribute import Placement, Pool, _leftover, route_at
from branchkit.core.milp import INF, Model, Solver
from branchkit.core.network import ROLES, Customers, Matrices, concrete_steps
from branchkit.core.pools import Pools
from branchkit.core.tiers import TIERS
from branchkit.rules import AllocationRules

_ROLE = {r: i for i, r in enumerate(ROLES)}

if TYPE_CHECKING:
    from branchkit.core.allocation_trace import Trace


def binding(customers: Customers, todo: np.ndarray, out: Placement) -> np.ndarray:
    """Branch codes where the greedy spilled, placed over capacity or left a customer for lack of room."""
    hit = (out.source[todo] == "spill") | out.over_capacity[todo] | (out.reason[todo] == "all_eligible_full")
    return np.unique(customers.branch[todo[hit]])


@dataclass
class Classes:
    """A branch's customers to distribute, as classes of identical customers."""

    positions: np.ndarray      # sorted by class, then largest deposit, then id
    cls: np.ndarray            # class of each position
    tier: np.ndarray           # per class
    steps: list[list[tuple[str, ...]]]
    size: np.ndarray


def classes(customers: Customers, todo: np.ndarray, rules: AllocationRules, m: Matrices,
            branches: np.ndarray) -> tuple[list[Classes], np.ndarray]:
    """The classes of ``todo`` in the greedy's batch order, one ``Classes`` per branch of ``branches`` (sorted
    codes; every customer of ``todo`` is of one of them), and the customers no route takes.

    One sort of every branch at once: by branch, then as the greedy deals (class, largest deposit, id). The
    id order is a total order (id text, then position), so within a branch it orders as it would alone.
    """
    route = route_at(customers, todo, rules)
    none = todo[route < 0]
    todo, route = todo[route >= 0], route[route >= 0]
    tier_rank = np.argsort(np.argsort(-m.weight, kind="stable"))[customers.tier[todo]]
    rm = m.rm[np.maximum(customers.kind[todo], 0)]
    loan = customers.has_loan[todo].astype("int64")
    key = ((tier_rank * (len(rules.routes) + 1) + route + 1) * len(ROLES) + rm) * 2 + loan
    order = np.lexsort((customers.id_order(todo), -customers.deposit[todo], key, customers.branch[todo]))
    todo, key, route, rm, loan = todo[order], key[order], route[order], rm[order], loan[order]
    bounds = np.searchsorted(customers.branch[todo], np.r_[branches, branches[-1] + 1])
    steps_of: dict[tuple[int, int, int], list[tuple[str, ...]]] = {}
    out = []
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        k = key[lo:hi]
        first = np.r_[True, k[1:] != k[:-1]] if len(k) else np.zeros(0, bool)
        cls = np.cumsum(first) - 1
        heads = lo + np.flatnonzero(first)
        steps = []
        for r, kind, x in zip(route[heads].tolist(), rm[heads].tolist(), loan[heads].tolist()):
            if (r, kind, x) not in steps_of:
                steps_of[r, kind, x] = concrete_steps(rules.routes[r].roles, ROLES[kind], bool(x), rules)
            steps.append(steps_of[r, kind, x])
        out.append(Classes(todo[lo:hi], cls, customers.tier[todo[heads]], steps, np.bincount(cls).astype("int64")))
    return out, none


@dataclass
class _Lane:
    """The members a class may go to in the branch, with each one's route depth."""

    cls: np.ndarray
    member: np.ndarray
    depth: np.ndarray


def lanes(c: Classes, pool: Pool, here: np.ndarray) -> tuple[_Lane, list[list[tuple[tuple[str, ...], np.ndarray]]]]:
    """Per class, the branch's members (``here``: its staff) of each step of its route, with their depth.

    A member in two steps counts at the first; steps without members are not counted in the depth.
    """
    here = here[pool.staff.receives[here]]
    role = pool.staff.role[here]
    cls, member, depth, steps_of = [], [], [], []
    for i, steps in enumerate(c.steps):
        tier, seen, found = int(c.tier[i]), set(), []
        able = pool.capacity[tier][here] > 0
        for step in steps:
            at = here[able & np.isin(role, [_ROLE[r] for r in step])]
            if not len(at):
                continue
            new = [s for s in at.tolist() if s not in seen]
            seen.update(new)
            cls += [i] * len(new)
            member += new
            depth += [len(found)] * len(new)
            found.append((step, at))
        steps_of.append(found)
    lane = _Lane(np.array(cls, dtype="int64"), np.array(member, dtype="int64"), np.array(depth, dtype="int64"))
    return lane, steps_of


def solve_branch(c: Classes, lane: _Lane, pool: Pool, pools: Pools, m: Matrices) -> np.ndarray:
    """Customers of each (class, member) of the lane: fewest without room, least depth, least pool spread."""
    model = Model()
    room = np.maximum(pool.capacity[c.tier[lane.cls], lane.member] - pool.count[c.tier[lane.cls], lane.member], 0)
    x = model.columns(len(lane.cls), 0.0, np.minimum(room, c.size[lane.cls]).astype("float64"))
    left = model.columns(len(c.size), 0.0, c.size.astype("float64"))
    rows = model.constrain(len(c.size), c.size.astype("float64"), c.size.astype("float64"))
    model.entries(rows[lane.cls], x, 1.0)
    model.entries(rows, left, 1.0)
    key = lane.member * len(TIERS) + c.tier[lane.cls]
    keys, at = np.unique(key, return_inverse=True)
    s, t = np.divmod(keys, len(TIERS))
    cap_rows = model.constrain(len(keys), -INF, np.maximum(pool.capacity[t, s] - pool.count[t, s], 0))
    model.entries(cap_rows[at], x, 1.0)
    spread = _spread_rows(model, x, lane, c, pool, pools, m)
    unplaced, depth = np.zeros(model.n_cols), np.zeros(model.n_cols)
    unplaced[left] = 1.0
    depth[x] = lane.depth
    # A customer without room counts deeper than the last step of its route that has members.
    steps = np.zeros(len(c.size))
    np.maximum.at(steps, lane.cls, lane.depth + 1.0)
    depth[left] = steps
    solution, _ = Solver(model).lexicographic([unplaced, depth, spread])
    return np.rint(solution[x]).astype("int64")


def _spread_rows(model: Model, x: np.ndarray, lane: _Lane, c: Classes, pool: Pool, pools: Pools,
                 m: Matrices) -> np.ndarray:
    """Columns and rows for the highest and lowest load of each pool a lane reaches; returns the spread cost."""
    staff = pool.staff
    branch = staff.branch[lane.member[0]] if len(lane.member) else -1
    code = pools.members(staff, np.array([branch]))
    reached = np.unique(code[lane.member])
    reached = reached[reached >= 0]
    members = np.flatnonzero(np.isin(code, reached) & (code >= 0))
    whole = bool(np.all(np.equal(np.mod(m.weight, 1), 0)))
    u = model.columns(len(reached), -INF, INF, integer=whole)
    lo = model.columns(len(reached), -INF, INF, integer=whole)
    p = np.searchsorted(reached, code[members])
    load = pool.load[members]
    top, bottom = model.constrain(len(members), load, INF), model.constrain(len(members), -load, INF)
    model.entries(top, u[p], 1.0)
    model.entries(bottom, lo[p], -1.0)
    index = np.full(len(code), -1, dtype="int64")
    index[members] = np.arange(len(members))
    mine = index[lane.member] >= 0
    w = m.weight[c.tier[lane.cls]]
    model.entries(top[index[lane.member[mine]]], x[mine], -w[mine])      # u - load >= 0
    model.entries(bottom[index[lane.member[mine]]], x[mine], w[mine])    # load - lo >= 0
    cost = np.zeros(model.n_cols)
    cost[u], cost[lo] = 1.0, -1.0
    return cost


def respill(customers: Customers, todo: np.ndarray, pool: Pool, before: tuple[np.ndarray, np.ndarray],
            rules: AllocationRules, m: Matrices, out: Placement, trace: "Trace | None" = None) -> np.ndarray:
    """Distribute again, exactly, the branches where the greedy spilled (in place); returns those branches.

    ``before`` is the pool's (load, count) as the greedy found it; ``trace`` notes one customer's steps.
    """
    branches = binding(customers, todo, out)
    if not len(branches):
        return branches
    pools = Pools.of(rules, m.capacity)
    redo = todo[np.isin(customers.branch[todo], branches)]
    _reset(redo, branches, pool, before, out)
    per_branch, none = classes(customers, redo, rules, m, branches)
    out.reason[none] = "no_eligible_role"
    by_branch = np.argsort(pool.staff.branch, kind="stable")
    starts = np.searchsorted(pool.staff.branch[by_branch], np.r_[branches, branches + 1])
    # Branches share no staff: all are reset before any model is built, and a model reads (and a placement
    # writes) only its own branch's rows of the pool, so solving them in any order, on threads, gives what
    # one after another gives. Placed in branch order.
    staff_of = [by_branch[starts[i]:starts[i + len(branches)]] for i in range(len(branches))]
    threads = min(len(branches), os.cpu_count() or 1)
    with ThreadPoolExecutor(threads) as executor:
        found, solving = {}, {}
        for i in solving_order([len(here) for here in staff_of]):
            found[i] = lanes(per_branch[i], pool, staff_of[i])
            solving[i] = executor.submit(_solve, per_branch[i], found[i][0], pool, pools, m)
        for i, c in enumerate(per_branch):
            lane, steps_of = found[i]
            count = solving[i].result()
            noted = (pool.load.copy(), pool.count.copy()) if trace is not None and trace.position in c.positions \
                else None
            _place(c, lane, count, steps_of, customers, pool, rules, out)
            if noted is not None:
                k = int(c.cls[np.flatnonzero(c.positions == trace.position)[0]])
                tier = int(c.tier[k])
                trace.solved(steps_of[k], noted[0], noted[1][tier], pool.capacity[tier],
                             int(out.keeper[trace.position]))
    return branches


def solving_order(staff: list[int]) -> list[int]:
    """The branches to solve, by their staff, most first (ties in branch order).

    A model's time grows with the branch's staff (correlation 0.8 over the 40 branches of a million
    customers, as with its columns, which are known only once its lanes are built), and the threads take
    models in this order: the longest solves start first and the short ones fill the end, instead of a
    long one started last running alone while the other thread idles.
    """
    return np.argsort(-np.asarray(staff, dtype="int64"), kind="stable").tolist()


def _solve(c: Classes, lane: _Lane, pool: Pool, pools: Pools, m: Matrices) -> np.ndarray:
    """``solve_branch`` on a thread of the pool (one per core, and at least one).

    HiGHS releases the GIL while it solves (``highspy`` runs ``Highs.run`` without it) and each model has
    its own single-threaded, seeded instance, so the counts do not depend on which thread solved what.
    """
    return solve_branch(c, lane, pool, pools, m) if len(lane.cls) else np.zeros(0, dtype="int64")


def _reset(redo: np.ndarray, branches: np.ndarray, pool: Pool, before: tuple[np.ndarray, np.ndarray],
           out: Placement) -> None:
    """Undo the greedy's distribution of these branches."""
    staff = np.isin(pool.staff.branch, branches)
    pool.load[staff] = before[0][staff]
    pool.count[:, staff] = before[1][:, staff]
    out.keeper[redo] = -1
    out.source[redo] = None
    out.reason[redo] = None
    out.over_capacity[redo] = False


def _place(c: Classes, lane: _Lane, count: np.ndarray, steps_of: list, customers: Customers,
           pool: Pool, rules: AllocationRules, out: Placement) -> None:
    """Give each class's customers the counts solved: the largest deposits to the shallowest steps."""
    order = np.lexsort((pool.staff.order[lane.member], lane.depth, lane.cls))
    cls, member, depth, count = lane.cls[order], lane.member[order], lane.depth[order], count[order]
    taken = np.bincount(cls, weights=count, minlength=len(c.size)).astype("int64")
    start = np.searchsorted(c.cls, np.arange(len(c.size)))
    rank = np.arange(len(c.positions)) - start[c.cls]
    placed = rank < taken[c.cls]
    where = c.positions[placed]
    given = np.repeat(member, count)
    out.put(where, given, "distributed")
    out.source[where] = np.where(np.repeat(depth, count) > 0, "spill", "distributed")
    weight = np.array([rules.tier_weights[t] for t in TIERS], dtype="float64")  # type: ignore[index]
    tier = customers.tier[where]
    np.add.at(pool.load, given, weight[tier])
    np.add.at(pool.count, (tier, given), 1)
    for i in np.unique(c.cls[~placed]).tolist():
        left = c.positions[~placed & (c.cls == i)]
        seen = np.zeros(pool.groups, dtype=bool)
        seen[customers.branch[left[0]]] = bool(steps_of[i])
        t = int(c.tier[i])
        _leftover(t, float(weight[t]), left, [m for _, m in steps_of[i]], seen, customers, pool, rules, out)


__all__ = ["binding", "classes", "lanes", "respill", "solve_branch", "solving_order"]
