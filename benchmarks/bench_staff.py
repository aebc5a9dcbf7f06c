"""Staffing timings: one 500-Erlang hour, and a network of branches by hour.

Run: PYTHONPATH=src python benchmarks/bench_staff.py [--branches 200] [--days 22] [--repeat 5]
Prints the median of each measurement (seconds).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from branchkit.core.queueing import counters_needed
from branchkit.core.staffing import plan_staffing
from branchkit.rules import load_rules
from timing import median_seconds  # benchmarks/timing.py, beside this script



def network(branches: int, days: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily and hourly volumes with a lunch-time peak, Poisson noise per hour."""
    rng = np.random.default_rng(seed)
    profile = np.array([0.6, 0.9, 1.1, 1.4, 1.2, 0.8, 0.7, 0.6])
    names = [f"网点{i:03d}" for i in range(branches)]
    scale = rng.uniform(10, 120, branches)
    dates = pd.date_range("2025-03-03", periods=days, freq="B")
    rows = [(b, d, 9 + h, float(rng.poisson(s * p)), 240.0)
            for b, s in zip(names, scale) for d in dates for h, p in enumerate(profile)]
    hourly = pd.DataFrame(rows, columns=["branch", "date", "hour", "arrivals", "handling_seconds"])
    hourly["date"] = hourly["date"].astype("datetime64[s]")
    daily = pd.DataFrame({"branch": names, "branch_type": "general", "daily_transactions": scale * profile.sum(),
                          "corporate_cash": 30.0, "corporate_noncash": 60.0, "tellers_current": np.nan})
    return daily, hourly


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--days", type=int, default=22)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rules = load_rules().staffing
    hour = median_seconds(lambda: counters_needed(6000, 300, service_level=0.95, target_wait_seconds=20,
                                                  max_occupancy=1.0), args.repeat)
    print(f"one hour at 500 Erlangs: {hour:.4f} s")
    daily, hourly = network(args.branches, args.days)
    for jobs in (1, 2):
        took = median_seconds(lambda: plan_staffing(rules, volumes=daily, hourly=hourly, jobs=jobs), args.repeat)
        print(f"{args.branches} branches x {args.days} days x 8 hours ({len(hourly):,} hours), "
              f"--jobs {jobs}: {took:.2f} s")


if __name__ == "__main__":
    main()
