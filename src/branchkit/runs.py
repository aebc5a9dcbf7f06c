"""The computations over checked ledgers: core in, ``Result`` out (behind ``Ledgers``' methods).

Each function takes a ``session.Ledgers``, refuses what its ledgers cannot answer (``UsageError``),
runs the core with the options the commands take, and returns a ``Result`` whose view is the
command's report. Data errors met while computing raise ``DataError`` with their problems.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from branchkit import progress
from branchkit.core.allocate import allocate as allocate_core, allocation_needs
from branchkit.core.allocation_compare import compare_allocations
from branchkit.core.calendar import parse_month
from branchkit.core.history import check_month
from branchkit.errors import DataError, UsageError
from branchkit.models.ledgers import empty_frame
from branchkit.problems import Problem, ProblemLog
from branchkit.results import PEOPLE_FORMATS, Allocated, Result, Scored
from branchkit.rules import Rules, load_rules
from branchkit.views.allocate import Counts, allocation_report
from branchkit.views.allocation_compare import comparison_sections

if TYPE_CHECKING:
    from branchkit.core.plan import Window
    from branchkit.session import Ledgers
    from branchkit.views.report import Quality

# What one command computes and shows (staffing, plans, scores, the month's report, the quarter) is imported
# where that command runs: the others, allocate above all, start without it. Measured in the commit adding this.

# -- allocate ------------------------------------------------------------------------------------

def allocate(ledgers: "Ledgers", *, month: str | None = None, rebalance: int | None = None,
             compare: Rules | str | Path | None = None, jobs: int = 1) -> Result:
    """One keeper per customer (see ``Ledgers.allocate``)."""
    customers, staff = ledgers.used("customers"), ledgers.used("staff")
    if customers is None or staff is None:
        missing = " and ".join(k for k, f in (("customers", customers), ("staff", staff)) if f is None)
        raise UsageError(f"allocation needs a customer list and a staff list: no {missing} ledger was read "
                         "(give --customers/--staff, or a folder holding 客户清单 and 员工)")
    needs = ledgers.check_needs(allocation_needs(ledgers.rules))
    other = _other_rules(compare, ledgers.rules)
    inputs = {"claims": ledgers.used("claims"), "previous": ledgers.used("previous"),
              "ambiguous": ledgers.ambiguous_keepers(), "jobs": jobs, "rebalance": rebalance}
    result = allocate_core(customers, staff, ledgers.rules, **inputs)
    comparison = (compare_allocations(result, allocate_core(customers, staff, other, **inputs))
                  if other is not None else None)
    accounting = ledgers.split.accounting.get("customers")
    counts = Counts.of(result, read=accounting.read, rejected=accounting.rejected)

    def view(fmt: str, lang: str, *, keeper_ledgers: bool = True) -> object:
        people = fmt in PEOPLE_FORMATS
        report = allocation_report(result, lang=lang, people=people, counts=counts, ledgers=keeper_ledgers,
                                   subtitle=month or "", month=month)
        if comparison is not None:          # the what-if: its changed customers are what csv/json carry
            report.sections += comparison_sections(comparison, lang, people)
            report.primary = "compare"
        return report

    absent = _absent(needs)
    if month is not None:
        absent["found"] = absent["found"] + _dated(ledgers, parse_month(month), kinds=("customers",))
    return Allocated("allocation", result, view, **_context(ledgers), counts=counts, month=month,
                     comparison=comparison, **absent)


def explain_allocation(ledgers: "Ledgers", customer_id: str, *, rebalance: int | None = None,
                       lang: str = "zh") -> str:
    """One customer's allocation step by step, with the ledger rows behind it (see ``Ledgers.explain``)."""
    from branchkit.views.allocation_explain import explain_customer

    text = explain_customer(ledgers["customers"], ledgers["staff"], ledgers.rules, customer_id,
                            claims=ledgers.used("claims"), previous=ledgers.used("previous"),
                            ambiguous=ledgers.ambiguous_keepers(), rebalance=rebalance, lang=lang)
    if text is None:
        raise UsageError(f"--explain {customer_id}: no customer with this id is in the customer list")
    return text


def _other_rules(rules: Rules | str | Path | None, base: Rules) -> Rules | None:
    """What-if rules: a ``Rules``, or a TOML file merged over ``base``."""
    return rules if isinstance(rules, Rules) or rules is None else load_rules(Path(rules), base=base)


# -- staff ---------------------------------------------------------------------------------------

