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

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, TypeVar

import numpy as np
import pandas as pd

from branchkit.core.allocate import Allocation, allocate, allocation_needs
from branchkit.core.branch_rows import cut_allocation, cut_fields, cut_plan, cut_score
from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import MonthResult, check_ledgers, score_month, score_needs
from branchkit.core.needs import Needs, joined
from branchkit.core.plan import PlanResult, Window, hold_plan, plan_needs
from branchkit.core.quarter import NEEDS as QUARTER_NEEDS
from branchkit.core.staffing import StaffingResult, plan_staffing, staffing_needs
from branchkit.errors import DataError
from branchkit.models.ledgers import empty_frame
from branchkit.parallel import Apart, can_fork, workers_for
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

    #: Each table's rows by branch, found once (``core.branch_rows.rows``): a report cuts the pack for every branch, and
    #: comparing a whole column with each branch's name cost the time of a pass over every table per branch.
    _cuts: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def cut_by_branch(self) -> None:
        """Find every table's rows by branch now, not at the first ``branch``: a report does it before its
        render workers are forked, which then share them instead of each finding them (200 branches: 0.14 s
        CPU; each worker's first branch page 0.23-0.25 -> 0.05-0.06 s CPU, load 8-10)."""
        if self.branches:
            self.branch(self.branches[0])

    def uncut(self) -> None:
        """Forget the rows found by branch: a format without branch pages lets their memory go before it is
        written (``month_pack`` with ``jobs`` > 1 cuts the scoring's tables while its worker computes:
        200 branches, ~56 MB)."""
        self._cuts.clear()

    def branch(self, name: str) -> "MonthPack":
        """The pack of one branch: every result cut to the branch's rows."""
        cuts = self._cuts
        return replace(
            self, branches=[name],
            allocation=cut_allocation(self.allocation, name, cuts),
            staffing=cut_fields(self.staffing, name, ("branches", "hours", "counters", "shortfalls"), cuts),
            plan=cut_plan(self.plan, name, cuts), score=cut_score(self.score, name, cuts),
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
        _compute_parts(pack, frames, rules, ambiguous, jobs, step)
        step("score")
        return _take_score(pack, _scored(frames, pack.month, rules, jobs))
    # The scoring needs no other part: this process computes it while a worker computes the others, whose
    # results are taken first, as if computed here. Not the other way round: the scoring's result is the
    # big one (200 branches: 118 MB pickled, 0.40 s to pickle and 0.19 s to unpickle, against 47 MB, 0.12
    # and 0.06 s for the others), and the others' CPU (0.97 s) is under the scoring's (1.44 s), so the
    # worker's is done first. The worker is one of the ``jobs`` processes; its parts share the rest
    # (--jobs 2: none; pools beside it cost the 200-branch pack 4.0-4.5 s CPU against 3.3-3.7 s, getrusage
    # self + children, 4 runs; wall, under other load, did not separate them). Their results come back through
    # ``parallel.Apart``'s memory file, not a pool's pipe.
    step(", ".join([p for p in ("allocation", "staffing", "plan") if _runs(pack, p)] + ["score"]))
    with Apart(_parts_apart, (pack, frames, rules, ambiguous, jobs - 1)) as others:
        outcome = _scored(frames, pack.month, rules)
        _while_waiting(pack, outcome, busy=not others.done())
        done = others.result()
    pack.allocation, pack.staffing, pack.plan, pack.omitted, pack.notes = done
    return _take_score(pack, outcome)


def _while_waiting(pack: MonthPack, outcome: tuple[str, object], busy: bool) -> None:
    """While the worker still computes the other parts (``busy``), the scoring's tables cut by branch, as
    ``MonthPack.cut_by_branch`` will cut them for the report's branch pages (the cuts are kept with the
    very frames the pack's score will hold): the scoring's tables are most of that cut's CPU (200 branches:
    ~85 of ~100 ms), and this process would otherwise wait idle. A scoring with errors is left out: no cut."""
    kind, result = outcome
    if busy and kind == "scored" and not result.errors and pack.branches:
        cut_score(result, pack.branches[0], pack._cuts)


def _runs(pack: MonthPack, part: str) -> bool:
    """Whether ``_compute_parts`` computes ``part`` (the plan also when only the overdue visits can be)."""
    return pack.has(part) or (part == "plan" and pack.has("overdue"))


def _parts_apart(shared: tuple, _item: None) -> tuple:
    """In ``Apart``'s process: ``_compute_parts`` on the pack as it was forked, and what they set in it."""
    pack, frames, rules, ambiguous, jobs = shared
    _compute_parts(pack, frames, rules, ambiguous, jobs, lambda _name: None)
    return pack.allocation, pack.staffing, pack.plan, pack.omitted, pack.notes


def _compute_parts(pack: MonthPack, frames: Mapping[str, pd.DataFrame | None], rules: Rules,
                   ambiguous: frozenset[str], jobs: int, step: Progress) -> None:
    """``month_pack``'s parts but the scoring, in order, into ``pack``."""
    if _runs(pack, "allocation"):
        step("allocation")
        pack.allocation = _attempt(pack, "allocation", lambda: allocate(
            frames["customers"], frames["staff"], rules, claims=frames.get("claims"), previous=frames.get("previous"),
            ambiguous=ambiguous, jobs=jobs))
    if pack.allocation is None and pack.has("changes"):
        pack.omitted.append(Omission("changes", PARTS["allocation"]))
    if _runs(pack, "staffing"):
        step("staffing")
        pack.staffing = _attempt(pack, "staffing", lambda: plan_staffing(
            rules.staffing, volumes=frames.get("volumes"), hourly=frames.get("volumes_hourly"),
            staff=frames.get("staff"), customers=frames.get("customers"), jobs=jobs))
        pack.notes += pack.staffing.notes if pack.staffing is not None else []
    if _runs(pack, "plan"):
        step("plan")
        pack.plan = _attempt(pack, "plan", lambda: _hold_plan(frames, pack.month, rules))
        pack.notes += pack.plan.notes if pack.plan is not None else []


def _take_score(pack: MonthPack, outcome: tuple[str, object]) -> MonthPack:
    """The scoring's outcome into the pack, after the other parts."""
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
            # each distinct name stripped once (a network's 100,000 customers name 200 branches)
            names |= set(pd.Series(frame["branch"].dropna().unique()).astype("str").str.strip())
    return sorted(n for n in names if n)


def _hold_plan(frames: Mapping[str, pd.DataFrame | None], month: pd.Period, rules: Rules) -> PlanResult:
    """``branchkit plan`` for the month: without a Gantt plan only the overdue customers mean anything."""
    plan = frames.get("plan")
    visits = frames.get("visits")
    return hold_plan(plan if plan is not None else empty_frame("plan"),
                     visits if visits is not None else empty_frame("visits"), Window.of(month),
                     rules.plan, rules.tiers.relationship, staff=frames.get("staff"), customers=frames.get("customers"))


def _scored(frames: Mapping[str, pd.DataFrame | None], month: pd.Period, rules: Rules,
            jobs: int = 1) -> tuple[str, object]:
    """``branchkit score`` for the month (without --allocation, as the command run on the folder): the
    ledgers' blocking problems, the result, or the data error it met."""
    ledgers = MonthLedgers.from_frames({k: frames.get(k) for k in MonthLedgers.kinds() if k != "previous"})
    blocking = check_ledgers(ledgers, rules)
    if blocking:
        return "blocked", blocking
    try:
        return "scored", score_month(ledgers, month, rules, jobs)
    except DataError as exc:
        return "refused", exc


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


# --- the pack's own tables -----------------------------------------------------------------------

COVERAGE_COLUMNS = ["branch", "tier", "customers", "kept", "without_keeper", "coverage"]


def keeper_coverage(allocation: pd.DataFrame) -> pd.DataFrame:
    """Existing customers per branch and tier: how many have a keeper (the tier 'all' sums the branch)."""
    existing = allocation.loc[allocation["status"].eq("existing").to_numpy(), ["branch", "tier", "keeper"]]
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
    existing = alloc["status"].eq("existing").to_numpy()
    # the figures' columns alone are filtered (the allocation's other columns cost 0.1 s to take at 100,000
    # customers), and summed whole-column per branch, not by a function called per branch
    rows = pd.DataFrame({"high": alloc["tier"].eq("high"), "kept": alloc["keeper"].notna(),
                         "deposit": alloc["deposit"], "loan": alloc["loan"]})[existing]
    by = rows.groupby(alloc["branch"][existing].astype("str"), sort=True)
    figures = pd.DataFrame({
        "customers": by.size(), "customers_high": by["high"].sum(),
        "deposit": by["deposit"].sum(), "loan": by["loan"].sum(), "keeper_coverage": by["kept"].mean(),
    })
    keepers = result.keepers[(result.keepers["customers"].gt(0) & result.keepers["keeper"].notna()).to_numpy()]
    figures["keepers"] = keepers.groupby(keepers["branch"].astype("str")).size()
    figures["keepers"] = figures["keepers"].fillna(0).astype("int64")
    figures["customers_per_keeper"] = (by["kept"].sum() / figures["keepers"].where(figures["keepers"] > 0)).round(2)
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
