"""Pay of a branch: piece-rate credit, the performance pool, and its split into bonuses.

Money is kept exact: ledger amounts are taken to the cent, every share is an
exact fraction of cents, and each sum of money is rounded once, by largest
remainder, so the parts add up to the whole to the cent (ties go to the lower
staff id). Rules: DOMAIN §6 and the comments of ``[pay]`` in the rules file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Hashable, Mapping

import numpy as np
import pandas as pd

from branchkit.problems import Problem
from branchkit.rules import PayRules
from branchkit.text import fold_series, word_key

#: The pseudo-recipients of a split: the branch pool (piece rates) and money left unpaid (bonuses).
POOL = "~pool"
UNDISTRIBUTED = "~undistributed"
PIECE_COLUMNS = ["branch", "date", "product", "customer", "closer", "lead", "piece_rate", "share_of", "staff_id",
                 "share", "amount", "_file", "_sheet", "_row"]
POINTS_DECIMALS = 9


def cents(values: pd.Series) -> pd.Series:
    """Amounts in CNY as integer cents, half away from zero (as the outputs round money)."""
    numbers = pd.to_numeric(values, errors="coerce").fillna(0.0).astype("float64").to_numpy()
    whole = np.sign(numbers) * np.floor(np.abs(numbers) * 100 + 0.5 + 1e-9)
    return pd.Series(whole.astype("int64"), index=values.index)


def exact(value: float) -> Fraction:
    """A rules number as the decimal the user wrote (0.7 is 7/10, not the nearest binary float)."""
    return Fraction(repr(float(value)))


def largest_remainder(quotas: Mapping[Hashable, Fraction], total: int) -> dict[Hashable, int]:
    """Whole cents per key summing to ``total``: each quota's floor, plus one cent to the largest remainders.

    Ties go to the smaller key (staff ids sort before the ``~`` pseudo-recipients). The quotas must add
    up to ``total`` exactly.
    """
    common = math.lcm(*(q.denominator for q in quotas.values()))
    return apportioned({key: q.numerator * (common // q.denominator) for key, q in quotas.items()}, common, total)


def apportioned(scaled: Mapping[Hashable, int], common: int, total: int) -> dict[Hashable, int]:
    """``largest_remainder`` of the quotas ``scaled[key] / common`` (any common denominator: the floors and
    the order of the remainders are those of the fractions themselves).

    The pay's shares are counted this way, as integers over one denominator, not as ``Fraction``: each
    Fraction sum and product reduces by a gcd, which cost the report network's 200 branches 0.17 s of
    pay CPU, now 0.05 s (``pay_branch`` of the 200 branches, best of 5, process time, load 6).
    """
    if sum(scaled.values()) != total * common:
        raise ValueError(f"quotas add up to {sum(scaled.values()) / common}, not {total}")
    floors = {key: n // common for key, n in scaled.items()}
    left = total - sum(floors.values())
    order = sorted(scaled, key=lambda key: (-(scaled[key] % common), str(key)))
    for key in order[:left]:
        floors[key] += 1
    return floors


# --- piece rates ------------------------------------------------------------------------------


def piece_rate_lines(sales: pd.DataFrame, branch_of: pd.Series, rules: PayRules) -> pd.DataFrame:
    """One line per sale and recipient (closer, lead, the pool), with the unrounded amount.

    ``sales`` are the month's sales; a sale belongs to its closer's branch (``branch_of``: staff id ->
    branch). The piece rate is the ledger's, else the rules' rate for the product (``rules_rates``), else 0
    (``unpriced`` says which sales that was).
    """
    if sales is None or sales.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in PIECE_COLUMNS})
    base = sales.assign(
        branch=sales["closer"].map(branch_of).fillna(""),
        piece_rate=sales["piece_rate"].fillna(rules_rates(sales["product"], rules)).fillna(0.0),
    )
    joint = base["lead"].notna() & base["lead"].ne(base["closer"])
    base["lead"] = base["lead"].where(joint)
    s, lead = rules.individual_share, rules.joint_lead_share
    parts = [
        _lines(base[~joint], "closer", base["closer"], s),
        _lines(base[joint], "closer", base["closer"], s * (1 - lead)),
        _lines(base[joint], "lead", base["lead"], s * lead),
        _lines(base, "pool", pd.Series(POOL, index=base.index), 1 - s),
    ]
    lines = pd.concat([p for p in parts if len(p)], ignore_index=True)
    order = {"closer": 0, "lead": 1, "pool": 2}
    lines = lines.assign(_o=lines["share_of"].map(order)).sort_values(
        ["branch", "_file", "_sheet", "_row", "_o"], kind="stable")
    return lines[PIECE_COLUMNS].reset_index(drop=True)


def rules_rates(products: pd.Series, rules: PayRules) -> pd.Series:
    """The rules' ``piece_rates`` of each product, named as people write it (``text.word_key``: width, case
    and spaces aside: ``信用卡 `` and ``ＥＴＣ`` find ``信用卡`` and ``etc``); null where the rules give none."""
    if not rules.piece_rates:
        return pd.Series(np.nan, index=products.index, dtype="float64")
    table = pd.Series({word_key(k): float(v) for k, v in rules.piece_rates.items()}, dtype="float64")
    return fold_series(products.astype("str")).map(table).astype("float64")


#: How many products ``unpriced`` names (then "…").
UNPRICED_LISTED = 5


def unpriced(sales: pd.DataFrame | None, rules: PayRules) -> Problem | None:
    """One warning for the month's sales that pay nothing because neither the ledger nor the rules' [pay]
    piece_rates give their product a rate: how many, and the products with their counts (most first)."""
    if sales is None or sales.empty:
        return None
    none = sales["piece_rate"].isna() & rules_rates(sales["product"], rules).isna()
    if not none.any():
        return None
    counts = sales.loc[none, "product"].fillna("").astype("str").value_counts(sort=False)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    listed = "、".join(f"{p or '-'} ({n})" for p, n in ranked[:UNPRICED_LISTED])
    listed += "…" if len(ranked) > UNPRICED_LISTED else ""
    return Problem.of("unpriced_sales", kind="sales", severity="warning", sales=int(none.sum()), listed=listed)


def _lines(sales: pd.DataFrame, share_of: str, recipient: pd.Series, share: float) -> pd.DataFrame:
    out = sales[["branch", "date", "product", "customer", "closer", "lead", "piece_rate", "_file", "_sheet",
                 "_row"]].copy()
    out["share_of"] = share_of
    out["staff_id"] = recipient[sales.index]
    out["share"] = share
    out["amount"] = out["piece_rate"] * share
    return out


def piece_rate_sums(lines: pd.DataFrame) -> dict[str, tuple[dict[tuple[str, str], int], int]]:
    """Per branch: cents of piece rate per (recipient, part) and the branch's total, summed at once.

    ``part`` is how the recipient shares a sale: closer_single, closer_joint, lead or pool.
    """
    if lines.empty:
        return {}
    sale_cents = cents(lines["piece_rate"])
    closer = pd.Series(np.where(lines["lead"].notna(), "closer_joint", "closer_single"), index=lines.index)
    part = lines["share_of"].where(lines["share_of"] != "closer", closer)
    sums = sale_cents.groupby([lines["branch"], lines["staff_id"], part]).sum()
    totals = sale_cents[lines["share_of"] == "pool"].groupby(lines["branch"]).sum()
    out: dict[str, tuple[dict[tuple[str, str], int], int]] = {b: ({}, int(t)) for b, t in totals.items()}
    for (branch, recipient, how), amount in sums.items():
        out[branch][0][(recipient, how)] = int(amount)
    return out


def piece_rate_split(sums: Mapping[tuple[str, str], int], total: int, rules: PayRules) -> dict[str, int]:
    """Cents per recipient (staff ids and ``POOL``) of one branch's sales; they add up to ``total``.

    ``sums``: cents of piece rate per (recipient, part), from ``piece_rate_sums``.
    """
    s, lead = exact(rules.individual_share), exact(rules.joint_lead_share)
    factor = {"closer_single": s, "closer_joint": s * (1 - lead), "lead": s * lead, "pool": 1 - s}
    common = math.lcm(*(f.denominator for f in factor.values()))
    weight = {how: f.numerator * (common // f.denominator) for how, f in factor.items()}
    scaled: dict[Hashable, int] = {}
    for (recipient, how), amount in sums.items():
        scaled[recipient] = scaled.get(recipient, 0) + weight[how] * amount
    return apportioned(scaled, common, total) if scaled else {}


# --- the bonus pool ---------------------------------------------------------------------------


@dataclass
class BonusSplit:
    """A branch's bonuses in cents per staff id, how each was set, and what stayed undistributed."""

    cents: dict[str, int]
    basis: dict[str, str]
    coefficient: dict[str, float]
    quota: dict[str, float]
    undistributed: int = 0
    head_coefficient: float | None = None
    problems: list[Problem] = field(default_factory=list)


