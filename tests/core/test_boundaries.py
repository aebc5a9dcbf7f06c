"""Every rule with a threshold, tested at it, just under and just over; every tie told apart.

The cases the mutation run found unguarded come first (each mutant survived the whole suite):
a visit on the as-of day, a score ratio exactly at the floor, tied claims where the current keeper
has the higher load. Then the thresholds of defaults.toml not pinned elsewhere (tiers to the cent,
cadence, month edges, work-log completion, pay coefficient bands, queueing occupancy and service level).
Thresholds pinned in their own modules: the 130 rule (tests/core/test_staffing.py
``test_tellers_needed_at_the_edges``) and the counter bands (``test_*_counter_bands_*``,
``test_township_column_c``), the deposit floor and the retail route
(tests/core/test_allocate_scope_routes.py).
"""

from __future__ import annotations

import pandas as pd
import pytest

from allocation_helpers import claims, customers, keeper_of, run, staff
from branchkit.core.calendar import in_month
from branchkit.core.plan import Window, hold_plan
from branchkit.core.queueing import counters_needed
from branchkit.core.score import points, scorecards
from branchkit.core.tiers import add_tiers
from branchkit.models.ledgers import empty_frame
from branchkit.rules import load_rules

RULES = load_rules()
OCT = Window.of("2026-10")


# --- plan: the as-of day is inside the window ---------------------------------------------------

def _plan(days: list[int]) -> pd.DataFrame:
    frame = pd.concat([empty_frame("plan"), pd.DataFrame({
        "staff_id": pd.Series(["E1"] * len(days), dtype="str"),
        "customer_name": pd.Series(["甲公司"] * len(days), dtype="str"),
        "date": pd.Series(pd.to_datetime([f"2026-10-{d:02d}" for d in days]), dtype="datetime64[s]"),
        "action": pd.Series(["√"] * len(days), dtype="str")})], ignore_index=True)
    frame["_file"], frame["_sheet"], frame["_row"], frame["_rid"] = "甘特图.xlsx", "s", range(2, 2 + len(days)), \
        range(len(days))
    return frame


def _visits(*dates: str) -> pd.DataFrame:
    return pd.concat([empty_frame("visits"), pd.DataFrame({
        "visit_date": pd.Series(pd.to_datetime(list(dates)), dtype="datetime64[s]"),
        "staff_id": pd.Series(["E1"] * len(dates), dtype="str"),
        "customer_name": pd.Series(["甲公司"] * len(dates), dtype="str")})], ignore_index=True)


@pytest.mark.parametrize(("as_of", "done", "missed", "not_due"), [
    ("2026-10-14", 0, 0, 1),      # the planned day is after the as-of date: not yet due
    ("2026-10-15", 1, 0, 0),      # the visit on the as-of day itself counts: done on time, never missed
    ("2026-10-16", 1, 0, 0),
])
def test_a_visit_on_the_as_of_day_is_done_on_time(as_of, done, missed, not_due):
    result = hold_plan(_plan([15]), _visits("2026-10-15"), Window.of("2026-10", as_of), RULES.plan,
                       RULES.tiers.relationship)
    row = result.adherence.iloc[0]
    assert (row["done_on_time"], row["missed"], row["not_due"]) == (done, missed, not_due)


@pytest.mark.parametrize(("days_since", "overdue_days"), [(30, None), (31, None), (32, 1)])
def test_overdue_only_beyond_the_cadence(days_since, overdue_days):
    # high tier: cadence 31 days; as of 31 October.
    customers_list = pd.concat([empty_frame("customers"), pd.DataFrame({
        "customer_id": pd.Series(["C1"], dtype="str"), "name": pd.Series(["甲公司"], dtype="str"),
        "deposit": [5_000_000.0], "loan": [0.0], "kind": pd.Series(["corporate"], dtype="str")})],
        ignore_index=True)
    last = (pd.Timestamp("2026-10-31") - pd.Timedelta(days=days_since)).strftime("%Y-%m-%d")
    seen = _visits("2026-06-01").iloc[0:0]
    seen = pd.concat([seen, pd.DataFrame({"visit_date": pd.Series(pd.to_datetime([last]), dtype="datetime64[s]"),
                                          "staff_id": pd.Series(["E1"], dtype="str"),
                                          "customer_id": pd.Series(["C1"], dtype="str")})], ignore_index=True)
    result = hold_plan(_plan([20]), seen, OCT, RULES.plan, RULES.tiers.relationship, customers=customers_list)
    got = result.overdue.set_index("customer_id")
    if overdue_days is None:
        assert "C1" not in got.index
    else:
        assert got.loc["C1", "overdue_days"] == overdue_days and got.loc["C1", "days_since_visit"] == days_since