def staff(ledgers: "Ledgers", *, by: str = "branch", roster: bool = False, asa: float | None = None,
          patience: float | None = None, rm_team: Mapping[str, int] | None = None, jobs: int = 1) -> Result:
    """Tellers and counters per branch (see ``Ledgers.staff``)."""
    from branchkit.core.staffing import plan_staffing, staffing_needs
    from branchkit.views.staff import staff_report

    if by not in ("branch", "hour"):
        raise UsageError(f"by={by!r}: one row per 'branch', or per branch, day and 'hour'")
    settings = _with_queue(ledgers.rules, asa, patience)
    team = _rm_team(rm_team, settings)
    _check_staff_usage(ledgers, by=by, roster=roster)
    needs = ledgers.check_needs(staffing_needs(settings.staffing))
    result = plan_staffing(settings.staffing, volumes=ledgers.used("volumes"), hourly=ledgers.used("volumes_hourly"),
                           staff=ledgers.used("staff"), customers=ledgers.used("customers"), roster=roster, jobs=jobs)
    notes = list(result.notes)
    if result.branches.empty:
        notes.append("no branch found in the ledgers given")

    def view(fmt: str, lang: str) -> object:
        return staff_report(result, settings, by_hour=by == "hour", lang=lang, rm_team=team)

    return Result("staffing", result, view, **_context(ledgers), notes=notes, **_absent(needs))


def _with_queue(rules: Rules, asa: float | None, patience: float | None) -> Rules:
    """The rules with the queue targets given (average-wait target, patience)."""
    changes = {k: v for k, v in (("asa_target_seconds", asa), ("patience_seconds", patience)) if v is not None}
    if not changes:
        return rules
    queue = rules.staffing.queue.model_copy(update=changes)
    return rules.model_copy(update={"staffing": rules.staffing.model_copy(update={"queue": queue})})


def _rm_team(counts: Mapping[str, int] | None, rules: Rules) -> pd.DataFrame | None:
    """RMs per segment as the specialists table, or None."""
    if not counts:
        return None
    for segment, number in counts.items():
        if segment not in rules.staffing.rm_team or not isinstance(number, int) or number < 0:
            raise UsageError(f"RM team {segment}={number!r}: give SEGMENT=N with a segment of {', '.join(rules.staffing.rm_team)} "
                             "and a whole number of RMs")
    from branchkit.core.staffing import rm_team as rm_team_table

    return rm_team_table(dict(counts), rules.staffing.rm_team)


def _check_staff_usage(ledgers: "Ledgers", *, by: str, roster: bool) -> None:
    """Refuse, before computing, what the ledgers read cannot answer."""
    if not any(ledgers.has(k) for k in ("volumes", "volumes_hourly", "staff")):
        raise UsageError("no volumes or staff list found; give --volumes 业务量.xlsx and/or --staff 员工.xlsx "
                         "(or a folder holding them)")
    hourly = ledgers.used("volumes_hourly")
    if (by == "hour" or roster) and hourly is None:
        what = "--by hour" if by == "hour" else "--roster"
        raise UsageError(f"{what} needs the hourly volumes (a 分时段业务量 sheet: 网点, 时段, 到达笔数)")
    if roster and not ledgers.has("staff") and hourly["counters_open"].isna().all():
        raise UsageError("--roster needs the counters open per hour (a 开放柜台数 column in the hourly "
                         "volumes) or the staff list (--staff) to count the tellers on duty")


# -- plan ----------------------------------------------------------------------------------------

def plan(ledgers: "Ledgers", month: str | None = None, *, as_of: dt.date | None = None,
         table: str = "plan") -> Result:
    """The Gantt plans against the visits (see ``Ledgers.plan``)."""
    from branchkit.core.plan import hold_plan, plan_needs
    from branchkit.views.plan import plan_report

    if month is not None:
        check_month(month)
    frame = ledgers.used("plan")
    if frame is None or frame.empty:
        raise UsageError("no Gantt plan was found: give --plan 甘特图.xlsx, or a folder holding one")
    window = _window(month or _stated_month(frame), as_of)
    rules = ledgers.rules
    needs = ledgers.check_needs(plan_needs(rules.plan))       # without visits: a ledger_absent warning
    visits = ledgers.used("visits")
    visits = empty_frame("visits") if visits is None else visits
    result = hold_plan(frame, visits, window, rules.plan, rules.tiers.relationship,
                       staff=ledgers.used("staff"), customers=ledgers.used("customers"))

    def view(fmt: str, lang: str) -> object:
        return plan_report(result, lang, primary=table, calendar=rules.calendar)

    return Result("plan", result, view, **_context(ledgers), notes=list(result.notes), **_absent(needs))


