"""Reading and checking a month's ledgers: the library's way in (``branchkit.open``).

``open`` reads ledgers exactly as every command does (files, folders, workbooks, CSV, DataFrames;
the same header aliases, units, problems and cross-checks), splits the rows a computation may use
from the rows it must reject, and returns a ``Ledgers``: the checked ledgers, their problems and
accounting, and one method per computation (``allocate``, ``staff``, ``plan``, ``score``,
``report``, ``quarter``), each returning a ``branchkit.results.Result``.

Nothing here prints, exits or changes process-wide state: the command line is a layer over it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Mapping, Sequence, Union

import pandas as pd

from branchkit import progress, runs
from branchkit.core.checks import cross_check
from branchkit.core.needs import ColumnCheck, Needs
from branchkit.core.validation import Split, split_rows
from branchkit.errors import DataError, UsageError
from branchkit.io.discover import Inputs, load_inputs
from branchkit.io.output import WriteOptions, write_report
from branchkit.io.rejected import rejected_rows, rejected_table
from branchkit.io.tables import Report, Section
from branchkit.models.ledgers import LEDGERS
from branchkit.problems import ProblemLog, public_frame
from branchkit.results import Result
from branchkit.rules import Rules, load_rules

#: What a ledger may be given as: a path (file, folder, ``-``), several, or a DataFrame.
Source = Union[str, Path, pd.DataFrame, Sequence[Union[str, Path]]]
RulesLike = Union[Rules, str, Path, None]


@dataclass
class Ledgers:
    """A month's ledgers as read and checked: usable rows by kind, rejected rows, problems, notes.

    ``ledgers["customers"]`` is the usable rows of a kind in canonical columns (plus ``_file``,
    ``_sheet``, ``_row``: where each came from). The computations take these rows.
    """

    rules: Rules
    inputs: Inputs
    split: Split
    notes: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()

    # -- what was read -------------------------------------------------------------------------

    @property
    def log(self) -> ProblemLog:
        """The problems as branchkit records them (row ids included)."""
        return self.inputs.log

    @property
    def kinds(self) -> list[str]:
        """The ledger kinds read."""
        return list(self.split.used)

    def used(self, kind: str) -> pd.DataFrame | None:
        """The usable rows of a ledger kind, or None if it was not given."""
        return self.split.used.get(kind)

    def has(self, kind: str) -> bool:
        """Whether a ledger of this kind was read."""
        return kind in self.split.used

    def __getitem__(self, kind: str) -> pd.DataFrame:
        frame = self.used(kind)
        if frame is None:
            raise KeyError(f"no {kind} ledger was read (read: {', '.join(self.kinds) or 'none'})")
        return frame

    def __contains__(self, kind: object) -> bool:
        return kind in self.split.used

    @property
    def passed(self) -> list[str]:
        """What was passed over unread because it is not needed (another command's ledger, a ledger given
        by kind instead): the notes a terminal shows only when asked."""
        return list(self.inputs.passed)

    @property
    def problems(self) -> pd.DataFrame:
        """Every problem found: file, sheet, row (as the spreadsheet shows it), column, value, code,
        severity, message, kind."""
        return public_frame(self.log)

    @property
    def files(self) -> list[Path]:
        """Every file read."""
        return list(self.inputs.files)

    @property
    def accounting(self) -> pd.DataFrame:
        """Per ledger kind: rows read, used and rejected (read = used + rejected), totals, section heading
        and blank rows passed over."""
        ledgers = self.inputs.ledgers
        rows = [{"ledger": kind, "read": acc.read, "used": acc.used, "rejected": acc.rejected,
                 "totals_rows": ledgers[kind].totals, "section_rows": ledgers[kind].sections,
                 "blank_rows": ledgers[kind].blank}
                for kind, acc in self.split.accounting.items()]
        columns = ["ledger", "read", "used", "rejected", "totals_rows", "section_rows", "blank_rows"]
        return pd.DataFrame(rows, columns=columns).astype({c: "int64" for c in columns[1:]})

    @property
    def rejected(self) -> pd.DataFrame:
        """Every rejected row of every kind, as the rejected-rows file holds it (``io.rejected``): ledger,
        file, sheet, row, codes, reasons, then the row's values as text (a cell that failed conversion as
        written; ID numbers and phones masked), ordered by ledger, file, sheet and row."""
        headers = {(kind, note.file, note.sheet): note.columns
                   for kind, ledger in self.inputs.ledgers.items() for note in ledger.sources}
        return rejected_rows(self.split.rejected, self.log.frame(), headers)

    def require_clean(self, skip_invalid: bool = False) -> None:
        """Raise ``DataError`` (with ``.problems``) when errors remain: any at all, or with
        ``skip_invalid`` those no row can be set aside for (a missing column, say)."""
        split = self.split
        if split.has_blocking:
            raise DataError(f"the ledgers have {len(split.blocking)} error(s) that no row can be skipped for; "
                            "nothing was written", problems=self.log)
        if split.has_row_errors and not skip_invalid:
            raise DataError(f"{split.totals().rejected} row(s) have errors; nothing was written. Fix them, or "
                            "skip them (--skip-invalid, or skip_invalid=True) to compute on the valid rows",
                            problems=self.log)

    def write_rejected(self, target: str | Path, *, raw_csv: bool = False) -> None:
        """Write every rejected row with its codes, reasons and values (``rejected``) as CSV, atomically."""
        table = rejected_table(self.rejected)
        report = Report("拒绝的行", "Rejected rows", [Section("拒绝的行", "Rejected rows", [table])], "rejected")
        write_report(str(target), report, WriteOptions(lang="en", inputs=self.files, raw_csv=raw_csv))

    def check_needs(self, needs: Needs, *, advisory: bool = False) -> ColumnCheck:
        """The columns and ledgers a computation reads (``needs``) that were not given. A deciding one
        missing raises ``DataError`` (nothing can be computed); the refining ones come back, their
        warnings in ``.problems`` and what they leave out in ``.refining()``. ``advisory`` (``validate``,
        which computes nothing): every one a warning, added to these ledgers' problems."""
        check = needs.check(self.inputs.ledgers, advisory=advisory)
        if advisory:
            self.log.extend(check.problems)
        elif check.blocking:
            missing = sum(1 for a in check.absences if a.stops)
            raise DataError(f"{missing} column(s) that decide the results are missing from the ledgers; nothing "
                            "was written", problems=check.problems)
        return check

    def ambiguous_keepers(self) -> frozenset[str]:
        """Customers whose ledger keeper named several staff (kept as rows when that problem is only a
        warning): allocation leaves them to the head."""
        problems = self.log.frame()
        rids = problems.loc[(problems["code"] == "ambiguous_staff") & (problems["kind"] == "customers")
                            & (problems["column"] == "keeper"), "rid"]
        customers = self.used("customers")
        if rids.empty or customers is None:
            return frozenset()
        return frozenset(customers.loc[customers["_rid"].isin(rids), "customer_id"].astype("str"))

    def reread(self, **options: object) -> "Ledgers":
        """Read again from the same sources, with these rules and other ``read`` options (another
        ledger by kind, fewer kinds): a quarter's month-end snapshots, say."""
        return read(list(self.sources), rules=self.rules, **options)

    def folder(self) -> Path | None:
        """The first folder among the sources (where ``quarter`` looks for its history)."""
        return next((Path(s) for s in self.sources if s != "-" and Path(s).is_dir()), None)

    # -- computations --------------------------------------------------------------------------

    def allocate(self, *, month: str | None = None, rebalance: int | None = None, compare: RulesLike = None,
                 jobs: int = 1) -> Result:
        """One keeper for every existing customer in scope, an owner for every target.

        Needs customers and staff; claims and last month's allocation (``previous``) when read.
        ``.table`` is the allocation (one row per customer); ``.value`` the ``core.allocate.Allocation``.
        ``rebalance``: move at most this many kept customers per branch to even out the load within pools
        of equal-rank staff (exact; default the rules' ``allocation.rebalance``). ``compare``: other rules
        (merged over these): ``.comparison`` holds who would change keeper, tier or scope, and ``.table``
        becomes those customers.
        """
        return runs.allocate(self, month=month, rebalance=rebalance, compare=compare, jobs=jobs)

    def explain(self, customer_id: str, *, rebalance: int | None = None, lang: str = "zh") -> str:
        """One customer's allocation step by step, with the ledger rows (file, sheet, row) behind it: tier
        and scope, the current keeper's checks, every claim, the route steps with each candidate's load."""
        return runs.explain_allocation(self, customer_id, rebalance=rebalance, lang=lang)

    def staff(self, *, by: str = "branch", roster: bool = False, asa: float | None = None,
              patience: float | None = None, rm_team: Mapping[str, int] | None = None, jobs: int = 1) -> Result:
        """Tellers and counters each branch needs, by the 130 rule and by Erlang C per hour (DOMAIN §4).

        ``by="hour"``: ``.table`` is one row per branch, day and hour; ``roster``: also the service the
        counters actually open reach; ``asa``/``patience`` (seconds) override the queue rules;
        ``rm_team`` maps segments to RMs (``{"large": 2}``) for the specialists their teams need.
        """
        return runs.staff(self, by=by, roster=roster, asa=asa, patience=patience, rm_team=rm_team, jobs=jobs)

    def plan(self, month: str | None = None, *, as_of: dt.date | None = None, table: str = "plan") -> Result:
        """The Gantt plans against the visit records (DOMAIN §5); ``month`` defaults to the one the
        plans state; ``as_of`` counts planned days up to that date; ``table`` picks ``.table``."""
        return runs.plan(self, month, as_of=as_of, table=table)

    def score(self, month: str, *, compare: RulesLike = None, statements: bool = True, allocation: bool = False,
              jobs: int = 1) -> Result:
        """Scorecards, the bonus split and piece-rate pay of ``month`` (YYYY-MM, DOMAIN §6).

        ``compare``: other rules (merged over these) for a what-if; ``.comparison`` then holds the
        change per person. ``allocation``: the allocation ledger read (``previous=``, e.g. this month's
        ``allocate`` output) names the keeper where the month-end customer list names none; by default it
        is not used (a folder's 上月分配 is last month's).
        """
        return runs.score(self, month, compare=compare, statements=statements, allocation=allocation, jobs=jobs)

    def report(self, month: str, *, jobs: int = 1) -> Result:
        """The month-end pack (DOMAIN §7): allocation, staffing, plans and scores per branch and over
        the network; parts whose ledgers are absent are left out and listed."""
        return runs.month_report(self, month, jobs=jobs)

    def quarter(self, quarter: str, *, skip_invalid: bool = False) -> Result:
        """The quarterly customer-relationship analysis (YYYYQn) from the month-end snapshots in the
        ledger folder's history folder."""
        return runs.quarter(self, quarter, skip_invalid=skip_invalid)


