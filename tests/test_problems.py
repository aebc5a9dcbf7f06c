"""The problem log: frames of problems with defaults filled."""

from __future__ import annotations

import warnings

import pandas as pd

from branchkit.problems import ProblemLog


def test_a_frame_without_severity_is_recorded_as_errors_without_warnings():
    log = ProblemLog()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log.add_frame(pd.DataFrame({"file": ["a.xlsx"], "row": [4], "code": ["bad_value"], "message": ["x"]}))
        frame = log.frame()
    assert frame["severity"].tolist() == ["error"] and frame["rid"].tolist() == [-1]


def test_bind_rows_takes_a_series_of_ids_by_row_as_a_dict():
    """read_grid binds row problems through a series (row -> id): pending problems get their row's id (the log lists them by row),
    one whose row holds no ledger row gets -1, others keep theirs; the same as with a dict."""
    from branchkit.problems import Problem

    def bound(mapping) -> list[int]:
        log = ProblemLog()
        log.add(Problem(code="a", message="m", row=5, rid=-2))
        log.add(Problem(code="b", message="m", row=9, rid=-2))       # a row that was not kept
        log.add(Problem(code="c", message="m", row=7, rid=3))        # already bound: untouched
        log.add(Problem(code="d", message="m", row=6, rid=-2))
        log.bind_rows(mapping)
        return log.frame()["rid"].tolist()

    rows, rids = [5, 6, 7, 8], [10, 11, 12, 13]
    assert bound(pd.Series(rids, index=rows)) == [10, 11, 3, -1]
    assert bound(dict(zip(rows, rids))) == [10, 11, 3, -1]


def test_problems_across_ledgers_name_the_column_as_the_sheet_does(tmp_path, book):
    """duplicate_id, unknown_customer and deposit_blank are found on the ledgers' fields; each names the column
    by the header of its own sheet (客户编号 in one file, 客户号 in another), never by customer_id or deposit."""
    import branchkit

    customers = book("客户清单.xlsx", {"客户清单": [
        ["客户编号", "客户名称", "客户类型", "日均存款", "客户状态"],
        ["0001", "甲", "个人", None, "存量"], ["0001", "乙", "个人", 5, "存量"]]})
    claims = book("认领.xlsx", {"认领": [["工号", "客户号", "认领日期"], ["001003", "0009", "2024-03-05"]]})
    problems = branchkit.read([customers, claims]).problems
    named = problems[problems["code"].isin(["duplicate_id", "unknown_customer", "deposit_blank"])]
    assert sorted(named[["code", "sheet", "row", "column"]].values.tolist()) == [
        ["deposit_blank", "客户清单", 2, "日均存款"], ["duplicate_id", "客户清单", 3, "客户编号"],
        ["unknown_customer", "认领", 2, "客户号"]]
