"""The Gantt states of every manager at once (``state_cells``) are the per-manager grids of ``gantt_grid``."""

from __future__ import annotations

import pandas as pd

from branchkit.views.plan import gantt_grid, plan_sections, state_cells
from tests.core.test_plan import hold, plan_days, visits


def _result():
    plan = plan_days([
        {"staff_id": "E1", "customer": "甲公司", "day": 5},
        {"staff_id": "E1", "customer": "甲公司", "day": 6, "slip": 9},
        {"staff_id": "E1", "customer": "乙公司", "day": 7},
        {"staff_id": "E2", "customer": "甲公司", "day": 5},
        {"staff_id": "E2", "customer": "丙公司", "day": 20, "slipped": True},
    ])
    seen = visits([("2026-10-05", "E1", "甲公司"), ("2026-10-09", "E1", "甲公司"), ("2026-10-12", "E2", "丙公司"),
                   ("2026-10-05", "E2", "甲公司")])
    return hold(plan, seen)


def test_state_cells_equal_each_managers_gantt_grid():
    result = _result()
    cells = state_cells(result)
    assert set(cells) == {"E1", "E2"}
    for staff_id in ("E1", "E2"):
        rows, _, state = gantt_grid(result, staff_id)
        expected = state.astype("object").where(state.notna(), None).to_numpy().tolist()
        assert cells[staff_id] == ([str(c) for c in rows["customer"]], expected)


def test_state_cells_put_each_state_on_its_customer_and_day():
    customers, grid = state_cells(_result())["E1"]
    first = customers.index("甲公司")
    assert [grid[first][d - 1] for d in (5, 6, 9)] == ["done", "slipped", "slip_kept"]
    assert grid[customers.index("乙公司")][6] == "missed"
    assert sum(v is not None for row in grid for v in row) == 4
    _, other = state_cells(_result())["E2"]
    assert sorted(v for row in other for v in row if v is not None) == ["done", "slipped", "unplanned"]


def test_plan_sections_draw_one_strip_per_manager_with_its_cells():
    result = _result()
    gantt = plan_sections(result, "zh")[1]
    assert len(gantt.charts) == 2
    days = result.window.month.days_in_month
    assert [str(c).count('class="cell"') for c in gantt.charts] == [2 * days, 2 * days]
    assert 'data-state="slip_kept"' in str(gantt.charts[0]) and 'data-state="unplanned"' in str(gantt.charts[1])
    assert pd.notna(result.adherence["ckey"]).all()
