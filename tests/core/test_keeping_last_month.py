"""Last month's rows matched to the customer list (``core.keeping.last_month``), as allocate reads them."""

from __future__ import annotations

import pandas as pd

from branchkit.core.keeping import last_month


def test_rows_naming_a_keeper_for_a_listed_customer_with_its_position():
    ids = pd.Series(["c1", "c2", "c3"], dtype="str")
    previous = pd.DataFrame({
        "customer_id": pd.array(["c3", "c9", "c1", "c2", "c3"], dtype="str"),
        "keeper": pd.array(["s1", "s2", None, "s4", "s5"], dtype="str"),
        "locked": [True, False, False, False, True], "note": ["x"] * 5,
    })
    rows = last_month(previous, ids)
    # c9 is on no list, c1's row names nobody; c3's two rows both stay (its doubt is decided later).
    assert rows["_at"].tolist() == [2, 1, 2]
    assert rows["keeper"].tolist() == ["s1", "s4", "s5"]
    assert list(rows.columns) == ["customer_id", "keeper", "locked", "_at"]      # only the columns read


def test_no_previous_allocation_or_an_empty_one_gives_none():
    ids = pd.Series(["c1"], dtype="str")
    assert last_month(None, ids) is None
    assert last_month(pd.DataFrame({"customer_id": pd.array([], dtype="str"),
                                    "keeper": pd.array([], dtype="str")}), ids) is None
