"""The hand-drawn monthly Gantt plan of each corporate RM (DOMAIN §5).

Tidy frames describe what the sheets show: ``sheets`` (one per RM: its
sheet name, whether it lists every day of the month, the 客户经理 line when
the sheet is not named after the RM), ``rows`` (customer and monthly goal)
and ``cells`` (a planned day: its text, the day it slipped to, and ``span``,
the number of days a merged cell covers: 1 for a plain cell, 0 for a day
covered by a merge started on an earlier day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.sample.calendar import SampleMonth
from branchkit.sample.customers import col
from branchkit.sample.network import ACTIVE

MARKS = ("√", "●", "拜访", "送方案", "洽谈", "√", "●", "回访", "签约")
SLIP_FORMS = ("延迟至{}日", "延至{}日", "→{}", "->{}")
SPAN_TEXTS = ("走访调研", "●", "驻点服务")
TARGET_GOALS = ("开立基本户", "营销代发工资", "首笔贷款投放", "建立合作关系", "存款落地200万元", "开立一般户")
KEPT_GOALS = ("存款新增100万元", "办理企业网银", "续贷审批", "营销代发工资", "推荐理财产品", "提升结算量")
MAX_TARGETS, MAX_KEPT, MIN_ROWS = 4, 3, 3
SLIP_SHARE, SPAN_SHARE = 0.15, 0.3
ALL_DAYS_SHEET = 1                             # the second sheet lists every day 1..31
UNNAMED_SHEETS = {2: "客户经理:{}", 4: "客户经理：{}"}  # sheet index -> line naming the RM


@dataclass(frozen=True)
class Plan:
    """The Gantt plan of every corporate RM, as tidy frames."""

    sheets: pd.DataFrame   # staff_id, sheet, all_days, manager_line
    rows: pd.DataFrame     # staff_id, row, customer_id, name, goal
    cells: pd.DataFrame    # staff_id, row, day, text, slip_to, span


CELL_COLUMNS = ["staff_id", "row", "day", "text", "slip_to", "span"]


def build_plan(rng: np.random.Generator, customers: pd.DataFrame, staff: pd.DataFrame, month: SampleMonth) -> Plan:
    """One Gantt sheet per active corporate RM, rows for their targets and kept corporates."""
    rms = staff[(staff["role"] == "corporate_rm") & (staff["state"] == ACTIVE)]
    rows = _plan_rows(rng, customers, rms)
    sheets, cells = [], []
    slips = iter(np.tile(np.arange(len(SLIP_FORMS)), 10_000))   # every slip form appears, in turn
    by_rm = dict(tuple(rows.groupby("staff_id", sort=False)))
    for i, rm in enumerate(rms.itertuples(index=False)):
        line = UNNAMED_SHEETS.get(i)
        sheets.append((rm.staff_id, f"Sheet{i + 1}" if line else rm.name, i == ALL_DAYS_SHEET,
                       line.format(rm.name) if line else ""))
        mine = by_rm.get(rm.staff_id, rows.iloc[:0])
        cells.extend(_cells(rng, mine, month, slips, span=i == 0 or rng.random() < SPAN_SHARE))
    cells = pd.DataFrame(cells, columns=CELL_COLUMNS).sort_values(["staff_id", "row", "day"], kind="stable")
    return Plan(
        sheets=pd.DataFrame(sheets, columns=["staff_id", "sheet", "all_days", "manager_line"]),
        rows=rows, cells=cells.reset_index(drop=True),
    )


def _plan_rows(rng: np.random.Generator, customers: pd.DataFrame, rms: pd.DataFrame) -> pd.DataFrame:
    """Per RM: their targets, then the corporates they keep (largest first), topped up from the unkept."""
    now = customers.loc[(customers["last"] == 0) & (customers["kind"] == "corporate"),
                        ["customer_id", "name", "status", "owner", "keeper", "code", col("deposit", 0)]]
    owned = now[now["owner"].isin(rms["staff_id"])].groupby("owner", sort=False).head(MAX_TARGETS)
    kept = now[now["keeper"].isin(rms["staff_id"])]
    kept = kept.sort_values(col("deposit", 0), ascending=False, kind="stable").groupby("keeper").head(MAX_KEPT)
    chosen = pd.concat([owned.assign(staff_id=owned["owner"], part=0), kept.assign(staff_id=kept["keeper"], part=1)])
    counts = chosen.groupby("staff_id").size()
    short = rms[rms["staff_id"].map(counts).fillna(0).to_numpy() < MIN_ROWS]
    top_up = [_spare(rng, now, rm.code, chosen).head(MIN_ROWS - counts.get(rm.staff_id, 0))
              .assign(staff_id=rm.staff_id, part=2) for rm in short.itertuples(index=False)]
    chosen = pd.concat([chosen] + top_up, ignore_index=True)
    order = chosen["staff_id"].map(dict(zip(rms["staff_id"], range(len(rms)))))
    chosen = chosen.assign(order=order).sort_values(["order", "part"], kind="stable")
    goals = np.where(chosen["status"] == "target", rng.choice(TARGET_GOALS, len(chosen)),
                     rng.choice(KEPT_GOALS, len(chosen)))
    return pd.DataFrame({"staff_id": chosen["staff_id"].to_numpy(),
                         "row": chosen.groupby("staff_id", sort=False).cumcount().to_numpy(),
                         "customer_id": chosen["customer_id"].to_numpy(), "name": chosen["name"].to_numpy(),
                         "goal": goals})


def _spare(rng: np.random.Generator, now: pd.DataFrame, code: int, chosen: pd.DataFrame) -> pd.DataFrame:
    """Existing corporates of the branch in nobody's plan yet, unkept ones first, in random order."""
    spare = now[(now["code"] == code) & (now["status"] == "existing") & ~now["customer_id"].isin(chosen["customer_id"])]
    spare = spare.sample(frac=1, random_state=rng)
    return spare.iloc[np.argsort((spare["keeper"] != "").to_numpy(), kind="stable")]


