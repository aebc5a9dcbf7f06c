"""Staffing core: the 130 rule, counter bands, minimum staffing, the hourly queue, the driver."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from branchkit.core.staffing import (
    BranchInput,
    corporate_business,
    counter_requirement,
    plan_staffing,
    rm_team,
    staff_branch,
    tellers_needed,
)
from branchkit.core.staffing_hours import peak_hours, plan_hours_by_branch, tidy_hours
from branchkit.errors import DataError
from branchkit.rules import load_rules

STAFFING = load_rules().staffing


def _rules(count_on_leave=True, **queue):
    return STAFFING.model_copy(update={"count_on_leave": count_on_leave,
                                       "queue": STAFFING.queue.model_copy(update=queue)})


def _staff(*rows, branch="城中支行"):
    """Staff rows as (staff_id, role[, state])."""
    records = [{"staff_id": r[0], "name": r[0], "role": r[1], "branch": branch,
                "state": r[2] if len(r) > 2 else "active"} for r in rows]
    frame = pd.DataFrame(records, columns=["staff_id", "name", "role", "branch", "state"])
    frame["active"] = frame["state"].ne("left")
    return frame


def _row(result):
    """The one branch's summary row of a result."""
    return result.branches.iloc[0].to_dict()


def _volumes(branch="城中支行", branch_type="general", daily=260.0, cash=np.nan, noncash=np.nan,
             tellers=np.nan):
    return {"branch": branch, "branch_type": branch_type, "daily_transactions": daily,
            "corporate_cash": cash, "corporate_noncash": noncash, "tellers_current": tellers}


def _hours(arrivals, handling=240.0, start=9, dates=(None,), branch="城中支行", **extra):
    rows = []
    for day in dates:
        for i, a in enumerate(arrivals):
            rows.append({"branch": branch, "date": pd.Timestamp(day) if day else pd.NaT,
                         "hour": start + i, "arrivals": float(a), "handling_seconds": handling,
                         **{k: v[i] for k, v in extra.items()}})
    frame = pd.DataFrame(rows)
    frame["date"] = frame["date"].astype("datetime64[s]")
    frame["hour"] = frame["hour"].astype("Int64")
    return frame


FULL_GENERAL = [("h1", "head"), ("t1", "comprehensive_teller"), ("t2", "high_counter"),
                ("l1", "lobby_manager"), ("c1", "corporate_rm")]


# --- the 130 rule ----------------------------------------------------------------------

@pytest.mark.parametrize(("daily", "needed"), [
    (130, 1), (131, 2), (0, 0), (1, 1), (129.5, 1), (260, 2), (260.5, 3),
    (130 * 0.1 * 10, 1),          # 130.00000000000003 in floats: still 1
])
def test_tellers_needed_at_the_edges(daily, needed):
    assert tellers_needed(daily, 130) == needed


@given(st.integers(0, 10_000_000), st.integers(1, 500))
def test_tellers_needed_is_the_integer_ceiling(daily, throughput):
    assert tellers_needed(daily, throughput) == -(-daily // throughput)


def test_tellers_needed_refuses_nonsense():
    with pytest.raises(ValueError):
        tellers_needed(-1, 130)
    with pytest.raises(ValueError):
        tellers_needed(math.nan, 130)


def test_zero_transactions_need_no_teller_but_the_type_minimum_still_applies():
    result = staff_branch(BranchInput("城中支行", STAFFING, volumes=_volumes(daily=0, branch_type="general"),
                                      staff=_staff(("h1", "head"))))
    row = _row(result)
    assert (row["tellers_needed"], row["tellers_current"], row["surplus"]) == (0, 0, 0)
    assert (row["minimum_staff"], row["staff_current"], row["minimum_met"]) == (4, 1, False)
    missing = dict(zip(result.shortfalls["item"], result.shortfalls["missing"]))
    assert missing == {"staff": 3, "service": 3, "lobby": 1, "lobby_managers": 1}


def test_surplus_and_shortfall_against_current_tellers():
    surplus = _row(staff_branch(BranchInput("b", STAFFING, volumes=_volumes(daily=390, tellers=5))))
    assert (surplus["tellers_needed"], surplus["tellers_current"], surplus["surplus"]) == (3, 5, 2)
    short = _row(staff_branch(BranchInput("b", STAFFING, volumes=_volumes(daily=391, tellers=3))))
    assert short["surplus"] == -1


def test_current_tellers_from_the_roster_count_staff_on_leave_by_rule():
    staff = _staff(("t1", "high_counter"), ("t2", "low_counter", "on_leave"),
                   ("t3", "comprehensive_teller", "left"), ("r1", "retail_rm"))
    counted = _row(staff_branch(BranchInput("b", STAFFING, volumes=_volumes(daily=390), staff=staff)))
    assert (counted["tellers_current"], counted["tellers_on_leave"], counted["surplus"]) == (2, 1, -1)
    strict = _row(staff_branch(BranchInput("b", _rules(count_on_leave=False), volumes=_volumes(daily=390),
                                      staff=staff)))
    assert (strict["tellers_current"], strict["tellers_on_leave"]) == (1, 0)


def test_the_volumes_teller_count_wins_over_the_roster_with_a_note():
    result = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(tellers=4),
                                      staff=_staff(("t1", "high_counter"))))
    assert _row(result)["tellers_current"] == 4
    assert any("staff list has 1; 4 is used" in n for n in result.notes)


