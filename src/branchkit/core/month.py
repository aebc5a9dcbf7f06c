"""The month over every branch: count the metrics, then score and pay each branch (in parallel).

``score_month`` is the library entry point of ``branchkit score``: ledgers
and rules in, a ``MonthResult`` out (scorecards, pay, piece-rate ledger, the
rows counted and ignored, and the problems met). Scorecards are computed for
every person at once (ranks within the branch); each branch's pay is the pure
function ``pay_branch``, which ``--jobs`` runs in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from branchkit.core.calendar import in_month
from branchkit.core.metrics import Counts, MonthLedgers, count_month, missing_ledgers, required_ledgers
from branchkit.core.needs import Need, Needs
from branchkit.parallel import map_ordered
from branchkit.core.pay import (POOL, BonusSplit, cents, piece_rate_lines, piece_rate_split, piece_rate_sums,
                                 split_bonus, unpriced)
from branchkit.core.score import Scorecard, scorecards
from branchkit.problems import Problem
from branchkit.rules import PayRules, Rules

POOL_COLUMNS = ["branch", "base_pool", "piece_rate_pool", "pool", "active_staff", "average_bonus",
                "head_coefficient", "management_bonus", "points_bonus", "undistributed", "piece_rate_total",
                "piece_rate_withheld"]


@dataclass
class BranchInput:
    """Everything one branch's pay depends on (plain data, picklable for worker processes)."""

    branch: str
    people: pd.DataFrame         # the branch's scored staff: staff_id, role, total
    base_pool: int               # cents, from the pool ledger
    piece_sums: dict[tuple[str, str], int]   # cents of piece rate per (recipient, part) of its sales
    piece_total: int             # cents: the piece rates of the sales closed in the branch
    scores: dict[str, float]     # 1000-point assessment per staff id
    pay: PayRules


@dataclass
class BranchResult:
    """One branch's pay: bonus split, piece-rate cents per recipient, the pool record."""

    branch: str
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


def score_needs(rules: Rules) -> Needs:
    """The columns scoring reads (``core.needs``), from what the rules weigh: the visits' kind decides
    outbound visits, the two customer lists' deposits decide deposit_up and its keepers who is credited
    (last month's allocation, ``--allocation``, stands in); marketers, status, sales leads and piece rates,
    deduction dates and staff states refine; without a deductions ledger nobody loses points."""
    weighted = {m for role in rules.scoring.roles.values() for m, w in role.weights.items() if w > 0}
    given = tuple(required_ledgers(rules))
    snapshots = ("customers", "customers_start")
    needs = [Need("staff", "state", False, "who left or is on leave: everyone is scored and paid",
                  "在岗状态：全部参与考核与分配", given=given),
             Need("deductions", None, False, "deductions: nobody loses points", "扣分：无人扣分", given=given),
             Need("deductions", "date", False, "dates: every deduction counts in this month",
                  "扣分日期：全部计入本月", given=(*given, "deductions")),
             Need("sales", "lead", False, "leads: every sale is a one-person sale (no lead's share)",
                  "信息获取人：全部按个人营销计价", given=(*given, "sales")),
             Need("sales", "piece_rate", False, "piece rates: only the rules' [pay] piece_rates are paid",
                  "计价金额：只按规则中的产品计价", given=(*given, "sales"))]
    if "outbound_visits" in weighted:
        needs.append(Need("visits", "kind", True, "outbound visits (外拓/上门/外出), told by the visit's kind",
                          "外出客户拓展（按拜访方式计数）", given=given))
    if "deposit_up" in weighted:
        needs += [Need(kind, "deposit", True, "customers whose deposits rose (deposit_up)", "存款上涨户数",
                       given=given) for kind in snapshots]
        needs.append(Need("customers", "keeper", True, "who is credited with customers whose deposits rose",
                          "存款上涨户数计给谁（维护人）", instead=(("previous", "keeper"),), given=given))
    if "new_customers" in weighted:
        needs.append(Need("customers", "marketer", False, "marketers: new customers are credited to their keeper",
                          "营销人：新客户计给维护人", given=given))
    if weighted & {"deposit_up", "new_customers"}:
        needs += [Need(kind, "status", False, "status: target customers count as existing ones",
                       "客户状态：目标客户按存量客户计", given=given) for kind in snapshots]
    return Needs("score", tuple(needs))


def check_ledgers(ledgers: MonthLedgers, rules: Rules) -> list[Problem]:
    """Blocking problems before any counting: a ledger the rules need is missing."""
    return missing_ledgers(ledgers, rules)


def score_month(ledgers: MonthLedgers, month: pd.Period, rules: Rules, jobs: int = 1) -> MonthResult:
    """Scorecards, bonuses and piece-rate pay of every branch for the month."""
    counts = count_month(ledgers, month, rules)
    problems = list(counts.problems)
    staff = _staff(ledgers.staff)
    scored = staff[staff["state"].ne("left")]
    card = scorecards(scored, counts.actuals(rules.scoring.metrics), len(counts.working_days), rules.scoring)
    sales = ledgers.sales
    month_sales = sales[in_month(sales["date"], month)] if sales is not None else None
    pieces = piece_rate_lines(month_sales, staff.set_index("staff_id")["branch"], rules.pay)
    if (unpaid := unpriced(month_sales, rules.pay)) is not None:
        problems.append(unpaid)
    branches = sorted(set(staff["branch"]))
    base = _base_pools(ledgers.pool, branches, problems)
    scores = _assessment_scores(ledgers.assessment, problems)
    piece_sums = piece_rate_sums(pieces)
    people = dict(tuple(card.summary[["staff_id", "role", "total", "branch"]].groupby("branch", sort=False)))
    empty = card.summary[["staff_id", "role", "total"]].iloc[:0]
    inputs = [BranchInput(b, people.get(b, empty), base.get(b, 0), *piece_sums.get(b, ({}, 0)), scores, rules.pay)
              for b in branches]
    results = map_ordered(pay_branch, inputs, jobs)
    for result in results:
        problems.extend(result.split.problems)
    return _assemble(month, counts, staff, card, results, pieces, problems, rules)