def _stated_month(frame: pd.DataFrame) -> str:
    months = sorted(frame["date"].dropna().dt.to_period("M").astype("str").unique())
    if len(months) != 1:
        found = ", ".join(months) or "none"
        raise UsageError(f"the plans do not state one month (found: {found}); choose it with --month YYYY-MM")
    return months[0]


def _window(month: str, as_of: dt.date | None) -> Window:
    from branchkit.core.plan import Window

    try:
        return Window.of(month, as_of)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None


# -- score ---------------------------------------------------------------------------------------

def score(ledgers: "Ledgers", month: str, *, compare: Rules | str | Path | None = None, statements: bool = True,
          allocation: bool = False, jobs: int = 1) -> Result:
    """Scorecards and pay (see ``Ledgers.score``)."""
    from branchkit.core.metrics import MonthLedgers
    from branchkit.core.month import check_ledgers, compare as compare_results, score_month, score_needs
    from branchkit.views.score import score_report

    period = parse_month(month)
    base = ledgers.rules
    other = _other_rules(compare, base)
    needs = ledgers.check_needs(score_needs(base))
    kinds = [k for k in MonthLedgers.kinds() if allocation or k != "previous"]
    month_ledgers = MonthLedgers.from_frames({k: ledgers.used(k) for k in kinds})
    found = _stop_on_errors(check_ledgers(month_ledgers, base)) + _dated(ledgers, period)
    result = score_month(month_ledgers, period, base, jobs)
    found += _stop_on_errors(result.problems)
    comparison = None
    if other is not None:
        alternative = score_month(month_ledgers, period, other, jobs)
        _stop_on_errors([p for p in alternative.problems if p not in result.problems], "with the --compare rules: ")
        comparison = compare_results(result, alternative)

    def view(fmt: str, lang: str) -> object:
        return score_report(result, lang=lang, with_statements=statements, comparison=comparison,
                            detail=fmt in PEOPLE_FORMATS)

    absent = _absent(needs)
    return Scored("score", result, view, **_context(ledgers), found=_unique(absent.pop("found") + found),
                  comparison=comparison, **absent)



def _stop_on_errors(problems: list[Problem], prefix: str = "") -> list[Problem]:
    """The problems, if none is an error; else ``DataError`` carrying them (nothing is written)."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        log = ProblemLog()
        log.extend(problems)
        raise DataError(f"{prefix}{len(errors)} problem(s) stop the scoring; nothing was written", problems=log)
    return list(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# -- report --------------------------------------------------------------------------------------

def month_report(ledgers: "Ledgers", month: str, *, jobs: int = 1) -> Result:
    """The month-end pack (see ``Ledgers.report``)."""
    from branchkit.core.report import month_needs, month_pack
    from branchkit.views.report import month_report as month_view

    check_month(month)
    needs = ledgers.check_needs(month_needs(ledgers.rules))
    frames = {kind: ledgers.used(kind) for kind in ledgers.split.used}

    def step(name: str) -> None:
        progress.step(f"report: {name}")

    pack = month_pack(frames, month, ledgers.rules, ambiguous=ledgers.ambiguous_keepers(), jobs=jobs,
                      progress=step)
    dated = _dated(ledgers, parse_month(month))
    cover = quality(ledgers, dated + list(pack.problems), needs.refining())

    def view(fmt: str, lang: str) -> object:
        step("render")
        return month_view(pack, ledgers.rules, cover, lang=lang, fmt=fmt)

    notes = list(pack.notes)
    for omission in pack.omitted:
        what = ", ".join(omission.ledgers) or "; ".join(omission.problems)
        notes.append(f"left out: {omission.part} ({'needs ' if omission.ledgers else ''}{what})")
    return Result("report", pack, view, **_context(ledgers), notes=notes,
                  found=needs.problems + dated + list(pack.problems))


def _dated(ledgers: "Ledgers", month: pd.Period, kinds: tuple[str, ...] | None = None) -> list[Problem]:
    """The customer lists (of ``kinds``) whose stated dates do not fit the month (``core.dated``)."""
    from branchkit.core.dated import DATED, dated_otherwise

    return dated_otherwise({kind: ledger.sources for kind, ledger in ledgers.inputs.ledgers.items()
                            if kind in DATED and (kinds is None or kind in kinds)}, month)


def quality(ledgers: "Ledgers", found: list[Problem] | None = None, absences: list | None = None) -> Quality:
    """Rows read, used and rejected per ledger, and the problems found (reading, then ``found`` while
    computing), for the report's cover."""
    from branchkit.views.report import Quality, summarise_problems

    rows = []
    for kind, acc in ledgers.split.accounting.items():
        ledger = ledgers.inputs.ledgers[kind]
        files = sorted({Path(s.file).name + (f" [{s.sheet}]" if s.sheet else "") for s in ledger.sources})
        rows.append({"ledger": kind, "files": "; ".join(files), "read": acc.read, "used": acc.used,
                     "rejected": acc.rejected, "totals_rows": ledger.totals, "section_rows": ledger.sections})
    counts = ["read", "used", "rejected", "totals_rows", "section_rows"]
    table = pd.DataFrame(rows, columns=["ledger", "files", *counts]).astype({c: "int64" for c in counts})
    log = ProblemLog()
    log.extend(found or [])
    frames = [f for f in (ledgers.log.frame(), log.frame()) if len(f)]
    problems = pd.concat(frames, ignore_index=True) if frames else ledgers.log.frame()
    return Quality(table.sort_values("ledger", kind="stable").reset_index(drop=True), summarise_problems(problems),
                   list(absences or []))


