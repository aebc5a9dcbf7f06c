"""The tables an allocation produces.

Every table has canonical English columns (labels live in ``labels.py``);
people are named by staff id, with ``*_name`` columns beside. Amounts are
CNY as read. Rows are in sorted branch order, then ledger order (or staff
id, role, kind and tier order), so the same input gives the same bytes
however the branches were grouped for parallel runs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from branchkit.core.marketers import KEEPS
from branchkit.core.network import KINDS, ROLES, Customers, Staff, as_text, code_positions, distinct_codes
from branchkit.core.ordered import Ordered, OrderedField, ordered, take_frame, take_rows
from branchkit.core.tiers import TIERS

if TYPE_CHECKING:
    from branchkit.core.claims import ClaimOutcome
    from branchkit.core.distribute import Placement
    from branchkit.core.keeping import Current
    from branchkit.core.rebalance import Outcome

_ALLOCATION = OrderedField()


@dataclass
class Allocation:
    """The result: every frame has canonical English columns; staff are named by staff id."""

    # One row per customer (existing and target): keeper, source, reason, ...; held in ledger order with its
    # branch order until first read (``as_computed``: the csv/json writers take rows from the order).
    allocation: pd.DataFrame = _ALLOCATION     # type: ignore[assignment]
    changes: pd.DataFrame      # customers whose keeper changed: previous_keeper -> keeper, reason
    declined: pd.DataFrame     # claims that did not win, with the reason
    conflicts: pd.DataFrame    # equal-priority claims: every claimant, the winner, the tie rule used
    keepers: pd.DataFrame      # 存量客户1对N维护责任表: per person, counts and balances by tier, load
    segments: pd.DataFrame     # 存量客户细分统计表: existing customers by kind x tier
    targets: pd.DataFrame      # 目标客户责任表
    balance: pd.DataFrame      # weighted load per branch and role: spread and distance from the ideal
    rebalance_pools: pd.DataFrame     # with a rebalance: per branch and pool of equal-rank staff, spread
    rebalance_frontier: pd.DataFrame  # with a rebalance: per branch and budget, moves used and spread reached

    @classmethod
    def concat(cls, parts: list["Allocation"]) -> "Allocation":
        """Results of groups of branches joined in the order given."""
        return cls(**{f.name: _concat([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    def as_computed(self) -> Ordered:
        """The allocation table as held, without reordering it: its rows and the order that puts them by
        branch (None: they are). For what needs no order (counts) or takes rows from the order itself."""
        return _ALLOCATION.pending(self)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [f for f in frames if len(f)]
    if not kept:
        return frames[0].iloc[0:0].reset_index(drop=True)
    return pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]


ALLOCATION = ["customer_id", "name", "kind", "branch", "tier", "retail_tier", "keeper", "keeper_name", "keeper_role",
              "source", "previous_keeper", "previous_keeper_name", "reason", "locked", "over_capacity", "status",
              "scale", "industry", "is_tech", "latent", "vip_grade", "deposit", "loan", "financial_assets", "weight",
              "marketer", "open_date", "id_number", "phone"]
CHANGES = ["branch", "customer_id", "name", "status", "previous_keeper", "previous_keeper_name", "keeper",
           "keeper_name", "source", "reason"]
DECLINED = ["branch", "customer_id", "name", "claimant", "claimant_name", "claimant_role", "claimed_on", "locked",
            "reason", "keeper", "keeper_name", "file", "sheet", "row"]
CONFLICTS = ["branch", "customer_id", "name", "claimant", "claimant_name", "claimant_role", "claim_rank", "locked",
             "load", "winner", "rule"]
KEEPERS = ["branch", "keeper", "keeper_name", "keeper_role", "state", "customers", "customers_high", "customers_mid",
           "customers_general", "deposit_high", "deposit_mid", "deposit_general", "deposit", "loan", "load",
           "targets", "customers_over_capacity"]
SEGMENTS = ["branch", "kind", "tier", "customers", "deposit", "loan", "financial_assets"]
TARGETS = ["branch", "seq", "customer_id", "name", "kind", "scale", "industry", "is_tech", "goal", "keeper",
           "keeper_name", "entry_point", "progress", "issues"]
BALANCE = ["branch", "role", "members", "distributed", "load_min", "load_max", "spread", "ideal_min", "ideal_max",
           "max_deviation", "max_weight", "balanced"]
POOLS = ["branch", "pool_roles", "members", "spread_before", "spread_after", "moves"]
FRONTIER = ["branch", "budget", "moves", "spread"]
#: The key of total rows in the segment statistics.
ALL = "all"
_STATES = ("active", "on_leave", "left")


@dataclass
class State:
    """What the steps of an allocation leave behind, for the tables."""

    branches: list[str]
    book: Customers
    people: Staff
    current: "Current"
    out: "Placement"
    locked: np.ndarray
    unplaced: np.ndarray
    change: np.ndarray
    claims: "ClaimOutcome"
    rebalance: "Outcome | None" = None

    @cached_property
    def present(self) -> np.ndarray:
        """The customers' branch codes, distinct and sorted (``np.unique``'s result), found once for the three
        tables that need them."""
        return distinct_codes(self.book.branch)


def build(s: State) -> "Allocation":
    """Every output table."""
    order = np.lexsort((np.arange(len(s.book)), s.book.branch))
    alloc = allocation_frame(s)
    return Allocation(
        allocation=ordered(alloc, order), changes=changes_frame(s, alloc, order),
        declined=declined_frame(s, alloc, order), conflicts=conflicts_frame(s, alloc, order),
        keepers=keepers_frame(s), segments=segments_frame(s), targets=targets_frame(alloc, order),
        balance=balance_frame(s, alloc), rebalance_pools=pools_frame(s), rebalance_frontier=frontier_frame(s),
    )


def _branch_names(s: State, codes: np.ndarray) -> np.ndarray:
    names = np.array([b or None for b in s.branches] + [None], dtype=object)
    return names[np.where(codes >= 0, codes, len(s.branches))]


def allocation_frame(s: State) -> pd.DataFrame:
    """One row per customer, in ledger order (``build`` gives the branch order with it)."""
    frame = s.book.frame
    keeper = s.out.keeper
    reason = np.where(pd.notna(s.unplaced), s.unplaced, s.change)
    assigned = dict(
        branch=s.book.branch_text(s.branches), keeper=s.people.ids(keeper),
        keeper_name=s.people.column("name", keeper), keeper_role=s.people.column("role", keeper),
        source=as_text(s.out.source), previous_keeper=s.current.raw.array,
        previous_keeper_name=_names(s, s.current.pos), reason=as_text(reason),
        locked=s.locked, over_capacity=s.out.over_capacity, weight=s.book.weight,
    )
    # The ledger's columns are shared, not copied (copy-on-write): the rows are put in branch order only
    # when the table is read in order, and the csv/json writers never do (``core.ordered``).
    result = frame[[c for c in ALLOCATION if c in frame and c not in assigned]]
    result = result.reset_index(drop=True).assign(**assigned)
    result["status"] = result["status"].fillna("existing")
    return result[ALLOCATION]


def _names(s: State, positions: np.ndarray) -> np.ndarray:
    return s.people.column("name", positions)


def changes_frame(s: State, alloc: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """Customers whose keeper is not the one they had (by branch): old keeper, new keeper, why.
    ``alloc``: the allocation in ledger order; ``order``: its branch order."""
    rows = order[pd.notna(s.change[order])]
    out = take_frame(alloc[[c for c in CHANGES if c != "reason"]], rows)
    out["reason"] = pd.Series(s.change[rows], dtype="str")
    return out[CHANGES]


def _at(frame: pd.DataFrame, column: str, rows: np.ndarray) -> object:
    """A column at some rows, taken without converting the whole column."""
    return take_rows(frame[column].array, rows)


def _rows_by_branch(s: State, pos: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer positions (rows of the allocation in ledger order) and a stable sort of them by their rows
    in branch order."""
    row_of = np.empty(len(order), dtype="int64")
    row_of[order] = np.arange(len(order))
    return pos, np.argsort(row_of[pos], kind="stable")


