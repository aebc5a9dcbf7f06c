"""Whole-command benchmarks of branchkit against the naive and the hardware baselines (issues 9 and 20).

Run:  python benchmarks/run.py            # full: 200,000 and 1,048,575 customers (xlsx), 1,000,000 (csv),
                                          # 200 branches with 10,000 staff; 3 runs each (takes long)
      python benchmarks/run.py --quick    # 20,000 customers, 20 branches, 2 runs: a few minutes on 2 cores
      python benchmarks/run.py --json benchmarks/results/full.json     # also keep every number
      python benchmarks/run.py --render benchmarks/results/full.json   # the tables of a saved run

Inputs are generated with ``branchkit sample`` (not timed) and cached in the work folder
(default benchmarks/data/), one folder per set of generator parameters, reused when present.
Every command is timed as a process: each run executes in its own small wrapper process that
reports the wall time of the command and ``getrusage(RUSAGE_CHILDREN).ru_maxrss``, the peak
resident memory of the largest single process of the command's tree (a ``--jobs 2`` run's
workers are not added up). The table prints medians; ``--json`` saves every run.

The baselines run the same way in the same run: ``pandas.read_excel(engine="openpyxl")`` of the
same customer workbook (every sheet); ``DataFrame.to_excel(engine="openpyxl")`` of the same
allocation (branchkit's CSV output read back with pandas; only the write is timed, inside the
process; at sizes up to 200,000 only: it takes six minutes at a million rows); pyarrow reading the
CSV customer list and last month's allocation and writing one table of the same rows (what the
hardware allows for CSV); and the naive read of every ledger of the report's folder with pandas and
openpyxl. The JSON of a run holds the machine, the load average at its start and end, and the commit
(``-dirty`` when the working tree had changes); ``--render`` prints the tables from it, and the
README's performance table is that output. bench_allocate.py, bench_score.py and bench_staff.py beside this file time the
cores in-process; this script times what a user waits for.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
GB = 1024 ** 3
EXCEL_ROWS = 1_048_575                 # Excel's row limit minus the header
MB = 1024 ** 2
TARGETS = {                            # issue 20
    "allocate_vs_openpyxl_read": 0.25,  # allocate xlsx -> xlsx / openpyxl read of the same file, at most
    "csv_vs_pyarrow": 3.0,              # allocate csv -> csv / pyarrow read of both inputs + write, at most
    "csv_peak_bytes": 1 * GB,
    "report_vs_openpyxl_read": 0.5,     # report --jobs 1 / naive read of the folder's ledgers, at most
    "report_jobs_speedup": 1.7,
}
LIBRARIES = ("pandas", "pyarrow", "openpyxl", "python-calamine", "xlsxwriter")
NAIVE_WRITE_UP_TO = 200_000            # DataFrame.to_excel(openpyxl) is timed at sizes up to this


def peak_goal(customers: int) -> int:
    """The peak-memory goal of allocate xlsx -> xlsx: under 600 MB at 200,000 customers, 2 GB above."""
    return 600 * MB if customers <= 200_000 else 2 * GB

# Runs one command, its stdout and stderr to files; prints the wall time and the peak RSS of its tree.
WRAPPER = """\
import json, resource, subprocess, sys, time
out, err, command = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as stdout, open(err, "wb") as stderr:
    start = time.perf_counter()
    code = subprocess.call(command, stdout=stdout, stderr=stderr)
    seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "returncode": code, "peak_bytes": peak * (1 if sys.platform == "darwin" else 1024)}))
"""

READ_OPENPYXL = """\
import json, sys, time
import pandas as pd
start = time.perf_counter()
sheets = pd.read_excel(sys.argv[1], sheet_name=None, engine="openpyxl")
print(json.dumps({"seconds": time.perf_counter() - start, "rows": sum(len(s) for s in sheets.values())}))
"""

READ_WRITE_PYARROW = """\
import json, sys, time
import pyarrow.csv as csv
start = time.perf_counter()
customers = csv.read_csv(sys.argv[1])
previous = csv.read_csv(sys.argv[2])
csv.write_csv(customers, sys.argv[3])
print(json.dumps({"seconds": time.perf_counter() - start, "rows": customers.num_rows + previous.num_rows}))
"""

READ_FOLDER_OPENPYXL = """\
import json, sys, time
from pathlib import Path
import pandas as pd
start = time.perf_counter()
rows = 0
for path in sorted(Path(sys.argv[1]).iterdir()):
    if path.suffix == ".xlsx":
        rows += sum(len(s) for s in pd.read_excel(path, sheet_name=None, engine="openpyxl").values())
    elif path.suffix == ".csv":
        rows += len(pd.read_csv(path, dtype=str, encoding="utf-8-sig"))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows}))
