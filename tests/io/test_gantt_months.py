"""Day columns of another month on a plan's sheet: October's days then November's (real dates, 11/3 texts,
or a second run of day numbers under an 11月 label), a September tail before October, a sheet dated in
September under an October title. Only the plan's month's columns are its days; the others are left out
with one warning per sheet saying how many of which months; a sheet whose dates are all of another month
is that month's plan (passed over when ``--month`` says another).

Workbooks drawn here, read as ``branchkit plan`` reads them; counts are
(planned, done_on_time, slipped, slip_kept, missed, unplanned) per manager x customer.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from branchkit.core.plan import Window, hold_plan
from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules
from tests.io.test_gantt import visits_frame

RULES = load_rules()
A, B = "江城恒通贸易有限公司", "清河建材有限公司"
OCT = {A: {8: "√", 15: "√", 22: "√"}, B: {12: "√"}}
NOV = {A: {3: "√", 10: "√"}, B: {2: "√"}}
SEP = {A: {28: "√"}, B: {29: "√"}}
VISITS = [("2026-10-08", "王静", A), ("2026-10-15", "王静", A), ("2026-10-12", "王静", B),
          ("2026-11-03", "王静", A)]
EXPECTED = {("王静", A): (3, 2, 0, 0, 1, 0), ("王静", B): (1, 1, 0, 0, 0, 0)}


def _draw(path, columns: list[tuple[object, int, int]], labels: list[tuple[str, int, int]] | None = None,
          title: str | None = "2026年10月对公客户营销计划（甘特图）", number_format: str | None = None):
    """王静's sheet: ``columns`` (header cell, month, day) from column C; ``labels`` (text, first, last
    column index into ``columns``) merged on a row over the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "王静"
    row = 1
    if title:
        sheet.cell(row, 1, title)
        row += 1
    if labels:
        for text, first, last in labels:
            sheet.cell(row, 3 + first, text)
            sheet.merge_cells(start_row=row, start_column=3 + first, end_row=row, end_column=3 + last)
        row += 1
    sheet.cell(row, 1, "项目/客户")
    sheet.cell(row, 2, "月度工作目标")
    for i, (header, _, _) in enumerate(columns):
        cell = sheet.cell(row, 3 + i, header)
        if number_format:
            cell.number_format = number_format
    marks = {10: OCT, 11: NOV, 9: SEP}
    for k, (name, goal) in enumerate([(A, "开立基本户"), (B, "营销代发工资")]):
        sheet.cell(row + 1 + k, 1, name)
        sheet.cell(row + 1 + k, 2, goal)
        for i, (_, month, day) in enumerate(columns):
            mark = marks[month][name].get(day)
            if mark:
                sheet.cell(row + 1 + k, 3 + i, mark)
    book.save(path)
    return path


def _days(month: int, header) -> list[tuple[object, int, int]]:
    last = {9: 30, 10: 31, 11: 30}[month]
    return [(header(month, d), month, d) for d in range(1, last + 1)]


def _read(path, month: str | None = "2026-10"):
    inputs = load_inputs(RULES, [], {"plan": [path]}, options={"month": month} if month else None)
    return inputs.frame("plan"), inputs.log.frame()


def _counts(plan, month: str = "2026-10") -> dict:
    result = hold_plan(plan, visits_frame(VISITS), Window.of(month), RULES.plan, RULES.tiers.relationship)
    keys = ["planned", "done_on_time", "slipped", "slip_kept", "missed", "unplanned"]
    return {(r.staff_id, r.customer): tuple(int(getattr(r, k)) for k in keys) for r in result.adherence.itertuples()}


def _left_out(problems) -> list[str]:
    found = problems[problems["code"] == "plan_other_month_days"]
    assert set(found["severity"]) <= {"warning"}
    return found["message"].tolist()