def head_coefficient(branch: str, heads: list[str], scores: Mapping[str, float], rules: PayRules,
                     problems: list[Problem]) -> tuple[dict[str, float], float | None]:
    """Each head's coefficient from their 1000-point score, and the one deputies are paid against."""
    own: dict[str, float] = {}
    for staff_id in heads:
        if staff_id in scores:
            own[staff_id] = rules.coefficient(scores[staff_id])
        else:
            own[staff_id] = rules.lowest_coefficient()
            problems.append(_missing_assessment(branch, rules, head=staff_id))
    if len(own) > 1:
        problems.append(Problem.of("several_heads", severity="warning", branch=branch, count=len(own),
                                   heads=", ".join(own), first=min(own)))
    return own, (own[min(own)] if own else None)


def _missing_assessment(branch: str, rules: PayRules, head: str | None = None) -> Problem:
    """The head ``head`` has no assessment row (no ``head``: the branch has deputies but no head)."""
    if rules.missing_assessment == "error":
        return Problem.of("missing_assessment", branch=branch, head=head)
    return Problem.of("missing_assessment", severity="warning", branch=branch, head=head,
                      lowest=rules.lowest_coefficient())


def split_bonus(branch: str, people: pd.DataFrame, pool_cents: int, scores: Mapping[str, float],
                rules: PayRules) -> BonusSplit:
    """Split a branch's pool: head and deputies by coefficient, everyone else by their totals.

    ``people`` are the branch's scored staff (staff_id, role, total); all of them count as active for
    the average bonus.
    """
    problems: list[Problem] = []
    # each column as a list at once, not iterated cell by cell (an Arrow column's iterator costs a call per cell)
    rows = sorted(zip(people["staff_id"].tolist(), people["role"].tolist(), people["total"].tolist()))
    if not rows:
        return _nobody(branch, pool_cents)
    average = Fraction(pool_cents, len(rows))
    coefficient, head_c = _coefficients(branch, rows, scores, rules, problems)
    quotas = _fit_management(branch, {k: average * exact(c) for k, c in coefficient.items()}, pool_cents, problems)
    basis = {k: "coefficient" for k in quotas}
    others = [(k, t) for k, r, t in rows if r not in rules.management_roles]
    shares, over, how = _points_quotas(branch, others, pool_cents - sum(quotas.values(), Fraction(0)), rules,
                                       problems)
    basis.update({k: how for k in shares})
    # every quota as an integer over one denominator (``apportioned``)
    common = math.lcm(over, *(q.denominator for q in quotas.values()))
    scaled: dict[Hashable, int] = {k: q.numerator * (common // q.denominator) for k, q in quotas.items()}
    scaled.update({k: n * (common // over) for k, n in shares.items()})
    paid = [(k, n / common / 100) for k, n in scaled.items()]       # n / common: the fraction's float
    scaled[UNDISTRIBUTED] = pool_cents * common - sum(scaled.values())
    result = apportioned(scaled, common, pool_cents)
    undistributed = result.pop(UNDISTRIBUTED)
    return BonusSplit(result, basis, coefficient, dict(paid), undistributed, head_c, problems)


def _coefficients(branch: str, rows: list[tuple[str, str, float]], scores: Mapping[str, float], rules: PayRules,
                  problems: list[Problem]) -> tuple[dict[str, float], float | None]:
    """Coefficient per head and deputy (deputies: ratio x the head's), and the head's."""
    heads = [k for k, r, _ in rows if r == "head" and r in rules.management_roles]
    deputies = [k for k, r, _ in rows if r != "head" and r in rules.management_roles]
    own, head_c = head_coefficient(branch, heads, scores, rules, problems)
    if head_c is None and deputies:
        head_c = rules.lowest_coefficient()
        problems.append(_missing_assessment(branch, rules))
    coefficient = dict(own)
    ratio = exact(rules.deputy_coefficient_ratio)
    coefficient.update({d: float(ratio * exact(head_c)) for d in deputies})
    return coefficient, head_c


def _nobody(branch: str, pool_cents: int) -> BonusSplit:
    problems = []
    if pool_cents:
        problems.append(Problem.of("pool_undistributed", severity="warning", branch=branch,
                                   amount=pool_cents / 100))
    return BonusSplit({}, {}, {}, {}, pool_cents, None, problems)


def _fit_management(branch: str, quotas: dict[str, Fraction], pool_cents: int,
                    problems: list[Problem]) -> dict[str, Fraction]:
    wanted = sum(quotas.values(), Fraction(0))
    if wanted <= pool_cents:
        return quotas
    problems.append(Problem.of("pool_overdrawn", severity="warning", branch=branch, wanted=float(wanted) / 100,
                               pool=pool_cents / 100))
    scale = Fraction(pool_cents) / wanted
    return {k: q * scale for k, q in quotas.items()}


def _points_quotas(branch: str, others: list[tuple[str, float]], rest: Fraction, rules: PayRules,
                   problems: list[Problem]) -> tuple[dict[str, int], int, str]:
    """What remains after head and deputies, in proportion to the others' totals: each share's numerator
    over one denominator (the totals taken at ``POINTS_DECIMALS`` decimals, as written)."""
    if not others:
        if rest > 0:
            problems.append(Problem.of("pool_undistributed", severity="warning", branch=branch,
                                       rest=float(rest) / 100))
        return {}, 1, "points"
    totals = {k: _decimal_units(t) for k, t in others}
    whole = sum(totals.values())
    if whole > 0:
        # rest * t / whole, over the denominator rest's times the whole's
        return {k: rest.numerator * t for k, t in totals.items()}, rest.denominator * whole, "points"
    if rules.zero_points == "equal":
        problems.append(Problem.of("zero_points", severity="warning", branch=branch))
        return {k: rest.numerator for k in totals}, rest.denominator * len(totals), "equal"
    problems.append(Problem.of("zero_points", severity="warning", branch=branch, rest=float(rest) / 100))
    return {k: 0 for k in totals}, 1, "points"


def _decimal_units(value: float) -> int:
    """``value`` written with ``POINTS_DECIMALS`` decimals, in units of the last decimal (exactly
    ``Fraction(f"{value:.{POINTS_DECIMALS}f}") * 10 ** POINTS_DECIMALS``)."""
    whole, _, decimals = f"{value:.{POINTS_DECIMALS}f}".partition(".")
    return int(whole + decimals)
