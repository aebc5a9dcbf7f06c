"""``branchkit plan``: the monthly Gantt plans held against the visit records (DOMAIN §5)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, Optional

import pandas as pd
import typer

from branchkit.cli.app import app, guarded
from branchkit.cli.common import (
    check_output_early, input_paths, open_session, print_accounting, require_clean, resolve_rules, write_outputs,
)
from branchkit.cli.options import (
    CustomersOpt, DebugOpt, LangOpt, LedgersArg, MaskOpt, OutputOpt, PlanOpt, QuietOpt, RawCsvOpt, RulesOpt,
    SkipInvalidOpt, StaffOpt, VisitsOpt,
)
from branchkit.console import print_note
from branchkit.core.plan import Window, hold_plan
from branchkit.errors import UsageError
from branchkit.io.ledger import empty_frame
from branchkit.views.plan import plan_report

_KINDS = {"plan", "visits", "staff", "customers"}
PlanMonthOpt = Annotated[Optional[str], typer.Option(
    "--month", help="The month, YYYY-MM (default: the month the plans state in a title such as 2026年10月).",
    show_default=False)]
AsOfOpt = Annotated[Optional[dt.datetime], typer.Option(
    "--as-of", formats=["%Y-%m-%d"], help="Count planned days up to this date (default: the month's last "
    "day); later days are 'not yet due'. Also the date overdue customers are judged on.", show_default=False)]
TableOpt = Annotated[Literal["plan", "managers", "days", "completeness", "overdue"], typer.Option(
    "--table", help="The table csv/json carry: plan (manager x customer), managers, days (the Gantt's cells), "
    "completeness (visit records), overdue (customers overdue for a visit).")]


@app.command("plan")
@guarded
def plan_command(
    ledgers: LedgersArg = None,
    plan: PlanOpt = None,
    visits: VisitsOpt = None,
    staff: StaffOpt = None,
    customers: CustomersOpt = None,
    month: PlanMonthOpt = None,
    as_of: AsOfOpt = None,
    table: TableOpt = "plan",
    output: OutputOpt = None,
    skip_invalid: SkipInvalidOpt = False,
    rules: RulesOpt = None,
    lang: LangOpt = None,
    mask: MaskOpt = None,
    raw_csv: RawCsvOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Hold the monthly Gantt plans (甘特图) against the visit records (拜访记录).

    Per manager and customer: days planned, done on time, slipped (and kept on the new date),
    missed, visits without a plan, adherence; visit-record completeness; customers overdue for a
    visit by their tier's cadence. The xlsx redraws each manager's Gantt with coloured cells.

    Example: branchkit plan --plan 甘特图.xlsx --visits 拜访记录.xlsx --staff 员工.xlsx --month 2026-10 -o plan.xlsx
    """
    named = {"plan": plan, "visits": visits, "staff": staff, "customers": customers}
    check_output_early(output, input_paths(ledgers or [], *[v or [] for v in named.values()]))
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UsageError(f"--month {month!r}: give the month as YYYY-MM, e.g. 2026-10")
    effective = resolve_rules(rules, ledgers or [], quiet)
    session = open_session(effective, ledgers or [], named, wanted=_KINDS, quiet=quiet,
                           options={"month": month} if month else None)
    require_clean(session, skip_invalid)
    frame = session.used("plan")
    if frame is None or frame.empty:
        raise UsageError("no Gantt plan was found: give --plan 甘特图.xlsx, or a folder holding one")
    window = _window(month or _stated_month(frame), as_of)
    result = hold_plan(frame, _visits(session, quiet), window, effective.plan, effective.tiers.relationship,
                       staff=session.used("staff"), customers=session.used("customers"))
    for note in result.notes:
        print_note(note, quiet=quiet)
    if output is None:
        _summary(result.managers, quiet)
    report = plan_report(result, lang or "zh", primary=table, calendar=effective.calendar)
    write_outputs(output, report, session, lang=lang, mask=mask,
                  raw_csv=raw_csv, skip_invalid=skip_invalid, quiet=quiet)
    print_accounting(session, quiet)


def _stated_month(frame: pd.DataFrame) -> str:
    months = sorted(frame["date"].dropna().dt.to_period("M").astype("str").unique())
    if len(months) != 1:
        found = ", ".join(months) or "none"
        raise UsageError(f"the plans do not state one month (found: {found}); choose it with --month YYYY-MM")
    return months[0]


def _window(month: str, as_of: dt.datetime | None) -> Window:
    try:
        return Window.of(month, as_of)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None


def _visits(session, quiet: bool) -> pd.DataFrame:
    visits = session.used("visits")
    if visits is None:
        print_note("no visit records given (--visits 拜访记录.xlsx): every due planned day counts as missed",
                   quiet=quiet)
        return empty_frame("visits")
    return visits


def _summary(managers: pd.DataFrame, quiet: bool) -> None:
    """Without -o, one line per manager on stderr."""
    for row in managers.itertuples(index=False):
        rate = "-" if pd.isna(row.adherence) else f"{row.adherence:.1%}"
        print_note(f"{row.staff_name}: planned {row.planned}, done on time {row.done_on_time}, slipped "
                   f"{row.slipped} (kept {row.slip_kept}), missed {row.missed}, unplanned {row.unplanned}, "
                   f"adherence {rate}", quiet=quiet)
