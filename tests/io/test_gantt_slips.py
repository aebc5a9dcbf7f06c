"""Slip notes that name a month (延迟至11月5日): read as a branch head means them."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.plan import Window, hold_plan
from tests.io.test_gantt import RULES, adherence, day_row, draw, read, visits_frame

DAYS = list(range(1, 32))


def _one_row(tmp_path, marks: dict[int, str], sheet: str = "王明", days: list[int] = DAYS):
    return draw(tmp_path / "甘特图.xlsx", {sheet: [["项目/客户", "月度工作目标", *days],
                                                   ["远航船务", "存款增长", *day_row(days, marks)]]})


def test_a_slip_into_next_month_is_slipped_not_an_error(tmp_path):
    # QA2: day 28 of October 延迟至11月5日 was read as October 5 (plan_slip_before_day, exit 1).
    path = _one_row(tmp_path, {8: "洽谈", 13: "→16", 28: "延迟至11月5日"})
    plan, problems = read(path)
    assert problems.empty, problems
    assert plan["slipped_to"].tolist() == [pd.NaT, pd.Timestamp(2026, 10, 16), pd.Timestamp(2026, 11, 5)]
    visits = visits_frame([("2026-10-05", "王明", "远航船务"), ("2026-11-05", "王明", "远航船务")])
    # planned, done on time, slipped, slip kept, missed, unplanned, adherence
    assert adherence(plan, visits) == {("王明", "远航船务"): (3, 0, 2, 0, 1, 1, 0.0)}


def test_a_slip_past_the_month_is_not_drawn_in_it_and_a_note_says_its_keeping_is_not_judged(tmp_path):
    plan, _ = read(_one_row(tmp_path, {28: "延迟至11月5日", 29: "延迟至30日"}))
    result = hold_plan(plan, visits_frame([("2026-10-30", "王明", "远航船务")]), Window.of("2026-10"), RULES.plan,
                       RULES.tiers.relationship)
    assert result.days["date"].max() == pd.Timestamp(2026, 10, 30)     # no November day on October's Gantt
    assert result.days.set_index("date")["state"].to_dict() == {
        pd.Timestamp(2026, 10, 28): "slipped", pd.Timestamp(2026, 10, 29): "slipped",
        pd.Timestamp(2026, 10, 30): "slip_kept"}
    notes = [n for n in result.notes if n.code == "plan_slips_after_as_of"]
    assert len(notes) == 1 and dict(notes[0].params) == {"count": 1, "as_of": "2026-10-31", "last": "2026-11-05"}


@pytest.mark.parametrize(("month", "day", "note", "new"), [
    ("2026-10", 31, "延迟至11月1日", (2026, 11, 1)),          # last day to the first of the next month
    ("2026-10", 30, "延迟至10月31日", (2026, 10, 31)),        # the same month named: as a day alone
    ("2026-10", 30, "延迟至31日", (2026, 10, 31)),
    ("2026-10", 28, "延迟至2026年11月5日", (2026, 11, 5)),
    ("2026-10", 28, "延迟至11/5", (2026, 11, 5)),
    ("2026-10", 28, "→11.5", (2026, 11, 5)),
    ("2026-10", 28, "延期至11月30日", (2026, 11, 30)),        # the last day November has
    ("2026-12", 28, "延迟至1月5日", (2027, 1, 5)),             # December into next January
    ("2026-10", 28, "延迟至2027年4月1日", (2027, 4, 1)),
    ("2026-01", 30, "延迟至2月28日", (2026, 2, 28)),
])
def test_a_slip_note_naming_a_month_gives_a_date_of_that_month(tmp_path, month, day, note, new):
    plan, problems = read(_one_row(tmp_path, {day: note}), month=month)
    assert problems.empty, problems
    assert plan["slipped_to"].tolist() == [pd.Timestamp(*new)] and bool(plan["slipped"].iloc[0])


@pytest.mark.parametrize(("month", "note", "code", "says"), [
    ("2026-10", "延迟至11月31日", "plan_day_not_in_month", "day 31, which 2026-11 does not have"),
    ("2026-01", "延迟至2月29日", "plan_day_not_in_month", "day 29, which 2026-02 does not have"),
    ("2026-10", "延迟至13月5日", "plan_day_not_in_month", "2026-13, which is no month"),
    ("2026-10", "延迟至9月30日", "plan_slip_before_day", "slips to 2026-09-30"),     # an earlier month
    ("2026-10", "延迟至10月28日", "plan_slip_before_day", "slips to day 28"),        # its own day
    ("2026-10", "延迟至2025年11月5日", "plan_slip_before_day", "slips to 2025-11-05"),
])
def test_a_slip_to_a_date_that_is_not_or_is_not_later_names_its_cell(tmp_path, month, note, code, says):
    plan, problems = read(_one_row(tmp_path, {28: note}), month=month)
    assert problems["code"].tolist() == [code]
    assert says in problems["message"].iloc[0] and "(cell AD2)" in problems["message"].iloc[0]
    assert pd.isna(plan["slipped_to"].iloc[0]) and bool(plan["slipped"].iloc[0])


def test_many_sheets_read_at_once_give_the_same_slips(tmp_path):
    """The batch of many sheets (``gantt_batch``) dates slips into another month as one sheet does."""
    from branchkit.io.discover import load_inputs

    sheets = {f"E{n:03d}": [["项目/客户", "月度工作目标", *DAYS],
                            ["甲", "存款", *day_row(DAYS, {28: "延迟至11月5日", 30: "延迟至11月31日", 2: "→9.1"})]]
              for n in range(12)}
    inputs = load_inputs(RULES, [], {"plan": [draw(tmp_path / "甘特图.xlsx", sheets)]}, options={"month": "2026-10"})
    plan, problems = inputs.frame("plan"), inputs.log.frame()
    assert set(plan["slipped_to"].dropna()) == {pd.Timestamp(2026, 11, 5)}
    assert problems.groupby("code").size().to_dict() == {"plan_day_not_in_month": 12, "plan_slip_before_day": 12}
