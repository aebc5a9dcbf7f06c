"""Staffing a branch (DOMAIN §4): the 130 rule, corporate counters, minimum staffing, the queue model.

Per branch, from its row of the daily volumes, its staff, its hourly volumes
and (optionally) its customers:

- the teller rule: tellers needed = ceil(daily transactions / throughput),
  beside the tellers the branch has, and the surplus (+) or shortfall (−);
- the corporate counter requirement of its type for its corporate cash and
  non-cash volumes (bands in the rules file);
- its type's minimum staffing checked against the staff list, each
  shortfall listed;
- the queueing model per hour (``core.staffing_hours``) and its peak.

``staff_branch`` computes one branch from a picklable ``BranchInput``;
``plan_staffing`` splits the ledgers by branch and runs it for every branch,
in parallel processes with ``jobs`` > 1, with the same result either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from branchkit.core.parallel import by_branch, map_ordered
from branchkit.core.staffing_hours import HOUR_COLUMNS, daily_from_hours, peak_hour, plan_branch_hours
from branchkit.core.staffing_rules import (
    COUNTER_KINDS, MINIMUM_ITEMS, corporate_business, counted_staff, counter_requirement,
    minimum_shortfalls, rm_team, staff_counts, staff_states, tellers_needed, tellers_on_duty,
)

__all__ = [
    "BranchInput", "BranchResult", "StaffingResult", "plan_staffing", "staff_branch", "branch_inputs",
    "combine", "tellers_needed", "counter_requirement", "minimum_shortfalls", "staff_counts",
    "corporate_business", "rm_team", "MINIMUM_ITEMS", "COUNTER_KINDS",
]
from branchkit.errors import DataError
from branchkit.rules import StaffingRules

_INT_COLUMNS = ["tellers_needed", "tellers_current", "surplus", "peak_hour", "peak_counters",
                "queue_staff_needed", "queue_surplus", "tellers_on_leave", "tellers_on_duty", "cash_dedicated",
                "cash_combined", "noncash_dedicated", "noncash_combined", "minimum_staff",
                "staff_current", "under_served_hours"]


@dataclass(frozen=True)
class BranchInput:
    """Everything one branch's staffing needs; pickles, so it can go to a worker process."""

    branch: str
    rules: StaffingRules
    volumes: dict[str, object] | None = None   # its row of the daily volumes
    staff: pd.DataFrame | None = None          # its rows of the staff list; None: no list given
    hours: pd.DataFrame | None = None          # its hourly volumes; None: none given
    corporate_customers: int | None = None     # its existing corporate customers; None: no list
    roster: bool = False                       # evaluate the counters actually open (--roster)


@dataclass
class BranchResult:
    """One branch: its summary row, hours, corporate counters, shortfalls and notes."""

    summary: dict[str, object]
    hours: pd.DataFrame
    counters: pd.DataFrame
    shortfalls: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class StaffingResult:
    """Every branch: one frame per table, and notes for the user."""

    branches: pd.DataFrame
    hours: pd.DataFrame
    counters: pd.DataFrame
    shortfalls: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def below_minimum(self) -> list[str]:
        """Branches short of their type's minimum, or on the staff list but of unknown type.

        A branch of unknown type cannot be shown to meet a minimum, so a batch
        script's ``--check`` counts it as short. Without a staff list nothing
        was checked and nothing is listed.
        """
        if "staff_current" not in self.branches:
            return []
        met = self.branches["minimum_met"]
        checked = self.branches["staff_current"].notna()
        return self.branches.loc[checked & ~met.fillna(False).astype("bool"), "branch"].tolist()


# --- one branch --------------------------------------------------------------------

def staff_branch(item: BranchInput) -> BranchResult:
    """Staffing of one branch: the rule, the counters, the minimum and the queue model."""
    rules, volumes, notes = item.rules, item.volumes or {}, []
    branch_type = _branch_type(item, notes)
    business = corporate_business(item.volumes, item.corporate_customers)
    summary: dict[str, object] = {"branch": item.branch, "branch_type": branch_type}
    hours = _hours(item)
    summary |= _teller_rule(item, hours, notes)
    summary |= peak_hour(hours) if item.hours is not None else _no_peak()
    summary["queue_surplus"] = _difference(summary["tellers_current"], summary["queue_staff_needed"])
    counters = pd.DataFrame([counter_requirement(rules, c, branch_type, volumes.get(f"corporate_{c}"), business)
                             for c in COUNTER_KINDS])
    for row in counters.itertuples():
        summary[f"{row.counter}_dedicated"], summary[f"{row.counter}_combined"] = row.dedicated, row.combined
    shortfalls = _minimum(item, branch_type, business, summary, notes)
    if item.roster and "under_served" in hours:
        summary["under_served_hours"] = int(hours["under_served"].fillna(False).sum())
    counters.insert(0, "branch", item.branch)
    counters.insert(1, "branch_type", branch_type)
    shortfalls.insert(0, "branch", item.branch)
    shortfalls.insert(1, "branch_type", branch_type)
    hours.insert(0, "branch", item.branch)
    return BranchResult(summary, hours, counters, shortfalls, notes)


