"""``--summary FILE.json``: what a run did, for batch scripts.

One JSON object per run: the command, its exit status (and the error line when it failed), per ledger
the rows read, used and rejected, the problems by code and severity with their count and first
example, the parts left out and why, and the files written. It is written on every way out, failures
included, so a script over many branches can tell what happened to each without parsing stderr.
"""

from __future__ import annotations

import contextvars
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from branchkit import __version__
from branchkit.console import problem_groups
from branchkit.io.output import atomic_path
from branchkit.problems import ProblemLog

_CURRENT: contextvars.ContextVar["RunSummary | None"] = contextvars.ContextVar("summary", default=None)


@dataclass
class RunSummary:
    """What one command run did; the CLI records into it as it goes (``current()``)."""

    command: str
    exit_status: int = 0
    error: str | None = None
    ledgers: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    _logs: list[ProblemLog] = field(default_factory=list, repr=False)
    #: The summary's own file was checked against everything the run reads (``cli.common``).
    _cleared: bool = field(default=False, repr=False)

    def clear_target(self) -> None:
        """The target passed the check against the run's inputs: it may be written, even over a file."""
        self._cleared = True

    def add_ledgers(self, ledgers: Any) -> None:
        """Rows read, used and rejected per ledger kind of a ``session.Ledgers``."""
        for row in ledgers.accounting.to_dict("records"):
            sources = ledgers.inputs.ledgers[row["ledger"]].sources
            files = sorted({Path(s.file).name + (f" [{s.sheet}]" if s.sheet else "") for s in sources})
            self.ledgers.append({**{k: (int(v) if k != "ledger" else v) for k, v in row.items()}, "files": files})

    def add_problems(self, log: ProblemLog) -> None:
        """Problems to count (each log once)."""
        if all(log is not seen for seen in self._logs):
            self._logs.append(log)

    def add_output(self, path: str | Path) -> None:
        self.outputs.append(str(path))

    def add_left_out(self, part: str, needs: list[str], reasons: list[str]) -> None:
        self.left_out.append({"part": part, "needs": list(needs), "reasons": list(reasons)})

    def as_dict(self) -> dict[str, Any]:
        """The JSON object: problems counted by code and severity over every log recorded."""
        merged = ProblemLog()
        for log in self._logs:
            merged.merge(log)
        frame = merged.distinct()
        problems = [{"code": code, "severity": severity, "count": count, "first": {
            k: v for k, v in asdict(first).items() if k in ("file", "sheet", "row", "column", "message")}}
            for severity, code, count, first in problem_groups(frame)] if len(frame) else []
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        totals = {key: sum(row[key] for row in self.ledgers) for key in ("read", "used", "rejected")}
        return {"branchkit": __version__, **data, "problems": problems, "totals": totals}


def current() -> RunSummary | None:
    """The summary of the run in progress, if ``--summary`` asked for one."""
    return _CURRENT.get()


def start(command: str) -> contextvars.Token:
    """Record this run from now on."""
    return _CURRENT.set(RunSummary(command))


def finish(token: contextvars.Token, target: str, exit_status: int, error: str | None) -> None:
    """Write the summary of the run (``-``: stdout) and stop recording."""
    summary = _CURRENT.get()
    _CURRENT.reset(token)
    if summary is None:
        return
    summary.exit_status = exit_status
    summary.error = error or summary.error
    text = json.dumps(summary.as_dict(), ensure_ascii=False, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _write(Path(target), text, summary._cleared)


def _write(path: Path, text: str, cleared: bool) -> None:
    """Write a summary, atomically. Before the run's inputs were known (``cleared`` False) it replaces only
    an earlier summary (a stale one would tell a batch script the last run's status), never another file."""
    global _written
    _written = True
    if not cleared and path.exists() and not _is_summary(path):
        return        # the run stopped before its inputs were known: never risk writing over one of them
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError:
        pass          # the run's own error (if any) has been said; a summary that cannot be written adds none


def _is_summary(path: Path) -> bool:
    """Whether ``path`` is a summary branchkit wrote (its first key names branchkit's version)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return path.is_file() and head.replace(b" ", b"").replace(b"\n", b"").startswith(b'{"branchkit":')


#: Whether a summary was written in this process (``usage_failure`` writes one only if not).
_written = False


def usage_failure(argv: list[str]) -> None:
    """The command line could not be parsed (a missing or bad option: exit 2 before the command ran): the
    ``--summary`` it names, if any, still gets the run's exit status, so a batch script sees the failure."""
    if _written:
        return
    target = None
    for i, arg in enumerate(argv):
        if arg == "--summary" and i + 1 < len(argv):
            target = argv[i + 1]
        elif arg.startswith("--summary="):
            target = arg.split("=", 1)[1]
    if not target:
        return
    command = next((a for a in argv if not a.startswith("-")), "")
    data = {"branchkit": __version__, **{k: v for k, v in asdict(RunSummary(command)).items()
                                          if not k.startswith("_")},
            "exit_status": 2, "error": "usage error: the command line could not be read (its message is on stderr)",
            "totals": {"read": 0, "used": 0, "rejected": 0}}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write(Path(target), text, False)
