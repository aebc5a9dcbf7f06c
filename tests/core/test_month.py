"""The month over several branches: per-branch pools, parallel runs, cross-branch leads, what-if comparison."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.metrics import MonthLedgers
from branchkit.core.month import check_ledgers, compare, score_month
from branchkit.rules import load_rules

OCTOBER = pd.Period("2026-10", freq="M")
SOUTH = "城南支行"


def _add_rows(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    extra = pd.DataFrame(rows).reindex(columns=frame.columns)
    extra["_file"], extra["_sheet"] = frame["_file"].iloc[0], frame["_sheet"].iloc[0]
    extra["_row"] = range(int(frame["_row"].max()) + 1, int(frame["_row"].max()) + 1 + len(extra))
    extra["_rid"] = range(int(frame["_rid"].max()) + 1, int(frame["_rid"].max()) + 1 + len(extra))
    return pd.concat([frame, extra.astype(frame.dtypes.to_dict())], ignore_index=True)


@pytest.fixture
def network(city):
    """The small branch plus 城南支行: a head and two tellers; one sale there led by 张伟 (S03) of 城中."""
    city["staff"] = _add_rows(city["staff"], [
        {"staff_id": "T01", "name": "孙南", "role": "head", "branch": SOUTH, "state": "active", "active": True},
        {"staff_id": "T02", "name": "吴南", "role": "low_counter", "branch": SOUTH, "state": "active", "active": True},
        {"staff_id": "T03", "name": "郑南", "role": "low_counter", "branch": SOUTH, "state": "active", "active": True}])
    city["referrals"] = _add_rows(city["referrals"], [
        {"date": pd.Timestamp("2026-10-12"), "referrer": "T02", "customer_name": "甲"},
        {"date": pd.Timestamp("2026-10-13"), "referrer": "T03", "customer_name": "乙"},
        {"date": pd.Timestamp("2026-10-14"), "referrer": "T03", "customer_name": "丙"}])
    city["sales"] = _add_rows(city["sales"], [
        {"date": pd.Timestamp("2026-10-15"), "product": "信用卡", "customer": "丁", "closer": "T02", "lead": "S03",
         "piece_rate": 10.00}])
    city["pool"] = _add_rows(city["pool"], [{"branch": SOUTH, "amount": 9_000.00}])
    city["assessment"] = _add_rows(city["assessment"], [{"staff_id": "T01", "score": 720.0}])
    return city


def test_each_branch_splits_its_own_pool(network, city_rules):
    result = score_month(MonthLedgers.from_frames(network), OCTOBER, city_rules)
    assert result.problems == []
    bonus = result.summary.groupby("branch")["bonus"].sum().round(2).to_dict()
    # 城南: 9,000 + 30% of the 10.00 sale = 9,003.00; 城中 unchanged at 40,209.51
    assert bonus == {"城中支行": 40_209.51, SOUTH: 9_003.00}
    south = result.summary[result.summary["branch"] == SOUTH].set_index("staff_id")
    # average 3,001.00; head band >= 700 -> 1.1: 3,301.10, leaving 5,701.90. T02: 1 referral (1/4*40 = 10)
    # + closed 1 sale (1/8*15 = 1.875) = 11.875; T03: 2 referrals = 20. 5,701.90 * 11.875/31.875 = 2,124.2392
    # and * 20/31.875 = 3,577.6627 -> 2,124.24 and 3,577.66 (sum 9,003.00)
    assert south["bonus"].to_dict() == {"T01": 3301.10, "T02": 2124.24, "T03": 3577.66}
    assert south.loc["T02", "rank"] == 2 and south.loc["T03", "rank"] == 1


def test_a_lead_from_another_branch_is_paid_in_their_own_summary(network, city_rules):
    result = score_month(MonthLedgers.from_frames(network), OCTOBER, city_rules)
    piece = result.summary.set_index("staff_id")["piece_rate_pay"]
    # S03 215.83 at home + 10 * 0.7 * 0.3 = 2.10 as lead of the 城南 sale; T02 closes: 10 * 0.7 * 0.7 = 4.90
    assert (piece["S03"], piece["T02"]) == (217.93, 4.90)


def test_jobs_give_the_same_result(network, city_rules):
    ledgers = MonthLedgers.from_frames(network)
    one = score_month(ledgers, OCTOBER, city_rules, jobs=1)
    two = score_month(ledgers, OCTOBER, city_rules, jobs=2)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.pools, two.pools)


def test_pool_rows_missing_doubled_or_unknown_are_problems(network, city_rules):
    pool = network["pool"]
    network["pool"] = _add_rows(pool.iloc[[0]], [{"branch": "城中支行", "amount": 1.0},
                                                 {"branch": "城北支行", "amount": 5.0}])
    result = score_month(MonthLedgers.from_frames(network), OCTOBER, city_rules)
    found = {(p.code, p.severity) for p in result.problems}
    assert found == {("no_pool", "error"), ("duplicate_pool", "error"), ("unknown_pool_branch", "warning")}


def test_two_assessment_rows_for_one_person_stop_the_run(city, city_rules):
    city["assessment"] = _add_rows(city["assessment"], [{"staff_id": "S01", "score": 990.0}])
    result = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert [(p.code, p.value) for p in result.errors] == [("duplicate_assessment", "S01")]


def test_one_branch_whose_staff_list_names_no_branch_takes_the_only_pool_row(city, city_rules):
    city["staff"]["branch"] = pd.NA
    result = score_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert result.problems == []
    assert result.summary["bonus"].sum().round(2) == 40_209.51


def test_missing_ledgers_are_checked_before_counting(city):
    del city["customers_start"]
    assert [p.kind for p in check_ledgers(MonthLedgers.from_frames(city), load_rules())] == ["customers_start"]


def test_compare_shows_the_change_per_person(city, city_rules, tmp_path):
    path = tmp_path / "what_if.toml"
    path.write_text("[scoring.roles.default.weights]\nreferrals = 60\ndeposit_up = 10\n", encoding="utf-8")
    other_rules = load_rules(path, base=city_rules)
    ledgers = MonthLedgers.from_frames(city)
    base, other = score_month(ledgers, OCTOBER, city_rules), score_month(ledgers, OCTOBER, other_rules)
    diff = compare(base, other).set_index("staff_id")
    # S06 referrals 5/4 capped at 1.2: 48 -> 72 points (+24); S08 3/4: 30 -> 45, deposit 3 -> 1 (+13)
    assert diff.loc["S06", "points_referrals_change"] == pytest.approx(24.0)
    assert diff.loc["S08", "total_change"] == pytest.approx(13.0)
    assert diff.loc["S03", "total_change"] == 0.0                       # corporate RMs keep their weights
    assert diff["bonus_change"].sum() == pytest.approx(0.0, abs=1e-9)   # the pool is the same
    assert diff.loc["S06", "bonus_change"] > 0 > diff.loc["S03", "bonus_change"]
