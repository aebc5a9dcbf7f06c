"""What every command does around the library: check the output early, read, print, write.

The reading, checking and computing are the library's (``branchkit.session``, ``branchkit.runs``);
this module only decides what reaches the terminal and when.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, Mapping

from branchkit.cli.options import Run
from branchkit.console import print_note, print_problems, visible_json
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
    check_output_early(run.output, input_paths(sources or [], *named.values(), [run.rules, *reads]))
    ledgers = read(sources or [], rules=run.rules, kinds=kinds, month=month, force_kind=force_kind,
                   sheets=sheets, jobs=run.jobs, **named)
    for note in ledgers.notes:
        print_note(note, quiet=run.quiet)
    if check:
        ledgers.require_clean(run.skip_invalid)
        print_problems(ledgers.log, quiet=run.quiet)
    return ledgers


def print_found(result: Result, run: Run) -> None:
    """The notes and warnings the computation met."""
    for note in result.notes:
        print_note(note, quiet=run.quiet)
    if result.found:
        log = ProblemLog()
        log.extend(result.found)
        print_problems(log, quiet=run.quiet)


def write_result(result: Result, ledgers: Ledgers, run: Run, **view: object) -> None:
    """Write the result where ``-o`` says and, with ``--skip-invalid``, the rejected rows beside it."""
    target = run.output
    if target is None:
        return
    for warning in result.write(target, lang=run.lang, mask=run.mask, raw_csv=run.raw_csv, jobs=run.jobs, **view):
        print_note(f"warning: {warning}", quiet=run.quiet)
    if target != "-":
        print_note(f"wrote {target}", quiet=run.quiet)
    if target == "-":
        return
    path = rejected_target(target)
    if run.skip_invalid and ledgers.split.has_row_errors:
        ledgers.write_rejected(path, raw_csv=run.raw_csv)
        print_note(f"wrote the rejected rows with their reasons to {path}", quiet=run.quiet)
    elif remove_stale(path):
        print_note(f"removed {path}, left by an earlier run: no row was rejected this time", quiet=run.quiet)


def print_accounting(ledgers: Ledgers, quiet: bool) -> None:
    """``read N, used U, rejected R`` per ledger and in total (stderr)."""
    for kind, acc in ledgers.split.accounting.items():
        ledger = ledgers.inputs.ledgers[kind]
        extra = []
        if ledger.totals:
            extra.append(f"{ledger.totals} totals row(s) not counted as data")
        if ledger.blank:
            extra.append(f"{ledger.blank} blank row(s)")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        print_note(acc.line() + suffix, quiet=quiet)
    if len(ledgers.split.accounting) > 1:
        print_note(ledgers.split.totals().line(), quiet=quiet)


def problems_json(log: ProblemLog) -> str:
    """The problems as a JSON list of objects with stable codes."""
    records = [p.as_dict() for p in log.records()]
    return visible_json(json.dumps(records, ensure_ascii=False, indent=2)) + "\n"


def rejected_target(target: str) -> Path:
    """Where rejected rows go: ``out.xlsx`` -> ``out.rejected.csv``."""
    return side_file(target)


def check_output_early(target: str | None, inputs: list[Path]) -> None:
    """Validate the output target before reading anything: its extension, that it can be written, and that
    neither it nor its rejected-rows file is something the command reads (``io.targets``)."""
    if target is None:
        return
    output_format(target)
    check_outputs([target], inputs)


def input_paths(*groups: Iterable[str | Path | None]) -> list[Path]:
    """Every path named on the command line that the command reads (folders whole), for the overwrite check."""
    return read_paths(*groups)


def stream_for_report(target: str | None):
    """Where a JSON problem report goes: stdout, unless stdout carries the data."""
    return sys.stderr if target == "-" else sys.stdout