LAYOUTS = {
    "dates formatted d, labels above": (lambda m, d: dt.datetime(2026, m, d), "d", True),
    "dates, no labels": (lambda m, d: dt.datetime(2026, m, d), "d", False),
    "month/day texts": (lambda m, d: f"{m}/{d}", None, False),
    "月日 texts": (lambda m, d: f"{m}月{d}日", None, False),
    "day numbers, labels above": (lambda m, d: d, None, True),
    "day numbers, no labels": (lambda m, d: d, None, False),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_november_after_october_is_left_out(tmp_path, layout):
    header, number_format, labelled = LAYOUTS[layout]
    columns = _days(10, header) + _days(11, header)
    labels = [("10月", 0, 30), ("11月", 31, 60)] if labelled else None
    plan, problems = _read(_draw(tmp_path / "甘特图.xlsx", columns, labels, number_format=number_format))
    assert sorted(plan["date"].dt.month.unique()) == [10]
    assert _counts(plan) == EXPECTED                  # 11/3, 11/10, 11/2 are no October days
    assert _left_out(problems) == [
        "30 day column(s) of the header are of other months (2026-11 (30)) and are left out: only the days of "
        "2026-10 are read"]


@pytest.mark.parametrize("layout", ["dates formatted d, labels above", "month/day texts", "day numbers, labels above"])
def test_a_september_tail_before_october_is_left_out(tmp_path, layout):
    header, number_format, labelled = LAYOUTS[layout]
    columns = [c for c in _days(9, header) if c[2] >= 26] + _days(10, header)
    labels = [("9月", 0, 4), ("10月", 5, 35)] if labelled else None
    plan, problems = _read(_draw(tmp_path / "甘特图.xlsx", columns, labels, number_format=number_format))
    assert _counts(plan) == EXPECTED                  # 9/28 is not October 28
    assert len(_left_out(problems)) == 1 and "(2026-09 (5))" in _left_out(problems)[0]


def test_day_numbers_in_a_tail_run_before_the_month_are_the_month_before(tmp_path):
    columns = [(d, 9, d) for d in range(26, 31)] + _days(10, lambda m, d: d)
    plan, problems = _read(_draw(tmp_path / "甘特图.xlsx", columns))
    assert _counts(plan) == EXPECTED
    assert "(2026-09 (5))" in _left_out(problems)[0]


def test_a_sheet_dated_in_september_under_an_october_title_is_septembers(tmp_path):
    path = _draw(tmp_path / "甘特图.xlsx", _days(9, lambda m, d: dt.datetime(2026, m, d)), number_format="d")
    plan, problems = _read(path)                      # --month 2026-10: the dates win, another month's plan
    assert plan.empty
    assert problems["code"].tolist() == ["plan_other_month"]
    assert "2026年9月" in problems["message"].iloc[0]
    september, problems = _read(path, month=None)     # no --month: September's plan
    assert sorted(september["date"].dt.strftime("%m-%d")) == ["09-28", "09-29"]
    assert problems.empty


def test_one_month_of_day_numbers_under_a_title_reads_as_before(tmp_path):
    plan, problems = _read(_draw(tmp_path / "甘特图.xlsx", _days(10, lambda m, d: d)))
    assert problems.empty and _counts(plan) == EXPECTED


def test_dates_of_last_years_october_under_this_octobers_title_are_this_octobers_days(tmp_path):
    # A sheet copied from last year's: the title's year wins over the dates' when they say the same month.
    path = _draw(tmp_path / "甘特图.xlsx", _days(10, lambda m, d: dt.datetime(2025, m, d)), number_format="d")
    plan, problems = _read(path)
    assert problems.empty and _counts(plan) == EXPECTED


def test_december_days_before_january_are_last_years(tmp_path):
    columns = [(f"12/{d}", 12, d) for d in range(29, 32)] + [(f"1/{d}", 1, d) for d in range(1, 32)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "王静"
    sheet.append(["2027年1月计划"])
    sheet.append(["项目/客户", "月度工作目标", *(c[0] for c in columns)])
    sheet.append([A, "开立基本户", "√", None, None, *(("√" if d == 5 else None) for d in range(1, 32))])
    book.save(tmp_path / "甘特图.xlsx")
    plan, problems = _read(tmp_path / "甘特图.xlsx", month="2027-01")
    assert plan["date"].dt.strftime("%Y-%m-%d").tolist() == ["2027-01-05"]
    assert "(2026-12 (3))" in _left_out(problems)[0]
