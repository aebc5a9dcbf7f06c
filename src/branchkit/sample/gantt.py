"""The Gantt plan laid out as drawn by hand: one sheet per corporate RM, day numbers
across, one row per customer, a mark or a slip note in each planned day's cell."""

from __future__ import annotations

import pandas as pd

from branchkit.sample.calendar import SampleMonth
from branchkit.sample.plans import Plan
from branchkit.sample.xlsx import Cell, Sheet

NAME_WIDTH, GOAL_WIDTH, DAY_WIDTH = 30, 16, 5.5


def gantt_sheets(plan: Plan, staff: pd.DataFrame, month: SampleMonth) -> list[Sheet]:
    """One sheet per RM, in plan order."""
    branch_of = staff.set_index("staff_id")["branch"]
    rows = dict(tuple(plan.rows.groupby("staff_id", sort=False)))
    cells = dict(tuple(plan.cells.groupby("staff_id", sort=False)))
    return [
        _sheet(info, rows.get(info.staff_id, plan.rows.iloc[:0]), cells.get(info.staff_id, plan.cells.iloc[:0]),
               branch_of[info.staff_id], month)
        for info in plan.sheets.itertuples(index=False)
    ]


def _sheet(info, rows: pd.DataFrame, cells: pd.DataFrame, branch: str, month: SampleMonth) -> Sheet:
    days = list(month.days if info.all_days else month.workdays)
    column = {day: 2 + i for i, day in enumerate(days)}
    title = f"{branch}{month.year}年{month.month}月对公客户营销计划（甘特图）"
    top: list[list[object]] = [[Cell(title, "title")]]
    if info.manager_line:
        top.append([info.manager_line])
    top.append([Cell("项目/客户", "header"), Cell("月度工作目标", "header")] + [Cell(d.day, "header") for d in days])
    first = len(top)
    grid = [[row.name, row.goal] + [None] * len(days) for row in rows.itertuples(index=False)]
    merges = [(0, 0, 0, len(days) + 1)]
    for cell in cells.itertuples(index=False):
        if cell.span == 0:
            continue            # covered by a merged cell started on an earlier day
        r, c = int(cell.row), column[cell.day]
        grid[r][c] = Cell(cell.text, "mark")
        if cell.span > 1:
            merges.append((first + r, c, first + r, c + int(cell.span) - 1))
    return Sheet(name=info.sheet, top=top + grid, merges=merges,
                 widths=[NAME_WIDTH, GOAL_WIDTH] + [DAY_WIDTH] * len(days))


def plan_tidy(plan: Plan) -> pd.DataFrame:
    """The plan as a tidy table (one row per planned day), the form ``--format csv`` writes."""
    cells = plan.cells.merge(plan.rows, on=["staff_id", "row"])
    return pd.DataFrame({"工号": cells["staff_id"], "客户名称": cells["name"], "月度工作目标": cells["goal"],
                         "日期": cells["day"], "延迟至": cells["slip_to"]})
