"""Gantt sheets read together (``read_gantts``) give what ``read_gantt`` gives reading them one by one.

One workbook holds a sheet of every kind the reader knows (each drawn as tests/io/test_gantt.py
draws it), problems on many of them, so that the batch's rows, dates, ids, notes and every problem
are held against the sheet-by-sheet read, with and without ``--month``.
"""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io.discover import LayoutContext, load_inputs
from branchkit.io.gantt import read_gantt
from branchkit.io.gantt_batch import read_gantts
from branchkit.io.grid import Grid
from branchkit.io.workbook import read_workbook
from branchkit.problems import ProblemLog
from tests.io.test_gantt import OCT_WORKDAYS, RULES, day_row, draw, li_si, zhang_san

DAYS = list(range(1, 32))


def every_kind_of_sheet() -> tuple[dict[str, list[list]], dict[str, list[str]]]:
    """Sheets of every layout and problem; the merged ranges per sheet."""
    zhang, zhang_merges = zhang_san()
    dated = [dt.datetime(2026, 10, d) for d in (12, 13, 14, 15, 16)]
    sheets = {
        "张三": zhang,
        "Sheet2": li_si(),
        "王五": [["客户号", "项目/客户", "月度工作目标", "日期", None, None, None, None],
                 [None, None, None, *dated], [None, None, None, "一", "二", "三", "四", "五"],
                 ["0012", "戊公司", "授信", "√", None, "●", None, "延期"],
                 [12.0, "己公司", None, None, 3, None, None, None]],
        "赵六": [["2026年10月"], ["项目/客户", "月度工作目标", "1日(四)", "2日(五)", "5日(一)", "6日(二)"],
                 ["己公司", None, None, "x", None, "x"]],
        "钱七": [["项目/客户", "月度工作目标", *DAYS],
                 ["甲公司", "存款", *day_row(DAYS, {2: "拜访", 31: "拜访", 3: "延迟至40日"})],
                 [None, None, *day_row(DAYS, {4: "无客户的一格"})],
                 ["甲公司", "存款", *day_row(DAYS, {6: "延迟至2日", 7: "->9"})]],
        "Sheet1": [["2026年10月甘特图"], ["项目/客户", "月度工作目标", 1, 2, 5],
                   ["甲公司", "存款", "x", None, None], ["乙公司", "只有目标", None, None, None],
                   ["项目/客户", "月度工作目标", "x", None, None],
                   ["说明：√ 表示计划拜访"], ["合计", None, "x", "x", None]],
        "9月": [["客户经理:孙八"], ["2026年9月"], ["项目/客户", 1, 2, 3], ["甲", "x", None, None]],
        "对公": [["2026年10月"], ["客户经理", "项目/客户", 1, 2, 5], ["张三", "甲公司", "x", None, None],
                 [None, "乙公司", None, "x", None], ["李四", "丙公司", None, None, "x"]],
        "说明": [["本表由客户经理每月1日填写"]],
        "周九": [["客户经理：周九"], ["项目/客户", "月度工作目标", 1, 2, 3]],       # a header, no rows
        "吴十": [["项目/客户", "序号", "月度工作目标", *OCT_WORKDAYS[:5]],
                 ["  庚公司\u3000", 1, "结算", "走访", 1.5, dt.datetime(2026, 10, 2), True, "延至14日"]],
    }
    merges = {"张三": zhang_merges, "对公": ["A3:A4"]}
    return sheets, merges


def one_by_one(grids: list[Grid], month: str | None, start: int = 7):
    log, out = ProblemLog(), []
    options = {"month": month} if month else {}
    for grid in grids:
        frame, note = read_gantt(grid, RULES, log, LayoutContext(start, options))
        out.append((frame, note))
        start += len(frame)
    return out, log


def together(grids: list[Grid], month: str | None, start: int = 7):
    log = ProblemLog()
    out = read_gantts(grids, RULES, log, LayoutContext(start, {"month": month} if month else {}))
    return out, log


def assert_same(first, second) -> None:
    (frames_a, log_a), (frames_b, log_b) = first, second
    assert [len(f) for f, _ in frames_a] == [len(f) for f, _ in frames_b]
    assert [vars(n) for _, n in frames_a] == [vars(n) for _, n in frames_b]
    for (a, _), (b, _) in zip(frames_a, frames_b, strict=True):
        if len(a):
            pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(log_a.frame(), log_b.frame())