def _cells(rng: np.random.Generator, rows: pd.DataFrame, month: SampleMonth, slips, span: bool) -> list[tuple]:
    """Two to four planned working days per row; some slip; one row may hold a merged run of days."""
    workdays = list(month.workdays)
    out = []
    for staff_id, row in zip(rows["staff_id"], rows["row"]):
        days = sorted(rng.choice(len(workdays), size=rng.integers(2, 5), replace=False))
        for d in days:
            later = [w for w in workdays[d + 1:] if 2 <= (w - workdays[d]).days <= 8]
            if later and rng.random() < SLIP_SHARE:
                to = later[rng.integers(len(later))]
                out.append((staff_id, row, workdays[d], SLIP_FORMS[next(slips)].format(to.day), to, 1))
            else:
                out.append((staff_id, row, workdays[d], str(rng.choice(MARKS)), None, 1))
    if span and len(rows):
        out.extend(_span(rng, out, rows, workdays))
    return out


def _span(rng: np.random.Generator, cells: list[tuple], rows: pd.DataFrame, workdays: list[dt.date]) -> list[tuple]:
    """A merged cell over 2-3 consecutive working days of one row, where that row has nothing yet."""
    row = int(rng.integers(len(rows)))
    taken = {c[2] for c in cells if c[1] == row}
    length = int(rng.integers(2, 4))
    starts = [i for i in range(len(workdays) - length + 1)
              if not taken & set(workdays[i:i + length])
              and (workdays[i + length - 1] - workdays[i]).days == length - 1]
    if not starts:
        return []
    first = starts[int(rng.integers(len(starts)))]
    text = str(rng.choice(SPAN_TEXTS))
    staff_id = rows["staff_id"].iloc[0]
    return [(staff_id, row, workdays[first + k], text, None, length if k == 0 else 0) for k in range(length)]
