"""``branchkit allocate``: one keeper for every customer (包户包效), owners for targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from branchkit.cli.app import Command, app
from branchkit.cli.common import input_paths, print_accounting, print_found, read_ledgers, write_result
from branchkit.cli.options import (
    ClaimsOpt, CustomersOpt, DryRunOpt, LEDGER_COMMAND, LedgersArg, PreviousOpt, Run, StaffOpt, command,
)
from branchkit.console import print_note, print_text
from branchkit.core.allocate import Allocation
from branchkit.core.history import check_month, extend_history
from branchkit.core.reasons import message
from branchkit.errors import UsageError
from branchkit.io.history import read_history, write_history
from branchkit.io.output import output_format
from branchkit.io.targets import check_outputs
from branchkit.results import Allocated
from branchkit.views.allocate import summary_lines
from branchkit.views.allocation_compare import compare_summary

KINDS = ("customers", "staff", "claims", "previous")
CompareOpt = Annotated[Optional[Path], typer.Option(
    "--compare", dir_okay=False, show_default=False, metavar="FILE",
    help="What-if: rules (TOML) merged over this run's rules; shows who would change keeper, tier or scope, "
         "and the load change per keeper. The ledgers are read once; csv/json carry the changed customers.")]
ExplainOpt = Annotated[Optional[str], typer.Option(
    "--explain", metavar="CUSTOMER_ID", show_default=False,
    help="Print this customer's allocation step by step, with the ledger rows (file, sheet, row) behind it, "
         "to stdout.")]
RebalanceOpt = Annotated[Optional[int], typer.Option(
    "--rebalance", min=0, metavar="N", show_default=False,
    help="Move at most N kept customers per branch to even out the weighted load within pools of equal-rank "
         "staff (exact, HiGHS), and show the frontier (moves -> spread); 0 shows the frontier alone. "
         "Default: allocation.rebalance of the rules (0: off).")]


@app.command("allocate", cls=Command)
@command(*LEDGER_COMMAND)
def allocate_command(
    ledgers: LedgersArg = None,
    customers: CustomersOpt = None,
    staff: StaffOpt = None,
    claims: ClaimsOpt = None,
    previous: PreviousOpt = None,
    month: Annotated[Optional[str], typer.Option(
        "--month", metavar="YYYY-MM", help="The month allocated, YYYY-MM: the report's subtitle and the history's dates. "
        "Required with --history.", show_default=False)] = None,
    history: Annotated[Optional[Path], typer.Option(
        "--history", metavar="FILE", help="Assignment history CSV (customer_id, keeper, from, to, reason; months inclusive, "
        "empty 'to' = still keeps): read if it exists, extended with this month, written atomically.",
        dir_okay=False, show_default=False)] = None,
    keeper_ledgers: Annotated[bool, typer.Option(
        "--ledgers/--no-ledgers", help="One ledger book (台账) sheet per keeper in the xlsx output.")] = True,
    books: Annotated[Optional[str], typer.Option(
        "--books", metavar="FILE", help="Also write every keeper's ledger book (台账: cover, contents, weekly report "
        "form, customer basic information, follow-up record) to this .html file, to print and bind: each book "
        "from a new page, A4 landscape.", show_default=False)] = None,
    rebalance: RebalanceOpt = None,
    compare_rules: CompareOpt = None,
    explain_id: ExplainOpt = None,
    dry_run: DryRunOpt = False,
    *,
    run: Run,
) -> None:
    """Give every existing customer exactly one keeper (1对N) and every target customer an owner.

    Current keepers (last month's --previous, else the ledger's 管户人) stay unless they left, changed
    role or break a hard rule; claims win by role priority (equal ones are listed as conflicts); the rest is
    distributed by tier and role within capacity, balancing weighted load. Every customer without keeper
    carries a reason code. The summary (customers in = allocated + unplaced + out of scope + rejected, load
    spread per role) goes to stderr; --dry-run prints it and the changes and writes nothing.

    Example: branchkit allocate ledgers/ --month 2026-10 --history 维护历史.csv -o 分配.xlsx
    """
    named = {"customers": customers, "staff": staff, "claims": claims, "previous": previous}
    sources = [*(ledgers or []), *(p for group in named.values() for p in (group or [])), run.rules]
    _check_options(run, history, month, sources, dry_run, books)
    if explain_id is not None and run.output == "-":
        raise UsageError("--explain prints to stdout, and so does -o -; write the output to a file")
    read = read_ledgers(run, ledgers, named, kinds=KINDS, month=month,
                        reads=[history, compare_rules])   # the history too
    result = read.allocate(month=month, rebalance=rebalance, compare=compare_rules, jobs=run.jobs)
    if explain_id is not None:
        print_text(read.explain(explain_id, rebalance=rebalance, lang=run.lang or "zh"))
    if dry_run:                 # what a dry run is for: on stdout, -q or not
        print_found(result, run)
        print_text("\n".join([*summary_lines(result.value, result.counts), *_changes(result.value)]) + "\n")
        print_note("dry run: nothing written", quiet=run.quiet)
        print_accounting(read, run)
        return
    write_result(result, read, run, keeper_ledgers=keeper_ledgers)
    if books is not None:
        count, pages = result.write_books(books, lang=run.lang, mask=run.mask)
        print_note(f"wrote {books}: {count} ledger book(s), {pages} page(s)", quiet=run.quiet)
    print_found(result, run)
    if history is not None:
        write_history(history, extend_history(read_history(history), result.value.allocation,
                                              result.value.changes, month))
        print_note(f"extended the assignment history {history} with {month}", quiet=run.quiet)
    _print_summary(result, run.quiet)
    print_accounting(read, run)


def _check_options(run: Run, history: Path | None, month: str | None, sources: list, dry_run: bool,
                   books: str | None) -> None:
    if books is not None:
        if books == "-" or output_format(books) != "html":
            raise UsageError(f"--books {books}: the ledger books are written as one .html file, e.g. --books 台账.html")
        if not dry_run:
            check_outputs([books], input_paths(sources), side_files=False)
    if month is not None:
        check_month(month)
    if history is not None:
        if month is None:
            raise UsageError("--history needs --month YYYY-MM: the month this allocation is for")
        if not dry_run:
            check_outputs([history], input_paths(sources), side_files=False)


def _print_summary(result: Allocated, quiet: bool) -> None:
    comparison = [compare_summary(result.comparison)] if result.comparison is not None else []
    for line in summary_lines(result.value, result.counts) + comparison:
        print_note(line, quiet=quiet)


def _changes(result: Allocation) -> list[str]:
    changes = result.changes
    lines = [f"changes ({len(changes)}):"]
    for row in changes.itertuples(index=False):
        old = row.previous_keeper if isinstance(row.previous_keeper, str) else "-"
        new = row.keeper if isinstance(row.keeper, str) else "-"
        lines.append(f"  {row.branch or ''} {row.customer_id} {row.name}: {old} -> {new} ({message(row.reason, 'en')})")
    return lines
