"""``core.quarter``: the quarterly analysis on customer frames whose moves are known."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.quarter import analyse_quarter, quarter_months
from branchkit.rules import load_rules


def _snapshot(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "name", "kind", "branch", "deposit", "loan", "keeper"])
    frame["status"] = "existing"
    frame["marketer"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return frame.astype({"customer_id": "str", "name": "str", "kind": "str", "branch": "str", "keeper": "str"})


START = _snapshot([("1", "a", "retail", "B", 2e6, 0, "K1"), ("2", "b", "retail", "B", 2e5, 0, "K1"),
                   ("3", "c", "corporate", "B", 1e3, 0, "K2"), ("4", "d", "corporate", "B", 5e6, 0, "K2")])
END = _snapshot([("1", "a", "retail", "B", 5e4, 0, "K1"), ("2", "b", "retail", "B", 2e5, 3e6, "K2"),
                 ("3", "c", "corporate", "B", 1e3, 0, "K2"), ("5", "e", "agri", "B", 1e5, 0, None)])


def test_quarter_months():
    quarter, months = quarter_months("2026q1")
    assert str(quarter) == "2026Q1" and [str(m) for m in months] == ["2025-12", "2026-01", "2026-02", "2026-03"]


def test_migration_coverage_and_keepers():
    rules = load_rules(None)
    months = quarter_months("2026Q3")[1]
    result = analyse_quarter("2026Q3", {months[0]: START, months[-1]: END}, rules)
    matrix = result.migration.set_index("tier_start")
    assert matrix.loc["high"].tolist() == [0, 0, 1, 1, 2]       # 1 high -> general, 4 high -> lost
    assert matrix.loc["mid"].tolist() == [1, 0, 0, 0, 1]        # 2 mid -> high (a loan of 3m)
    assert matrix.loc["general"].tolist() == [0, 0, 1, 0, 1]
    assert matrix.loc["new"].tolist() == [0, 1, 0, 0, 1]
    assert matrix.loc["total"].tolist() == [1, 1, 2, 1, 5]
    assert result.summary["upgraded"] == 1 and result.summary["downgraded"] == 1
    coverage = result.coverage.set_index("tier")
    assert coverage.loc["all", "customers"] == 4 and coverage.loc["all", "kept"] == 3
    assert coverage.loc["all", "keeper_coverage"] == pytest.approx(0.75)
    assert coverage["visited"].isna().all()                      # no visit records given
    keepers = result.keepers.set_index("keeper")
    assert keepers.loc["K1", ["customers_start", "customers_end", "downgraded"]].tolist() == [2, 1, 1]
    assert keepers.loc["K2", ["customers_start", "customers_end", "upgraded", "lost"]].tolist() == [2, 2, 1, 1]
    assert keepers.loc["K2", "deposit_change"] == pytest.approx((2e5 + 1e3) - (1e3 + 5e6))
    branch = result.branches.set_index("branch").loc["B"]
    assert branch[["customers_start", "customers_end", "new", "lost", "upgraded", "downgraded"]].tolist() == [
        4, 4, 1, 1, 1, 1]
    assert branch["deposit_change"] == pytest.approx(END["deposit"].sum() - START["deposit"].sum())
    assert result.lost["customer_id"].tolist() == ["4"] and result.new["customer_id"].tolist() == ["5"]
    assert any("2026-07" in n for n in result.notes)
    visits = [n for n in result.notes if n.code == "quarter_no_visits"]       # said in words per language
    assert len(visits) == 1 and "拜访记录" in visits[0].text("zh") and "visit records" in visits[0].text("en")


def test_start_and_end_are_required():
    months = quarter_months("2026Q3")[1]
    with pytest.raises(ValueError, match="2026-09"):
        analyse_quarter("2026Q3", {months[0]: START}, load_rules(None))


def test_a_visit_finds_its_customer_by_name_in_another_width_padding_or_case():
    from branchkit.core.quarter import _visited

    end = _snapshot([("1", "江城XX有限公司（城中分店）", "corporate", "B", 1e6, 0, "K1"),
                     ("2", "张　三", "retail", "B", 1e5, 0, "K1"), ("3", "甲(城中)", "corporate", "B", 1e5, 0, "K1"),
                     ("4", "甲（城中）", "corporate", "B", 1e5, 0, "K2"), ("5", "乙", "retail", "B", 1e5, 0, "K2")])
    visits = pd.DataFrame({"customer_id": [None, None, None, "5"],
                           "customer_name": ["江城xx有限公司(城中分店)", "张三", "甲(城中)", None]}, dtype="str")
    # 3 and 4 differ only in their brackets' width: a visit naming either finds neither; 5 by its id
    assert sorted(_visited(visits, end)) == ["1", "2", "5"]
    assert sorted(_visited(visits.iloc[:2], end)) == ["1", "2"]
