"""The month over every branch: count the metrics, then score and pay each branch (in parallel).

``score_month`` is the library entry point of ``branchkit score``: ledgers
and rules in, a ``MonthResult`` out (scorecards, pay, piece-rate ledger, the
rows counted and ignored, and the problems met). Each branch is computed by
the pure function ``score_branch``; ``--jobs`` runs branches in processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from branchkit.core.calendar import in_month
from branchkit.core.metrics import Counts, MonthLedgers, count_month, missing_ledgers
from branchkit.core.parallel import map_ordered
from branchkit.core.pay import POOL, BonusSplit, cents, piece_rate_lines, piece_rate_split, split_bonus
from branchkit.core.score import Scorecard, branch_scorecard
from branchkit.problems import Problem
from branchkit.rules import Rules

POOL_COLUMNS = ["branch", "base_pool", "piece_rate_pool", "pool", "active_staff", "average_bonus",
                "head_coefficient", "management_bonus", "points_bonus", "undistributed", "piece_rate_total",
                "piece_rate_withheld"]


@dataclass
class BranchInput:
    """Everything one branch's scorecards and pay depend on (picklable, for worker processes)."""

    branch: str
    staff: pd.DataFrame          # scored staff: staff_id, name, role, branch, state
    actuals: pd.DataFrame        # per staff id: metrics, worklog_days, deductions
    working_days: int
    base_pool: int               # cents, from the pool ledger
    pieces: pd.DataFrame         # piece-rate lines of the sales closed in the branch
    scores: dict[str, float]     # 1000-point assessment per staff id
    rules: Rules


@dataclass
class BranchResult:
    """One branch computed: scorecards, bonus split, piece-rate cents per recipient, the pool."""

    branch: str
    card: Scorecard
    split: BonusSplit
    piece_cents: dict[str, int]
    pool: dict[str, object]


@dataclass
class MonthResult:
    """The month's scorecards and pay, with the evidence behind every number."""

    month: pd.Period
    working_days: pd.DatetimeIndex
    metrics: list[str]
    staff: pd.DataFrame          # every staff row read (also those who left)
    summary: pd.DataFrame        # one row per scored person
    lines: pd.DataFrame          # one row per scored person and metric
    pools: pd.DataFrame          # one row per branch
    pieces: pd.DataFrame         # piece-rate lines of the month's sales
    piece_pay: pd.DataFrame      # cents per recipient: staff_id, branch, cents, withheld
    evidence: pd.DataFrame
    ignored: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def person(self, staff_id: str) -> pd.Series | None:
        """The summary row of a scored person, or None."""
        rows = self.summary[self.summary["staff_id"] == staff_id]
        return None if rows.empty else rows.iloc[0]


def check_ledgers(ledgers: MonthLedgers, rules: Rules) -> list[Problem]:
    """Blocking problems before any counting: a ledger the rules need is missing."""
    return missing_ledgers(ledgers, rules)


def score_month(ledgers: MonthLedgers, month: pd.Period, rules: Rules, jobs: int = 1) -> MonthResult:
    """Scorecards, bonuses and piece-rate pay of every branch for the month."""
    counts = count_month(ledgers, month, rules)
    problems = list(counts.problems)
    staff = _staff(ledgers.staff)
    scored = staff[staff["state"].ne("left")]
    sales = ledgers.sales
    month_sales = sales[in_month(sales["date"], month)] if sales is not None else None
    pieces = piece_rate_lines(month_sales, staff.set_index("staff_id")["branch"], rules.pay)
    branches = sorted(set(staff["branch"]))
    base = _base_pools(ledgers.pool, branches, problems)
    scores = _assessment_scores(ledgers.assessment, problems)
    actuals = counts.actuals(rules.scoring.metrics)
    jobs_in = [_branch_input(b, scored, actuals, counts, base, pieces, scores, rules) for b in branches]
    results = map_ordered(score_branch, jobs_in, jobs)
    for result in results:
        problems.extend(result.split.problems)
    return _assemble(month, counts, staff, results, pieces, problems, rules)


