"""Distribution (分配) of the customers nobody keeps or claims, by tier and role (DOMAIN §3 step 3).

A customer takes the first route of the rules whose condition it meets; the
route's steps name roles ("rm" = the relationship manager of the customer's
kind), tried in order. Within a step, the customer goes to the active member
of its branch with the lowest weighted load who still has capacity for its
tier; when all are full it spills to the next step. Customers are dealt
heaviest tier first and, within a tier, largest deposits first, so loads even
out the way a careful branch head would do it by hand ("longest processing
time first"); ties go to the lower staff id.

All whole-array work: for a batch of customers of one weight, "next customer
to the least-loaded member" is the same as sorting the members' free slots by
the load they would be filled at; ``deal`` does that for every branch at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from branchkit.core.network import ROLES, Customers, Matrices, Staff, concrete_steps, target_steps
from branchkit.core.tiers import TIERS
from branchkit.rules import AllocationRules, RouteCondition

if TYPE_CHECKING:
    from branchkit.core.allocation_trace import Trace

_TINY = 1e-9
_ROLE = {r: i for i, r in enumerate(ROLES)}


def deal(need: np.ndarray, group: np.ndarray, base: np.ndarray, step: np.ndarray, limit: np.ndarray,
         order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deal ``need[g]`` identical items to the members of each group ``g``, greedily.

    Item after item goes to the member of its group whose key ``base +
    received * step`` is lowest (ties: lowest ``order``), each member taking
    at most ``limit``. Returns the member index of every dealt item, sorted by
    group then dealing order, and how many items each group got.
    """
    groups = len(need)
    step = np.maximum(step.astype("float64"), _TINY)
    limit = np.minimum(np.where(np.isfinite(limit), limit, need[group]), need[group]).clip(min=0).astype("int64")
    total = np.minimum(need, np.bincount(group, weights=limit, minlength=groups).astype("int64"))
    if not total.any():
        return np.zeros(0, dtype="int64"), total
    lo = np.full(groups, np.inf)
    np.minimum.at(lo, group, base)
    hi = np.full(groups, -np.inf)
    np.maximum.at(hi, group, base + limit * step)
    lo, hi = np.where(np.isfinite(lo), lo, 0.0), np.where(np.isfinite(hi), hi, 0.0)
    for _ in range(100):            # per group, the lowest level at which ``total`` slots are open
        mid = (lo + hi) / 2
        enough = np.bincount(group, weights=_open(mid[group], base, step, limit), minlength=groups) >= total
        lo, hi = np.where(enough, lo, mid), np.where(enough, mid, hi)
        if np.all(hi - lo <= _TINY * np.maximum(1.0, np.abs(hi))):
            break
    counts = _open(hi[group] + _TINY * np.maximum(1.0, np.abs(hi[group])), base, step, limit)
    member = np.repeat(np.arange(len(base)), counts)
    received = np.arange(len(member)) - np.repeat(np.cumsum(counts) - counts, counts)
    chosen = member[np.lexsort((order[member], base[member] + received * step[member], group[member]))]
    rank = np.arange(len(chosen)) - _starts(group[chosen], groups)[group[chosen]]
    return chosen[rank < total[group[chosen]]], total


def _open(level: np.ndarray, base: np.ndarray, step: np.ndarray, limit: np.ndarray) -> np.ndarray:
    return np.clip(np.floor((level - base) / step + _TINY) + 1, 0, limit).astype("int64")


def _starts(sorted_groups: np.ndarray, groups: int) -> np.ndarray:
    """Index of the first element of each group in a group-sorted array."""
    return np.searchsorted(sorted_groups, np.arange(groups))