# --- score: points at the floor and the cap ------------------------------------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (4.99, 0.0),                  # ratio 0.499 < floor 0.5: nothing
    (5.0, 15.0),                  # exactly at the floor: earns (points = 30 * 0.5)
    (5.01, 15.03),
])
def test_a_ratio_exactly_at_the_floor_earns(actual, expected):
    got = points(pd.Series([actual]), pd.Series([10.0]), pd.Series([30.0]), cap=1.2, floor=0.5)
    assert got.tolist() == pytest.approx([expected])


@pytest.mark.parametrize(("actual", "expected"), [(11.99, 35.97), (12.0, 36.0), (12.01, 36.0)])
def test_points_are_capped_at_the_cap_ratio(actual, expected):
    got = points(pd.Series([actual]), pd.Series([10.0]), pd.Series([30.0]), cap=1.2, floor=0.0)
    assert got.tolist() == pytest.approx([expected])


def test_the_default_floor_zero_gives_points_for_any_actual():
    assert points(pd.Series([0.0, 0.01]), pd.Series([10.0, 10.0]), pd.Series([30.0, 30.0]),
                  cap=RULES.scoring.cap, floor=RULES.scoring.floor).tolist() == pytest.approx([0.0, 0.03])


@pytest.mark.parametrize(("days", "bonus"), [(17, 5 * 17 / 18), (18, 5.0)])
def test_worklog_bonus_is_pro_rata_up_to_full_completion(days, bonus):
    staff_frame = pd.DataFrame({"staff_id": ["A"], "name": ["甲"], "role": ["low_counter"], "branch": ["b"],
                                "state": ["active"]})
    metrics = RULES.scoring.metrics
    actuals = pd.DataFrame({m: [0.0] for m in metrics} | {"worklog_days": [float(days)], "deductions": [0.0]},
                           index=["A"])
    summary = scorecards(staff_frame, actuals, 18, RULES.scoring).summary
    assert summary.loc[0, "worklog_bonus"] == pytest.approx(bonus)


@pytest.mark.parametrize(("date", "inside"), [
    ("2026-09-30 23:59:59", False), ("2026-10-01", True), ("2026-10-31 23:59:59", True), ("2026-11-01", False),
])
def test_rows_count_in_their_month_from_its_first_to_its_last_day(date, inside):
    assert in_month(pd.Series([pd.Timestamp(date)]), pd.Period("2026-10", freq="M")).tolist() == [inside]


# --- pay: coefficient bands, first band reached ------------------------------------------------

@pytest.mark.parametrize(("score", "coefficient"), [
    (900.01, 1.5), (900, 1.5), (899.99, 1.3), (800, 1.3), (799.99, 1.1), (700, 1.1), (699.99, 0.8), (0, 0.8),
])
def test_head_coefficient_bands_include_their_minimum(score, coefficient):
    assert RULES.pay.coefficient(score) == coefficient


# --- tiers to the cent ----------------------------------------------------------------------------

@pytest.mark.parametrize(("deposit", "loan", "tier"), [
    (999_999.99, 0, "mid"), (1_000_000, 0, "high"), (1_000_000.01, 0, "high"),
    (0, 1_999_999.99, "mid"), (0, 2_000_000, "high"), (0, 2_000_000.01, "high"),
    (99_999.99, 0, "general"), (100_000, 0, "mid"), (100_000.01, 0, "mid"),
    (0, 499_999.99, "general"), (0, 500_000, "mid"), (0, 500_000.01, "mid"),
])
def test_relationship_tier_thresholds_to_the_cent(deposit, loan, tier):
    frame = pd.DataFrame({"customer_id": ["C"], "kind": ["corporate"], "deposit": [float(deposit)],
                          "loan": [float(loan)]})
    assert add_tiers(frame, RULES.tiers)["tier"].iloc[0] == tier