def score_branch(job: BranchInput) -> BranchResult:
    """One branch: scorecards, piece-rate split, pool, bonus split (a pure function of its input)."""
    rules = job.rules
    card = branch_scorecard(job.staff, job.actuals, job.working_days, rules.scoring)
    piece = piece_rate_split(job.pieces, rules.pay)
    pool_share = piece.pop(POOL, 0)
    pool = job.base_pool + pool_share
    split = split_bonus(job.branch, card.summary[["staff_id", "role", "total"]], pool, job.scores, rules.pay)
    management = sum(v for k, v in split.cents.items() if split.basis.get(k) == "coefficient")
    record = {
        "branch": job.branch, "base_pool": job.base_pool / 100, "piece_rate_pool": pool_share / 100,
        "pool": pool / 100, "active_staff": len(job.staff),
        "average_bonus": pool / 100 / len(job.staff) if len(job.staff) else None,
        "head_coefficient": split.head_coefficient, "management_bonus": management / 100,
        "points_bonus": (sum(split.cents.values()) - management) / 100,
        "undistributed": split.undistributed / 100,
        "piece_rate_total": int(cents(job.pieces.loc[job.pieces["share_of"] == "pool", "piece_rate"]).sum()) / 100
        if len(job.pieces) else 0.0,
    }
    return BranchResult(job.branch, card, split, piece, record)


def _staff(staff: pd.DataFrame) -> pd.DataFrame:
    out = staff[["staff_id", "name", "role", "branch", "state"]].copy()
    out["branch"] = out["branch"].fillna("").astype("str")
    return out.sort_values(["branch", "staff_id"], kind="stable").reset_index(drop=True)


def _branch_input(branch: str, scored: pd.DataFrame, actuals: pd.DataFrame, counts: Counts,
                  base: dict[str, int], pieces: pd.DataFrame, scores: dict[str, float],
                  rules: Rules) -> BranchInput:
    mine = scored[scored["branch"] == branch]
    ids = set(mine["staff_id"])
    return BranchInput(
        branch=branch, staff=mine, actuals=actuals[actuals.index.isin(ids)], working_days=len(counts.working_days),
        base_pool=base.get(branch, 0), pieces=pieces[pieces["branch"] == branch],
        scores={k: v for k, v in scores.items() if k in ids}, rules=rules,
    )


def _base_pools(pool: pd.DataFrame | None, branches: list[str], problems: list[Problem]) -> dict[str, int]:
    """Cents per branch from the pool ledger; a branch without exactly one row is a problem."""
    if pool is None:
        return {}
    names = pool["branch"].fillna("").astype("str")
    if branches == [""] and names.nunique() == 1:
        names = pd.Series("", index=pool.index)      # one branch, whose staff list names no branch
    amounts = cents(pool["amount"]).groupby(names).sum()
    counted = names.value_counts()
    for branch in branches:
        if counted.get(branch, 0) == 0:
            problems.append(Problem(code="no_pool", kind="pool", message=(
                f"no performance-pay pool (绩效工资) row for branch {branch or '(no branch)'}; its bonuses "
                "cannot be computed")))
        elif counted[branch] > 1:
            problems.append(Problem(code="duplicate_pool", kind="pool", message=(
                f"{counted[branch]} pool rows for branch {branch}; give one amount per branch")))
    for branch in sorted(set(counted.index) - set(branches)):
        problems.append(Problem(code="unknown_pool_branch", kind="pool", severity="warning", message=(
            f"the pool ledger has a row for {branch}, where nobody on the staff list works; it is not used")))
    return {str(k): int(v) for k, v in amounts.items()}


def _assessment_scores(frame: pd.DataFrame | None, problems: list[Problem]) -> dict[str, float]:
    if frame is None or frame.empty:
        return {}
    twice = frame["staff_id"].duplicated(keep=False)
    for staff_id in sorted(set(frame.loc[twice, "staff_id"])):
        problems.append(Problem(code="duplicate_assessment", kind="assessment", value=staff_id, message=(
            f"{staff_id} has more than one 1000-point assessment row; keep one")))
    first = frame.drop_duplicates("staff_id")
    return dict(zip(first["staff_id"], first["score"].astype("float64")))