# --- corporate counters ---------------------------------------------------------------------

# DOMAIN §4 (assumed): lower edges included, upper excluded, the top band included: 80 is in "80-130", 130
# in "> 130".
CASH_A = [(0, 0, 1), (79.99, 0, 1), (80, 0, 2), (100, 0, 2), (129.99, 0, 2), (130, 1, 2), (130.01, 1, 2),
          (500, 1, 2)]


@pytest.mark.parametrize("branch_type", ["large", "medium", "general"])
@pytest.mark.parametrize(("volume", "dedicated", "combined"), CASH_A)
def test_cash_counter_bands_for_columns_a_and_b(branch_type, volume, dedicated, combined):
    row = counter_requirement(STAFFING, "cash", branch_type, volume, True)
    assert (row["status"], row["dedicated"], row["combined"]) == ("band", dedicated, combined)


@pytest.mark.parametrize("branch_type", ["large", "medium"])
@pytest.mark.parametrize(("volume", "dedicated", "combined"),
                         [(49.99, 0, 1), (50, 1, 2), (79.99, 1, 2), (80, 2, 0), (80.01, 2, 0)])
def test_noncash_counter_bands_for_column_a(branch_type, volume, dedicated, combined):
    row = counter_requirement(STAFFING, "noncash", branch_type, volume, True)
    assert (row["dedicated"], row["combined"]) == (dedicated, combined)


@pytest.mark.parametrize(("volume", "dedicated", "words"), [
    (49.99, 0, "combined low-counter teller for retail and corporate"),
    (50, 0, "corporate-leaning low-counter teller"),
    (79.99, 0, "corporate-leaning low-counter teller"),
    (80, 1, "dedicated corporate low counter"),
    (80.01, 1, "dedicated corporate low counter"),
])
def test_noncash_counter_bands_for_column_b(volume, dedicated, words):
    row = counter_requirement(STAFFING, "noncash", "general", volume, True)
    assert row["dedicated"] == dedicated and words in row["text_en"] and row["text_zh"]


@pytest.mark.parametrize(("counter", "volume", "status", "combined"), [
    ("cash", 49.99, "band", 1), ("cash", 50, "none_stated", pd.NA),
    ("noncash", 39.99, "none_stated", pd.NA), ("noncash", 40, "band", 1), ("noncash", 40.01, "band", 1),
])
def test_township_column_c(counter, volume, status, combined):
    row = counter_requirement(STAFFING, counter, "township", volume, True)
    assert row["status"] == status
    assert row["combined"] is pd.NA if combined is pd.NA else row["combined"] == combined


def test_counter_requirement_when_it_cannot_apply():
    assert counter_requirement(STAFFING, "cash", None, 100, True)["status"] == "unknown_type"
    assert counter_requirement(STAFFING, "cash", "large", 0, False)["status"] == "no_corporate_business"
    assert counter_requirement(STAFFING, "cash", "large", np.nan, None)["status"] == "no_volume"


def test_corporate_business_from_volumes_or_customers():
    assert corporate_business(_volumes(cash=0, noncash=0), None) is False
    assert corporate_business(_volumes(cash=0, noncash=3), None) is True
    assert corporate_business(_volumes(), None) is None
    assert corporate_business(_volumes(cash=0, noncash=0), 2) is True
    assert corporate_business(None, 0) is False


