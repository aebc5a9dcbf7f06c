"""Working days: weekdays minus the rules' holidays plus make-up days; a month with none is a problem."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from branchkit.core.calendar import in_month, parse_month, working_days
from branchkit.errors import UsageError
from branchkit.rules import CalendarRules

OCTOBER = pd.Period("2026-10", freq="M")


def _calendar(holidays=(), extra=()) -> CalendarRules:
    return CalendarRules(holidays=list(holidays), extra_workdays=list(extra))


def test_weekdays_without_holidays():
    # October 2026 starts on a Thursday: 1-2, 5-9, 12-16, 19-23, 26-30 = 2 + 4 * 5 = 22 weekdays.
    assert len(working_days(OCTOBER, _calendar())) == 22


def test_holidays_removed_and_make_up_saturday_added(city_rules):
    days = working_days(OCTOBER, city_rules.calendar)
    # 22 weekdays - 5 weekday holidays (1, 2, 5, 6, 7) + Saturday 10 = 18.
    assert [d.day for d in days] == [8, 9, 10, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30]


def test_a_holiday_on_a_weekend_and_days_of_other_months_change_nothing():
    calendar = _calendar(holidays=[dt.date(2026, 10, 3), dt.date(2026, 11, 2)], extra=[dt.date(2026, 9, 27)])
    assert len(working_days(OCTOBER, calendar)) == 22


def test_a_month_of_holidays_has_no_working_day():
    every_day = [d.date() for d in pd.date_range("2026-10-01", "2026-10-31")]
    assert len(working_days(OCTOBER, _calendar(holidays=every_day))) == 0


def test_february_of_a_leap_year():
    assert len(working_days(pd.Period("2028-02", freq="M"), _calendar())) == 21


@pytest.mark.parametrize("text", ["2026-10", "2026/10", "2026.10", "2026年10月", " 2026-1 "])
def test_month_forms(text):
    assert parse_month(text).year == 2026


@pytest.mark.parametrize("text", ["2026-13", "10/2026", "2026", "october", ""])
def test_a_bad_month_is_a_usage_error_saying_the_form(text):
    with pytest.raises(UsageError, match="YYYY-MM"):
        parse_month(text)


def test_in_month_includes_the_last_day_and_excludes_missing_dates():
    dates = pd.Series(pd.to_datetime(["2026-10-01", "2026-10-31", "2026-09-30", "2026-11-01", None]))
    assert in_month(dates, OCTOBER).tolist() == [True, True, False, False, False]
