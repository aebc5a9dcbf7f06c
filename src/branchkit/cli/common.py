"""The steps every command shares: read and check the ledgers, report problems, write outputs."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from branchkit import progress
from branchkit.console import print_note, print_problems
from branchkit.core.checks import cross_check
from branchkit.core.validation import Split, split_rows
from branchkit.errors import DataError
from branchkit.io.discover import Inputs, load_inputs
from branchkit.io.output import WriteOptions, check_target, output_format, write_report
from branchkit.io.tables import Report, Table
from branchkit.problems import ProblemLog
from branchkit.rules import Rules, load_rules


@dataclass
class Session:
    """One command's run: rules, ledgers as read and checked, and what it may use."""

    rules: Rules
    inputs: Inputs
    split: Split
    notes: list[str] = field(default_factory=list)

    @property
    def log(self) -> ProblemLog:
        return self.inputs.log

    def used(self, kind: str) -> pd.DataFrame | None:
        """The usable rows of a ledger kind, or None if it was not given."""
        return self.split.used.get(kind)

    def has(self, kind: str) -> bool:
        return kind in self.split.used


def resolve_rules(rules_path: Path | None, sources: Iterable[str | Path], quiet: bool) -> Rules:
    """The rules: --rules if given, else a rules.toml inside a ledger folder given, else the defaults."""
    if rules_path is not None:
        return load_rules(rules_path)
    for source in sources:
        candidate = Path(source) / "rules.toml" if str(source) != "-" and Path(source).is_dir() else None
        if candidate is not None and candidate.is_file():
            print_note(f"using the rules in {candidate}", quiet=quiet)
            return load_rules(candidate, trusted=False)
    return load_rules(None)


def open_session(rules: Rules, positional: list[str], named: dict[str, list[str]] | None = None, *,
                 force_kind: str | None = None, wanted: set[str] | None = None, quiet: bool = False,
                 report_problems: bool = True, sheets: list[str] | None = None,
                 options: dict[str, object] | None = None, jobs: int = 1) -> Session:
    """Read every ledger, check them together, split usable from rejected rows, report problems.

    ``options`` reach the layout readers (the wide Gantt takes ``month`` from ``--month``); ``jobs``
    processes read a workbook of many sheets.
    """
    inputs = load_inputs(rules, positional, named, force_kind=force_kind, wanted=wanted, sheets=sheets,
                         options=options, jobs=jobs)
    frames = {kind: ledger.frame for kind, ledger in inputs.ledgers.items()}
    progress.step("checking the ledgers together")
    notes = list(inputs.notes) + cross_check(frames, inputs.log)
    inputs.log.apply_severity(dict(rules.validation.severity))
    for kind, frame in frames.items():
        inputs.ledgers[kind].frame = frame
    split = split_rows(frames, inputs.log)
    for note in notes:
        print_note(note, quiet=quiet)
    if report_problems:
        print_problems(inputs.log, quiet=quiet)
    return Session(rules, inputs, split, notes)


def require_clean(session: Session, skip_invalid: bool) -> None:
    """Stop (exit 1) when the ledgers hold errors, unless --skip-invalid may set the bad rows aside."""
    split = session.split
    if split.has_blocking:
        raise DataError(f"the ledgers have {len(split.blocking)} error(s) that no row can be skipped for "
                        "(see above); nothing was written")
    if split.has_row_errors and not skip_invalid:
        total = split.totals()
        raise DataError(f"{total.rejected} row(s) have errors (see above); nothing was written. "
                        "Fix them, or run with --skip-invalid to compute on the valid rows")


def print_accounting(session: Session, quiet: bool) -> None:
    """``read N, used U, rejected R`` per ledger and in total (stderr)."""
    for kind, acc in session.split.accounting.items():
        ledger = session.inputs.ledgers[kind]
        extra = []
        if ledger.totals:
            extra.append(f"{ledger.totals} totals row(s) not counted as data")
        if ledger.blank:
            extra.append(f"{ledger.blank} blank row(s)")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        print_note(acc.line() + suffix, quiet=quiet)
    if len(session.split.accounting) > 1:
        print_note(session.split.totals().line(), quiet=quiet)


def problems_json(log: ProblemLog) -> str:
    """The problems as a JSON list of objects with stable codes."""
    records = [p.as_dict() for p in log.records()]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def write_outputs(target: str | None, report: Report, session: Session, *, lang: str, mask: bool | None,
                  raw_csv: bool, skip_invalid: bool, quiet: bool, jobs: int = 1) -> None:
    """Write the report and, with --skip-invalid, the rejected rows beside it (``jobs``: processes the
    html writer may use)."""
    if target is None:
        return
    options = WriteOptions(lang=lang, mask=mask, raw_csv=raw_csv, inputs=session.inputs.files,
                           max_text_chars=session.rules.input.max_text_chars, jobs=jobs)
    for warning in write_report(target, report, options):
        print_note(f"warning: {warning}", quiet=quiet)
    if target != "-":
        print_note(f"wrote {target}", quiet=quiet)
    if skip_invalid and target != "-" and session.split.has_row_errors:
        rejected_path = rejected_target(target)
        write_report(str(rejected_path), rejected_report(session), WriteOptions(
            lang="en", inputs=session.inputs.files, raw_csv=raw_csv))
        print_note(f"wrote the rejected rows with their reasons to {rejected_path}", quiet=quiet)


def rejected_target(target: str) -> Path:
    """Where rejected rows go: ``out.xlsx`` -> ``out.rejected.csv``."""
    path = Path(target)
    return path.with_name(f"{path.stem}.rejected.csv")


def rejected_report(session: Session) -> Report:
    """Every rejected row of every kind, with file, sheet, row and reasons."""
    parts = []
    for kind, frame in session.split.rejected.items():
        if len(frame):
            part = frame[["_file", "_sheet", "_row", "reasons"]].rename(
                columns={"_file": "file", "_sheet": "sheet", "_row": "row"})
            part.insert(0, "ledger", kind)
            parts.append(part)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["ledger", "file", "sheet", "row", "reasons"])
    table = Table("rejected", frame, "拒绝的行", "Rejected rows")
    from branchkit.io.tables import Section

    return Report("拒绝的行", "Rejected rows", [Section("拒绝的行", "Rejected rows", [table])], "rejected")


def check_output_early(target: str | None, inputs: list[Path]) -> None:
    """Validate the output target before reading anything (bad extension, one of the inputs)."""
    if target is None:
        return
    output_format(target)
    check_target(target, inputs)


def input_paths(*groups: Iterable[str | Path | None]) -> list[Path]:
    """Every input file named on the command line (folders expanded one level), for the overwrite check."""
    out: list[Path] = []
    for group in groups:
        for item in group:
            if item is None or str(item) == "-":
                continue
            path = Path(item)
            out.extend(p for p in path.iterdir() if p.is_file()) if path.is_dir() else out.append(path)
    return out


def stdout_is_data(target: str | None) -> bool:
    """Whether stdout carries the output data (then reports go to stderr)."""
    return target == "-"


def stream_for_report(target: str | None):
    """Where a JSON problem report goes: stdout, unless stdout carries the data."""
    return sys.stderr if stdout_is_data(target) else sys.stdout
