"""Whether each customer's current keeper still keeps it (DOMAIN §3: stability and hard rules).

The current keeper is last month's (``--previous``), which wins over the
customer list's 管户人 column. It keeps the customer unless a hard rule or a
change of circumstance takes it away: the keeper left, is on no staff list,
belongs to another branch, is ambiguous, changed role so the customer's
tier is no longer theirs (unless the head locked the customer), or the
customer has a loan and the keeper's role may not keep loan customers
(locks included). Staff on leave keep their customers. A target's owner
stays while still of the branch in a role that may own such a target; one
whose role may not (``target_owner_role``, or ``keeper_role_changed`` when
last month's role could) gives it up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from branchkit.core.network import NONE, ROLES, UNKNOWN, Customers, Matrices, Staff, codes, lookup
from branchkit.core.people import name_key
from branchkit.text import str_series


@dataclass
class Current:
    """The keeper each customer has as things stand, before this allocation."""

    pos: np.ndarray           # staff position, NONE, or UNKNOWN (an id on no staff list)
    raw: pd.Series            # the keeper as written (id or unresolved text), missing when empty; by position
    locked: np.ndarray        # last month's allocation pinned it
    prev_role: np.ndarray     # role code last month (-1: not known)
    ambiguous: np.ndarray     # the keeper cannot be told


def current_keepers(customers: Customers, staff: Staff, previous: pd.DataFrame | None,
                    ambiguous: frozenset[str], previous_at: np.ndarray | None = None) -> Current:
    """Last month's keeper where it names one, else the ledger's; flags for locks and ambiguity.
    ``previous_at``: each previous row's customer position when ``id_positions`` knew it (None: looked up)."""
    frame = customers.frame
    n = len(customers)
    keeper = _text(frame["keeper"])
    pick = np.arange(n)
    locked, prev_role = np.zeros(n, dtype=bool), np.full(n, -1, dtype="int64")
    doubled = frame["customer_id"].isin(ambiguous).to_numpy().copy()
    if previous is not None and len(previous):
        at = previous_at if previous_at is not None else \
            lookup(previous["customer_id"], pd.Index(frame["customer_id"].astype("str")))
        # Only the columns read here (last month's allocation has two dozen), and the rows naming a keeper of
        # a customer cut out by one filter, none when all do: 890,000 rows, current_keepers
        # 65 -> 60 ms thread CPU, best of 5.
        use = previous["keeper"].notna().to_numpy() & (at >= 0)
        prev = previous[[c for c in ("keeper", "locked", "keeper_role") if c in previous]]
        prev = (prev if use.all() else prev[use]).assign(_at=at[use])
        doubled[_named_by_two(prev, n)] = True
        first = prev.drop_duplicates("_at")
        where = first["_at"].to_numpy()
        # Last month's keeper where it names one: both columns stay Arrow text (a million Python strings
        # were 200 MB), and each customer's keeper is taken from one or the other.
        pick[where] = n + np.arange(len(where))
        keeper = pa.concat_arrays([keeper, _text(first["keeper"])])
        if "locked" in first:
            locked[where] = first["locked"].fillna(False).astype(bool).to_numpy()
        if "keeper_role" in first:
            prev_role[where] = codes(first["keeper_role"], ROLES)
    raw = str_series(keeper.take(pa.array(pick))) if n else pd.Series([], dtype="str")
    pos = lookup(raw, staff.index)
    doubled |= _named_twice(raw, customers.branch, staff, pos == UNKNOWN)
    return Current(pos, raw, locked, prev_role, doubled)


def _named_by_two(prev: pd.DataFrame, n: int) -> np.ndarray:
    """Customer positions (``_at``) given two different keepers by last month's rows. Only customers
    with more than one row can be: they are found by a count per position, and only their rows grouped
    (grouping a million rows of keeper text by customer cost ~0.45 s; nearly every customer has one row)."""
    at = prev["_at"].to_numpy()
    many = np.bincount(at, minlength=n)[at] > 1
    if not many.any():
        return np.zeros(0, dtype="int64")
    count = prev[many].groupby("_at")["keeper"].nunique()
    return count.index[count > 1].to_numpy()


def _text(values: pd.Series) -> pa.Array:
    """A column as an Arrow text array (nulls where missing)."""
    array = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _named_twice(raw: pd.Series, branch: np.ndarray, staff: Staff, unresolved: np.ndarray) -> np.ndarray:
    """Whether an ``unresolved`` keeper is a name held by two people of the customer's branch (names
    matched as ``people.name_key`` matches them)."""
    out = np.zeros(len(raw), dtype=bool)
    names = name_key(staff.frame["name"]).to_numpy()
    keys = pd.Series(staff.branch.astype("str")) + "\x1f" + names
    twice = set(keys[keys.duplicated(keep=False)])
    at = np.flatnonzero(unresolved)
    if not twice or not len(at):
        return out
    said = name_key(raw.iloc[at].fillna("")).to_numpy()
    out[at] = (pd.Series(branch[at].astype("str")) + "\x1f" + said).isin(twice).to_numpy()
    return out


def keeper_gone(customers: Customers, staff: Staff, current: Current, m: Matrices) -> np.ndarray:
    """Why each current keeper can no longer keep its customer (None: it stays, or there is none)."""
    pos = current.pos
    known = pos >= 0
    at = np.maximum(pos, 0)
    here = known & (staff.branch[at] == customers.branch) if len(staff.branch) else np.zeros(len(pos), bool)
    role = np.where(known, staff.role[at], len(ROLES)) if len(staff.role) else np.full(len(pos), len(ROLES))
    state = np.where(known, staff.state[at], -1) if len(staff.state) else np.full(len(pos), -1)
    kind, tier = np.maximum(customers.kind, 0), np.maximum(customers.tier, 0)
    loan_bad = customers.has_loan & ~m.loan_ok[kind, role]
    changed = (current.prev_role >= 0) & (current.prev_role != role) & (m.capacity[role, tier] <= 0)
    head = customers.to_head.astype("int64")
    misfit = customers.target & ~m.target_ok[head, kind, role]
    # A target's owner changed role only if last month's role differs and could own it: otherwise the
    # owner's role simply does not own targets of this scale (a retail RM holding a small corporate target).
    prev = np.where(current.prev_role >= 0, current.prev_role, len(ROLES))
    moved_off = (current.prev_role >= 0) & (current.prev_role != role) & m.target_ok[head, kind, prev]
    return np.select(
        [current.ambiguous, pos == NONE, known & ~here, pos == UNKNOWN, state == 2,
         customers.existing & loan_bad, customers.existing & changed & ~current.locked, misfit & moved_off, misfit],
        ["keeper_ambiguous", None, "keeper_other_branch", "keeper_unknown", "keeper_left", "loan_needs_rm",
         "keeper_role_changed", "keeper_role_changed", "target_owner_role"],
        None,
    )
