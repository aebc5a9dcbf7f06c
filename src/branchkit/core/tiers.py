"""Customer tiers (客户分层, DOMAIN §2), whole columns at a time.

Three schemes, each from its own table of the rules file:

- the relationship tier (``high``/``mid``/``general``) of every customer, on
  deposits and loans;
- the retail value tier (``mass``/``potential``/``mid_high``) of retail
  customers, on personal financial assets or personal loans; the latent
  (潜在客户) flag is staff judgement, read from the ledger, never computed;
- the member grade (``gold``/``platinum``/``diamond``) where the rules give
  thresholds, else as the ledger states it.

A missing amount counts as zero: a customer without a loan column has no loan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.rules import RelationshipTiers, RetailTiers, TierRules, VipTiers

TIERS = ("high", "mid", "general")
RETAIL_TIERS = ("mass", "potential", "mid_high")
VIP_GRADES = ("gold", "platinum", "diamond")


def _amount(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[column], errors="coerce").fillna(0.0).to_numpy(dtype="float64")


def text(codes: np.ndarray, keys: tuple[str, ...]) -> pd.api.extensions.ExtensionArray:
    """Integer codes as a text array of their keys (null for -1), in one vectorised take."""
    return pd.array(list(keys), dtype="str").take(np.asarray(codes, dtype="int64"), allow_fill=True)


def relationship_codes(deposit: np.ndarray, loan: np.ndarray, rules: RelationshipTiers) -> np.ndarray:
    """Index into ``TIERS`` per customer: the first band reached on deposits or loans."""
    high = (deposit >= rules.high_min_deposit) | (loan >= rules.high_min_loan)
    mid = (deposit >= rules.mid_min_deposit) | (loan >= rules.mid_min_loan)
    return np.where(high, 0, np.where(mid, 1, 2)).astype("int64")


def retail_codes(assets: np.ndarray, loan: np.ndarray, rules: RetailTiers) -> np.ndarray:
    """Index into ``RETAIL_TIERS`` per customer (no kind check: see ``add_tiers``)."""
    mid_high = (assets >= rules.mid_high_min_assets) | (loan >= rules.mid_high_min_loan)
    potential = assets >= rules.potential_min_assets
    return np.where(mid_high, 2, np.where(potential, 1, 0)).astype("int64")


def relationship_tier(deposit: np.ndarray, loan: np.ndarray, rules: RelationshipTiers) -> pd.api.extensions.ExtensionArray:
    """``high`` / ``mid`` / ``general`` per customer."""
    return text(relationship_codes(deposit, loan, rules), TIERS)


def retail_tier(assets: np.ndarray, loan: np.ndarray, rules: RetailTiers) -> pd.api.extensions.ExtensionArray:
    """``mid_high`` / ``potential`` / ``mass`` per customer."""
    return text(retail_codes(assets, loan, rules), RETAIL_TIERS)


def vip_codes(assets: np.ndarray, rules: VipTiers) -> np.ndarray:
    """Index into ``VIP_GRADES``: the highest grade whose minimum the assets reach (-1: none)."""
    out = np.full(len(assets), -1, dtype="int64")
    for i, grade in enumerate(VIP_GRADES):      # ascending: a higher grade overwrites a lower one
        floor = rules.min_assets.get(grade)  # type: ignore[call-overload]
        if floor is not None:
            out[assets >= floor] = i
    return out


def add_tiers(customers: pd.DataFrame, rules: TierRules) -> pd.DataFrame:
    """A copy of ``customers`` with ``tier``, ``retail_tier`` and ``vip_grade`` (``latent`` as read).

    The member grade is computed only when the rules give thresholds; else the
    ledger's 会员等级 stands.
    """
    # A shallow copy: copy-on-write keeps the caller's frame as it is while this one gains columns (a deep
    # copy held the million-row list's numeric columns twice, 55 MB, through the allocation).
    out = customers.copy(deep=False)
    deposit, loan = _amount(out, "deposit"), _amount(out, "loan")
    assets = _retail_assets(out, deposit, rules.retail)
    out["tier"] = text(relationship_codes(deposit, loan, rules.relationship), TIERS)
    retail = out["kind"].isin(rules.retail.kinds).to_numpy() if "kind" in out else np.zeros(len(out), bool)
    out["retail_tier"] = text(np.where(retail, retail_codes(assets, loan, rules.retail), -1), RETAIL_TIERS)
    if rules.vip.min_assets:
        out["vip_grade"] = text(vip_codes(assets, rules.vip), VIP_GRADES)
    elif "vip_grade" not in out:
        out["vip_grade"] = pd.Series(pd.NA, index=out.index, dtype="str")
    if "latent" not in out:
        out["latent"] = pd.Series(pd.NA, index=out.index, dtype="boolean")
    return out


def _retail_assets(frame: pd.DataFrame, deposit: np.ndarray, rules: RetailTiers) -> np.ndarray:
    """Personal financial assets; where the ledger has none, the deposits if the rules say so."""
    if "financial_assets" not in frame:
        return deposit.copy() if rules.assets_from_deposit else np.zeros(len(frame))
    given = pd.to_numeric(frame["financial_assets"], errors="coerce")
    fallback = deposit if rules.assets_from_deposit else np.zeros(len(frame))
    return np.where(given.isna().to_numpy(), fallback, given.fillna(0.0).to_numpy(dtype="float64"))
