"""Terminal output for the CLI: diagnostics on stderr, never data on stdout.

Every line this module prints goes through ``visible``: a ledger cell or a file name holding control
characters (``ESC[2J`` clears the screen, ``ESC]0;...BEL`` sets the window title) or characters that
reorder text is printed with those characters written out (``\\x1b``), never sent to the terminal.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from typing import TYPE_CHECKING

import pandas as pd

from branchkit.problems import Problem, ProblemLog

# rich is imported when a first line is printed, rich.progress where a terminal shows progress: a quiet
# command (-q, as the benchmarks run it) that prints nothing never imports them (measured in the commit).
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn


def _escapes(keep: str) -> dict[int, str]:
    """A ``str.translate`` table writing out C0 and C1 control characters, DEL, the bidirectional
    marks and the line separators, except those in ``keep``."""
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    codes = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
             *range(0x2066, 0x206A), 0x2028, 0x2029]
    return {c: named.get(chr(c), f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
            for c in codes if chr(c) not in keep}


_ONE_LINE = _escapes("")
_LINES = _escapes("\n")
_JSON = {c: f"\\u{c:04x}" for c in _escapes("") if c >= 0x7F}     # json.dumps writes C0 out already


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` safe for a terminal: control characters written out as ``\\x1b``, ``\\n``...;
    ``lines`` keeps line breaks (a multi-line text such as ``score --explain``)."""
    return text.translate(_LINES if lines else _ONE_LINE)


def visible_json(text: str) -> str:
    """JSON text safe for a terminal: DEL, C1 controls and bidirectional marks as ``\\u`` escapes (the
    same string to a JSON reader)."""
    return text.translate(_JSON)


def print_text(text: str) -> None:
    """A report for people on stdout (the ranking, ``--explain``), its control characters written out."""
    sys.stdout.write(visible(text, lines=True))
    sys.stdout.flush()


def _escape(text: str) -> str:
    """``text`` as rich markup that shows it as it is (``[`` escaped)."""
    from rich.markup import escape as markup_escape

    return markup_escape(text)


@functools.cache
def _stderr_console() -> type[Console]:
    """The class of the stderr console (made on first use, with rich)."""
    from rich.console import Console

    class Stderr(Console):
        """A stderr console for which a reader gone away (``2>&1 | head -1``) is no reason to stop: the run
        goes on (its output is a file) and says nothing more; rich's own console would exit with 1."""

        def on_broken_pipe(self) -> None:
            self.quiet = True
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stderr.fileno())

    return Stderr


#: The console of the progress line while one is shown: messages go through it, so rich clears the
#: line, prints the message above it and draws it again (a second console would glue them together).
_ACTIVE: Console | None = None


def err_console() -> Console:
    """The stderr console: the progress line's while it is shown, else one on the current stderr (tests
    swap it). rich leaves colour out when stderr is not a terminal or NO_COLOR is set."""
    if _ACTIVE is not None:
        return _ACTIVE
    return _stderr_console()(stderr=True, highlight=False, soft_wrap=True)


def _emit(text: str) -> None:
    """One line of rich markup on stderr; a stderr that is gone (``2>&1 | head -1``) costs nothing."""
    try:
        err_console().print(text)
    except (BrokenPipeError, OSError, ValueError):
        pass


def print_error(message: str) -> None:
    """One line: ``error: <message>``."""
    _emit(f"[bold red]error:[/] {_escape(visible(message))}")


def print_note(message: str, *, quiet: bool = False) -> None:
    """An informational line on stderr (suppressed by --quiet)."""
    if not quiet:
        _emit(_escape(visible(message)))