def _branch_type(item: BranchInput, notes: list[str]) -> str | None:
    """The type from the volumes ledger, else the staff list's most common; None if neither says."""
    from_volumes = (item.volumes or {}).get("branch_type")
    from_volumes = None if from_volumes is None or pd.isna(from_volumes) else str(from_volumes)
    from_staff = None
    if item.staff is not None and "branch_type" in item.staff and item.staff["branch_type"].notna().any():
        from_staff = str(item.staff["branch_type"].dropna().mode().sort_values().iloc[0])
    if from_volumes and from_staff and from_volumes != from_staff:
        notes.append(f"{item.branch}: the volumes say branch type {from_volumes}, the staff list "
                     f"{from_staff}; {from_volumes} is used")
    chosen = from_volumes or from_staff
    if chosen is None:
        notes.append(f"{item.branch}: branch type unknown (give 网点类型 in the volumes or the staff "
                     "list); its minimum staffing and corporate counters were not checked")
    return chosen


def _hours(item: BranchInput) -> pd.DataFrame:
    if item.hours is None:
        return pd.DataFrame(columns=["date", "hour"])
    on_duty = tellers_on_duty(item.staff, item.rules) if item.staff is not None else None
    return plan_branch_hours(item.hours, item.rules.queue, roster=item.roster, on_duty=on_duty)


def _teller_rule(item: BranchInput, hours: pd.DataFrame, notes: list[str]) -> dict[str, object]:
    """Daily transactions, tellers needed and current, surplus (+) or shortfall (−)."""
    volumes = item.volumes or {}
    daily = volumes.get("daily_transactions")
    if (daily is None or pd.isna(daily)) and item.hours is not None and len(hours):
        daily = daily_from_hours(hours)
        notes.append(f"{item.branch}: no daily volumes; daily transactions {daily:,.1f} are the "
                     "hourly arrivals per day")
    daily = None if daily is None or pd.isna(daily) else float(daily)
    needed = None if daily is None else tellers_needed(daily, item.rules.teller_daily_throughput)
    current, on_leave = _current_tellers(item, notes)
    on_duty = tellers_on_duty(item.staff, item.rules) if item.staff is not None else None
    return {"daily_transactions": daily, "tellers_needed": needed, "tellers_current": current,
            "surplus": _difference(current, needed), "tellers_on_leave": on_leave,
            "tellers_on_duty": on_duty}


def _current_tellers(item: BranchInput, notes: list[str]) -> tuple[int | None, int | None]:
    """From the volumes ledger's 现有柜员数 when given, else counted in the staff list."""
    given = (item.volumes or {}).get("tellers_current")
    counted = on_leave = None
    if item.staff is not None:
        tellers = counted_staff(item.staff, item.rules)
        tellers = tellers[tellers["role"].isin(item.rules.teller_roles)]
        counted, on_leave = len(tellers), int(staff_states(tellers).eq("on_leave").sum())
    if given is None or pd.isna(given):
        return counted, on_leave
    given = int(round(float(given)))
    if counted is not None and counted != given:
        notes.append(f"{item.branch}: the volumes give {given} current tellers, the staff list has "
                     f"{counted}; {given} is used")
    return given, on_leave


def _minimum(item: BranchInput, branch_type: str | None, business: bool | None,
             summary: dict[str, object], notes: list[str]) -> pd.DataFrame:
    """The minimum-staffing check; fills the summary's minimum columns."""
    empty = minimum_shortfalls({k: 0 for k in MINIMUM_ITEMS}, item.rules, "general", False).iloc[0:0]
    summary["minimum_staff"] = item.rules.minimum[branch_type].staff if branch_type else pd.NA  # type: ignore[index]
    if item.staff is None:
        summary |= {"staff_current": pd.NA, "minimum_met": pd.NA}
        return empty
    counts = staff_counts(item.staff, item.rules)
    summary["staff_current"] = counts["staff"]
    if branch_type is None:
        summary["minimum_met"] = pd.NA
        return empty
    if business is None and item.rules.minimum[branch_type].corporate_rm > 0:  # type: ignore[index]
        notes.append(f"{item.branch}: whether it does corporate business is unknown (no corporate "
                     "volumes or customer list), so the corporate RM minimum was not checked")
    shortfalls = minimum_shortfalls(counts, item.rules, branch_type, business)
    summary["minimum_met"] = shortfalls.empty
    return shortfalls


def _no_peak() -> dict[str, object]:
    return {"peak_date": pd.NaT, "peak_hour": pd.NA, "peak_counters": pd.NA, "queue_staff_needed": pd.NA}


