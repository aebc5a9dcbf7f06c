"""Visit records (目标客户拓展记录表) that follow the Gantt plans, and the notes written in them.

Corporate RMs mostly visit on their planned days, sometimes on a slip's new
day, sometimes unplanned. High-tier customers are mostly visited in the
month; a few were last seen more than 40 days before month end (overdue)
and a few not at all. ``source`` says which of these made each visit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.sample.calendar import SampleMonth
from branchkit.sample.customers import col
from branchkit.sample.network import ACTIVE
from branchkit.sample.plans import Plan
from branchkit.sample.staffing import roles_of
from branchkit.sample.tiers import relationship_tier

DONE_ON_TIME, SLIP_KEPT, SPAN_DONE = 0.7, 0.6, 0.9
UNPLANNED_PER_RM = (1, 3)
HIGH_IN_MONTH, HIGH_OVERDUE = 0.88, 0.07    # the rest of the high tier: no visit on record
OVERDUE_LAST_DAY = 20                        # overdue visits were on or before this day of M-1
ROUTINE_SHARE = 0.15                         # of mid-tier customers an RM keeps, visited this month
LATE_SHARE = 0.05                            # of routine visits, recorded from the previous month
VISITORS = ("head", "deputy", "corporate_rm", "retail_rm")
OUTBOUND = np.array(["外拓", "上门"], dtype=object)
RETAIL_KINDS = np.array(["上门", "电话", "厅堂", "电话"], dtype=object)


def _frame(day, staff_id, customer_id, kind, source) -> pd.DataFrame:
    return pd.DataFrame({"visit_date": np.asarray(day, dtype="datetime64[D]"), "staff_id": staff_id,
                         "customer_id": customer_id, "kind": kind, "source": source})


def build_visits(rng: np.random.Generator, plan: Plan, customers: pd.DataFrame, staff: pd.DataFrame,
                 month: SampleMonth) -> pd.DataFrame:
    """Visits: visit_date, staff_id, customer_id, kind (拜访方式), source."""
    now = customers[(customers["last"] == 0) & (customers["status"] == "existing")]
    high, alone = _high_tier(rng, now, staff, month)
    others = pd.concat([_planned(rng, plan), _unplanned(rng, plan, month), _routine(rng, now, staff, month)])
    # the overdue and never-visited high-tier customers are left alone this month, whatever the plans say
    visits = pd.concat([others[~others["customer_id"].isin(alone)], high], ignore_index=True)
    return visits.sort_values(["visit_date", "staff_id", "customer_id"], kind="stable").reset_index(drop=True)


def _planned(rng: np.random.Generator, plan: Plan) -> pd.DataFrame:
    cells = plan.cells.merge(plan.rows[["staff_id", "row", "customer_id"]], on=["staff_id", "row"])
    u = rng.random(len(cells))
    slipped = cells["slip_to"].notna().to_numpy()
    spans = cells["span"].to_numpy()
    done = np.select([slipped, spans > 1, spans == 0], [u < SLIP_KEPT, u < SPAN_DONE, False], u < DONE_ON_TIME)
    day = np.where(slipped, cells["slip_to"], cells["day"])[done]
    source = np.where(slipped, "slip", np.where(spans > 1, "span", "plan"))[done]
    kind = np.where(rng.random(len(cells)) < 0.1, "电话", OUTBOUND[rng.integers(0, 2, len(cells))])[done]
    return _frame(list(day), cells["staff_id"].to_numpy()[done], cells["customer_id"].to_numpy()[done], kind, source)


def _unplanned(rng: np.random.Generator, plan: Plan, month: SampleMonth) -> pd.DataFrame:
    """Visits to plan customers on days that are neither planned nor a slip's new day."""
    busy = set(zip(plan.cells["staff_id"], plan.cells["row"], plan.cells["day"]))
    busy |= set(zip(plan.cells["staff_id"], plan.cells["row"], plan.cells["slip_to"].dropna()))
    out = []
    for staff_id, rows in plan.rows.groupby("staff_id", sort=True):
        for _ in range(int(rng.integers(*UNPLANNED_PER_RM, endpoint=True))):
            row = rows.iloc[int(rng.integers(len(rows)))]
            free = [d for d in month.workdays if (staff_id, row["row"], d) not in busy]
            day = free[int(rng.integers(len(free)))]
            busy.add((staff_id, row["row"], day))
            out.append((day, staff_id, row["customer_id"], str(rng.choice(OUTBOUND)), "unplanned"))
    return _frame([o[0] for o in out], [o[1] for o in out], [o[2] for o in out],
                  [o[3] for o in out], [o[4] for o in out])


