"""The sample month: its days, working days and illustrative public holidays.

Chinese public holidays move every year by State Council notice, and the
lunar ones (Spring Festival, Qingming, Dragon Boat, Mid-Autumn) need a lunar
calendar. The sample only needs a plausible calendar, so it knows the three
fixed-date holidays (New Year, Labour Day, National Day) and puts the
make-up working day (调休) on the first Saturday after a long break. The
written ``rules.toml`` says these dates are illustrative.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from branchkit.errors import UsageError

# month -> (first, last) day of the fixed-date holiday break in that month
_HOLIDAY_BREAKS = {1: (1, 1), 5: (1, 5), 10: (1, 7)}
# a break at least this long is made up by working the Saturday after it
_MAKE_UP_MIN_DAYS = 5


@dataclass(frozen=True)
class SampleMonth:
    """One calendar month, with the working days of Chinese branches."""

    year: int
    month: int

    @property
    def label(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> dt.date:
        """The first day of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the month (the month-end snapshot date)."""
        return dt.date(self.year, self.month, _cal.monthrange(self.year, self.month)[1])

    @cached_property
    def days(self) -> tuple[dt.date, ...]:
        """Every day of the month."""
        return tuple(dt.date(self.year, self.month, d) for d in range(1, self.end.day + 1))

    @cached_property
    def holidays(self) -> tuple[dt.date, ...]:
        """Illustrative public holidays of the month (fixed-date ones only)."""
        first, last = _HOLIDAY_BREAKS.get(self.month, (0, -1))
        return tuple(d for d in self.days if first <= d.day <= last)

    @cached_property
    def extra_workdays(self) -> tuple[dt.date, ...]:
        """Weekend days worked to make up a long break (the Saturday after it)."""
        if len(self.holidays) < _MAKE_UP_MIN_DAYS:
            return ()
        after = [d for d in self.days if d > self.holidays[-1] and d.weekday() == 5]
        return tuple(after[:1])

    @cached_property
    def workdays(self) -> tuple[dt.date, ...]:
        """Monday to Friday, minus holidays, plus make-up working days."""
        return tuple(
            d for d in self.days
            if (d.weekday() < 5 and d not in self.holidays) or d in self.extra_workdays
        )

    def shift(self, months: int) -> "SampleMonth":
        """The month ``months`` later (negative: earlier)."""
        index = self.year * 12 + self.month - 1 + months
        return SampleMonth(index // 12, index % 12 + 1)


def parse_month(text: str) -> SampleMonth:
    """``YYYY-MM`` -> SampleMonth, or a UsageError saying what is expected."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1901 <= int(match.group(1)) <= 2099:
        raise UsageError(f"--month {text!r} is not a month", hint="give it as YYYY-MM, e.g. 2026-10")
    return SampleMonth(int(match.group(1)), int(match.group(2)))


def zh_date(day: dt.date) -> str:
    """A date as ledgers title it: ``2026年10月31日``."""
    return f"{day.year}年{day.month}月{day.day}日"
