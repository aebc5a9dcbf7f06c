"""``branchkit score``: the month's scorecards, bonus split and piece-rate pay, from the raw ledgers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from branchkit.cli.app import Command, app
from branchkit.cli.common import print_accounting, print_found, read_ledgers, write_result
from branchkit.cli.options import (
    AssessmentOpt, CustomersOpt, CustomersStartOpt, DeductionsOpt, LEDGER_COMMAND, LedgersArg, MonthOpt, PoolOpt,
    ReferralsOpt, Run, SalesOpt, StaffOpt, VisitsOpt, WorklogOpt, command,
)
from branchkit.console import print_note, print_text
from branchkit.core.calendar import parse_month
from branchkit.errors import UsageError
from branchkit.results import Scored
from branchkit.rules import load_rules
from branchkit.session import resolve_rules

ExplainOpt = Annotated[Optional[str], typer.Option(
    "--explain", metavar="STAFF_ID", show_default=False,
    help="Print this person's scorecard line by line, with the ledger rows (file, sheet, row) behind each "
         "metric, to stdout.")]
CompareOpt = Annotated[Optional[Path], typer.Option(
    "--compare", dir_okay=False, metavar="FILE", show_default=False,
    help="What-if: rules (TOML) merged over this run's rules; shows per person the change in points and bonus. "
         "The ledgers are read once.")]
AllocationOpt = Annotated[Optional[list[str]], typer.Option(
    "--allocation", show_default=False, metavar="FILE",
    help="The month's allocation (customer -> keeper, e.g. the output of branchkit allocate): its keeper counts "
         "for deposit_up and new_customers where the month-end customer list names none. Only read when given.")]
StatementsOpt = Annotated[bool, typer.Option(
    "--statements/--no-statements", help="A pay statement per person (html page, xlsx sheet).")]


@app.command("score", cls=Command)
@command(*LEDGER_COMMAND)
def score_command(
    ledgers: LedgersArg = None,
    month: MonthOpt = ...,
    customers: CustomersOpt = None,
    customers_start: CustomersStartOpt = None,
    staff: StaffOpt = None,
    visits: VisitsOpt = None,
    referrals: ReferralsOpt = None,
    sales: SalesOpt = None,
    worklog: WorklogOpt = None,
    deductions: DeductionsOpt = None,
    assessment: AssessmentOpt = None,
    pool: PoolOpt = None,
    allocation: AllocationOpt = None,
    explain_id: ExplainOpt = None,
    compare_rules: CompareOpt = None,
    with_statements: StatementsOpt = True,
    *,
    run: Run,
) -> None:
    """Monthly scorecards, points, balanced scorecard, bonus-pool split and piece-rate pay.

    Every metric is counted from the raw ledgers for the month (visits, referrals, month-start and month-end
    customer lists, sales, work logs, deductions); heads and deputies are paid by the 1000-point coefficient,
    everyone else by points; bonuses add up to each branch's pool to the cent. Without -o the ranking is
    printed. Exit 0: done; 1: the data has errors (nothing written); 2: bad usage or unreadable input.

    Example: branchkit score --month 2026-10 ledgers/ -o score.xlsx
    """
    named = {"customers": customers, "customers_start": customers_start, "staff": staff, "visits": visits,
             "referrals": referrals, "sales": sales, "worklog": worklog, "deductions": deductions,
             "assessment": assessment, "pool": pool, "previous": allocation}
    if explain_id is not None and run.output == "-":
        raise UsageError("--explain prints to stdout, and so does -o -; write the output to a file")
    from branchkit.core.metrics import MonthLedgers   # the month's scoring: imported by this command alone

    parse_month(month)
    base, _ = resolve_rules(run.rules, ledgers or [])
    other = load_rules(compare_rules, base=base) if compare_rules is not None else None
    wanted = set(MonthLedgers.kinds()) - (set() if allocation else {"previous"})
    read = read_ledgers(run, ledgers, named, kinds=wanted, month=month, reads=[compare_rules])
    result = read.score(month, compare=other, statements=with_statements, allocation=bool(allocation),
                        jobs=run.jobs)
    if explain_id is not None:
        _explain(result, explain_id, run.lang)
    write_result(result, read, run)
    print_found(result, run)
    _print_results(result, run, explain_id)
    print_accounting(read, run)


def _explain(result: Scored, staff_id: str, lang: str | None) -> None:
    from branchkit.views.explain import explain

    text = explain(result.value, staff_id, lang or "zh")
    if text is None:
        raise UsageError(f"--explain {staff_id}: no one with this staff id is on the staff list")
    print_text(text)


def _print_results(result: Scored, run: Run, explain_id: str | None) -> None:
    from branchkit.views.score import compare_summary, compare_text, counting_notes, ranking_text

    for line in counting_notes(result.value):
        print_note(line, quiet=run.quiet)
    comparison = result.comparison
    if comparison is not None:
        print_note(compare_summary(comparison), quiet=run.quiet)
    if run.output is None and explain_id is None:
        print_text(compare_text(comparison) if comparison is not None else ranking_text(result.value))
