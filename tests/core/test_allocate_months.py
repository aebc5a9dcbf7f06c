"""Month over month: stability, a keeper who leaves, and the assignment history."""

from __future__ import annotations

import pandas as pd
import pytest

from allocation_helpers import claims, customers, keeper_of, run, staff
from branchkit.core.history import extend_history, month_after, month_before
from branchkit.errors import UsageError

TEAM = staff(("h1", "head"), ("d1", "deputy"), ("c1", "corporate_rm"), ("c2", "corporate_rm"), ("r1", "retail_rm"),
             ("r2", "retail_rm"), ("t1", "low_counter"), ("t2", "comprehensive_teller"), ("t3", "low_counter"),
             ("l1", "lobby_manager"), ("g1", "lobby_guide"))
AMOUNTS = [0.0, 12_000.0, 80_000.0, 150_000.0, 420_000.0, 1_500_000.0]


def _book() -> pd.DataFrame:
    rows = []
    for i in range(90):
        rows.append({"customer_id": f"C{i:03d}", "kind": ["retail", "corporate", "agri"][i % 3],
                     "deposit": AMOUNTS[i % len(AMOUNTS)], "loan": 700_000.0 if i % 11 == 0 else 0.0,
                     "scale": ["small", "medium", None][i % 3]})
    return customers(*rows)


def _as_previous(result) -> pd.DataFrame:
    """Last month's output as next month's --previous (what the CSV output carries)."""
    frame = result.allocation
    return frame[["customer_id", "keeper", "locked", "keeper_role"]].copy()


def test_a_second_month_without_news_changes_nothing():
    first = run(_book(), TEAM, claims=claims(("r1", "C004"), ("t1", "C006")))
    second = run(_book(), TEAM, previous=_as_previous(first))
    assert second.changes.empty
    assert keeper_of(second) == keeper_of(first)
    assert set(second.allocation["source"]) == {"kept"}


def test_when_one_keeper_leaves_exactly_that_keepers_customers_move_each_listed():
    first = run(_book(), TEAM)
    leaver = "t1"
    theirs = set(first.allocation.loc[first.allocation["keeper"] == leaver, "customer_id"])
    assert len(theirs) >= 5
    team = TEAM.copy()
    team.loc[team["staff_id"] == leaver, "state"] = "left"
    second = run(_book(), team, previous=_as_previous(first))
    before, after = keeper_of(first), keeper_of(second)
    moved = {c for c in before if before[c] != after[c]}
    assert moved == theirs
    changes = second.changes.set_index("customer_id")
    assert set(changes.index) == theirs
    assert set(changes["previous_keeper"]) == {leaver}
    assert set(changes["reason"]) == {"keeper_left"}
    assert (changes["keeper"] == pd.Series(after)[changes.index]).all()
    assert leaver not in set(second.allocation["keeper"].dropna())


def test_a_leaver_removed_from_the_staff_list_is_named_in_the_changes():
    first = run(_book(), TEAM)
    second = run(_book(), TEAM[TEAM["staff_id"] != "t2"], previous=_as_previous(first))
    assert set(second.changes["previous_keeper"]) == {"t2"}
    assert set(second.changes["reason"]) == {"keeper_unknown"}


def test_history_opens_closes_and_reruns_a_month_the_same():
    first = run(_book(), TEAM)
    h1 = extend_history(None, first.allocation, first.changes, "2026-09")
    assert len(h1) == len(first.allocation) and set(h1["to"]) == {""} and set(h1["from"]) == {"2026-09"}
    team = TEAM.copy()
    team.loc[team["staff_id"] == "t1", "state"] = "left"
    second = run(_book(), team, previous=_as_previous(first))
    h2 = extend_history(h1, second.allocation, second.changes, "2026-10")
    moved = set(second.changes["customer_id"])
    closed = h2[h2["to"] == "2026-09"]
    assert set(closed["customer_id"]) == moved and set(closed["keeper"]) == {"t1"}
    opened = h2[h2["from"] == "2026-10"]
    assert set(opened["customer_id"]) == moved and set(opened["reason"]) == {"keeper_left"}
    assert len(h2) == len(h1) + len(moved)
    again = extend_history(h2, second.allocation, second.changes, "2026-10")
    pd.testing.assert_frame_equal(again, h2)
    with pytest.raises(UsageError, match="already reaches"):
        extend_history(h2, second.allocation, second.changes, "2026-08")


def test_months_step_over_the_year():
    assert month_before("2026-01") == "2025-12" and month_after("2026-12") == "2027-01"

