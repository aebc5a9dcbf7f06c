"""Score timings: a month of 10,000 staff in 200 branches, counted, scored and paid; then written.

Run: PYTHONPATH=src python benchmarks/bench_score.py [--staff 10000] [--branches 200] [--repeat 3]
Prints the median of each measurement (seconds).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import score_month
from branchkit.io.output import WriteOptions, write_report
from branchkit.rules import load_rules
from branchkit.views.score import score_report
from timing import median_seconds  # benchmarks/timing.py, beside this script

MONTH = pd.Period("2026-10", freq="M")
ROLES = ["head", "deputy", "corporate_rm", "corporate_rm", "retail_rm", "retail_rm", "low_counter",
         "comprehensive_teller", "high_counter", "lobby_manager"]



def _ledger(columns: dict, name: str) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    for column, values in columns.items():
        if isinstance(values, np.ndarray) and values.dtype == object:
            frame[column] = frame[column].astype("str")
    frame["_file"], frame["_sheet"] = f"{name}.xlsx", name
    frame["_row"] = np.arange(3, 3 + len(frame), dtype="int64")
    frame["_rid"] = np.arange(len(frame), dtype="int64")
    return frame


def network(staff: int, branches: int, seed: int = 7) -> MonthLedgers:
    """Every ledger score reads, as the reader gives them, for ``staff`` people: ~40 rows a person a month."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"{i:06d}" for i in range(staff)], dtype=object)
    branch = np.array([f"网点{i % branches:03d}" for i in range(staff)], dtype=object)
    role = np.array([ROLES[min(i // branches, len(ROLES) - 1)] if i // branches < 2 else
                     ROLES[2 + (i // branches) % (len(ROLES) - 2)] for i in range(staff)], dtype=object)
    state = np.where(rng.random(staff) < 0.01, "left", "active").astype(object)

    def days(n: int) -> np.ndarray:
        return (np.datetime64("2026-10-01") + rng.integers(-5, 31, n)).astype("datetime64[s]")

    def who(n: int) -> np.ndarray:
        return rng.choice(ids, n)

    n_cust = staff * 30
    cid = np.array([f"C{i:08d}" for i in range(n_cust)], dtype=object)
    start = rng.lognormal(11, 1.2, n_cust)

    def customers(deposit: np.ndarray, name: str) -> pd.DataFrame:
        return _ledger({"customer_id": cid, "name": cid, "kind": np.full(n_cust, "retail", dtype=object),
                        "deposit": deposit, "keeper": who(n_cust), "marketer": pd.Series([pd.NA] * n_cust, dtype="str"),
                        "status": np.full(n_cust, "existing", dtype=object)}, name)

    n = staff * 10
    lead = np.where(rng.random(n) < 0.3, who(n), None).astype(object)
    return MonthLedgers(
        staff=_ledger({"staff_id": ids, "name": ids, "role": role, "branch": branch, "state": state}, "员工"),
        customers_start=customers(start, "月初客户清单"),
        customers=customers(start * rng.choice([0.9, 1.0, 1.1], n_cust), "客户清单"),
        visits=_ledger({"visit_date": days(n), "staff_id": who(n), "customer_id": rng.choice(cid, n),
                        "kind": rng.choice(np.array(["outbound", "phone"], dtype=object), n)}, "拜访记录"),
        referrals=_ledger({"date": days(n // 2), "referrer": who(n // 2), "customer_id": rng.choice(cid, n // 2)},
                          "柜员识别客户登记表"),
        sales=_ledger({"date": days(n // 2), "product": rng.choice(np.array(["基金", "理财"], dtype=object), n // 2),
                       "customer": rng.choice(cid, n // 2), "closer": who(n // 2),
                       "lead": pd.Series(lead[: n // 2], dtype="str"),
                       "piece_rate": rng.choice([10.0, 16.67, 33.33], n // 2)}, "产品营销"),
        worklog=_ledger({"staff_id": np.repeat(ids, 18), "date": days(staff * 18)}, "工作日志"),
        deductions=_ledger({"staff_id": who(staff // 5), "points": rng.integers(1, 4, staff // 5).astype(float),
                            "reason": np.full(staff // 5, "迟到", dtype=object), "date": days(staff // 5)}, "扣分"),
        assessment=_ledger({"staff_id": ids[role == "head"],
                            "score": rng.integers(600, 1000, int((role == "head").sum())).astype(float)}, "千分制"),
        pool=_ledger({"branch": np.array(sorted(set(branch)), dtype=object),
                      "amount": rng.uniform(1e5, 5e5, branches)}, "绩效工资"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rules = load_rules()
    ledgers = network(args.staff, args.branches)
    rows = sum(len(getattr(ledgers, k)) for k in ("visits", "referrals", "sales", "worklog", "customers"))
    for jobs in (1, 2):
        took = median_seconds(lambda: score_month(ledgers, MONTH, rules, jobs=jobs), args.repeat)
        print(f"score_month, {args.staff:,} staff in {args.branches} branches ({rows:,} ledger rows), "
              f"--jobs {jobs}: {took:.2f} s")
    result = score_month(ledgers, MONTH, rules)
    with tempfile.TemporaryDirectory() as folder:
        csv_path = str(Path(folder) / "score.csv")
        took = median_seconds(lambda: write_report(csv_path, score_report(result, detail=False), WriteOptions()),
                              args.repeat)
        print(f"report + csv: {took:.2f} s")
        took = median_seconds(lambda: score_report(result), 1)
        print(f"full report with {len(result.summary):,} statements (built, not written): {took:.2f} s")
        xlsx_path = str(Path(folder) / "score.xlsx")
        took = median_seconds(lambda: write_report(xlsx_path, score_report(result, with_statements=False),
                                                   WriteOptions()), 1)
        print(f"xlsx without statements ({len(result.evidence):,} audit rows): {took:.2f} s")


if __name__ == "__main__":
    main()
