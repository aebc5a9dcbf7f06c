"""Directory.resolve: names unique within the row's branch are found by (branch, name) pairs of codes."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.people import Directory

STAFF = pd.DataFrame({
    "staff_id": ["S1", "S2", "S3", "S4", "S5"],
    "name": ["张三", "张三", "李四", "李四", "王五"],
    "branch": ["城中", "城东", "城中", "城中", "城东"],
})
REFS = ["张三", "张三", "李四", "王五", "S3", None, "赵六", "张三"]
BRANCHES = ["城中", "城东", "城中", "城中", "城东", "城中", "城中", None]
#: 张三 is two people, one per branch: the row's branch tells them apart; 李四 is two people of one branch
#: (ambiguous); 王五 is not of the row's branch but unique overall; an id stays; a missing branch falls
#: back to the whole list, where 张三 is not unique.
RESOLVED = ["S1", "S2", None, "S5", "S3", None, None, None]


@pytest.mark.parametrize("repeat", [1, 2_000])        # 2,000: past the threshold of distinct-value lookups
def test_names_resolve_within_the_rows_branch_then_overall(repeat):
    directory = Directory.from_staff(STAFF)
    refs = pd.Series(REFS * repeat, dtype="str", index=range(7, 7 + 8 * repeat))
    branches = pd.Series(BRANCHES * repeat, dtype="str", index=refs.index)
    resolved, reason = directory.resolve(refs, branches)
    got = [None if pd.isna(v) else v for v in resolved]
    assert got == RESOLVED * repeat
    assert list(resolved.index) == list(refs.index)
    why = reason.tolist()[:8]
    assert "not unique" in why[2] and "S3 李四 (城中)" in why[2] and "S4 李四 (城中)" in why[2]
    assert why[5] == "" and why[0] == "" and "neither a staff id" in why[6] and "not unique" in why[7]


def test_only_the_unresolved_rows_branches_are_asked_for():
    directory = Directory.from_staff(STAFF)
    refs = pd.Series(["S1", "张三", "S5"], dtype="str")
    asked = []

    def branches(todo):
        asked.append(todo.tolist())
        return pd.Series(["城东"], dtype="str", index=refs.index[todo])

    resolved, _ = directory.resolve(refs, branches)
    assert resolved.tolist() == ["S1", "S2", "S5"] and asked == [[False, True, False]]
