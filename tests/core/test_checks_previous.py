"""Cross-checks: last month's keeper who is no longer on the staff list stays named as written."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.checks import cross_check
from branchkit.problems import ProblemLog


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["_file"], frame["_sheet"] = "f.csv", pd.NA
    frame["_row"] = range(2, len(frame) + 2)
    frame["_rid"] = range(len(frame))
    return frame.astype({c: "str" for c in frame.columns if c not in ("_row", "_rid")})


def test_unknown_previous_keeper_is_a_warning_and_keeps_its_value():
    staff = _frame([{"staff_id": "001", "name": "张三", "role": "head", "branch": "A", "state": "active"}])
    customers = _frame([{"customer_id": "C1", "branch": "A", "keeper": "张三", "marketer": None}])
    previous = _frame([{"customer_id": "C1", "keeper": "099"}, {"customer_id": "C1", "keeper": "张三"}])
    frames = {"staff": staff, "customers": customers, "previous": previous}
    log = ProblemLog()
    cross_check(frames, log)
    assert frames["previous"]["keeper"].tolist() == ["099", "001"]
    assert frames["customers"]["keeper"].tolist() == ["001"]
    problems = log.frame()
    assert problems["code"].tolist() == ["unknown_previous_keeper"]
    assert problems["severity"].tolist() == ["warning"]


def test_last_months_customers_gone_from_the_list_are_one_warning_with_count_and_first():
    customers = _frame([{"customer_id": "C1", "branch": "A"}])
    previous = _frame([{"customer_id": c, "keeper": "001"} for c in ("C1", "C7", "C1", "C9")])
    log = ProblemLog()
    cross_check({"customers": customers, "previous": previous}, log)
    problems = log.frame()
    assert problems["code"].tolist() == ["lost_customers"] and problems["severity"].tolist() == ["warning"]
    row = problems.iloc[0]
    assert (row["kind"], row["file"], row["value"], row["rid"]) == ("previous", "f.csv", "C7", -1)
    assert row["message"].startswith("2 customer(s) of last month's allocation are not in this month's list")
    assert row["message"].endswith("the first C7 on row 3")


def test_claims_for_unknown_customers_stay_one_error_per_row():
    customers = _frame([{"customer_id": "C1", "branch": "A"}])
    claims = _frame([{"customer_id": c, "staff_id": "001"} for c in ("C7", "C1", "C9")])
    log = ProblemLog()
    cross_check({"customers": customers, "claims": claims}, log)
    problems = log.frame()
    assert problems["code"].tolist() == ["unknown_customer", "unknown_customer"]
    assert problems["row"].tolist() == [2, 4] and set(problems["severity"]) == {"error"}


def test_a_repeated_customer_id_is_found_when_last_months_allocation_is_read_with_it():
    # The repeat check then counts ids from the codes shared with last month's lookup: two missing ids are
    # no repeat, one id twice is.
    customers = _frame([{"customer_id": c, "branch": "A"} for c in ("C1", None, "C2", None, "C1")])
    previous = _frame([{"customer_id": c, "keeper": "001"} for c in ("C2", "C1")])
    log = ProblemLog()
    cross_check({"customers": customers, "previous": previous}, log)
    problems = log.frame()
    assert problems["code"].tolist() == ["duplicate_id"] and problems["row"].tolist() == [6]
    no_repeat = _frame([{"customer_id": c, "branch": "A"} for c in ("C1", None, "C2", None)])
    log = ProblemLog()
    cross_check({"customers": no_repeat, "previous": previous}, log)
    assert log.frame().empty


_IDS = st.one_of(st.none(), st.sampled_from(["C1", "C2", "0C2", "001", "1", "01", ""]))


@settings(max_examples=25, deadline=None)
@given(st.lists(_IDS, min_size=1, max_size=8), st.lists(_IDS, min_size=1, max_size=8))
def test_shared_id_codes_find_what_each_check_finds_alone(customer_ids, previous_ids):
    # Text ids on both sides share one factorisation; an object column on one side makes each check hash
    # its own column as before: the problems and the fixed ids must be the same.
    def run(as_object: bool):
        customers = _frame([{"customer_id": c, "branch": "A"} for c in customer_ids])
        previous = _frame([{"customer_id": c, "keeper": "001"} for c in previous_ids])
        if as_object:
            previous["customer_id"] = previous["customer_id"].astype(object)
        frames, log = {"customers": customers, "previous": previous}, ProblemLog()
        cross_check(frames, log)
        return log.frame(), frames["previous"]["customer_id"].astype("str").tolist()

    (shared, fixed), (alone, fixed_alone) = run(False), run(True)
    assert fixed == fixed_alone
    pd.testing.assert_frame_equal(shared.reset_index(drop=True), alone.reset_index(drop=True))


def test_a_lock_without_a_keeper_is_a_warning_naming_the_row_and_only_that_row():
    customers = _frame([{"customer_id": c, "branch": "A"} for c in ("C1", "C2", "C3", "C4")])
    previous = _frame([{"customer_id": c} for c in ("C1", "C2", "C3", "C4")])
    previous["keeper"] = pd.Series([None, "001", None, None], dtype="str")
    # C1 locked to nobody; C2 a lock that holds; C3 and C4 nobody kept, not locked: fine
    previous["locked"] = pd.array([True, True, False, None], dtype="boolean")
    log = ProblemLog()
    cross_check({"customers": customers, "previous": previous}, log)
    problems = log.frame()
    assert problems[["code", "severity", "row", "value"]].values.tolist() == [
        ["locked_without_keeper", "warning", 2, "C1"]]
