"""The [plan] rules: slip notes, manager labels, visit kinds, cadence and completeness."""

from __future__ import annotations

import re

import pytest

from branchkit.errors import RulesError
from branchkit.rules import load_rules


@pytest.mark.parametrize(("note", "date"), [
    ("延迟至15日", (None, None, 15)), ("延至15日", (None, None, 15)), ("延期至10月15日", (None, 10, 15)),
    ("推迟至3号", (None, None, 3)), ("→15", (None, None, 15)), ("->15", (None, None, 15)),
    ("拜访→15", (None, None, 15)), ("=> 7", (None, None, 7)), ("延迟至11月5日", (None, 11, 5)),
    ("延迟至11/5", (None, 11, 5)), ("延迟至2026年11月5日", (2026, 11, 5)), ("→11.5", (None, 11, 5)),
    ("->2026-11-05", (2026, 11, 5)),
])
def test_the_default_slip_patterns_read_each_notation(note, date):
    # The patterns name their groups (year, month, day): a slip into another month keeps its month.
    found = [m for p in load_rules().plan.slip_patterns if (m := re.search(p, note))]
    assert found and tuple(int(v) if v else None for v in found[0].group("year", "month", "day")) == date


@pytest.mark.parametrize("note", ["延期2天", "延期 12 天", "延迟"])
def test_a_length_of_days_is_no_slip_date(note):
    assert not any(re.search(p, note) for p in load_rules().plan.slip_patterns)


def test_defaults():
    plan = load_rules().plan
    assert plan.cadence_days == {"high": 31, "mid": 92, "general": 183}
    assert "客户经理" in plan.rm_labels and "延期" in plan.slip_words
    assert plan.completeness.after == ["head_comment"]


@pytest.mark.parametrize(("text", "named"), [
    ("[plan]\nslip_patterns = ['延迟至']\n", "needs a group"),
    ("[plan]\nslip_patterns = ['(']\n", "not a regular expression"),
    ("[plan.completeness]\nbefore = ['mood']\n", "plan.completeness.before.0"),
    ("[plan.cadence_days]\nhigh = -1\n", "plan.cadence_days.high"),
    ("[plan]\nvisit_kinds = ['fax']\n", "plan.visit_kinds.0"),
])
def test_bad_plan_rules_name_the_key(tmp_path, text, named):
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=re.escape(named)):
        load_rules(path)


def test_a_cadence_of_zero_is_allowed(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[plan.cadence_days]\ngeneral = 0\n", encoding="utf-8")
    assert load_rules(path).plan.cadence_days["general"] == 0


def test_visit_records_may_say_a_goal_was_partly_reached(tmp_path):
    import openpyxl

    from branchkit.io.discover import load_inputs

    book = openpyxl.Workbook()
    book.active.append(["拜访日期", "拜访人", "客户名称", "是否达成目标"])
    for answer in ("是", "部分达成", "否", None):
        book.active.append(["2026-10-08", "张三", "甲公司", answer])
    book.save(tmp_path / "拜访记录.xlsx")
    inputs = load_inputs(load_rules(), [tmp_path / "拜访记录.xlsx"])
    assert len(inputs.log) == 0
    assert inputs.frame("visits")["achieved"].tolist()[:3] == ["yes", "partly", "no"]
