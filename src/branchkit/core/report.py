"""The month-end pack (DOMAIN §7): every command's core run once over the same ledgers.

``month_pack`` calls the cores exactly as the commands do (``allocate``,
``plan_staffing``, ``hold_plan``, ``score_month``) with the same arguments,
so every number in the pack equals the one the command alone gives. A part
whose ledgers are absent is not computed; it is listed in ``omitted`` with
the ledger kinds that would enable it. ``jobs`` reaches the cores that
compute branches in parallel processes (allocation, staffing, pay), whose
results do not depend on it.

``branch_comparison`` and ``keeper_coverage`` are the pack's own tables,
column-wise over the cores' results.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field, fields, replace
from typing import Callable, Mapping, TypeVar

import numpy as np
import pandas as pd

from branchkit.core.allocate import Allocation, allocate, allocation_needs
from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import MonthResult, check_ledgers, score_month, score_needs
from branchkit.core.needs import Needs, joined
from branchkit.core.plan import PlanResult, Window, hold_plan, plan_needs
from branchkit.core.quarter import NEEDS as QUARTER_NEEDS
from branchkit.core.staffing import StaffingResult, plan_staffing, staffing_needs
from branchkit.errors import DataError
from branchkit.models.ledgers import empty_frame
from branchkit.parallel import Pool, can_fork, workers_for
from branchkit.problems import Problem
from branchkit.rules import Rules

#: The parts of the pack and the ledger kinds each needs (all of them, unless ``ANY_OF``).
PARTS: dict[str, tuple[str, ...]] = {
    "allocation": ("customers", "staff"),
    "changes": ("previous",),
    "staffing": ("volumes", "volumes_hourly"),
    "plan": ("plan",),
    "overdue": ("visits", "customers"),
    "score": (),          # what the scoring rules need: core.metrics.required_ledgers
}
ANY_OF = {"staffing"}


def month_needs(rules: Rules) -> Needs:
    """The columns the month-end pack reads: those of every part it computes (each part's needs apply
    when its ledgers are given)."""
    return joined([allocation_needs(rules), staffing_needs(rules.staffing), plan_needs(rules.plan),
                   score_needs(rules)])


def every_need(rules: Rules) -> Needs:
    """Every computation's columns, for ``validate`` to say what each command would miss."""
    return joined([month_needs(rules), QUARTER_NEEDS])