def _difference(have: object, need: object) -> object:
    """have − need, or NA when either is unknown."""
    if have is None or need is None or pd.isna(have) or pd.isna(need):
        return pd.NA
    return int(have) - int(need)  # type: ignore[call-overload]


# --- every branch ------------------------------------------------------------------

def plan_staffing(rules: StaffingRules, *, volumes: pd.DataFrame | None = None,
                  hourly: pd.DataFrame | None = None, staff: pd.DataFrame | None = None,
                  customers: pd.DataFrame | None = None, roster: bool = False,
                  jobs: int = 1) -> StaffingResult:
    """Staffing of every branch found in the volumes, hourly volumes or staff list, in branch order.

    Frames are ledger frames (canonical columns). ``roster`` evaluates the
    counters actually open per hour; ``jobs`` > 1 computes branches in
    parallel processes with the same result. Raises ``DataError`` when a
    branch has two rows in the daily volumes.
    """
    notes: list[str] = []
    items = branch_inputs(rules, volumes=volumes, hourly=hourly, staff=staff, customers=customers,
                          roster=roster, notes=notes)
    results = map_ordered(staff_branch, items, jobs)
    return combine(results, notes)


def branch_inputs(rules: StaffingRules, *, volumes: pd.DataFrame | None, hourly: pd.DataFrame | None,
                  staff: pd.DataFrame | None, customers: pd.DataFrame | None, roster: bool,
                  notes: list[str]) -> list[BranchInput]:
    """One ``BranchInput`` per branch named in any of the ledgers."""
    daily = _daily_rows(volumes)
    hours = by_branch(hourly)
    known = sorted(set(daily) | set(hours))
    staff_by = _by_branch_or_only(staff, known, "staff", notes)
    corporate = _corporate_customers(customers, known, notes)
    names = sorted(set(known) | set(staff_by))
    empty_staff = staff.iloc[0:0] if staff is not None else None
    return [BranchInput(
        branch=name, rules=rules, volumes=daily.get(name), roster=roster,
        staff=staff_by.get(name, empty_staff), hours=hours.get(name),
        corporate_customers=None if corporate is None else int(corporate.get(name, 0)),
    ) for name in names]


def _daily_rows(volumes: pd.DataFrame | None) -> dict[str, dict[str, object]]:
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


def _by_branch_or_only(frame: pd.DataFrame | None, known: list[str], what: str,
                       notes: list[str]) -> dict[str, pd.DataFrame]:
    """A ledger split by branch; rows without a branch belong to the only branch if there is one."""
    if frame is None:
        return {}
    branch = frame["branch"] if "branch" in frame else pd.Series(pd.NA, index=frame.index)
    missing = branch.isna()
    if missing.any() and len(known) == 1:
        frame = frame.assign(branch=branch.fillna(known[0]))
    elif missing.any():
        notes.append(f"{int(missing.sum())} row(s) of the {what} list name no branch and were not counted")
        frame = frame[~missing.to_numpy()]
    return by_branch(frame)


def _corporate_customers(customers: pd.DataFrame | None, known: list[str],
                         notes: list[str]) -> pd.Series | None:
    """Existing corporate customers per branch, or None without a customer list."""
    if customers is None:
        return None
    parts = _by_branch_or_only(customers, known, "customer", notes)
    counts = {}
    for name, part in parts.items():
        status = part["status"].fillna("existing") if "status" in part else "existing"
        counts[name] = int((part["kind"].eq("corporate") & pd.Series(status == "existing",
                                                                      index=part.index)).sum())
    return pd.Series(counts, dtype="int64")


def combine(results: list[BranchResult], notes: list[str] | None = None) -> StaffingResult:
    """The branches' results as one frame per table."""
    branches = pd.DataFrame([r.summary for r in results])
    if branches.empty:
        branches = pd.DataFrame(columns=["branch", "branch_type", "minimum_met"])
    for column in _INT_COLUMNS:
        if column in branches:
            branches[column] = pd.to_numeric(branches[column], errors="coerce").astype("Int64")
    if "minimum_met" in branches:
        branches["minimum_met"] = branches["minimum_met"].astype("boolean")
    if "daily_transactions" in branches:
        branches["daily_transactions"] = pd.to_numeric(branches["daily_transactions"]).astype("float64")
    if "peak_date" in branches:
        branches["peak_date"] = pd.to_datetime(branches["peak_date"]).astype("datetime64[s]")
    return StaffingResult(
        branches=branches.reset_index(drop=True),
        hours=_concat([r.hours for r in results if len(r.hours)], ["branch", *HOUR_COLUMNS]),
        counters=_concat([r.counters for r in results], ["branch", "branch_type", "counter", "status"]),
        shortfalls=_concat([r.shortfalls for r in results if len(r.shortfalls)],
                           ["branch", "branch_type", "item", "required", "present", "missing"]),
        notes=list(notes or []) + [n for r in results for n in r.notes],
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The frames one after another; with none, an empty frame that still has its key columns."""
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