def test_branch_row_names_both_counter_requirements():
    row = _row(staff_branch(BranchInput("b", STAFFING, volumes=_volumes("b", "medium", cash=131,
                                                                    noncash=60))))
    assert (row["cash_dedicated"], row["cash_combined"]) == (1, 2)
    assert (row["noncash_dedicated"], row["noncash_combined"]) == (1, 2)


# --- minimum staffing ----------------------------------------------------------------------

def test_a_full_general_branch_meets_its_minimum():
    result = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(cash=10, noncash=5),
                                      staff=_staff(*FULL_GENERAL)))
    assert _row(result)["minimum_met"] and result.shortfalls.empty


def test_each_missing_item_is_listed_with_required_and_present():
    staff = _staff(("h1", "head"), ("t1", "comprehensive_teller"), ("t2", "high_counter", "left"),
                   ("g1", "lobby_guide"))
    result = staff_branch(BranchInput("b", STAFFING, volumes=_volumes("b", "medium", cash=5, noncash=0),
                                      staff=staff))
    table = result.shortfalls.set_index("item")[["required", "present", "missing"]]
    assert table.to_dict("index") == {
        "staff": {"required": 6, "present": 3, "missing": 3},
        "deputies": {"required": 1, "present": 0, "missing": 1},
        "service": {"required": 4, "present": 2, "missing": 2},
        "lobby": {"required": 3, "present": 1, "missing": 2},
        "lobby_managers": {"required": 1, "present": 0, "missing": 1},
        "corporate_rm": {"required": 1, "present": 0, "missing": 1},
    }


def test_corporate_rm_only_where_the_branch_does_corporate_business():
    staff = _staff(*[r for r in FULL_GENERAL if r[1] != "corporate_rm"], ("t3", "low_counter"))
    retail_only = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(cash=0, noncash=0), staff=staff))
    assert _row(retail_only)["minimum_met"]
    with_customers = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(cash=0, noncash=0),
                                              staff=staff, corporate_customers=3))
    assert with_customers.shortfalls["item"].tolist() == ["corporate_rm"]
    unknown = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(), staff=staff))
    assert _row(unknown)["minimum_met"]
    assert any("corporate RM minimum was not checked" in n for n in unknown.notes)


def test_unknown_branch_type_is_a_note_not_a_crash():
    result = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(branch_type=np.nan),
                                      staff=_staff(*FULL_GENERAL)))
    assert pd.isna(_row(result)["branch_type"]) and pd.isna(_row(result)["minimum_met"])
    assert result.counters["status"].tolist() == ["unknown_type", "unknown_type"]
    assert any("branch type unknown" in n for n in result.notes)


def test_branch_type_from_the_staff_list_when_the_volumes_have_none():
    staff = _staff(*FULL_GENERAL).assign(branch_type="township")
    result = staff_branch(BranchInput("b", STAFFING, volumes=_volumes(branch_type=np.nan), staff=staff))
    assert _row(result)["branch_type"] == "township" and _row(result)["minimum_met"]


# --- the queue per hour ---------------------------------------------------------------------

def test_worked_example_end_to_end_per_hour():
    rules = _rules(service_level=0.80, target_wait_seconds=300, max_occupancy=0.85, shrinkage=0.20)
    hours = plan_hours_by_branch(_hours([100, 18], handling=240.0), rules.queue)
    first = hours.iloc[0]
    assert (first["counters"], first["staff"]) == (8, 10)
    assert round(first["service_level"], 3) == 0.899
    assert first["occupancy"] == pytest.approx(100 * 240 / 3600 / 8)


def test_quiet_hour_end_to_end_needs_one_counter():
    rules = _rules(service_level=0.80, target_wait_seconds=600, max_occupancy=0.85, shrinkage=0.15)
    hours = plan_hours_by_branch(_hours([18], handling=120.0), rules.queue)
    assert (hours.loc[0, "counters"], hours.loc[0, "staff"]) == (1, 2)


