"""Cross-checks: last month's keeper who is no longer on the staff list stays named as written."""

from __future__ import annotations

import pandas as pd

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