def _visitor(staff: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """The keeper when an active head, deputy or RM keeps the customer, else the branch head."""
    active = staff[staff["state"] == ACTIVE]
    ok = np.isin(roles_of(active, frame["keeper"].to_numpy()), VISITORS)
    heads = staff[staff["role"] == "head"].drop_duplicates("code").set_index("code")["staff_id"]
    return np.where(ok, frame["keeper"].to_numpy(), frame["code"].map(heads).to_numpy()).astype(object)


def _days(rng: np.random.Generator, days: tuple, n: int) -> list:
    return [days[i] for i in rng.integers(0, len(days), n)]


def _high_tier(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame,
               month: SampleMonth) -> tuple[pd.DataFrame, set[str]]:
    """Visits to high-tier customers, and the customers not visited this month."""
    high = now[relationship_tier(now[col("deposit", 0)], now[col("loan", 0)]) == "high"]
    u = rng.random(len(high))
    in_month, overdue = u < HIGH_IN_MONTH, (u >= HIGH_IN_MONTH) & (u < HIGH_IN_MONTH + HIGH_OVERDUE)
    if len(high) >= 3:      # however small the network, one overdue and one never visited
        overdue[0] |= not overdue.any()
        in_month[0] &= not overdue[0]
        in_month[1] &= not (in_month | overdue).all()
    early = tuple(d for d in month.shift(-1).workdays if d.day <= OVERDUE_LAST_DAY)
    days = np.where(in_month, _days(rng, month.workdays, len(high)), _days(rng, early, len(high)))
    kind = np.where(high["kind"] == "corporate", "上门", RETAIL_KINDS[rng.integers(0, 4, len(high))])
    keep = in_month | overdue
    source = np.where(in_month, "high", "overdue")
    visits = _frame(list(days[keep]), _visitor(staff, high)[keep], high["customer_id"].to_numpy()[keep],
                    kind[keep], source[keep])
    return visits, set(high["customer_id"].to_numpy()[~in_month])


def _routine(rng: np.random.Generator, now: pd.DataFrame, staff: pd.DataFrame, month: SampleMonth) -> pd.DataFrame:
    """RMs look after their mid-tier customers: corporate RMs go out, retail RMs mostly call."""
    tier = relationship_tier(now[col("deposit", 0)], now[col("loan", 0)])
    active_rm = staff[(staff["state"] == ACTIVE) & staff["role"].isin(["corporate_rm", "retail_rm"])]
    mine = now[(tier == "mid") & now["keeper"].isin(active_rm["staff_id"]).to_numpy()]
    mine = mine[rng.random(len(mine)) < ROUTINE_SHARE]
    late = rng.random(len(mine)) < LATE_SHARE
    days = np.where(late, _days(rng, month.shift(-1).workdays[-5:], len(mine)),
                    _days(rng, month.workdays, len(mine)))
    kind = np.where(mine["kind"] == "corporate", OUTBOUND[rng.integers(0, 2, len(mine))],
                    RETAIL_KINDS[rng.integers(0, 4, len(mine))])
    return _frame(list(days), mine["keeper"].to_numpy(), mine["customer_id"].to_numpy(), kind, "routine")
