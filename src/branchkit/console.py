"""Terminal output for the CLI: diagnostics on stderr, never data on stdout."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from branchkit.problems import ProblemLog


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
    err_console().print(f"[bold red]error:[/] {escape(message)}")


def print_note(message: str, *, quiet: bool = False) -> None:
    """An informational line on stderr (suppressed by --quiet)."""
    if quiet:
        return
    _reset()
    err_console().print(escape(message))


def print_problems(log: ProblemLog, *, limit: int = 200) -> None:
    """Every problem, one line each: location, code, message (errors first on screen order)."""
    _reset()
    console = err_console()
    records = log.records(limit=limit)
    if not records:
        return
    if console.is_terminal:
        table = Table(show_lines=False, header_style="bold")
        for column in ("where", "code", "value", "problem"):
            table.add_column(column, overflow="fold")
        for p in records:
            style = "red" if p.severity == "error" else "yellow"
            table.add_row(escape(p.location()), f"[{style}]{p.code}[/]", escape(p.value or ""), escape(p.message))
        console.print(table)
    else:
        for p in records:
            value = f" value {p.value!r}" if p.value not in (None, "") else ""
            console.print(escape(f"{p.severity}: {p.location()}: {p.code}:{value} {p.message}"))
    hidden = len(log.distinct()) - len(records)
    if hidden > 0:
        console.print(f"... and {hidden} more (use --format json or -o to get them all)")


def is_terminal() -> bool:
    """Whether stderr is an interactive terminal (progress bars only then)."""
    return sys.stderr.isatty()


@contextmanager
def progress_steps(*, quiet: bool, label: str) -> Iterator[Callable[[str], None]]:
    """A step callback for long multi-part work: a rich progress line on a terminal, else nothing.

    Each call names the step now starting; the bar advances by one per step.
    """
    if quiet or not is_terminal():
        yield lambda _name: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    _reset()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console(), transient=True) as progress:
        task = progress.add_task(label, total=None)

        def step(name: str) -> None:
            progress.update(task, description=f"{label}: {name}")

        yield step
