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