@pytest.mark.parametrize(("assets", "loan", "tier"), [
    (49_999.99, 0, "mass"), (50_000, 0, "potential"), (50_000.01, 0, "potential"),
    (199_999.99, 0, "potential"), (200_000, 0, "mid_high"), (200_000.01, 0, "mid_high"),
    (0, 499_999.99, "mass"), (0, 500_000, "mid_high"), (0, 500_000.01, "mid_high"),
])
def test_retail_value_tier_thresholds_to_the_cent(assets, loan, tier):
    frame = pd.DataFrame({"customer_id": ["C"], "kind": ["retail"], "deposit": [0.0], "loan": [float(loan)],
                          "financial_assets": [float(assets)]})
    assert add_tiers(frame, RULES.tiers)["retail_tier"].iloc[0] == tier


# --- claims: the tie rule's order ------------------------------------------------------------------

def test_tied_claims_go_to_the_current_keeper_even_with_the_higher_load():
    # c2 keeps K and a high-tier customer (load 5 + 1); c1 keeps nothing (load 0). Both lock a claim on
    # K: equal strength. already_keeps comes before lower_load, so c2 keeps K.
    team = staff(("h1", "head"), ("c1", "corporate_rm"), ("c2", "corporate_rm"))
    book = customers({"customer_id": "K", "kind": "corporate", "keeper": "c2"},
                     {"customer_id": "BIG", "kind": "corporate", "keeper": "c2", "deposit": 5e6})
    result = run(book, team, claims=claims(("c1", "K", True), ("c2", "K", True)))
    assert keeper_of(result)["K"] == "c2"
    conflict = result.conflicts.set_index("claimant")
    assert conflict.loc["c2", "load"] > conflict.loc["c1", "load"]
    assert set(conflict["rule"]) == {"already_keeps"} and bool(conflict.loc["c2", "winner"])


def test_tied_claims_between_non_keepers_go_to_the_lower_load_even_with_the_higher_staff_id():
    team = staff(("h1", "head"), ("c1", "corporate_rm"), ("c2", "corporate_rm"))
    book = customers({"customer_id": "N", "kind": "corporate"},
                     {"customer_id": "BIG", "kind": "corporate", "keeper": "c1", "deposit": 5e6})
    result = run(book, team, claims=claims(("c1", "N"), ("c2", "N")))
    assert keeper_of(result)["N"] == "c2"
    assert set(result.conflicts["rule"]) == {"lower_load"}


# --- queueing: occupancy cap and service level at their targets ------------------------------------

@pytest.mark.parametrize(("arrivals", "counters"), [(16.99, 2), (17.0, 2), (17.01, 3)])
def test_occupancy_exactly_at_the_cap_is_allowed(arrivals, counters):
    # 17 arrivals x 360 s = 1.7 Erlangs: 2 counters are exactly 85% occupied.
    got = counters_needed(arrivals, 360, service_level=0.0, target_wait_seconds=600, max_occupancy=0.85)
    assert got.counters == counters


def test_a_service_level_exactly_at_its_target_is_met():
    base = counters_needed(100, 240, service_level=0.8, target_wait_seconds=600, max_occupancy=1.0)
    reached = base.service_level
    at = counters_needed(100, 240, service_level=reached, target_wait_seconds=600, max_occupancy=1.0)
    over = counters_needed(100, 240, service_level=reached + 1e-6, target_wait_seconds=600, max_occupancy=1.0)
    under = counters_needed(100, 240, service_level=reached - 1e-6, target_wait_seconds=600, max_occupancy=1.0)
    assert (under.counters, at.counters, over.counters) == (base.counters, base.counters, base.counters + 1)
