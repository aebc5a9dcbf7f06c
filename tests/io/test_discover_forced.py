"""A workbook given as one ledger kind (``--previous book.xlsx``) reads the sheets holding that ledger."""

from __future__ import annotations

import pytest

from branchkit.errors import InputError
from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules


def test_forced_kind_skips_sheets_without_its_header(book):
    path = book("分配.xlsx", {"客户分配表": [["客户号", "维护责任人工号", "锁定"], ["C1", "001", "是"]],
                             "负荷均衡": [["网点", "岗位", "人数"], ["城东", "head", 1]]})
    inputs = load_inputs(load_rules(), [], {"previous": [path]})
    assert inputs.frame("previous")["customer_id"].tolist() == ["C1"]
    assert inputs.log.frame().empty
    assert any("负荷均衡" in note and "no previous header" in note for note in inputs.notes)


def test_forced_kind_without_any_matching_sheet_still_reports_the_missing_header(book):
    path = book("x.xlsx", {"a": [["甲", "乙"], [1, 2]], "b": [["丙"], [3]]})
    with pytest.raises(InputError, match="no header row of a previous allocation"):
        load_inputs(load_rules(), [], {"previous": [path]})
