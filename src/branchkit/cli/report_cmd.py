"""``branchkit report``: the month-end pack, or the quarterly customer-relationship analysis (DOMAIN §7)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer

from branchkit import progress
from branchkit.cli.app import app, guarded
from branchkit.cli.common import (
    Session, check_output_early, input_paths, open_session, print_accounting, require_clean, resolve_rules,
    write_outputs,
)
from branchkit.cli.options import (
    DebugOpt, JobsOpt, LangOpt, LedgersArg, MaskOpt, OutputOpt, QuietOpt, RawCsvOpt, RulesOpt, SkipInvalidOpt,
)
from branchkit.console import print_note, print_problems
from branchkit.core.report import month_pack
from branchkit.errors import UsageError
from branchkit.io.output import output_format
from branchkit.problems import Problem, ProblemLog
from branchkit.views.report import Quality, month_report, summarise_problems

ReportMonthOpt = Annotated[Optional[str], typer.Option(
    "--month", help="The month of the month-end pack, YYYY-MM.", show_default=False)]
QuarterOpt = Annotated[Optional[str], typer.Option(
    "--quarter", help="The quarterly CRM analysis instead, YYYYQn (e.g. 2026Q3), from the month-end customer "
    "snapshots in DIR/history (客户清单_YYYY-MM.xlsx): the previous quarter's last month and this quarter's "
    "months.", show_default=False)]


@app.command("report")
@guarded
def report_command(
    ledgers: LedgersArg = None,
    month: ReportMonthOpt = None,
    quarter: QuarterOpt = None,
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
    _check_usage(sources, month, quarter, output)
    settings = resolve_rules(rules, sources, quiet)
    if quarter is not None:
        from branchkit.cli.quarter import quarter_report

        quarter_report(settings, sources, quarter, output, lang=lang, mask=mask, raw_csv=raw_csv,
                       skip_invalid=skip_invalid, quiet=quiet)
        return
    session = open_session(settings, sources, wanted=None, quiet=quiet, options={"month": month}, jobs=jobs)
    require_clean(session, skip_invalid)
    frames = {kind: session.used(kind) for kind in session.split.used}

    def step(name: str) -> None:
        progress.step(f"report: {name}")

    pack = month_pack(frames, month, settings, ambiguous=_ambiguous_keepers(session), jobs=jobs, progress=step)
    step("render")
    report = month_report(pack, settings, quality(session, pack.problems), lang=_text_lang(lang, output),
                          fmt=output_format(output), jobs=jobs)
    write_outputs(output, report, session, lang=lang, mask=mask, raw_csv=raw_csv,
                  skip_invalid=skip_invalid, quiet=quiet, jobs=jobs)
    _print_outcome(pack, quiet)
    print_accounting(session, quiet)


def _check_usage(sources: list[str], month: str | None, quarter: str | None, output: str | None) -> None:
    if (month is None) == (quarter is None):
        raise UsageError("give either --month YYYY-MM (the month-end pack) or --quarter YYYYQn (the quarterly "
                         "analysis)")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise UsageError(f"--month {month!r}: give the month as YYYY-MM, e.g. 2026-10")
    if quarter is not None and not re.fullmatch(r"\d{4}Q[1-4]", quarter.upper()):
        raise UsageError(f"--quarter {quarter!r}: give the quarter as YYYYQn, e.g. 2026Q3")
    if not sources:
        raise UsageError("give the folder (or workbooks) holding the ledgers, e.g. branchkit report --month "
                         "2026-10 sample_data/ -o 月报.html")
    if output is None:
        raise UsageError("give the output with -o: report.html, report.xlsx, or .csv/.json for the branch table")
    check_output_early(output, input_paths(sources))


def _text_lang(lang: str | None, output: str | None) -> str:
    """Words in cells: --lang if given, else Chinese for people (xlsx/html), English for machines."""
    if lang is not None:
        return lang
    return "zh" if output is not None and output_format(output) in ("xlsx", "html") else "en"


def _ambiguous_keepers(session: Session) -> frozenset[str]:
    """Customers whose ledger keeper named several staff, as ``allocate`` passes them."""
    from branchkit.cli.allocate_cmd import _ambiguous_keepers as ambiguous

    return ambiguous(session)


def quality(session: Session, found: list[Problem] | None = None) -> Quality:
    """Rows read, used and rejected per ledger, and the problems found (reading, then ``found`` while
    computing), for the cover."""
    rows = []
    for kind, acc in session.split.accounting.items():
        ledger = session.inputs.ledgers[kind]
        files = sorted({Path(s.file).name + (f" [{s.sheet}]" if s.sheet else "") for s in ledger.sources})
        rows.append({"ledger": kind, "files": "; ".join(files), "read": acc.read, "used": acc.used,
                     "rejected": acc.rejected, "totals_rows": ledger.totals})
    ledgers = pd.DataFrame(rows, columns=["ledger", "files", "read", "used", "rejected", "totals_rows"])
    ledgers = ledgers.astype({"read": "int64", "used": "int64", "rejected": "int64", "totals_rows": "int64"})
    log = ProblemLog()
    log.extend(found or [])
    frames = [f for f in (session.log.frame(), log.frame()) if len(f)]
    problems = pd.concat(frames, ignore_index=True) if frames else session.log.frame()
    return Quality(ledgers.sort_values("ledger", kind="stable").reset_index(drop=True), problem_counts(problems))


def problem_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Problems (a ``ProblemLog.frame``) per ledger, code and severity, with the first one as an example
    (its message, and the column, value and parameters the cover says it again with in its language)."""
    return summarise_problems(frame)


def _print_outcome(pack, quiet: bool) -> None:
    for note in pack.notes:
        print_note(note, quiet=quiet)
    if pack.problems:
        log = ProblemLog()
        log.extend(pack.problems)
        print_problems(log, quiet=quiet)
    for omission in pack.omitted:
        what = ", ".join(omission.ledgers) or "; ".join(omission.problems)
        print_note(f"left out: {omission.part} ({'needs ' if omission.ledgers else ''}{what})", quiet=quiet)
