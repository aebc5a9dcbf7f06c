"""Queueing core: Erlang B/C/A against published values, properties, simulation."""

from __future__ import annotations

import heapq
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core import queueing
from branchkit.core.queueing import (
    TOLERANCE,
    average_wait,
    counters_needed,
    erlang_a,
    erlang_b,
    erlang_c,
    evaluate_roster,
    occupancy,
    plan_hours,
    service_level,
    staff_after_shrinkage,
)
from branchkit.errors import DataError
from branchkit.rules import load_rules

servers_st = st.integers(min_value=0, max_value=300)
load_st = st.floats(min_value=0, max_value=250, allow_nan=False)


# --- published values -------------------------------------------------------

def test_p_wait_two_servers_at_one_erlang_is_one_third():
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, abs=1e-12)


def test_p_wait_eleven_servers_at_ten_erlangs():
    assert round(erlang_c(11, 10.0), 3) == 0.682


@pytest.mark.parametrize(
    ("servers", "load", "blocking", "tol"),
    [
        (5, 3.0, 0.1101, 5e-5),      # textbook: B(5, 3) = 0.1101
        (10, 5.0, 0.01838, 5e-6),    # textbook: B(10, 5) = 0.01838
        (10, 4.46, 0.01, 2e-4),      # Erlang B table: 10 circuits carry 4.46 E at 1% loss
        (100, 84.06, 0.01, 2e-4),    # Erlang B table: 100 circuits carry 84.06 E at 1% loss
        (1, 1.0, 0.5, 1e-12),        # B(1, A) = A / (1 + A)
    ],
)
def test_erlang_b_table_values(servers, load, blocking, tol):
    assert erlang_b(servers, load) == pytest.approx(blocking, abs=tol)


def test_worked_example_hundred_an_hour_at_four_minutes():
    hour = counters_needed(100, 240, service_level=0.80, target_wait_seconds=300,
                           max_occupancy=0.85)
    assert hour.counters == 8
    assert round(hour.service_level, 3) == 0.899
    assert hour.occupancy == pytest.approx(100 * 240 / 3600 / 8)
    assert staff_after_shrinkage(hour.counters, 0.20) == 10


def test_quiet_hour_needs_one_counter():
    hour = counters_needed(18, 120, service_level=0.80, target_wait_seconds=600,
                           max_occupancy=0.85)
    assert hour.counters == 1
    # Single counter: C = A, so SL = 1 - 0.6·exp(-(1 - 0.6)·600/120).
    assert hour.service_level == pytest.approx(1 - 0.6 * math.exp(-2))


@pytest.mark.parametrize("load", [0.6, 6.6, 20.7])
def test_search_starts_below_round_a_plus_one(load):
    hour = counters_needed(load * 36, 100, service_level=0.5, target_wait_seconds=3600,
                           max_occupancy=1.0)
    assert round(load + 1) > math.floor(load) + 1
    assert hour.counters == math.floor(load) + 1


def test_no_arrivals_needs_no_counter():
    hour = counters_needed(0, 300, service_level=0.8, target_wait_seconds=600, max_occupancy=0.85)
    assert (hour.counters, hour.service_level, hour.occupancy, hour.average_wait_seconds) == (
        0, 1.0, 0.0, 0.0)
    assert staff_after_shrinkage(0, 0.15) == 0


def test_five_hundred_erlangs_without_overflow():
    hour = counters_needed(6000, 300, service_level=0.95, target_wait_seconds=20,
                           max_occupancy=1.0)
    assert hour.load == 500
    assert 520 <= hour.counters <= 540
    assert all(math.isfinite(v) for v in (hour.service_level, hour.average_wait_seconds))
    assert 0 < erlang_b(600, 500.0) < 1e-4
    assert 0 < erlang_c(1000, 900.0) < 1


