"""The Typer application, the error boundary and the entry point."""

from __future__ import annotations

import os
import re
import sys
from concurrent.futures.process import BrokenProcessPool
from typing import Annotated, Any, Callable

import typer
from typer.core import TyperCommand

from branchkit import __version__, memory, progress, shutdown
from branchkit.cli import summary
from branchkit.console import Activity, print_error, print_problems
from branchkit.errors import BranchkitError, DataError
from branchkit.io import tempfiles


class Command(TyperCommand):
    """A command whose help shows each argument's metavar (LEDGERS, FILE) without Typer's Python type
    (``<list[str]>``) beside it."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        inner = ctx.make_formatter()
        super().format_options(ctx, inner)
        formatter.write_paragraph()
        formatter.write(_PY_TYPE.sub(lambda m: " " * len(m.group(0)), inner.getvalue()))


_PY_TYPE = re.compile(r" <(?:list\[[a-z]+\]|str|path|dir|file)>")

app = typer.Typer(
    name="branchkit",
    help="Read bank-branch ledgers as they are kept, validate them, and compute the month: "
    "keepers, staffing, plans, scorecards and reports.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"branchkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """branchkit: the month of a bank branch, from its own ledgers."""


def guard(call: Callable[[], Any], run: Any, command: str = "") -> Any:
    """Run a command: branchkit errors become one stderr line and an exit code (traceback with --debug).

    ``run`` carries ``quiet``, ``verbose``, ``debug`` and ``summary`` (``cli.options.Run``). A
    ``DataError`` prints the problems behind it first. With ``--summary``, what the run did is written
    on every way out, with its exit status.
    """
    token = summary.start(command) if getattr(run, "summary", None) else None
    status, error = 0, None
    try:
        return _guarded(call, run)
    except typer.Exit as exc:
        status = exc.exit_code
        raise
    except BaseException as exc:
        status = 130 if isinstance(exc, KeyboardInterrupt) else 2
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if token is not None:
            summary.finish(token, run.summary, status, error if status else None)


def _guarded(call: Callable[[], Any], run: Any) -> Any:
    quiet = bool(getattr(run, "quiet", False))
    debug = bool(getattr(run, "debug", False)) or os.environ.get("BRANCHKIT_DEBUG") == "1"
    try:
        with Activity(quiet=quiet) as activity:
            previous = progress.listen(activity)
            try:
                return call()
            finally:
                progress.listen(previous)
    except (typer.Exit, typer.Abort):
        raise
    except BrokenPipeError:
        _quiet_broken_pipe()
    except BranchkitError as exc:
        if debug:
            raise
        if isinstance(exc, DataError) and exc.log is not None:
            record = summary.current()
            if record is not None:
                record.add_problems(exc.log)
            print_problems(exc.log, quiet=quiet, verbose=bool(getattr(run, "verbose", False)))
        _failed(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _failed("interrupted")
        raise typer.Exit(130) from None
    except MemoryError:
        if debug:
            raise
        _failed("out of memory: the input is too large for this machine")
        raise typer.Exit(2) from None
    except BrokenProcessPool:
        # A worker of --jobs ended without a word: killed, most often by the system for want of memory (the
        # kernel's OOM killer sends SIGKILL), not a fault of the data or a bug to report.
        if debug:
            raise
        _failed("a worker process of --jobs ended abruptly (killed, perhaps by the system for want of memory); "
                "nothing was written: run again, with fewer --jobs or on a machine with more memory")
        raise typer.Exit(2) from None
    except Exception as exc:  # a bug: say so plainly, never a traceback by default
        if debug:
            raise
        _failed(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for details)")
        raise typer.Exit(2) from None


def _failed(message: str) -> None:
    """The error line, kept for the run's summary too."""
    record = summary.current()
    if record is not None:
        record.error = message
    print_error(message)


def _quiet_broken_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as Unix tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    raise typer.Exit(0)


def main() -> None:
    """Console-script entry point (it ends the process: ``shutdown.leave``)."""
    shutdown.standard_streams()
    memory.tune()
    tempfiles.remove_on_signals()
    code: object = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        if code == 2:
            summary.usage_failure(sys.argv[1:])
    except BrokenPipeError:
        try:
            _quiet_broken_pipe()
        except typer.Exit as exc:
            code = exc.exit_code
    shutdown.leave(code)