@dataclass
class Pool:
    """Every person's running weighted load, customers per tier and targets owned (by staff position)."""

    staff: Staff
    load: np.ndarray
    count: np.ndarray          # [tier, staff]
    capacity: np.ndarray       # [tier, staff]
    targets: np.ndarray
    groups: int

    @classmethod
    def build(cls, staff: Staff, customers: Customers, keeper: np.ndarray, m: Matrices, groups: int) -> "Pool":
        n = len(staff.role)
        kept = (keeper >= 0) & customers.existing
        load = np.bincount(keeper[kept], weights=customers.weight[kept], minlength=n).astype("float64")
        count = np.zeros((len(TIERS), n), dtype="int64")
        np.add.at(count, (customers.tier[kept], keeper[kept]), 1)
        owned = (keeper >= 0) & customers.target
        return cls(staff, load, count, m.capacity[staff.role].T.copy(),
                   np.bincount(keeper[owned], minlength=n).astype("int64"), groups)

    def members(self, roles: tuple[str, ...], tier: int | None = None) -> np.ndarray:
        """Positions of active staff in ``roles`` (with capacity for ``tier`` when given)."""
        mask = self.staff.receives & np.isin(self.staff.role, [_ROLE[r] for r in roles])
        if tier is not None:
            mask &= self.capacity[tier] > 0
        return np.flatnonzero(mask)

    def give(self, members: np.ndarray, tier: int, weight: float) -> None:
        np.add.at(self.load, members, weight)
        np.add.at(self.count[tier], members, 1)


@dataclass
class Placement:
    """The outcome being filled, over customer positions."""

    keeper: np.ndarray        # staff position or -1
    source: np.ndarray
    reason: np.ndarray
    over_capacity: np.ndarray

    def put(self, positions: np.ndarray, staff: np.ndarray, source: str, reason: str | None = None,
            over: bool = False) -> None:
        self.keeper[positions] = staff
        self.source[positions] = source
        self.reason[positions] = reason
        self.over_capacity[positions] = over


def route_of(frame: pd.DataFrame, has_loan: np.ndarray, rules: AllocationRules) -> np.ndarray:
    """Index of the first route each customer meets (-1: none)."""
    out = np.full(len(frame), -1, dtype="int64")
    for i, route in enumerate(rules.routes):
        out[_meets(frame, has_loan, route.when) & (out < 0)] = i
    return out


def route_at(customers: Customers, positions: np.ndarray, rules: AllocationRules) -> np.ndarray:
    """``route_of`` the customers at ``positions``, taking only the columns a route condition reads
    (a take of every column of a million-row frame for each branch cost more than the routes)."""
    fields = [f for f in _ROUTE_FIELDS if f in customers.frame.columns]
    return route_of(customers.frame[fields].iloc[positions], customers.has_loan[positions], rules)


_ROUTE_FIELDS = ("tier", "retail_tier", "kind", "scale")


def meets_any(customers: Customers, positions: np.ndarray, conditions: list[RouteCondition]) -> np.ndarray:
    """Whether each customer at ``positions`` meets at least one of ``conditions`` (a route's ``when`` each)."""
    fields = [f for f in _ROUTE_FIELDS if f in customers.frame.columns]
    frame, has_loan = customers.frame[fields].iloc[positions], customers.has_loan[positions]
    out = np.zeros(len(positions), dtype=bool)
    for when in conditions:
        out |= _meets(frame, has_loan, when)
    return out


def _meets(frame: pd.DataFrame, has_loan: np.ndarray, when: RouteCondition) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for field in _ROUTE_FIELDS:
        wanted = getattr(when, field)
        if wanted is not None:
            mask &= frame[field].isin(wanted).to_numpy()
    if when.has_loan is not None:
        mask &= has_loan == when.has_loan
    return mask


def distribute(customers: Customers, todo: np.ndarray, pool: Pool, rules: AllocationRules, m: Matrices,
               out: Placement, trace: "Trace | None" = None) -> None:
    """Give every customer at a position in ``todo`` a keeper by its route, or the reason none could be found.

    ``trace`` (``allocate --explain``) notes the steps one customer met; None on the whole-network path.
    """
    if not len(todo):
        return
    route = route_at(customers, todo, rules)
    tier_rank = np.argsort(np.argsort(-m.weight, kind="stable"))[customers.tier[todo]]
    rm = m.rm[np.maximum(customers.kind[todo], 0)]
    loan = customers.has_loan[todo]
    order = np.lexsort((customers.id_order(todo), -customers.deposit[todo], customers.branch[todo], loan, rm, route,
                        tier_rank))
    key = ((tier_rank * (len(rules.routes) + 1) + route + 1) * len(ROLES) + rm) * 2 + loan
    key, positions = key[order], todo[order]
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    for start, stop in zip(bounds[:-1], bounds[1:]):
        batch = positions[start:stop]
        i = order[start]
        if route[i] < 0:
            out.reason[batch] = "no_eligible_role"
            continue
        steps = concrete_steps(rules.routes[route[i]].roles, ROLES[rm[i]], bool(loan[i]), rules)
        _place(int(customers.tier[batch[0]]), steps, batch, customers, pool, rules, out,
               trace if trace is not None and trace.position in batch else None)


