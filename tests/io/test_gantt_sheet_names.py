"""Gantt sheets named after a manager whose name holds a section word (王对公, 对公王) or by a staff id
(0103): the sheet is that manager's, and the staff list resolves it (QA2: plan_rm_missing, exit 1)."""

from __future__ import annotations

import pytest

from tests.io.test_gantt import draw, read
from tests.io.test_gantt_slips import _one_row


@pytest.mark.parametrize(("sheet", "manager"), [
    ("王对公", "王对公"), ("对公王", "对公王"), ("王对公10月计划", "王对公"), ("0103", "0103"),
    ("王明", "王明"), ("王公", "王公"), ("王个贷", "王个贷"), ("对公客户经理王五", "王五"),
    ("对公", None), ("对公计划", None), ("2026", None), ("12", None),
])
def test_a_sheet_named_after_its_manager_even_with_a_section_word_or_by_staff_id(tmp_path, sheet, manager):
    plan, problems = read(_one_row(tmp_path, {2: "拜访"}, sheet=sheet))
    assert plan["staff_id"].tolist() == [manager] if manager else plan["staff_id"].isna().all()
    assert ("plan_rm_missing" in problems["code"].tolist()) == (manager is None)


def test_the_staff_list_resolves_a_sheet_named_王对公_or_0103(tmp_path):
    import branchkit

    folder = tmp_path / "case"
    folder.mkdir()
    draw(folder / "员工.xlsx", {"员工": [["工号", "姓名", "岗位", "所属网点"], ["0103", "王对公", "对公客户经理", "城南支行"],
                                      ["0104", "赵对公", "对公客户经理", "城南支行"]]})
    draw(folder / "甘特图.xlsx", {sheet: [["2026年10月"], ["项目/客户", "月度工作目标", 1, 2, 5],
                                        ["远航船务", "存款", "拜访", None, None]] for sheet in ("王对公", "0104")})
    ledgers = branchkit.read([folder], month="2026-10")
    assert not (ledgers.problems["severity"] == "error").any(), ledgers.problems
    assert ledgers.used("plan")["staff_id"].tolist() == ["0103", "0104"]
