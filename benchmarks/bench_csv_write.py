"""In-process timing of the CSV writer on an allocation-shaped table: median wall and CPU time.

    python benchmarks/bench_csv_write.py ALLOCATION.csv OUT.csv [RUNS]

ALLOCATION.csv is an allocation written by ``branchkit allocate -o x.csv`` (its columns are read back as
text, money and flags in their formats); the table is written to OUT.csv RUNS times (default 3) and a
digest of the bytes printed, to compare two builds.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import time

import pandas as pd
import pyarrow.csv as pa_csv

from branchkit.io.options import WriteOptions
from branchkit.io.output import write_csv
from branchkit.io.tables import Table
from branchkit.text import AS_STR

MONEY = ("deposit", "loan", "financial_assets")


def main() -> None:
    path, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3
    arrow = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(strings_can_be_null=True))
    frame = arrow.to_pandas(types_mapper=AS_STR.get)
    for name in MONEY:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    formats = {**{name: "money" for name in MONEY}, "locked": "bool", "over_capacity": "bool", "weight": "number"}
    for name in ("locked", "over_capacity"):
        frame[name] = frame[name].astype("boolean")
    table = Table("allocation", frame, "分配", "allocation", formats=formats)
    walls, cpus, digest = [], [], ""
    for _ in range(runs):
        with open(out, "w", encoding="utf-8", newline="") as stream:
            wall, cpu = time.perf_counter(), time.process_time()
            write_csv(table, stream, WriteOptions())
            stream.flush()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        with open(out, "rb") as written:
            digest = hashlib.sha256(written.read()).hexdigest()[:16]
    print(f"{len(frame):,} rows: median wall {statistics.median(walls):.2f} s, cpu {statistics.median(cpus):.2f} s, "
          f"sha256 {digest}")


if __name__ == "__main__":
    main()
