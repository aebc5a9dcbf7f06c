"""core.dated: a customer list's stated date (数据日期 above its header) held against the month computed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.core.dated import dated_otherwise
from branchkit.io.header import find_header
from branchkit.io.ledger import SourceNote
from branchkit.models.aliases import alias_index
from branchkit.rules import load_rules

OCTOBER = pd.Period("2026-10", freq="M")
HEADER = ["客户号", "客户名称", "存款余额"]


def _date(*lines: str) -> tuple[dt.date | None, str | None]:
    match = find_header([[line] for line in lines] + [HEADER], alias_index("customers", load_rules()), ["customer_id"])
    return match.data_date, match.date_line


@pytest.mark.parametrize(("line", "day", "said"), [
    ("数据日期：2026年10月31日", dt.date(2026, 10, 31), "数据日期：2026年10月31日"),
    ("统计日期:2026/10/30", dt.date(2026, 10, 30), "统计日期:2026/10/30"),
    ("截至2026-10-31", dt.date(2026, 10, 31), "截至2026-10-31"),
    ("截止日期 2026.10.31", dt.date(2026, 10, 31), "截止日期 2026.10.31"),
    ("江城分行2026年12月末存量客户清单", dt.date(2026, 12, 31), "2026年12月末"),
    ("2024年2月末", dt.date(2024, 2, 29), "2024年2月末"),
    ("制表日期：2026-11-02", None, None), ("打印日期：2026-11-02", None, None), ("日期：2026-10-31", None, None),
    ("数据日期：2026年2月30日", None, None), ("2026年13月末", None, None),
])
def test_the_data_date_above_the_header(line, day, said):
    assert _date("江城分行客户清单", line) == (day, said)


def test_two_different_dates_give_none_and_a_tabulation_date_beside_the_data_date_is_not_one():
    assert _date("数据日期：2026-10-31", "统计日期：2026-09-30") == (None, None)
    assert _date("数据日期：2026-10-31    制表日期：2026-11-02") == (dt.date(2026, 10, 31), "数据日期：2026-10-31")


def _note(kind: str, day: dt.date | None) -> SourceNote:
    return SourceNote(file="客户清单.xlsx", sheet="对公客户", kind=kind, data_date=day, date_line=f"数据日期：{day}")


@pytest.mark.parametrize(("day", "warned"), [
    (dt.date(2026, 9, 30), True), (dt.date(2026, 10, 1), False), (dt.date(2026, 10, 31), False),
    (dt.date(2026, 11, 1), True), (None, False),
])
def test_a_month_end_list_is_dated_in_the_month(day, warned):
    problems = dated_otherwise({"customers": [_note("customers", day)]}, OCTOBER)
    assert bool(problems) == warned
    if warned:
        [p] = problems
        assert (p.code, p.severity, p.value, p.file, p.sheet) == (
            "ledger_dated_otherwise", "warning", day.isoformat(), "客户清单.xlsx", "对公客户")
        assert p.message == (f"the list is dated {day} (数据日期：{day}) but the month computed is 2026-10: is it "
                             "another month's list?")


@pytest.mark.parametrize(("day", "warned"), [
    (dt.date(2026, 8, 31), True), (dt.date(2026, 9, 1), False), (dt.date(2026, 9, 30), False),
    (dt.date(2026, 10, 1), False), (dt.date(2026, 10, 2), True), (dt.date(2026, 10, 31), True),
])
def test_a_month_start_list_is_dated_in_the_month_before_or_on_its_first_day(day, warned):
    problems = dated_otherwise({"customers_start": [_note("customers_start", day)]}, OCTOBER)
    assert bool(problems) == warned
    if warned:
        assert "where a month-start list is dated in 2026-09 or on 2026-10-01" in problems[0].message
        assert "月初清单应为 2026-09 内的日期或 2026-10-01" in problems[0].text("zh")


def test_score_and_report_say_so_for_the_sample_of_another_month(tmp_path):
    sample = __import__("pathlib").Path(__file__).resolve().parents[2] / "sample_data"
    if not (sample / "客户清单.xlsx").exists():
        pytest.skip("sample_data/ is not in this checkout")
    runner = CliRunner()
    right = runner.invoke(app, ["score", "--month", "2026-10", str(sample), "-o", str(tmp_path / "s.csv")])
    assert right.exit_code == 0 and "ledger_dated_otherwise" not in right.output
    wrong = runner.invoke(app, ["score", "--month", "2026-11", str(sample), "-o", str(tmp_path / "s.csv")])
    assert wrong.exit_code == 0, wrong.output
    assert "warning: ledger_dated_otherwise (4 times" in wrong.output       # two sheets of each list
    report = runner.invoke(app, ["report", "--month", "2026-11", str(sample), "-o", str(tmp_path / "r.html"), "-q"])
    assert report.exit_code == 0, report.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "客户清单的数据日期为 2026-10-31（数据日期：2026年10月31日），计算的月份是 2026-11" in html


def test_allocate_with_a_month_holds_the_customer_list_against_it(tmp_path):
    sample = __import__("pathlib").Path(__file__).resolve().parents[2] / "sample_data"
    if not (sample / "客户清单.xlsx").exists():
        pytest.skip("sample_data/ is not in this checkout")
    runner = CliRunner()
    for month, said in (("2026-10", False), ("2026-11", True)):
        result = runner.invoke(app, ["allocate", str(sample), "--month", month, "-o", str(tmp_path / "a.csv")])
        assert result.exit_code == 0, result.output
        assert ("warning: ledger_dated_otherwise (2 times" in result.output) == said, month
    plain = runner.invoke(app, ["allocate", str(sample), "-o", str(tmp_path / "a.csv")])
    assert "ledger_dated_otherwise" not in plain.output                   # no month given: nothing to hold
