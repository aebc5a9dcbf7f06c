"""What a computation returns: its tables as DataFrames, and its report written in any format.

A ``Result`` holds the core's result (``.value``), the table the csv/json output carries (``.table``,
SPEC's canonical columns), every named table (``.tables``), the notes and warnings found while
computing, and a ``view`` that turns it into an ``io.tables.Report`` for a format and a language;
``.write(path)`` writes that report (the extension picks xlsx, html, csv or json).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from branchkit.io.bookhtml import write_books
from branchkit.io.excel import MAX_CELL_CHARS
from branchkit.io.output import WriteOptions, output_format, write_report
from branchkit.io.tables import Report
from branchkit.problems import Problem, public_frame
from branchkit.views.absent import with_absences
from branchkit.views.allocate import allocation_books

#: Formats read by people: words instead of keys, Chinese labels by default.
PEOPLE_FORMATS = ("xlsx", "html")
#: ``view(fmt, lang, **options) -> Report``: a result shown for a format, in a language.
View = Callable[..., Report]


def words_lang(lang: str | None, fmt: str) -> str:
    """The language of words in cells: for people ``lang`` (Chinese by default); for machines (csv, json)
    always English, whatever ``lang``: their values are the contract (keys, and free text such as a
    counter requirement in English), and ``--lang zh`` changes only a CSV's headers."""
    if fmt not in PEOPLE_FORMATS:
        return "en"
    return lang or "zh"


@dataclass
class Result:
    """A computation's result: ``value`` (the core's own result object), its tables and its report."""

    name: str
    value: Any
    view: View
    #: Every file read to get here: ``write`` never writes over one of them.
    inputs: list[Path] = field(default_factory=list)
    #: Longest text an xlsx cell takes (the rules' ``input.max_text_chars``).
    max_text_chars: int = MAX_CELL_CHARS
    notes: list[str] = field(default_factory=list)
    found: list[Problem] = field(default_factory=list)
    #: Columns and ledgers the computation reads that were not given (refining: the result stands,
    #: without what each leaves out); listed first in the xlsx and html (``views.absent``).
    absences: list[Any] = field(default_factory=list)

    def report(self, fmt: str = "html", lang: str | None = None, **options: Any) -> Report:
        """The report this result writes as ``fmt`` (xlsx, html, csv, json), words in ``lang`` (xlsx and
        html; csv and json carry keys and English text whatever ``lang``)."""
        report = self.view(fmt, words_lang(lang, fmt), **options)
        if fmt in PEOPLE_FORMATS and self.absences:
            report = with_absences(report, self.absences, lang or "zh")
        return report

    @cached_property
    def _machine(self) -> Report:
        return self.report("csv", "en")

    @property
    def table(self) -> pd.DataFrame:
        """The primary table: what ``-o x.csv`` carries, in canonical English columns."""
        return self._machine.primary_table().ordered_frame()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the result by name, in canonical columns with coded values as keys: the tables
        the csv/json report carries, then every table the core's result holds."""
        named = {table.key: table.ordered_frame() for table in self._machine.tables()}
        if is_dataclass(self.value):
            for item in fields(self.value):
                frame = getattr(self.value, item.name)
                if isinstance(frame, pd.DataFrame):
                    named.setdefault(item.name, frame)
        return named

    @property
    def problems(self) -> pd.DataFrame:
        """Problems found while computing (warnings; errors raise ``DataError``)."""
        return public_frame(self.found)

    def write(self, target: str | Path, *, lang: str | None = None, mask: bool | None = None,
              raw_csv: bool = False, jobs: int = 1, **options: Any) -> list[str]:
        """Write the report to ``target`` (``-``: CSV on stdout), atomically, never over an input read.

        ``lang``: labels and words in xlsx/html (default Chinese); csv/json carry canonical English columns
        and keys, a csv with ``lang="zh"`` Chinese headers;
        ``mask``: mask ID numbers and phones (default: in xlsx/html only); ``raw_csv``: do not neutralise
        cells that look like formulas. Other keywords reach the view (``keeper_ledgers=False``).
        Returns the warnings met (text cut to fit a cell, ...).
        """
        target = str(target)
        fmt = output_format(target)
        report = self.report(fmt, lang, **options)
        return write_report(target, report, WriteOptions(lang=lang, mask=mask, raw_csv=raw_csv, inputs=self.inputs,
                                                         max_text_chars=self.max_text_chars, jobs=jobs))


@dataclass
class Allocated(Result):
    """An allocation's result; ``counts`` reconciles the customer ledger with it."""

    counts: Any = None
    month: str | None = None
    #: With other rules to compare (``allocate(compare=...)``): who changes keeper, tier or scope, the
    #: load change per keeper (``core.allocation_compare.AllocationComparison``).
    comparison: Any = None

    def write_books(self, target: str | Path, *, lang: str | None = None, mask: bool | None = None) -> tuple[int, int]:
        """Every keeper's ledger book (台账: cover, contents, weekly report form, customer basic information,
        follow-up record) as one printable html file, each book from a new page; returns (books, pages)."""
        language = lang or "zh"
        books = allocation_books(self.value, language, self.month)
        title = "客户维护台账" if language == "zh" else "Customer ledgers"
        options = WriteOptions(lang=language, mask=mask, inputs=self.inputs)
        return len(books), write_books(str(target), books, options, f"{title} {self.month or ''}".strip())


@dataclass
class Scored(Result):
    """A month's scores; ``comparison`` is the per-person what-if when other rules were given."""

    comparison: pd.DataFrame | None = None
