"""``core.report``: the month-end pack runs what the ledgers allow and says what it left out."""

from __future__ import annotations

from branchkit.core.report import branch_comparison, keeper_coverage, month_pack


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
    import pandas as pd

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
