"""The Typer application, the error boundary and the entry point."""

from __future__ import annotations

import functools
import os
import sys
from typing import Annotated, Any, Callable

import typer

from branchkit import __version__, memory, progress, shutdown
from branchkit.console import Activity, err_console, print_error
from branchkit.errors import BranchkitError

app = typer.Typer(
    name="branchkit",
    help="Read bank-branch ledgers as they are kept, validate them, and compute the month: "
    "keepers, staffing, plans, scorecards and reports.",
    no_args_is_help=True,
    add_completion=False,
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


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn branchkit errors into one stderr line and an exit code (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug")) or os.environ.get("BRANCHKIT_DEBUG") == "1"
        try:
            with Activity(quiet=bool(kwargs.get("quiet"))) as activity:
                previous = progress.listen(activity)
                try:
                    return func(*args, **kwargs)
                finally:
                    progress.listen(previous)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            _quiet_broken_pipe()
        except BranchkitError as exc:
            if debug:
                raise
            print_error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console().print("interrupted")
            raise typer.Exit(130) from None
        except MemoryError:
            if debug:
                raise
            print_error("out of memory: the input is too large for this machine")
            raise typer.Exit(2) from None
        except Exception as exc:  # a bug: say so plainly, never a traceback by default
            if debug:
                raise
            print_error(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for details)")
            raise typer.Exit(2) from None

    return wrapper


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
    memory.tune()
    code: object = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    except BrokenPipeError:
        try:
            _quiet_broken_pipe()
        except typer.Exit as exc:
            code = exc.exit_code
    shutdown.leave(code)
