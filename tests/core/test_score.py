"""Points, totals, ranks and the balanced scorecard: the small branch by hand, and properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import score_month
from branchkit.core.score import scorecards, points, rank
from branchkit.rules import load_rules

OCTOBER = pd.Period("2026-10", freq="M")
METRICS = ["outbound_visits", "referrals", "deposit_up", "products_sold", "new_customers"]


@pytest.fixture
def summary(city, city_rules):
    result = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert result.problems == []
    return result.summary.set_index("staff_id")


# Default rules: cap 1.2, floor 0, work-log bonus 5; 18 working days.
#   corporate_rm: outbound 20/12, referrals 10/2, deposit_up 40/10, products 15/8, new 15/2  (weight/target)
#   every other role: referrals 40/4, deposit_up 30/10, products 15/8, new 15/1
HAND = {  # outbound, referrals, deposit_up, products, new, work-log bonus, deductions, total, rank
    # 9/12*20=15; 1/2*10=5; 3/10*40=12; 4/8*15=7.5; 1/2*15=7.5; 18/18*5=5  -> 52
    "S03": (15.0, 5.0, 12.0, 7.5, 7.5, 5.0, 0.0, 52.0, 3),
    # 15/12=1.25 capped at 1.2 -> 24; 0; 3/10*40=12; 2/8*15=3.75; 3/2=1.5 capped -> 18; 9/18*5=2.5; -3 -> 57.25
    "S04": (24.0, 0.0, 12.0, 3.75, 18.0, 2.5, 3.0, 57.25, 1),
    # retail RM, default weights: outbound counted (2) but not scored; 2/4*40=20; 1/10*30=3; 6/8*15=11.25;
    # 1/1*15=15; 5 -> 54.25
    "S05": (0.0, 20.0, 3.0, 11.25, 15.0, 5.0, 0.0, 54.25, 2),
    # teller: 5/4=1.25 capped -> 1.2*40=48; 5; -1 -> 52, tied with S03: both rank 3 (competition ranking)
    "S06": (0.0, 48.0, 0.0, 0.0, 0.0, 5.0, 1.0, 52.0, 3),
    # on leave, scored on what was done: 1/4*40=10; 1/8*15=1.875; 9/18*5=2.5 -> 14.375
    "S07": (0.0, 10.0, 0.0, 1.875, 0.0, 2.5, 0.0, 14.375, 6),
    # lobby: 3/4*40=30; 1/10*30=3; 1/1*15=15; no work log -> 48
    "S08": (0.0, 30.0, 3.0, 0.0, 15.0, 0.0, 0.0, 48.0, 5),
    # head and deputy have scorecards too (default weights): 1/10*30=3; 5 -> 8; the deputy has no rows -> 0
    "S01": (0.0, 0.0, 3.0, 0.0, 0.0, 5.0, 0.0, 8.0, 7),
    "S02": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8),
}


@pytest.mark.parametrize("staff_id", sorted(HAND))
def test_points_of_the_small_branch_by_hand(summary, staff_id):
    columns = [f"points_{m}" for m in METRICS] + ["worklog_bonus", "deductions", "total", "rank"]
    assert tuple(summary.loc[staff_id, columns]) == pytest.approx(HAND[staff_id], abs=1e-12)


def test_the_ranking_order_and_who_is_scored(summary):
    # Ties are listed by staff id; S09 left and has no scorecard.
    assert summary.index.tolist() == ["S04", "S05", "S03", "S06", "S08", "S07", "S01", "S02"]


def test_balanced_scorecard_subtotals(summary):
    s03 = summary.loc["S03"]
    # financial = deposit_up 12 + products 7.5; customer = referrals 5 + new 7.5; internal = outbound 15;
    # learning = work-log bonus 5.
    assert (s03["perspective_financial"], s03["perspective_customer"], s03["perspective_internal"],
            s03["perspective_learning"]) == (19.5, 12.5, 15.0, 5.0)
    views = summary[[c for c in summary if c.startswith("perspective_")]].sum(axis=1)
    assert (views - summary["deductions"]).tolist() == pytest.approx(summary["total"].tolist())


def test_points_formula_cap_floor_and_unweighted():
    actual = pd.Series([0.0, 3.0, 6.0, 20.0, 5.0])
    target = pd.Series([10.0, 10.0, 10.0, 10.0, float("nan")])
    weight = pd.Series([30.0, 30.0, 30.0, 30.0, 0.0])
    # floor 0.5: 0.3 earns nothing; 0.6 -> 18; 2.0 capped at 1.2 -> 36; no weight -> 0
    assert points(actual, target, weight, cap=1.2, floor=0.5).tolist() == [0.0, 0.0, 18.0, 36.0, 0.0]


def test_total_never_below_zero():
    staff = pd.DataFrame({"staff_id": ["A"], "name": ["甲"], "role": ["teller"], "branch": ["b"], "state": ["active"]})
    actuals = pd.DataFrame({m: [0.0] for m in METRICS} | {"worklog_days": [0.0], "deductions": [7.0]}, index=["A"])
    card = scorecards(staff, actuals, 18, load_rules().scoring)
    assert (card.summary.loc[0, "subtotal"], card.summary.loc[0, "total"]) == (-7.0, 0.0)


def test_no_working_days_gives_zero_completion_not_an_error():
    staff = pd.DataFrame({"staff_id": ["A"], "name": ["甲"], "role": ["teller"], "branch": ["b"], "state": ["active"]})
    actuals = pd.DataFrame({m: [0.0] for m in METRICS} | {"worklog_days": [0.0], "deductions": [0.0]}, index=["A"])
    card = scorecards(staff, actuals, 0, load_rules().scoring)
    assert card.summary.loc[0, "worklog_completion"] == 0.0


def test_rank_is_competition_style_and_ignores_float_noise():
    totals = pd.Series([30.3, 10.1 + 20.2, 40.0, 1.0])
    assert totals[0] != totals[1]                       # equal on paper, not in binary
    assert rank(totals).tolist() == [2, 2, 1, 4]


# --- properties -----------------------------------------------------------------------------

ROLES = ["corporate_rm", "retail_rm", "low_counter", "head"]
RULES = load_rules()
count = st.integers(min_value=0, max_value=40)


def _card(rows: list[tuple], working_days: int = 18):
    ids = [f"P{i:02d}" for i in range(len(rows))]
    staff = pd.DataFrame({"staff_id": ids, "name": ids, "role": [r[0] for r in rows], "branch": "b",
                          "state": "active"})
    actuals = pd.DataFrame([list(r[1:]) for r in rows], index=ids,
                           columns=METRICS + ["worklog_days", "deductions"]).astype("float64")
    return scorecards(staff, actuals, working_days, RULES.scoring).summary.set_index("staff_id")


person = st.tuples(st.sampled_from(ROLES), count, count, count, count, count,
                   st.integers(min_value=0, max_value=18), st.integers(min_value=0, max_value=10))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(person, min_size=1, max_size=6), who=st.integers(min_value=0), metric=st.integers(0, 5),
       more=st.integers(min_value=1, max_value=30))
def test_raising_an_actual_never_lowers_points(rows, who, metric, more):
    who %= len(rows)
    before = _card(rows)
    raised = list(rows[who])
    raised[1 + metric] += more
    after = _card(rows[:who] + [tuple(raised)] + rows[who + 1:])
    pid = f"P{who:02d}"
    point_columns = [f"points_{m}" for m in METRICS] + ["worklog_bonus", "total"]
    assert (after.loc[pid, point_columns] >= before.loc[pid, point_columns] - 1e-12).all()
    others = [i for i in before.index if i != pid]
    assert after.loc[others, "total"].equals(before.loc[others, "total"])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(person, min_size=1, max_size=6))
def test_capping_holds(rows):
    rules = RULES
    summary = _card(rows)
    for pid, row in summary.iterrows():
        weights = rules.scoring.for_role(row["role"]).weights
        for metric in METRICS:
            assert row[f"points_{metric}"] <= weights.get(metric, 0.0) * rules.scoring.cap + 1e-12
        assert row["worklog_bonus"] <= rules.scoring.worklog_bonus + 1e-12
        assert row["total"] >= 0


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(person, min_size=1, max_size=5))
def test_a_person_with_no_rows_gets_zero(rows):
    ids = [f"P{i:02d}" for i in range(len(rows))] + ["NEW"]
    staff = pd.DataFrame({"staff_id": ids, "name": ids, "role": [r[0] for r in rows] + ["retail_rm"],
                          "branch": "b", "state": "active"})
    actuals = pd.DataFrame([list(r[1:]) for r in rows], index=ids[:-1],
                           columns=METRICS + ["worklog_days", "deductions"]).astype("float64")
    summary = scorecards(staff, actuals, 18, RULES.scoring).summary.set_index("staff_id")
    new = summary.loc["NEW"]
    assert new[[f"points_{m}" for m in METRICS] + ["worklog_bonus", "deductions", "total"]].eq(0).all()