"""

WRITE_OPENPYXL = """\
import json, sys, time
import pandas as pd
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
start = time.perf_counter()
frame.to_excel(sys.argv[2], index=False, engine="openpyxl")
print(json.dumps({"seconds": time.perf_counter() - start, "rows": len(frame)}))
"""


# ---------------------------------------------------------------------------------------------- options

@dataclass(frozen=True)
class Plan:
    """What to measure: sample sizes and how many runs."""

    sizes: tuple[int, ...]           # customers of the xlsx samples (allocate, baselines); the first: score, staff
    branches: int                    # branches of those samples
    csv_customers: int               # the CSV -> CSV throughput sample
    network_branches: int            # the report network
    network_staff: int | None        # None: as the generator sizes it from the customers
    network_customers: int
    runs: int
    month: str = "2026-10"
    seed: int = 7


FULL = Plan(sizes=(200_000, EXCEL_ROWS), branches=40, csv_customers=1_000_000, network_branches=200,
            network_staff=10_000, network_customers=100_000, runs=3)
QUICK = Plan(sizes=(20_000,), branches=20, csv_customers=20_000, network_branches=20, network_staff=None,
             network_customers=20_000, runs=2)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (20,000 customers, 20 branches, 2 runs): a few minutes")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N",
                        help="customers of the xlsx samples (default 200000 1048575; quick 20000)")
    parser.add_argument("--csv-customers", type=int, metavar="N", help="customers of the CSV sample (default 1000000)")
    parser.add_argument("--branches", type=int, metavar="B", help="branches of the customer samples (default 40)")
    parser.add_argument("--network", metavar="BRANCHES:STAFF",
                        help="the report network (default 200:10000; STAFF 'auto' lets the generator size it)")
    parser.add_argument("--network-customers", type=int, metavar="N", help="customers of the network (default 100000)")
    parser.add_argument("--runs", type=int, metavar="N", help="runs of every measurement (default 3; quick 2)")
    parser.add_argument("--workdir", type=Path, default=HERE / "data",
                        help="where generated inputs are cached and outputs written (default benchmarks/data)")
    parser.add_argument("--keep", action="store_true", help="keep the commands' outputs (inputs are always kept)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save every number as JSON")
    parser.add_argument("--render", type=Path, metavar="FILE",
                        help="print the tables of a run saved with --json, and measure nothing")
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs: give 1 or more")
    if args.network is not None:
        try:
            args.network = parse_network(args.network)
        except ValueError as error:
            parser.error(f"--network {args.network}: {error}")
    return args


def parse_network(text: str) -> tuple[int, int | None]:
    """'200:10000' -> (200, 10000); '20:auto' -> (20, None)."""
    branches, _, staff = text.partition(":")
    if not branches.isdigit() or not (staff == "auto" or staff.isdigit()):
        raise ValueError("give BRANCHES:STAFF, e.g. 200:10000 or 20:auto")
    return int(branches), None if staff == "auto" else int(staff)


def make_plan(args: argparse.Namespace) -> Plan:
    base = QUICK if args.quick else FULL
    network = args.network or (base.network_branches, base.network_staff)
    return Plan(sizes=tuple(args.sizes or base.sizes), branches=args.branches or base.branches,
                csv_customers=args.csv_customers or base.csv_customers, network_branches=network[0],
                network_staff=network[1], network_customers=args.network_customers or base.network_customers,
                runs=args.runs or base.runs)


# ---------------------------------------------------------------------------------------------- helpers

def median(values: list[float]) -> float:
    return statistics.median(values)


def human_bytes(count: float | None) -> str:
    if count is None:
        return "-"
    for unit, size in (("GB", GB), ("MB", 1024 ** 2)):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return f"{count / 1024:.0f} KB"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table, columns padded so it also reads as plain text; numbers right-aligned."""
    cells = [header] + rows
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(_numeric(row[i]) for row in rows) and rows != [] for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


