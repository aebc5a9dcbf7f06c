"""Customer tiers with the default rules' thresholds (DOMAIN §2), vectorised."""

from __future__ import annotations

import numpy as np

from branchkit.rules import load_rules


def relationship_tier(deposit: np.ndarray, loan: np.ndarray) -> np.ndarray:
    """high / mid / general on deposits and loans (NaN counts as 0)."""
    t = load_rules().tiers.relationship
    deposit = np.nan_to_num(np.asarray(deposit, dtype=float))
    loan = np.nan_to_num(np.asarray(loan, dtype=float))
    high = (deposit >= t.high_min_deposit) | (loan >= t.high_min_loan)
    mid = (deposit >= t.mid_min_deposit) | (loan >= t.mid_min_loan)
    return np.select([high, mid], ["high", "mid"], "general").astype(object)


def retail_tier(assets: np.ndarray, loan: np.ndarray) -> np.ndarray:
    """mass / potential / mid_high on personal financial assets and loans."""
    t = load_rules().tiers.retail
    assets = np.nan_to_num(np.asarray(assets, dtype=float))
    loan = np.nan_to_num(np.asarray(loan, dtype=float))
    mid_high = (assets >= t.mid_high_min_assets) | (loan >= t.mid_high_min_loan)
    potential = assets >= t.potential_min_assets
    return np.select([mid_high, potential], ["mid_high", "potential"], "mass").astype(object)
