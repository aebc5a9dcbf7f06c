"""Gantt read timings: every manager sheet of a 甘特图.xlsx read into plan days (``io.gantt.read_gantt``),
the workbook itself read once beforehand; and a digest of the frames and problems, to compare builds.

Run: PYTHONPATH=src python benchmarks/bench_gantt.py DIR/甘特图.xlsx [--month 2026-10] [--repeat 3]
Prints the median seconds of reading every sheet, the sheets, rows and problems, and the digest.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
from pathlib import Path

import pandas as pd

from branchkit.io.discover import LayoutContext
from branchkit.io.gantt import read_gantt
from branchkit.io.workbook import read_workbook
from branchkit.problems import ProblemLog
from branchkit.rules import load_rules
from timing import median_seconds  # benchmarks/timing.py, beside this script


def read_all(grids: list, rules, month: str) -> tuple[list[pd.DataFrame], ProblemLog]:
    """Every sheet read as ``discover`` does, row ids running on."""
    log, frames, start = ProblemLog(), [], 0
    for grid in grids:
        frame, _ = read_gantt(copy.deepcopy(grid), rules, log, LayoutContext(start, {"month": month}))
        frames.append(frame)
        start += len(frame)
    return frames, log


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rules = load_rules()
    book = read_workbook(args.path, args.path.name, "zip", rules.input)
    frames, log = read_all(book.grids, rules, args.month)
    whole = pd.concat(frames, ignore_index=True)
    problems = log.frame()
    digest = hashlib.sha256(whole.to_csv(index=False).encode() + str(whole.dtypes.to_dict()).encode()
                            + problems.to_csv(index=False).encode()).hexdigest()
    seconds = median_seconds(lambda: read_all(book.grids, rules, args.month), args.repeat)
    print(f"sheets {len(book.grids)}  rows {len(whole)}  problems {len(problems)}  digest {digest[:16]}")
    print(f"read_gantt, every sheet: {seconds:.3f} s (median of {args.repeat})")


if __name__ == "__main__":
    main()
