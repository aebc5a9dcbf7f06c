"""Settling claims (认领, DOMAIN §3 step 2), every claim at once.

A claim is first checked on its own: the claimant is active staff of the
customer's branch, the customer is an existing one in scope, and the hard
rule for loan customers holds. The valid claims of a customer then compete
by strength: a locked claim (the head's pin) beats every unlocked one, and
otherwise the higher role in the claim priority wins. A customer with a
keeper moves only to a claim strictly stronger than the keeper's standing
(its role's rank; a locked customer yields only to a locked claim). Claims of
equal strength are a conflict for the head, settled meanwhile by the tie
rule: the claimant who already keeps the customer, else the lower weighted
load, else the lower staff id. The keeper's own claim counts: a keeper who
claims its customer beside a claimant of equal strength is a listed conflict
it wins by the first rule (the keeper stays; the other claim is declined,
``tie_lost``). A claim losing to a locked claim of any rank is declined as
``outranked_by_locked``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.core.keeping import Current
from branchkit.core.network import ROLES, Customers, Matrices, Staff, lookup

_UNLOCKED = 100.0      # added to a rank: every locked claim is stronger than every unlocked one
_LOCKED_KEEPER = 50.0  # a pinned keeper: beaten by locked claims only
_NO_RANK = 99.0        # a keeper whose role is not in the claim priority: any claim beats it
CLAIM_COLUMNS = ["claimed_on", "_file", "_sheet", "_row", "_rid"]


@dataclass
class ClaimOutcome:
    """The claims, settled: winners by customer position, declined claims, conflicts."""

    customer: np.ndarray      # positions of customers a claim won
    staff: np.ndarray         # the winning claimant's staff position
    locked: np.ndarray        # the winning claim was locked
    declined: pd.DataFrame    # pos, spos, reason, locked + the claim's own columns
    conflicts: pd.DataFrame   # pos, spos, rank, locked, load, winner, rule

    @classmethod
    def none(cls) -> "ClaimOutcome":
        empty = np.zeros(0, dtype="int64")
        return cls(empty, empty, np.zeros(0, bool), _frame({}, 0, DECLINED), _frame({}, 0, CONFLICTS))


DECLINED = {"pos": "int64", "spos": "int64", "reason": "object", "locked": "bool", "staff_id": "object",
            "customer_id": "object", **{c: "object" for c in CLAIM_COLUMNS}}
CONFLICTS = {"pos": "int64", "spos": "int64", "rank": "float64", "locked": "bool", "load": "float64",
             "winner": "bool", "rule": "object"}


def settle_claims(claims: pd.DataFrame | None, customers: Customers, staff: Staff, current: Current,
                  keeper: np.ndarray, kept_locked: np.ndarray, loads: np.ndarray, m: Matrices) -> ClaimOutcome:
    """Winners, declined claims and conflicts, given who keeps what before claims (``keeper``: staff positions)."""
    if claims is None or claims.empty:
        return ClaimOutcome.none()
    frame = _prepare(claims, customers, staff)
    if frame.empty:
        return ClaimOutcome.none()
    reason = _invalid(frame, customers, staff, current, m)
    valid = frame[pd.isna(reason)].copy()
    ranked = _rank(valid, current, keeper, kept_locked, loads, staff, m)
    frame["reason"] = reason
    frame.loc[ranked.index, "reason"] = ranked["reason"]
    won = ranked[ranked["wins"]]
    lost = frame[frame["reason"].notna() & (frame["reason"] != "")]
    declined = _frame({c: lost[c].to_numpy() for c in DECLINED}, len(lost), DECLINED)
    return ClaimOutcome(won["pos"].to_numpy(), won["spos"].to_numpy(), won["locked"].to_numpy(dtype=bool),
                        declined, _conflicts(ranked))


def _prepare(claims: pd.DataFrame, customers: Customers, staff: Staff) -> pd.DataFrame:
    pos = lookup(claims["customer_id"], pd.Index(customers.frame["customer_id"].astype("str")))
    frame = claims[pos >= 0].copy()
    frame["pos"] = pos[pos >= 0]
    frame["spos"] = lookup(frame["staff_id"], staff.index)
    frame["locked"] = frame["locked"].fillna(False).astype(bool) if "locked" in frame else False
    frame = frame.sort_values(["locked", "_rid"], ascending=[False, True], kind="stable")
    role = np.where(frame["spos"].to_numpy() >= 0, staff.role[np.maximum(frame["spos"].to_numpy(), 0)], len(ROLES))
    frame["role_code"] = role
    return frame


def _invalid(frame: pd.DataFrame, customers: Customers, staff: Staff, current: Current, m: Matrices) -> np.ndarray:
    """Why a claim cannot count at all (None: it competes)."""
    pos, spos, role = frame["pos"].to_numpy(), frame["spos"].to_numpy(), frame["role_code"].to_numpy()
    at = np.maximum(spos, 0)
    known = spos >= 0
    here = known & (staff.branch[at] == customers.branch[pos])
    state = np.where(known, staff.state[at], -1)
    loan_bad = customers.has_loan[pos] & ~m.loan_ok[np.maximum(customers.kind[pos], 0), role]
    return np.select(
        [frame.duplicated(["pos", "spos"]).to_numpy(), customers.target[pos], ~customers.in_scope[pos],
         current.ambiguous[pos], known & ~here, spos < 0, state == 2, state == 1, np.isnan(m.rank[role]),
         loan_bad],
        ["duplicate_claim", "target_customer", "below_deposit_floor", "keeper_ambiguous", "claimant_other_branch",
         "claimant_unknown", "claimant_left", "claimant_on_leave", "role_cannot_claim", "loan_needs_rm"],
        None,
    )


def _rank(valid: pd.DataFrame, current: Current, keeper: np.ndarray, kept_locked: np.ndarray, loads: np.ndarray,
          staff: Staff, m: Matrices) -> pd.DataFrame:
    """Order each customer's valid claims; mark the winner and why the others lost."""
    pos, spos = valid["pos"].to_numpy(), valid["spos"].to_numpy()
    keeper_at = keeper[pos]
    keeper_rank = np.where(keeper_at >= 0, m.rank[staff.role[np.maximum(keeper_at, 0)]], _NO_RANK)
    keeper_rank = np.where(np.isnan(keeper_rank), _NO_RANK, keeper_rank)
    locked_keeper = (keeper_at >= 0) & kept_locked[pos]
    standing = np.where(keeper_at < 0, np.inf, np.where(locked_keeper, _LOCKED_KEEPER, _UNLOCKED + keeper_rank))
    rank = m.rank[valid["role_code"].to_numpy()]
    strength = rank + np.where(valid["locked"].to_numpy(), 0.0, _UNLOCKED)
    keeps = spos == current.pos[pos]
    load = loads[spos]
    order = np.lexsort((staff.order[spos], load, ~keeps, strength, pos))
    out = valid.iloc[order].copy()
    pos, strength, standing, keeps, locked_keeper = (pos[order], strength[order], standing[order], keeps[order],
                                                      locked_keeper[order])
    first = np.r_[True, pos[1:] != pos[:-1]] if len(pos) else np.zeros(0, bool)
    group = np.cumsum(first) - 1
    best = strength[first][group]
    beats = best < standing
    wins = beats & first
    equal = strength == best
    # The keeper among the best claims (sorted first of them by the tie rule): its equal rivals contest it
    # with it, a conflict for the head like any tie (DOMAIN §3), settled meanwhile for the keeper, who
    # stays; against a keeper who did not claim, an equal claim is only declined.
    keeper_tie = ~beats & ~locked_keeper & (keeps & equal)[first][group]
    contest = beats | keeper_tie
    locked_won = ~valid["locked"].to_numpy()[order] & (best < _UNLOCKED)
    out["reason"] = np.select(
        [~beats & keeps, ~beats & locked_keeper, keeper_tie & equal, ~beats, wins, equal, locked_won],
        ["", "customer_locked", "tie_lost", "keeper_ranks_equal_or_higher", None, "tie_lost", "outranked_by_locked"],
        "outranked")
    tied = np.bincount(group, weights=(contest & equal).astype(float), minlength=int(first.sum()))[group] > 1
    out = out.assign(wins=wins, first=first, tied=tied & contest & equal, keeps=keeps, load=load[order],
                     rank=rank[order])
    return out


def _conflicts(ranked: pd.DataFrame) -> pd.DataFrame:
    """Every claimant of every customer whose best claims tie, with the rule that settled it."""
    tied = ranked[ranked["tied"]]
    if tied.empty:
        return _frame({}, 0, CONFLICTS)
    head = ~tied["pos"].duplicated().to_numpy()
    first = np.flatnonzero(head)
    keeps, load = tied["keeps"].to_numpy(), tied["load"].to_numpy()
    rule = np.select([keeps[first] & ~keeps[first + 1], load[first] < load[first + 1]],
                     ["already_keeps", "lower_load"], "lower_staff_id")
    group = np.cumsum(head) - 1
    columns = {"pos": tied["pos"].to_numpy(), "spos": tied["spos"].to_numpy(), "rank": tied["rank"].to_numpy(),
               "locked": tied["locked"].to_numpy(), "load": load, "winner": tied["first"].to_numpy(),
               "rule": rule[group]}
    return _frame(columns, len(tied), CONFLICTS)


def _frame(columns: dict[str, object], n: int, types: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(columns.get(c, [None] * n), dtype=t) for c, t in types.items()})