def grids_of(path) -> list[Grid]:
    return read_workbook(path, path.name, "zip", RULES.input).grids


_EVERY = {"plan_rm_missing", "plan_row_without_days", "no_header", "plan_row_without_customer",
          "plan_slip_before_day"}


@pytest.mark.parametrize(("month", "expected"), [
    ("2026-10", _EVERY | {"plan_other_month", "plan_day_not_in_month"}),
    ("2026-11", {"plan_other_month", "no_header", "plan_day_not_in_month", "plan_row_without_customer",
                 "plan_slip_before_day"}),
    (None, _EVERY - {"plan_slip_before_day"} | {"plan_month_unknown"}),     # 钱七 has no month: no day to hold
])
def test_sheets_read_together_as_one_by_one(tmp_path, month, expected):
    sheets, merges = every_kind_of_sheet()
    grids = grids_of(draw(tmp_path / "甘特图.xlsx", sheets, merges))
    first = one_by_one(copy.deepcopy(grids), month)
    second = together(copy.deepcopy(grids), month)
    assert_same(first, second)
    # not vacuous: rows on most sheets, and each kind of problem the sheets were drawn to have
    codes = set(second[1].frame()["code"])
    assert expected <= codes, codes
    assert sum(len(f) > 0 for f, _ in second[0]) >= (2 if month == "2026-11" else 7)


def test_row_ids_run_on_through_the_sheets_and_name_the_problem_rows(tmp_path):
    sheets, merges = every_kind_of_sheet()
    grids = grids_of(draw(tmp_path / "甘特图.xlsx", sheets, merges))
    frames, log = together(grids, "2026-10", start=100)
    rids = np.concatenate([f["_rid"].to_numpy() for f, _ in frames])
    assert rids.tolist() == list(range(100, 100 + len(rids)))
    problems = log.frame()
    slip = problems[problems["code"] == "plan_slip_before_day"].iloc[0]
    whole = pd.concat([f for f, _ in frames if len(f)])
    row = whole[whole["_rid"] == slip["rid"]].iloc[0]
    assert (row["_sheet"], row["action"], row["_row"]) == ("钱七", "延迟至2日", 4)


def test_a_folder_reads_its_gantt_workbook_as_sheet_by_sheet(tmp_path):
    """Through load_inputs (the batch) against each sheet given as its own workbook (one by one)."""
    sheets, merges = every_kind_of_sheet()
    path = draw(tmp_path / "甘特图.xlsx", sheets, merges)
    whole = load_inputs(RULES, [path], options={"month": "2026-10"})
    frames = [f for f, _ in one_by_one(grids_of(path), "2026-10", start=0)[0] if len(f)]
    expected = pd.concat(frames, ignore_index=True)
    # the file as discover names it (its path) against the bare name read_workbook was given here
    pd.testing.assert_frame_equal(whole.frame("plan").drop(columns="_file"), expected.drop(columns="_file"))


_CELL = st.one_of(st.none(), st.sampled_from(["", "x", "拜访", "延迟至15日", "延至3日", "→31", "延期", " 签约 ",
                                              "合计", "说明"]),
                  st.integers(0, 40), st.floats(0, 40, allow_nan=False))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["甲公司", "乙", None, "", 7, "项目/客户", "合计"]),
                          st.sampled_from(["存款", None, 3.0]),
                          st.lists(_CELL, min_size=5, max_size=5)),
                min_size=0, max_size=6),
       st.integers(1, 4))
def test_any_cells_read_together_as_one_by_one(rows, copies):
    """Any mix of names, goals and day cells (text, numbers, blanks, slips, footers) over several sheets."""
    header = ["项目/客户", "月度工作目标", 1, 2, 5, 6, 30]
    grids = [Grid("g.xlsx", f"经理{i}", [["2026年11月"], header, *[[n, g, *d] for n, g, d in rows]])
             for i in range(copies)]
    assert_same(one_by_one(copy.deepcopy(grids), "2026-11"), together(copy.deepcopy(grids), "2026-11"))
