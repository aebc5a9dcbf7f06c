"""``core.needs``: columns that decide results are errors when missing, columns that refine are warnings;
present means a header matched in the source, per source (sheet or file)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from branchkit.core.allocate import allocation_needs
from branchkit.core.month import score_needs
from branchkit.core.needs import Need, Needs
from branchkit.core.plan import plan_needs
from branchkit.core.report import every_need, month_needs
from branchkit.core.staffing import staffing_needs
from branchkit.rules import load_rules

RULES = load_rules()


def source(columns: set[str], file: str = "客户清单.xlsx", sheet: str | None = None, rows: int = 3):
    return SimpleNamespace(file=file, sheet=sheet, columns={c: c for c in columns}, rows=rows)


def ledger(*sources, frame: pd.DataFrame | None = None):
    return SimpleNamespace(sources=list(sources), frame=frame if frame is not None else pd.DataFrame())


CUSTOMER_COLUMNS = {"customer_id", "name", "kind", "branch", "deposit", "loan", "financial_assets", "scale", "marketer",
                    "status", "keeper"}
STAFF = ledger(source({"staff_id", "name", "role", "branch", "state"}, "员工.xlsx"))


def _codes(check) -> dict[tuple[str, str | None], str]:
    return {(a.kind, a.column): a.code for a in check.absences}


def test_a_customer_list_without_deposits_stops_allocation_naming_ledger_column_and_use():
    customers = ledger(source(CUSTOMER_COLUMNS - {"deposit"}))
    check = allocation_needs(RULES).check({"customers": customers, "staff": STAFF})
    assert check.blocking and _codes(check) == {("customers", "deposit"): "missing_column"}
    problem = check.problems[0]
    assert (problem.code, problem.severity, problem.kind, problem.file, problem.column) == (
        "missing_column", "error", "customers", "客户清单.xlsx", "存款余额")
    assert "customers ledger (客户清单)" in problem.message and "allocate needs it for relationship tiers" in \
        problem.message and "[aliases.customers]" in problem.message


def test_a_refining_column_is_one_warning_saying_what_is_left_out():
    customers = ledger(source(CUSTOMER_COLUMNS - {"loan"}), source(CUSTOMER_COLUMNS - {"loan"}, sheet="个人"))
    check = allocation_needs(RULES).check({"customers": customers, "staff": STAFF})
    assert not check.blocking and len(check.problems) == 1
    problem = check.problems[0]
    assert (problem.code, problem.severity, problem.column) == ("column_absent", "warning", "贷款余额")
    assert "no loan customer brought into scope below the floor" in problem.message
    assert check.refining()[0].left_out("zh").startswith("贷款客户")


def test_a_column_missing_from_one_sheet_of_two_names_that_sheet():
    customers = ledger(source(CUSTOMER_COLUMNS, sheet="对公客户"), source(CUSTOMER_COLUMNS - {"deposit"}, sheet="个人客户"))
    problem = allocation_needs(RULES).check({"customers": customers, "staff": STAFF}).problems[0]
    assert problem.sheet == "个人客户" and "(in 1 of its 2 sheets or files)" in problem.message


def test_an_empty_sheet_lacking_a_column_costs_nothing():
    customers = ledger(source(CUSTOMER_COLUMNS), source({"customer_id", "name", "kind"}, sheet="空", rows=0))
    assert allocation_needs(RULES).check({"customers": customers, "staff": STAFF}).problems == []


def test_enterprise_scale_is_needed_only_where_a_sheet_holds_corporates():
    frame = pd.DataFrame({"kind": ["corporate", "retail"], "_file": ["c.xlsx", "c.xlsx"], "_sheet": ["对公", "个人"]})
    both = ledger(source(CUSTOMER_COLUMNS, "c.xlsx", "对公"), source(CUSTOMER_COLUMNS - {"scale"}, "c.xlsx", "个人"),
                  frame=frame)
    assert allocation_needs(RULES).check({"customers": both, "staff": STAFF}).problems == []
    wrong = ledger(source(CUSTOMER_COLUMNS - {"scale"}, "c.xlsx", "对公"), source(CUSTOMER_COLUMNS, "c.xlsx", "个人"),
                   frame=frame)
    absences = allocation_needs(RULES).check({"customers": wrong, "staff": STAFF}).absences
    assert [(a.column, a.sheet) for a in absences] == [("scale", "对公")]


def test_last_months_allocation_stands_in_for_the_ledgers_keepers():
    customers = ledger(source(CUSTOMER_COLUMNS - {"keeper"}))
    previous = ledger(source({"customer_id", "keeper", "keeper_role"}, "上月分配.csv"))
    needs = allocation_needs(RULES)
    assert _codes(needs.check({"customers": customers, "staff": STAFF})) == {("customers", "keeper"): "column_absent"}
    assert needs.check({"customers": customers, "staff": STAFF, "previous": previous}).problems == []


def test_needs_apply_only_when_the_computation_runs():
    customers = ledger(source(CUSTOMER_COLUMNS - {"deposit"}))
    assert allocation_needs(RULES).check({"customers": customers}).problems == []     # no staff: no allocation
    advisory = allocation_needs(RULES).check({"customers": customers}, advisory=True)
    assert [(p.code, p.severity) for p in advisory.problems] == [("column_absent", "warning")]
    assert "allocate would stop, needing it for relationship tiers" in advisory.problems[0].message


def test_several_computations_reading_a_column_are_one_problem_naming_each():
    customers = ledger(source(CUSTOMER_COLUMNS - {"deposit"}))
    visits = ledger(source({"visit_date", "staff_id", "customer_id", "kind"}, "拜访记录.xlsx"))
    check = month_needs(RULES).check({"customers": customers, "staff": STAFF, "visits": visits})
    deposit = [a for a in check.absences if a.column == "deposit"]
    assert len(deposit) == 1 and deposit[0].by == ("allocate", "plan")
    assert "allocate and plan need it for allocate: relationship tiers" in deposit[0].message()


def test_a_ledger_kind_that_refines_is_a_ledger_absent_warning():
    volumes = ledger(source({"branch", "daily_transactions", "branch_type", "corporate_cash", "corporate_noncash",
                             "tellers_current"}, "业务量.xlsx"))
    check = staffing_needs(RULES.staffing).check({"volumes": volumes})
    assert _codes(check) == {("staff", None): "ledger_absent", ("volumes_hourly", None): "ledger_absent"}
    assert all(p.severity == "warning" for p in check.problems)
    assert "no staff ledger (员工) was given: the staff list: minimum staffing not checked" in check.problems[0].message


def test_the_volumes_branch_type_is_not_needed_when_the_staff_list_gives_it():
    volumes = ledger(source({"branch", "daily_transactions", "corporate_cash", "corporate_noncash"}, "业务量.xlsx"))
    staff = ledger(source({"staff_id", "name", "role", "branch", "state", "branch_type"}, "员工.xlsx"))
    hourly = ledger(source({"branch", "date", "hour", "arrivals", "handling_seconds"}, "业务量.xlsx", "分时段"))
    check = staffing_needs(RULES.staffing).check({"volumes": volumes, "staff": staff, "volumes_hourly": hourly})
    assert check.problems == []
    without = staffing_needs(RULES.staffing).check({"volumes": volumes, "volumes_hourly": hourly,
                                                    "staff": STAFF})
    assert _codes(without) == {("volumes", "branch_type"): "column_absent"}


def test_score_needs_follow_the_weights(tmp_path):
    weighted = {(n.kind, n.column): n.decides for n in score_needs(RULES).items}
    assert weighted[("visits", "kind")] and weighted[("customers", "deposit")] and weighted[("customers_start", "deposit")]
    path = tmp_path / "r.toml"
    path.write_text("[scoring.roles.corporate_rm.weights]\noutbound_visits = 0\n", encoding="utf-8")
    assert ("visits", "kind") not in {(n.kind, n.column) for n in score_needs(load_rules(path)).items}


def test_visit_kind_refines_plan_adherence_only_when_the_rules_count_some_kinds():
    assert not any(n.column == "kind" for n in plan_needs(RULES.plan).items)
    narrow = RULES.plan.model_copy(update={"visit_kinds": ["outbound"]})
    assert [(n.kind, n.column, n.decides) for n in plan_needs(narrow).items if n.column == "kind"] == [
        ("visits", "kind", False)]


@pytest.mark.parametrize("kind", ["customers", "staff", "volumes", "volumes_hourly", "visits", "sales",
                                  "deductions", "previous", "customers_start"])
def test_every_declared_column_is_a_column_of_its_ledger(kind):
    from branchkit.models.ledgers import LEDGERS

    for need in every_need(RULES).items:
        if need.kind == kind and need.column is not None:
            assert need.column in LEDGERS[kind].columns(), (need.by, need.column)
            assert not LEDGERS[kind].columns()[need.column].required      # required ones fail at reading


def test_needs_are_declared_once_per_computation():
    for needs in (allocation_needs(RULES), staffing_needs(RULES.staffing), plan_needs(RULES.plan), score_needs(RULES)):
        keys = [(n.kind, n.column) for n in needs.items]
        assert len(keys) == len(set(keys)), needs.by
        assert isinstance(needs, Needs) and all(isinstance(n, Need) and n.by == needs.by for n in needs.items)


def test_a_ledger_given_as_a_frame_has_the_frames_columns():
    from branchkit.core.needs import frame_of

    customers = frame_of("customers", pd.DataFrame({"customer_id": ["C1"], "name": ["甲"], "kind": ["retail"],
                                                    "loan": [0.0]}))
    staff = frame_of("staff", pd.DataFrame({"staff_id": ["S1"], "name": ["乙"], "role": ["head"], "state": ["active"]}))
    check = allocation_needs(RULES).check({"customers": customers, "staff": staff})
    assert _codes(check)[("customers", "deposit")] == "missing_column" and ("customers", "loan") not in _codes(check)
    assert check.problems[0].file is None