def _place(tier: int, steps: list[tuple[str, ...]], batch: np.ndarray, customers: Customers, pool: Pool,
           rules: AllocationRules, out: Placement, trace: "Trace | None" = None) -> None:
    """One batch (one tier, one route, one RM kind), over every branch at once; spill step by step."""
    weight = float(rules.tier_weights[TIERS[tier]])  # type: ignore[index]
    left, lane, seen = batch, [], np.zeros(pool.groups, dtype=bool)
    for step in steps:
        members = pool.members(step, tier)
        if not len(members):
            continue
        branch = pool.staff.branch[members]
        source = np.where(seen[customers.branch[left]], "spill", "distributed")
        seen[branch] = True
        lane.append(members)
        room = pool.capacity[tier][members] - pool.count[tier][members]
        got, taken = _deal_items(left, customers, members, pool.load[members], np.full(len(members), weight), room,
                                 pool)
        if trace is not None:
            trace.dealt(step, members, pool, tier, weight, left, customers.branch, got, taken)
        out.put(left[taken], got, "distributed")
        out.source[left[taken]] = source[taken]
        pool.give(got, tier, weight)
        left = left[~taken]
        if not len(left):
            return
    _leftover(tier, weight, left, lane, seen, customers, pool, rules, out)


def _leftover(tier: int, weight: float, left: np.ndarray, lane: list[np.ndarray], seen: np.ndarray,
              customers: Customers, pool: Pool, rules: AllocationRules, out: Placement) -> None:
    """Customers no step could take: no one eligible, or everyone full (overflow or leave)."""
    nobody = ~seen[customers.branch[left]]
    out.reason[left[nobody]] = "no_eligible_role"
    left = left[~nobody]
    if not len(left):
        return
    if rules.when_full == "leave":
        out.reason[left] = "all_eligible_full"
        return
    members = np.unique(np.concatenate(lane))
    capacity = pool.capacity[tier][members]
    got, taken = _deal_items(left, customers, members, pool.count[tier][members] / capacity, 1.0 / capacity,
                             np.full(len(members), np.inf), pool)
    out.put(left[taken], got, "spill", "all_eligible_full", over=True)
    pool.give(got, tier, weight)


def _deal_items(items: np.ndarray, customers: Customers, members: np.ndarray, base: np.ndarray, step: np.ndarray,
                limit: np.ndarray, pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """Deal branch-sorted ``items`` to ``members`` of their branch; (staff position per taken item, taken mask)."""
    item_group = customers.branch[items]
    need = np.bincount(item_group, minlength=pool.groups)
    dealt, total = deal(need, pool.staff.branch[members], base, step, limit, pool.staff.order[members])
    rank = np.arange(len(items)) - _starts(item_group, pool.groups)[item_group]
    taken = rank < total[item_group]
    return members[dealt], taken


def place_targets(customers: Customers, todo: np.ndarray, pool: Pool, rules: AllocationRules, m: Matrices,
                  out: Placement) -> None:
    """Owners for targets without one: the first step with active members, balanced by targets owned."""
    if not len(todo):
        return
    head = customers.to_head[todo]
    rm = m.rm[np.maximum(customers.kind[todo], 0)]
    order = np.lexsort((customers.id_order(todo), customers.branch[todo], rm, ~head))
    key = rm[order] * 2 + head[order]
    positions = todo[order]
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    for start, stop in zip(bounds[:-1], bounds[1:]):
        left = positions[start:stop]
        i = order[start]
        for step in target_steps(bool(head[i]), ROLES[rm[i]], rules):
            members = pool.members(step)
            if not len(members) or not len(left):
                continue
            ones = np.ones(len(members))
            got, taken = _deal_items(left, customers, members, pool.targets[members].astype("float64"), ones,
                                     np.full(len(members), np.inf), pool)
            out.put(left[taken], got, "target")
            np.add.at(pool.targets, got, 1)
            left = left[~taken]
        out.reason[left] = "no_eligible_role"


__all__ = ["Placement", "Pool", "deal", "distribute", "meets_any", "place_targets", "route_at", "route_of"]
