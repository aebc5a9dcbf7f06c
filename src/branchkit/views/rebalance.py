"""The rebalance of an allocation as people see it: spread per pool before and after, the frontier.

Shown only when the allocation was rebalanced (``allocate --rebalance N`` or
``allocation.rebalance`` above 0): the tables are empty otherwise and the
allocation report is exactly what it was without rebalance.
"""

from __future__ import annotations

import pandas as pd

from branchkit.core.allocate import Allocation
from branchkit.io.tables import Table
from branchkit.labels import value_label


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def rebalanced(result: Allocation) -> bool:
    """Whether the allocation ran a rebalance (with or without moves)."""
    return len(result.rebalance_frontier) > 0 or len(result.rebalance_pools) > 0


def pool_words(keys: pd.Series, lang: str) -> pd.Series:
    """``head+deputy`` as ``网点负责人、副行长`` (``Head, Deputy``)."""
    join = "、" if lang == "zh" else ", "
    words = {k: join.join(str(value_label("role", r, lang)) for r in k.split("+"))
             for k in keys.dropna().unique().tolist()}
    return keys.map(words).astype("str")


def budget_words(budget: pd.Series, lang: str) -> pd.Series:
    """A budget as text: the number, or "no limit" where it is null."""
    text = budget.astype("Int64").astype("str")
    return text.where(budget.notna(), _t(lang, "不限", "no limit")).astype("str")


def pools_table(result: Allocation, lang: str, people: bool) -> Table:
    """Per branch and pool: members, spread before and after, customers moved."""
    frame = result.rebalance_pools.copy()
    if people:
        frame["pool_roles"] = pool_words(frame["pool_roles"], lang)
    return Table("rebalance_pools", frame, "再平衡：同级人员负荷极差", "Rebalance: spread per pool",
                 note_zh="极差 = 同级人员（在岗）加权负荷最高值 − 最低值；网点极差为各组之和。",
                 note_en="spread = highest - lowest weighted load of a pool's active members; a branch's spread "
                         "is the sum over its pools.")


def frontier_table(result: Allocation, lang: str, people: bool) -> Table:
    """Per branch and budget: the moves the exact optimum uses and the spread it reaches."""
    frame = result.rebalance_frontier.copy()
    if people:
        frame["budget"] = budget_words(frame["budget"], lang)
    return Table("rebalance_frontier", frame, "再平衡前沿：调整户数与负荷极差", "Rebalance frontier: moves and spread",
                 note_zh="每个调整上限下的最优解（精确求解）：先使各组极差之和最小，再使调整户数最少。",
                 note_en="The exact optimum at each budget: least spread summed over pools, then fewest moves.")


def rebalance_lines(result: Allocation) -> list[str]:
    """For stderr: moves, spread per pool (summed over branches) before and after, and the frontier."""
    if not rebalanced(result):
        return []
    pools, frontier = result.rebalance_pools, result.rebalance_frontier
    moved = int((result.as_computed().frame["source"] == "rebalance").sum())
    lines = [f"rebalance: {moved} customer(s) moved; spread summed over pools {pools['spread_before'].sum():g} -> "
             f"{pools['spread_after'].sum():g}"]
    for key, part in pools.groupby("pool_roles", sort=True):
        lines.append(f"  {key}: spread {part['spread_before'].sum():g} -> {part['spread_after'].sum():g} in "
                     f"{len(part)} branch(es), {int(part['moves'].sum())} moved")
    if len(frontier):
        total = frontier.groupby(frontier["budget"].astype("Int64").fillna(-1), sort=True)[["moves", "spread"]].sum()
        total = pd.concat([total[total.index >= 0], total[total.index < 0]])
        points = [f"{'no limit' if b < 0 else f'budget {b}'}: {int(r['moves'])} moved -> {r['spread']:g}"
                  for b, r in total.iterrows()]
        lines.append("frontier per branch, summed (moves -> spread): " + "; ".join(points))
    return lines


def rebalance_text(result: Allocation, lang: str) -> str:
    """One sentence for the summary section (empty without rebalance)."""
    if not rebalanced(result):
        return ""
    moved = int((result.as_computed().frame["source"] == "rebalance").sum())
    before, after = result.rebalance_pools["spread_before"].sum(), result.rebalance_pools["spread_after"].sum()
    return _t(lang, f"再平衡调整 {moved} 户，同级人员负荷极差之和由 {before:g} 变为 {after:g}。",
              f"Rebalance moved {moved} customer(s); the spread summed over pools went from {before:g} to {after:g}.")


__all__ = ["budget_words", "frontier_table", "pool_words", "pools_table", "rebalance_lines", "rebalance_text",
           "rebalanced"]
