"""What each computation reads: the columns that decide its results and those that only refine them.

SPEC "Bad input gets a clear error": nothing is filled in silently. A ledger read without one of its
columns holds nulls there, and a null deposit is no deposit: a customer list with its 存款余额 column
deleted would tier every customer general. So each computation declares, next to its code, the columns
it reads per ledger kind (a ``Needs``):

- a column that *decides* results (customers' deposits for tiers and scope, ...) missing from a ledger
  is an error, code ``missing_column`` (exit 1), naming the ledger, the column and what needs it;
- a column that only *refines* them (loans, financial assets, branch type, ...) missing is one warning,
  code ``column_absent``, saying what is left out; a ledger kind that only refines, ``ledger_absent``.

Whether a column is there is what the reader saw: a header matched in the source (``SourceNote.columns``),
not whether cells are filled (an empty cell is data; a missing column is not). The check takes any
mapping of ledger kind to an object with ``sources`` (each with ``file``, ``sheet``, ``columns``, ``rows``)
and ``frame``, as ``io.ledger.Ledger`` has them; the core imports no reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import pandas as pd

from branchkit.models.ledgers import LEDGERS
from branchkit.problems import Problem

MISSING, ABSENT, LEDGER_ABSENT = "missing_column", "column_absent", "ledger_absent"


@dataclass(frozen=True)
class Need:
    """One column (or, with ``column`` None, a whole ledger kind) a computation reads.

    ``what_en``/``what_zh``: for a deciding column what needs it; for a refining one what is left out
    without it. ``instead``: (kind, column) that supply it when given (last month's allocation names the
    current keepers); column None there means the ledger itself. ``only_if``: (column, values) the need
    applies only when some row of the ledger holds one of the values (enterprise scale, for corporates).
    ``given``: ledger kinds that must all be given for the need to apply (the computation's own inputs);
    empty: the need's own kind.
    """

    kind: str
    column: str | None
    decides: bool
    what_en: str
    what_zh: str
    instead: tuple[tuple[str, str | None], ...] = ()
    only_if: tuple[str, tuple[str, ...]] | None = None
    given: tuple[str, ...] = ()
    by: str = ""

    def applies(self, ledgers: Mapping[str, object], alone: bool = False) -> bool:
        """Whether the computation runs on these ledgers and nothing given stands in for this one;
        ``alone``: whatever else the computation needs is given or not (``validate`` of one ledger)."""
        if not all(k in ledgers for k in ((self.kind,) if alone else (self.given or (self.kind,)))):
            return False
        return not any(k in ledgers and (c is None or _everywhere(ledgers[k], c)) for k, c in self.instead)

    def lacking(self, ledgers: Mapping[str, object]) -> list[object]:
        """The sources of the ledger that hold rows this need concerns and lack its column."""
        if self.column is None:
            return []
        ledger = ledgers[self.kind]
        return [s for s in _sources(ledger) if not _present(s, self.column) and self._concerns(ledger, s)]

    def _concerns(self, ledger: object, source: object) -> bool:
        """Whether a source holds a row the need is about (``only_if``: a corporate for enterprise scale;
        the 个人客户 sheet of a customer list has no 企业规模 column, and needs none)."""
        if self.only_if is None:
            return True
        frame = getattr(ledger, "frame", None)
        column, values = self.only_if
        if frame is None or column not in frame:
            return False
        rows = frame
        if "_file" in frame and getattr(source, "file", None) is not None:
            sheet = getattr(source, "sheet", None)
            same = frame["_file"].eq(source.file) & (frame["_sheet"].eq(sheet) if sheet is not None
                                                     else frame["_sheet"].isna())
            rows = frame[same.fillna(False).to_numpy(dtype=bool)]
        return bool(rows[column].isin(values).any())


@dataclass(frozen=True)
class Needs:
    """The needs of one computation (``by``), or of several (``joined``)."""

    by: str
    items: tuple[Need, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(replace(n, by=n.by or self.by) for n in self.items))

    def check(self, ledgers: Mapping[str, object], *, advisory: bool = False) -> "ColumnCheck":
        """The problems (errors and warnings) and the absences of ``ledgers`` (kind -> ``Ledger``);
        ``advisory`` (``validate``, which computes nothing): every one a warning saying what each command
        would miss."""
        found: dict[tuple[str, str | None], list[Need]] = {}
        for need in self.items:
            if need.applies(ledgers, alone=advisory) and _lacking(ledgers, need):
                found.setdefault((need.kind, need.column), []).append(need)
        absences = [_absence(ledgers, group, advisory) for group in found.values()]
        return ColumnCheck([a.problem() for a in absences], absences)


@dataclass(frozen=True)
class Absence:
    """A column (or ledger) a computation reads that was not given: where, and what it costs."""

    kind: str
    column: str | None
    decides: bool
    by: tuple[str, ...]
    what_en: tuple[str, ...]
    what_zh: tuple[str, ...]
    file: str | None = None
    sheet: str | None = None
    sources: int = 0            # sources of the ledger lacking the column
    of: int = 0                 # sources of the ledger
    advisory: bool = False

    @property
    def code(self) -> str:
        return LEDGER_ABSENT if self.column is None else MISSING if self.stops else ABSENT

    @property
    def stops(self) -> bool:
        """Whether the run stops on it: a deciding column, unless only advising (``validate``)."""
        return self.decides and not self.advisory

    @property
    def header(self) -> str:
        """The column as ledgers head it (its first Chinese header), or '' for a whole ledger."""
        return "" if self.column is None else LEDGERS[self.kind].columns()[self.column].headers[0]

    def ledger_name(self) -> str:
        spec = LEDGERS[self.kind]
        return f"{spec.label_en} ledger ({spec.label_zh})"

    def left_out(self, lang: str) -> str:
        """What needs it (deciding) or what is left out (refining), per computation, in ``lang``."""
        texts = self.what_zh if lang == "zh" else self.what_en
        if len(set(self.by)) == 1:
            return "; ".join(dict.fromkeys(texts))
        return "; ".join(f"{by}: {text}" for by, text in zip(self.by, texts))

    def problem(self) -> Problem:
        """The problem the run reports: an error for a deciding column, else a warning."""
        return Problem(code=self.code, severity="error" if self.stops else "warning", kind=self.kind,
                       file=self.file, sheet=self.sheet, column=self.header or None, message=self.message())

    def message(self) -> str:
        if self.column is None:
            return (f"no {self.ledger_name()} was given: {self.left_out('en')} (give it with "
                    f"--{self.kind.replace('_', '-')} or put it in the folder)")
        where = f" (in {self.sources} of its {self.of} sheets or files)" if 0 < self.sources < self.of else ""
        names = ", ".join(LEDGERS[self.kind].columns()[self.column].headers[:3])
        what = f"the {self.header} ({self.column}) column is missing from the {self.ledger_name()}{where}"
        commands = _and(list(dict.fromkeys(self.by)))
        fix = f"add the column (headed e.g. {names}), or name your header under [aliases.{self.kind}] in the rules file"
        if self.decides and self.advisory:
            return f"{what}: {commands} would stop, needing it for {self.left_out('en')}; {fix}"
        if self.decides:
            verb = "need" if len(set(self.by)) > 1 else "needs"
            return f"{what}: {commands} {verb} it for {self.left_out('en')}; {fix}"
        would = "would leave" if self.advisory else "leave" if len(set(self.by)) > 1 else "leaves"
        return f"{what}; without it {commands} {would} out: {self.left_out('en')}"


@dataclass
class ColumnCheck:
    """The outcome of a ``Needs.check``: problems for the log, absences for the outputs' covers."""

    problems: list[Problem] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return any(a.stops for a in self.absences)

    def refining(self) -> list[Absence]:
        """The absences an output's cover lists (the deciding ones stop the run; ``validate``'s advice is
        for the terminal: its output is the cleaned ledger itself)."""
        return [a for a in self.absences if not a.stops and not a.advisory]


def _present(source: object, column: str) -> bool:
    return column in getattr(source, "columns", {})


def _sources(ledger: object) -> list[object]:
    """The sources holding rows (an empty sheet lacking a column costs nothing)."""
    return [s for s in getattr(ledger, "sources", []) if getattr(s, "rows", 1) > 0]


def _everywhere(ledger: object, column: str) -> bool:
    sources = _sources(ledger)
    return bool(sources) and all(_present(s, column) for s in sources)


def _lacking(ledgers: Mapping[str, object], need: Need) -> bool:
    if need.column is None:
        return need.kind not in ledgers
    return bool(need.lacking(ledgers))


def _absence(ledgers: Mapping[str, object], group: list[Need], advisory: bool) -> Absence:
    first = group[0]
    lacking = list({id(s): s for n in group for s in n.lacking(ledgers)}.values())
    sheet = getattr(lacking[0], "sheet", None) if lacking else None
    return Absence(
        first.kind, first.column, any(n.decides for n in group), tuple(n.by for n in group),
        tuple(n.what_en for n in group), tuple(n.what_zh for n in group),
        file=getattr(lacking[0], "file", None) if lacking else None, sheet=sheet if isinstance(sheet, str) else None,
        sources=len(lacking), of=len(_sources(ledgers[first.kind])) if first.kind in ledgers else 0,
        advisory=advisory)


def _and(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def joined(needs: Iterable[Needs]) -> Needs:
    """Several computations' needs as one (``report``: every part it computes)."""
    out = Needs("", ())
    for item in needs:
        out = Needs(item.by if not out.by else f"{out.by}+{item.by}", out.items + item.items)
    return out


def frame_of(kind: str, frame: pd.DataFrame) -> object:
    """A ledger given as a frame (library use): every column of the frame counts as present."""
    from types import SimpleNamespace

    source = SimpleNamespace(file=None, sheet=None, columns=set(frame.columns), rows=len(frame))
    return SimpleNamespace(kind=kind, frame=frame, sources=[source])
