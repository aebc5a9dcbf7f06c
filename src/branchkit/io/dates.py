"""A ledger's date column converted (``to_date``): Excel dates, serial numbers and dates written as text, each
problem with its row, as the other converters of ``io.convert`` do."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from branchkit.io.convert import Bad, _all_text, _is_blank, _numbers, _types
from branchkit.io.excel import EXCEL_EPOCH
from branchkit.text import WHITE_SPACE, per_distinct

_EXCEL_1900 = pd.Timestamp(EXCEL_EPOCH)
_EXCEL_1904 = pd.Timestamp("1904-01-01")
MIN_YEAR, MAX_YEAR = 1900, 2100


#: A date written without its year (a CSV saved from a column formatted 10月15日): 10月15日, 10.15, 10/15, 10-15.
_NO_YEAR = r"^(\d{1,2})(?:月|[/.\-])(\d{1,2})[日号]?$"
#: Codes of the converters' problems that are warnings (the row is used), not errors.
WARNING_CODES = frozenset({"date_year_assumed"})


def to_date(values: pd.Series, *, date1904: bool = False,
            month: tuple[int, int] | None = None) -> tuple[pd.Series, Bad]:
    """Dates as Excel dates, serial numbers, 2024-03-05, 2024/3/5, 2024年3月5日, 20240305, 2025.2.18.

    A date written without its year (10月15日, 10.15, 10/15) is read, given the command's ``month``, as the
    day of that month or of the eleven before it (10月15日 in a run for 2026-10 is 2026-10-15, 11月3日 is
    2025-11-03), each a ``date_year_assumed`` warning naming the date it was read as; without a month it
    is an error (``date_without_year``). A plain number that as an Excel serial would fall in the epoch's
    first year (10.16 or 15 typed into a date column: 1900-01-10, 1900-01-15) is no date: an error. Text of
    one to five digits (a CSV or HTML export of a date column formatted General writes 45356) is read as the
    serial number it is, in the workbook's date system (a CSV's: 1900, Excel's default), as a number cell."""
    bad = Bad()
    types = _types(values)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    native = pd.Series(False, index=values.index) if _all_text(values) else \
        types.isin([dt.date, dt.datetime, pd.Timestamp])
    if native.any():
        out, bad = _native_dates(values[native], out, bad)
    num = _numbers(values, types)
    if num.any():
        out, bad = _serial_dates(values[num].astype("float64"), values, out, bad, date1904)
    written = (types == str) & ~_is_blank(values, types)
    serial = _serial_text(values, written)
    text = written if serial is None else written & ~written.index.isin(serial.index)
    if serial is not None:
        out, bad = _serial_dates(serial, values, out, bad, date1904)
    if text.any():
        parsed = per_distinct(values[text].astype("str"), _parse_date_text)   # a few thousand dates
        failed = parsed.isna()
        yearless = _without_year(values[text][failed], month, bad, values) if failed.any() else None
        if yearless is not None:
            parsed[yearless.index] = yearless
        out[text] = parsed
        failed = parsed.isna() & ~parsed.index.isin(yearless.index if yearless is not None else [])
        # a leading year (four digits) outside the years allowed: 1850-01-01, 2200/1/1
        raw_years = pd.to_numeric(values[text][failed].astype("str").str.strip().str.extract(
            r"^(\d{4})(?!\d)", expand=False), errors="coerce")
        out_of_range = (raw_years.notna() & ~raw_years.between(MIN_YEAR, MAX_YEAR)).reindex(
            parsed.index, fill_value=False)
        bad.add(out_of_range, values, "date_out_of_range", f"the date is before {MIN_YEAR} or after {MAX_YEAR}")
        bad.add(failed & ~out_of_range, values, "bad_date",
                "expected a date such as 2024-03-05, 2024/3/5, 2024年3月5日 or 20240305")
    other = ~(native | num | written | _is_blank(values, types))
    bad.add(other, values, "bad_date", "expected a date")
    return out, bad


