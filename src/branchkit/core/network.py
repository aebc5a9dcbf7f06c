"""The ledgers of an allocation as integer-coded arrays, so every step is whole-array numpy work.

Staff and customers are numbered by position; branches, roles, kinds, tiers
and states become small integer codes. A keeper, claimant or last month's
keeper is a staff position (``NONE`` when the ledger leaves it empty,
``UNKNOWN`` when the id is on no staff list). Every step that follows keeps
branches apart by comparing branch codes, so one call can allocate one
branch or many at once with the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.core.tiers import TIERS, add_tiers, relationship_codes, text
from branchkit.errors import DataError
from branchkit.rules import ROLE_KEYS, AllocationRules, Rules
from branchkit.text import any_repeated, digit_positions, joint_codes, text_at, text_positions

KINDS = ("corporate", "retail", "agri")
ROLES = ROLE_KEYS
STATES = ("active", "on_leave", "left")
NONE, UNKNOWN = -1, -2


def codes(values: pd.Series, keys: tuple[str, ...]) -> np.ndarray:
    """Positions of values in ``keys`` (-1 for null or unknown); factorised first, as values repeat."""
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    where = pd.Index(keys).get_indexer(np.asarray(uniques, dtype=object)).astype("int64")
    return np.where(found < 0, -1, where[np.maximum(found, 0)] if len(where) else -1).astype("int64")


def distinct_codes(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of small integer codes by one count over their range: a million customers' branch
    codes, 10 -> 1.2 ms thread CPU, best of 5 (np.unique sorts them all)."""
    if not len(values):
        return np.zeros(0, dtype=values.dtype)
    low = min(int(values.min()), 0)          # shifted only for negative codes: no copy of the usual ones
    return (np.flatnonzero(np.bincount(values - low if low else values)) + low).astype(values.dtype)


