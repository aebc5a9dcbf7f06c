"""``branchkit staff``: tellers and counters a branch needs, by the branch rule and by a queueing model."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import pandas as pd
import typer

from branchkit.cli.app import app, guarded
from branchkit.cli.common import (
    Session, check_output_early, input_paths, open_session, print_accounting, require_clean,
    resolve_rules, write_outputs,
)
from branchkit.cli.options import (
    CustomersOpt, DebugOpt, JobsOpt, LangOpt, LedgersArg, MaskOpt, OutputOpt, QuietOpt, RawCsvOpt,
    RulesOpt, SkipInvalidOpt, StaffOpt, VolumesOpt,
)
from branchkit.console import print_error, print_note
from branchkit.labels import value_label
from branchkit.views.staff import item_words
from branchkit.core.staffing import StaffingResult, plan_staffing, rm_team
from branchkit.errors import UsageError
from branchkit.io.output import output_format
from branchkit.rules import Rules
from branchkit.views.staff import staff_report

_WANTED = {"volumes", "volumes_hourly", "staff", "customers"}


@app.command("staff")
@guarded
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
        "--asa", min=0, help="Average-wait target in seconds, beside the service level "
        "(overrides staffing.queue.asa_target_seconds; 0 = none).", show_default=False)] = None,
    patience: Annotated[Optional[float], typer.Option(
        "--patience", min=0, help="Mean customer patience in seconds: report the share who give up "
        "(Erlang A; overrides staffing.queue.patience_seconds; 0 = none).", show_default=False)] = None,
    rm_teams: Annotated[Optional[list[str]], typer.Option(
        "--rm-team", help="RMs per customer segment, SEGMENT=N (large, middle, small, small_phone); "
        "repeat for several: adds the specialists their teams need.", show_default=False)] = None,
    output: OutputOpt = None,
    jobs: JobsOpt = 1,
    skip_invalid: SkipInvalidOpt = False,
    rules: RulesOpt = None,
    lang: LangOpt = None,
    mask: MaskOpt = None,
    raw_csv: RawCsvOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
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
    sources = [*(ledgers or []), *(volumes or []), *(staff or []), *(customers or [])]
    check_output_early(output, input_paths(sources))
    settings = _with_queue(resolve_rules(rules, ledgers or [], quiet), asa, patience)
    team = _rm_team(rm_teams, settings)
    session = open_session(settings, ledgers or [], {"volumes": volumes, "staff": staff, "customers": customers},
                           wanted=_WANTED, quiet=quiet, jobs=jobs)
    require_clean(session, skip_invalid)
    _check_usage(session, by=by, roster=roster, check=check)
    result = plan_staffing(settings.staffing, volumes=session.used("volumes"),
                           hourly=session.used("volumes_hourly"), staff=session.used("staff"),
                           customers=session.used("customers"), roster=roster, jobs=jobs)
    for note in result.notes:
        print_note(note, quiet=quiet)
    if result.branches.empty:
        print_note("no branch found in the ledgers given", quiet=quiet)
    report = staff_report(result, settings, by_hour=by == "hour", lang=_text_lang(lang, output), rm_team=team)
    write_outputs(output, report, session, lang=lang, mask=mask, raw_csv=raw_csv,
                  skip_invalid=skip_invalid, quiet=quiet)
    print_accounting(session, quiet)
    if output is None:
        _print_summary(result, quiet)
    _finish(result, check, quiet)


def _with_queue(rules: Rules, asa: float | None, patience: float | None) -> Rules:
    """The rules with the queue targets given on the command line."""
    changes = {k: v for k, v in (("asa_target_seconds", asa), ("patience_seconds", patience)) if v is not None}
    if not changes:
        return rules
    queue = rules.staffing.queue.model_copy(update=changes)
    return rules.model_copy(update={"staffing": rules.staffing.model_copy(update={"queue": queue})})


def _check_usage(session: Session, *, by: str, roster: bool, check: bool) -> None:
    """Refuse, before computing, what the ledgers given cannot answer."""
    if not any(session.has(k) for k in ("volumes", "volumes_hourly", "staff")):
        raise UsageError("no volumes or staff list found; give --volumes 业务量.xlsx and/or --staff 员工.xlsx "
                         "(or a folder holding them)")
    hourly = session.used("volumes_hourly")
    if (by == "hour" or roster) and hourly is None:
        what = "--by hour" if by == "hour" else "--roster"
        raise UsageError(f"{what} needs the hourly volumes (a 分时段业务量 sheet: 网点, 时段, 到达笔数)")
    if roster and not session.has("staff") and hourly["counters_open"].isna().all():
        raise UsageError("--roster needs the counters open per hour (a 开放柜台数 column in the hourly "
                         "volumes) or the staff list (--staff) to count the tellers on duty")
    if check and not session.has("staff"):
        raise UsageError("--check compares the staff list with the minimum staffing: give --staff 员工.xlsx")


def _rm_team(values: list[str] | None, rules: Rules):
    """``SEGMENT=N`` options as the specialists table, or None."""
    if not values:
        return None
    counts: dict[str, int] = {}
    for value in values:
        segment, _, number = value.partition("=")
        if segment.strip() not in rules.staffing.rm_team or not number.strip().isdigit():
            raise UsageError(f"--rm-team {value!r}: give SEGMENT=N with a segment of "
                             f"{', '.join(rules.staffing.rm_team)} and a whole number of RMs")
        counts[segment.strip()] = int(number)
    return rm_team(counts, rules.staffing.rm_team)


def _text_lang(lang: str | None, output: str | None) -> str:
    """Words in cells: --lang if given, else Chinese for people (xlsx/html), English for machines."""
    if lang is not None:
        return lang
    return "zh" if output is not None and output_format(output) in ("xlsx", "html") else "en"


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
