"""``python -m branchkit.spark``: export ledgers to a partitioned layout, allocate and score it on Spark.

Exit codes as the main CLI: 0 done, 1 the data has errors (nothing written), 2 usage error, unreadable
input, pyspark or Java missing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import tomli_w
from branchkit.console import visible
from branchkit.errors import BranchkitError, UsageError

EPILOG = """examples:
  python -m branchkit.spark export sample_data layout/
  python -m branchkit.spark allocate layout/ allocation/ --master local[4]
  python -m branchkit.spark score layout/ score/ --month 2026-10 --format csv
"""


def parser() -> argparse.ArgumentParser:
    """The command line: export, allocate, score."""
    top = argparse.ArgumentParser(prog="python -m branchkit.spark", epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter,
                                  description="Run branchkit's per-branch allocation and scoring on Apache Spark.")
    sub = top.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="Read ledgers as branchkit does and write them as Parquet "
                            "partitioned by branch (OUT/<kind>/branch=<name>/).")
    export.add_argument("source", type=Path, help="a ledger folder or workbook, as branchkit's commands take")
    export.add_argument("out", type=Path, help="the layout folder to write (must not exist or be empty)")
    export.add_argument("--rules", type=Path, help="rules.toml (default: the folder's rules.toml, else built-in)")
    export.add_argument("--skip-invalid", action="store_true", help="export the valid rows when some are invalid")
    for name, text in (("allocate", "Allocate keepers per branch on Spark (core.allocate.allocate_branch)."),
                       ("score", "Score and pay per branch on Spark (core.month.score_month).")):
        job = sub.add_parser(name, help=text, description=text)
        job.add_argument("layout", type=Path, help="a folder written by export (or CSV files in the same layout)")
        job.add_argument("out", type=Path, help="the result folder: OUT/<table>/branch=<name>/ (overwritten)")
        if name == "score":
            job.add_argument("--month", required=True, help="the month scored, YYYY-MM")
        job.add_argument("--rules", type=Path, help="rules.toml (default: LAYOUT/rules.toml, else built-in)")
        job.add_argument("--master", default="local[*]", help="Spark master URL (default: local[*])")
        job.add_argument("--partitions", type=int, help="spark.sql.shuffle.partitions (default: Spark's, 200); "
                         "about the number of branches, or a few per core, suits a provincial run")
        job.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="output format")
    for command in sub.choices.values():
        command.add_argument("--quiet", action="store_true", help="no notes on stderr")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; branchkit errors become one stderr line and an exit code."""
    args = parser().parse_args(argv)
    try:
        return {"export": export, "allocate": allocate, "score": score}[args.command](args)
    except BranchkitError as exc:
        print(f"error: {visible(str(exc))}", file=sys.stderr)
        return exc.exit_code


def note(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(visible(text), file=sys.stderr)


def export(args: argparse.Namespace) -> int:
    """Read, validate, and write each ledger kind partitioned by branch, with the effective rules."""
    import branchkit
    from branchkit.rules import rules_data
    from branchkit.spark.layout import AMBIGUOUS, write_layout

    if args.out.exists() and any(args.out.iterdir()):
        raise UsageError(f"{args.out} exists and is not empty; give a new folder")
    ledgers = branchkit.read(str(args.source), rules=args.rules)
    for line in ledgers.notes:
        note(args, line)
    _print_problems(ledgers.problems, args)
    ledgers.require_clean(args.skip_invalid)
    frames = {kind: ledgers.used(kind) for kind in sorted(ledgers.split.accounting)}
    frames = {k: v for k, v in frames.items() if v is not None}
    extra = {}
    if "customers" in frames:
        ambiguous = ledgers.ambiguous_keepers()
        extra["customers"] = {AMBIGUOUS: frames["customers"]["customer_id"].astype("str").isin(ambiguous)
                              .astype("bool")}
    args.out.mkdir(parents=True, exist_ok=True)
    counts = write_layout(frames, args.out, extra)
    (args.out / "rules.toml").write_text(tomli_w.dumps(rules_data(ledgers.rules)), encoding="utf-8")
    for kind, parts in counts.items():
        note(args, f"{kind}: {sum(parts.values())} rows in {len(parts)} branch partition(s)")
    for row in ledgers.accounting.itertuples(index=False):
        note(args, f"{row.ledger}: read {row.read}, used {row.used}, rejected {row.rejected}")
    return 0


def _rules(args: argparse.Namespace):
    from branchkit.session import resolve_rules

    rules, used = resolve_rules(args.rules, [str(args.layout)])
    if used:
        note(args, used)
    return rules


def allocate(args: argparse.Namespace) -> int:
    """Allocate every branch of the layout on Spark."""
    from branchkit.spark import jobs

    rules = _rules(args)
    spark = jobs.spark_session(args.master, args.partitions)
    started = time.monotonic()
    counts = jobs.allocate_job(spark, args.layout, args.out, rules, args.format)
    note(args, "wrote " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" rows to {args.out} "
         f"in {time.monotonic() - started:.1f} s")
    return 0


def score(args: argparse.Namespace) -> int:
    """Score every branch of the layout on Spark for the month."""
    from branchkit.core.calendar import parse_month
    from branchkit.spark import jobs

    month = parse_month(args.month)
    rules = _rules(args)
    spark = jobs.spark_session(args.master, args.partitions)
    started = time.monotonic()
    counts = jobs.score_job(spark, args.layout, args.out, rules, month, args.format,
                            on_problems=lambda p: _print_problems(p, args))
    note(args, "wrote " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" rows to {args.out} "
         f"in {time.monotonic() - started:.1f} s")
    return 0


def _print_problems(problems, args: argparse.Namespace) -> None:
    for row in problems.sort_values(["severity", "code", "message"]).itertuples(index=False):
        if row.severity == "error" or not args.quiet:
            print(visible(f"{row.severity}: {row.code}: {row.message}"), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