def test_several_rows_for_one_hour_are_added():
    frame = pd.concat([_hours([60], handling=200.0), _hours([20], handling=600.0)], ignore_index=True)
    tidy = tidy_hours(frame, 300.0)
    assert len(tidy) == 1 and tidy.loc[0, "arrivals"] == 80
    assert tidy.loc[0, "handling_seconds"] == pytest.approx((60 * 200 + 20 * 600) / 80)
    assert pd.isna(tidy.loc[0, "date"])


def test_missing_handling_takes_the_rules_default():
    frame = _hours([30], handling=np.nan)
    assert tidy_hours(frame, 300.0).loc[0, "handling_seconds"] == 300


def test_peak_is_the_worst_hour_on_the_worst_day():
    frame = pd.concat([_hours([40, 90, 60], dates=["2025-03-03"]),
                       _hours([40, 60, 120], dates=["2025-03-04"])], ignore_index=True)
    hours = plan_hours_by_branch(frame, STAFFING.queue)
    peak = peak_hours(hours).loc["城中支行"]
    assert (peak["peak_date"], peak["peak_hour"]) == (pd.Timestamp("2025-03-04"), 11)
    assert peak["peak_counters"] == hours["counters"].max()
    assert peak["queue_staff_needed"] == hours.loc[hours["counters"].idxmax(), "staff"]


def test_peak_ties_go_to_the_larger_load_then_the_earlier_hour():
    hours = pd.DataFrame({"branch": "甲", "date": pd.NaT, "hour": [9, 10, 11], "arrivals": [50.0, 52, 52],
                          "handling_seconds": 300.0, "counters": [6, 6, 6], "staff": [8, 8, 8]})
    assert peak_hours(hours).loc["甲", "peak_hour"] == 10


def test_no_arrivals_no_peak():
    hours = plan_hours_by_branch(_hours([0, 0]), STAFFING.queue)
    peak = peak_hours(hours).loc["城中支行"]
    assert pd.isna(peak["peak_hour"]) and peak["peak_counters"] == 0


def test_daily_transactions_from_hours_when_the_daily_ledger_is_missing():
    frame = _hours([100, 160], dates=["2025-03-03", "2025-03-04"])
    result = staff_branch(BranchInput("城中支行", STAFFING, hours=frame))
    assert _row(result)["daily_transactions"] == 260 and _row(result)["tellers_needed"] == 2
    assert any("hourly arrivals per day" in n for n in result.notes)


def test_abandonment_is_reported_with_patience():
    hours = plan_hours_by_branch(_hours([100, 0]), _rules(patience_seconds=600).queue)
    assert 0 < hours.loc[0, "abandon_share"] < 0.1 and hours.loc[1, "abandon_share"] == 0


# --- the roster ------------------------------------------------------------------------------

def test_roster_from_the_counters_open_column():
    frame = _hours([100, 100, 100], counters_open=[9, 8, 6])
    rules = _rules(service_level=0.80, target_wait_seconds=300, max_occupancy=0.85)
    hours = plan_hours_by_branch(frame, rules.queue, roster=True)
    assert hours["counters_open"].tolist() == [9, 8, 6]
    assert hours["under_served"].tolist() == [False, False, True]
    assert round(hours.loc[1, "roster_service_level"], 3) == 0.899
    assert hours.loc[2, "roster_service_level"] == 0 and hours.loc[2, "roster_average_wait_seconds"] == math.inf


def test_roster_from_tellers_on_duty_fills_hours_without_a_count():
    frame = _hours([100, 6], counters_open=[np.nan, 1])
    staff = _staff(("t1", "high_counter"), ("t2", "low_counter"), ("t3", "low_counter", "on_leave"),
                   ("r1", "retail_rm"))
    result = staff_branch(BranchInput("城中支行", STAFFING, hours=frame, staff=staff, roster=True))
    assert result.hours["counters_open"].tolist() == [2, 1]
    assert result.hours["under_served"].tolist() == [True, False]
    assert _row(result)["under_served_hours"] == 1


def test_fractional_counters_open_round_down():
    hours = plan_hours_by_branch(_hours([30], counters_open=[2.5]), STAFFING.queue, roster=True)
    assert hours.loc[0, "counters_open"] == 2


# --- every branch ------------------------------------------------------------------------

