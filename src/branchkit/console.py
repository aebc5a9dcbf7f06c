"""Terminal output for the CLI: diagnostics on stderr, never data on stdout.

Every line this module prints goes through ``visible``: a ledger cell or a file name holding control
characters (``ESC[2J`` clears the screen, ``ESC]0;...BEL`` sets the window title) or characters that
reorder text is printed with those characters written out (``\\x1b``), never sent to the terminal.
"""

from __future__ import annotations

import sys
import threading
from functools import lru_cache

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from branchkit.problems import ProblemLog


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


@lru_cache(maxsize=1)
def err_console() -> Console:
    """The stderr console (rich decides colour by whether stderr is a terminal)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _reset() -> None:
    """Forget the cached console (tests swap sys.stderr)."""
    err_console.cache_clear()


def print_error(message: str) -> None:
    """One line: ``error: <message>``."""
    _reset()
    err_console().print(f"[bold red]error:[/] {escape(visible(message))}")


def print_note(message: str, *, quiet: bool = False) -> None:
    """An informational line on stderr (suppressed by --quiet)."""
    if quiet:
        return
    _reset()
    err_console().print(escape(visible(message)))


def print_problems(log: ProblemLog, *, limit: int = 200, quiet: bool = False) -> None:
    """Every problem, one line each: location, code, message (errors first on screen order).

    ``quiet`` (``--quiet``) shows the errors only.
    """
    _reset()
    console = err_console()
    records = log.records(limit=limit, errors_only=quiet)
    if not records:
        return
    if console.is_terminal:
        table = Table(show_lines=False, header_style="bold")
        for column in ("where", "code", "value", "problem"):
            table.add_column(column, overflow="fold")
        for p in records:
            style = "red" if p.severity == "error" else "yellow"
            table.add_row(escape(visible(p.location())), f"[{style}]{escape(visible(p.code))}[/]",
                          escape(visible(p.value or "")), escape(visible(p.message)))
        console.print(table)
    else:
        for p in records:
            value = f" value {p.value!r}" if p.value not in (None, "") else ""
            console.print(escape(visible(f"{p.severity}: {p.location()}: {p.code}:{value} {p.message}")))
    shown = log.distinct()
    hidden = (int((shown["severity"] == "error").sum()) if quiet else len(shown)) - len(records)
    if hidden > 0:
        console.print(f"... and {hidden} more (use --format json or -o to get them all)")


def is_terminal() -> bool:
    """Whether stderr is an interactive terminal (progress bars only then)."""
    return sys.stderr.isatty()


class Activity:
    """A transient progress line on stderr while a command works (a ``progress`` listener).

    Shown only when stderr is a terminal, not with ``--quiet``, and only once
    the work has taken more than ``delay`` seconds; it disappears when the
    command ends, so what stays on screen is the command's own output.
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
        if self.enabled:
            _reset()
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(), console=err_console(),
                                      transient=True)
            self._task = self._progress.add_task("working", total=None)
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
            self._progress.reset(self._task, description=escape(visible(description)), total=total, completed=0)

    def advance(self, count: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, count)

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._progress is not None and self._started:
                self._progress.stop()
            self._progress = None
