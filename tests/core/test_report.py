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
