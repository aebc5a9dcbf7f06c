"""The customer lists' own dates held against the month a command computes.

A core-system export says its data's date above its header (``数据日期：2026年10月31日``;
``io.header``). ``score`` and ``report`` take the month from ``--month``: a month-end
list dated in another month (last month's list left in the folder, or next
month's export) would score and report the wrong month without a word. So each
sheet whose date disagrees is one warning (``ledger_dated_otherwise``): the
month-end list (客户清单) should be dated in the month, the month-start list
(月初客户清单) in the month before or on the month's first day. Sheets that give
no date are not judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Iterable, Protocol

import pandas as pd

from branchkit.problems import Problem

#: The lists whose dates are held against the month, and what each should be: "end" (in the month) or
#: "start" (in the month before, or the month's first day).
DATED = {"customers": "end", "customers_start": "start"}


class Dated(Protocol):
    """A sheet as read, with the date a line above its header gives (``io.ledger.SourceNote``)."""

    file: str
    sheet: str | None
    data_date: dt.date | None
    date_line: str | None


def dated_otherwise(sources: dict[str, Iterable[Dated]], month: pd.Period) -> list[Problem]:
    """A warning for each customer-list sheet (``sources``: per ledger kind) whose stated date does not fit
    ``month``."""
    problems = []
    for kind, when in DATED.items():
        for note in sources.get(kind, ()):
            if note.data_date is None or _fits(note.data_date, month, when):
                continue
            start = {}
            if when == "start":
                start = {"previous": str(month - 1), "first": month.start_time.date().isoformat()}
            problem = Problem.of("ledger_dated_otherwise", severity="warning", kind=kind,
                                 value=note.data_date.isoformat(), month=str(month), line=note.date_line, **start)
            problems.append(replace(problem, file=note.file, sheet=note.sheet, row=None))
    return problems


def _fits(day: dt.date, month: pd.Period, when: str) -> bool:
    if when == "end":
        return pd.Period(day, freq="M") == month
    return pd.Period(day, freq="M") == month - 1 or day == month.start_time.date()


__all__ = ["DATED", "Dated", "dated_otherwise"]
