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
