"""Month-report timings after the read: the month pack (each part alone: allocation, staffing, plan,
score), the views (``views.report.month_report``) and the HTML with the branch pages built as they are
rendered, in ``--jobs`` processes (``io.html.render_html``), with a digest of
the HTML to compare builds and ``--jobs`` (the same bytes or the change is wrong).

Run: PYTHONPATH=src python benchmarks/bench_report.py DIR [--month 2026-10] [--jobs 2] [--repeat 3]
The folder is read once (not timed). Prints the median seconds of each step, this process's CPU seconds
and its workers' (how much of a step runs in parallel), and the HTML's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

import branchkit
from branchkit.core import report as core_report
from branchkit.io.html import render_html
from branchkit.io.options import WriteOptions
from branchkit.runs import quality
from branchkit.views.report import month_report
from timing import median_seconds  # benchmarks/timing.py, beside this script


def cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its ended workers."""
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def timed(label: str, func, repeat: int):
    """Run ``func`` ``repeat`` times; print the median wall seconds and the CPU split; return its value."""
    out = []
    before = cpu()
    seconds = median_seconds(lambda: out.append(func()), repeat)
    after = cpu()
    own, workers = ((a - b) / repeat for a, b in zip(after, before))
    print(f"{label:<22} {seconds:7.2f} s   cpu here {own:6.2f} s, workers {workers:6.2f} s", flush=True)
    return out[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    ledgers = branchkit.read(args.folder, month=args.month, jobs=2)
    print(f"read (not timed here) {time.perf_counter() - started:.1f} s", flush=True)
    frames = {kind: ledgers.used(kind) for kind in ledgers.split.used}
    rules, ambiguous = ledgers.rules, ledgers.ambiguous_keepers()
    pack = timed("month pack", lambda: core_report.month_pack(frames, args.month, rules, ambiguous=ambiguous,
                                                               jobs=args.jobs), args.repeat)
    marks: list[tuple[str, float]] = []
    core_report.month_pack(frames, args.month, rules, ambiguous=ambiguous, jobs=args.jobs,
                           progress=lambda name: marks.append((name, time.perf_counter())))
    marks.append(("end", time.perf_counter()))
    print("  parts (one run, in the order they start): " + ", ".join(
        f"{name} {end - start:.2f} s" for (name, start), (_, end) in zip(marks, marks[1:])), flush=True)
    cover = quality(ledgers, pack.problems, [])
    report = timed("views", lambda: month_report(pack, rules, cover), args.repeat)
    options = WriteOptions(lang="zh", jobs=args.jobs)
    html = timed("html", lambda: render_html(report, options), args.repeat)
    print("html sha256", hashlib.sha256(html.encode()).hexdigest()[:16], len(html), "characters")


if __name__ == "__main__":
    main()