NUMBER = re.compile(r"-|FAILED|[0-9][0-9,]*(\.[0-9]+)?( ?(GB|MB|KB|x|/s))?")


def _numeric(text: str) -> bool:
    return NUMBER.fullmatch(text) is not None


def verdict(value: float | None, goal: float, at_most: bool) -> str:
    if value is None:
        return "n/a"
    return "PASS" if (value <= goal if at_most else value >= goal) else "FAIL"


def branchkit_command() -> list[str]:
    """The branchkit beside this Python (an installed venv), else ``python -m branchkit``."""
    script = Path(sys.executable).parent / "branchkit"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "branchkit"]


def compile_branchkit() -> None:
    """Compile branchkit's modules to bytecode before anything is timed, as pip leaves them when it installs
    the package: run from an editable install with ``PYTHONDONTWRITEBYTECODE`` set (this machine's
    environment), every timed command compiled every module again (`branchkit --help`: 0.48 -> 0.39 s wall,
    3 runs each), a cost no installed branchkit pays."""
    import compileall

    import branchkit

    compileall.compile_dir(Path(branchkit.__file__).parent, quiet=1)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for text in Path("/proc/meminfo").read_text().splitlines():
            if text.startswith("MemTotal:"):
                ram = human_bytes(int(text.split()[1]) * 1024)
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {"cpu": cpu, "cores": str(cores), "ram": ram, "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version()}
    if hasattr(os, "getloadavg"):
        info["load"] = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())    # other work on the machine skews timings
    for package in ("branchkit", *LIBRARIES):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = "not installed"
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                                        text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "src", "pyproject.toml"],
                                 cwd=HERE.parent, capture_output=True, text=True, check=True).stdout.strip()
        if changed:
            info["commit"] += "-dirty"
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


# ---------------------------------------------------------------------------------------------- inputs

