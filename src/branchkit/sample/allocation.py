"""Last month's allocation (上月分配) and this month's claims (认领), built on the keepers.

The previous allocation is what branchkit wrote at the end of M-1: it agrees
with the customer list wherever the list names a keeper, gave a keeper to
some customers the list leaves empty, and names the owners of targets.
Claims carry one of each case the allocation must handle (``case`` column):
``unkept`` claims, ``tie`` (two corporate RMs, same customer), ``outranks``
(a higher role claims a customer a lower one keeps), ``outranked`` (a lower
role claims, declined), ``teller_loan`` (a teller claims a loan customer,
declined) and ``lock`` (the head claims and pins a high-tier customer).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.sample.calendar import SampleMonth
from branchkit.sample.customers import col
from branchkit.sample.keepers import POOLS, keeper_pools
from branchkit.sample.network import ACTIVE, LEFT, ON_LEAVE
from branchkit.sample.staffing import names_of, pick_staff, roles_of
from branchkit.sample.tiers import relationship_tier, retail_tier

DISTRIBUTED_SHARE = 0.30    # of customers the list leaves unkept, which branchkit gave a keeper last month
CLAIMED_BY_SHARE = 0.04     # of kept customers whose keeper won them by a claim last month
UNKEPT_CLAIM_SHARE = 0.20   # of unkept customers someone claims this month
LOCKS = 2
CLAIM_DAYS = 10             # claims are made in the first working days of the month
PREVIOUS_COLUMNS = ["customer_id", "name", "kind", "branch", "tier", "retail_tier", "keeper", "keeper_name",
                    "keeper_role", "source", "previous_keeper", "locked"]


def previous_allocation(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """The allocation branchkit wrote at the end of M-1, in its canonical columns."""
    rows = customers[(customers["first"] <= -1) & (customers["last"] >= -1)].copy()
    existing = (rows["status"] == "existing").to_numpy()
    kept = rows["keeper"].to_numpy() != ""
    extra = existing & ~kept & (rng.random(len(rows)) < DISTRIBUTED_SHARE)
    given = pick_staff(rng, staff, rows["code"].to_numpy(), keeper_pools(rng, rows), POOLS, (ACTIVE, ON_LEAVE, LEFT))
    keeper = np.select([kept, extra, ~existing], [rows["keeper"], given, rows["owner"]], "")
    source = np.select([kept & (rng.random(len(rows)) < CLAIMED_BY_SHARE), kept, extra, ~existing],
                       ["claim", "kept", "distributed", "target"], "")
    rows = rows.assign(keeper=keeper, source=source)[source != ""]
    corporate = (rows["kind"] == "corporate").to_numpy()
    out = pd.DataFrame({
        "customer_id": rows["customer_id"], "name": rows["name"], "kind": rows["kind"], "branch": rows["branch"],
        "tier": np.where(rows["status"] == "target", "",
                         relationship_tier(rows[col("deposit", -1)], rows[col("loan", -1)])),
        "retail_tier": np.where(corporate, "", retail_tier(rows[col("financial_assets", -1)], rows[col("loan", -1)])),
        "keeper": rows["keeper"], "keeper_name": names_of(staff, rows["keeper"].to_numpy()),
        "keeper_role": roles_of(staff, rows["keeper"].to_numpy()), "source": rows["source"],
        "previous_keeper": "", "locked": False,
    }).reset_index(drop=True)
    _lock(out)
    return out[PREVIOUS_COLUMNS]


def _lock(out: pd.DataFrame) -> None:
    """Pin a few high-tier customers of the head or a corporate RM (the first branches first)."""
    can = (out["tier"] == "high") & out["keeper_role"].isin(["head", "corporate_rm"])
    chosen = out[can].groupby("branch", sort=False).head(1).index[:LOCKS]
    out.loc[chosen, "locked"] = True


def build_claims(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame,
                 month: SampleMonth) -> pd.DataFrame:
    """This month's claims: claimant (staff id), customer_id, claimed_on, locked, case."""
    now = customers[(customers["last"] == 0) & (customers["status"] == "existing") & (customers["note"] == "")]
    now = now.assign(role=roles_of(staff, now["keeper"].to_numpy()),
                     loan=now[col("loan", 0)].to_numpy() > 0,
                     tier=relationship_tier(now[col("deposit", 0)], now[col("loan", 0)]))
    used: set[int] = set()
    parts = [_unkept_claims(rng, now, staff, used)]
    for case in (_ties, _outranks, _outranked, _teller_loan, _locks):
        parts.append(case(rng, now, staff, used))
    claims = pd.concat(parts, ignore_index=True)
    days = np.array(month.workdays[:CLAIM_DAYS], dtype="datetime64[D]")
    claims["claimed_on"] = days[rng.integers(0, len(days), len(claims))]
    claims = claims.merge(now[["customer_id", "code"]], on="customer_id")
    return claims.sort_values(["code", "claimed_on", "customer_id", "claimant"], kind="stable").reset_index(drop=True)


