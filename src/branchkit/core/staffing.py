"""Staffing branches (DOMAIN §1, §4): the 130 rule, corporate counters, minimum staffing, the queue model.

Per branch, from its row of the daily volumes, its staff, its hourly volumes
and (optionally) its customers:

- the teller rule: tellers needed = ceil(daily transactions / throughput),
  beside the tellers the branch has, and the surplus (+) or shortfall (−);
- the corporate counter requirement of its type for its corporate cash and
  non-cash volumes (bands in the rules file);
- its type's minimum staffing checked against the staff list, each
  shortfall listed;
- the queueing model per hour (``core.staffing_hours``) and its peak.

``staff_branches`` computes a group of branches from a picklable
``BranchesInput``: hours and staff counts column-wise for the whole group,
then one summary per branch. ``staff_branch`` is the same for one branch.
``plan_staffing`` splits the ledgers into groups of branches and runs them,
in parallel processes with ``jobs`` > 1, with the same result either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import pandas as pd

from branchkit.core.needs import Need, Needs
from branchkit.parallel import map_ordered
from branchkit.core.staffing_hours import HOUR_COLUMNS, daily_from_hours, peak_hours, plan_hours_by_branch
from branchkit.core.staffing_inputs import BranchesInput, BranchInput, network_groups
from branchkit.core.staffing_rules import (
    COUNTER_KINDS, MINIMUM_ITEMS, corporate_business, counter_requirement, minimum_shortfalls, rm_team,
    staff_facts, tellers_needed,
)
from branchkit.rules import StaffingRules

__all__ = [
    "BranchInput", "BranchesInput", "StaffingResult", "plan_staffing", "staff_branches", "staff_branch", "staffing_needs",
    "tellers_needed", "counter_requirement", "minimum_shortfalls", "staff_facts", "corporate_business",
    "rm_team", "MINIMUM_ITEMS", "COUNTER_KINDS",
]

def staffing_needs(rules: StaffingRules) -> Needs:
    """The columns staffing reads (``core.needs``): every one refines (the 130 rule needs only the required
    daily transactions); the hourly volumes and the staff list refine when absent."""
    daily = ("volumes",)
    return Needs("staff", (
        Need("volumes", "branch_type", False, "branch type: minimum staffing and corporate counters not checked",
             "网点类型：不检查最低配置与对公柜台要求", instead=(("staff", "branch_type"),), given=daily),
        Need("volumes", "corporate_cash", False, "corporate cash transactions: no corporate cash counter requirement",
             "对公现金日均笔数：不确定对公现金柜台要求", given=daily),
        Need("volumes", "corporate_noncash", False,
             "corporate non-cash transactions: no corporate non-cash counter requirement",
             "对公非现金日均笔数：不确定对公非现金柜台要求", given=daily),
        Need("volumes", "tellers_current", False, "current tellers: no surplus or shortfall",
             "现有柜员数：不计算富余或缺口", instead=(("staff", None),), given=daily),
        Need("volumes_hourly", "handling_seconds", False,
             f"handling times: the rules' {rules.queue.handling_seconds:g} s in every hour",
             f"平均办理时长：每个时段均按规则默认 {rules.queue.handling_seconds:g} 秒"),
        Need("volumes_hourly", "date", False, "dates: the hours are one average day (the peak is not a day's)",
             "日期：各时段视为同一平均日，高峰不对应具体日期"),
        Need("staff", "state", False, "who left or is on leave: everyone counts in the posts",
             "在岗状态：全部按在岗计入", given=(*daily, "staff")),
        Need("staff", None, False, "the staff list: minimum staffing not checked, current tellers only from 现有柜员数",
             "员工名单：不检查最低配置，现有柜员只按现有柜员数", given=daily),
        Need("volumes_hourly", None, False, "hourly volumes: no queueing model (counters per hour, peak hour)",
             "分时段业务量：不计算排队模型（各时段柜台数、高峰时段）", given=daily),
    ))


_INT_COLUMNS = ["tellers_needed", "tellers_current", "surplus", "peak_hour", "peak_counters",
                "queue_staff_needed", "queue_surplus", "tellers_on_leave", "tellers_on_duty", "cash_dedicated",
                "cash_combined", "noncash_dedicated", "noncash_combined", "minimum_staff",
                "staff_current", "under_served_hours"]
COUNTER_COLUMNS = ["branch", "branch_type", "counter", "corporate_volume", "status", "text_zh", "text_en",
                   "dedicated", "combined"]
SHORTFALL_COLUMNS = ["branch", "branch_type", "item", "required", "present", "missing"]


@dataclass
class StaffingResult:
    """Branches' staffing: one frame per table, and notes for the user."""

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
        met = self.branches["minimum_met"]
        checked = self.branches["staff_current"].notna()
        return self.branches.loc[checked & ~met.fillna(False).astype("bool"), "branch"].tolist()

    def branch(self, name: str) -> dict[str, object]:
        """One branch's summary row as a dict."""
        return self.branches.loc[self.branches["branch"] == name].iloc[0].to_dict()


# --- a group of branches ------------------------------------------------------------------

