"""Cross-checks that concern plans and visits: unknown managers, slips, codes per problem."""

from __future__ import annotations

import pandas as pd

from branchkit.core.checks import cross_check
from branchkit.problems import ProblemLog


def _book(frame: pd.DataFrame, sheet: str = "s") -> pd.DataFrame:
    frame = frame.copy()
    frame["_file"] = "f.xlsx"
    frame["_sheet"] = sheet
    frame["_row"] = range(2, 2 + len(frame))
    frame["_rid"] = range(len(frame))
    return frame


def _staff() -> pd.DataFrame:
    return _book(pd.DataFrame({"staff_id": ["E1", "E2", "E3"], "name": ["张三", "王五", "王五"],
                               "branch": ["城中", "城中", "城中"], "role": ["corporate_rm"] * 3}))


def _plan(**columns) -> pd.DataFrame:
    base = {"staff_id": ["张三"], "customer_id": [None], "customer_name": ["甲公司"],
            "date": pd.to_datetime(["2026-10-08"]).astype("datetime64[s]"),
            "slipped_to": pd.Series([pd.NaT], dtype="datetime64[s]"), "slipped": pd.array([None], "boolean")}
    base.update(columns)
    return _book(pd.DataFrame(base))


def test_a_plan_for_a_manager_not_on_the_staff_list_is_plan_unknown_rm():
    plan = _plan(staff_id=["赵六"])
    log = ProblemLog()
    cross_check({"staff": _staff(), "plan": plan}, log)
    assert log.frame()["code"].tolist() == ["plan_unknown_rm"]


def test_unknown_and_ambiguous_visitors_keep_their_own_codes():
    visits = _book(pd.DataFrame({"staff_id": ["王五", "赵六", "张三"], "customer_name": ["甲", "乙", "丙"],
                                 "visit_date": pd.to_datetime(["2026-10-08"] * 3).astype("datetime64[s]")}))
    log = ProblemLog()
    cross_check({"staff": _staff(), "visits": visits}, log)
    codes = dict(zip(log.frame()["value"], log.frame()["code"]))
    assert codes == {"王五": "ambiguous_staff", "赵六": "unknown_staff"}
    assert visits["staff_id"].tolist()[2] == "E1"


def test_a_tidy_slip_to_an_earlier_day_is_a_problem_and_the_day_stays_slipped():
    plan = _plan(slipped_to=pd.to_datetime(["2026-10-05"]).astype("datetime64[s]"))
    log = ProblemLog()
    cross_check({"plan": plan}, log)
    assert log.frame()["code"].tolist() == ["plan_slip_before_day"]
    assert log.frame()["rid"].tolist() == [0]
    assert pd.isna(plan["slipped_to"].iloc[0]) and bool(plan["slipped"].iloc[0])


def test_a_problem_shared_by_rows_of_one_spreadsheet_row_is_shown_once():
    plan = _plan(staff_id=["赵六", "赵六"], customer_name=["甲公司", "甲公司"], customer_id=[None, None],
                 date=pd.to_datetime(["2026-10-08", "2026-10-09"]).astype("datetime64[s]"),
                 slipped_to=pd.Series([pd.NaT, pd.NaT], dtype="datetime64[s]"),
                 slipped=pd.array([None, None], "boolean"))
    plan["_row"] = 5
    log = ProblemLog()
    cross_check({"staff": _staff(), "plan": plan}, log)
    assert len(log) == 2 and log.rejected_rids("plan") == {0, 1}
    assert len(log.records()) == 1