def _claims(frame: pd.DataFrame, claimant: np.ndarray, case: str, locked: bool = False) -> pd.DataFrame:
    return pd.DataFrame({"claimant": claimant, "customer_id": frame["customer_id"].to_numpy(),
                         "locked": locked, "case": case})


def _one_per_branch(rng: np.random.Generator, now: pd.DataFrame, mask: np.ndarray, used: set[int],
                    per_branch: int = 1) -> pd.DataFrame:
    """Up to ``per_branch`` random rows of ``now`` matching ``mask`` in each branch, not used before."""
    rows = now.index[mask & ~now.index.isin(list(used))].to_numpy()
    rows = rows[rng.permutation(len(rows))]
    chosen = now.loc[rows].groupby("code", sort=True).head(per_branch)
    used.update(chosen.index.tolist())
    return chosen


def _active(staff: pd.DataFrame, role: str) -> pd.DataFrame:
    return staff[(staff["state"] == ACTIVE) & (staff["role"] == role)]


def _unkept_claims(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, used: set[int]) -> pd.DataFrame:
    mask = (now["keeper"] == "").to_numpy() & (rng.random(len(now)) < UNKEPT_CLAIM_SHARE)
    chosen = now[mask]
    used.update(chosen.index.tolist())
    claimant = pick_staff(rng, staff, chosen["code"].to_numpy(), keeper_pools(rng, chosen), POOLS)
    return _claims(chosen, claimant, "unkept")


def _ties(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, used: set[int]) -> pd.DataFrame:
    """Two corporate RMs of a branch claim the same unkept corporate customer."""
    rms = _active(staff, "corporate_rm").groupby("code")["staff_id"].apply(list)
    two = rms[rms.map(len) >= 2]
    mask = ((now["kind"] == "corporate") & (now["keeper"] == "") & ~now["loan"]
            & now["code"].isin(two.index)).to_numpy()
    chosen = _one_per_branch(rng, now, mask, used)
    pairs = [rng.choice(two[code], 2, replace=False) for code in chosen["code"]]
    first = np.array([p[0] for p in pairs], dtype=object)
    second = np.array([p[1] for p in pairs], dtype=object)
    return pd.concat([_claims(chosen, first, "tie"), _claims(chosen, second, "tie")])


def _outranks(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, used: set[int]) -> pd.DataFrame:
    """A retail RM claims a retail customer the lobby or a cash teller keeps (the claim wins)."""
    mask = ((now["kind"] != "corporate") & ~now["loan"]
            & now["role"].isin(["lobby_manager", "lobby_guide", "high_counter"])).to_numpy()
    chosen = _one_per_branch(rng, now, mask, used)
    claimant = pick_staff(rng, staff, chosen["code"].to_numpy(), np.zeros(len(chosen), int), (("retail_rm",),))
    return _claims(chosen, claimant, "outranks")


def _outranked(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, used: set[int]) -> pd.DataFrame:
    """A lobby guide claims a customer a retail RM keeps (declined: lower priority)."""
    guides = _active(staff, "lobby_guide")
    mask = ((now["role"] == "retail_rm") & ~now["loan"] & now["code"].isin(guides["code"])
            & now["keeper"].isin(staff.loc[staff["state"] == ACTIVE, "staff_id"])).to_numpy()
    chosen = _one_per_branch(rng, now, mask, used)
    claimant = pick_staff(rng, staff, chosen["code"].to_numpy(), np.zeros(len(chosen), int), (("lobby_guide",),))
    return _claims(chosen, claimant, "outranked")


def _teller_loan(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, used: set[int]) -> pd.DataFrame:
    """A cash teller claims a customer with a loan (declined by the hard rule)."""
    chosen = _one_per_branch(rng, now, now["loan"].to_numpy(), used)
    pools = (("high_counter",), ("comprehensive_teller", "low_counter"))
    has_high = chosen["code"].isin(_active(staff, "high_counter")["code"]).to_numpy()
    claimant = pick_staff(rng, staff, chosen["code"].to_numpy(), np.where(has_high, 0, 1), pools)
    return _claims(chosen, claimant, "teller_loan")


def _locks(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, used: set[int]) -> pd.DataFrame:
    """The head claims a high-tier customer someone else keeps, and pins it (锁定)."""
    mask = ((now["tier"] == "high") & now["role"].isin(["deputy", "corporate_rm", "retail_rm"])).to_numpy()
    chosen = _one_per_branch(rng, now, mask, used).head(LOCKS)
    claimant = pick_staff(rng, staff, chosen["code"].to_numpy(), np.zeros(len(chosen), int), (("head",),))
    return _claims(chosen, claimant, "lock", locked=True)
