"""The queueing model by hour, for one branch or many at once: counters, staff, peak, roster check.

Hourly volumes come in as ledger rows (``branch``, ``date``, ``hour``,
``arrivals``, ``handling_seconds``, ``counters_open``). Every hour is sized by
Erlang C (``core.queueing.plan_hours``), all branches of a frame in one pass so
that identical hours are computed once. With ``roster`` the counters actually
open are evaluated too: the service level, average wait and occupancy they
reach, and whether the hour is under-served.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from branchkit.core.queueing import TOLERANCE, HourResult, evaluate_roster, plan_hours
from branchkit.rules import QueueRules

#: Columns of an hourly plan, in output order (abandonment and roster columns follow when used).
HOUR_COLUMNS = ["branch", "date", "hour", "arrivals", "handling_seconds", "counters", "staff",
                "service_level", "occupancy", "average_wait_seconds"]
_KEYS = ["branch", "date", "hour"]
PEAK_COLUMNS = ["peak_date", "peak_hour", "peak_counters", "queue_staff_needed"]


def tidy_hours(frame: pd.DataFrame, default_handling: float) -> pd.DataFrame:
    """One row per branch, date and hour, in that order.

    Several rows for one hour (retail and corporate counted apart, say) are
    added together: arrivals and counters open are summed, and the handling
    time is their arrival-weighted mean. Rows without a date (an "average
    day" profile) form one day whose date is empty, after the dated days.
    """
    no_date = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
    work = pd.DataFrame({
        "branch": frame["branch"].astype("str"),
        "date": frame["date"] if "date" in frame else no_date,
        "hour": frame["hour"].astype("int64"),
        "arrivals": frame["arrivals"].astype("float64"),
        "handling_seconds": _column(frame, "handling_seconds").fillna(default_handling),
        "counters_open": _column(frame, "counters_open"),
    })
    if not work.duplicated(_KEYS).any():
        # The usual ledger, one row per hour: a sort does it, for far less than a groupby.
        return work.sort_values(_KEYS, kind="mergesort", na_position="last").reset_index(drop=True)
    work["_work"] = work["arrivals"] * work["handling_seconds"]
    groups = work.groupby(_KEYS, dropna=False, sort=True)
    out = groups.agg(arrivals=("arrivals", "sum"), _work=("_work", "sum"),
                     _mean_handling=("handling_seconds", "mean"))
    out["counters_open"] = groups["counters_open"].sum(min_count=1)
    weighted = out["_work"] / out["arrivals"].where(out["arrivals"] > 0)
    out["handling_seconds"] = weighted.fillna(out["_mean_handling"])
    return out.reset_index()[list(work.columns)]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return pd.Series(np.nan, index=frame.index, dtype="float64")


def plan_hours_by_branch(frame: pd.DataFrame, queue: QueueRules, *, roster: bool = False,
                         on_duty: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Every hour of every branch in ``frame`` sized by Erlang C; with ``roster``, the open counters evaluated.

    ``on_duty`` (tellers on duty per branch, from the staff list) fills the
    counters open of hours whose ledger row gives none: every teller on duty
    at a counter, breaks not deducted, so an hour under-served even so surely is.
    """
    tidy = tidy_hours(frame, queue.handling_seconds)
    planned = plan_hours(tidy.drop(columns="counters_open"), rules=queue)
    planned = planned[HOUR_COLUMNS + (["abandon_share"] if queue.patience_seconds > 0 else [])]
    if roster:
        planned = pd.concat([planned, evaluate_open_counters(tidy, planned, queue, on_duty)], axis=1)
    return planned


def evaluate_open_counters(tidy: pd.DataFrame, planned: pd.DataFrame, queue: QueueRules,
                           on_duty: Mapping[str, int] | None) -> pd.DataFrame:
    """Service level, average wait and occupancy reached with the counters open each hour.

    Counters open come from the ledger's column, else one per teller on
    duty; a fractional count is rounded down (a counter open part of the
    hour does not serve all of it). An hour is under-served when fewer
    counters are open than the model needs: since the service level rises and
    occupancy and wait fall with every counter added, that is exactly when the
    open counters miss a target. Hours with neither stay empty.
    """
    open_ = tidy["counters_open"]
    if on_duty:
        open_ = open_.fillna(tidy["branch"].map(on_duty).astype("float64"))
    open_ = np.floor(open_ + TOLERANCE)
    cache: dict[tuple[float, float, int], HourResult] = {}
    results = [None if np.isnan(n) else _roster_hour(cache, a, h, int(n), queue)
               for a, h, n in zip(planned["arrivals"].to_numpy(), planned["handling_seconds"].to_numpy(),
                                  open_.to_numpy())]
    out = pd.DataFrame({"counters_open": pd.array(open_, dtype="Int64")}, index=planned.index)
    fields = [("roster_service_level", "service_level"), ("roster_average_wait_seconds", "average_wait_seconds"),
              ("roster_occupancy", "occupancy")]
    if queue.patience_seconds > 0:
        fields.append(("roster_abandon_share", "abandon_share"))
    for column, field in fields:
        out[column] = np.array([np.nan if r is None else getattr(r, field) for r in results], dtype="float64")
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


def peak_hours(planned: pd.DataFrame) -> pd.DataFrame:
    """Per branch, the hour that drives staffing: the most counters needed, on its worst day.

    Ties go to the larger load, then to the earlier date and hour, so the
    answer does not depend on row order. A branch whose hours have no
    arrivals has no peak hour, and 0 counters and staff. Indexed by branch.
    """
    if planned.empty:
        return pd.DataFrame(columns=PEAK_COLUMNS, index=pd.Index([], name="branch"))
    ranked = planned.assign(_load=planned["arrivals"] * planned["handling_seconds"]).sort_values(
        ["branch", "counters", "_load", "date", "hour"], ascending=[True, False, False, True, True],
        na_position="last", kind="mergesort")
    top = ranked.drop_duplicates("branch").set_index("branch")
    busy = top["counters"] > 0
    return pd.DataFrame({
        "peak_date": top["date"].where(busy),
        "peak_hour": top["hour"].astype("Int64").where(busy),
        "peak_counters": top["counters"].astype("Int64"),
        "queue_staff_needed": top["staff"].astype("Int64"),
    })


def daily_from_hours(planned: pd.DataFrame) -> pd.Series:
    """Average daily transactions per branch from hourly arrivals: the total over the number of days."""
    groups = planned.groupby("branch", sort=True)
    return groups["arrivals"].sum() / groups["date"].nunique(dropna=False)
