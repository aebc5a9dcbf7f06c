"""``core.report``: the month-end pack runs what the ledgers allow and says what it left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.core.branch_rows import rows as branch_rows, staff_rows
from branchkit.core.report import branch_comparison, keeper_coverage, month_pack, network_branches


def test_a_pack_without_volumes_plan_and_previous(city, city_rules):
    frames = {k: v for k, v in city.items() if k not in ("volumes", "volumes_hourly", "plan", "previous")}
    steps: list[str] = []
    pack = month_pack(frames, "2026-10", city_rules, progress=steps.append)
    assert {o.part: o.ledgers for o in pack.omitted if o.ledgers} == {
        "changes": ("previous",), "staffing": ("volumes", "volumes_hourly"), "plan": ("plan",)}
    assert pack.allocation is not None and pack.staffing is None
    assert steps[0] == "allocation" and steps[-1] == "score"
    comparison = branch_comparison(pack, "all")
    assert "tellers_needed" not in comparison and "customers" in comparison
    coverage = keeper_coverage(pack.allocation.allocation)
    total = coverage[coverage["tier"] == "all"]
    assert int(total["customers"].sum()) == int(pack.allocation.allocation["status"].eq("existing").sum())
    assert (coverage["kept"] + coverage["without_keeper"]).eq(coverage["customers"]).all()


def test_a_branch_cut_keeps_its_own_rows(city, city_rules):
    pack = month_pack(city, "2026-10", city_rules)
    for name in pack.branches:
        part = pack.branch(name)
        assert set(part.allocation.allocation["branch"]) <= {name}
        if part.score is not None:
            assert set(part.score.summary["branch"]) == {name}


def test_a_part_whose_core_refuses_the_data_is_left_out_with_the_reason(city, city_rules):
    branch = str(city["staff"]["branch"].dropna().iloc[0])
    volumes = pd.DataFrame({"branch": [branch, branch], "branch_type": ["general", "general"],
                            "daily_transactions": [500.0, 520.0], "corporate_cash": [None, None],
                            "corporate_noncash": [None, None], "tellers_current": [4.0, 4.0],
                            "_file": "业务量.xlsx", "_sheet": "业务量", "_row": [3, 4], "_rid": [0, 1]})
    volumes = volumes.astype({"branch": "str", "branch_type": "str", "corporate_cash": "float64",
                              "corporate_noncash": "float64", "_file": "str", "_sheet": "str"})
    pack = month_pack({**city, "volumes": volumes}, "2026-10", city_rules)
    assert pack.staffing is None and pack.allocation is not None
    (left_out,) = [o for o in pack.omitted if o.part == "staffing"]
    assert left_out.ledgers == () and "several rows" in left_out.problems[0]


def test_a_branch_cut_is_each_tables_rows_of_that_branch_in_order(city, city_rules):
    """The cut found once per table (positions by name) against comparing the column with the name:
    the same rows, order and dtypes, for every branch, the second cut of a branch as the first."""
    pack = month_pack(city, "2026-10", city_rules)
    tables = {"allocation": lambda p: p.allocation.allocation, "summary": lambda p: p.score.summary,
              "pools": lambda p: p.score.pools, "overdue": lambda p: p.plan.overdue}
    for name in [*pack.branches, "没有这个网点"]:
        for _ in range(2):
            part = pack.branch(name)
            for table in tables.values():
                whole = table(pack)
                naive = whole[whole["branch"].astype("str").eq(name).to_numpy()].reset_index(drop=True)
                pd.testing.assert_frame_equal(table(part), naive)
    assert len(pack.branch("没有这个网点").allocation.allocation) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["甲", "乙", "丙", None]), max_size=30), st.sampled_from(["甲", "乙", "丁"]))
def test_rows_of_a_name_are_those_equal_to_it(branches, name):
    """Rows without a branch belong to none; a name not in the column gets an empty frame of its columns."""
    frame = pd.DataFrame({"branch": pd.Series(branches, dtype="str"), "n": np.arange(len(branches))})
    got = branch_rows(frame, name, {})
    expected = frame[frame["branch"].astype("str").eq(name).to_numpy()].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert got["n"].tolist() == [i for i, b in enumerate(branches) if b == name]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", None]), st.sampled_from(["high", "mid", "general", "vip"]),
                          st.sampled_from(["existing", "new"]), st.sampled_from(["E1", None])), max_size=40))
def test_keeper_coverage_of_the_network_cut_by_branch_is_each_branchs_own(rows):
    """The month report finds coverage once for the network and takes each branch's rows: the same
    table, row order and dtypes as coverage found on the branch's own allocation."""
    allocation = pd.DataFrame(rows, columns=["branch", "tier", "status", "keeper"]).astype("str")
    whole = keeper_coverage(allocation)
    for name in ["甲", "乙"]:
        own = keeper_coverage(branch_rows(allocation, name, {}))
        cut = whole[whole["branch"].eq(name).to_numpy()].reset_index(drop=True)
        pd.testing.assert_frame_equal(cut, own)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3", None]), st.sampled_from(["甲", "乙", None])),
                min_size=1, max_size=6),
       st.lists(st.sampled_from(["S1", "S2", "S3", "S9", None]), max_size=30), st.sampled_from(["甲", "乙", "丁"]))