def resolve_rules(rules: RulesLike, sources: Iterable[object] = ()) -> tuple[Rules, str | None]:
    """The rules: those given (a ``Rules`` or a TOML path), else a ``rules.toml`` inside a ledger folder
    given, else the defaults; with the note saying which folder's rules were used."""
    if isinstance(rules, Rules):
        return rules, None
    if rules is not None:
        return load_rules(Path(rules)), None
    for source in sources:
        if isinstance(source, (str, Path)) and str(source) != "-" and Path(source).is_dir():
            candidate = Path(source) / "rules.toml"
            if candidate.is_file():
                return load_rules(candidate, trusted=False), f"using the rules in {candidate}"
    return load_rules(None), None


def read(sources: Source | None = None, *, rules: RulesLike = None, kinds: Iterable[str] | None = None,
         force_kind: str | None = None, sheets: list[str] | None = None, month: str | None = None,
         jobs: int = 1, stdin: IO[bytes] | None = None, **named: Source | None) -> Ledgers:
    """Read and check ledgers, keeping every problem found: nothing is raised for bad rows.

    ``sources``: folders, workbooks or files (``-`` reads CSV from ``stdin``). ``named``: a source per
    ledger kind (``customers=``, ``staff=``, ``claims=``, ``previous=``, ... a path, paths or a DataFrame),
    overriding what the sources hold. ``kinds`` reads only the ledgers of these kinds (the others are
    passed over, unparsed); ``month`` (YYYY-MM) reaches the wide Gantt's reader, and dates written without
    their year are read in the twelve months to it (without it they are errors); ``jobs`` processes read a
    workbook of many sheets.
    """
    positional = _as_list(sources)
    if any(isinstance(s, pd.DataFrame) for s in positional):
        raise UsageError("give a DataFrame by its ledger kind, e.g. branchkit.open(customers=df, staff=staff_df)")
    unknown = sorted(set(named) - set(LEDGERS))
    if unknown:
        raise UsageError(f"unknown ledger kind {unknown[0]!r}; known: {', '.join(LEDGERS)}")
    given = {kind: source if isinstance(source, pd.DataFrame) else _as_list(source)
             for kind, source in named.items() if source is not None}
    effective, rules_note = resolve_rules(rules, positional)
    inputs = load_inputs(effective, positional, given, force_kind=force_kind,
                         wanted=set(kinds) if kinds is not None else None, sheets=sheets, stdin=stdin,
                         options={"month": month} if month else None, jobs=jobs)
    frames = {kind: ledger.frame for kind, ledger in inputs.ledgers.items()}
    progress.step("checking the ledgers together")
    given = {kind: [n for n in ledger.sources if n.branch_given] for kind, ledger in inputs.ledgers.items()}
    notes = [*([rules_note] if rules_note else []), *inputs.notes, *cross_check(frames, inputs.log, jobs, given)]
    # the cross-checks name a column by its field (customer_id); the problems show the sheet's header (客户号)
    inputs.log.name_columns({(kind, note.file, note.sheet): note.columns
                             for kind, ledger in inputs.ledgers.items() for note in ledger.sources})
    inputs.log.apply_severity(dict(effective.validation.severity))
    for kind, frame in frames.items():
        inputs.ledgers[kind].frame = frame
    split = split_rows(frames, inputs.log)
    return Ledgers(effective, inputs, split, notes, tuple(str(s) for s in positional))


def open(sources: Source | None = None, *, rules: RulesLike = None, skip_invalid: bool = False,
         **options: object) -> Ledgers:  # noqa: A001 - the library's verb, as ``branchkit.open``
    """Read and check ledgers as every branchkit command does; raise ``DataError`` if they hold errors.

    ``branchkit.open("ledgers/")`` reads a folder (its ``rules.toml`` too); ``branchkit.open(customers=df,
    staff="员工.xlsx")`` reads DataFrames and files by kind. Bad rows raise ``DataError`` whose
    ``.problems`` is a DataFrame of every problem, unless ``skip_invalid`` sets them aside (then
    ``.rejected`` lists them). Other keywords are those of ``read``.
    """
    ledgers = read(sources, rules=rules, **options)
    ledgers.require_clean(skip_invalid)
    return ledgers


def _as_list(source: Source | None) -> list:
    if source is None:
        return []
    if isinstance(source, (str, Path, pd.DataFrame)):
        return [source]
    return list(source)
