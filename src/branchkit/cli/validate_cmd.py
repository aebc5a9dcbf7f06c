"""``branchkit validate``: read ledgers, report every problem, write the cleaned ledger."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import typer

from branchkit.cli.app import Command, app
from branchkit.cli.common import print_accounting, problems_json, read_ledgers, stream_for_report, write_result
from branchkit.cli.options import Run, command
from branchkit.console import print_problems
from branchkit.errors import DataError
from branchkit.models.ledgers import LEDGERS
from branchkit.views.cleaned import cleaned_result


@app.command("validate", cls=Command)
@command("output", "skip_invalid", "rules", "lang", "mask", "raw_csv", "summary", "quiet", "verbose", "debug")
def validate_command(
    files: Annotated[list[str], typer.Argument(help="Ledger files or folders; '-' reads CSV from stdin.",
                                               show_default=False, metavar="FILES")],
    kind: Annotated[Optional[str], typer.Option("--kind", metavar="KIND", help="Force the ledger kind of every sheet: "
                                                + ", ".join(LEDGERS) + ".", show_default=False)] = None,
    sheet: Annotated[Optional[list[str]], typer.Option("--sheet", metavar="NAME", help="Read only this sheet (repeat for "
                                                       "several).", show_default=False)] = None,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="Problem report format.")] = "text",
    *,
    run: Run,
) -> None:
    """Read ledgers as they are, report every problem, and cross-check ledgers given together.

    Each problem names the file, sheet, the row number as Excel shows it, the column, the value
    and what was expected. Exit 0: clean; 1: the data has errors; 2: unreadable input or bad usage.

    Example: branchkit validate 客户清单.xlsx 员工.xlsx --format json
    """
    from branchkit.core.report import every_need     # what every command needs: imported by this one alone

    ledgers = read_ledgers(run, files, force_kind=kind, sheets=sheet, check=False)
    ledgers.check_needs(every_need(ledgers.rules), advisory=True)      # what each command would miss
    if fmt == "json":
        stream_for_report(run.output).write(problems_json(ledgers.log))
    else:
        print_problems(ledgers.log, quiet=run.quiet, verbose=run.verbose)
    print_accounting(ledgers, run)
    if run.output is None:
        if ledgers.split.has_blocking or (ledgers.split.has_row_errors and not run.skip_invalid):
            raise typer.Exit(1)
        return
    try:
        ledgers.require_clean(run.skip_invalid)
    except DataError as exc:               # its problems are listed above already
        raise DataError(exc.message) from None
    write_result(cleaned_result(ledgers, run.output), ledgers, run)
