"""Plan adherence, visit-record completeness and overdue customers, fed with frames directly."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.plan import Window, hold_plan
from branchkit.core.visit_records import relationship_tiers
from branchkit.models.ledgers import empty_frame
from branchkit.rules import load_rules

RULES = load_rules()
OCT = Window.of("2026-10")


def _dates(values) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[s]")


def plan_days(rows: list[dict]) -> pd.DataFrame:
    """Plan days: staff_id, customer (name), day, optional slipped_to day / slipped / customer_id / goal."""
    frame = pd.DataFrame({
        "staff_id": pd.Series([r["staff_id"] for r in rows], dtype="str"),
        "customer_id": pd.Series([r.get("customer_id") for r in rows], dtype="str"),
        "customer_name": pd.Series([r.get("customer") for r in rows], dtype="str"),
        "goal": pd.Series([r.get("goal") for r in rows], dtype="str"),
        "date": _dates(f"2026-10-{r['day']:02d}" for r in rows),
        "action": pd.Series([r.get("action", "√") for r in rows], dtype="str"),
        "slipped_to": _dates(f"2026-10-{r['slip']:02d}" if r.get("slip") else None for r in rows),
        "slipped": pd.array([r.get("slipped", r.get("slip") is not None) for r in rows], dtype="boolean"),
    })
    frame["_file"], frame["_sheet"] = "甘特图.xlsx", "s"
    frame["_row"] = range(2, 2 + len(frame))
    frame["_rid"] = range(len(frame))
    return frame


def visits(rows: list[tuple], **columns) -> pd.DataFrame:
    """Visits: (date, staff_id, customer name or None, customer id or None, kind or None)."""
    rows = [tuple(r) + (None,) * (5 - len(r)) for r in rows]
    extra = pd.DataFrame({
        "visit_date": _dates(r[0] for r in rows),
        "staff_id": pd.Series([r[1] for r in rows], dtype="str"),
        "customer_name": pd.Series([r[2] for r in rows], dtype="str"),
        "customer_id": pd.Series([r[3] for r in rows], dtype="str"),
        "kind": pd.Series([r[4] for r in rows], dtype="str"),
        **columns,
    })
    return pd.concat([empty_frame("visits"), extra], ignore_index=True)


def counts(result, customer: str = "甲公司", staff: str = "E1") -> dict:
    row = result.adherence.set_index(["staff_id", "customer"]).loc[(staff, customer)]
    return {k: (None if pd.isna(row[k]) else row[k]) for k in
            ("planned", "done_on_time", "slipped", "slip_kept", "missed", "unplanned", "adherence", "not_due")}


def hold(plan, visit_rows, window=OCT, **kwargs):
    return hold_plan(plan, visit_rows, window, RULES.plan, RULES.tiers.relationship, **kwargs)


def test_a_kept_slip_counts_in_slipped_and_slip_kept_and_its_visit_is_not_unplanned():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 8, "slip": 15}])
    result = hold(plan, visits([("2026-10-15", "E1", "甲公司")]))
    assert counts(result) == {"planned": 1, "done_on_time": 0, "slipped": 1, "slip_kept": 1, "missed": 0,
                              "unplanned": 0, "adherence": 0.0, "not_due": 0}
    cells = result.days.set_index(result.days["date"].dt.day)["state"].to_dict()
    assert cells == {8: "slipped", 15: "slip_kept"}


def test_a_slip_not_kept_is_slipped_not_missed():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 8, "slip": 15}])
    result = hold(plan, visits([("2026-10-16", "E1", "甲公司")]))
    assert counts(result) == {"planned": 1, "done_on_time": 0, "slipped": 1, "slip_kept": 0, "missed": 0,
                              "unplanned": 1, "adherence": 0.0, "not_due": 0}


def test_a_visit_on_a_slipped_day_does_not_undo_the_slip():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 8, "slip": 15}])
    result = hold(plan, visits([("2026-10-08", "E1", "甲公司")]))
    assert counts(result)["slipped"] == 1 and counts(result)["done_on_time"] == 0
    assert counts(result)["unplanned"] == 0


def test_a_slip_note_without_a_day_is_slipped_and_never_kept():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 8, "slipped": True}])
    result = hold(plan, visits([("2026-10-09", "E1", "甲公司")]))
    assert counts(result)["slipped"] == 1 and counts(result)["slip_kept"] == 0 and counts(result)["unplanned"] == 1


def test_planned_is_done_plus_slipped_plus_missed_and_two_visits_a_day_count_once():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": d} for d in (1, 2, 5, 6)]
                     + [{"staff_id": "E1", "customer": "甲公司", "day": 7, "slip": 9}])
    result = hold(plan, visits([("2026-10-01", "E1", "甲公司"), ("2026-10-01", "E1", "甲公司"),
                                ("2026-10-05", "E1", "甲公司"), ("2026-10-20", "E1", "甲公司"),
                                ("2026-10-20", "E1", "甲公司")]))
    c = counts(result)
    assert (c["planned"], c["done_on_time"], c["slipped"], c["missed"], c["unplanned"]) == (5, 2, 1, 2, 1)
    assert c["planned"] == c["done_on_time"] + c["slipped"] + c["missed"]
    assert c["adherence"] == pytest.approx(0.4)


def test_days_after_the_as_of_date_are_not_yet_due_and_later_visits_do_not_count():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": d} for d in (5, 20)])
    result = hold(plan, visits([("2026-10-05", "E1", "甲公司"), ("2026-10-20", "E1", "甲公司")]),
                  window=Window.of("2026-10", "2026-10-15"))
    assert counts(result) == {"planned": 1, "done_on_time": 1, "slipped": 0, "slip_kept": 0, "missed": 0,
                              "unplanned": 0, "adherence": 1.0, "not_due": 1}
    assert result.days.set_index(result.days["date"].dt.day)["state"].to_dict() == {5: "done", 20: "planned"}


def test_only_the_managers_own_visits_of_the_month_count():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 5}])
    result = hold(plan, visits([("2026-10-05", "E2", "甲公司"), ("2026-09-05", "E1", "甲公司"),
                                ("2026-11-02", "E1", "甲公司")]))
    assert counts(result)["done_on_time"] == 0 and counts(result)["unplanned"] == 0
    assert set(result.adherence["staff_id"]) == {"E1"}          # E2 drew no plan: not held to one


def test_visits_match_by_id_or_by_trimmed_name_and_the_customer_list_bridges_them():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 5},
                      {"staff_id": "E1", "customer_id": "C2", "customer": "乙公司", "day": 6},
                      {"staff_id": "E1", "customer_id": "C3", "day": 7}])
    customers = pd.concat([empty_frame("customers"), pd.DataFrame({
        "customer_id": pd.Series(["C1", "C2", "C3"], dtype="str"),
        "name": pd.Series(["甲公司", "乙公司", "丙公司"], dtype="str")})], ignore_index=True)
    seen = visits([("2026-10-05", "E1", None, "C1"),        # id only: the list names it 甲公司
                   ("2026-10-06", "E1", " 乙公司\u3000", None),  # name with spaces
                   ("2026-10-07", "E1", "丙公司", None)])    # name only: the list gives C3
    result = hold(plan, seen, customers=customers)
    assert result.adherence.set_index("customer")["done_on_time"].to_dict() == {"甲公司": 1, "乙公司": 1, "丙公司": 1}
    without = hold(plan, seen)
    assert without.adherence.set_index("customer")["done_on_time"].to_dict() == {
        "甲公司": 0, "乙公司": 1, "C3": 0, "C1": 0, "丙公司": 0}


def test_visit_kinds_outside_the_rules_do_not_carry_out_a_plan():
    rules = RULES.plan.model_copy(update={"visit_kinds": ["outbound"]})
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 5}, {"staff_id": "E1", "customer": "甲公司", "day": 6}])
    seen = visits([("2026-10-05", "E1", "甲公司", None, "phone"), ("2026-10-06", "E1", "甲公司", None, None)])
    result = hold_plan(plan, seen, OCT, rules, RULES.tiers.relationship)
    assert counts(result)["done_on_time"] == 1


def test_managers_sum_their_customers():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 5}, {"staff_id": "E1", "customer": "乙公司", "day": 6}])
    result = hold(plan, visits([("2026-10-05", "E1", "甲公司")]))
    row = result.managers.set_index("staff_id").loc["E1"]
    assert (row["customers"], row["planned"], row["done_on_time"], row["adherence"]) == (2, 2, 1, 0.5)


def _customers(rows: list[tuple]) -> pd.DataFrame:
    """(id, name, deposit, loan, keeper)"""
    return pd.concat([empty_frame("customers"), pd.DataFrame({
        "customer_id": pd.Series([r[0] for r in rows], dtype="str"),
        "name": pd.Series([r[1] for r in rows], dtype="str"),
        "deposit": [float(r[2]) for r in rows], "loan": [float(r[3]) for r in rows],
        "keeper": pd.Series([r[4] for r in rows], dtype="str"), "kind": "corporate"})], ignore_index=True)


def test_overdue_lists_a_high_tier_customer_past_its_cadence_with_days_since_the_last_visit():
    customers = _customers([("C1", "甲公司", 5_000_000, 0, "E1"),    # high: visited 2026-09-01, 60 days ago
                            ("C2", "乙公司", 2_000_000, 0, "E1"),    # high: visited 2026-10-20, in time
                            ("C3", "丙公司", 50_000, 0, "E2")])      # general: 183 days, in time
    plan = plan_days([{"staff_id": "E1", "customer": "乙公司", "day": 20}])
    seen = visits([("2026-09-01", "E1", None, "C1"), ("2026-10-20", "E1", None, "C2"), ("2026-09-15", "E2", None, "C3")])
    result = hold(plan, seen, customers=customers)
    overdue = result.overdue.set_index("customer_id")
    assert list(overdue.index) == ["C1"]
    row = overdue.loc["C1"]
    assert (row["tier"], row["cadence_days"], row["days_since_visit"], row["overdue_days"]) == ("high", 31, 60, 29)
    assert row["last_visit"] == pd.Timestamp(2026, 9, 1) and row["keeper"] == "E1" and row["last_visitor"] == "E1"


def test_a_customer_never_visited_counts_from_the_start_of_the_records():
    customers = _customers([("C1", "甲公司", 5_000_000, 0, "E1"), ("C2", "乙公司", 10, 0, "E1")])
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 20}])
    short = visits([("2026-10-10", "E1", None, "C9")])            # records begin 10 October: too short to tell
    assert hold(plan, short, customers=customers).overdue.empty
    long = visits([("2026-08-01", "E1", None, "C9")])             # records from 1 August: C1 is 91 days without
    overdue = hold(plan, long, customers=customers).overdue
    assert overdue["customer_id"].tolist() == ["C1"]
    assert pd.isna(overdue["days_since_visit"].iloc[0]) and overdue["overdue_days"].iloc[0] == 91 - 31


def test_without_a_customer_list_every_customer_is_general_and_the_run_says_so():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 20}])
    result = hold(plan, visits([("2025-12-01", "E1", "甲公司"), ("2026-10-01", "E1", "乙公司")]))
    assert result.overdue["customer"].tolist() == ["甲公司"]
    assert result.overdue["tier"].tolist() == ["general"] and result.overdue["days_since_visit"].tolist() == [334]
    assert any("general tier" in note for note in result.notes)


def test_a_cadence_of_zero_watches_no_one_of_that_tier():
    rules = RULES.plan.model_copy(update={"cadence_days": {"high": 0, "mid": 92, "general": 183}})
    customers = _customers([("C1", "甲公司", 5_000_000, 0, "E1")])
    plan = plan_days([{"staff_id": "E1", "customer": "乙公司", "day": 20}])
    seen = visits([("2026-01-01", "E1", None, "C1")])
    assert hold_plan(plan, seen, OCT, rules, RULES.tiers.relationship, customers=customers).overdue.empty


def test_relationship_tiers_follow_domain_thresholds():
    customers = _customers([("C1", "a", 1_000_000, 0, None), ("C2", "b", 0, 2_000_000, None),
                            ("C3", "c", 100_000, 0, None), ("C4", "d", 0, 500_000, None), ("C5", "e", 99_999, 0, None)])
    assert relationship_tiers(customers, RULES.tiers.relationship).tolist() == ["high", "high", "mid", "mid", "general"]


def test_completeness_counts_the_empty_fields_by_part():
    full = {f: "x" for f in ("purpose", "contact", "needs", "objections", "approach", "met", "info",
                             "next_step", "actions", "head_comment")}
    seen = visits([("2026-10-05", "E1", "甲公司"), ("2026-10-06", "E1", "甲公司"), ("2026-10-07", "E2", "乙公司")])
    for field, value in full.items():
        seen[field] = pd.Series([value, value, value], dtype="str")
    seen["achieved"] = pd.Series(["yes", "partly", None], dtype="str")
    seen.loc[1, "head_comment"] = pd.NA
    seen.loc[1, "needs"] = "  "
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 5}])
    table = hold(plan, seen).completeness.set_index("staff_id")
    assert table.loc["E1", ["visits", "complete", "before_incomplete", "during_incomplete", "after_incomplete"]
                     ].tolist() == [2, 1, 1, 0, 1]
    assert table.loc["E1", "completeness"] == 0.5
    assert table.loc["E2", "empty_achieved"] == 1 and table.loc["E2", "during_incomplete"] == 1


def test_without_any_visit_every_due_day_is_missed_and_nobody_is_called_overdue():
    plan = plan_days([{"staff_id": "E1", "customer": "甲公司", "day": 5}])
    customers = _customers([("C1", "甲公司", 5_000_000, 0, "E1")])
    result = hold(plan, empty_frame("visits"), customers=customers)
    assert counts(result)["missed"] == 1
    assert result.overdue.empty and result.completeness.empty


def test_a_visit_meets_its_plan_row_by_name_in_another_width_padding_or_case():
    plan = plan_days([{"staff_id": "E1", "customer": "江城XX有限公司（城中分店）", "day": 5},
                      {"staff_id": "E1", "customer": "张　三", "day": 6},
                      {"staff_id": "E1", "customer": "ABC Trading", "day": 7}])
    seen = visits([("2026-10-05", "E1", "江城xx有限公司(城中分店)"), ("2026-10-06", "E1", "张三"),
                   ("2026-10-07", "E1", "ＡＢＣ　ＴＲＡＤＩＮＧ")])
    done = hold(plan, seen).adherence.set_index("customer")["done_on_time"].to_dict()
    assert done == {"江城XX有限公司（城中分店）": 1, "张　三": 1, "ABC Trading": 1}      # names shown as the plan wrote them
    customers = pd.concat([empty_frame("customers"), pd.DataFrame({
        "customer_id": pd.Series(["C1", "C2"], dtype="str"),
        "name": pd.Series(["江城XX有限公司(城中分店)", "张三"], dtype="str")})], ignore_index=True)
    bridged = hold(plan, visits([("2026-10-05", "E1", None, "C1"), ("2026-10-06", "E1", None, "C2")]),
                   customers=customers)
    assert bridged.adherence.set_index("customer")["done_on_time"].to_dict() == {
        "江城XX有限公司（城中分店）": 1, "张　三": 1, "ABC Trading": 0}
