"""Gantt read timings: every manager sheet of a 甘特图.xlsx read into plan days, one by one
(``io.gantt.read_gantt``) and together (``io.gantt_batch.read_gantts``, as ``discover`` reads them), the
workbook itself read once beforehand; and a digest of the frames and problems, to compare builds.

Run: PYTHONPATH=src python benchmarks/bench_gantt.py DIR/甘特图.xlsx [--month 2026-10] [--repeat 3]
Prints the median seconds of reading every sheet each way, the sheets, rows and problems, and the digest
(the same for both ways, or the script stops).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
from pathlib import Path

import pandas as pd

from branchkit.io.discover import LayoutContext
from branchkit.io.gantt import read_gantt
from branchkit.io.gantt_batch import read_gantts
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


def read_together(grids: list, rules, month: str) -> tuple[list[pd.DataFrame], ProblemLog]:
    """Every sheet read in one batch, as ``discover`` reads a workbook's run of Gantt sheets."""
    log = ProblemLog()
    read = read_gantts(copy.deepcopy(grids), rules, log, LayoutContext(0, {"month": month}))
    return [frame for frame, _ in read], log


def digest_of(frames: list[pd.DataFrame], log: ProblemLog) -> tuple[str, int, int]:
    """A digest of the frames and problems, with the row and problem counts."""
    whole = pd.concat(frames, ignore_index=True)
    problems = log.frame()
    digest = hashlib.sha256(whole.to_csv(index=False).encode() + str(whole.dtypes.to_dict()).encode()
                            + problems.to_csv(index=False).encode()).hexdigest()
    return digest, len(whole), len(problems)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rules = load_rules()
    book = read_workbook(args.path, args.path.name, "zip", rules.input)
    digest, rows, problems = digest_of(*read_all(book.grids, rules, args.month))
    if digest_of(*read_together(book.grids, rules, args.month))[0] != digest:
        raise SystemExit("read_gantts gives other frames or problems than read_gantt sheet by sheet")
    one = median_seconds(lambda: read_all(book.grids, rules, args.month), args.repeat)
    together = median_seconds(lambda: read_together(book.grids, rules, args.month), args.repeat)
    print(f"sheets {len(book.grids)}  rows {rows}  problems {problems}  digest {digest[:16]}")
    print(f"read_gantt, sheet by sheet: {one:.3f} s; read_gantts, together: {together:.3f} s "
          f"(medians of {args.repeat}, each with a deep copy of the grids)")

if __name__ == "__main__":
    main()
