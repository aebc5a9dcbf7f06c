"""``branchkit report``: the month-end pack, or the quarterly customer-relationship analysis (DOMAIN §7)."""

from __future__ import annotations

import re
from typing import Annotated, Optional

import typer

from branchkit.cli.app import Command, app
from branchkit.cli.common import print_accounting, print_found, read_ledgers, write_result
from branchkit.cli.options import LEDGER_COMMAND, LedgersArg, Run, command
from branchkit.errors import UsageError
from branchkit.core.history import check_month

ReportMonthOpt = Annotated[Optional[str], typer.Option(
    "--month", metavar="YYYY-MM", help="The month of the month-end pack, YYYY-MM.", show_default=False)]
QuarterOpt = Annotated[Optional[str], typer.Option(
    "--quarter", metavar="YYYYQn", help="The quarterly CRM analysis instead, YYYYQn (e.g. 2026Q3), from the month-end customer "
    "snapshots in DIR/history (客户清单_YYYY-MM.xlsx): the previous quarter's last month and this quarter's "
    "months.", show_default=False)]


@app.command("report", cls=Command)
@command(*LEDGER_COMMAND)
def report_command(
    ledgers: LedgersArg = None,
    month: ReportMonthOpt = None,
    quarter: QuarterOpt = None,
    *,
    run: Run,
) -> None:
    """The month-end pack for one branch or a network: one self-contained HTML report or one workbook.

    Runs validation, allocation, staffing, plan adherence and scoring on the ledgers in DIR (the same
    numbers as allocate, staff, plan and score run alone) and writes a cover with the data quality, the
    network totals and branch comparison, then per branch: customers by type and tier, keeper coverage and
    load, changes since last month, staffing, plan adherence, overdue visits, scorecards and pay. A part
    whose ledgers are absent is left out with a note naming them. csv/json carry the branch comparison.
    --quarter YYYYQn writes the quarterly analysis (客户关系管理季度分析报告) from month-end snapshots.
    Exit 0: done; 1: the data has errors (nothing written); 2: bad usage or input.

    Example: branchkit report --month 2026-10 sample_data/ -o 月报.html
    """
    sources = ledgers or []
    _check_usage(sources, month, quarter, run.output)
    if quarter is not None:
        read = read_ledgers(run, sources, kinds={"staff", "visits"})
        result = read.quarter(quarter, skip_invalid=run.skip_invalid)
    else:
        read = read_ledgers(run, sources, month=month)
        result = read.report(month, jobs=run.jobs)
    write_result(result, read, run)
    print_found(result, run)
    print_accounting(read, run)


def _check_usage(sources: list[str], month: str | None, quarter: str | None, output: str | None) -> None:
    if (month is None) == (quarter is None):
        raise UsageError("give either --month YYYY-MM (the month-end pack) or --quarter YYYYQn (the quarterly "
                         "analysis)")
    if month is not None:
        check_month(month)
    if quarter is not None and not re.fullmatch(r"\d{4}Q[1-4]", quarter.upper()):
        raise UsageError(f"--quarter {quarter!r}: give the quarter as YYYYQn, e.g. 2026Q3")
    if not sources:
        raise UsageError("give the folder (or workbooks) holding the ledgers, e.g. branchkit report --month "
                         "2026-10 sample_data/ -o 月报.html")
    if output is None:
        raise UsageError("give the output with -o: report.html, report.xlsx, or .csv/.json for the branch table")
