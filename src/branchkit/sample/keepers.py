"""Who keeps (管户人) and who marketed (营销人) each customer, as the customer list shows it.

Keepers mostly follow DOMAIN §3's distribution (high tier to leadership or
RMs, loan customers to RMs, general tier to tellers and the lobby), so the
allocation has a sensible base to keep. Deliberately imperfect, as real
lists are: a share of customers has no keeper, the person who left still
keeps theirs, and in each branch two customers who took a loan this month
are still kept by a teller (the hard rule must re-keep them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.sample.customers import OLD, col
from branchkit.sample.network import ACTIVE, LEFT, ON_LEAVE
from branchkit.sample.staffing import LEADERSHIP, TELLERS, pick_staff, roles_of
from branchkit.sample.tiers import relationship_tier

# Pools of roles a keeper is drawn from, by the customer's situation.
POOLS = (
    LEADERSHIP,
    ("corporate_rm",),
    ("retail_rm",),
    TELLERS,
    TELLERS + ("lobby_manager", "lobby_guide"),
    TELLERS + ("lobby_manager", "lobby_guide", "high_counter", "retail_rm"),
)
LEAD, CORP_RM, RETAIL_RM, TELLER, CORP_GENERAL, RETAIL_GENERAL = range(len(POOLS))
MARKETERS = (("head", "deputy", "corporate_rm", "retail_rm", "low_counter", "comprehensive_teller",
              "supervisor", "lobby_manager", "lobby_guide", "high_counter"),)
UNKEPT_SHARE = 0.15            # existing customers the list shows with no keeper
MARKETER_SHARE = 0.08          # existing customers with a 营销人
NEW_MARKETER_SHARE = 0.70      # customers new this month with a 营销人 (the rest credit the keeper)
TELLER_LOANS_PER_BRANCH = 2
TELLER_LOAN = (150_000, 450_000)


def keeper_pools(rng: np.random.Generator, customers: pd.DataFrame) -> np.ndarray:
    """The pool (index into POOLS) each customer's keeper comes from, on month-end balances."""
    tier = relationship_tier(customers[col("deposit", 0)], customers[col("loan", 0)])
    corporate = (customers["kind"] == "corporate").to_numpy()
    big = np.isin(customers["scale"].to_numpy(), ["large", "medium"])
    loan = np.nan_to_num(customers[col("loan", 0)].to_numpy()) > 0
    rm = np.where(corporate, CORP_RM, RETAIL_RM)
    u = rng.random(len(customers))
    return np.select(
        [(tier == "high") & (u < 0.5), tier == "high", loan | (corporate & big),
         (tier == "mid") & corporate & (u < 0.6), (tier == "mid") & ~corporate & (u < 0.7),
         tier == "mid", corporate],
        [LEAD, rm, rm, CORP_RM, RETAIL_RM, TELLER, CORP_GENERAL],
        RETAIL_GENERAL,
    )


def assign_keepers(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """Add keeper, marketer, owner (of a target) as staff ids ('' = none) and a ``note`` column."""
    out = customers.copy()
    codes = out["code"].to_numpy()
    existing = (out["status"] == "existing").to_numpy()
    keeper = pick_staff(rng, staff, codes, keeper_pools(rng, out), POOLS, (ACTIVE, ON_LEAVE, LEFT))
    new_now = (out["first"] == 0).to_numpy()
    unkept = existing & ~new_now & (rng.random(len(out)) < UNKEPT_SHARE)
    keeper[unkept | ~existing] = ""
    out["keeper"] = keeper
    out["note"] = ""
    _teller_loans(rng, out, staff)
    share = np.where(new_now, NEW_MARKETER_SHARE, MARKETER_SHARE)
    marketer = pick_staff(rng, staff, codes, np.zeros(len(out), dtype=int), MARKETERS)
    out["marketer"] = np.where(existing & (rng.random(len(out)) < share), marketer, "").astype(object)
    out["owner"] = _target_owners(rng, out, staff)
    return out


def _teller_loans(rng: np.random.Generator, out: pd.DataFrame, staff: pd.DataFrame) -> None:
    """Two customers per branch, kept by an active teller, who took a loan this month."""
    loans = out[[col("loan", k) for k in (-4, -3, -2, -1, 0)]].fillna(0).to_numpy()
    tier = relationship_tier(out[col("deposit", 0)], out[col("loan", 0)])
    active = set(staff.loc[staff["state"] == ACTIVE, "staff_id"])
    candidate = ((out["kind"] != "corporate").to_numpy() & (out["first"] == OLD).to_numpy()
                 & (tier == "general") & (loans.sum(axis=1) == 0)
                 & np.isin(roles_of(staff, out["keeper"].to_numpy()), TELLERS)
                 & out["keeper"].isin(active).to_numpy())
    rows = out.index[candidate].to_numpy()
    rows = rows[rng.permutation(len(rows))]
    chosen = out.loc[rows].groupby("code", sort=True).head(TELLER_LOANS_PER_BRANCH).index
    amount = np.round(rng.uniform(*TELLER_LOAN, len(chosen)), -3)
    out.loc[chosen, col("loan", 0)] = amount
    out.loc[chosen, "note"] = "teller_loan"


def _target_owners(rng: np.random.Generator, out: pd.DataFrame, staff: pd.DataFrame) -> np.ndarray:
    """Large prospects belong to the head, the others to a corporate RM (DOMAIN §3)."""
    target = (out["status"] == "target").to_numpy()
    pool = np.where(out["scale"].to_numpy() == "large", 0, 1)
    owner = pick_staff(rng, staff, out["code"].to_numpy(), pool, (("head",), ("corporate_rm",)))
    return np.where(target, owner, "").astype(object)