@dataclass
class Omission:
    """A part of the pack left out: the ledger kinds that would enable it, or the problems that stopped it."""

    part: str
    ledgers: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class MonthPack:
    """Every part's result for the month (None when omitted) and why parts were omitted."""

    month: pd.Period
    branches: list[str]
    allocation: Allocation | None = None
    staffing: StaffingResult | None = None
    plan: PlanResult | None = None
    score: MonthResult | None = None
    omitted: list[Omission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def has(self, part: str) -> bool:
        return part not in {o.part for o in self.omitted}

    #: Each table's rows by branch, found once (``_rows``): a report cuts the pack for every branch, and
    #: comparing a whole column with each branch's name cost the time of a pass over every table per branch.
    _cuts: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def branch(self, name: str) -> "MonthPack":
        """The pack of one branch: every result cut to the branch's rows."""
        cuts = self._cuts
        return replace(
            self, branches=[name],
            allocation=_cut_allocation(self.allocation, name, cuts),
            staffing=_cut_fields(self.staffing, name, ("branches", "hours", "counters", "shortfalls"), cuts),
            plan=_cut_plan(self.plan, name, cuts), score=_cut_score(self.score, name, cuts),
        )


Progress = Callable[[str], None]
T = TypeVar("T")


def month_pack(frames: Mapping[str, pd.DataFrame | None], month: str, rules: Rules, *,
               ambiguous: frozenset[str] = frozenset(), jobs: int = 1, progress: Progress | None = None) -> MonthPack:
    """Run allocation, staffing, plan adherence and scoring for the month over the ledgers given.

    ``frames``: usable rows by ledger kind (missing kinds absent or None). ``progress`` is told the
    name of each part when it starts.
    """
    step = progress or (lambda _name: None)
    given = {k for k, v in frames.items() if v is not None}
    pack = MonthPack(pd.Period(month, freq="M"), network_branches(frames))
    for part, kinds in PARTS.items():
        missing = tuple(k for k in kinds if k not in given)
        if missing and (part not in ANY_OF or len(missing) == len(kinds)):
            pack.omitted.append(Omission(part, missing))
    if workers_for(jobs, 2) < 2 or not can_fork():
        return _compute_parts(pack, frames, rules, ambiguous, jobs, step, None)
    # The scoring needs no other part: a worker computes it while this process does the rest, and it
    # is taken in its place after them, as if computed here. It is one of the ``jobs`` processes; the
    # parts here share the rest (--jobs 2: none; pools beside it cost the 200-branch pack 4.0-4.5 s CPU
    # against 3.3-3.7 s, getrusage self + children, 4 runs; wall, under other load, did not separate them).
    with Pool(_scored, (frames, pack.month, rules), 1) as pool:
        return _compute_parts(pack, frames, rules, ambiguous, jobs - 1, step, pool.submit(None))


def _compute_parts(pack: MonthPack, frames: Mapping[str, pd.DataFrame | None], rules: Rules,
                   ambiguous: frozenset[str], jobs: int, step: Progress, scoring: Future | None) -> MonthPack:
    """``month_pack``'s parts in order; the scoring's outcome from ``scoring`` when a worker computes it."""
    if pack.has("allocation"):
        step("allocation")
        pack.allocation = _attempt(pack, "allocation", lambda: allocate(
            frames["customers"], frames["staff"], rules, claims=frames.get("claims"), previous=frames.get("previous"),
            ambiguous=ambiguous, jobs=jobs))
    if pack.allocation is None and pack.has("changes"):
        pack.omitted.append(Omission("changes", PARTS["allocation"]))
    if pack.has("staffing"):
        step("staffing")
        pack.staffing = _attempt(pack, "staffing", lambda: plan_staffing(
            rules.staffing, volumes=frames.get("volumes"), hourly=frames.get("volumes_hourly"),
            staff=frames.get("staff"), customers=frames.get("customers"), jobs=jobs))
        pack.notes += pack.staffing.notes if pack.staffing is not None else []
    if pack.has("plan") or pack.has("overdue"):
        step("plan")
        pack.plan = _attempt(pack, "plan", lambda: _hold_plan(frames, pack.month, rules))
        pack.notes += pack.plan.notes if pack.plan is not None else []
    step("score")
    outcome = scoring.result() if scoring is not None else _scored((frames, pack.month, rules), None, jobs)
    pack.score = _attempt(pack, "score", lambda: _score(pack, outcome))
    return pack


def _attempt(pack: MonthPack, part: str, compute: Callable[[], T]) -> T | None:
    """A part's result, or None with the reason listed when its core refuses the data (the command would
    exit 1 there; the pack goes on without the part)."""
    try:
        return compute()
    except DataError as exc:
        pack.omitted.append(Omission(part, (), (str(exc),)))
        if part == "plan" and pack.has("overdue"):
            pack.omitted.append(Omission("overdue", (), (str(exc),)))
        return None


def network_branches(frames: Mapping[str, pd.DataFrame | None]) -> list[str]:
    """Every branch named by the customers, staff or volumes, sorted."""
    names: set[str] = set()
    for kind in ("customers", "staff", "volumes", "volumes_hourly", "pool"):
        frame = frames.get(kind)
        if frame is not None and "branch" in frame:
            names |= set(frame["branch"].dropna().astype("str").str.strip())
    return sorted(n for n in names if n)


def _hold_plan(frames: Mapping[str, pd.DataFrame | None], month: pd.Period, rules: Rules) -> PlanResult:
    """``branchkit plan`` for the month: without a Gantt plan only the overdue customers mean anything."""
    plan = frames.get("plan")
    visits = frames.get("visits")
    return hold_plan(plan if plan is not None else empty_frame("plan"),
                     visits if visits is not None else empty_frame("visits"), Window.of(month),
                     rules.plan, rules.tiers.relationship, staff=frames.get("staff"), customers=frames.get("customers"))


def _scored(shared: tuple[Mapping[str, pd.DataFrame | None], pd.Period, Rules], _item: object,
            jobs: int = 1) -> tuple[str, object]:
    """``branchkit score`` for the month (without --allocation, as the command run on the folder): the
    ledgers' blocking problems, the result, or the data error it met (picklable, for a worker)."""
    frames, month, rules = shared
    ledgers = MonthLedgers.from_frames({k: frames.get(k) for k in MonthLedgers.kinds() if k != "previous"})
    blocking = check_ledgers(ledgers, rules)
    if blocking:
        return "blocked", blocking
    try:
        return "scored", score_month(ledgers, month, rules, jobs)
    except DataError as exc:
        return "refused", exc            # errors pickle whole (errors.BranchkitError.__reduce__)


def _score(pack: MonthPack, outcome: tuple[str, object]) -> MonthResult | None:
    """The scoring's outcome into the pack: its problems, or the part omitted with why."""
    kind, value = outcome
    if kind == "refused":
        raise value
    if kind == "blocked":
        kinds = tuple(dict.fromkeys(p.kind for p in value if p.kind))
        pack.omitted.append(Omission("score", kinds, tuple(p.note() for p in value)))
        return None
    result = value
    pack.problems += result.problems
    if result.errors:
        pack.omitted.append(Omission("score", (), tuple(p.note() for p in result.errors)))
        return None
    return result


# --- one branch's rows --------------------------------------------------------------------------

def _rows(frame: pd.DataFrame, name: str, cuts: dict, column: str = "branch") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is ``name``, in their order; the first time, the frame is
    sorted by name once (kept in ``cuts`` with the frame, so its id stays its own) and every name's rows
    are then a slice of it: a take from the whole frame per branch cost a pass over its Arrow columns."""
    key = (id(frame), column)
    if key not in cuts:
        cuts[key] = (frame, *_grouped(frame, frame[column].astype("str")))
    return _slice(*cuts[key][1:], name)


def _grouped(frame: pd.DataFrame, names: pd.Series) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """``frame`` with each name's rows together (in their order), and each name's span in it: one
    factorize and one stable sort."""
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    order = np.argsort(codes, kind="stable")            # rows without a name (-1) first, then by name
    ends = np.cumsum(np.bincount(codes + 1, minlength=len(uniques) + 1))
    spans = {str(n): (int(ends[c]), int(ends[c + 1])) for c, n in enumerate(uniques)}
    return frame.take(order), spans


def _slice(grouped: pd.DataFrame, spans: dict[str, tuple[int, int]], name: str) -> pd.DataFrame:
    start, end = spans.get(name, (0, 0))
    return grouped.iloc[start:end].reset_index(drop=True)


def _staff_rows(frame: pd.DataFrame, people: pd.DataFrame, name: str, cuts: dict) -> pd.DataFrame:
    """The rows of ``frame`` whose ``staff_id`` is one of ``people``'s of branch ``name`` (their order):
    found for every branch at once through each staff id's branch, where every person has one id of
    one branch; else by comparing the ids (a test of the whole column per branch)."""
    key = (id(frame), id(people), "staff_id")
    if key not in cuts:
        ids = people["staff_id"]
        found = None
        if ids.notna().all() and not ids.duplicated().any():
            branch_of = pd.Series(people["branch"].astype("str").to_numpy(), index=ids.to_numpy())
            found = _grouped(frame, frame["staff_id"].map(branch_of))
        cuts[key] = (frame, people, found)
    found = cuts[key][2]
    if found is None:
        mine = people.loc[people["branch"].astype("str").eq(name).to_numpy(), "staff_id"]
        return frame[frame["staff_id"].isin(mine).to_numpy()].reset_index(drop=True)
    return _slice(*found, name)


def _cut_fields(result, name: str, names: tuple[str, ...], cuts: dict):
    if result is None:
        return None
    return replace(result, **{n: _rows(getattr(result, n), name, cuts) for n in names})


def _cut_allocation(result: Allocation | None, name: str, cuts: dict) -> Allocation | None:
    return _cut_fields(result, name, tuple(f.name for f in fields(Allocation)), cuts)


def _cut_plan(result: PlanResult | None, name: str, cuts: dict) -> PlanResult | None:
    if result is None:
        return None
    cut = _cut_fields(result, name, ("adherence", "managers", "completeness", "overdue"), cuts)
    return replace(cut, days=_staff_rows(result.days, result.managers, name, cuts))


def _cut_score(result: MonthResult | None, name: str, cuts: dict) -> MonthResult | None:
    if result is None:
        return None
    summary = _rows(result.summary, name, cuts)
    cut = {n: _staff_rows(getattr(result, n), result.summary, name, cuts)
           for n in ("lines", "evidence", "ignored", "pieces")}
    return replace(result, summary=summary, pools=_rows(result.pools, name, cuts), **cut)


# --- the pack's own tables -----------------------------------------------------------------------

COVERAGE_COLUMNS = ["branch", "tier", "customers", "kept", "without_keeper", "coverage"]


def keeper_coverage(allocation: pd.DataFrame) -> pd.DataFrame:
    """Existing customers per branch and tier: how many have a keeper (the tier 'all' sums the branch)."""
    existing = allocation[allocation["status"].eq("existing").to_numpy()]
    frame = pd.DataFrame({"branch": existing["branch"].fillna("").astype("str"),
                          "tier": existing["tier"].astype("str"),
                          "kept": existing["keeper"].notna().astype("int64")})
    by_tier = frame.groupby(["branch", "tier"], sort=False).agg(customers=("kept", "size"), kept=("kept", "sum"))
    by_tier = by_tier.reset_index()
    total = frame.groupby("branch", sort=True).agg(customers=("kept", "size"), kept=("kept", "sum")).reset_index()
    total["tier"] = "all"
    out = pd.concat([by_tier, total], ignore_index=True)
    order = {"high": 0, "mid": 1, "general": 2, "all": 3}
    out = out.assign(_o=out["tier"].map(order).fillna(9)).sort_values(["branch", "_o"], kind="stable")
    out["without_keeper"] = out["customers"] - out["kept"]
    out["coverage"] = out["kept"] / out["customers"].where(out["customers"] > 0)
    return out[COVERAGE_COLUMNS].reset_index(drop=True)


COMPARISON_COLUMNS = [
    "branch", "branch_type", "customers", "customers_high", "deposit", "loan", "keepers", "customers_per_keeper",
    "keeper_coverage", "changes", "tellers_needed", "tellers_current", "surplus", "peak_hour",
    "queue_staff_needed", "planned", "done_on_time", "adherence", "overdue", "scored_staff", "average_total",
    "pool", "bonus", "piece_rate_pay",
]


def branch_comparison(pack: MonthPack, total_label: str = "") -> pd.DataFrame:
    """One row per branch with the pack's key figures; with ``total_label``, a network total row last."""
    out = pd.DataFrame({"branch": pd.Series(pack.branches, dtype="str")}).set_index("branch")
    if pack.allocation is not None:
        out = out.join(_allocation_figures(pack.allocation))
    if pack.staffing is not None:
        staff = pack.staffing.branches.set_index("branch")
        out = out.join(staff.reindex(columns=["branch_type", "tellers_needed", "tellers_current", "surplus",
                                              "peak_hour", "queue_staff_needed"]))
    if pack.plan is not None:
        out = out.join(_plan_figures(pack.plan))
    if pack.score is not None:
        out = out.join(_score_figures(pack.score))
    out = out.reset_index().reindex(columns=[c for c in COMPARISON_COLUMNS if c == "branch" or c in out.columns])
    if total_label and len(out) > 1:
        out = pd.concat([out, _total_row(out, total_label)], ignore_index=True)
    return out


def _allocation_figures(result: Allocation) -> pd.DataFrame:
    alloc = result.allocation
    existing = alloc[alloc["status"].eq("existing").to_numpy()]
    by = existing.groupby(existing["branch"].astype("str"), sort=True)
    figures = pd.DataFrame({
        "customers": by.size(),
        "customers_high": by["tier"].agg(lambda s: int(s.eq("high").sum())),
        "deposit": by["deposit"].sum(), "loan": by["loan"].sum(),
        "keeper_coverage": by["keeper"].agg(lambda s: s.notna().mean()),
    })
    keepers = result.keepers[(result.keepers["customers"].gt(0) & result.keepers["keeper"].notna()).to_numpy()]
    figures["keepers"] = keepers.groupby(keepers["branch"].astype("str")).size()
    figures["keepers"] = figures["keepers"].fillna(0).astype("int64")
    figures["customers_per_keeper"] = (by["keeper"].agg(lambda s: s.notna().sum())
                                       / figures["keepers"].where(figures["keepers"] > 0)).round(2)
    changes = result.changes.groupby(result.changes["branch"].astype("str")).size()
    figures["changes"] = changes.reindex(figures.index, fill_value=0).astype("int64")
    return figures.rename_axis("branch")


def _plan_figures(result: PlanResult) -> pd.DataFrame:
    managers = result.managers.assign(branch=result.managers["branch"].astype("str"))
    figures = managers.groupby("branch", sort=True)[["planned", "done_on_time"]].sum()
    figures["adherence"] = figures["done_on_time"] / figures["planned"].where(figures["planned"] > 0)
    overdue = result.overdue.groupby(result.overdue["branch"].astype("str")).size().rename("overdue")
    return figures.join(overdue, how="outer").fillna({"overdue": 0}).astype({"overdue": "int64"})


def _score_figures(result: MonthResult) -> pd.DataFrame:
    summary = result.summary.assign(branch=result.summary["branch"].astype("str"))
    by = summary.groupby("branch", sort=True)
    figures = pd.DataFrame({"scored_staff": by.size(), "average_total": by["total"].mean(),
                            "bonus": by["bonus"].sum(), "piece_rate_pay": by["piece_rate_pay"].sum()})
    pools = result.pools.assign(branch=result.pools["branch"].astype("str")).set_index("branch")["pool"]
    return figures.join(pools)


_SUMMED = {"customers", "customers_high", "deposit", "loan", "keepers", "changes", "tellers_needed",
           "tellers_current", "surplus", "queue_staff_needed", "planned", "done_on_time", "overdue", "scored_staff",
           "pool", "bonus", "piece_rate_pay"}


def _total_row(out: pd.DataFrame, label: str) -> pd.DataFrame:
    """The network: sums where summing means something, ratios recomputed from the sums."""
    row: dict[str, object] = {c: np.nan for c in out.columns}
    row["branch"] = label
    for column in out.columns:
        if column in _SUMMED:
            row[column] = out[column].sum(min_count=1)
    if "keeper_coverage" in out:
        row["keeper_coverage"] = (out["keeper_coverage"] * out["customers"]).sum() / max(out["customers"].sum(), 1)
        kept = (out["keeper_coverage"] * out["customers"]).sum()
        row["customers_per_keeper"] = round(kept / max(out["keepers"].sum(), 1), 2)
    if "adherence" in out:
        planned = out["planned"].sum()
        row["adherence"] = out["done_on_time"].sum() / planned if planned else np.nan
    if "average_total" in out:
        row["average_total"] = (out["average_total"] * out["scored_staff"]).sum() / max(out["scored_staff"].sum(), 1)
    total = pd.DataFrame([row])
    return total.astype({c: out[c].dtype for c in out.columns if c in _SUMMED and out[c].dtype.kind == "i"},
                        errors="ignore")
