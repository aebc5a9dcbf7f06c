"""Independent optima for tiny allocations, by brute force over every customer, to check the exact steps.

Nothing here uses ``core.rebalance``, ``core.spills``, ``core.pools`` or ``core.milp``: pools, eligibility,
capacity and the objectives are restated from the rules (DOMAIN §3 and the comments of ``defaults.toml``),
and every assignment of the customers concerned is tried.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from branchkit.core.distribute import route_of
from branchkit.core.network import concrete_steps
from branchkit.core.tiers import add_tiers
from branchkit.rules import ROLE_KEYS, Rules


def pools_of(rules: Rules) -> dict[str, int]:
    """Role -> pool number: the equal_rank groups, then every other role alone."""
    out: dict[str, int] = {}
    for group in rules.allocation.equal_rank:
        n = len(set(out.values()))
        for role in group:
            out.setdefault(role, n)
    for role in ROLE_KEYS:
        if role not in out:
            out[role] = len(set(out.values()))
    return out


def capacity(rules: Rules, role: str, tier: str) -> float:
    cap = rules.allocation.capacity.get(role)
    return 0.0 if cap is None else float(getattr(cap, tier))


def members(staff: pd.DataFrame, rules: Rules) -> dict[str, int]:
    """Balanced pool members (one branch): active, in a pool of two or more whose roles have some capacity."""
    pool = pools_of(rules)
    active = staff[staff["state"].fillna("active") == "active"]
    mine = {sid: pool[role] for sid, role in zip(active["staff_id"], active["role"])}
    sizes = pd.Series(list(mine.values())).value_counts()
    can = {p for r, p in pool.items() if any(capacity(rules, r, t) > 0 for t in ("high", "mid", "general"))}
    return {s: p for s, p in mine.items() if sizes[p] >= 2 and p in can}


def spread(load: dict[str, float], member_pool: dict[str, int]) -> float:
    """Sum over pools of highest minus lowest load."""
    by_pool: dict[int, list[float]] = {}
    for s, p in member_pool.items():
        by_pool.setdefault(p, []).append(load.get(s, 0.0))
    return float(sum(max(v) - min(v) for v in by_pool.values()))


def route_roles(frame: pd.DataFrame, rules: Rules) -> list[list[tuple[str, ...]]]:
    """Each customer's route steps as role tuples (``frame`` in allocation columns)."""
    a = rules.allocation
    loan = frame["loan"].fillna(0).to_numpy() > 0
    route = route_of(frame, loan, a)
    return [concrete_steps(a.routes[r].roles, a.rm_for_kind[k], bool(x), a) if r >= 0 else []
            for r, k, x in zip(route, frame["kind"], loan)]


def loads(alloc: pd.DataFrame) -> tuple[dict[str, float], dict[tuple[str, str], int]]:
    """Weighted load per keeper and customers per (keeper, tier), of existing customers."""
    kept = alloc[alloc["keeper"].notna() & (alloc["status"] == "existing")]
    load = kept.groupby("keeper")["weight"].sum().to_dict()
    count = kept.groupby(["keeper", "tier"]).size().to_dict()
    return load, count


def best_rebalance(alloc: pd.DataFrame, staff: pd.DataFrame, rules: Rules, fixed: set[str],
                   budget: int | None) -> tuple[float, int]:
    """(least spread, fewest moves) over every way to move at most ``budget`` movable customers.

    ``alloc`` is the allocation without rebalance; ``fixed``: customers named in a claim.
    """
    member_pool = members(staff, rules)
    role = dict(zip(staff["staff_id"], staff["role"]))
    frame = add_tiers(alloc.assign(scale=alloc["scale"]), rules.tiers) if "tier" not in alloc else alloc
    steps = route_roles(frame, rules)
    options, movers = [], []
    for i, row in enumerate(alloc.itertuples(index=False)):
        if (row.source != "kept" or row.locked or row.customer_id in fixed or row.keeper not in member_pool
                or row.status != "existing"):
            continue
        on_route = {r for step in steps[i] for r in step}
        targets = [s for s, p in member_pool.items() if p == member_pool[row.keeper] and s != row.keeper
                   and role[s] in on_route and capacity(rules, role[s], row.tier) > 0]
        if targets:
            movers.append(row)
            options.append([row.keeper] + sorted(targets))
    load0, count0 = loads(alloc)
    best = (spread(load0, member_pool), 0)
    for choice in itertools.product(*options):
        moves = sum(c != m.keeper for c, m in zip(choice, movers))
        if budget is not None and moves > budget:
            continue
        load, count = dict(load0), dict(count0)
        for c, m in zip(choice, movers):
            if c != m.keeper:
                load[m.keeper] -= m.weight
                load[c] = load.get(c, 0.0) + m.weight
                count[(m.keeper, m.tier)] -= 1
                count[(c, m.tier)] = count.get((c, m.tier), 0) + 1
        if not all(count.get((s, t), 0) <= max(capacity(rules, role[s], t), count0.get((s, t), 0))
                   for s, t in {(c, m.tier) for c, m in zip(choice, movers) if c != m.keeper}):
            continue
        value = (spread(load, member_pool), moves)
        if value[0] < best[0] - 1e-9 or (abs(value[0] - best[0]) <= 1e-9 and value[1] < best[1]):
            best = value
    return best


def best_distribution(alloc: pd.DataFrame, staff: pd.DataFrame, rules: Rules, dealt: list[str],
                      limit: int = 20_000) -> tuple[int, int, float] | None:
    """(fewest without room, least total depth, least pool spread) over every way to place ``dealt``.

    ``alloc`` gives the customers' tiers and the keepers of everyone else (kept, claimed: fixed).
    None when there are more than ``limit`` ways (too many to try in a test).
    """
    member_pool = members(staff, rules)
    role = dict(zip(staff["staff_id"], staff["role"]))
    active = [s for s, st in zip(staff["staff_id"], staff["state"].fillna("active")) if st == "active"]
    rows = alloc.set_index("customer_id")
    steps = dict(zip(alloc["customer_id"], route_roles(alloc, rules)))
    options = []
    for cid in dealt:
        tier, lane, depth = rows.loc[cid, "tier"], [], 0
        for step in steps[cid]:
            here = [s for s in active if role[s] in step and capacity(rules, role[s], tier) > 0]
            if here:
                lane += [(s, depth) for s in here if s not in {x for x, _ in lane}]
                depth += 1
        options.append(lane + [(None, depth)])          # without room: deeper than the last step
    if math.prod(len(o) for o in options) > limit:
        return None
    fixed = alloc[~alloc["customer_id"].isin(dealt)]
    load0, count0 = loads(fixed)
    best = None
    for choice in itertools.product(*options):
        load, count, left, total = dict(load0), dict(count0), 0, 0
        for cid, (s, d) in zip(dealt, choice):
            if s is None:
                left, total = left + 1, total + d
                continue
            tier = rows.loc[cid, "tier"]
            load[s] = load.get(s, 0.0) + rows.loc[cid, "weight"]
            count[(s, tier)] = count.get((s, tier), 0) + 1
            total += d
        if any(count.get((s, t), 0) > max(capacity(rules, role[s], t), count0.get((s, t), 0))
               for s, _ in choice if s is not None for t in ("high", "mid", "general")
               if count.get((s, t), 0) > count0.get((s, t), 0)):
            continue
        value = (left, total, spread(load, member_pool))
        if best is None or value < best:
            best = value
    return best
