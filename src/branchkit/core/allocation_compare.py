"""What-if for allocation: the same ledgers allocated under two rules, compared (``allocate --compare``).

Per customer: keeper, tier and scope under the run's rules (``_base``) and
the other rules (``_other``), listed when any of the three differs. Per
keeper: customers and weighted load under both, and the change. Customers
are matched by id (both runs read the same ledgers, so each appears in both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.core.allocate import Allocation

CUSTOMER_KEYS = ["customer_id", "name", "kind", "branch", "status"]
COMPARED = ["tier", "in_scope", "keeper", "keeper_name", "keeper_role", "source", "reason"]
#: The csv/json contract of ``allocate --compare``: one row per customer whose keeper, tier or scope changes.
COMPARE = (CUSTOMER_KEYS + ["change"]
           + [f"{c}_{side}" for c in COMPARED for side in ("base", "other")])
KEEPER_CHANGE = ["branch", "keeper", "keeper_name", "keeper_role", "customers_base", "customers_other",
                 "customers_change", "load_base", "load_other", "load_change"]


@dataclass
class AllocationComparison:
    """Customers whose keeper, tier or scope changes; per keeper the load under both rules."""

    customers: pd.DataFrame
    keepers: pd.DataFrame


def _side(result: Allocation) -> pd.DataFrame:
    frame = result.allocation
    in_scope = frame["reason"].ne("below_deposit_floor") | frame["keeper"].notna()
    return frame[CUSTOMER_KEYS + [c for c in COMPARED if c != "in_scope"]].assign(in_scope=in_scope.to_numpy())


def compare_allocations(base: Allocation, other: Allocation) -> AllocationComparison:
    """The customers that change and the load change per keeper, from ``base`` to ``other``."""
    left, right = _side(base), _side(other)
    both = left.merge(right.drop(columns=CUSTOMER_KEYS[1:]), on="customer_id", how="outer",
                      suffixes=("_base", "_other"), sort=False)
    for c in CUSTOMER_KEYS[1:]:
        both[c] = both[c].fillna(both["customer_id"].map(right.set_index("customer_id")[c]))
    changed = {name: ~_same(both[f"{name}_base"], both[f"{name}_other"]) for name in ("keeper", "tier", "in_scope")}
    what = np.full(len(both), "", dtype=object)
    for name, label in (("keeper", "keeper"), ("tier", "tier"), ("in_scope", "scope")):
        what = np.where(changed[name], np.where(what == "", label, what + "+" + label), what)
    both["change"] = what
    rows = both[what != ""].reindex(columns=COMPARE).reset_index(drop=True)
    rows["change"] = rows["change"].astype("str")
    return AllocationComparison(rows, _keepers(base.keepers, other.keepers))


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Equal, nulls included (two empty keepers are the same)."""
    a, b = a.astype("object"), b.astype("object")
    return ((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool)


def _keepers(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per keeper (in either run): customers and weighted load under both rules, and the change."""
    keys = ["branch", "keeper", "keeper_name", "keeper_role"]
    both = base[keys + ["customers", "load"]].merge(other[keys + ["customers", "load"]], on=keys, how="outer",
                                                     suffixes=("_base", "_other"), sort=False)
    for name in ("customers", "load"):
        for side in ("base", "other"):
            both[f"{name}_{side}"] = both[f"{name}_{side}"].fillna(0)
        both[f"{name}_change"] = both[f"{name}_other"] - both[f"{name}_base"]
    for name in ("customers_base", "customers_other", "customers_change"):
        both[name] = both[name].astype("int64")
    both = both.sort_values(["branch", "keeper"], kind="stable", na_position="first")
    return both.reindex(columns=KEEPER_CHANGE).reset_index(drop=True)


__all__ = ["AllocationComparison", "COMPARE", "KEEPER_CHANGE", "compare_allocations"]