def test_average_wait_target_adds_counters():
    hour = counters_needed(100, 240, service_level=0.8, target_wait_seconds=300,
                           max_occupancy=0.85, asa_target_seconds=30)
    assert hour.average_wait_seconds <= 30
    assert average_wait(hour.counters - 1, hour.load, 240) > 30
    assert hour.counters > 8


def test_search_extends_erlang_b_instead_of_recomputing(monkeypatch):
    calls = []
    original = queueing.erlang_b
    monkeypatch.setattr(queueing, "erlang_b", lambda n, a: calls.append(n) or original(n, a))
    hour = counters_needed(6000, 300, service_level=0.95, target_wait_seconds=20, max_occupancy=1)
    assert calls == [501] and hour.counters > 501


@pytest.mark.parametrize(("counters", "shrinkage", "staff"),
                         [(8, 0.2, 10), (17, 0.15, 20), (9, 0.2, 12), (1, 0.0, 1), (7, 0.3, 10)])
def test_staff_after_shrinkage(counters, shrinkage, staff):
    assert staff_after_shrinkage(counters, shrinkage) == staff


def test_unstable_and_degenerate_cases():
    assert erlang_c(5, 5.0) == 1.0
    assert service_level(5, 6.0, 300, 600) == 0.0
    assert average_wait(3, 3.0, 300) == math.inf
    assert occupancy(0, 2.0) == math.inf
    assert occupancy(0, 0.0) == 0.0
    assert erlang_c(3, 0.0) == 0.0 and service_level(0, 0.0, 300, 0) == 1.0
    with pytest.raises(ValueError):
        erlang_b(-1, 1.0)
    with pytest.raises(ValueError):
        counters_needed(10, 0, service_level=0.8, target_wait_seconds=60, max_occupancy=0.85)


# --- properties ---------------------------------------------------------------

@given(servers_st, load_st)
def test_erlang_b_is_a_probability_and_falls_with_servers(servers, load):
    b = erlang_b(servers, load)
    assert 0 <= b <= 1
    assert erlang_b(servers + 1, load) <= b


@given(servers_st, load_st, st.floats(1, 1800), st.floats(0, 3600))
def test_more_counters_never_hurt(servers, load, handling, target):
    assert erlang_c(servers + 1, load) <= erlang_c(servers, load) + 1e-12
    assert service_level(servers + 1, load, handling, target) >= (
        service_level(servers, load, handling, target) - 1e-12)


def _meets(n, load, handling, target, level, cap, asa):
    sl = service_level(n, load, handling, target)
    wait = average_wait(n, load, handling)
    return (sl >= level - TOLERANCE and occupancy(n, load) <= cap + TOLERANCE
            and (asa == 0 or wait <= asa + TOLERANCE))


@settings(max_examples=150)
@given(st.floats(0.01, 3000), st.floats(10, 1200), st.floats(0.05, 0.99), st.floats(0, 1800),
       st.floats(0.3, 1.0), st.sampled_from([0.0, 15.0, 120.0]))
def test_counters_needed_is_the_least_that_meets_the_targets(arrivals, handling, level, target,
                                                             cap, asa):
    hour = counters_needed(arrivals, handling, service_level=level, target_wait_seconds=target,
                           max_occupancy=cap, asa_target_seconds=asa)
    load = arrivals * handling / 3600
    assert hour.counters > load
    assert _meets(hour.counters, load, handling, target, level, cap, asa)
    if hour.counters - 1 > load:
        assert not _meets(hour.counters - 1, load, handling, target, level, cap, asa)
    roster = evaluate_roster(arrivals, handling, hour.counters, target_wait_seconds=target)
    assert roster.service_level == pytest.approx(hour.service_level, abs=1e-12)


# --- the reverse question ---------------------------------------------------------