def test_rows_of_a_branchs_staff_are_those_whose_id_is_among_its_people(people, ids, name):
    """A score's lines, evidence and pieces (and a plan's days) cut by their people's branch, found for
    every branch at once: the rows whose staff id is one of the branch's people, in their order; people
    with a repeated or missing id fall back to comparing the ids, with the same rows."""

    staff = pd.DataFrame(people, columns=["staff_id", "branch"]).astype("str")
    frame = pd.DataFrame({"staff_id": pd.Series(ids, dtype="str"), "n": np.arange(len(ids))})
    cuts: dict = {}
    for _ in range(2):
        got = staff_rows(frame, staff, name, cuts)
        mine = staff.loc[staff["branch"].eq(name).to_numpy(), "staff_id"]
        expected = frame[frame["staff_id"].isin(mine).to_numpy()].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)


def test_a_branch_cut_of_the_staffs_tables_is_their_rows(city, city_rules):
    """Every table cut by staff id (score lines, evidence, ignored rows, pieces; plan days): the rows of the
    branch's people, as comparing the ids gives."""
    pack = month_pack(city, "2026-10", city_rules)
    for name in [*pack.branches, "没有这个网点"]:
        part = pack.branch(name)
        ids = pack.score.summary.loc[pack.score.summary["branch"].eq(name).to_numpy(), "staff_id"]
        for table in ("lines", "evidence", "ignored", "pieces"):
            whole = getattr(pack.score, table)
            naive = whole[whole["staff_id"].isin(ids).to_numpy()].reset_index(drop=True)
            pd.testing.assert_frame_equal(getattr(part.score, table), naive)
            assert len(naive) > 0 or name == "没有这个网点" or table in ("ignored", "pieces")


def test_a_cut_is_numbered_from_0_and_changing_it_changes_no_other_cut():
    frame = pd.DataFrame({"branch": pd.Series(["乙", "甲", "乙", "甲", "乙"], dtype="str"), "n": [0, 1, 2, 3, 4]})
    cuts: dict = {}
    first = branch_rows(frame, "乙", cuts)
    pd.testing.assert_index_equal(first.index, pd.RangeIndex(3))
    assert first["n"].tolist() == [0, 2, 4]
    first.loc[0, "n"] = 99
    first["branch"] = "丙"
    again = branch_rows(frame, "乙", cuts)
    assert again["n"].tolist() == [0, 2, 4] and again["branch"].tolist() == ["乙"] * 3
    assert frame["n"].tolist() == [0, 1, 2, 3, 4]
    assert branch_rows(frame, "丁", cuts).empty


