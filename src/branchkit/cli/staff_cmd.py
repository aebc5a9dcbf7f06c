"""``branchkit staff``: tellers and counters a branch needs, by the branch rule and by a queueing model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, Optional

import pandas as pd
import typer

from branchkit.cli.app import Command, app
from branchkit.cli.common import print_accounting, print_found, read_ledgers, write_result
from branchkit.cli.options import CustomersOpt, LEDGER_COMMAND, LedgersArg, Run, StaffOpt, VolumesOpt, command
from branchkit.console import print_error, print_note
from branchkit.errors import UsageError
from branchkit.labels import value_label

if TYPE_CHECKING:
    from branchkit.core.staffing import StaffingResult

_WANTED = {"volumes", "volumes_hourly", "staff", "customers"}


@app.command("staff", cls=Command)
@command(*LEDGER_COMMAND)
def staff_command(
    ledgers: LedgersArg = None,
    volumes: VolumesOpt = None,
    staff: StaffOpt = None,
    customers: CustomersOpt = None,
    by: Annotated[Literal["branch", "hour"], typer.Option(
        "--by", help="Rows of the csv/json output: one per branch, or one per branch, day and hour.")] = "branch",
    roster: Annotated[bool, typer.Option(
        "--roster", help="Also evaluate the counters actually open each hour (the hourly volumes' "
        "开放柜台数, else one per active teller of the staff list): service level, wait and occupancy "
        "reached, and which hours are under-served.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Exit 1 when any branch falls short of its type's minimum staffing (after "
        "writing the output); needs the staff list.")] = False,
    asa: Annotated[Optional[float], typer.Option(
        "--asa", min=0, metavar="SECONDS", help="Average-wait target in seconds, beside the service level "
        "(overrides staffing.queue.asa_target_seconds; 0 = none).", show_default=False)] = None,
    patience: Annotated[Optional[float], typer.Option(
        "--patience", min=0, metavar="SECONDS", help="Mean customer patience in seconds: report the share who give up "
        "(Erlang A; overrides staffing.queue.patience_seconds; 0 = none).", show_default=False)] = None,
    rm_teams: Annotated[Optional[list[str]], typer.Option(
        "--rm-team", metavar="SEGMENT=N", help="RMs per customer segment, SEGMENT=N (large, middle, small, small_phone); "
        "repeat for several: adds the specialists their teams need.", show_default=False)] = None,
    *,
    run: Run,
) -> None:
    """Tellers a branch needs by the 130 rule and by a queueing model per hour, its corporate
    counters, and whether its staff meet its type's minimum.

    Reads the daily volumes (日均业务量), the hourly volumes (分时段业务量), the staff list and,
    optionally, the customer list (corporate customers make a corporate RM required). Per branch:
    tellers needed = ceil(daily transactions / 130) beside the tellers it has (surplus + or
    shortfall -), the hour needing the most counters on its busiest day by Erlang C, the corporate
    counter requirement of its type, and each shortfall against its type's minimum. Exit 0: done;
    1: the data has errors, or with --check a branch below its minimum; 2: bad usage or input.

    Example: branchkit staff --volumes 业务量.xlsx --staff 员工.xlsx --by hour -o 配置.xlsx
    """
    team = _rm_team(rm_teams)
    read = read_ledgers(run, ledgers, {"volumes": volumes, "staff": staff, "customers": customers}, kinds=_WANTED)
    if check and not read.has("staff"):
        raise UsageError("--check compares the staff list with the minimum staffing: give --staff 员工.xlsx")
    result = read.staff(by=by, roster=roster, asa=asa, patience=patience, rm_team=team, jobs=run.jobs)
    write_result(result, read, run)
    print_found(result, run)
    print_accounting(read, run)
    if run.output is None:
        _print_summary(result.value, run.quiet)
    _finish(result.value, check, run.quiet)


def _rm_team(values: list[str] | None) -> dict[str, int] | None:
    """``SEGMENT=N`` options as RMs per segment, or None."""
    if not values:
        return None
    counts: dict[str, int] = {}
    for value in values:
        segment, _, number = value.partition("=")
        if not number.strip().isdigit():
            raise UsageError(f"--rm-team {value!r}: give SEGMENT=N with a whole number of RMs")
        counts[segment.strip()] = int(number)
    return counts


def _print_summary(result: StaffingResult, quiet: bool) -> None:
    """One line per branch on stderr when no output file was asked for."""
    for row in result.branches.to_dict("records"):
        parts = [f"{row['branch']} ({value_label('branch_type', row.get('branch_type'), 'en') or 'type unknown'})"]
        if not _missing(row.get("tellers_needed")):
            parts.append(f"{row['daily_transactions']:,.0f} daily transactions: {row['tellers_needed']} "
                         f"tellers needed, {_shown(row.get('tellers_current'))} now")
        if not _missing(row.get("peak_hour")):
            parts.append(f"peak {row['peak_hour']}:00: {row['peak_counters']} counters, "
                         f"{row['queue_staff_needed']} staff")
        print_note("; ".join(parts), quiet=quiet)


def _finish(result: StaffingResult, check: bool, quiet: bool) -> None:
    """List every branch below its minimum; with --check, exit 1 if there is one."""
    from branchkit.views.staff import item_words     # staffing's words: imported by this command alone

    short = result.below_minimum()
    for branch in short:
        items = result.shortfalls[result.shortfalls["branch"] == branch]
        what = ", ".join(f"{item_words(i, 'en')} {p} of {r}"
                         for i, p, r in zip(items["item"], items["present"], items["required"]))
        print_note(f"below minimum: {branch}: {what or 'branch type unknown, not checked'}", quiet=quiet)
    if check and short:
        print_error(f"{len(short)} branch(es) below their type's minimum staffing: {', '.join(short)}")
        raise typer.Exit(1)


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _shown(value: object) -> str:
    return "?" if _missing(value) else str(value)
