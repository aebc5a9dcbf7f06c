"""Points per metric, work-log bonus, deductions, totals, ranks and the balanced scorecard of a branch.

For one metric: ``points = weight * min(actual / target, cap)``, or 0 when
``actual / target < floor``. ``total = sum of points + work-log bonus -
deductions``, never below 0. Points stay unrounded; people see 2 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.rules import ScoringRules

PERSPECTIVES = ("financial", "customer", "internal", "learning")
#: Totals this close are equal for ranking (float sums of equal points may differ in the last bits).
RANK_DECIMALS = 9
LINE_COLUMNS = ["staff_id", "metric", "perspective", "actual", "target", "weight", "ratio", "points"]


@dataclass
class Scorecard:
    """A branch's scorecards: one line per person and metric, and one summary row per person."""

    lines: pd.DataFrame
    summary: pd.DataFrame


def points(actual: pd.Series, target: pd.Series, weight: pd.Series, cap: float, floor: float) -> pd.Series:
    """``weight * min(actual / target, cap)``, 0 below the floor ratio or where there is no weight."""
    ratio = actual / target
    earned = weight * np.minimum(ratio, cap)
    return earned.where((ratio >= floor) & (weight > 0), 0.0).fillna(0.0)


def weights_table(roles: list[str], scoring: ScoringRules) -> pd.DataFrame:
    """Per role and metric of the rules: weight (0 if the role does not score it), target, perspective."""
    rows = []
    for role in sorted(set(roles)):
        rule = scoring.for_role(role)
        for order, metric in enumerate(scoring.metrics):
            weight = float(rule.weights.get(metric, 0.0))
            target = float(rule.targets[metric]) if weight > 0 else np.nan
            rows.append((role, metric, order, scoring.perspectives[metric], weight, target))
    return pd.DataFrame(rows, columns=["role", "metric", "order", "perspective", "weight", "target"])


def scorecard_lines(staff: pd.DataFrame, actuals: pd.DataFrame, scoring: ScoringRules) -> pd.DataFrame:
    """One line per person and metric: actual, target, weight, achievement ratio and points."""
    table = weights_table(staff["role"].tolist(), scoring)
    lines = staff[["staff_id", "role"]].merge(table, on="role", how="inner")
    long = actuals.reindex(columns=scoring.metrics).stack().rename("actual")
    lines = lines.merge(long, left_on=["staff_id", "metric"], right_index=True, how="left")
    lines["actual"] = lines["actual"].fillna(0.0).astype("float64")
    lines["ratio"] = (lines["actual"] / lines["target"]).where(lines["weight"] > 0)
    lines["points"] = points(lines["actual"], lines["target"], lines["weight"], scoring.cap, scoring.floor)
    order = staff["staff_id"].reset_index(drop=True)
    lines["_p"] = lines["staff_id"].map(pd.Series(order.index, index=order))
    lines = lines.sort_values(["_p", "order"], kind="stable").reset_index(drop=True)
    return lines[LINE_COLUMNS]


def scorecards(staff: pd.DataFrame, actuals: pd.DataFrame, working_days: int, scoring: ScoringRules) -> Scorecard:
    """Scorecards of scored staff (staff_id, name, role, branch, state), ranked within their branch.

    Vectorised over every person of every branch at once; rows come out by branch, rank, staff id.
    """
    staff = staff.sort_values(["branch", "staff_id"], kind="stable").reset_index(drop=True)
    if staff.empty:
        return _empty_card(scoring)
    actuals = actuals.reindex(staff["staff_id"]).fillna(0.0)
    lines = scorecard_lines(staff, actuals, scoring)
    summary = staff[["staff_id", "name", "role", "branch", "state"]].copy()
    wide = lines.pivot(index="staff_id", columns="metric", values="points")
    for metric in scoring.metrics:
        summary[f"points_{metric}"] = summary["staff_id"].map(wide[metric]).to_numpy()
    days = actuals["worklog_days"].to_numpy()
    completion = np.minimum(days / working_days, 1.0) if working_days > 0 else np.zeros(len(days))
    summary["worklog_days"] = days
    summary["worklog_completion"] = completion
    summary["worklog_bonus"] = scoring.worklog_bonus * completion
    summary["deductions"] = actuals["deductions"].to_numpy()
    _totals(summary, lines, scoring)
    summary["rank"] = rank(summary["total"], summary["branch"].fillna(""))
    summary = summary.sort_values(["branch", "rank", "staff_id"], kind="stable").reset_index(drop=True)
    return Scorecard(lines, summary)


def _empty_card(scoring: ScoringRules) -> Scorecard:
    lines = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("actual", "target", "weight", "ratio", "points")
                                       else "str") for c in LINE_COLUMNS})
    columns = ["staff_id", "name", "role", "branch", "state"] + [f"points_{m}" for m in scoring.metrics] + [
        "worklog_days", "worklog_completion", "worklog_bonus", "deductions", "subtotal", "total"] + [
        f"perspective_{v}" for v in PERSPECTIVES]
    summary = pd.DataFrame({c: pd.Series(dtype="str" if c in columns[:5] else "float64") for c in columns})
    summary["rank"] = pd.Series(dtype="int64")
    return Scorecard(lines, summary)


def _totals(summary: pd.DataFrame, lines: pd.DataFrame, scoring: ScoringRules) -> None:
    earned = [f"points_{m}" for m in scoring.metrics]
    summary["subtotal"] = summary[earned].sum(axis=1) + summary["worklog_bonus"] - summary["deductions"]
    summary["total"] = summary["subtotal"].clip(lower=0.0)
    by_view = lines.pivot_table(index="staff_id", columns="perspective", values="points", aggfunc="sum")
    worklog_view = scoring.perspectives.get("worklog")
    for view in PERSPECTIVES:
        values = summary["staff_id"].map(by_view[view]) if view in by_view else 0.0
        summary[f"perspective_{view}"] = pd.Series(values, index=summary.index).fillna(0.0)
        if view == worklog_view:
            summary[f"perspective_{view}"] += summary["worklog_bonus"]


def rank(totals: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Competition rank (1, 2, 2, 4) by total, highest first, within each group (branch); totals equal
    to 1e-9 share a rank."""
    if totals.empty:
        return pd.Series(dtype="int64", index=totals.index)
    key = totals.round(RANK_DECIMALS)
    ranked = key.rank(method="min", ascending=False) if groups is None else \
        key.groupby(groups).rank(method="min", ascending=False)
    return ranked.astype("int64")
