"""Cross-ledger checks: duplicates, staff named by id or unique name, claims for unknown customers."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.checks import cross_check
from branchkit.core.people import Directory
from branchkit.core.validation import split_rows
from branchkit.problems import ProblemLog


def _frame(rows: list[dict], kind_rows: int = 0) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["_file"] = "f.xlsx"
    frame["_sheet"] = "s"
    frame["_row"] = range(2, 2 + len(frame))
    frame["_rid"] = range(len(frame))
    return frame


STAFF = _frame([
    {"staff_id": "000101", "name": "王五", "role": "corporate_rm", "branch": "城中"},
    {"staff_id": "000102", "name": "张伟", "role": "retail_rm", "branch": "城中"},
    {"staff_id": "000201", "name": "张伟", "role": "retail_rm", "branch": "东城"},
    {"staff_id": "000202", "name": "李娜", "role": "low_counter", "branch": "东城"},
    {"staff_id": "000203", "name": "李娜", "role": "lobby_manager", "branch": "东城"},
])


def test_staff_named_by_id_by_unique_name_in_branch_or_by_digits():
    refs = pd.Series(["000101", "张伟", "张伟", "102", "王五"])
    branches = pd.Series(["城中", "城中", "东城", "城中", "东城"])
    resolved, reasons = Directory.from_staff(STAFF).resolve(refs, branches)
    assert resolved.tolist() == ["000101", "000102", "000201", "000102", "000101"]
    assert (reasons == "").all()


def test_ambiguous_name_names_both_candidates_and_unknown_says_none_matched():
    refs = pd.Series(["李娜", "赵六"])
    resolved, reasons = Directory.from_staff(STAFF).resolve(refs, pd.Series(["东城", "东城"]))
    assert resolved.isna().all()
    assert "000202" in reasons[0] and "000203" in reasons[0] and "not unique" in reasons[0]
    assert "neither a staff id nor the name" in reasons[1]


def test_cross_check_names_every_problem_and_resolves_keepers_to_ids():
    customers = _frame([
        {"customer_id": "1", "branch": "城中", "keeper": "王五", "marketer": None},
        {"customer_id": "1", "branch": "城中", "keeper": "000102", "marketer": None},
        {"customer_id": "2", "branch": "东城", "keeper": "李娜", "marketer": None},
        {"customer_id": "3", "branch": "东城", "keeper": "赵六", "marketer": None},
    ])
    claims = _frame([{"staff_id": "张伟", "customer_id": "3"}, {"staff_id": "000101", "customer_id": "99"}])
    log = ProblemLog()
    frames = {"customers": customers, "staff": STAFF.copy(), "claims": claims}
    cross_check(frames, log)
    found = log.frame()[["kind", "row", "code"]].values.tolist()
    assert ["customers", 3, "duplicate_id"] in found
    assert ["customers", 4, "ambiguous_staff"] in found
    assert ["customers", 5, "unknown_staff"] in found
    assert ["claims", 3, "unknown_customer"] in found
    assert frames["customers"]["keeper"].tolist()[:2] == ["000101", "000102"]
    assert frames["claims"]["staff_id"].tolist()[0] == "000201"   # 张伟 of 东城, the customer's branch


def test_staff_member_in_two_branches_is_named_on_every_row():
    staff = _frame([{"staff_id": "7", "name": "甲", "role": "head", "branch": "城中"},
                    {"staff_id": "7", "name": "甲", "role": "head", "branch": "东城"}])
    log = ProblemLog()
    cross_check({"staff": staff}, log)
    problems = log.frame()
    assert problems["code"].tolist() == ["staff_in_two_branches"] * 2
    assert "城中" in problems["message"].iloc[0] and "东城" in problems["message"].iloc[0]


def test_read_equals_used_plus_rejected():
    customers = _frame([{"customer_id": str(i), "branch": "城中", "keeper": None, "marketer": None}
                        for i in range(5)] + [{"customer_id": "1", "branch": "城中", "keeper": None, "marketer": None}])
    log = ProblemLog()
    cross_check({"customers": customers}, log)
    split = split_rows({"customers": customers}, log)
    acc = split.accounting["customers"]
    assert (acc.read, acc.used, acc.rejected) == (6, 5, 1)
    assert split.rejected["customers"]["reasons"].iloc[0].startswith("customer_id: the id appears again")
    assert split.rejected["customers"]["codes"].tolist() == ["duplicate_id"]


def test_a_ledger_without_errors_is_used_whole_and_apart_from_the_frame_read():
    customers = _frame([{"customer_id": str(i), "branch": "城中", "keeper": None, "marketer": None} for i in range(4)])
    log = ProblemLog()
    split = split_rows({"customers": customers}, log)
    used = split.used["customers"]
    assert (split.accounting["customers"].used, split.accounting["customers"].rejected) == (4, 0)
    assert used["customer_id"].tolist() == ["0", "1", "2", "3"] and used is not customers
    assert split.rejected["customers"].empty and {"reasons", "codes"} <= set(split.rejected["customers"])
    used["branch"] = "城东"                              # what a computation sets on the rows it uses
    assert customers["branch"].tolist() == ["城中"] * 4   # ... is not set on the rows read


def test_previous_keeper_unknown_is_only_a_warning():
    customers = _frame([{"customer_id": "1", "branch": "城中", "keeper": None, "marketer": None}])
    previous = _frame([{"customer_id": "1", "keeper": "000999", "locked": None}])
    log = ProblemLog()
    cross_check({"customers": customers, "staff": STAFF.copy(), "previous": previous}, log)
    assert log.frame()[["code", "severity"]].values.tolist() == [["unknown_previous_keeper", "warning"]]


def test_two_jobs_resolve_the_staff_references_as_one_and_log_in_the_ledgers_order(monkeypatch):
    """``cross_check(jobs=2)``: the ledgers resolved in two threads are those of one, their problems logged in
    the ledgers' order even when the first ledger is done last."""
    import time

    import branchkit.core.checks as checks

    def frames() -> dict[str, pd.DataFrame]:
        customers = _frame([
            {"customer_id": "1", "branch": "城中", "keeper": "王五", "marketer": "赵六"},
            {"customer_id": "2", "branch": "东城", "keeper": "李娜", "marketer": None},
        ])
        claims = _frame([{"staff_id": "钱七", "customer_id": "2"}, {"staff_id": "000101", "customer_id": "1"}])
        previous = _frame([{"customer_id": "1", "keeper": "孙八"}, {"customer_id": "2", "keeper": "张伟"}])
        return {"customers": customers, "staff": STAFF.copy(), "claims": claims, "previous": previous}

    resolve = checks._resolve

    def first_done_last(frame, kind, *args):
        if kind == "customers":
            time.sleep(0.2)
        resolve(frame, kind, *args)

    monkeypatch.setattr(checks, "_resolve", first_done_last)
    one, two = frames(), frames()
    logs = ProblemLog(), ProblemLog()
    cross_check(one, logs[0], jobs=1)
    cross_check(two, logs[1], jobs=2)
    for kind in one:
        pd.testing.assert_frame_equal(one[kind], two[kind])
    kinds = [[(f["kind"].iloc[0], f["code"].iloc[0]) for f in log._frames] for log in logs]
    assert kinds[1] == kinds[0] == [("customers", "ambiguous_staff"), ("customers", "unknown_staff"),
                                    ("claims", "unknown_staff"), ("previous", "unknown_previous_keeper")]
    pd.testing.assert_frame_equal(logs[0].frame(), logs[1].frame())
    assert two["customers"]["keeper"].iloc[0] == "000101" and two["customers"]["keeper"].isna().iloc[1]


