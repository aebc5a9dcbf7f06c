"""A ledger's date column converted (``to_date``): Excel dates, serial numbers and dates written as text, each
problem with its row, as the other converters of ``io.convert`` do."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from branchkit.io.convert import Bad, _all_text, _is_blank, _numbers, _types
from branchkit.io.excel import EXCEL_EPOCH
from branchkit.text import WHITE_SPACE, per_distinct

_EXCEL_1900 = pd.Timestamp(EXCEL_EPOCH)
_EXCEL_1904 = pd.Timestamp("1904-01-01")
MIN_YEAR, MAX_YEAR = 1900, 2100


def to_date(values: pd.Series, *, date1904: bool = False) -> tuple[pd.Series, Bad]:
    """Dates as Excel dates, serial numbers, 2024-03-05, 2024/3/5, 2024年3月5日, 20240305, 2025.2.18."""
    bad = Bad()
    types = _types(values)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    native = pd.Series(False, index=values.index) if _all_text(values) else \
        types.isin([dt.date, dt.datetime, pd.Timestamp])
    if native.any():
        out, bad = _native_dates(values[native], out, bad)
    num = _numbers(values, types)
    if num.any():
        out, bad = _serial_dates(values, num, out, bad, date1904)
    text = (types == str) & ~_is_blank(values, types)
    if text.any():
        parsed = per_distinct(values[text].astype("str"), _parse_date_text)   # a few thousand dates
        out[text] = parsed
        failed = parsed.isna()
        raw_years = pd.to_numeric(values[text][failed].astype("str").str.strip().str.slice(0, 4), errors="coerce")
        out_of_range = (raw_years.notna() & ~raw_years.between(MIN_YEAR, MAX_YEAR)).reindex(
            parsed.index, fill_value=False)
        bad.add(out_of_range, values, "date_out_of_range", f"the date is before {MIN_YEAR} or after {MAX_YEAR}")
        bad.add(parsed.isna() & ~out_of_range, values, "bad_date",
                "expected a date such as 2024-03-05, 2024/3/5, 2024年3月5日 or 20240305")
    other = ~(native | num | text | _is_blank(values, types))
    bad.add(other, values, "bad_date", "expected a date")
    return out, bad


def _native_dates(values: pd.Series, out: pd.Series, bad: Bad) -> tuple[pd.Series, Bad]:
    """Date cells: kept when between the years allowed, the time of day dropped."""
    years = values.map(lambda v: v.year)
    in_range = years.between(MIN_YEAR, MAX_YEAR)
    bad.add(~in_range, values, "date_out_of_range", f"the date is before {MIN_YEAR} or after {MAX_YEAR}")
    ok = values[in_range]
    if len(ok):
        out[ok.index] = pd.to_datetime(ok.astype("object"), errors="coerce").dt.normalize().astype("datetime64[s]")
    return out, bad


def _serial_dates(values: pd.Series, num: pd.Series, out: pd.Series, bad: Bad,
                  date1904: bool) -> tuple[pd.Series, Bad]:
    """Numbers in a date column: 20240305 typed as a number, or an Excel date serial."""
    numbers = values[num].astype("float64")
    ymd = (numbers % 1 == 0) & numbers.between(19000101, 21001231)
    if ymd.any():
        out[numbers[ymd].index] = _parse_date_text(numbers[ymd].map(lambda v: str(int(v))))
    serial = numbers[~ymd]
    plausible = serial.between(0 if date1904 else 1, 71950 if date1904 else 73415)  # up to 2100-12-31
    days = np.floor(serial[plausible])
    if date1904:
        dates = _EXCEL_1904 + pd.to_timedelta(days, unit="D")
    else:
        # Excel's 1900 system counts a 29 February 1900 that never was: serials below 60 are a day early.
        dates = _EXCEL_1900 + pd.to_timedelta(days + (days < 60), unit="D")
    out[dates.index] = dates.astype("datetime64[s]")
    bad.add(~plausible, values, "date_out_of_range", "the number is not a date serial between 1900 and 2100")
    return out, bad


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