def test_evaluate_roster_understaffed_and_empty():
    short = evaluate_roster(100, 240, 6, target_wait_seconds=300)
    assert (short.service_level, short.average_wait_seconds) == (0.0, math.inf)
    assert short.occupancy == pytest.approx(6.6667 / 6, abs=1e-4)
    closed = evaluate_roster(100, 240, 0, target_wait_seconds=300)
    assert (closed.service_level, closed.occupancy) == (0.0, math.inf)
    leaving = evaluate_roster(100, 240, 0, target_wait_seconds=300, patience_seconds=300)
    assert (leaving.service_level, leaving.abandon_share) == (0.0, 1.0)
    quiet = evaluate_roster(0, 240, 2, target_wait_seconds=300)
    assert (quiet.service_level, quiet.occupancy, quiet.average_wait_seconds) == (1.0, 0.0, 0.0)


def test_evaluate_roster_with_patience_stays_finite_when_understaffed():
    hour = evaluate_roster(100, 240, 5, target_wait_seconds=300, patience_seconds=300)
    assert 0 < hour.service_level < 1 and 0 < hour.abandon_share < 1
    assert math.isfinite(hour.average_wait_seconds) and hour.occupancy <= 1


# --- Erlang A -------------------------------------------------------------------

@pytest.mark.parametrize(("servers", "arrivals", "handling", "target"),
                         [(8, 100, 240, 300), (2, 40, 120, 60), (30, 500, 200, 20)])
def test_erlang_a_approaches_erlang_c_as_patience_grows(servers, arrivals, handling, target):
    load = arrivals * handling / 3600
    a = erlang_a(servers, arrivals / 3600, 1 / handling, 1e-8, target_wait=target)
    assert a.waiting_probability == pytest.approx(erlang_c(servers, load), abs=1e-4)
    assert a.service_level == pytest.approx(service_level(servers, load, handling, target),
                                            abs=1e-4)
    assert a.average_wait == pytest.approx(average_wait(servers, load, handling), rel=1e-3)
    assert a.abandon_probability < 1e-5


def _poisson_tail(mean, n):
    return 1 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(n))


def test_erlang_a_with_patience_equal_to_service_is_poisson():
    # θ = μ makes every state's departure rate nμ: the number present is Poisson(λ/μ).
    mu, lam, n = 1 / 300, 4 / 300, 3
    a = erlang_a(n, lam, mu, mu)
    assert a.waiting_probability == pytest.approx(_poisson_tail(4.0, n), abs=1e-12)
    queued = sum((k - n) * math.exp(-4.0) * 4.0**k / math.factorial(k) for k in range(n, 80))
    assert a.abandon_probability == pytest.approx(mu * queued / lam, abs=1e-12)


def _simulate(servers, lam, mu, theta, target, customers=200_000, seed=7):
    """FCFS M/M/N+M: each arrival takes the first counter free, unless patience runs out first."""
    rng = random.Random(seed)
    free = [0.0] * servers
    now = waited = left = in_time = 0
    for _ in range(customers):
        now += rng.expovariate(lam)
        offered = max(0.0, free[0] - now)
        waited += offered > 0
        if rng.expovariate(theta) < offered:
            left += 1
            continue
        in_time += offered <= target
        heapq.heapreplace(free, now + offered + rng.expovariate(mu))
    return waited / customers, left / customers, in_time / customers


@pytest.mark.parametrize("servers", [5, 8])
def test_erlang_a_matches_a_simulation(servers):
    lam, mu, theta, target = 100 / 3600, 1 / 240, 1 / 300, 120
    wait, left, in_time = _simulate(servers, lam, mu, theta, target)
    a = erlang_a(servers, lam, mu, theta, target_wait=target)
    assert a.waiting_probability == pytest.approx(wait, abs=0.015)
    assert a.abandon_probability == pytest.approx(left, abs=0.01)
    assert a.service_level == pytest.approx(in_time, abs=0.015)


@settings(max_examples=100)
@given(st.integers(1, 60), st.floats(0.1, 80), st.floats(30, 1200), st.floats(20, 3600),
       st.floats(0, 1800))
