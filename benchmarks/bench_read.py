"""xlsx read timings: one workbook read as a ledger of one kind, in process, and the peak memory it took.

Run: PYTHONPATH=src python benchmarks/bench_read.py FOLDER/客户清单.xlsx [--kind customers] [--runs 3]

FOLDER is a sample made by ``branchkit sample FOLDER --customers 200000 --branches 40 --seed 7`` (what
benchmarks/run.py generates). Each run reads the workbook from the start (package check, calamine, header,
conversion) through ``branchkit.read``; the median wall time, the CPU time and the growth of the process's peak resident
memory over the first run are printed.

To compare two versions of the reader, run this file with PYTHONPATH set to each one's ``src`` (or with
each worktree's own virtual environment), back to back on a quiet machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import branchkit  # noqa: E402
from timing import median_seconds  # noqa: E402


def main() -> None:
    """Time reading one workbook as a ledger of ``--kind``; print the median and the peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--kind", default="customers")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = []

    def read() -> None:
        ledgers = branchkit.read(**{args.kind: args.workbook})
        rows.append(len(ledgers[args.kind]))

    first = median_seconds(read, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = _cpu()
    runs = max(args.runs - 1, 1)
    rest = median_seconds(read, runs)
    print(f"{args.workbook.name} as {args.kind}: {rows[0]:,} rows; median {rest:.2f} s (first run {first:.2f} s), "
          f"{(_cpu() - cpu) / runs:.2f} s of CPU a run; peak memory +{(peak - before) // 1024:,} MB over the "
          "first run")


def _cpu() -> float:
    """CPU seconds of this process so far (steadier than wall time on a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
