"""``branchkit allocate``: one keeper for every customer (包户包效), owners for targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from branchkit.cli.app import app, guarded
from branchkit.cli.common import (
    Session, check_output_early, input_paths, open_session, print_accounting, require_clean, resolve_rules,
    write_outputs,
)
from branchkit.cli.options import (
    ClaimsOpt, CustomersOpt, DebugOpt, DryRunOpt, JobsOpt, LangOpt, LedgersArg, MaskOpt, OutputOpt, PreviousOpt,
    QuietOpt, RawCsvOpt, RulesOpt, SkipInvalidOpt, StaffOpt,
)
from branchkit.console import print_note
from branchkit.core.reasons import message
from branchkit.core.allocate import Allocation, allocate
from branchkit.core.history import check_month, extend_history
from branchkit.errors import UsageError
from branchkit.io.history import read_history, write_history
from branchkit.io.output import check_target, output_format
from branchkit.views.allocate import Counts, allocation_report, summary_lines

KINDS = ("customers", "staff", "claims", "previous")


@app.command("allocate")
@guarded
def allocate_command(
    ledgers: LedgersArg = None,
    customers: CustomersOpt = None,
    staff: StaffOpt = None,
    claims: ClaimsOpt = None,
    previous: PreviousOpt = None,
    output: OutputOpt = None,
    month: Annotated[Optional[str], typer.Option(
        "--month", help="The month allocated, YYYY-MM: the report's subtitle and the history's dates. "
        "Required with --history.", show_default=False)] = None,
    history: Annotated[Optional[Path], typer.Option(
        "--history", help="Assignment history CSV (customer_id, keeper, from, to, reason; months inclusive, "
        "empty 'to' = still keeps): read if it exists, extended with this month, written atomically.",
        dir_okay=False, show_default=False)] = None,
    keeper_ledgers: Annotated[bool, typer.Option(
        "--ledgers/--no-ledgers", help="One ledger sheet (台账) per keeper in the xlsx output.")] = True,
    dry_run: DryRunOpt = False,
    jobs: JobsOpt = 1,
    skip_invalid: SkipInvalidOpt = False,
    rules: RulesOpt = None,
    lang: LangOpt = None,
    mask: MaskOpt = None,
    raw_csv: RawCsvOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
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
    sources = [*(ledgers or []), *(p for group in named.values() for p in (group or []))]
    _check_options(output, history, month, sources, dry_run)
    session = open_session(resolve_rules(rules, ledgers or [], quiet), ledgers or [],
                           {k: v for k, v in named.items() if v}, wanted=set(KINDS), quiet=quiet, jobs=jobs)
    require_clean(session, skip_invalid)
    result = _allocate(session, jobs)
    counts = _counts(session, result)
    for line in summary_lines(result, counts):
        print_note(line, quiet=quiet)
    if dry_run:
        _print_changes(result, quiet)
        print_accounting(session, quiet)
        return
    if output is not None:
        people = output_format(output) in ("xlsx", "html")
        report = allocation_report(result, lang=lang or ("zh" if people else "en"), people=people,
                                   counts=counts, ledgers=keeper_ledgers, subtitle=month or "")
        write_outputs(output, report, session, lang=lang, mask=mask, raw_csv=raw_csv,
                      skip_invalid=skip_invalid, quiet=quiet)
    if history is not None:
        write_history(history, extend_history(read_history(history), result.allocation, result.changes, month))
        print_note(f"extended the assignment history {history} with {month}", quiet=quiet)
    print_accounting(session, quiet)


def _check_options(output: str | None, history: Path | None, month: str | None, sources: list[str],
                   dry_run: bool) -> None:
    inputs = input_paths(sources)
    check_output_early(output, inputs)
    if month is not None:
        check_month(month)
    if history is not None:
        if month is None:
            raise UsageError("--history needs --month YYYY-MM: the month this allocation is for")
        if not dry_run:
            check_target(str(history), inputs)


def _allocate(session: Session, jobs: int) -> Allocation:
    customers, staff = session.used("customers"), session.used("staff")
    if customers is None or staff is None:
        missing = " and ".join(k for k, f in (("--customers", customers), ("--staff", staff)) if f is None)
        raise UsageError(f"allocate needs a customer list and a staff list: give {missing} (or a folder "
                         "holding 客户清单 and 员工)")
    return allocate(customers, staff, session.rules, claims=session.used("claims"),
                    previous=session.used("previous"), ambiguous=_ambiguous_keepers(session), jobs=jobs)


def _ambiguous_keepers(session: Session) -> frozenset[str]:
    """Customers whose ledger keeper named several staff (kept as rows when that problem is a warning)."""
    problems = session.log.frame()
    rids = problems.loc[(problems["code"] == "ambiguous_staff") & (problems["kind"] == "customers")
                        & (problems["column"] == "keeper"), "rid"]
    customers = session.used("customers")
    if rids.empty or customers is None:
        return frozenset()
    return frozenset(customers.loc[customers["_rid"].isin(rids), "customer_id"].astype("str"))


def _counts(session: Session, result: Allocation) -> Counts:
    accounting = session.split.accounting.get("customers")
    if accounting is None:
        return Counts.of(result)
    return Counts.of(result, read=accounting.read, rejected=accounting.rejected)


def _print_changes(result: Allocation, quiet: bool) -> None:
    changes = result.changes
    print_note(f"changes ({len(changes)}):", quiet=quiet)
    for row in changes.itertuples(index=False):
        old = row.previous_keeper if isinstance(row.previous_keeper, str) else "-"
        new = row.keeper if isinstance(row.keeper, str) else "-"
        print_note(f"  {row.branch or ''} {row.customer_id} {row.name}: {old} -> {new} ({message(row.reason, 'en')})",
                   quiet=quiet)