def _network():
    volumes = pd.DataFrame([_volumes("乙", "general", 300, 10, 20), _volumes("甲", "medium", 780, 90, 60, 8)])
    hourly = pd.concat([_hours([60, 140, 80], branch="甲", dates=["2025-03-03", "2025-03-04"]),
                        _hours([20, 40, 30], branch="乙", dates=["2025-03-03"])], ignore_index=True)
    staff = pd.concat([_staff(*FULL_GENERAL, branch="乙"), _staff(("h2", "head"), branch="甲"),
                       _staff(("x", "head"), branch="丙")], ignore_index=True)
    return volumes, hourly, staff


def test_plan_staffing_covers_every_branch_in_order():
    volumes, hourly, staff = _network()
    result = plan_staffing(STAFFING, volumes=volumes, hourly=hourly, staff=staff)
    assert result.branches["branch"].tolist() == ["丙", "乙", "甲"]
    assert result.branches["tellers_needed"].tolist()[1:] == [3, 6]
    assert pd.isna(result.branches.loc[0, "tellers_needed"])   # 丙: only on the roster
    assert result.branches.loc[2, "peak_hour"] == 10
    assert result.below_minimum() == ["丙", "甲"]
    assert len(result.hours) == 9 and result.counters["branch"].tolist() == ["丙", "丙", "乙", "乙", "甲", "甲"]


def test_parallel_result_equals_serial():
    volumes, hourly, staff = _network()
    serial = plan_staffing(STAFFING, volumes=volumes, hourly=hourly, staff=staff, roster=True)
    parallel = plan_staffing(STAFFING, volumes=volumes, hourly=hourly, staff=staff, roster=True, jobs=2)
    pd.testing.assert_frame_equal(serial.branches, parallel.branches)
    pd.testing.assert_frame_equal(serial.hours, parallel.hours)
    assert serial.notes == parallel.notes


def test_a_branch_twice_in_the_daily_volumes_is_a_data_error():
    volumes = pd.DataFrame([_volumes("甲"), _volumes("甲")]).assign(_row=[4, 9])
    with pytest.raises(DataError, match=r"甲 \(rows 4, 9\)"):
        plan_staffing(STAFFING, volumes=volumes)


def test_staff_without_a_branch_belong_to_the_only_branch():
    staff = _staff(*FULL_GENERAL).assign(branch=pd.NA)
    result = plan_staffing(STAFFING, volumes=pd.DataFrame([_volumes("甲", cash=1, noncash=1)]), staff=staff)
    assert result.branches["staff_current"].tolist() == [5] and result.below_minimum() == []


def test_corporate_customers_make_the_corporate_rm_required():
    staff = _staff(*[r for r in FULL_GENERAL if r[1] != "corporate_rm"], ("t3", "low_counter"), branch="甲")
    customers = pd.DataFrame({"customer_id": ["1", "2"], "kind": ["corporate", "retail"],
                              "branch": ["甲", "甲"], "status": ["existing", "existing"]})
    volumes = pd.DataFrame([_volumes("甲")])
    assert plan_staffing(STAFFING, volumes=volumes, staff=staff, customers=customers).below_minimum() == ["甲"]
    targets = customers.assign(status="target")
    assert plan_staffing(STAFFING, volumes=volumes, staff=staff, customers=targets).below_minimum() == []


# --- RM teams -----------------------------------------------------------------------------------

def test_rm_team_specialists_per_segment():
    team = rm_team({"large": 2, "middle": 5, "small": 10, "small_phone": 31}, STAFFING.rm_team)
    assert team.set_index("segment")[["teams", "cash_management_specialists",
                                      "credit_specialists"]].to_dict("index") == {
        "large": {"teams": 2, "cash_management_specialists": 2, "credit_specialists": 2},
        "middle": {"teams": 2, "cash_management_specialists": 2, "credit_specialists": 2},
        "small": {"teams": 1, "cash_management_specialists": 1, "credit_specialists": 1},
        "small_phone": {"teams": 2, "cash_management_specialists": 2, "credit_specialists": 2},
    }
    with pytest.raises(ValueError, match="micro"):
        rm_team({"micro": 3}, STAFFING.rm_team)


def test_staffing_core_imports_neither_typer_nor_rich():
    code = ("import sys, branchkit.core.staffing; "
            "print(any(m.split('.')[0] in ('typer', 'rich') for m in sys.modules))")
    src = str(Path(__file__).resolve().parents[2] / "src")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": src})
    assert out.stdout.strip() == "False"
