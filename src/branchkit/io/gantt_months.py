"""The months of a Gantt's day columns (``io.gantt``): a day header that is a date or a month/day text
(11/3, 11月3日) is a day of that month; a label over the days (11月, merged over them) says theirs when the
labels name two months; plain day numbers in a second run (1..31 then 1..30) are the next month's. The
plan's month is the month most dated headers are of; the columns of other months are no days of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from branchkit.io.gantt import Layout

YEAR_MONTH = re.compile(r"(?P<y>\d{4})\s*(?:年\s*|[-/.]\s*)(?P<m>\d{1,2})(?:\s*月|(?!\d))")
MONTH_ONLY = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月")


def label_months(row: list[str], days: dict[int, int],
                 dated: dict[int, tuple[int | None, int]]) -> dict[int, tuple[int | None, int]]:
    """The month a label over each undated day column names (``10月``, ``2026年11月``, merged over its days:
    read filled), when the labels name two months or more (one label over them all is the sheet's title)."""
    out = {}
    for j in days:
        if j in dated or j >= len(row):
            continue
        text = row[j]
        match = YEAR_MONTH.search(text) or MONTH_ONLY.search(text)
        if match and 1 <= int(match["m"]) <= 12:
            out[j] = (int(match["y"]) if "y" in match.groupdict() and match["y"] else None, int(match["m"]))
    return out if len({m for _, m in out.values()}) >= 2 else {}


def run_offsets(days: dict[int, int], known: set[int]) -> dict[int, int]:
    """Plain day numbers (no month said) in runs of their own, a run starting where the day goes back
    (1..31 then 1..30; 26..30 then 1..31): per column of a run other than the longest (the month's; the
    first of equal ones), how many months after it (before: negative). Empty for one run."""
    plain = [j for j in sorted(days) if j not in known]
    runs: list[list[int]] = []
    for j in plain:
        if not runs or days[j] <= days[runs[-1][-1]]:
            runs.append([])
        runs[-1].append(j)
    if len(runs) < 2:
        return {}
    own = max(range(len(runs)), key=lambda i: (len(runs[i]), -i))
    return {j: i - own for i, run in enumerate(runs) if i != own for j in run}


def other_month_days(layout: Layout, month: tuple[int, int]) -> dict[str, object] | None:
    """Leave out of ``layout.days`` the day columns of months other than the plan's (a date or 11/3 in the
    header, a label 11月 over them, a second run of day numbers); the warning's parameters (how many
    columns, of which months), or None when every day column is the month's."""
    here = month[0] * 12 + month[1] - 1
    found: dict[int, int] = {}
    for j, (_, number) in {**layout.label_months, **layout.header_months}.items():
        # By the month alone, in the year nearest the plan's (12/29 before January is December's; a date
        # copied with last year's year is still this October's day)
        found[j] = _nearest_year(number, month) * 12 + number - 1
    found.update({j: here + k for j, k in layout.run_offsets.items()})
    other = {j: m for j, m in found.items() if m != here and j in layout.days}
    if not other:
        return None
    for j in other:
        del layout.days[j]
    counts: dict[int, int] = {}
    for m in other.values():
        counts[m] = counts.get(m, 0) + 1
    shown = tuple(f"{m // 12}-{m % 12 + 1:02d} ({n})" for m, n in sorted(counts.items()))
    return {"columns": len(other), "months": shown, "month": f"{month[0]}-{month[1]:02d}"}


def dated_month(layout: Layout, title: tuple[int, int] | None) -> tuple[int | None, int] | None:
    """The month most dated day headers are of (the title's among equals, else the first), with its year
    (the title's when the headers do not say it); None without dated headers."""
    if not layout.header_months:
        return None
    counts: dict[int, int] = {}
    for _, number in layout.header_months.values():
        counts[number] = counts.get(number, 0) + 1
    most = max(counts.values())
    tied = [m for m in counts if counts[m] == most]
    number = title[1] if title is not None and title[1] in tied else tied[0]
    if title is not None:       # the title's year (dates copied from last year's sheet keep their year)
        return _nearest_year(number, title), number
    years = sorted({y for y, m in layout.header_months.values() if m == number and y is not None})
    return (years[0] if years else None), number


def _nearest_year(number: int, month: tuple[int, int]) -> int:
    """The year of month ``number`` nearest ``month`` (year, month): 12 before 2027-01 is 2026's."""
    here = month[0] * 12 + month[1] - 1
    return min((month[0] - 1, month[0], month[0] + 1), key=lambda y: abs(y * 12 + number - 1 - here))
