"""core.branch_names: one spelling per branch across the ledgers, and customers of a branch without staff."""

from __future__ import annotations

import pandas as pd

from branchkit.core.branch_names import LISTED, unify_branches
from branchkit.problems import ProblemLog


def _ledger(branches: list[str | None], file: str = "f.xlsx", **columns) -> pd.DataFrame:
    frame = pd.DataFrame({"branch": pd.Series(branches, dtype="str"), **columns})
    frame["_file"], frame["_sheet"], frame["_row"] = file, "s", range(2, 2 + len(frame))
    return frame


def _run(**frames: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], list]:
    log = ProblemLog()
    unify_branches(frames, log)
    return frames, log.records()


def test_a_roster_padded_or_in_other_width_is_read_in_the_customer_lists_spelling():
    frames, problems = _run(customers=_ledger(["城中支行", "城中支行（营业部）", "城中支行"], "客户清单.xlsx"),
                            staff=_ledger(["城中　支行", "城中支行(营业部)", "城中 支行", "城中　支行"], "员工.xlsx"),
                            pool=_ledger(["城中支行（营业部）"], "绩效工资.xlsx"))
    assert frames["staff"]["branch"].tolist() == ["城中支行", "城中支行（营业部）", "城中支行", "城中支行"]
    assert frames["customers"]["branch"].tolist() == ["城中支行", "城中支行（营业部）", "城中支行"]
    assert frames["pool"]["branch"].tolist() == ["城中支行（营业部）"]
    said = {(p.value, dict(p.params)["first"], dict(p.params)["rows"], p.file, p.row) for p in problems}
    assert said == {("城中　支行", "城中支行", 2, "员工.xlsx", 2), ("城中支行(营业部)", "城中支行（营业部）", 1, "员工.xlsx", 3),
                    ("城中 支行", "城中支行", 1, "员工.xlsx", 4)}
    assert {p.code for p in problems} == {"branch_spelled_otherwise"} and all(p.severity == "warning" for p in problems)
    padded = next(p for p in problems if p.value == "城中　支行")
    assert padded.text("zh") == "网点“城中　支行”按先出现的写法“城中支行”读取（2 行）：两者只差空格、全半角或大小写"
    assert padded.message.startswith("the branch 城中　支行 is read as 城中支行")


def test_within_a_ledger_the_most_used_spelling_wins_and_a_tie_goes_to_the_first_written():
    most, _ = _run(customers=_ledger(["城东 支行", "城东支行", "城东支行"]))
    assert most["customers"]["branch"].tolist() == ["城东支行"] * 3
    reversed_counts, _ = _run(customers=_ledger(["城东 支行", "城东 支行", "城东支行"]))
    assert reversed_counts["customers"]["branch"].tolist() == ["城东 支行"] * 3
    tie, _ = _run(customers=_ledger(["城东 支行", "城东支行"]))
    assert tie["customers"]["branch"].tolist() == ["城东 支行"] * 2


def test_without_a_customer_list_the_staff_spelling_leads_and_other_names_stay_apart():
    frames, problems = _run(staff=_ledger(["城西支行", "城西分理处"]), volumes=_ledger(["ＣＩＴＹ 城西支行", "城西 支行"]))
    assert frames["volumes"]["branch"].tolist() == ["ＣＩＴＹ 城西支行", "城西支行"]     # another name: kept
    assert frames["staff"]["branch"].tolist() == ["城西支行", "城西分理处"]
    assert [p.value for p in problems] == ["城西 支行"]


def test_names_spelled_alike_change_nothing_and_say_nothing():
    customers = _ledger(["城中支行", None, "城东支行"])
    frames, problems = _run(customers=customers, staff=_ledger(["城中支行", "城东支行"]))
    assert problems == []
    assert frames["customers"]["branch"].isna().tolist() == [False, True, False]


def test_customers_of_a_branch_nobody_on_the_staff_list_works_in_are_one_warning():
    customers = _ledger(["城中支行"] * 3 + ["城北支行"] * 2 + ["城南支行"] * 2 + [None])
    _, problems = _run(customers=customers, staff=_ledger(["城中支行", "城中支行"]))
    assert [p.code for p in problems] == ["branch_without_staff"]
    params = dict(problems[0].params)
    assert (params["branches"], params["customers"]) == (2, 4)
    assert params["listed"] == "城北支行 (2)、城南支行 (2)"                 # most customers first, then by name
    assert "4 customer(s) of 2 branch(es)" in problems[0].message
    assert "2 个网点的 4 户客户" in problems[0].text("zh")


def test_the_listing_stops_after_its_limit():
    names = [f"网点{i}" for i in range(LISTED + 1)]
    customers = _ledger(names[:LISTED] + ["城中支行"])
    _, at_limit = _run(customers=customers, staff=_ledger(["城中支行"]))
    assert dict(at_limit[0].params)["listed"].count("、") == LISTED - 1
    assert not dict(at_limit[0].params)["listed"].endswith("…")
    _, over = _run(customers=_ledger(names), staff=_ledger(["城中支行"]))
    assert dict(over[0].params)["branches"] == LISTED + 1
    assert dict(over[0].params)["listed"].endswith("…") and dict(over[0].params)["listed"].count("、") == LISTED - 1


def test_a_roster_that_names_no_branch_is_the_customers_one_branch_and_not_warned():
    _, problems = _run(customers=_ledger(["城中支行"]), staff=_ledger([None, ""]))
    assert problems == []