def _native_dates(values: pd.Series, out: pd.Series, bad: Bad) -> tuple[pd.Series, Bad]:
    """Date cells: kept when between the years allowed, the time of day dropped. A date with a time zone (a
    library caller's tz-aware column) is the date its own clock shows there."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    years = values.map(lambda v: v.year)
    in_range = years.between(MIN_YEAR, MAX_YEAR)
    bad.add(~in_range, values, "date_out_of_range", f"the date is before {MIN_YEAR} or after {MAX_YEAR}")
    ok = values[in_range]
    if len(ok):
        try:
            dates = pd.to_datetime(ok.astype("object"), errors="coerce")
            if isinstance(dates.dtype, pd.DatetimeTZDtype):
                dates = dates.dt.tz_localize(None)
            dates = dates.dt.normalize().astype("datetime64[s]")
        except (TypeError, ValueError):
            # dates of several time zones in one column (tz-aware objects): each its own clock's, one by one
            naive = ok.map(lambda v: v.replace(tzinfo=None) if getattr(v, "tzinfo", None) is not None else v)
            dates = pd.to_datetime(naive.astype("object"), errors="coerce").dt.normalize().astype("datetime64[s]")
        out[ok.index] = dates
    return out, bad


#: Text that is an Excel date serial (45356 is 2024-03-05): one to five digits; eight are 20240305.
_SERIAL_TEXT = r"\d{1,5}"


def _serial_text(values: pd.Series, text: pd.Series) -> pd.Series | None:
    """The text cells of one to five digits (``_SERIAL_TEXT``, full-width ones too) as numbers, or None."""
    if not text.any():
        return None
    cells = values[text].astype("str").str.normalize("NFKC").str.strip()
    serial = cells.str.fullmatch(_SERIAL_TEXT, flags=re.ASCII).fillna(False).astype(bool)
    return cells[serial].astype("float64") if serial.any() else None


def _serial_dates(numbers: pd.Series, values: pd.Series, out: pd.Series, bad: Bad,
                  date1904: bool) -> tuple[pd.Series, Bad]:
    """Numbers in a date column (``numbers``, of cells of ``values``): 20240305 typed as a number, or an
    Excel date serial."""
    ymd = (numbers % 1 == 0) & numbers.between(19000101, 21001231)
    if ymd.any():
        out[numbers[ymd].index] = _parse_date_text(numbers[ymd].map(lambda v: str(int(v))))
    serial = numbers[~ymd]
    # A whole number 1900-2100 is a year typed alone (开户日期 2024), not serial 2024 (1905-07-16): no date
    # of a bank's ledger falls in 1905, and a cell formatted as a date reaches here as a date, not a number.
    year = (serial % 1 == 0) & serial.between(1900, 2100)
    if year.any():
        bad.add(year.reindex(values.index, fill_value=False), values, "bad_date",
                "a year alone, not a date: write the whole date, e.g. 2024-03-05")
        serial = serial[~year]
    plausible = serial.between(0 if date1904 else 1, 71950 if date1904 else 73415)  # up to 2100-12-31
    days = np.floor(serial[plausible])
    if date1904:
        dates = _EXCEL_1904 + pd.to_timedelta(days, unit="D")
    else:
        # Excel's 1900 system counts a 29 February 1900 that never was: serials below 60 are a day early.
        dates = _EXCEL_1900 + pd.to_timedelta(days + (days < 60), unit="D")
    # a serial in the epoch's first year is a number typed into a date column (10.16, 15), not a date
    first_year = dates.dt.year == (1904 if date1904 else 1900)
    out[dates.index[~first_year]] = dates[~first_year].astype("datetime64[s]")
    bad.add(~plausible, values, "date_out_of_range", "the number is not a date serial between 1900 and 2100")
    bad.add(first_year.reindex(values.index, fill_value=False), values, "bad_date",
            f"a number, not a date: as an Excel date it would fall in {1904 if date1904 else 1900} (a date typed "
            "as 10.16 is a number to Excel); write the date, e.g. 2026-10-16")
    return out, bad


def _without_year(text: pd.Series, month: tuple[int, int] | None, bad: Bad, values: pd.Series) -> pd.Series | None:
    """The dates of ``text`` written without their year, read in the twelve months to ``month`` (each a
    ``date_year_assumed`` warning naming its date), or, without a month, each a ``date_without_year``
    error; None when there are none. A day the month lacks (2月30日) is left to ``bad_date``."""
    found = text.str.normalize("NFKC").str.replace(_SPACE, "", regex=True).str.extract(_NO_YEAR)
    hit = found[0].notna()
    if not hit.any():
        return None
    if month is None:
        bad.add(hit, values, "date_without_year", "a date without its year: write the year (e.g. 2026-10-15); "
                "score, report, plan and allocate --month read it in the twelve months to their month")
        return pd.Series(pd.NaT, index=text.index[hit], dtype="datetime64[s]")
    m, d = found[0][hit].astype("int64"), found[1][hit].astype("int64")
    year = np.where(m <= month[1], month[0], month[0] - 1)
    dates = pd.to_datetime(pd.DataFrame({"year": year, "month": m, "day": d}, index=m.index),
                           errors="coerce").astype("datetime64[s]")
    read = dates.dropna()
    # one warning per cell naming its date, built whole-column (Bad.add takes one message per call)
    bad.rows.extend(read.index.tolist())
    bad.codes.extend(["date_year_assumed"] * len(read))
    bad.messages.extend(("a date without its year, read as " + read.dt.strftime("%Y-%m-%d")
                         + f" (in the twelve months to {month[0]}-{month[1]:02d})").tolist())
    bad.values.extend(values[read.index].tolist())
    return read


def _parse_date_text(text: pd.Series) -> pd.Series:
    """Dates written as text; ISO dates take the fast path, the other forms are normalised first."""
    s = text.str.normalize("NFKC").str.strip().str.lower()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    iso = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    if iso.any():
        result[iso] = pd.to_datetime(s[iso], format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    rest = s[~iso]
    if len(rest):
        result[rest.index] = _parse_other_dates(rest)
    return result.where(result.dt.year.between(MIN_YEAR, MAX_YEAR))


#: Python's ``\s`` (the characters ``str.isspace`` takes) as a class of the characters themselves: pandas runs
#: a pattern holding ``\s`` through Python's ``re`` cell by cell (RE2's ``\s`` is ASCII), this one in Arrow.
#: ``_parse_other_dates`` of the 21,803 distinct dates written as text of the 200,000-customer list (both sheets):
#: 0.059-0.061 -> 0.040-0.041 s CPU (3 runs).
_SPACE = f"[{WHITE_SPACE}]"


def _parse_other_dates(s: pd.Series) -> pd.Series:
    compact = s.str.fullmatch(r"\d{8}").fillna(False).astype(bool)
    s = s.where(~compact, s.str.slice(0, 4) + "-" + s.str.slice(4, 6) + "-" + s.str.slice(6, 8))
    s = s.str.replace(f"{_SPACE}*[年月/.]{_SPACE}*", "-", regex=True)
    s = s.str.replace(f"{_SPACE}*[日号]{_SPACE}*", " ", regex=True)
    s = s.str.replace(r"[ t]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", regex=True).str.strip()
    valid = s.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}").fillna(False).astype(bool)
    years = pd.to_numeric(s.str.slice(0, 4), errors="coerce")
    valid &= years.between(MIN_YEAR, MAX_YEAR)
    parsed = pd.to_datetime(s.where(valid), format="%Y-%m-%d", errors="coerce")
    return parsed.astype("datetime64[s]")