# -- quarter -------------------------------------------------------------------------------------

def quarter(ledgers: "Ledgers", quarter: str, *, skip_invalid: bool = False) -> Result:
    """The quarterly analysis from the month-end snapshots (see ``Ledgers.quarter``)."""
    from branchkit.core.quarter import NEEDS as QUARTER_NEEDS, analyse_quarter, quarter_months
    from branchkit.io.snapshots import find_snapshots
    from branchkit.views.quarter import quarter_report

    period, months = quarter_months(quarter)
    folder = ledgers.folder()
    if folder is None:
        raise UsageError("--quarter needs the ledger folder (its history/ folder holds the month-end snapshots)")
    history = folder / ledgers.rules.report.history_dir
    found, notes = find_snapshots(history)
    missing = [m for m in (months[0], months[-1]) if m not in found]
    if missing:
        have = ", ".join(str(m) for m in sorted(found)) or "none"
        raise UsageError(f"--quarter {period}: no month-end customer snapshot for "
                         f"{' and '.join(str(m) for m in missing)} in {history} (found: {have}); add e.g. "
                         f"客户清单_{missing[0]}.xlsx (the quarter compares the end of {months[0]} with the end of "
                         f"{months[-1]})" + "".join(f"; {note}" for note in notes))
    problems: list[Problem] = []
    absences: list = []
    snapshots = {}
    context = _context(ledgers)
    inputs = context.pop("inputs")
    for month in months:
        if month not in found:
            continue
        snapshot = ledgers.reread(customers=[str(found[month])], kinds={"customers", "staff"})
        snapshot.require_clean(skip_invalid)
        check = snapshot.check_needs(QUARTER_NEEDS)
        problems += check.problems
        absences += [a for a in check.refining() if (a.kind, a.column) not in {(b.kind, b.column) for b in absences}]
        inputs += [p for p in snapshot.files if p not in inputs]
        notes.append(f"{found[month].name}: {snapshot.split.accounting['customers'].line()}")
        problems += snapshot.log.records()
        problems += _dated(snapshot, month, kinds=("customers",))      # the file's name against its own date
        snapshots[month] = snapshot.used("customers")
    result = analyse_quarter(period, snapshots, ledgers.rules, staff=ledgers.used("staff"),
                             visits=ledgers.used("visits"))

    def view(fmt: str, lang: str) -> object:
        return quarter_report(result, lang=lang, people=fmt in PEOPLE_FORMATS)

    return Result("quarter", result, view, inputs, **context, notes=notes + list(result.notes),
                  found=_unique(problems), absences=absences)


def _absent(check) -> dict:
    """What a result keeps of a needs check: the warnings, and the absences its outputs list."""
    return {"found": list(check.problems), "absences": check.refining()}


def _context(ledgers: "Ledgers") -> dict:
    """What a result keeps of the ledgers it came from: the files read, the text limit."""
    return {"inputs": ledgers.files, "max_text_chars": ledgers.rules.input.max_text_chars}
