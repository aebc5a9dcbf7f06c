"""Allocation timings: the core on a generated network, and the command CSV -> CSV.

Run: PYTHONPATH=src python benchmarks/bench_allocate.py [--customers 100000] [--branches 40] [--repeat 3] [--cli]
Prints the median of each measurement (seconds) and customers per second.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from branchkit.core.allocate import allocate
from branchkit.rules import load_rules
from synthetic import customer_ids, roster  # beside this script
from timing import median_seconds

ROLES = ["head", "deputy", "corporate_rm", "corporate_rm", "corporate_rm", "retail_rm", "retail_rm", "retail_rm",
         "retail_rm", "low_counter", "low_counter", "comprehensive_teller", "comprehensive_teller", "lobby_manager",
         "lobby_guide", "high_counter", "high_counter", "supervisor", "back_office"]



def network(customers: int, branches: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Staff in every role per branch; lognormal deposits, 10% loans, half the customers kept, 5% claimed."""
    rng = np.random.default_rng(seed)
    staff = roster(branches, ROLES)
    ids = customer_ids(customers)
    branch = rng.integers(0, branches, customers)
    keeper = np.array([f"S{b:04d}{i:02d}" for b, i in zip(branch, rng.integers(0, len(ROLES), customers))],
                      dtype=object)
    book = pd.DataFrame({
        "customer_id": ids, "name": ids, "kind": rng.choice(["corporate", "retail", "agri"], customers,
                                                             p=[0.1, 0.8, 0.1]),
        "branch": [f"网点{b:04d}" for b in branch], "deposit": np.round(rng.lognormal(10, 2, customers), 2),
        "loan": np.where(rng.random(customers) < 0.1, np.round(rng.lognormal(12, 1.5, customers)), 0.0),
        "status": np.where(rng.random(customers) < 0.02, "target", "existing"),
        "scale": rng.choice(["large", "medium", "small", "micro"], customers),
        "keeper": np.where(rng.random(customers) < 0.5, keeper, None),
    })
    picked = rng.integers(0, customers, customers // 20)
    claims = pd.DataFrame({"customer_id": ids[picked], "locked": False,
                           "staff_id": [f"S{b:04d}{i:02d}" for b, i in
                                        zip(branch[picked], rng.integers(0, len(ROLES), len(picked)))]})
    return book, staff, claims


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time branchkit allocate CSV -> CSV")
    args = parser.parse_args()
    rules = load_rules()
    book, staff, claims = network(args.customers, args.branches)
    for jobs in (1, 2):
        took = median_seconds(lambda: allocate(book, staff, rules, claims=claims, jobs=jobs), args.repeat)
        print(f"core: {args.customers:,} customers in {args.branches} branches, --jobs {jobs}: {took:.2f} s "
              f"({args.customers / took:,.0f} customers/s)")
    if args.cli:
        with tempfile.TemporaryDirectory() as folder:
            here = Path(folder)
            book.to_csv(here / "客户清单.csv", index=False)
            staff.to_csv(here / "员工.csv", index=False)
            claims.to_csv(here / "认领.csv", index=False)
            command = [sys.executable, "-m", "branchkit", "allocate", "--customers", str(here / "客户清单.csv"),
                       "--staff", str(here / "员工.csv"), "--claims", str(here / "认领.csv"),
                       "-o", str(here / "out.csv"), "-q"]
            took = median_seconds(lambda: subprocess.run(command, check=True), args.repeat)
            print(f"cli: read + validate + allocate + write CSV: {took:.2f} s "
                  f"({args.customers / took:,.0f} customers/s)")


if __name__ == "__main__":
    main()
