"""Synthetic networks shared by the in-process benchmarks (bench_allocate.py, bench_rebalance.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def roster(branches: int, roles: list[str]) -> pd.DataFrame:
    """Active staff in the given roles in every branch: ids S<branch><n>, branches 网点<branch>."""
    return pd.DataFrame([(f"S{b:04d}{i:02d}", f"员工{b}-{i}", role, f"网点{b:04d}", "active")
                         for b in range(branches) for i, role in enumerate(roles)],
                        columns=["staff_id", "name", "role", "branch", "state"])


def customer_ids(customers: int) -> np.ndarray:
    """Customer ids C00000000, C00000001, ... as Python strings."""
    return np.array([f"C{i:08d}" for i in range(customers)], dtype=object)
