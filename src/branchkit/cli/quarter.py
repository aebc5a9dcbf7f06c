"""``branchkit report --quarter``: reading the month-end snapshots and writing the quarterly analysis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from branchkit.cli.common import Session, open_session, print_accounting, require_clean, write_outputs
from branchkit.console import print_note
from branchkit.core.quarter import NEEDS as QUARTER_NEEDS, analyse_quarter, quarter_months
from branchkit.errors import UsageError
from branchkit.io.output import output_format
from branchkit.io.snapshots import find_snapshots
from branchkit.rules import Rules
from branchkit.views.quarter import quarter_report as quarter_view


def quarter_report(rules: Rules, sources: list[str], quarter: str, output: str, *, lang: str | None,
                   mask: bool | None, raw_csv: bool, skip_invalid: bool, quiet: bool) -> None:
    """Find the snapshots, read and check them with the staff list, analyse, write."""
    period, months = quarter_months(quarter)
    folder = next((Path(s) for s in sources if s != "-" and Path(s).is_dir()), None)
    if folder is None:
        raise UsageError("--quarter needs the ledger folder (its history/ folder holds the month-end snapshots)")
    history = folder / rules.report.history_dir
    found = find_snapshots(history)
    missing = [m for m in (months[0], months[-1]) if m not in found]
    if missing:
        have = ", ".join(str(m) for m in sorted(found)) or "none"
        raise UsageError(f"--quarter {period}: no month-end customer snapshot for "
                         f"{' and '.join(str(m) for m in missing)} in {history} (found: {have}); add e.g. "
                         f"客户清单_{missing[0]}.xlsx (the quarter compares the end of {months[0]} with the end of "
                         f"{months[-1]})")
    base = open_session(rules, sources, wanted={"staff", "visits"}, quiet=quiet)
    require_clean(base, skip_invalid)
    snapshots = {month: _snapshot(rules, sources, found[month], skip_invalid, quiet, base)
                 for month in months if month in found}
    result = analyse_quarter(period, snapshots, rules, staff=base.used("staff"), visits=base.used("visits"))
    for note in result.notes:
        print_note(note, quiet=quiet)
    people = output_format(output) in ("xlsx", "html")
    report = quarter_view(result, lang=lang or ("zh" if people else "en"), people=people)
    write_outputs(output, report, base, lang=lang, mask=mask, raw_csv=raw_csv, skip_invalid=skip_invalid,
                  quiet=quiet)
    print_accounting(base, quiet)


def _snapshot(rules: Rules, sources: list[str], path: Path, skip_invalid: bool, quiet: bool,
              base: Session) -> pd.DataFrame:
    """One month-end snapshot's usable customers, keepers resolved through the folder's staff list; the
    columns it lacks go on the report's cover (``base``)."""
    session: Session = open_session(rules, sources, {"customers": [str(path)]}, wanted={"customers", "staff"},
                                    quiet=quiet, needs=QUARTER_NEEDS)
    require_clean(session, skip_invalid)
    seen = {(a.kind, a.column) for a in base.columns.absences}
    base.columns.absences += [a for a in session.columns.refining() if (a.kind, a.column) not in seen]
    accounting = session.split.accounting["customers"]
    print_note(f"{path.name}: {accounting.line()}", quiet=quiet)
    return session.used("customers")
