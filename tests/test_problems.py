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
