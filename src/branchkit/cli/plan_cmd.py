"""``branchkit plan``: the monthly Gantt plans held against the visit records (DOMAIN §5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

import pandas as pd
import typer

from branchkit.cli.app import Command, app
from branchkit.cli.common import print_accounting, print_found, read_ledgers, write_result
from branchkit.cli.options import (
    CustomersOpt, LEDGER_COMMAND, LedgersArg, PlanOpt, Run, StaffOpt, VisitsOpt, command,
)
from branchkit.console import print_note
from branchkit.core.history import check_month

_KINDS = {"plan", "visits", "staff", "customers"}
PlanMonthOpt = Annotated[Optional[str], typer.Option(
    "--month", metavar="YYYY-MM", help="The month, YYYY-MM (default: the month the plans state in a title such as 2026年10月).",
    show_default=False)]
AsOfOpt = Annotated[Optional[dt.datetime], typer.Option(
    "--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Count planned days up to this date (default: the month's last "
    "day); later days are 'not yet due'. Also the date overdue customers are judged on.", show_default=False)]
TableOpt = Annotated[Literal["plan", "managers", "days", "completeness", "overdue"], typer.Option(
    "--table", help="The table csv/json carry: plan (manager x customer), managers, days (the Gantt's cells), "
    "completeness (visit records), overdue (customers overdue for a visit).")]


@app.command("plan", cls=Command)
@command(*LEDGER_COMMAND)
def plan_command(
    ledgers: LedgersArg = None,
    plan: PlanOpt = None,
    visits: VisitsOpt = None,
    staff: StaffOpt = None,
    customers: CustomersOpt = None,
    month: PlanMonthOpt = None,
    as_of: AsOfOpt = None,
    table: TableOpt = "plan",
    *,
    run: Run,
) -> None:
    """Hold the monthly Gantt plans (甘特图) against the visit records (拜访记录).

    Per manager and customer: days planned, done on time, slipped (and kept on the new date),
    missed, visits without a plan, adherence; visit-record completeness; customers overdue for a
    visit by their tier's cadence. The xlsx redraws each manager's Gantt with coloured cells.

    Example: branchkit plan --plan 甘特图.xlsx --visits 拜访记录.xlsx --staff 员工.xlsx --month 2026-10 -o plan.xlsx
    """
    if month is not None:
        check_month(month)
    named = {"plan": plan, "visits": visits, "staff": staff, "customers": customers}
    read = read_ledgers(run, ledgers, named, kinds=_KINDS, month=month)
    result = read.plan(month, as_of=as_of, table=table)
    write_result(result, read, run)
    print_found(result, run)
    if run.output is None:
        _summary(result.value.managers, run.quiet)
    print_accounting(read, run)


def _summary(managers: pd.DataFrame, quiet: bool) -> None:
    """Without -o, one line per manager on stderr."""
    for row in managers.itertuples(index=False):
        rate = "-" if pd.isna(row.adherence) else f"{row.adherence:.1%}"
        print_note(f"{row.staff_name}: planned {row.planned}, done on time {row.done_on_time}, slipped "
                   f"{row.slipped} (kept {row.slip_kept}), missed {row.missed}, unplanned {row.unplanned}, "
                   f"adherence {rate}", quiet=quiet)