def test_the_network_s_branches_are_every_ledger_s_distinct_names_stripped_and_sorted():
    customers = pd.DataFrame({"branch": pd.Series([" 城东", "城东", None, "城西 ", "  "] * 3000, dtype="str")})
    staff = pd.DataFrame({"branch": pd.Series(["城北", "城东 "], dtype="category")})
    volumes = pd.DataFrame({"branch": pd.Series(["城南"], dtype="str")})
    frames = {"customers": customers, "staff": staff, "volumes": volumes, "visits": None,
              "pool": pd.DataFrame({"staff_id": ["s1"]})}
    assert network_branches(frames) == ["城东", "城北", "城南", "城西"]
    assert network_branches({}) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["甲", "乙", "丙"]), st.sampled_from(["high", "mid", None]),
                          st.sampled_from(["existing", "new"]), st.sampled_from(["E1", "E2", None]),
                          st.integers(0, 10**6).map(float), st.integers(0, 10**6).map(float)), max_size=30))
def test_allocation_figures_are_each_branchs_existing_customers_summed(rows):
    """The comparison's allocation figures, found for every branch at once, are those of each branch's own
    existing customers; a branch with none (or a month with none at all) has no figures."""
    from types import SimpleNamespace

    from branchkit.core.report import _allocation_figures

    allocation = pd.DataFrame(rows, columns=["branch", "tier", "status", "keeper", "deposit", "loan"])
    allocation = allocation.astype({"branch": "str", "tier": "str", "keeper": "str"})
    allocation["keeper"] = allocation["keeper"].where(allocation["keeper"].ne("None"))
    keepers = pd.DataFrame({"branch": ["甲", "乙"], "keeper": ["E1", "E2"], "customers": [1, 0]})
    changes = pd.DataFrame({"branch": pd.Series(["甲", "甲"], dtype="str")})
    figures = _allocation_figures(SimpleNamespace(allocation=allocation, keepers=keepers, changes=changes))
    for name in ["甲", "乙", "丙"]:
        own = allocation[allocation["branch"].eq(name) & allocation["status"].eq("existing")]
        if own.empty:
            assert name not in figures.index or np.isnan(figures.loc[name, "customers"])
            continue
        row = figures.loc[name]
        assert row["customers"] == len(own)
        assert row["customers_high"] == int(own["tier"].eq("high").sum())
        assert row["deposit"] == own["deposit"].sum() and row["loan"] == own["loan"].sum()
        assert row["keeper_coverage"] == own["keeper"].notna().mean()
        assert row["keepers"] == (1 if name == "甲" else 0)
        assert row["changes"] == (2 if name == "甲" else 0)
        kept = own["keeper"].notna().sum()
        assert (row["customers_per_keeper"] == round(kept / 1, 2)) if name == "甲" else np.isnan(
            row["customers_per_keeper"])


def test_cut_by_branch_finds_every_tables_rows_once_and_the_cuts_are_unchanged(city, city_rules):
    """``cut_by_branch`` finds each table's rows by branch (a report calls it before forking its render
    workers); cutting a branch afterwards finds nothing more and gives the rows a fresh pack's cut gives."""
    from dataclasses import fields

    pack = month_pack(city, "2026-10", city_rules)
    assert pack._cuts == {}
    pack.cut_by_branch()
    found = set(pack._cuts)
    assert len(found) >= len(fields(pack.allocation))       # every table of the allocation, and the others'
    fresh = month_pack(city, "2026-10", city_rules)
    for name in pack.branches:
        cut, own = pack.branch(name), fresh.branch(name)
        assert set(pack._cuts) == found
        pd.testing.assert_frame_equal(cut.allocation.allocation, own.allocation.allocation)
        pd.testing.assert_frame_equal(cut.score.summary, own.score.summary)
        pd.testing.assert_frame_equal(cut.plan.days, own.plan.days)


def test_the_html_view_cuts_the_pack_by_branch_before_rendering_and_the_other_formats_do_not(city, city_rules):
    from branchkit.views.report import Quality, month_report

    quality = Quality(pd.DataFrame({"ledger": ["customers"], "files": [1], "read": [1], "used": [1],
                                    "rejected": [0], "totals_rows": [0]}),
                      pd.DataFrame({c: [] for c in ["ledger", "code", "severity", "count", "example", "column",
                                                    "value", "params"]}))
    for fmt, cut in (("csv", False), ("xlsx", False), ("html", True)):
        pack = month_pack(city, "2026-10", city_rules)
        month_report(pack, city_rules, quality, fmt=fmt)
        assert bool(pack._cuts) is cut
