"""Timings of allocation's exact steps (issue 19): the rebalance with its frontier, and exact spills.

Run: PYTHONPATH=src python benchmarks/bench_rebalance.py [--customers 20000 200000] [--branches 1 10] [--repeat 3]
For each size and number of branches, prints the medians (seconds) of: the allocation without rebalance, the
same with ``--rebalance 20`` (the frontier included), the rebalance step alone, and per branch; then a
first-month network with tight capacities, where every branch is distributed again exactly (``respill``).
Do not run huge sizes repeatedly: 200,000 customers take about a minute for all measurements.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
import tempfile

import numpy as np
import pandas as pd

import branchkit.core.allocate as allocate_module
from branchkit.core.allocate import allocate
from branchkit.rules import load_rules
from synthetic import customer_ids, roster  # beside this script
from timing import median_seconds

ROLES = ["head", "deputy", "corporate_rm", "corporate_rm", "retail_rm", "retail_rm", "retail_rm", "low_counter",
         "low_counter", "comprehensive_teller", "comprehensive_teller", "lobby_manager", "lobby_guide",
         "high_counter", "high_counter"]
ROOMY = """[allocation.capacity]
head = { high = 5000, mid = 5000, general = 5000 }
deputy = { high = 5000, mid = 5000, general = 5000 }
corporate_rm = { high = 5000, mid = 5000, general = 5000 }
retail_rm = { high = 5000, mid = 5000, general = 5000 }
low_counter = { high = 0, mid = 5000, general = 5000 }
comprehensive_teller = { high = 0, mid = 5000, general = 5000 }
lobby_manager = { high = 0, mid = 5000, general = 5000 }
lobby_guide = { high = 0, mid = 0, general = 5000 }
high_counter = { high = 0, mid = 0, general = 5000 }
"""


def network(customers: int, branches: int, kept: bool, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff in every role per branch; last month's keepers chosen unevenly (some staff keep far more)."""
    rng = np.random.default_rng(seed)
    staff = roster(branches, ROLES)
    ids = customer_ids(customers)
    branch = rng.integers(0, branches, customers)
    deposit = np.round(rng.lognormal(10, 2, customers), 2)
    kind = rng.choice(["corporate", "retail"], customers, p=[0.15, 0.85])
    book = pd.DataFrame({"customer_id": ids, "name": ids, "kind": kind, "branch": [f"网点{b:04d}" for b in branch],
                         "deposit": deposit, "loan": 0.0, "status": "existing", "scale": "small"})
    if kept:
        # The keeper of each customer's own route step, with uneven shares among equal-rank staff.
        tier = np.where(deposit >= 1e6, 0, np.where(deposit >= 1e5, 1, 2))
        role_of = np.array(ROLES)
        pick = np.empty(customers, dtype="int64")
        for t, roles in ((0, ("head", "deputy")), (1, ("retail_rm",)),
                         (2, ("low_counter", "comprehensive_teller", "lobby_manager", "lobby_guide"))):
            at = np.flatnonzero(np.isin(role_of, roles))
            share = rng.dirichlet(np.full(len(at), 2.0))
            mine = tier == t
            pick[mine] = rng.choice(at, int(mine.sum()), p=share)
        book["keeper"] = [f"S{b:04d}{i:02d}" for b, i in zip(branch, pick)]
    else:
        book["keeper"] = None
    return book, staff



def timed(name: str, clock: list[float]):
    """Wrap ``allocate_module.<name>`` so its time adds up in ``clock``."""
    real = getattr(allocate_module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            clock.append(time.perf_counter() - start)

    setattr(allocate_module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--branches", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roomy.toml"
        path.write_text(ROOMY, encoding="utf-8")
        roomy = load_rules(path)
    rebalance_clock: list[float] = []
    spill_clock: list[float] = []
    timed("rebalance_loads", rebalance_clock)
    timed("respill", spill_clock)
    for n in args.customers:
        for b in args.branches:
            book, staff = network(n, b, kept=True)
            plain = median_seconds(lambda: allocate(book, staff, roomy), args.repeat)
            rebalance_clock.clear()
            result = allocate(book, staff, roomy, rebalance=20)
            full = median_seconds(lambda: allocate(book, staff, roomy, rebalance=20), args.repeat)
            step = statistics.median(rebalance_clock)
            budget = result.rebalance_frontier["budget"].astype("Int64").fillna(10**9)      # no limit last
            frontier = result.rebalance_frontier.groupby(budget)[["moves", "spread"]].sum()
            print(f"{n:,} customers, {b} branch(es): allocate {plain:.2f} s; with --rebalance 20 {full:.2f} s; "
                  f"rebalance step {step:.3f} s ({step / b:.3f} s per branch); moved "
                  f"{int((result.allocation['source'] == 'rebalance').sum())}; frontier (budget: moves -> spread) "
                  + ", ".join(f"{'all' if k == 10**9 else k}: {int(r['moves'])} -> {r['spread']:g}"
                              for k, r in frontier.iterrows()))
            book, staff = network(n, b, kept=False)
            spill_clock.clear()
            spilled = median_seconds(lambda: allocate(book, staff, load_rules()), args.repeat)
            print(f"{n:,} customers, {b} branch(es), first month, default capacities: allocate {spilled:.2f} s, "
                  f"exact spills {statistics.median(spill_clock):.3f} s")


if __name__ == "__main__":
    main()
