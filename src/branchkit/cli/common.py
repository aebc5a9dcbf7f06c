"""What every command does around the library: check the output early, read, print, write.

The reading, checking and computing are the library's (``branchkit.session``, ``branchkit.runs``);
this module only decides what reaches the terminal and when.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, Mapping

from branchkit import memory, shutdown
from branchkit.cli import summary
from branchkit.cli.options import Run
from branchkit.console import print_note, print_problems, visible_json
from branchkit.errors import OutputError, UsageError
from branchkit.io.output import output_format, remove_stale
from branchkit.io.targets import check_outputs, read_paths, side_file
from branchkit.problems import ProblemLog
from branchkit.results import Result
from branchkit.session import Ledgers, read


def read_ledgers(run: Run, sources: list[str] | None, named: Mapping[str, list[str] | None] | None = None, *,
                 kinds: Iterable[str] | None = None, month: str | None = None, force_kind: str | None = None,
                 sheets: list[str] | None = None, check: bool = True, reads: Iterable[object] = ()) -> Ledgers:
    """Check the output target, read and check the ledgers, print the notes; then, with ``check``, stop
    on errors (exit 1; ``--skip-invalid`` sets bad rows aside) and print the problems left. ``reads``:
    other files the command reads (a --compare rules file), which the output may not replace either."""
    named = {k: v for k, v in (named or {}).items() if v}
    inputs = input_paths(sources or [], *named.values(), [run.rules, *reads])
    check_output_early(run.output, inputs)
    _check_summary(run, inputs)
    ledgers = read(sources or [], rules=run.rules, kinds=kinds, month=month, force_kind=force_kind,
                   sheets=sheets, jobs=run.jobs, **named)
    for note in ledgers.notes + (ledgers.passed if run.verbose else []):
        print_note(note, quiet=run.quiet)
    record = summary.current()
    if record is not None:
        record.add_ledgers(ledgers)
        record.add_problems(ledgers.log)
    if check:
        ledgers.require_clean(run.skip_invalid)
        print_problems(ledgers.log, quiet=run.quiet, verbose=run.verbose)
    return ledgers


def _check_summary(run: Run, inputs: list[Path]) -> None:
    """``--summary``: not with ``-o -`` on the same stdout, never over something read."""
    if run.summary is None:
        return
    if run.summary == "-":
        if run.output == "-":
            raise UsageError("--summary - and -o - would both write to stdout; write one of them to a file")
        return
    check_outputs([run.summary], inputs, side_files=False)
    record = summary.current()
    if record is not None:
        record.clear_target()


def print_found(result: Result, run: Run) -> None:
    """The notes and warnings the computation met."""
    for note in result.notes:
        print_note(note, quiet=run.quiet)
    record = summary.current()
    for omission in getattr(result.value, "omitted", []):
        if record is not None:
            record.add_left_out(omission.part, list(omission.ledgers), list(omission.problems))
    if result.found:
        log = ProblemLog()
        log.extend(result.found)
        if record is not None:
            record.add_problems(log)
        print_problems(log, quiet=run.quiet, verbose=run.verbose)


def write_result(result: Result, ledgers: Ledgers, run: Run, **view: object) -> None:
    """Write the result where ``-o`` says and, with ``--skip-invalid``, the rejected rows beside it."""
    target = run.output
    if target is None:
        print_note("no file written: give -o FILE (.xlsx .html .csv .json, or - for CSV on stdout) to keep the "
                   "result", quiet=run.quiet)
        return
    record = summary.current()
    memory.settle()             # what the read and the computation freed goes back before the write's peak
    try:
        warnings = result.write(target, lang=run.lang, mask=run.mask, raw_csv=run.raw_csv, jobs=run.jobs, **view)
    finally:
        memory.thaw()
    for warning in warnings:
        print_note(f"warning: {warning}", quiet=run.quiet)
    if record is not None:
        record.add_output(target)
    if target == "-":
        return
    print_note(f"wrote {target}", quiet=run.quiet)
    path = rejected_target(target)
    if run.skip_invalid and ledgers.split.has_row_errors:
        ledgers.write_rejected(path, raw_csv=run.raw_csv)
        if record is not None:
            record.add_output(path)
        print_note(f"wrote the rejected rows with their reasons to {path}", quiet=run.quiet)
    elif remove_stale(path):
        print_note(f"removed {path}, left by an earlier run: no row was rejected this time", quiet=run.quiet)


def print_accounting(ledgers: Ledgers, run: Run) -> None:
    """``read N, used U, rejected R`` (stderr): in total, and per ledger when there are few, when rows were
    rejected from it, or with ``verbose``."""
    accounting, quiet, verbose = ledgers.split.accounting, run.quiet, run.verbose
    several = len(accounting) > 1
    for kind, acc in accounting.items():
        if several and not (verbose or acc.rejected or len(accounting) <= 5):
            continue
        ledger = ledgers.inputs.ledgers[kind]
        extra = []
        if ledger.totals:
            extra.append(f"{ledger.totals} totals row(s) not counted as data")
        if ledger.sections:
            extra.append(f"{ledger.sections} section heading row(s) not counted as data")
        if ledger.blank:
            extra.append(f"{ledger.blank} blank row(s)")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        print_note(acc.line() + suffix, quiet=quiet)
    if several:
        shown = "" if verbose or len(accounting) <= 5 else f" over {len(accounting)} ledgers (--verbose: each)"
        print_note(ledgers.split.totals().line() + shown, quiet=quiet)


def problems_json(log: ProblemLog) -> str:
    """The problems as a JSON list of objects with stable codes."""
    records = [p.as_dict() for p in log.records()]
    return visible_json(json.dumps(records, ensure_ascii=False, indent=2)) + "\n"


def rejected_target(target: str) -> Path:
    """Where rejected rows go: ``out.xlsx`` -> ``out.xlsx.rejected.csv``."""
    return side_file(target)


def check_output_early(target: str | None, inputs: list[Path]) -> None:
    """Validate the output target before reading anything: its extension, that it can be written, and that
    neither it nor its rejected-rows file is something the command reads (``io.targets``)."""
    if target is None:
        return
    if target == "-" and "stdout" in shutdown.CLOSED:
        raise OutputError("standard output is closed: '-' cannot be written; give -o FILE")
    output_format(target)
    check_outputs([target], inputs)


def input_paths(*groups: Iterable[str | Path | None]) -> list[Path]:
    """Every path named on the command line that the command reads (folders whole), for the overwrite check."""
    return read_paths(*groups)


def stream_for_report(target: str | None):
    """Where a JSON problem report goes: stdout, unless stdout carries the data."""
    return sys.stderr if target == "-" else sys.stdout
