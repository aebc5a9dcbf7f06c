"""A folder read as ``allocate`` reads it, in process, with the files read ahead in a thread and without.

Run: PYTHONPATH=src python benchmarks/bench_folder_read.py FOLDER [--runs 3] [--kinds customers,staff,...]

FOLDER is a sample made by ``branchkit sample`` (benchmarks/run.py's inputs). The two ways are run in
turn, ``--runs`` times each, so that a shared machine's load falls on both alike; the median wall time
and CPU time of each are printed, and whether the two read the same ledgers (row counts and a digest of
the customers' frame). ``io.readahead`` reads ahead; "serial" reads each file when the loader reaches it.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

import branchkit
from branchkit.io import discover
from branchkit.io.readahead import ReadAhead

KINDS = "customers,staff,claims,previous"


def _serial(paths: list[Path], read) -> ReadAhead:
    """Stands in for ``ReadAhead``: nothing read ahead, every file read when the loader reaches it."""
    return ReadAhead([], read)


def _read(folder: Path, kinds: list[str]) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    ledgers = branchkit.read(folder, kinds=kinds)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256()
    for kind in kinds:
        if kind in ledgers:
            frame = ledgers[kind]
            digest.update(f"{kind}:{len(frame)}".encode())
            digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return wall, cpu, digest.hexdigest()[:16]


def main() -> None:
    """Read the folder both ways in turn; print the medians and the digests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default=KINDS)
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    ahead = discover.ReadAhead
    times: dict[str, list[tuple[float, float, str]]] = {"ahead": [], "serial": []}
    for _ in range(args.runs):
        for way in times:
            discover.ReadAhead = ahead if way == "ahead" else _serial
            times[way].append(_read(args.folder, kinds))
    discover.ReadAhead = ahead
    for way, runs in times.items():
        print(f"{way:>6}: median {statistics.median(r[0] for r in runs):.2f} s wall, "
              f"{statistics.median(r[1] for r in runs):.2f} s CPU; digests {sorted({r[2] for r in runs})}")


if __name__ == "__main__":
    sys.exit(main())