def code_positions(distinct: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each code's position among the distinct codes (all present), by a table over their range rather than
    a binary search per code (a million customers: 3.6 -> 0.8 ms thread CPU, best of 5)."""
    if not len(distinct):
        return np.zeros(len(codes), dtype="int64")
    low = min(int(distinct[0]), 0)
    table = np.zeros(int(distinct[-1]) - low + 1, dtype="int64")
    table[distinct - low] = np.arange(len(distinct))
    return table[codes - low] if low else table[codes]


def lookup(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Positions of ``values`` in a unique index: ``NONE`` for nulls, ``UNKNOWN`` when absent.

    Factorised first: a million references name a few thousand people.
    """
    where = text_positions(values, index)
    where[where < 0] = UNKNOWN
    where[values.isna().to_numpy()] = NONE
    return where


def id_positions(ids: pd.Series, previous: pd.Series | None) -> tuple[bool, np.ndarray | None]:
    """Whether a customer id repeats (two missing ids count, as in ``any_repeated``) and where each of last
    month's ids is among the customers (``lookup``'s positions: ``NONE`` missing, ``UNKNOWN`` absent), from
    one hash of both columns (a million customers and 890,000 previous rows: the repeat check's 0.11 s plus
    the lookup's 0.17 -> 0.19 s CPU, best of three). The positions are None, for ``lookup`` to find, without
    last month's ids or when a column is not text. Digit ids by ``text.digit_positions``, without the
    factorisation (0.15 -> 0.11 s thread CPU, best of 3)."""
    found = None if previous is None else digit_positions(ids, previous)
    if found is not None:                       # no present id repeats
        where, missing = found
        return missing > 1, np.where(where >= 0, where, np.where(previous.isna().to_numpy(), NONE, UNKNOWN))
    joint = None if previous is None else joint_codes(ids, previous)
    if joint is None:
        return any_repeated(ids), None
    own, theirs, distinct = joint
    named = np.flatnonzero(own >= 0)
    at = np.full(distinct, UNKNOWN, dtype="int64")
    at[own[named]] = named
    repeated = bool(len(own) - len(named) > 1 or np.count_nonzero(at >= 0) < len(named))
    return repeated, np.where(theirs >= 0, at[np.maximum(theirs, 0)] if distinct else NONE, NONE).astype("int64")


def order_of(values: pd.Series) -> np.ndarray:
    """The rank of each value in sorted order (ties by position): a cheap tie-break key."""
    out = np.empty(len(values), dtype="int64")
    out[values.astype("str").fillna("").argsort(kind="stable").to_numpy()] = np.arange(len(values))
    return out


@dataclass
class Matrices:
    """Rules as lookup tables by code: capacity[role, tier], loan_ok[kind, role], rank[role], ..."""

    capacity: np.ndarray
    loan_ok: np.ndarray
    rank: np.ndarray
    rm: np.ndarray            # rm role code by kind
    weight: np.ndarray        # by tier
    target_ok: np.ndarray     # [goes to head (0/1), kind, role]: the role may own such a target

    @classmethod
    def build(cls, rules: AllocationRules) -> "Matrices":
        role = {r: i for i, r in enumerate(ROLES)}
        capacity = np.zeros((len(ROLES) + 1, len(TIERS)))           # last row: no role
        for name, cap in rules.capacity.items():
            capacity[role[name]] = [getattr(cap, t) for t in TIERS]
        loan_ok = np.zeros((len(KINDS), len(ROLES) + 1), dtype=bool)
        for k, kind in enumerate(KINDS):
            for name in (*rules.loan_keeper_roles, rules.rm_for_kind[kind]):  # type: ignore[index]
                loan_ok[k, role[name]] = True
        ranks = rules.claim_rank()
        rank = np.array([ranks.get(r, np.nan) for r in ROLES] + [np.nan], dtype="float64")
        rm = np.array([role[rules.rm_for_kind[k]] for k in KINDS], dtype="int64")  # type: ignore[index]
        weight = np.array([rules.tier_weights[t] for t in TIERS], dtype="float64")  # type: ignore[index]
        target_ok = np.zeros((2, len(KINDS), len(ROLES) + 1), dtype=bool)
        for head in (0, 1):
            for k, kind in enumerate(KINDS):
                for step in target_steps(bool(head), rules.rm_for_kind[kind], rules):  # type: ignore[index]
                    target_ok[head, k, [role[r] for r in step]] = True
        return cls(capacity, loan_ok, rank, rm, weight, target_ok)


def concrete_steps(steps: list, rm_role: str, loan: bool, rules: AllocationRules) -> list[tuple[str, ...]]:
    """A route's steps as role tuples: "rm" made concrete; for a loan customer only the roles allowed to keep it."""
    allowed = set(rules.loan_keeper_roles) | {rm_role}
    out = []
    for step in steps:
        roles = tuple(dict.fromkeys(rm_role if r == "rm" else r for r in ([step] if isinstance(step, str) else step)))
        if loan:
            roles = tuple(r for r in roles if r in allowed)
        if roles:
            out.append(roles)
    return out


def target_steps(head: bool, rm_role: str, rules: AllocationRules) -> list[tuple[str, ...]]:
    """The owner steps of a target: the head's for the head scales, the RMs' for the others."""
    return concrete_steps(rules.targets.head_steps if head else rules.targets.owner_steps, rm_role, False, rules)


@dataclass
class Staff:
    """Every person, by position: id, name, branch, role, state, claim rank, id order."""

    frame: pd.DataFrame
    index: pd.Index
    branch: np.ndarray
    role: np.ndarray          # code into ROLES; len(ROLES) for an unknown role
    state: np.ndarray         # code into STATES
    order: np.ndarray

    @classmethod
    def build(cls, staff: pd.DataFrame, branch_codes: np.ndarray) -> "Staff":
        frame = staff.reset_index(drop=True)
        if frame["staff_id"].duplicated().any():
            raise DataError("the staff list holds a staff id twice; each person once")
        role = codes(frame["role"], ROLES)
        role[role < 0] = len(ROLES)
        state = codes(frame["state"].fillna("active"), STATES)
        state[state < 0] = 0
        return cls(frame, pd.Index(frame["staff_id"].astype("str")), branch_codes, role, state,
                   order_of(frame["staff_id"]))

    @property
    def receives(self) -> np.ndarray:
        """Active staff get new customers; staff on leave keep theirs but get none."""
        return self.state == 0

    def ids(self, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """Staff ids at positions (null where negative)."""
        return self.column("staff_id", positions)

    def column(self, name: str, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """A text column of the staff list at positions (null where negative)."""
        return text_at(self.frame[name], positions)


def as_text(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """An object array of a few distinct strings (or None) as a text array, without per-item conversion."""
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    return pd.array(np.asarray(uniques, dtype=object), dtype="str").take(found, allow_fill=True)


@dataclass
class Customers:
    """The customer list with tiers and the arrays allocation works on."""

    frame: pd.DataFrame       # canonical columns + tier, retail_tier, vip_grade
    branch: np.ndarray
    kind: np.ndarray
    tier: np.ndarray
    existing: np.ndarray
    target: np.ndarray
    in_scope: np.ndarray
    has_loan: np.ndarray
    deposit: np.ndarray
    weight: np.ndarray
    to_head: np.ndarray       # a target whose scale goes to the head

    @classmethod
    def build(cls, customers: pd.DataFrame, branch_codes: np.ndarray, rules: Rules, m: Matrices,
              repeated: bool | None = None) -> "Customers":
        """``repeated``: whether a customer id repeats, when ``id_positions`` knew it (None: checked here)."""
        if any_repeated(customers["customer_id"]) if repeated is None else repeated:
            twice = customers.loc[customers["customer_id"].duplicated(), "customer_id"].iloc[0]
            raise DataError(f"the customer list holds the customer id {twice} twice; each customer once")
        frame = add_tiers(customers.reset_index(drop=True), rules.tiers)
        # Compared as the column is (Arrow text): a million Python strings cost 0.04 s.
        status = frame["status"].fillna("existing")
        deposit = pd.to_numeric(frame["deposit"], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
        loan = pd.to_numeric(frame["loan"], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
        tier = relationship_codes(deposit, loan, rules.tiers.relationship)
        existing = status.eq("existing").to_numpy(dtype=bool)
        # The deposit floor is for customers without loans (DOMAIN §3, seed 000 无贷户): a loan customer
        # is in scope whatever its deposits.
        in_scope = existing & ((deposit >= rules.allocation.deposit_floor) | (loan > 0))
        return cls(frame, branch_codes, codes(frame["kind"], KINDS), tier, existing,
                   status.eq("target").to_numpy(dtype=bool),
                   in_scope, loan > 0, deposit, m.weight[tier],
                   frame["scale"].isin(rules.allocation.targets.head_scales).to_numpy())

    def branch_text(self, names: list[str]) -> pd.api.extensions.ExtensionArray:
        """Each customer's branch as text, null where none: the ledger's own column where every customer names
        a branch (the same text as the names by code: 1,000,000 CSV customers, 22 MB of the allocation not
        held twice), else the names by code (factorising a million names was 0.04 s)."""
        ledger = self.frame["branch"]
        if ledger.dtype == "str" and not (ledger.isna() | ledger.eq("")).any():
            return ledger.array
        return text(np.where(self.branch >= 0, self.branch, -1), tuple(b or None for b in names))

    def id_order(self, positions: np.ndarray) -> np.ndarray:
        """The rank of these customers' ids among themselves (a tie-break key)."""
        return order_of(self.frame["customer_id"].take(positions))

    def __len__(self) -> int:
        return len(self.frame)


def branch_codes(customers: pd.DataFrame, staff: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Branch codes of customers and staff (in sorted name order), after aligning a side that names none."""
    customer_branch, staff_branch = aligned_branches(customers["branch"], staff["branch"])
    found_c, names_c = pd.factorize(customer_branch)
    found_s, names_s = pd.factorize(staff_branch)
    names = sorted(set(names_c) | set(names_s))
    index = pd.Index(names, dtype=object)
    code_c = index.get_indexer(np.asarray(names_c, dtype=object)).astype("int64")
    code_s = index.get_indexer(np.asarray(names_s, dtype=object)).astype("int64")
    return (code_c[found_c] if len(found_c) else found_c.astype("int64"),
            code_s[found_s] if len(found_s) else found_s.astype("int64"), names)


def aligned_branches(customer_branch: pd.Series, staff_branch: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Branch names ('' = none); a side naming none takes the other side's only branch."""
    customer_branch = customer_branch.astype("str").fillna("")
    staff_branch = staff_branch.astype("str").fillna("")
    named_c = sorted(set(customer_branch.unique()) - {""})
    named_s = sorted(set(staff_branch.unique()) - {""})
    if named_c and not named_s and len(staff_branch):
        if len(named_c) > 1:
            raise DataError(f"the customers belong to {len(named_c)} branches but the staff list names no branch "
                            "(网点); add each person's branch so keepers stay within their branch")
        staff_branch = pd.Series(named_c[0], index=staff_branch.index, dtype="str")
    elif named_s and not named_c and len(customer_branch):
        if len(named_s) > 1:
            raise DataError(f"the staff list names {len(named_s)} branches but the customer list names none "
                            "(网点); add each customer's branch")
        customer_branch = pd.Series(named_s[0], index=customer_branch.index, dtype="str")
    return customer_branch, staff_branch
