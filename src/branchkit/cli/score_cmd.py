"""``branchkit score``: the month's scorecards, bonus split and piece-rate pay, from the raw ledgers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer

from branchkit.cli.app import app, guarded
from branchkit.cli.common import (
    check_output_early, input_paths, open_session, print_accounting, require_clean, resolve_rules, write_outputs,
)
from branchkit.cli.options import (
    AssessmentOpt, CustomersOpt, CustomersStartOpt, DebugOpt, DeductionsOpt, JobsOpt, LangOpt, LedgersArg, MaskOpt,
    MonthOpt, OutputOpt, PoolOpt, QuietOpt, RawCsvOpt, ReferralsOpt, RulesOpt, SalesOpt, SkipInvalidOpt, StaffOpt,
    VisitsOpt, WorklogOpt,
)
from branchkit.console import print_note, print_problems
from branchkit.core.calendar import parse_month
from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import MonthResult, check_ledgers, compare, score_month, score_needs
from branchkit.errors import DataError, UsageError
from branchkit.io.output import output_format
from branchkit.problems import Problem, ProblemLog
from branchkit.rules import Rules, load_rules
from branchkit.views.explain import explain
from branchkit.views.score import compare_summary, compare_text, counting_notes, ranking_text, score_report

ExplainOpt = Annotated[Optional[str], typer.Option(
    "--explain", metavar="STAFF_ID", show_default=False,
    help="Print this person's scorecard line by line, with the ledger rows (file, sheet, row) behind each "
         "metric, to stdout.")]
CompareOpt = Annotated[Optional[Path], typer.Option(
    "--compare", dir_okay=False, show_default=False,
    help="What-if: rules (TOML) merged over this run's rules; shows per person the change in points and bonus. "
         "The ledgers are read once.")]
AllocationOpt = Annotated[Optional[list[str]], typer.Option(
    "--allocation", show_default=False,
    help="The month's allocation (customer -> keeper, e.g. the output of branchkit allocate): its keeper counts "
         "for deposit_up and new_customers where the month-end customer list names none. Only read when given.")]
StatementsOpt = Annotated[bool, typer.Option(
    "--statements/--no-statements", help="A pay statement per person (html page, xlsx sheet).")]


@app.command("score")
@guarded
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
    output: OutputOpt = None,
    rules: RulesOpt = None,
    lang: LangOpt = None,
    jobs: JobsOpt = 1,
    skip_invalid: SkipInvalidOpt = False,
    mask: MaskOpt = None,
    raw_csv: RawCsvOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Monthly scorecards, points, balanced scorecard, bonus-pool split and piece-rate pay (DOMAIN §6).

    Every metric is counted from the raw ledgers for the month (visits, referrals, month-start and month-end
    customer lists, sales, work logs, deductions); heads and deputies are paid by the 1000-point coefficient,
    everyone else by points; bonuses add up to each branch's pool to the cent. Without -o the ranking is
    printed. Exit 0: done; 1: the data has errors (nothing written); 2: bad usage or unreadable input.

    Example: branchkit score --month 2026-10 ledgers/ -o score.xlsx
    """
    named = {"customers": customers, "customers_start": customers_start, "staff": staff, "visits": visits,
             "referrals": referrals, "sales": sales, "worklog": worklog, "deductions": deductions,
             "assessment": assessment, "pool": pool, "previous": allocation}
    sources = ledgers or []
    check_output_early(output, input_paths(sources, *[v for v in named.values() if v]))
    if explain_id is not None and output == "-":
        raise UsageError("--explain prints to stdout, and so does -o -; write the output to a file")
    period = parse_month(month)
    base_rules = resolve_rules(rules, sources, quiet)
    other_rules = load_rules(compare_rules, base=base_rules) if compare_rules is not None else None
    wanted = set(MonthLedgers.kinds()) - (set() if allocation else {"previous"})
    session = open_session(base_rules, sources, named, wanted=wanted, quiet=quiet, jobs=jobs,
                           needs=score_needs(base_rules))
    require_clean(session, skip_invalid)
    result, comparison = _compute(session, period, base_rules, other_rules, jobs, quiet)
    if explain_id is not None:
        _explain(result, explain_id, lang)
    detail = output is not None and output_format(output) in ("xlsx", "html")
    report = score_report(result, lang=lang or "zh", with_statements=with_statements, comparison=comparison,
                          detail=detail)
    write_outputs(output, report, session, lang=lang, mask=mask, raw_csv=raw_csv, skip_invalid=skip_invalid,
                  quiet=quiet)
    _print_results(result, comparison, output, explain_id, quiet)
    print_accounting(session, quiet)


def _compute(session, period, base_rules: Rules, other_rules: Rules | None,
             jobs: int, quiet: bool) -> tuple[MonthResult, pd.DataFrame | None]:
    """The month under the run's rules, and the per-person comparison with the what-if rules if given."""
    ledgers = MonthLedgers.from_frames({k: session.used(k) for k in MonthLedgers.kinds()})
    _stop_on_errors(check_ledgers(ledgers, base_rules), quiet=quiet)
    result = score_month(ledgers, period, base_rules, jobs)
    _stop_on_errors(result.problems, quiet=quiet)
    if other_rules is None:
        return result, None
    other = score_month(ledgers, period, other_rules, jobs)
    _stop_on_errors([p for p in other.problems if p not in result.problems], "with the --compare rules: ",
                    quiet=quiet)
    return result, compare(result, other)


def _stop_on_errors(problems: list[Problem], prefix: str = "", *, quiet: bool = False) -> None:
    """Print the problems; stop (exit 1, nothing written) if any is an error."""
    if not problems:
        return
    log = ProblemLog()
    log.extend(problems)
    print_problems(log, quiet=quiet)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(f"{prefix}{len(errors)} problem(s) stop the scoring (see above); nothing was written")


def _explain(result: MonthResult, staff_id: str, lang: str | None) -> None:
    text = explain(result, staff_id, lang or "zh")
    if text is None:
        raise UsageError(f"--explain {staff_id}: no one with this staff id is on the staff list")
    typer.echo(text, nl=False)


def _print_results(result: MonthResult, comparison, output: str | None, explain_id: str | None,
                   quiet: bool) -> None:
    for line in counting_notes(result):
        print_note(line, quiet=quiet)
    if comparison is not None:
        print_note(compare_summary(comparison), quiet=quiet)
    if output is None and explain_id is None:
        typer.echo(compare_text(comparison) if comparison is not None else ranking_text(result), nl=False)