def _deposits(values, status=None) -> pd.DataFrame:
    rows = [{"customer_id": f"C{i}", "branch": "城中", "keeper": None, "marketer": None, "deposit": v,
             "status": (status or {}).get(i, "existing")} for i, v in enumerate(values)]
    frame = _frame(rows)
    frame["deposit"] = frame["deposit"].astype("float64")
    return frame


@pytest.mark.parametrize(("values", "status", "said"), [
    ([100.0, None, 5.0, None], None, (2, "C1", 3)),          # two existing customers without deposits
    ([100.0, 5.0, None], None, (1, "C2", 4)),                # one is enough
    ([100.0, None], {1: "target"}, None),                    # a target has no deposits yet
    ([None, None], None, None),                              # no deposit at all: the column's absence, elsewhere
    ([100.0, 0.0], None, None),                              # 0 written is 0
])
def test_existing_customers_with_a_blank_deposit_are_one_warning(values, status, said):
    log = ProblemLog()
    cross_check({"customers": _deposits(values, status)}, log)
    found = [p for p in log.records() if p.code == "deposit_blank"]
    if said is None:
        assert found == []
        return
    [problem] = found
    assert problem.severity == "warning"
    assert (dict(problem.params)["customers"], dict(problem.params)["first"], problem.row) == said
    assert f"{said[0]} existing customer(s) of the list have a blank deposit, counted as 0" in problem.message
    assert f"{said[0]} 户存量客户的存款余额为空，按 0 计" in problem.text("zh")