def pay_branch(job: BranchInput) -> BranchResult:
    """One branch: piece-rate split, pool, bonus split (a pure function of its input)."""
    piece = piece_rate_split(job.piece_sums, job.piece_total, job.pay)
    pool_share = piece.pop(POOL, 0)
    pool = job.base_pool + pool_share
    ids = set(job.people["staff_id"].tolist())
    split = split_bonus(job.branch, job.people, pool, {k: v for k, v in job.scores.items() if k in ids}, job.pay)
    management = sum(v for k, v in split.cents.items() if split.basis.get(k) == "coefficient")
    n = len(job.people)
    record = {
        "branch": job.branch, "base_pool": job.base_pool / 100, "piece_rate_pool": pool_share / 100,
        "pool": pool / 100, "active_staff": n, "average_bonus": pool / 100 / n if n else None,
        "head_coefficient": split.head_coefficient, "management_bonus": management / 100,
        "points_bonus": (sum(split.cents.values()) - management) / 100,
        "undistributed": split.undistributed / 100, "piece_rate_total": job.piece_total / 100,
    }
    return BranchResult(job.branch, split, piece, record)


def _staff(staff: pd.DataFrame) -> pd.DataFrame:
    out = staff[["staff_id", "name", "role", "branch", "state"]].copy()
    out["branch"] = out["branch"].fillna("").astype("str")
    return out.sort_values(["branch", "staff_id"], kind="stable").reset_index(drop=True)


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
            problems.append(Problem.of("no_pool", kind="pool", branch=branch or None))
        elif counted[branch] > 1:
            problems.append(Problem.of("duplicate_pool", kind="pool", branch=branch, count=int(counted[branch])))
    for branch in sorted(set(counted.index) - set(branches)):
        problems.append(Problem.of("unknown_pool_branch", kind="pool", severity="warning", branch=branch))
    return {str(k): int(v) for k, v in amounts.items()}


def _assessment_scores(frame: pd.DataFrame | None, problems: list[Problem]) -> dict[str, float]:
    if frame is None or frame.empty:
        return {}
    twice = frame["staff_id"].duplicated(keep=False)
    for staff_id in sorted(set(frame.loc[twice, "staff_id"])):
        problems.append(Problem.of("duplicate_assessment", kind="assessment", value=staff_id))
    first = frame.drop_duplicates("staff_id")
    return dict(zip(first["staff_id"], first["score"].astype("float64")))


def _assemble(month: pd.Period, counts: Counts, staff: pd.DataFrame, card: Scorecard,
              results: list[BranchResult], pieces: pd.DataFrame, problems: list[Problem],
              rules: Rules) -> MonthResult:
    piece_pay = _piece_pay(results, staff)
    summary = _with_pay(card.summary, results, piece_pay)
    withheld = piece_pay[piece_pay["withheld"]].groupby("branch")["cents"].sum()
    pools = pd.DataFrame([r.pool for r in results], columns=POOL_COLUMNS[:-1])
    pools["piece_rate_withheld"] = pools["branch"].map(withheld).fillna(0).astype("int64") / 100
    pools["active_staff"] = pools["active_staff"].astype("int64")
    return MonthResult(month, counts.working_days, list(rules.scoring.metrics), staff, summary, card.lines,
                       pools, pieces, piece_pay, counts.evidence, counts.ignored, problems)


def _piece_pay(results: list[BranchResult], staff: pd.DataFrame) -> pd.DataFrame:
    """Piece-rate cents per person over every branch (a lead may help close a sale elsewhere)."""
    rows = [(k, v) for r in results for k, v in r.piece_cents.items()]
    frame = pd.DataFrame(rows, columns=["staff_id", "cents"]).astype({"staff_id": "str", "cents": "int64"})
    frame = frame.groupby("staff_id", as_index=False)["cents"].sum()
    info = staff.set_index("staff_id")
    frame["branch"] = frame["staff_id"].map(info["branch"]).fillna("")
    frame["withheld"] = frame["staff_id"].map(info["state"]).eq("left")
    return frame


def _with_pay(summary: pd.DataFrame, results: list[BranchResult], piece_pay: pd.DataFrame) -> pd.DataFrame:
    def merged(field: str) -> dict:
        return {k: v for r in results for k, v in getattr(r.split, field).items()}

    out = summary.copy()
    ids = out["staff_id"]
    bonus = ids.map(merged("cents")).fillna(0).astype("int64")
    paid = ids.map(piece_pay.set_index("staff_id")["cents"]).fillna(0).astype("int64")
    out["basis"] = ids.map(merged("basis"))
    out["coefficient"] = ids.map(merged("coefficient")).astype("float64")
    out["bonus_quota"] = ids.map(merged("quota")).astype("float64")
    out["bonus"] = bonus / 100
    out["piece_rate_pay"] = paid / 100
    out["total_pay"] = (bonus + paid) / 100
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
