"""What ``core.staffing`` computes from: the ledgers split into branches and groups of branches.

``network_groups`` finds every branch named in the daily volumes, hourly
volumes or staff list, gives rows without a branch to the only branch when
there is one, counts each branch's existing corporate customers, and deals
the branches, in order, into groups that worker processes compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from branchkit.errors import DataError
from branchkit.rules import StaffingRules


@dataclass(frozen=True)
class BranchInput:
    """One branch's ledgers; ``staff_branch`` computes it."""

    branch: str
    rules: StaffingRules
    volumes: Mapping[str, object] | None = None   # its row of the daily volumes
    staff: pd.DataFrame | None = None             # its rows of the staff list; None: no list given
    hours: pd.DataFrame | None = None             # its hourly volumes; None: none given
    corporate_customers: int | None = None        # its existing corporate customers; None: no list
    roster: bool = False                          # evaluate the counters actually open (--roster)


@dataclass(frozen=True)
class BranchesInput:
    """A group of branches computed together; pickles, so it can go to a worker process.

    The frames hold the rows of these branches only, each with its branch.
    """

    rules: StaffingRules
    branches: tuple[str, ...]
    volumes: Mapping[str, Mapping[str, object]] = field(default_factory=dict)   # daily row by branch
    staff: pd.DataFrame | None = None
    hours: pd.DataFrame | None = None
    corporate_customers: Mapping[str, int] | None = None
    roster: bool = False


def network_groups(rules: StaffingRules, *, volumes: pd.DataFrame | None, hourly: pd.DataFrame | None,
                   staff: pd.DataFrame | None, customers: pd.DataFrame | None, roster: bool, jobs: int,
                   notes: list[str]) -> list[BranchesInput]:
    """Every branch in order, dealt into one group (``jobs`` 1) or a few per process."""
    daily = daily_rows(volumes)
    known = sorted(set(daily) | set(_branches(hourly)))
    staff = _with_branch(staff, known, "staff", notes)
    corporate = corporate_customers(_with_branch(customers, known, "customer", notes))
    names = sorted(set(known) | set(_branches(staff)))
    size = max(1, len(names) if jobs <= 1 else -(-len(names) // (jobs * 4)))
    groups = []
    for start in range(0, len(names), size):
        chosen = names[start:start + size]
        groups.append(BranchesInput(
            rules, tuple(chosen), {n: daily[n] for n in chosen if n in daily}, _rows_of(staff, chosen),
            _rows_of(hourly, chosen), None if corporate is None else {n: corporate.get(n, 0) for n in chosen},
            roster))
    return groups


def daily_rows(volumes: pd.DataFrame | None) -> dict[str, dict[str, object]]:
    """Each branch's row of the daily volumes; a branch twice is a data error naming its rows."""
    if volumes is None or volumes.empty:
        return {}
    twice = volumes[volumes["branch"].duplicated(keep=False)]
    if len(twice):
        rows = twice.groupby("branch")["_row"].agg(lambda r: ", ".join(map(str, r))) \
            if "_row" in twice else twice.groupby("branch").size().astype(str)
        listed = "; ".join(f"{b} (rows {r})" for b, r in rows.items())
        raise DataError(f"daily volumes: a branch appears on several rows: {listed}; give one row "
                        "per branch, its yearly average")
    return {str(row["branch"]): row for row in volumes.to_dict("records")}


def _branches(frame: pd.DataFrame | None) -> list[str]:
    if frame is None or "branch" not in frame:
        return []
    return [str(b) for b in frame["branch"].dropna().unique()]


def _with_branch(frame: pd.DataFrame | None, known: list[str], what: str,
                 notes: list[str]) -> pd.DataFrame | None:
    """Rows without a branch belong to the only branch if there is one; else they are set aside."""
    if frame is None:
        return None
    branch = frame["branch"] if "branch" in frame else pd.Series(pd.NA, index=frame.index)
    missing = branch.isna()
    if not missing.any():
        return frame
    if len(known) == 1:
        return frame.assign(branch=branch.fillna(known[0]))
    notes.append(f"{int(missing.sum())} row(s) of the {what} list name no branch and were not counted")
    return frame[~missing.to_numpy()]


def corporate_customers(customers: pd.DataFrame | None) -> dict[str, int] | None:
    """Existing corporate customers per branch (targets are prospects, not business), or None."""
    if customers is None:
        return None
    status = customers["status"].fillna("existing") if "status" in customers else "existing"
    corporate = customers["kind"].eq("corporate") & pd.Series(status == "existing", index=customers.index)
    return {str(b): int(n) for b, n in corporate.groupby(customers["branch"]).sum().items()}


def _rows_of(frame: pd.DataFrame | None, branches: list[str]) -> pd.DataFrame | None:
    """The rows of some branches (the whole frame when it holds no other)."""
    if frame is None:
        return None
    inside = frame["branch"].isin(branches)
    return frame if inside.all() else frame[inside.to_numpy()]