def _assemble(month: pd.Period, counts: Counts, staff: pd.DataFrame, results: list[BranchResult],
              pieces: pd.DataFrame, problems: list[Problem], rules: Rules) -> MonthResult:
    piece_pay = _piece_pay(results, staff)
    summaries = []
    for result in results:
        summaries.append(_with_pay(result.card.summary, result.split, piece_pay))
    summary = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame()
    lines = pd.concat([r.card.lines for r in results], ignore_index=True) if results else pd.DataFrame()
    withheld = piece_pay[piece_pay["withheld"]].groupby("branch")["cents"].sum()
    pools = pd.DataFrame([r.pool for r in results])
    if not pools.empty:
        pools["piece_rate_withheld"] = pools["branch"].map(withheld).fillna(0).astype("int64") / 100
        pools = pools[POOL_COLUMNS]
    return MonthResult(month, counts.working_days, list(rules.scoring.metrics), staff, summary, lines, pools,
                       pieces, piece_pay, counts.evidence, counts.ignored, problems)


def _piece_pay(results: list[BranchResult], staff: pd.DataFrame) -> pd.DataFrame:
    """Piece-rate cents per person over every branch (a lead may help close a sale elsewhere)."""
    rows = [(k, v) for r in results for k, v in r.piece_cents.items()]
    frame = pd.DataFrame(rows, columns=["staff_id", "cents"]).astype({"staff_id": "str", "cents": "int64"})
    frame = frame.groupby("staff_id", as_index=False)["cents"].sum()
    info = staff.set_index("staff_id")
    frame["branch"] = frame["staff_id"].map(info["branch"]).fillna("")
    frame["withheld"] = frame["staff_id"].map(info["state"]).eq("left")
    return frame


def _with_pay(summary: pd.DataFrame, split: BonusSplit, piece_pay: pd.DataFrame) -> pd.DataFrame:
    out = summary.copy()
    ids = out["staff_id"]
    out["basis"] = ids.map(split.basis)
    out["coefficient"] = ids.map(split.coefficient).astype("float64")
    out["bonus_quota"] = ids.map(split.quota).astype("float64")
    out["bonus"] = ids.map(split.cents).fillna(0).astype("int64") / 100
    paid = piece_pay.set_index("staff_id")["cents"]
    out["piece_rate_pay"] = ids.map(paid).fillna(0).astype("int64") / 100
    out["total_pay"] = (ids.map(split.cents).fillna(0).astype("int64") + ids.map(paid).fillna(0).astype("int64")) / 100
    return out


def compare(base: MonthResult, other: MonthResult) -> pd.DataFrame:
    """Per person, the change from ``base`` to ``other``: points per metric, total, rank, bonus, piece rate."""
    keys = ["staff_id", "name", "role", "branch"]
    metrics = list(dict.fromkeys(base.metrics + other.metrics))
    values = [f"points_{m}" for m in metrics] + ["worklog_bonus", "total", "rank", "bonus", "piece_rate_pay"]
    left = base.summary.reindex(columns=keys + values)
    right = other.summary.reindex(columns=["staff_id"] + values)
    both = left.merge(right, on="staff_id", how="outer", suffixes=("_base", "_other"))
    out = both[keys].copy()
    for name in ("total", "rank", "bonus", "piece_rate_pay"):
        out[f"{name}_base"], out[f"{name}_other"] = both[f"{name}_base"], both[f"{name}_other"]
    for name in values:
        if name != "rank":
            change = both[f"{name}_other"].fillna(0.0) - both[f"{name}_base"].fillna(0.0)
            out[f"{name}_change"] = change.round(2) if name in ("bonus", "piece_rate_pay") else change
    out["rank_change"] = both["rank_base"] - both["rank_other"]
    return out.sort_values(["branch", "staff_id"], kind="stable").reset_index(drop=True)
