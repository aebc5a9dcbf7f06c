"""Metrics counted from the raw ledgers: what counts, what does not and why, and where each row came from."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from branchkit.core.metrics import MonthLedgers, count_month, deposit_up, missing_ledgers, required_ledgers
from branchkit.rules import load_rules

OCTOBER = pd.Period("2026-10", freq="M")
METRICS = ["outbound_visits", "referrals", "deposit_up", "products_sold", "new_customers"]


@pytest.fixture
def counts(city, city_rules):
    return count_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)


def test_actuals_of_the_small_branch(counts):
    actuals = counts.actuals(METRICS)
    expected = {  # outbound, referrals, deposit_up, products_sold, new_customers, worklog days, deductions
        "S01": (0, 0, 1, 0, 0, 18, 0),      # keeps C009 (2,000,000 -> 2,100,000); logs 18 days + 1 Oct (holiday)
        "S03": (9, 1, 3, 4, 1, 18, 0),      # C001-C003 rose, C004 fell; C101 (his own marketing)
        "S04": (15, 0, 3, 2, 3, 9, 3),      # C005, C006 and C012 (kept by S05 at month start); C102-C104
        "S05": (2, 2, 1, 6, 1, 18, 0),      # C007; C105 (no marketer: to the keeper)
        "S06": (0, 5, 0, 0, 0, 18, 1),      # C010 unchanged; C106 went to its marketer S08
        "S07": (0, 1, 0, 1, 0, 9, 0),
        "S08": (0, 3, 1, 0, 1, 0, 0),
    }
    for staff_id, values in expected.items():
        assert tuple(actuals.loc[staff_id]) == values, staff_id
    assert "S02" not in actuals.index      # no rows: reindexed to zeros by the scorecard
    assert "S09" not in actuals.index      # left: nothing counted


def test_rows_not_counted_and_why(counts):
    reasons = counts.ignored.groupby(["kind", "reason"]).size().to_dict()
    assert reasons == {
        ("deductions", "outside_month"): 1, ("referrals", "outside_month"): 1,
        ("sales", "outside_month"): 1, ("sales", "staff_left"): 1,
        ("visits", "not_outbound"): 1, ("visits", "outside_month"): 1,
        ("worklog", "duplicate_day"): 2, ("worklog", "not_working_day"): 2, ("worklog", "outside_month"): 1,
    }


def test_each_counted_row_names_its_file_sheet_and_row(counts):
    visits = counts.evidence[(counts.evidence["staff_id"] == "S03") & (counts.evidence["metric"] == "outbound_visits")]
    assert visits[["kind", "_file", "_sheet"]].drop_duplicates().values.tolist() == [
        ["visits", "拜访记录.xlsx", "拜访记录"]]
    assert visits["_row"].tolist() == list(range(3, 12))        # the first nine rows; rows 12, 13 are ignored
    skipped = counts.ignored[counts.ignored["staff_id"] == "S03"]
    assert skipped.loc[skipped["kind"] == "visits", ["_row", "reason"]].values.tolist() == [
        [12, "outside_month"], [13, "not_outbound"]]


def test_a_day_logged_twice_counts_once_and_weekends_and_holidays_not(counts):
    ignored = counts.ignored[counts.ignored["kind"] == "worklog"]
    dates = {(r.staff_id, r.date.strftime("%m-%d"), r.reason) for r in ignored.itertuples()}
    assert dates == {("S03", "10-08", "duplicate_day"), ("S06", "10-09", "duplicate_day"),
                     ("S03", "10-17", "not_working_day"), ("S01", "10-01", "not_working_day"),
                     ("S05", "09-30", "outside_month")}


def test_deposit_up_goes_to_the_month_end_keeper_with_the_month_start_row_beside_it(counts):
    rows = counts.evidence[(counts.evidence["metric"] == "deposit_up") & (counts.evidence["staff_id"] == "S04")]
    counted = rows[rows["value"] == 1]
    assert counted["customer"].tolist() == ["C005 客户C005", "C006 客户C006", "C012 客户C012"]
    assert "10,000.00 at month start (月初客户清单.xlsx [月初客户清单] row 14)" in counted["detail"].iloc[-1]
    support = rows[rows["value"] == 0]
    assert support[["kind", "_row"]].values.tolist() == [["customers_start", 7], ["customers_start", 8],
                                                         ["customers_start", 14]]


def _snapshot(ids, deposits, sheet, rows, **more):
    return pd.DataFrame({"customer_id": pd.Series(ids, dtype="str"), "name": pd.Series(["n"] * len(ids), dtype="str"),
                         "status": pd.Series(["existing"] * len(ids), dtype="str"),
                         "deposit": pd.Series(deposits, dtype="float64"), "_file": "start.csv",
                         "_sheet": pd.Series([sheet] * len(ids), dtype="str"), "_row": rows, **more})


def test_deposit_up_compares_each_customer_with_its_first_month_start_row_and_names_it():
    end = _snapshot(["A", "B", "C", "D"], [200.0, 50.0, 1234.5, 10.0], None, [2, 3, 4, 5],
                    keeper=pd.Series(["K1", "K2", "K3", "K4"], dtype="str"))
    # B's first month-start row is the one compared (a later one would not count as a rise); D is new.
    start = _snapshot(["C", "B", "A", "B"], [1000.0, 40.0, 100.0, 60.0], None, [7, 8, 9, 10])
    evidence, ignored = deposit_up(end, start, [])
    counted, support = evidence[evidence["value"] == 1], evidence[evidence["value"] == 0]
    assert counted["customer"].tolist() == ["A n", "B n", "C n"]
    assert counted["detail"].tolist() == [
        "deposit 200.00 > 100.00 at month start (start.csv row 9)",
        "deposit 50.00 > 40.00 at month start (start.csv row 8)",
        "deposit 1,234.50 > 1,000.00 at month start (start.csv row 7)"]
    assert counted["detail_zh"].iloc[0] == "存款 200.00 > 月初 100.00（start.csv 第 9 行）"
    assert support["_row"].tolist() == [9, 8, 7] and set(support["kind"]) == {"customers_start"}
    assert ignored.empty


def test_deposit_up_names_the_month_start_sheet_when_there_is_one():
    end = _snapshot(["A"], [2.0], None, [2], keeper=pd.Series(["K1"], dtype="str"))
    evidence, _ = deposit_up(end, _snapshot(["A"], [1.0], "月初", [5]), [])
    assert evidence["detail_zh"].iloc[0] == "存款 2.00 > 月初 1.00（start.csv [月初] 第 5 行）"


def test_new_customers_to_the_marketer_else_the_keeper_and_never_a_prospect(counts):
    new = counts.evidence[counts.evidence["metric"] == "new_customers"]
    credited = dict(zip(new["customer"].str.split().str[0], zip(new["staff_id"], new["as_"])))
    assert credited == {"C101": ("S03", "marketer"), "C102": ("S04", "marketer"), "C103": ("S04", "marketer"),
                        "C104": ("S04", "keeper"), "C105": ("S05", "keeper"), "C106": ("S08", "marketer")}


def test_joint_sale_counts_for_the_closer_only(counts):
    sold = counts.evidence[counts.evidence["metric"] == "products_sold"]
    assert "S06" not in set(sold["staff_id"])        # the lead of the 信用卡 sale earns piece rate, not a count
    assert sold.loc[sold["_row"] == 3, "detail"].item() == "信用卡 (joint, lead S06)"


def test_an_undated_deduction_counts_in_the_month_with_a_warning(city, city_rules):
    city["deductions"].loc[0, "date"] = pd.NaT
    counts = count_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert counts.actuals(METRICS).loc["S04", "deductions"] == 3
    assert [p.code for p in counts.problems] == ["undated_deduction"]


def test_a_rise_without_a_keeper_is_credited_to_nobody_and_said(city, city_rules):
    city["customers"].loc[city["customers"]["customer_id"] == "C001", "keeper"] = pd.NA
    counts = count_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert counts.actuals(METRICS).loc["S03", "deposit_up"] == 2
    assert [p.code for p in counts.problems] == ["deposit_up_without_keeper"]


def test_a_month_without_working_days_is_a_problem_not_a_division(city):
    path_rules = load_rules()
    every_day = [d.date() for d in pd.date_range("2026-10-01", "2026-10-31")]
    rules = path_rules.model_copy(update={"calendar": path_rules.calendar.model_copy(
        update={"holidays": every_day})})
    counts = count_month(MonthLedgers.from_frames(city), OCTOBER, rules)
    assert [p.code for p in counts.problems if p.severity == "error"] == ["no_working_days"]


def test_a_ledger_the_rules_need_is_required(city):
    rules = load_rules()
    del city["visits"], city["pool"]
    problems = missing_ledgers(MonthLedgers.from_frames(city), rules)
    assert {p.kind for p in problems} == {"visits", "pool"}
    assert all(p.severity == "error" for p in problems)
    assert {p.kind: f"--{p.kind}" in p.message for p in problems} == {"visits": True, "pool": True}


def test_a_metric_weighted_nowhere_needs_no_ledger(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[scoring.roles.corporate_rm.weights]\noutbound_visits = 0\n", encoding="utf-8")
    assert "visits" not in required_ledgers(load_rules(path))
    assert "visits" in required_ledgers(load_rules())


def test_a_person_with_no_rows_has_no_evidence_and_no_error(city, city_rules):
    extra = city["staff"].iloc[[0]].assign(staff_id="S99", name="新人", role="retail_rm")
    city["staff"] = pd.concat([city["staff"], extra], ignore_index=True)
    counts = count_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert "S99" not in set(counts.evidence["staff_id"])
    assert counts.problems == []


def test_no_rows_at_all(city, city_rules):
    empty = {kind: frame.iloc[:0] for kind, frame in city.items()}
    counts = count_month(MonthLedgers.from_frames(empty), OCTOBER, city_rules)
    assert counts.evidence.empty and counts.ignored.empty
    assert counts.actuals(METRICS).empty


def test_dates_at_the_month_edges(city, city_rules):
    visits = city["visits"]
    visits.loc[0, "visit_date"] = pd.Timestamp(dt.date(2026, 10, 31))
    visits.loc[1, "visit_date"] = pd.Timestamp(dt.date(2026, 11, 1))
    counts = count_month(MonthLedgers.from_frames(city), OCTOBER, city_rules)
    assert counts.actuals(METRICS).loc["S03", "outbound_visits"] == 8


def test_the_allocation_keeps_customers_the_month_end_list_leaves_unkept(city, city_rules):
    customers = city["customers"]
    customers.loc[customers["customer_id"].isin(["C001", "C105"]), "keeper"] = pd.NA
    allocation = pd.DataFrame({"customer_id": ["C001", "C105", "C002"], "keeper": ["S04", "S05", "S06"],
                               "_file": "分配.csv", "_sheet": pd.NA, "_row": [2, 3, 4], "_rid": [0, 1, 2]})
    ledgers = MonthLedgers.from_frames({**city, "previous": allocation})
    counts = count_month(ledgers, OCTOBER, city_rules)
    rows = counts.evidence[counts.evidence["kind"] == "customers"].set_index("customer")
    # C001's rise now counts for S04, by the allocation; C002 keeps its own keeper S03 (the list wins)
    assert rows.loc["C001 客户C001", ["staff_id", "as_"]].tolist() == ["S04", "keeper (allocation)"]
    assert rows.loc["C002 客户C002", ["staff_id", "as_"]].tolist() == ["S03", "keeper"]
    assert rows.loc["C105 客户C105", ["staff_id", "as_"]].tolist() == ["S05", "keeper (allocation)"]
    assert counts.problems == []