def print_problems(log: ProblemLog, *, quiet: bool = False, verbose: bool = False, limit: int = 1000) -> None:
    """The problems on stderr: one line per code and severity, with the count and the first example;
    every problem, one line each, with ``verbose`` (up to ``limit``). ``quiet`` shows the errors only.
    The severity is always a word, so it reads without colour."""
    frame = log.distinct()
    if quiet:
        frame = frame[frame["severity"] == "error"]
    if frame.empty:
        return
    if verbose:
        _problem_lines(log.records(limit=limit, errors_only=quiet))
        if len(frame) > limit:
            _emit(f"... and {len(frame) - limit} more (use --format json, or validate -o, to get them all)")
        return
    for severity, code, count, first in problem_groups(frame):
        where = first.location() if first.file else ""
        value = f" value {first.value!r}" if first.value not in (None, "") else ""
        example = f"{where}{value}: {first.message}" if where or value else first.message
        many = f" ({count} times; the first: {example})" if count > 1 else f": {example}"
        style = "red" if severity == "error" else "yellow"
        _emit(f"[{style}]{severity}[/]: {_escape(visible(code))}{_escape(visible(many))}")
    if len(frame) > len({(s, c) for s, c, _, _ in problem_groups(frame)}):
        _emit("(--verbose lists every problem; --format json or validate -o gives them to a program)")


def problem_groups(frame) -> list[tuple[str, str, int, Problem]]:
    """Problems (a ``ProblemLog.distinct`` frame) per severity and code, errors first: the count and
    the first in file order."""
    groups = []
    for (severity, code), part in frame.groupby(["severity", "code"], sort=False):
        groups.append((severity, code, len(part), _record(part.iloc[0])))
    return sorted(groups, key=lambda g: (g[0] != "error", g[1]))


def _record(row: pd.Series) -> Problem:
    return Problem(code=row["code"], message=row["message"], file=_opt(row["file"]), sheet=_opt(row["sheet"]),
                   row=None if pd.isna(row["row"]) else int(row["row"]), column=_opt(row["column"]),
                   value=_opt(row["value"]), severity=row["severity"])


def _opt(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


def _problem_lines(records: list[Problem]) -> None:
    for p in records:
        value = f" value {p.value!r}" if p.value not in (None, "") else ""
        style = "red" if p.severity == "error" else "yellow"
        _emit(f"[{style}]{p.severity}[/]: " + _escape(visible(f"{p.location()}: {p.code}:{value} {p.message}")))


def is_terminal() -> bool:
    """Whether stderr is an interactive terminal (progress bars only then)."""
    return sys.stderr.isatty()


def _count_column() -> ProgressColumn:
    """A column showing ``done/total`` when the stage knows its total, nothing otherwise (never ``0/?``)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Count(ProgressColumn):
        def render(self, task) -> Text:
            return Text("" if task.total is None else f"{int(task.completed)}/{int(task.total)}")

    return Count()


def _spinner(console: Console) -> str:
    """Braille dots where the terminal's encoding has them, else ASCII (a GBK console)."""
    try:
        "⠏━".encode(console.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "line"
    return "dots"


class Activity:
    """A transient progress line on stderr while a command works (a ``progress`` listener).

    Shown only when stderr is a terminal, not with ``--quiet``, and only once the work has taken more
    than ``delay`` seconds; messages printed meanwhile appear above it (they go through its console),
    and it disappears when the command ends, so what stays on screen is the command's own output.
    """

    def __init__(self, quiet: bool, delay: float = 1.0) -> None:
        self.enabled = not quiet and is_terminal()
        self.delay = delay
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._timer: threading.Timer | None = None
        self._started = False
        self._task = None

    def __enter__(self) -> Activity:
        global _ACTIVE
        if self.enabled:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = _stderr_console()(stderr=True, highlight=False, soft_wrap=True)
            self._progress = Progress(SpinnerColumn(_spinner(console)), TextColumn("{task.description}"),
                                      BarColumn(), _count_column(), TimeElapsedColumn(), console=console,
                                      transient=True)
            self._task = self._progress.add_task("working", total=None)
            _ACTIVE = console
            self._timer = threading.Timer(self.delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _start(self) -> None:
        with self._lock:
            if self._progress is not None and not self._started:
                self._progress.start()
                self._started = True

    def step(self, description: str, total: int | None = None) -> None:
        if self._progress is not None:
            self._progress.reset(self._task, description=_escape(visible(description)), total=total, completed=0)

    def advance(self, count: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, count)

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._progress is not None and self._started:
                with contextlib.suppress(OSError, ValueError):
                    self._progress.stop()
            self._progress = None
            _ACTIVE = None
