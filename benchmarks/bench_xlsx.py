"""xlsx writer timings: the allocation workbook of a generated ledger folder, and many small sheets.

Run: PYTHONPATH=src python benchmarks/bench_xlsx.py FOLDER [--runs 3] [--sheets 10000]

FOLDER is a sample made by ``branchkit sample FOLDER --customers 200000 --branches 40 --seed 7`` (what
benchmarks/run.py generates). The allocation and its report (every table and each keeper's 台账 book)
are built once, untimed; only ``write_report`` to .xlsx is timed. The second measurement writes a
report of ``--sheets`` one-row tables, one sheet each (the per-keeper sheets of a large network, with
nothing else). Prints the median of ``--runs`` runs of each, in seconds.

To compare two versions of the writer, run this file with PYTHONPATH set to each one's ``src``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

import branchkit
from branchkit.io.options import WriteOptions
from branchkit.io.output import write_report
from branchkit.io.tables import Report, Section, Table


def timed(write, runs: int) -> tuple[float, list[float]]:
    """The median and every run's seconds of ``write()``."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        write()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), seconds


def small_sheets(count: int) -> Report:
    """A report of ``count`` one-row tables, each on its own sheet."""
    tables = [Table(f"t{i}", pd.DataFrame({"branch": ["城东支行"], "customers": [i]}), f"台账-{i:05d}",
                    f"Book {i}") for i in range(count)]
    return Report("台账", "Books", [Section("s", "s", tables)], "t0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sheets", type=int, default=10_000)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-xlsx-"))
    print(f"branchkit from {Path(branchkit.__file__).parent}")
    allocation = branchkit.open(args.folder).allocate()
    report = allocation.report("xlsx", None)
    sheets = len(report.sheet_tables()) + len(report.extra_sheets)
    median, runs = timed(lambda: write_report(str(out / "alloc.xlsx"), report, WriteOptions()), args.runs)
    size = (out / "alloc.xlsx").stat().st_size
    print(f"allocation workbook, {len(allocation.table):,} customers, {sheets:,} sheets: {median:.2f} s "
          f"(runs {', '.join(f'{s:.2f}' for s in runs)}; {size / 1e6:.1f} MB)")
    many = small_sheets(args.sheets)
    median, runs = timed(lambda: write_report(str(out / "many.xlsx"), many, WriteOptions()), args.runs)
    print(f"{args.sheets:,} one-row sheets: {median:.2f} s (runs {', '.join(f'{s:.2f}' for s in runs)})")


if __name__ == "__main__":
    main()