def declined_frame(s: State, alloc: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """Claims that did not win: the claimant, why, and who keeps the customer now."""
    d = s.claims.declined
    rows, sort = _rows_by_branch(s, d["pos"].to_numpy(), order)
    spos = d["spos"].to_numpy()
    out = pd.DataFrame({
        "branch": _at(alloc, "branch", rows), "customer_id": d["customer_id"].to_numpy(),
        "name": _at(alloc, "name", rows), "claimant": d["staff_id"].to_numpy(),
        "claimant_name": _names(s, spos), "claimant_role": s.people.column("role", spos),
        "claimed_on": pd.to_datetime(d["claimed_on"], errors="coerce").to_numpy(),
        "locked": d["locked"].to_numpy(dtype=bool), "reason": d["reason"].to_numpy(),
        "keeper": _at(alloc, "keeper", rows), "keeper_name": _at(alloc, "keeper_name", rows),
        "file": d["_file"].to_numpy(), "sheet": d["_sheet"].to_numpy(),
        "row": pd.to_numeric(d["_row"], errors="coerce").to_numpy(),
    }).iloc[sort]
    return _typed(out, DECLINED)


def conflicts_frame(s: State, alloc: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """Every claimant of every tie, the winner and the rule that settled it."""
    c = s.claims.conflicts
    rows, sort = _rows_by_branch(s, c["pos"].to_numpy(), order)
    spos = c["spos"].to_numpy()
    out = pd.DataFrame({
        "branch": _at(alloc, "branch", rows), "customer_id": _at(alloc, "customer_id", rows),
        "name": _at(alloc, "name", rows), "claimant": s.people.ids(spos), "claimant_name": _names(s, spos),
        "claimant_role": s.people.column("role", spos), "claim_rank": c["rank"].to_numpy() + 1,
        "locked": c["locked"].to_numpy(dtype=bool), "load": c["load"].to_numpy(),
        "winner": c["winner"].to_numpy(dtype=bool), "rule": c["rule"].to_numpy(),
    }).iloc[sort]
    return _typed(out, CONFLICTS)


def keepers_frame(s: State) -> pd.DataFrame:
    """存量客户1对N维护责任表: everyone of the branch who keeps or may keep, with counts and balances by tier;
    then, per branch with customers (or targets) nobody keeps, one row of them with an empty keeper, so
    the table sums to the branch's totals (the 存量客户细分统计表)."""
    keeper, people = s.out.keeper, s.people
    n = len(people.role)
    here = np.isin(people.branch, s.present)
    keeps_any = np.bincount(keeper[keeper >= 0], minlength=n) > 0
    rows = np.flatnonzero(here & ((people.state < 2) | keeps_any))
    rows = rows[np.lexsort((people.order[rows], people.branch[rows]))]
    sums = _keeper_sums(s, keeper, n)
    out = pd.DataFrame({
        "branch": _branch_names(s, people.branch[rows]), "keeper": people.ids(rows),
        "keeper_name": people.column("name", rows), "keeper_role": people.column("role", rows),
        "state": np.array(_STATES, dtype=object)[people.state[rows]], **{k: v[rows] for k, v in sums.items()},
    })
    unkept = _unkept_rows(s)
    if len(unkept):
        out = pd.concat([out, unkept], ignore_index=True)
        out = out.iloc[np.lexsort((out["keeper"].isna().to_numpy(), out["branch"].fillna("").to_numpy()))]
    return _typed(out[KEEPERS], KEEPERS)


def _keeper_sums(s: State, owner: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Per owner position (0..n-1): existing customers and balances by tier, load, targets owned."""
    book = s.book
    kept = (owner >= 0) & book.existing
    # One bincount over (tier, owner) cells: it adds in customer order as np.add.at did (the same sums to
    # the bit), in half its time (0.050 -> 0.023 s at a million customers).
    cell = book.tier[kept] * n + owner[kept]
    per_tier = np.bincount(cell, minlength=len(TIERS) * n).reshape(len(TIERS), n).astype("float64")
    money = np.bincount(cell, weights=book.deposit[kept], minlength=len(TIERS) * n).reshape(len(TIERS), n)
    loan = pd.to_numeric(book.frame["loan"], errors="coerce").fillna(0.0).to_numpy()
    owned = (owner >= 0) & book.target
    return {
        "customers": per_tier.sum(axis=0), **{f"customers_{t}": per_tier[i] for i, t in enumerate(TIERS)},
        **{f"deposit_{t}": money[i] for i, t in enumerate(TIERS)},
        **{name: np.bincount(owner[kept], weights=values[kept], minlength=n)
           for name, values in (("deposit", book.deposit), ("loan", loan), ("load", book.weight),
                                ("customers_over_capacity", s.out.over_capacity.astype(float)))},
        "targets": np.bincount(owner[owned], minlength=n),
    }


def _unkept_rows(s: State) -> pd.DataFrame:
    """One row per branch holding existing customers or targets without keeper (out of scope ones too):
    keeper, name, role and state empty."""
    book = s.book
    none = s.out.keeper < 0
    branches = np.unique(book.branch[none & (book.existing | book.target)])
    if not len(branches):
        return pd.DataFrame(columns=KEEPERS)
    owner = np.where(none, np.searchsorted(branches, book.branch), -1)
    sums = _keeper_sums(s, owner, len(branches))
    return pd.DataFrame({"branch": _branch_names(s, branches), **sums})


def segments_frame(s: State) -> pd.DataFrame:
    """存量客户细分统计表: existing customers by branch x kind x tier, with totals per kind and per branch."""
    book = s.book
    existing = book.existing & (book.kind >= 0) & (book.tier >= 0)
    values = {"deposit": book.deposit,
              "loan": pd.to_numeric(book.frame["loan"], errors="coerce").fillna(0.0).to_numpy(),
              "financial_assets": pd.to_numeric(book.frame["financial_assets"], errors="coerce").fillna(0.0).to_numpy()}
    kinds, tiers = len(KINDS) + 1, len(TIERS) + 1        # the last of each: all
    branches = s.present
    cell = (code_positions(branches, book.branch) * kinds + book.kind) * tiers + book.tier
    cells = len(branches) * kinds * tiers
    grid = {"customers": np.zeros(cells)} | {k: np.zeros(cells) for k in values}
    # The existing customers' cells, kinds, tiers and amounts are cut out once, not once per sum.
    cell, kind, tier = cell[existing], book.kind[existing], book.tier[existing]
    values = {k: v[existing] for k, v in values.items()}
    for kind_all in (False, True):
        for tier_all in (False, True):
            at = cell + (kinds - 1 - kind) * tiers * kind_all + (tiers - 1 - tier) * tier_all
            grid["customers"] += np.bincount(at, minlength=cells)
            for k, v in values.items():
                grid[k] += np.bincount(at, weights=v, minlength=cells)
    b, k, t = np.unravel_index(np.arange(cells), (len(branches), kinds, tiers))
    keep = ~((k == kinds - 1) & (t < tiers - 1))      # per-tier rows over all kinds are left out
    out = pd.DataFrame({
        "branch": _branch_names(s, branches[b[keep]]), "kind": np.array([*KINDS, ALL], dtype=object)[k[keep]],
        "tier": np.array([*TIERS, ALL], dtype=object)[t[keep]], **{c: v[keep] for c, v in grid.items()},
    })
    return _typed(out, SEGMENTS)


def targets_frame(alloc: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """目标客户责任表: one row per target (by branch), its owner, and empty columns for the marketing plan.
    ``alloc``: the allocation in ledger order; ``order``: its branch order."""
    rows = order[alloc["status"].eq("target").to_numpy(dtype=bool)[order]]
    out = take_frame(alloc[[c for c in TARGETS if c in alloc]], rows).reindex(columns=TARGETS)
    out["seq"] = out.groupby(out["branch"].fillna(""), sort=False).cumcount() + 1
    for column in ("goal", "entry_point", "progress", "issues"):
        out[column] = ""
    return _typed(out, TARGETS)


def balance_frame(s: State, alloc: pd.DataFrame) -> pd.DataFrame:
    """Per branch and role: the weighted load of its active members, and how far each is from the ideal;
    per branch with customers in scope left without keeper, a last row of them (``_undistributed``).

    The ideal spreads the load distributed to the role over its members on top
    of what they already keep, claimed or keep as marketers (water filling): a
    member whose fixed load is above the level gets none. ``balanced``: every member is within one
    customer's weight (the heaviest distributed to the role) of the ideal. ``alloc``: the allocation (its
    Arrow source column tells who was distributed: numpy's isin over ``s.out.source`` was thrice the time).
    """
    book, keeper, people = s.book, s.out.keeper, s.people
    n = len(people.role)
    kept = (keeper >= 0) & book.existing
    # A customer its marketer keeps is fixed to that marketer as a claim is: not load the ideal may spread.
    dealt = kept & alloc["source"].isin(["distributed", "spill"]).to_numpy(dtype=bool) \
        & ~alloc["reason"].eq(KEEPS).fillna(False).to_numpy(dtype=bool)
    load = np.bincount(keeper[kept], weights=book.weight[kept], minlength=n)
    given = np.bincount(keeper[dealt], weights=book.weight[dealt], minlength=n)
    heaviest = np.zeros(n)
    np.maximum.at(heaviest, keeper[dealt], book.weight[dealt])
    members = np.flatnonzero(people.receives & np.isin(people.branch, s.present))
    group = people.branch[members] * (len(ROLES) + 1) + people.role[members]
    frame = pd.DataFrame({"group": group, "load": load[members], "given": given[members],
                          "heaviest": heaviest[members]})
    frame["fixed"] = frame["load"] - frame["given"]
    frame["ideal"] = ideal_loads(frame["group"].to_numpy(), frame["fixed"].to_numpy(), frame["given"].to_numpy())
    frame["deviation"] = (frame["load"] - frame["ideal"]).abs()
    g = frame.groupby("group", sort=True)
    out = pd.DataFrame({
        "members": g.size(), "distributed": g["given"].sum(), "load_min": g["load"].min(),
        "load_max": g["load"].max(), "ideal_min": g["ideal"].min(), "ideal_max": g["ideal"].max(),
        "max_deviation": g["deviation"].max(), "max_weight": g["heaviest"].max(),
    })
    codes = out.index.to_numpy()
    out.insert(0, "role", np.array([*ROLES, None], dtype=object)[codes % (len(ROLES) + 1)])
    out.insert(0, "branch", _branch_names(s, codes // (len(ROLES) + 1)))
    out["spread"] = out["load_max"] - out["load_min"]
    out["balanced"] = (out["max_deviation"] <= out["max_weight"] + 1e-9) | (out["distributed"] == 0)
    out = pd.concat([out.reset_index(drop=True), _undistributed(s)], ignore_index=True)
    if len(out):
        out = out.iloc[np.lexsort((out["role"].fillna("").to_numpy(), out["role"].isna().to_numpy(),
                                   out["branch"].fillna("").to_numpy()))]
    return _typed(out.reset_index(drop=True)[BALANCE], BALANCE)


def _undistributed(s: State) -> pd.DataFrame:
    """Per branch, the row of customers in scope left without keeper (role empty, no members): their
    weighted load as ``distributed``, so the column sums to the load the branch had to place."""
    book = s.book
    left = (s.out.keeper < 0) & book.existing & book.in_scope
    if not left.any():
        return pd.DataFrame(columns=BALANCE)
    branches, where = np.unique(book.branch[left], return_inverse=True)
    load = np.bincount(where, weights=book.weight[left], minlength=len(branches))
    heaviest = np.zeros(len(branches))
    np.maximum.at(heaviest, where, book.weight[left])
    return pd.DataFrame({"branch": _branch_names(s, branches), "role": None, "members": 0, "distributed": load,
                         "max_weight": heaviest, "balanced": False})


def pools_frame(s: State) -> pd.DataFrame:
    """With a rebalance: per branch and pool of equal-rank staff, the spread before and after, moves."""
    if s.rebalance is None:
        return _typed(pd.DataFrame(columns=POOLS), POOLS)
    out = s.rebalance.pools.copy()
    out["branch"] = _branch_names(s, out["branch"].to_numpy(dtype="int64"))
    return _typed(out, POOLS)


def frontier_frame(s: State) -> pd.DataFrame:
    """With a rebalance: per branch, the spread reached and moves used at each budget (budget null: no limit)."""
    if s.rebalance is None:
        return _typed(pd.DataFrame(columns=FRONTIER), FRONTIER)
    out = s.rebalance.frontier.copy()
    out["branch"] = _branch_names(s, out["branch"].to_numpy(dtype="int64"))
    out["budget"] = pd.array(np.where(out["budget"] < 0, 0, out["budget"]), dtype="Int64").copy()
    out.loc[s.rebalance.frontier["budget"].to_numpy() < 0, "budget"] = pd.NA
    return _typed(out, FRONTIER)


def ideal_loads(group: np.ndarray, fixed: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Per member, ``max(fixed, T)`` where T spreads the group's given load over its members (water filling)."""
    if not len(group):
        return np.zeros(0)
    order = np.lexsort((fixed, group))
    f = fixed[order]
    start = np.r_[True, group[order][1:] != group[order][:-1]]
    gid = np.cumsum(start) - 1
    amount = np.bincount(gid, weights=given[order])[gid]
    first = np.flatnonzero(start)[gid]
    csum = np.cumsum(f)
    level = (amount + csum - np.where(first > 0, csum[first - 1], 0.0)) / (np.arange(len(f)) - first + 1)
    upper = np.r_[f[1:], np.inf]
    upper[np.r_[start[1:], True]] = np.inf          # the last member of a group has nothing above it
    fits = np.flatnonzero(level <= upper)            # always true at a group's last member
    lowest = np.full(int(gid[-1]) + 1, len(f))
    np.minimum.at(lowest, gid[fits], fits)
    water = np.where(amount > 0, level[lowest][gid], -np.inf)
    out = np.empty(len(f))
    out[order] = np.maximum(f, water)
    return out


_TYPES = {
    **{c: "float64" for c in ("deposit", "loan", "financial_assets", "deposit_high", "deposit_mid",
                              "deposit_general", "load", "weight", "distributed", "load_min", "load_max", "spread",
                              "ideal_min", "ideal_max", "max_deviation", "max_weight", "claim_rank")},
    **{c: "int64" for c in ("customers", "customers_high", "customers_mid", "customers_general", "targets",
                            "customers_over_capacity", "members", "seq", "moves")},
    **{c: "float64" for c in ("spread_before", "spread_after")},
    "budget": "Int64",
    **{c: "bool" for c in ("locked", "winner", "balanced")},
    "row": "Int64", "claimed_on": "datetime64[s]", "is_tech": "boolean",
}


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Columns in order, cast to their types (text as str), so groups of branches concatenate cleanly."""
    out = frame.reset_index(drop=True).reindex(columns=columns)
    for column in columns:
        dtype = _TYPES.get(column, "str")
        if str(out[column].dtype) != dtype:
            out[column] = out[column].astype(dtype)
    return out