def staff_branches(part: BranchesInput) -> StaffingResult:
    """Staffing of a group of branches: the rule, the counters, the minimum and the queue model."""
    rules = part.rules
    facts = staff_facts(part.staff, rules) if part.staff is not None else None
    hours = _hours(part, facts)
    peaks = peak_hours(hours)
    from_hours = daily_from_hours(hours) if len(hours) else pd.Series(dtype="float64")
    staff_types = _staff_types(part.staff)
    summaries, counters, shortfalls, notes = [], [], [], []
    for name in part.branches:
        facts_row = None if facts is None else (facts.loc[name].to_dict() if name in facts.index else
                                                 dict.fromkeys(facts.columns, 0))
        summary = _summary(part, name, facts_row, staff_types.get(name), notes)
        summary |= _teller_rule(part, name, facts_row, from_hours.get(name), notes)
        summary |= peaks.loc[name].to_dict() if name in peaks.index else _no_peak()
        summary["queue_surplus"] = _difference(summary["tellers_current"], summary["queue_staff_needed"])
        counters += _counters(part, name, summary)
        shortfalls += _minimum(part, name, facts_row, summary, notes)
        summaries.append(summary)
    branches = _branch_frame(summaries)
    if part.roster and "under_served" in hours:
        served = hours.groupby("branch")["under_served"].sum()
        branches["under_served_hours"] = branches["branch"].map(served).astype("Int64")
    return StaffingResult(branches, hours, _frame(counters, COUNTER_COLUMNS),
                          _frame(shortfalls, SHORTFALL_COLUMNS), notes)


