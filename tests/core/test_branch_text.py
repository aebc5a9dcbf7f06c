"""The allocation's branch column: the ledger's own where every customer names a branch, else the names by
code with null for none (``Customers.branch_text``)."""

from __future__ import annotations

import pandas as pd
import pytest

from branchkit.core.allocate import conform
from branchkit.core.network import Customers, Matrices, branch_codes

from tests.core.allocation_helpers import RULES, customers, run, staff

EAST, WEST = "城东支行", "城西支行"


def _book(frame: pd.DataFrame, team: pd.DataFrame) -> Customers:
    frame, team = conform(frame, "customers"), conform(team, "staff")
    codes, _, names = branch_codes(frame, team)
    return Customers.build(frame, codes, RULES, Matrices.build(RULES.allocation)), names


def test_every_customer_named_keeps_the_ledger_column_itself() -> None:
    frame = customers({"customer_id": "C1", "branch": WEST}, {"customer_id": "C2", "branch": EAST})
    book, names = _book(frame, staff(("s1", "retail_rm", "active", EAST), ("s2", "retail_rm", "active", WEST)))
    assert book.branch_text(names) is book.frame["branch"].array
    result = run(frame, staff(("s1", "retail_rm", "active", EAST), ("s2", "retail_rm", "active", WEST)))
    assert dict(zip(result.allocation["customer_id"], result.allocation["branch"])) == {"C1": WEST, "C2": EAST}
    assert result.allocation["branch"].dtype == "str"


@pytest.mark.parametrize("none", ["", None])
def test_a_customer_without_branch_gets_null_and_the_others_their_names(none) -> None:
    frame = customers({"customer_id": "C1", "branch": WEST}, {"customer_id": "C2", "branch": none},
                      {"customer_id": "C3", "branch": EAST})
    team = staff(("s1", "retail_rm", "active", EAST), ("s2", "retail_rm", "active", WEST))
    book, names = _book(frame, team)
    text = book.branch_text(names)
    assert text is not book.frame["branch"].array
    assert list(pd.Series(text).fillna("<null>")) == [WEST, "<null>", EAST]
    assert text.dtype == "str"


def test_customers_naming_no_branch_take_the_staffs_only_branch() -> None:
    frame = customers({"customer_id": "C1", "branch": ""}, {"customer_id": "C2", "branch": ""})
    team = staff(("s1", "retail_rm", "active", EAST))
    book, names = _book(frame, team)
    assert list(book.branch_text(names)) == [EAST, EAST]
    assert list(run(frame, team).allocation["branch"]) == [EAST, EAST]
