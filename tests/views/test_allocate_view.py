"""The allocation report: keys for machines, words for people, every table and ledger sheet."""

from __future__ import annotations

import pandas as pd

from branchkit.core.allocate import allocate
from branchkit.io.tables import Sheet
from branchkit.rules import load_rules
from branchkit.views.allocate import Counts, allocation_report, summary_lines

RULES = load_rules()
STAFF = pd.DataFrame({"staff_id": ["h1", "t1", "t2"], "name": ["李行长", "王柜员", "陈柜员"],
                      "role": ["head", "low_counter", "low_counter"], "branch": "城东支行",
                      "state": ["active", "left", "active"]})
CUSTOMERS = pd.DataFrame({"customer_id": ["A", "B", "T"], "name": ["甲", "乙", "丙公司"],
                          "kind": ["retail", "retail", "corporate"], "branch": "城东支行",
                          "deposit": [100.0, 2e6, 0.0], "keeper": ["t1", None, None],
                          "status": ["existing", "existing", "target"], "scale": [None, None, "large"]})


def _result():
    return allocate(CUSTOMERS, STAFF, RULES)


def test_machine_report_keeps_keys_and_adds_the_reason_in_words():
    report = allocation_report(_result(), lang="en", people=False)
    table = report.primary_table().frame.set_index("customer_id")
    assert table.loc["A", "kind"] == "retail" and table.loc["A", "reason"] == "keeper_left"
    assert table.loc["A", "reason_text"] == "the keeper left"
    assert report.extra_sheets == []


def test_people_report_words_values_and_has_a_ledger_sheet_per_keeper():
    report = allocation_report(_result(), lang="zh", people=True)
    table = report.primary_table().frame.set_index("customer_id")
    assert table.loc["A", "kind"] == "个人" and table.loc["B", "tier"] == "高端"
    assert table.loc["A", "reason_text"] == "原维护人已离职" and table.loc["T", "source"] == "目标客户"
    assert [t.key for t in report.tables()] == ["allocation", "keepers", "balance", "segments", "changes",
                                                "conflicts", "declined", "unplaced", "targets"]
    sheets = [s for s in report.extra_sheets if isinstance(s, Sheet)]
    assert [s.title_zh for s in sheets] == ["台账-李行长-h1", "台账-陈柜员-t2"]
    assert [b.key for b in sheets[0].blocks] == ["ledger_basic", "ledger_follow_up"]
    assert "<svg" in str(report.sections[0].charts[0])


def test_summary_reconciles_and_names_each_role():
    result = _result()
    lines = summary_lines(result, Counts.of(result, read=4, rejected=1))
    assert lines[0] == "customers: read 4 = allocated 3 (1 targets) + unplaced 0 + out of scope 0 + rejected 1"
    assert lines[1] == "by source: kept 0, claim 0, distributed 2, spill 0, target 1"
    assert any(line.startswith("  Low-counter teller:") for line in lines)          # words, not the key
    assert not any("low_counter" in line for line in lines)