def staff_branch(item: BranchInput) -> StaffingResult:
    """Staffing of one branch (rows without a branch in its frames are taken as its own)."""
    def own(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        return None if frame is None else frame.assign(branch=item.branch)

    corporate = None if item.corporate_customers is None else {item.branch: item.corporate_customers}
    return staff_branches(BranchesInput(
        item.rules, (item.branch,), {item.branch: item.volumes} if item.volumes is not None else {},
        own(item.staff), own(item.hours), corporate, item.roster))


def _hours(part: BranchesInput, facts: pd.DataFrame | None) -> pd.DataFrame:
    if part.hours is None or part.hours.empty:
        return pd.DataFrame(columns=HOUR_COLUMNS)
    on_duty = facts["tellers_on_duty"].to_dict() if facts is not None else None
    return plan_hours_by_branch(part.hours, part.rules.queue, roster=part.roster, on_duty=on_duty)


def _staff_types(staff: pd.DataFrame | None) -> dict[str, str]:
    """The branch type the staff list gives each branch: its most common, ties to the first in order."""
    if staff is None or "branch_type" not in staff:
        return {}
    pairs = staff.dropna(subset=["branch_type"]).groupby(["branch", "branch_type"]).size().reset_index(name="n")
    pairs = pairs.sort_values(["branch", "n", "branch_type"], ascending=[True, False, True], kind="mergesort")
    return dict(zip(pairs.drop_duplicates("branch")["branch"], pairs.drop_duplicates("branch")["branch_type"]))


def _summary(part: BranchesInput, name: str, facts_row: dict | None, staff_type: str | None,
             notes: list[str]) -> dict[str, object]:
    """The branch and its type: from the volumes ledger, else the staff list; None if neither says."""
    given = part.volumes.get(name, {}).get("branch_type")
    given = None if given is None or pd.isna(given) else str(given)
    if given and staff_type and given != staff_type:
        notes.append(f"{name}: the volumes say branch type {given}, the staff list {staff_type}; {given} is used")
    chosen = given or staff_type
    if chosen is None:
        notes.append(f"{name}: branch type unknown (give 网点类型 in the volumes or the staff list); "
                     "its minimum staffing and corporate counters were not checked")
    return {"branch": name, "branch_type": chosen}


def _teller_rule(part: BranchesInput, name: str, facts_row: dict | None, from_hours: float | None,
                 notes: list[str]) -> dict[str, object]:
    """Daily transactions, tellers needed and current, surplus (+) or shortfall (−)."""
    volumes = part.volumes.get(name, {})
    daily = volumes.get("daily_transactions")
    if (daily is None or pd.isna(daily)) and from_hours is not None:
        daily = from_hours
        notes.append(f"{name}: no daily volumes; daily transactions {daily:,.1f} are the hourly arrivals per day")
    daily = None if daily is None or pd.isna(daily) else float(daily)
    needed = None if daily is None else tellers_needed(daily, part.rules.teller_daily_throughput)
    current = _current_tellers(name, volumes.get("tellers_current"), facts_row, notes)
    return {"daily_transactions": daily, "tellers_needed": needed, "tellers_current": current,
            "surplus": _difference(current, needed),
            "tellers_on_leave": None if facts_row is None else facts_row["tellers_on_leave"],
            "tellers_on_duty": None if facts_row is None else facts_row["tellers_on_duty"]}


def _current_tellers(name: str, given: object, facts_row: dict | None, notes: list[str]) -> int | None:
    """From the volumes ledger's 现有柜员数 when given, else counted in the staff list."""
    counted = None if facts_row is None else int(facts_row["tellers"])
    if given is None or pd.isna(given):
        return counted
    given = int(round(float(given)))  # type: ignore[arg-type]
    if counted is not None and counted != given:
        notes.append(f"{name}: the volumes give {given} current tellers, the staff list has {counted}; "
                     f"{given} is used")
    return given


def _business(part: BranchesInput, name: str) -> bool | None:
    customers = None if part.corporate_customers is None else part.corporate_customers.get(name, 0)
    return corporate_business(part.volumes.get(name), customers)


def _counters(part: BranchesInput, name: str, summary: dict[str, object]) -> list[dict[str, object]]:
    """The corporate cash and non-cash requirement rows; their numbers go into the summary too."""
    volumes, business = part.volumes.get(name, {}), _business(part, name)
    rows = []
    for counter in COUNTER_KINDS:
        row = counter_requirement(part.rules, counter, summary["branch_type"],  # type: ignore[arg-type]
                                  volumes.get(f"corporate_{counter}"), business)  # type: ignore[arg-type]
        summary[f"{counter}_dedicated"], summary[f"{counter}_combined"] = row["dedicated"], row["combined"]
        rows.append({"branch": name, "branch_type": summary["branch_type"], **row})
    return rows


def _minimum(part: BranchesInput, name: str, facts_row: dict | None, summary: dict[str, object],
             notes: list[str]) -> list[dict[str, object]]:
    """The minimum-staffing check: fills the summary's minimum columns, returns the shortfall rows."""
    branch_type, rules = summary["branch_type"], part.rules
    summary["minimum_staff"] = rules.minimum[branch_type].staff if branch_type else None  # type: ignore[index]
    summary["staff_current"] = None if facts_row is None else facts_row["staff"]
    summary["minimum_met"] = None
    if facts_row is None or branch_type is None:
        return []
    business = _business(part, name)
    if business is None and rules.minimum[branch_type].corporate_rm > 0:  # type: ignore[index]
        notes.append(f"{name}: whether it does corporate business is unknown (no corporate volumes or "
                     "customer list), so the corporate RM minimum was not checked")
    rows = minimum_shortfalls(facts_row, rules, branch_type, business)  # type: ignore[arg-type]
    summary["minimum_met"] = not rows
    return [{"branch": name, "branch_type": branch_type, **row} for row in rows]


def _no_peak() -> dict[str, object]:
    """A branch without hourly rows has no peak."""
    return {"peak_date": pd.NaT, "peak_hour": None, "peak_counters": None, "queue_staff_needed": None}


def _difference(have: object, need: object) -> object:
    """have − need, or None when either is unknown."""
    if have is None or need is None or pd.isna(have) or pd.isna(need):
        return None
    return int(have) - int(need)  # type: ignore[call-overload]


def _branch_frame(summaries: list[dict[str, object]]) -> pd.DataFrame:
    """Summary rows as a frame with nullable integer, boolean, float and date columns."""
    frame = pd.DataFrame(summaries)
    if frame.empty:
        frame = pd.DataFrame(columns=["branch", "branch_type", "staff_current", "minimum_met"])
    for column in _INT_COLUMNS:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    frame["minimum_met"] = frame["minimum_met"].astype("boolean")
    frame["branch_type"] = frame["branch_type"].astype("str")
    if "daily_transactions" in frame:
        frame["daily_transactions"] = pd.to_numeric(frame["daily_transactions"]).astype("float64")
    if "peak_date" in frame:
        frame["peak_date"] = pd.to_datetime(frame["peak_date"]).astype("datetime64[s]")
    return frame


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("dedicated", "combined", "required", "present", "missing"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


# --- every branch -----------------------------------------------------------------------

def plan_staffing(rules: StaffingRules, *, volumes: pd.DataFrame | None = None,
                  hourly: pd.DataFrame | None = None, staff: pd.DataFrame | None = None,
                  customers: pd.DataFrame | None = None, roster: bool = False,
                  jobs: int = 1) -> StaffingResult:
    """Staffing of every branch found in the volumes, hourly volumes or staff list, in branch order.

    Frames are ledger frames (canonical columns). ``roster`` evaluates the
    counters actually open per hour; ``jobs`` > 1 computes groups of branches
    in parallel processes with the same result. Raises ``DataError`` when a
    branch has two rows in the daily volumes.
    """
    notes: list[str] = []
    groups = network_groups(rules, volumes=volumes, hourly=hourly, staff=staff, customers=customers,
                            roster=roster, jobs=jobs, notes=notes)
    return combine(map_ordered(staff_branches, groups, jobs), notes)


def combine(results: list[StaffingResult], notes: list[str] | None = None) -> StaffingResult:
    """Groups' results as one, in group order."""
    def joined(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    branches = joined([r.branches for r in results], ["branch", "branch_type", "staff_current", "minimum_met"])
    return StaffingResult(
        branches=branches, hours=joined([r.hours for r in results], HOUR_COLUMNS),
        counters=joined([r.counters for r in results], COUNTER_COLUMNS),
        shortfalls=joined([r.shortfalls for r in results], SHORTFALL_COLUMNS),
        notes=list(notes or []) + [n for r in results for n in r.notes],
    )