def test_erlang_a_properties(servers, load, handling, patience, target):
    lam, mu, theta = load / handling, 1 / handling, 1 / patience
    a = erlang_a(servers, lam, mu, theta, target_wait=target)
    more = erlang_a(servers + 1, lam, mu, theta, target_wait=target)
    assert 0 <= a.abandon_probability <= 1 and 0 <= a.waiting_probability <= 1
    assert more.abandon_probability <= a.abandon_probability + 1e-12
    assert 0 <= a.service_level <= 1 - a.abandon_probability + 1e-9
    later = erlang_a(servers, lam, mu, theta, target_wait=target + 600)
    assert later.service_level >= a.service_level - 1e-12
    # Served eventually, by the offered-wait density, equals 1 − P(abandon) from the states.
    forever = erlang_a(servers, lam, mu, theta, target_wait=1e9)
    assert forever.service_level == pytest.approx(1 - a.abandon_probability, abs=1e-9)


def test_counters_needed_reports_abandonment_without_changing_the_size():
    plain = counters_needed(100, 240, service_level=0.8, target_wait_seconds=300,
                            max_occupancy=0.85)
    patient = counters_needed(100, 240, service_level=0.8, target_wait_seconds=300,
                              max_occupancy=0.85, patience_seconds=600)
    assert plain.abandon_share is None and patient.counters == plain.counters
    assert 0 < patient.abandon_share < 0.1


# --- plan_hours ----------------------------------------------------------------------

def _rules(**changes):
    return load_rules().staffing.queue.model_copy(update=changes)


def test_plan_hours_columns_and_defaults():
    frame = pd.DataFrame({"hour": [9, 10, 11, 12], "arrivals": [100, 18, 0, 100],
                          "handling_seconds": [240, 120, np.nan, 240]})
    rules = _rules(service_level=0.8, target_wait_seconds=300, max_occupancy=0.85, shrinkage=0.2)
    plan = plan_hours(frame, rules=rules)
    assert list(plan["counters"]) == [8, 2, 0, 8]  # 1 counter serves only 78% within 300 s
    assert list(plan["staff"]) == [10, 3, 0, 10]
    assert plan["handling_seconds"].tolist() == [240, 120, rules.handling_seconds, 240]
    assert plan.loc[2, ["service_level", "occupancy", "average_wait_seconds"]].tolist() == [1, 0, 0]
    assert round(plan.loc[0, "service_level"], 3) == 0.899
    assert "abandon_share" not in plan and frame["handling_seconds"].isna().sum() == 1
    assert plan["counters"].dtype == "int64"


def test_plan_hours_caches_identical_hours(monkeypatch):
    calls = []
    original = queueing.counters_needed
    monkeypatch.setattr(queueing, "counters_needed",
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    frame = pd.DataFrame({"arrivals": [50, 50, 50, 20], "handling_seconds": [300, 300, 300, 300]})
    plan_hours(frame, rules=_rules())
    assert len(calls) == 2


def test_plan_hours_with_patience_and_without_handling_column():
    plan = plan_hours(pd.DataFrame({"arrivals": [30, 0]}), rules=_rules(patience_seconds=600))
    assert plan["abandon_share"].between(0, 1).all() and plan.loc[1, "abandon_share"] == 0


def test_plan_hours_names_bad_rows():
    frame = pd.DataFrame({"arrivals": [10, -1, np.nan], "handling_seconds": [300, 300, 300]})
    with pytest.raises(DataError, match="rows 1, 2"):
        plan_hours(frame, rules=_rules())


def test_core_imports_neither_typer_nor_rich():
    code = ("import sys, branchkit.core.queueing; "
            "print(any(m.split('.')[0] in ('typer', 'rich') for m in sys.modules))")
    src = str(Path(queueing.__file__).parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": src})
    assert out.stdout.strip() == "False"