def sample_dir(workdir: Path, customers: int, branches: int, fmt: str, staff: int | None, plan: Plan) -> Path:
    """The generated sample for these parameters, generated now unless the work folder has it."""
    params = {"customers": customers, "branches": branches, "format": fmt, "staff": staff,
              "seed": plan.seed, "month": plan.month}
    name = f"{fmt}-c{customers}-b{branches}-s{staff or 'auto'}-seed{plan.seed}-{plan.month}"
    folder = workdir / "inputs" / name
    marker = folder / "benchmark-params.json"
    if marker.is_file() and json.loads(marker.read_text()) == params:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    partial = folder.with_name(name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [*branchkit_command(), "sample", str(partial), "--customers", str(customers), "--branches",
               str(branches), "--format", fmt, "--seed", str(plan.seed), "--month", plan.month, "-q"]
    if staff is not None:
        command += ["--staff", str(staff)]
    print(f"generating {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    (partial / "benchmark-params.json").write_text(json.dumps(params))
    partial.rename(folder)
    print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return folder


def customer_file(folder: Path, fmt: str) -> Path:
    return folder / f"客户清单.{fmt}"


# ---------------------------------------------------------------------------------------------- timing

@dataclass
class Measurement:
    """One timed command: every run, the median, the peak memory over the runs."""

    key: str
    label: str
    input: str
    command: list[str]
    runs: list[float] = field(default_factory=list)         # wall seconds of the process (or inner, see `inner`)
    peaks: list[int] = field(default_factory=list)          # peak RSS bytes per run
    inner: bool = False                                      # runs are the time the process itself measured
    items: int | None = None                                 # customers, for a rate
    error: str | None = None

    @property
    def median(self) -> float | None:
        return median(self.runs) if self.runs and not self.error else None

    @property
    def peak(self) -> int | None:
        return max(self.peaks) if self.peaks and not self.error else None

    @property
    def rate(self) -> float | None:
        return self.items / self.median if self.items and self.median else None


def run_once(command: list[str], scratch: Path) -> tuple[dict, str, str]:
    """Run ``command`` in a fresh wrapper process: its report, the command's stdout and stderr."""
    out, err = scratch / "stdout.txt", scratch / "stderr.txt"
    result = subprocess.run([sys.executable, "-c", WRAPPER, str(out), str(err), *command],
                            capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report, out.read_text(errors="replace"), err.read_text(errors="replace")


def measure(m: Measurement, runs: int, scratch: Path) -> Measurement:
    print(f"timing {m.label} on {m.input} ({runs} runs) ...", file=sys.stderr, flush=True)
    for _ in range(runs):
        report, stdout, stderr = run_once(m.command, scratch)
        if report["returncode"] != 0:
            tail = " / ".join(stderr.strip().splitlines()[-3:])
            m.error = f"exit {report['returncode']}: {tail}"
            print(f"  FAILED {m.error}", file=sys.stderr, flush=True)
            return m
        seconds = json.loads(stdout.strip().splitlines()[-1])["seconds"] if m.inner else report["seconds"]
        m.runs.append(seconds)
        m.peaks.append(report["peak_bytes"])
        print(f"  {seconds:.2f} s, peak {human_bytes(report['peak_bytes'])}", file=sys.stderr, flush=True)
    return m


def same_bytes(first: Path, second: Path) -> bool | None:
    if not (first.is_file() and second.is_file()):
        return None
    return first.read_bytes() == second.read_bytes()


# ---------------------------------------------------------------------------------------------- the run

def run(plan: Plan, workdir: Path, keep: bool) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    bk = branchkit_command()
    compile_branchkit()
    out = Path(tempfile.mkdtemp(prefix="out-", dir=workdir))
    measurements: list[Measurement] = []
    notes: list[str] = []
    extra: dict[str, object] = {}

    def timed(m: Measurement) -> Measurement:
        measurements.append(measure(m, plan.runs, out))
        return m

    try:
        for size in plan.sizes:
            folder = sample_dir(workdir, size, plan.branches, "xlsx", None, plan)
            book = customer_file(folder, "xlsx")
            name = f"{size:,} customers xlsx"
            timed(Measurement(f"allocate_xlsx_{size}", "allocate -> xlsx", name,
                              [*bk, "allocate", str(folder), "-o", str(out / f"alloc-{size}.xlsx"), "-q"], items=size))
            timed(Measurement(f"allocate_xlsx_csv_{size}", "allocate -> csv", name,
                              [*bk, "allocate", str(folder), "-o", str(out / f"alloc-{size}.csv"), "-q"], items=size))
            timed(Measurement(f"openpyxl_read_{size}", "naive: pandas.read_excel(openpyxl)", name,
                              [sys.executable, "-c", READ_OPENPYXL, str(book)], inner=True, items=size))
            if (out / f"alloc-{size}.csv").is_file() and size <= NAIVE_WRITE_UP_TO:
                timed(Measurement(f"openpyxl_write_{size}", "naive: DataFrame.to_excel(openpyxl), write only",
                                  f"allocation of {size:,}", [sys.executable, "-c", WRITE_OPENPYXL,
                                                              str(out / f"alloc-{size}.csv"),
                                                              str(out / f"naive-{size}.xlsx")],
                                  inner=True, items=size))
            if size == plan.sizes[0]:
                timed(Measurement(f"score_{size}", "score -> csv", name,
                                  [*bk, "score", "--month", plan.month, str(folder), "-o", str(out / "score.csv"),
                                   "-q"]))
                timed(Measurement(f"staff_{size}", "staff -> csv", name,
                                  [*bk, "staff", str(folder), "-o", str(out / "staff.csv"), "-q"]))
        folder = sample_dir(workdir, plan.csv_customers, plan.branches, "csv", None, plan)
        csv_input = f"{plan.csv_customers:,} customers csv"
        timed(Measurement(f"allocate_csv_{plan.csv_customers}", "allocate csv -> csv", csv_input,
                          [*bk, "allocate", str(folder), "-o", str(out / "alloc-csv.csv"), "-q"],
                          items=plan.csv_customers))
        timed(Measurement(f"pyarrow_csv_{plan.csv_customers}", "hardware: pyarrow read both + write one table",
                          csv_input, [sys.executable, "-c", READ_WRITE_PYARROW, str(customer_file(folder, "csv")),
                                      str(folder / "上月分配.csv"), str(out / "pyarrow.csv")],
                          inner=True, items=plan.csv_customers))
        staff_label = f"{plan.network_staff:,} staff" if plan.network_staff else "staff auto"
        network = f"{plan.network_branches} branches, {staff_label}, {plan.network_customers:,} customers"
        same_as_first = (plan.network_customers, plan.network_branches, plan.network_staff) == \
            (plan.sizes[0], plan.branches, None)
        folder = sample_dir(workdir, plan.network_customers, plan.network_branches, "xlsx", plan.network_staff, plan)
        if not same_as_first:
            timed(Measurement("score_network", "score -> csv", network,
                              [*bk, "score", "--month", plan.month, str(folder), "-o", str(out / "score-net.csv"),
                               "-q"]))
        timed(Measurement("openpyxl_read_network", "naive: every ledger read with pandas+openpyxl", network,
                          [sys.executable, "-c", READ_FOLDER_OPENPYXL, str(folder)], inner=True))
        for jobs in (1, 2):
            timed(Measurement(f"report_jobs{jobs}", f"report -> html --jobs {jobs}", network,
                              [*bk, "report", "--month", plan.month, str(folder), "-o",
                               str(out / f"report-jobs{jobs}.html"), "--jobs", str(jobs), "-q"]))
        extra["report_identical"] = same_bytes(out / "report-jobs1.html", out / "report-jobs2.html")
    finally:
        if keep:
            notes.append(f"outputs kept in {out}")
        else:
            shutil.rmtree(out, ignore_errors=True)
    return {"measurements": measurements, "notes": notes, **extra}


def _ratio(top: Measurement | None, bottom: Measurement | None) -> float | None:
    return top.median / bottom.median if top and bottom and top.median and bottom.median else None


def _goal(target: str, value: float | None, shown: str, goal: float, goal_text: str, at_most: bool) -> dict:
    return {"target": target, "measured": shown if value is not None else "-", "goal": goal_text,
            "result": verdict(value, goal, at_most), "value": value}


def targets(plan: Plan, result: dict) -> list[dict]:
    """Every target of issue 20 with the measured value and PASS/FAIL (n/a when not measured)."""
    by_key = {m.key: m for m in result["measurements"]}
    rows = []
    for size in plan.sizes:
        allocate = by_key.get(f"allocate_xlsx_{size}")
        ratio = _ratio(allocate, by_key.get(f"openpyxl_read_{size}"))
        rows.append(_goal(f"allocate xlsx -> xlsx / openpyxl read, {size:,} rows", ratio, f"{ratio:.2f}"
                          if ratio else "", TARGETS["allocate_vs_openpyxl_read"],
                          f"<= {TARGETS['allocate_vs_openpyxl_read']}", at_most=True))
        peak = allocate.peak if allocate else None
        rows.append(_goal(f"peak memory, allocate xlsx {size:,} rows", peak, human_bytes(peak), peak_goal(size) - 1,
                          f"< {human_bytes(peak_goal(size)).replace('.00', '')}", at_most=True))
    csv = by_key.get(f"allocate_csv_{plan.csv_customers}")
    ratio = _ratio(csv, by_key.get(f"pyarrow_csv_{plan.csv_customers}"))
    rows.append(_goal(f"allocate csv -> csv / pyarrow read + write, {plan.csv_customers:,} customers", ratio,
                      f"{ratio:.2f}x" if ratio else "", TARGETS["csv_vs_pyarrow"], f"<= {TARGETS['csv_vs_pyarrow']:g}x",
                      at_most=True))
    peak = csv.peak if csv else None
    rows.append(_goal(f"peak memory, allocate csv {plan.csv_customers:,} customers", peak, human_bytes(peak),
                      TARGETS["csv_peak_bytes"] - 1, "< 1 GB", at_most=True))
    one, two = by_key.get("report_jobs1"), by_key.get("report_jobs2")
    ratio = _ratio(one, by_key.get("openpyxl_read_network"))
    rows.append(_goal(f"report --jobs 1 / naive read of its ledgers, {plan.network_branches} branches", ratio,
                      f"{ratio:.2f}" if ratio else "", TARGETS["report_vs_openpyxl_read"],
                      f"<= {TARGETS['report_vs_openpyxl_read']}", at_most=True))
    speedup = _ratio(one, two)
    row = _goal(f"report --jobs 1 / --jobs 2, {plan.network_branches} branches", speedup,
                f"{speedup:.2f}x" if speedup else "", TARGETS["report_jobs_speedup"],
                f">= {TARGETS['report_jobs_speedup']}x, same bytes", at_most=False)
    identical = result.get("report_identical")
    if speedup and identical is not True:
        row["result"] = "FAIL (outputs differ)" if identical is False else "FAIL (no output to compare)"
    rows.append(row)
    return rows


def render(info: dict, plan: Plan, result: dict, goals: list[dict], quick: bool) -> str:
    title = "branchkit benchmarks" + (" (--quick: small sizes)" if quick else "")
    machine_line = (f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}; "
                    f"Python {info['python']}, " + ", ".join(
                        f"{name} {info[name]}" for name in LIBRARIES if info.get(name, "not installed") != "not installed")
                    + "; "
                    f"branchkit {info['branchkit']}" + (f" at {info['commit']}" if "commit" in info else "")
                    + (f"; run {info['started']} - {info['finished']}" if "finished" in info else "")
                    + (f"; load average (1, 5, 15 min) at start {info['load']}" if "load" in info else "")
                    + (f", at end {info['load_end']}" if "load_end" in info else ""))
    rows = []
    for m in result["measurements"]:
        rate = f"{m.rate:,.0f}/s" if m.rate else "-"
        rows.append([m.label, m.input, f"{m.median:.2f}" if m.median is not None else "FAILED",
                     str(len(m.runs)), human_bytes(m.peak), rate])
    lines = [f"### {title}", "", machine_line, "",
             f"Median wall time of {plan.runs} runs per row (naive rows: the read or write itself, timed "
             "inside the process); peak = largest resident set of one process of the command.", "",
             markdown_table(["command", "input", "median s", "runs", "peak RSS", "customers/s"], rows), "",
             markdown_table(["target", "measured", "goal", "result"],
                            [[g["target"], g["measured"], g["goal"], g["result"]] for g in goals])]
    failures = [f"- {m.label} on {m.input}: {m.error}" for m in result["measurements"] if m.error]
    notes = [f"- {note}" for note in result["notes"]]
    if result.get("report_identical") is not None:
        notes.append(f"- report --jobs 1 and --jobs 2 outputs identical: {result['report_identical']}")
    if quick:
        notes.append("- the targets are set for the full sizes (200,000 and 1,048,575 rows, 1,000,000 customers, 200 "
                     "branches); "
                     "at --quick sizes start-up and fixed costs dominate, so their FAIL says nothing about them")
    if failures or notes:
        lines += ["", *failures, *notes]
    return "\n".join(lines)


def load(path: Path) -> tuple[dict, Plan, dict, list[dict], bool]:
    """A run saved with ``--json``: machine, plan, measurements, targets, quick."""
    document = json.loads(path.read_text(encoding="utf-8"))
    names = {f.name for f in fields(Measurement)}
    measurements = [Measurement(**{k: v for k, v in m.items() if k in names}) for m in document["measurements"]]
    plan = Plan(**{k: tuple(v) if k == "sizes" else v for k, v in document["plan"].items()})
    result = {"measurements": measurements, "notes": document["notes"],
              "report_identical": document.get("report_identical")}
    return document["machine"], plan, result, document["targets"], document["quick"]


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        info, plan, result, goals, quick = load(args.render)
        print(render(info, plan, result, goals, quick))
        return 0
    plan = make_plan(args)
    info = machine()
    info["started"] = _now()
    result = run(plan, args.workdir.resolve(), args.keep)
    info["finished"] = _now()
    if hasattr(os, "getloadavg"):
        info["load_end"] = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    goals = targets(plan, result)
    print(render(info, plan, result, goals, args.quick))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"machine": info, "plan": asdict(plan), "quick": args.quick,
                    "measurements": [asdict(m) | {"median": m.median, "peak": m.peak, "rate": m.rate}
                                     for m in result["measurements"]],
                    "targets": goals, "notes": result["notes"],
                    "report_identical": result.get("report_identical")}
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if any(m.error for m in result["measurements"]) else 0


if __name__ == "__main__":
    sys.exit(main())
