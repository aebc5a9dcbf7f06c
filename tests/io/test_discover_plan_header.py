"""A Gantt workbook's sheets are asked once whether they hold a tidy plan's header (their classification's
answer is kept for the read), and a tidy plan among Gantt sheets is still read by its header."""

from __future__ import annotations

import datetime as dt

import branchkit.io.discover as discover
from branchkit.io.discover import load_inputs
from tests.io.test_gantt import RULES, draw, li_si, zhang_san


def _sheets():
    zhang, merges = zhang_san()
    tidy = [["客户经理", "客户名称", "计划日期", "计划事项"],
            ["王五", "甲公司", dt.datetime(2026, 10, 9), "拜访"],
            ["王五", "乙公司", dt.datetime(2026, 10, 12), "回访"]]
    return {"张三": zhang, "李四": li_si(), "王五": tidy, "赵六": li_si()}, {"张三": merges}


def test_each_sheet_is_asked_once_for_a_tidy_plan_header(tmp_path, monkeypatch):
    sheets, merges = _sheets()
    path = draw(tmp_path / "甘特图.xlsx", sheets, merges)
    asked: list[str] = []
    real = discover.kind_from_headers

    def spy(grid, rules, kinds=None):
        if kinds == ["plan"]:
            asked.append(grid.sheet)
        return real(grid, rules, kinds)

    monkeypatch.setattr(discover, "kind_from_headers", spy)
    spied = load_inputs(RULES, [path], options={"month": "2026-10"}).frame("plan")
    monkeypatch.setattr(discover, "kind_from_headers", real)
    # the runs of Gantt sheets are told by their classification's answer; only the sheets read one by one
    # (the tidy 王五, the lone 赵六 after it) are asked, by _read_grid_as
    assert asked == ["王五", "赵六"]
    plain = load_inputs(RULES, [path], options={"month": "2026-10"}).frame("plan")
    assert spied.equals(plain)
    tidy = plain[plain["_sheet"] == "王五"]
    assert tidy["customer_name"].tolist() == ["甲公司", "乙公司"]
    assert tidy["staff_id"].tolist() == ["王五", "王五"]
    assert set(plain["_sheet"]) == {"张三", "李四", "王五", "赵六"}


def test_a_grid_not_classified_here_is_looked_at(tmp_path):
    sheets, merges = _sheets()
    path = draw(tmp_path / "甘特图.xlsx", sheets, merges)
    from branchkit.io.workbook import read_workbook
    grids = read_workbook(path, path.name, "zip", RULES.input).grids
    loader = discover.Loader(RULES)
    assert [loader._has_tidy_plan_header(g) for g in grids] == [False, False, True, False]
    loader._tidy_plan[id(grids[0])] = (grids[1], True)      # an entry of another grid (a reused id): ignored
    assert loader._has_tidy_plan_header(grids[0]) is False