def test_a_deposit_that_was_no_amount_is_its_rows_error_not_a_blank():
    from branchkit.problems import Problem

    frame = _deposits([100.0, None, None])
    log = ProblemLog()
    log.add(Problem(code="not_a_number", message="存款余额: 一百", kind="customers", row=3, rid=1))
    cross_check({"customers": frame}, log)
    [blank] = [p for p in log.records() if p.code == "deposit_blank"]
    assert (dict(blank.params)["customers"], dict(blank.params)["first"]) == (1, "C2")


# Two ids differing in leading zeros only are one id to a reference (a claim 0000000005 finds the customer
# read as 5): the duplicate check takes them as one too. Read through a workbook, as the finding came: the
# number 123 (a number cell keeps no zeros) beside the text 0000000123.
@pytest.mark.parametrize(("first", "second", "repeated"), [
    (123, "0000000123", True),          # the number and the padded text
    (123, "0123", True),                # one zero
    ("0123", "00123", True),            # two texts padded otherwise
    (123, "1230", False),               # a trailing zero is another id
    (123, "0000000124", False),         # padded, another number
    (123, "123", True),                 # as written: the plain repeat
])
def test_ids_differing_only_in_leading_zeros_are_one_customer(book, read_ledgers, first, second, repeated):
    rows = [["客户号", "客户名称", "客户类型"], [first, "甲", "个人"], [second, "乙", "个人"], ["0000000009", "丙", "个人"]]
    _, _, problems = read_ledgers(book("客户.xlsx", {"客户清单": rows}), check=True)
    dup = problems[problems["code"] == "duplicate_id"]
    assert dup[["row", "value"]].values.tolist() == ([[3, second]] if repeated else [])
    if repeated and str(first) != second:
        assert dup["message"].iloc[0].startswith(f"the id is {first} of row 2 of 客户清单 written with other "
                                                 "leading zeros")


def test_staff_ids_differing_only_in_leading_zeros_are_one_person(book, read_ledgers):
    rows = [["工号", "姓名", "岗位", "所属网点"], [1004, "甲", "行长", "城中支行"], ["001004", "乙", "后台", "城中支行"],
            [2001, "丙", "后台", "东城支行"], ["002001", "丁", "后台", "城中支行"], ["000300", "戊", "后台", "城中支行"]]
    _, _, problems = read_ledgers(book("员工.xlsx", {"员工": rows}), check=True)
    assert sorted(problems[["row", "value", "code"]].values.tolist()) == [
        [3, "001004", "duplicate_id"], [4, "2001", "staff_in_two_branches"], [5, "002001", "staff_in_two_branches"]]
    dup = problems[problems["code"] == "duplicate_id"]
    assert dup["message"].iloc[0].startswith("the staff id is 1004 written with other leading zeros")
