"""``allocate``: one keeper for every existing customer, an owner for every target (包户包效, DOMAIN §3).

``allocate_branch`` is the whole computation, a pure function of a branch's
frames and the rules. Every step keeps branches apart (a keeper never
crosses branches), so the same function takes several branches at once and
gives each exactly what it would give it alone; that is how it runs over a
network without a Python loop per branch. ``allocate`` is the driver: with
``jobs > 1`` it splits the network into groups of whole branches, runs them
in parallel processes (``parallel.map_shared``: forked, each cuts its group) and joins the results
in sorted branch order, byte for byte what one process gives.

For each branch, in order:

1. tiers and scope (existing customers with deposits at or above the floor);
2. the current keeper (last month's, else the ledger's 管户人) stays unless
   it left, is not of the branch, changed role away from the tier, is
   ambiguous, or may not keep a loan customer (hard rule) — ``core.keeping``;
3. claims are settled — ``core.claims``;
4. a customer of the tiers the rules name goes to its marketer where the
   marketer may keep it (谁营销谁维护) — ``core.marketers``;
5. the rest is distributed by route, capacity and weighted load, and targets
   get an owner by scale — ``core.distribute``; where capacities bind, the
   branch is distributed again exactly (least spill depth) — ``core.spills``;
6. with a rebalance budget, at most that many kept customers move within
   pools of equal-rank staff to even out their load — ``core.rebalance``;
7. the output tables — ``core.allocation_tables``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.core import allocation_tables as tables
from branchkit.core.allocation_tables import Allocation
from branchkit.core.allocation_trace import Trace
from branchkit.core.claims import ClaimOutcome, settle_claims
from branchkit.core.distribute import Placement, Pool, distribute, place_targets
from branchkit.core.keeping import Current, current_keepers, keeper_gone
from branchkit.core.marketers import give_to_marketers, kept_by_marketer
from branchkit.core.needs import Need, Needs
from branchkit.core.network import Customers, Matrices, Staff, aligned_branches, branch_codes, id_positions, lookup
from branchkit.core.rebalance import rebalance as rebalance_loads
from branchkit.core.spills import respill
from branchkit.parallel import map_shared
from branchkit.models.ledgers import LEDGERS
from branchkit.rules import Rules

__all__ = ["Allocation", "allocate", "allocate_branch", "allocation_needs", "trace_customer"]


def allocation_needs(rules: Rules) -> Needs:
    """The columns allocation reads (``core.needs``): deposits decide tiers and scope; loans, assets, scale,
    status, keepers, staff states and last month's roles refine. A missing loan column refines (SPEC's
    example, and a deposit-only export is a common ledger): without it no customer counts as having a
    loan, which the warning says."""
    assets = ("deposits stand in for them" if rules.tiers.retail.assets_from_deposit else "tiered on personal loans alone",
              "以存款代替" if rules.tiers.retail.assets_from_deposit else "仅按个人贷款")
    given = ("customers", "staff")
    return Needs("allocate", (
        Need("customers", "deposit", True, "relationship tiers and the deposit floor (who is in scope)",
             "关系层级与分配门槛（分配范围）", given=given),
        Need("customers", "loan", False,
             "loan customers: none is seen (tiers on deposits alone, no loan customer brought into scope below "
             "the floor, none kept by an RM by the hard rule)",
             "贷款客户：均按无贷款处理（层级只看存款，门槛以下的贷款客户不纳入，不按贷款客户须由客户经理维护的规则）",
             given=given),
        Need("customers", "financial_assets", False, f"retail value tiers on financial assets: {assets[0]}",
             f"零售价值层级所用的金融资产：{assets[1]}", given=given,
             only_if=("kind", tuple(rules.tiers.retail.kinds))),
        Need("customers", "scale", False,
             "enterprise scale: no corporate routed to an RM for being large or medium, no target to the head",
             "企业规模：大中型企业不按规模交客户经理维护，目标客户不按规模交行长", given=given,
             only_if=("kind", ("corporate",))),
        Need("customers", "status", False, "customer status: every customer is existing (存量), none a target",
             "客户状态：全部按存量客户处理，无目标客户", given=given),
        Need("customers", "keeper", False, "current keepers (管户人): every customer is distributed anew",
             "现维护人（管户人）：所有客户重新分配", instead=(("previous", None),), given=given),
        *((Need("customers", "marketer", False,
                "marketers (营销人): no customer is kept by its marketer (who markets it keeps it)",
                "营销人：不按“谁营销谁维护”交营销人维护", given=given),) if rules.allocation.marketer_keeps else ()),
        Need("staff", "state", False, "who left or is on leave: everyone counts as active",
             "在岗状态：全部按在岗处理", given=given),
        Need("previous", "keeper_role", False, "last month's roles: a keeper's change of role is not seen",
             "上月岗位：看不出维护人的岗位变动", given=(*given, "previous")),
    ))


def conform(frame: pd.DataFrame | None, kind: str) -> pd.DataFrame | None:
    """A ledger frame with every canonical column of its kind (missing ones as nulls)."""
    if frame is None:
        return None
    # A shallow copy: copy-on-write keeps the caller's frame as it is while this one gains columns (a deep
    # copy of a million-row customer list and last month's allocation was 500 MB held through the run).
    out = frame.copy(deep=False)
    for name in LEDGERS[kind].columns():
        if name not in out:
            out[name] = pd.Series(pd.NA, index=out.index, dtype="object")
    if "_rid" not in out:
        out["_rid"] = np.arange(len(out), dtype="int64")
    if "_row" not in out:
        out["_row"] = np.arange(2, len(out) + 2, dtype="int64")
    for name in ("_file", "_sheet"):
        if name not in out:
            out[name] = pd.Series(pd.NA, index=out.index, dtype="str")
    return out


def allocate_branch(customers: pd.DataFrame, staff: pd.DataFrame, rules: Rules, *,
                    claims: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                    ambiguous: frozenset[str] = frozenset(), rebalance: int | None = None,
                    trace: Trace | None = None) -> Allocation:
    """Allocate a branch: keepers for its existing customers, owners for its targets.

    ``customers``, ``staff``, ``claims`` and ``previous`` are ledger frames in
    canonical columns (keepers and claimants as staff ids); ``ambiguous``
    names customers whose ledger keeper could not be told. ``rebalance``: the
    move budget per branch (None: the rules' ``allocation.rebalance``, where 0
    means no rebalance at all; a number, 0 included, also computes the
    frontier). Given several branches, each is allocated on its own. ``trace``
    (``allocate --explain``, ``core.allocation_trace``) notes one customer's path.
    """
    customers, staff = conform(customers, "customers"), conform(staff, "staff")
    customer_branch, staff_branch, names = branch_codes(customers, staff)
    m = Matrices.build(rules.allocation)
    people = Staff.build(staff, staff_branch)
    previous = conform(previous, "previous")
    repeated, previous_at = id_positions(customers["customer_id"],
                                         None if previous is None else previous["customer_id"])
    book = Customers.build(customers, customer_branch, rules, m, repeated)
    if trace is not None:
        trace.bind(book.frame["customer_id"])
    current = current_keepers(book, people, previous, ambiguous, previous_at)
    gone = keeper_gone(book, people, current, m)
    stays = (current.pos >= 0) & pd.isna(gone) & (book.in_scope | book.target)
    out = Placement(np.where(stays, current.pos, -1), _SOURCES[np.where(stays, book.target.astype("int8"), 2)],
                    np.full(len(book), None, dtype=object), np.zeros(len(book), dtype=bool))
    locked = stays & current.locked
    loads = Pool.build(people, book, out.keeper, m, len(names)).load
    outcome = settle_claims(conform(claims, "claims"), book, people, current, out.keeper, locked, loads, m)
    moved_by = _apply_claims(outcome, out, locked)
    pool = Pool.build(people, book, out.keeper, m, len(names))
    free = (out.keeper < 0) & ~current.ambiguous
    todo = np.flatnonzero(book.existing & book.in_scope & free)
    todo, marketer_why = give_to_marketers(book, people, todo, pool, rules.allocation, m, out)
    before = pool.load.copy(), pool.count.copy()
    distribute(book, todo, pool, rules.allocation, m, out, trace)
    respill(book, todo, pool, before, rules.allocation, m, out, trace)
    place_targets(book, np.flatnonzero(book.target & free), pool, rules.allocation, m, out)
    budget = rules.allocation.rebalance if rebalance is None else rebalance
    moves = None
    if rebalance is not None or budget > 0:
        fixed = locked | _claimed(conform(claims, "claims"), book) | kept_by_marketer(book, people, out.keeper,
                                                                                        rules.allocation)
        moves = rebalance_loads(book, people, out, fixed, budget, rules.allocation, m)
        moved_by[moves.moved] = "rebalance"
    unplaced, change = _reasons(book, people, current, gone, moved_by, out)
    # A customer its marketer could not keep says why, unless it has a reason of its own (its keeper left, ...).
    told = pd.notna(marketer_why) & pd.isna(unplaced) & pd.isna(change)
    unplaced[told] = marketer_why[told]
    state = tables.State(names, book, people, current, out, locked, unplaced, change, outcome, moves)
    if trace is not None:
        trace.state, trace.gone = state, gone[trace.position] if trace.position >= 0 else None
        trace.marketer = marketer_why[trace.position] if trace.position >= 0 else None
    return tables.build(state)


#: The source of a keeper who stays, by index (target or not, 2: none yet). Taken from these three objects:
#: ``np.where`` of string constants made a Python string per customer (60 MB at a million, held to the end).
_SOURCES = np.array(["kept", "target", None], dtype=object)


def _claimed(claims: pd.DataFrame | None, book: Customers) -> np.ndarray:
    """Customers named in any claim (won, declined or the keeper's own): a rebalance leaves them alone."""
    out = np.zeros(len(book), dtype=bool)
    if claims is not None and len(claims):
        pos = lookup(claims["customer_id"], pd.Index(book.frame["customer_id"].astype("str")))
        out[pos[pos >= 0]] = True
    return out


def _apply_claims(outcome: ClaimOutcome, out: Placement, locked: np.ndarray) -> np.ndarray:
    """Give winning claimants their customers (in place); returns the move reason by claims per customer."""
    moved_by = np.full(len(out.keeper), None, dtype=object)
    pos, winner = outcome.customer, outcome.staff
    before = out.keeper[pos]
    moved = (before >= 0) & (before != winner)
    moved_by[pos[moved]] = np.where(outcome.locked[moved], "locked_claim", "claim_outranks")
    out.source[pos] = np.where(before == winner, out.source[pos], "claim")
    out.keeper[pos] = winner
    locked[pos] |= outcome.locked
    return moved_by


def _reasons(book: Customers, people: Staff, current: Current, gone: np.ndarray, moved_by: np.ndarray,
             out: Placement) -> tuple[np.ndarray, np.ndarray]:
    """Why a customer has no keeper (or is beyond capacity), and why its keeper changed."""
    none = out.keeper < 0
    unplaced = out.reason.copy()
    unplaced[none & current.ambiguous] = "keeper_ambiguous"
    unplaced[none & book.existing & ~book.in_scope] = "below_deposit_floor"
    has_staff = np.zeros(int(book.branch.max(initial=-1)) + 1, dtype=bool)
    has_staff[people.branch[(people.branch >= 0) & (people.branch < len(has_staff))]] = True
    blank = book.frame["branch"].astype("str").fillna("").eq("").to_numpy()
    unplaced[none & blank & ~has_staff[book.branch]] = "no_branch"
    changed = (current.pos != -1) & (current.pos != out.keeper)
    change = np.where(pd.notna(gone), gone, np.where(pd.notna(moved_by), moved_by, unplaced))
    return unplaced, np.where(changed, change, None)


def allocate(customers: pd.DataFrame, staff: pd.DataFrame, rules: Rules, *, claims: pd.DataFrame | None = None,
             previous: pd.DataFrame | None = None, ambiguous: frozenset[str] = frozenset(),
             jobs: int = 1, rebalance: int | None = None) -> Allocation:
    """Allocate every branch of a network; with ``jobs > 1``, groups of branches in parallel processes.

    ``rebalance``: the move budget per branch, as in ``allocate_branch``.
    """
    if jobs <= 1:
        return allocate_branch(customers, staff, rules, claims=claims, previous=previous, ambiguous=ambiguous,
                               rebalance=rebalance)
    groups = _BranchGroups.of(customers, staff, claims, previous, jobs)
    # The workers inherit the ledgers (forked) and cut their group there: nothing big is pickled in.
    return Allocation.concat(map_shared(_allocate_group, (groups, rules, ambiguous, rebalance), groups.numbers,
                                        jobs))


def _allocate_group(shared: tuple, g: int) -> Allocation:
    groups, rules, ambiguous, rebalance = shared
    customers, staff, claims, previous = groups.part(g)
    return allocate_branch(customers, staff, rules, claims=claims, previous=previous, ambiguous=ambiguous,
                           rebalance=rebalance)


@dataclass
class _BranchGroups:
    """Whole branches in sorted order, cut into about ``jobs`` groups of similar size; all staff in each."""

    customers: pd.DataFrame
    customer_branch: pd.Series
    staff: pd.DataFrame
    claims: pd.DataFrame | None
    previous: pd.DataFrame | None
    group: np.ndarray                 # each customer's group
    by_customer: pd.Series            # customer id -> group
    numbers: list[int]

    @classmethod
    def of(cls, customers: pd.DataFrame, staff: pd.DataFrame, claims: pd.DataFrame | None,
           previous: pd.DataFrame | None, jobs: int) -> "_BranchGroups":
        customer_branch, staff_branch = aligned_branches(customers["branch"], staff["branch"])
        sizes = customer_branch.value_counts().sort_index()
        cut = np.minimum((np.cumsum(sizes.to_numpy()) - sizes.to_numpy()) * jobs // max(len(customer_branch), 1),
                         jobs - 1)
        group = customer_branch.map(pd.Series(cut, index=sizes.index)).to_numpy()
        by_customer = pd.Series(group, index=customers["customer_id"].astype("str").to_numpy())
        staff = staff.assign(branch=staff_branch.replace("", pd.NA))
        return cls(customers, customer_branch, staff, claims, previous, group, by_customer,
                   sorted(set(group.tolist())))

    def part(self, g: int) -> tuple:
        """Group ``g``'s customers, the staff, and the claims and last month's rows of its customers."""
        mine = self.group == g
        part = self.customers[mine].assign(branch=self.customer_branch[mine].replace("", pd.NA))
        return part, self.staff, _rows_of(self.claims, self.by_customer, g), _rows_of(self.previous, self.by_customer, g)


def _rows_of(frame: pd.DataFrame | None, group_of: pd.Series, g: int) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame[frame["customer_id"].astype("str").map(group_of).to_numpy() == g]


def trace_customer(customers: pd.DataFrame, staff: pd.DataFrame, rules: Rules, customer_id: str, *,
                   claims: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                   ambiguous: frozenset[str] = frozenset(), rebalance: int | None = None) -> Trace | None:
    """The customer's branch allocated alone, with the customer's trace (None: no such customer)."""
    ids = customers["customer_id"].astype("str")
    if not ids.eq(customer_id).any():
        return None
    branch, _ = aligned_branches(customers["branch"], staff["branch"])
    mine = (branch == branch[ids.eq(customer_id)].iloc[0]).to_numpy()
    book = customers[mine].assign(branch=branch[mine].replace("", pd.NA))
    in_book = set(book["customer_id"].astype("str"))
    trace = Trace(customer_id)
    trace.claims = _rows(claims, {customer_id})
    trace.previous = _rows(previous, {customer_id})
    allocate_branch(book, staff, rules, claims=_rows(claims, in_book), previous=_rows(previous, in_book),
                    ambiguous=ambiguous, rebalance=rebalance, trace=trace)
    return trace


def _rows(frame: pd.DataFrame | None, ids: set[str]) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame[frame["customer_id"].astype("str").isin(ids).to_numpy()]
