"""Dates as ledgers hold them beyond the plain forms (``io.dates.to_date``): written without their year, plain
numbers or a year alone typed into a date column, dates with a time zone (a library caller's column).

A hand-kept register saved as CSV from a column formatted 10月15日 loses its year; Excel keeps a date typed
as 10.16 as the number 10.16 (which, as a date serial, is 1900-01-10). Read with the command's month, the
first are dates of that month or the eleven before it, each a warning; without it, an error. The second
are never dates."""

from __future__ import annotations

import pandas as pd
import pytest

import branchkit
from branchkit.io.dates import to_date
from branchkit.messages import render


def _text(*cells: str) -> pd.Series:
    return pd.Series(list(cells), dtype="str")


@pytest.mark.parametrize(("cell", "month", "read"), [
    ("10月15日", (2026, 10), "2026-10-15"), ("10.16", (2026, 10), "2026-10-16"), ("10/18", (2026, 10), "2026-10-18"),
    ("10-18", (2026, 10), "2026-10-18"), ("１０月１５日", (2026, 10), "2026-10-15"), (" 10 月 5 号", (2026, 10), "2026-10-05"),
    # the month itself is this year's; the month after it is last year's
    ("11月3日", (2026, 10), "2025-11-03"), ("1月2日", (2026, 1), "2026-01-02"), ("12月31日", (2026, 1), "2025-12-31"),
    ("12月31日", (2026, 12), "2026-12-31"),
])
def test_a_date_without_its_year_is_read_in_the_twelve_months_to_the_month(cell, month, read):
    out, bad = to_date(_text(cell), month=month)
    assert out.iloc[0] == pd.Timestamp(read)
    assert bad.codes == ["date_year_assumed"]
    assert bad.messages == [f"a date without its year, read as {read} (in the twelve months to "
                            f"{month[0]}-{month[1]:02d})"]


def test_without_a_month_it_is_an_error_and_a_day_the_month_lacks_is_no_date():
    out, bad = to_date(_text("10月15日", "10.16", "2026-10-17"))
    assert out.isna().tolist() == [True, True, False]
    assert bad.codes == ["date_without_year", "date_without_year"]
    assert bad.messages[0].startswith("a date without its year: write the year (e.g. 2026-10-15)")
    out, bad = to_date(_text("2月30日", "13月1日"), month=(2026, 10))
    assert out.isna().all() and bad.codes == ["bad_date", "bad_date"]


def test_a_leading_year_out_of_range_is_said_so_and_nothing_else_is():
    # '10.16' once read its first four characters as a year ("before 1900 or after 2100")
    _, bad = to_date(_text("1850-01-01", "2200/1/1", "10.16x", "abc"))
    assert bad.codes == ["date_out_of_range", "date_out_of_range", "bad_date", "bad_date"]


@pytest.mark.parametrize(("number", "date1904", "read"), [
    (10.16, False, None), (15, False, None), (1, False, None), (366, False, None), (367, False, "1901-01-01"),
    (45945, False, "2025-10-15"), (365, True, None), (366, True, "1905-01-01"),
])
def test_a_number_in_the_epochs_first_year_is_no_date(number, date1904, read):
    out, bad = to_date(pd.Series([number], dtype=object), date1904=date1904)
    if read is None:
        assert pd.isna(out.iloc[0]) and bad.codes == ["bad_date"]
        assert bad.messages[0].startswith("a number, not a date: as an Excel date it would fall in "
                                          f"{1904 if date1904 else 1900}")
    else:
        assert out.iloc[0] == pd.Timestamp(read) and not bad.codes


def test_a_register_read_for_a_month_uses_its_yearless_rows_with_a_warning_each(tmp_path):
    path = tmp_path / "拜访记录.csv"
    path.write_text("拜访日期,客户经理,客户名称,拜访方式\n10月15日,杨轩强,甲公司,上门\n2026-10-17,杨轩强,甲公司,上门\n"
                    "11月3日,杨轩强,甲公司,上门\n", encoding="utf-8")
    ledgers = branchkit.read(path, month="2026-10")
    visits = ledgers.used("visits")
    assert visits["visit_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-15", "2026-10-17", "2025-11-03"]
    found = ledgers.log.frame()
    assumed = found[found["code"] == "date_year_assumed"]
    assert assumed["row"].tolist() == [2, 4] and set(assumed["severity"]) == {"warning"}
    alone = branchkit.read(path)                                            # no month: rows 2 and 4 rejected
    assert alone.used("visits")["visit_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-17"]
    assert render("date_year_assumed", "zh", {"column": "拜访日期", "value": "10月15日"}) == \
        "“拜访日期”的值“10月15日”未写年份，按计算月份及其前十一个月读取"


@pytest.mark.parametrize(("value", "read"), [
    (1899, "1905-03-13"), (1900, None), (2024, None), (2100, None), (2101, "1905-10-01"), (2024.5, "1905-07-16"),
    ("2024", None), ("45356", "2024-03-05"),
])
def test_a_year_alone_in_a_date_column_is_no_date(value, read):
    # 2024 typed into 开户日期 was read as serial 2024, 1905-07-16; a whole number 1900-2100 is a year
    out, bad = to_date(pd.Series([value], dtype=object))
    if read is None:
        assert pd.isna(out.iloc[0]) and bad.codes == ["bad_date"]
        assert bad.messages[0] == "a year alone, not a date: write the whole date, e.g. 2024-03-05"
    else:
        assert out.iloc[0] == pd.Timestamp(read) and not bad.codes


def test_dates_with_a_time_zone_are_the_dates_their_own_clocks_show():
    # a library caller's tz-aware column raised pandas' TypeError out of branchkit.open
    import datetime as dt

    east8 = dt.timezone(dt.timedelta(hours=8))
    aware = pd.Series(pd.to_datetime(["2020-01-01 23:30", "2021-05-06 00:10"]).tz_localize("Asia/Shanghai"))
    mixed = pd.Series([dt.datetime(2020, 1, 1, 23, 30, tzinfo=east8), dt.datetime(2021, 5, 6, 1, tzinfo=dt.timezone.utc),
                       dt.date(2022, 1, 2)], dtype=object)
    for values, expected in ((aware, ["2020-01-01", "2021-05-06"]), (mixed, ["2020-01-01", "2021-05-06", "2022-01-02"])):
        out, bad = to_date(values)
        assert out.dt.strftime("%Y-%m-%d").tolist() == expected and not bad.codes
    customers = pd.DataFrame({"客户号": ["001"], "客户名称": ["甲"], "客户类型": ["个人"], "存款余额": [10],
                              "开户日期": aware.iloc[:1]})
    assert branchkit.open(customers=customers).used("customers")["open_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2020-01-01"]
