"""The slip notes of a Gantt's day cells (延迟至15日, →15, 延迟至11月5日): the date each names.

``with_slips`` reads each cell's note by the rules' ``[plan] slip_patterns`` (day, and month and year
when written); ``slip_dates`` dates them against each cell's plan month. Used by the reader of one sheet
(``io.gantt``) and by the batch of many (``io.gantt_batch``) alike, so both read a note the same way.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from branchkit.rules import Rules


def with_slips(long: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Day cells (``action``) with the date each slipped to as written (``slip_day``, and ``slip_month``,
    ``slip_year`` when the note names them; NaN where not), by the rules' slip patterns, and whether it
    slipped at all (a slip day, or a slip word). A pattern's groups ``day``, ``month`` and ``year`` give
    them; a pattern without a ``day`` group gives the day by its first group. The first pattern that finds
    a day in a cell gives its whole date."""
    text = long["action"].str.normalize("NFKC")
    found = pd.DataFrame(np.nan, index=long.index, columns=["slip_day", "slip_month", "slip_year"])
    for pattern in rules.plan.slip_patterns:
        parts = text.str.extract(pattern, expand=True)
        day = parts["day"] if "day" in parts else parts[parts.columns[0]]
        new = found["slip_day"].isna() & pd.to_numeric(day, errors="coerce").notna()
        if not new.any():
            continue
        for column, group in (("slip_day", None), ("slip_month", "month"), ("slip_year", "year")):
            values = day if group is None else parts[group] if group in parts else None
            if values is not None:
                found.loc[new, column] = pd.to_numeric(values[new], errors="coerce")
    words = "|".join(re.escape(w) for w in rules.plan.slip_words) or r"(?!)"
    long[["slip_day", "slip_month", "slip_year"]] = found
    long["slipped"] = found["slip_day"].notna() | text.str.contains(words, regex=True)
    return long


def slip_dates(cells: pd.DataFrame, year: np.ndarray, month: np.ndarray) -> pd.Series:
    """The date each cell's slip note names, given each cell's plan (``year``, ``month``; 0 where the
    plan's month is not known); set on ``cells`` too: ``slip_bad`` where the note names a date that does
    not exist (11月31日, 13月5日), ``slip_month_named`` (YYYY-MM) the month it names.

    A note with a day alone (延迟至15日, →15) is a day of the plan's month. A note that names a month
    (延迟至11月5日, →11.5) is that month: of the year the note names (2026年11月5日), else of the year that
    puts it nearest the plan's month, a tie going forward (a slip moves work later): in a December plan
    1月5日 is next January, in an October plan 9月5日 is this September (then an earlier day: an error)
    and 4月 next April. Written so that both the reader of one sheet and the batch of many use it."""
    day = cells["slip_day"].to_numpy(dtype="float64", na_value=np.nan)
    named_month = cells["slip_month"].to_numpy(dtype="float64", na_value=np.nan)
    named_year = cells["slip_year"].to_numpy(dtype="float64", na_value=np.nan)
    known = (month > 0) & ~np.isnan(day)
    m = np.where(np.isnan(named_month), month, named_month)
    nearest = year + np.floor((month - m + 6) / 12)
    y = np.where(np.isnan(named_year), nearest, named_year)
    good_month = known & (m >= 1) & (m <= 12) & (y >= 1900) & (y <= 2100)
    last = np.zeros(len(day), dtype="int64")
    if good_month.any():
        first = (y[good_month].astype("int64") - 1970) * 12 + m[good_month].astype("int64") - 1
        starts = first.astype("datetime64[M]")
        last[good_month] = ((starts + 1).astype("datetime64[D]") - starts.astype("datetime64[D]")).astype("int64")
    ok = good_month & (day >= 1) & (day <= last)
    out = np.full(len(day), np.datetime64("NaT"), dtype="datetime64[s]")
    if ok.any():
        months = ((y[ok].astype("int64") - 1970) * 12 + m[ok].astype("int64") - 1).astype("datetime64[M]")
        out[ok] = months.astype("datetime64[D]").astype("datetime64[s]") + \
            (day[ok].astype("int64") - 1) * np.timedelta64(1, "D")
    cells["slip_bad"] = known & ~ok
    shown = pd.Series(y, index=cells.index).astype("Int64").astype("str") + "-" + \
        pd.Series(m, index=cells.index).astype("Int64").astype("str").str.zfill(2)
    cells["slip_month_named"] = shown.where(known)
    return pd.Series(out, index=cells.index)
