"""The queueing model of one branch: counters and staff per hour, the peak, and the roster check.

Hourly volumes come in as ledger rows (``date``, ``hour``, ``arrivals``,
``handling_seconds``, ``counters_open``); every hour is sized by Erlang C
(``core.queueing.plan_hours``). With ``--roster`` the counters actually open
are evaluated too: what service level, average wait and occupancy they reach,
and whether the hour is under-served.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from branchkit.core.queueing import TOLERANCE, HourResult, evaluate_roster, plan_hours
from branchkit.rules import QueueRules

#: Columns of one branch's hourly plan, in output order (abandonment and roster columns follow when used).
HOUR_COLUMNS = ["date", "hour", "arrivals", "handling_seconds", "counters", "staff", "service_level",
                "occupancy", "average_wait_seconds"]
ROSTER_COLUMNS = ["counters_open", "roster_service_level", "roster_average_wait_seconds",
                  "roster_occupancy", "roster_abandon_share", "under_served"]


def tidy_hours(frame: pd.DataFrame, default_handling: float) -> pd.DataFrame:
    """One row per date and hour, in date and hour order.

    Several rows for one hour (retail and corporate counted apart, say) are
    added together: arrivals and counters open are summed, and the handling
    time is their arrival-weighted mean. Rows without a date (an "average
    day" profile) form one day whose date is empty.
    """
    work = pd.DataFrame({
        "date": frame["date"] if "date" in frame else pd.Series(pd.NaT, index=frame.index,
                                                                   dtype="datetime64[s]"),
        "hour": frame["hour"].astype("int64"),
        "arrivals": frame["arrivals"].astype("float64"),
        "handling_seconds": _column(frame, "handling_seconds").fillna(default_handling),
        "counters_open": _column(frame, "counters_open"),
    })
    work["_work"] = work["arrivals"] * work["handling_seconds"]
    groups = work.groupby(["date", "hour"], dropna=False, sort=True)
    out = groups.agg(arrivals=("arrivals", "sum"), _work=("_work", "sum"),
                     _mean_handling=("handling_seconds", "mean"))
    out["counters_open"] = groups["counters_open"].sum(min_count=1)
    weighted = out["_work"] / out["arrivals"].where(out["arrivals"] > 0)
    out["handling_seconds"] = weighted.fillna(out["_mean_handling"])
    out = out.reset_index()
    return out[["date", "hour", "arrivals", "handling_seconds", "counters_open"]]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return pd.Series(np.nan, index=frame.index, dtype="float64")


def plan_branch_hours(frame: pd.DataFrame, queue: QueueRules, *, roster: bool = False,
                      on_duty: int | None = None) -> pd.DataFrame:
    """Every hour of one branch sized by Erlang C; with ``roster``, the open counters evaluated.

    ``on_duty`` (tellers on duty from the staff list) fills the counters open
    of hours whose ledger row gives none: every teller on duty at a counter,
    breaks not deducted, so an hour under-served even so surely is.
    """
    tidy = tidy_hours(frame, queue.handling_seconds)
    planned = plan_hours(tidy.drop(columns="counters_open"), rules=queue)
    columns = HOUR_COLUMNS + (["abandon_share"] if queue.patience_seconds > 0 else [])
    planned = planned[columns]
    if roster:
        planned = pd.concat([planned, evaluate_open_counters(tidy, planned, queue, on_duty)], axis=1)
    return planned


def evaluate_open_counters(tidy: pd.DataFrame, planned: pd.DataFrame, queue: QueueRules,
                           on_duty: int | None) -> pd.DataFrame:
    """Service level, average wait and occupancy reached with the counters open each hour.

    Counters open come from the ledger's column, else one per teller on
    duty; a fractional count is rounded down (a counter open part of the
    hour does not serve all of it). An hour is under-served when
    fewer counters are open than the model needs: since the service level
    rises and occupancy and wait fall with every counter added, that is
    exactly when the open counters miss a target. Hours with neither stay
    empty.
    """
    open_ = tidy["counters_open"]
    if on_duty is not None:
        open_ = open_.fillna(float(on_duty))
    open_ = np.floor(open_ + TOLERANCE)
    cache: dict[tuple[float, float, int], HourResult] = {}
    results = [None if pd.isna(n) else _roster_hour(cache, a, h, int(n), queue)
               for a, h, n in zip(planned["arrivals"], planned["handling_seconds"], open_)]
    out = pd.DataFrame({"counters_open": pd.array(open_, dtype="Int64")}, index=planned.index)
    for column, field in [("roster_service_level", "service_level"),
                          ("roster_average_wait_seconds", "average_wait_seconds"),
                          ("roster_occupancy", "occupancy"), ("roster_abandon_share", "abandon_share")]:
        out[column] = [np.nan if r is None or getattr(r, field) is None else getattr(r, field)
                       for r in results]
    if queue.patience_seconds <= 0:
        out = out.drop(columns="roster_abandon_share")
    out["under_served"] = (out["counters_open"] < planned["counters"]).astype("boolean")
    return out


def _roster_hour(cache: dict, arrivals: float, handling: float, counters: int,
                 queue: QueueRules) -> HourResult:
    key = (float(arrivals), float(handling), counters)
    if key not in cache:
        cache[key] = evaluate_roster(arrivals, handling, counters,
                                     target_wait_seconds=queue.target_wait_seconds,
                                     patience_seconds=queue.patience_seconds)
    return cache[key]


def peak_hour(planned: pd.DataFrame) -> dict[str, object]:
    """The hour that drives staffing: the most counters needed, on its worst day.

    Ties go to the larger load, then to the earlier date and hour, so the
    answer does not depend on row order. No hours or no arrivals: no peak
    hour, and 0 counters and staff.
    """
    none = {"peak_date": pd.NaT, "peak_hour": pd.NA, "peak_counters": 0, "queue_staff_needed": 0}
    if planned.empty or planned["counters"].max() == 0:
        return none if not planned.empty else {**none, "peak_counters": pd.NA,
                                               "queue_staff_needed": pd.NA}
    ranked = planned.assign(_load=planned["arrivals"] * planned["handling_seconds"]).sort_values(
        ["counters", "_load", "date", "hour"], ascending=[False, False, True, True],
        na_position="last", kind="mergesort")
    top = ranked.iloc[0]
    return {"peak_date": top["date"], "peak_hour": int(top["hour"]),
            "peak_counters": int(top["counters"]), "queue_staff_needed": int(top["staff"])}


def daily_from_hours(planned: pd.DataFrame) -> float:
    """Average daily transactions from hourly arrivals: the total over the number of days."""
    days = planned["date"].nunique(dropna=False)
    return float(planned["arrivals"].sum() / days) if days else math.nan
