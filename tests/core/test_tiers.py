"""Customer tiers (DOMAIN §2): relationship, retail value, member grade; thresholds from the rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from branchkit.core.tiers import add_tiers, relationship_tier, retail_tier
from branchkit.rules import load_rules

RULES = load_rules()


def _frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"customer_id": [f"C{i}" for i in range(n)], "kind": ["retail"] * n}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(("deposit", "loan", "tier"), [
    (999_999, 0, "mid"), (1_000_000, 0, "high"), (0, 2_000_000, "high"), (0, 1_999_999, "mid"),
    (100_000, 0, "mid"), (99_999.99, 0, "general"), (0, 500_000, "mid"), (0, 499_999, "general"),
    (np.nan, np.nan, "general"),
])
def test_relationship_tier_bands_include_their_lower_bound(deposit, loan, tier):
    frame = add_tiers(_frame(deposit=[deposit], loan=[loan]), RULES.tiers)
    assert frame["tier"].iloc[0] == tier


@pytest.mark.parametrize(("assets", "loan", "tier"), [
    (49_999, 0, "mass"), (50_000, 0, "potential"), (199_999, 0, "potential"), (200_000, 0, "mid_high"),
    (0, 500_000, "mid_high"), (0, 499_999, "mass"),
])
def test_retail_value_tier_on_assets_or_personal_loans(assets, loan, tier):
    frame = add_tiers(_frame(financial_assets=[assets], loan=[loan], deposit=[0.0]), RULES.tiers)
    assert frame["retail_tier"].iloc[0] == tier


def test_only_retail_kinds_get_a_retail_tier_and_agri_can_be_added_by_rules(tmp_path):
    frame = _frame(kind=["retail", "corporate", "agri"], financial_assets=[300_000.0] * 3, deposit=[0.0] * 3)
    out = add_tiers(frame, RULES.tiers)
    assert out["retail_tier"].tolist()[0] == "mid_high"
    assert out["retail_tier"].isna().tolist() == [False, True, True]
    path = tmp_path / "r.toml"
    path.write_text('[tiers.retail]\nkinds = ["retail", "agri"]\n', encoding="utf-8")
    out = add_tiers(frame, load_rules(path).tiers)
    assert out["retail_tier"].tolist()[2] == "mid_high"


def test_missing_assets_fall_back_to_deposits_unless_the_rules_say_not(tmp_path):
    frame = _frame(financial_assets=[np.nan, 10.0], deposit=[60_000.0, 60_000.0])
    assert add_tiers(frame, RULES.tiers)["retail_tier"].tolist() == ["potential", "mass"]
    path = tmp_path / "r.toml"
    path.write_text("[tiers.retail]\nassets_from_deposit = false\n", encoding="utf-8")
    assert add_tiers(frame, load_rules(path).tiers)["retail_tier"].tolist() == ["mass", "mass"]


def test_thresholds_come_from_the_rules(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[tiers.relationship]\nhigh_min_deposit = 500_000\n", encoding="utf-8")
    frame = _frame(deposit=[600_000.0], loan=[0.0])
    assert add_tiers(frame, RULES.tiers)["tier"].iloc[0] == "mid"
    assert add_tiers(frame, load_rules(path).tiers)["tier"].iloc[0] == "high"


def test_latent_is_read_never_computed_and_vip_grade_kept_without_thresholds(tmp_path):
    frame = _frame(deposit=[5e6, 0.0], latent=pd.array([pd.NA, True], dtype="boolean"),
                   vip_grade=pd.array(["gold", pd.NA], dtype="str"))
    out = add_tiers(frame, RULES.tiers)
    assert out["latent"].tolist()[1] is True and pd.isna(out["latent"].iloc[0])
    assert out["vip_grade"].iloc[0] == "gold"
    path = tmp_path / "r.toml"
    path.write_text("[tiers.vip]\nmin_assets = { gold = 100_000, diamond = 1_000_000 }\n", encoding="utf-8")
    out = add_tiers(frame, load_rules(path).tiers)
    assert out["vip_grade"].iloc[0] == "diamond" and pd.isna(out["vip_grade"].iloc[1])


def test_vectorised_functions_take_whole_arrays():
    deposit = np.array([0.0, 2e6, 2e5])
    assert list(relationship_tier(deposit, np.zeros(3), RULES.tiers.relationship)) == ["general", "high", "mid"]
    assert list(retail_tier(deposit, np.zeros(3), RULES.tiers.retail)) == ["mass", "mid_high", "mid_high"]


def test_add_tiers_shares_the_callers_columns_and_leaves_its_frame_as_it_was():
    frame = _frame(deposit=[2_000_000.0, 50.0], vip_grade=["黄金", None])
    before = frame.copy()
    out = add_tiers(frame, RULES.tiers)
    # No copy of the ledger's columns (a million rows held twice), yet writes to the result stay there.
    assert np.shares_memory(out["deposit"].to_numpy(), frame["deposit"].to_numpy())
    out.loc[0, "deposit"] = 1.0
    out["kind"] = "corporate"
    pd.testing.assert_frame_equal(frame, before)
    assert list(frame.columns) == ["customer_id", "kind", "deposit", "vip_grade"]
