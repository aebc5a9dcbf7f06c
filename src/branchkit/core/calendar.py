"""The month a command computes, and its working days.

Working days are Monday to Friday, minus the rules' holidays, plus the rules'
make-up working days (调休). A month left with no working day is reported by
the caller as a problem; nothing here divides by the count.
"""

from __future__ import annotations

import re

import pandas as pd

from branchkit.errors import UsageError
from branchkit.rules import CalendarRules

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def parse_month(text: str) -> pd.Period:
    """``2026-10`` (also ``2026/10``, ``2026年10月``) as a monthly period; a usage error otherwise."""
    match = _MONTH.match(str(text))
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month {text!r} is not a month; write it as YYYY-MM, e.g. 2026-10")
    return pd.Period(year=int(match.group(1)), month=int(match.group(2)), freq="M")


def month_days(month: pd.Period) -> pd.DatetimeIndex:
    """Every calendar day of the month."""
    return pd.date_range(month.start_time.normalize(), month.end_time.normalize(), freq="D")


def working_days(month: pd.Period, calendar: CalendarRules) -> pd.DatetimeIndex:
    """The month's working days: weekdays minus holidays plus make-up working days."""
    days = month_days(month)
    holidays = pd.DatetimeIndex(pd.to_datetime(list(calendar.holidays)))
    extra = pd.DatetimeIndex(pd.to_datetime(list(calendar.extra_workdays)))
    weekday = days.day_of_week < 5
    working = (weekday & ~days.isin(holidays)) | days.isin(extra)
    return days[working]


def in_month(dates: pd.Series, month: pd.Period) -> pd.Series:
    """Whether each date falls in the month (missing dates: False)."""
    values = pd.to_datetime(dates, errors="coerce")
    inside = (values >= month.start_time) & (values <= month.end_time)
    return inside.fillna(False).astype(bool)
