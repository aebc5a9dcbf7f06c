"""checks._row_branches: each row's branch from its own column, else its customer's by id, else by a unique name."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from branchkit.core.checks import _resolve, _row_branches
from branchkit.core.people import Directory, customer_key
from branchkit.problems import ProblemLog
from branchkit.text import text_isin, text_map


def _reference(frame: pd.DataFrame, customers: pd.DataFrame) -> pd.Series | None:
    """The lookup _row_branches replaced: the customers named filtered out, their ids and names hashed again."""
    if "branch" in frame.columns and frame["branch"].notna().any():
        return frame["branch"]
    if customers is None or customers.empty:
        return None
    ids = [frame[c] for c in ("customer_id", "customer") if c in frame]
    named = [frame[c] for c in ("customer", "customer_name") if c in frame]
    known = customers[text_isin(customers["customer_id"], pd.concat(ids))] if ids else customers.iloc[:0]
    by_id = known.drop_duplicates("customer_id").set_index("customer_id")["branch"]
    if named and "name" in customers:
        keyed = customers.assign(key=customer_key(customers["name"]))
        namesakes = keyed[text_isin(keyed["key"], pd.concat([customer_key(n) for n in named]))]
        unique = namesakes[~namesakes["key"].duplicated(keep=False) & namesakes["key"].notna()]
        by_name = pd.Series(unique["branch"].to_numpy(), index=unique["key"].to_numpy())
    else:
        by_name = pd.Series([], dtype="str")
    branches = pd.Series(pd.NA, index=frame.index, dtype="str")
    for column, lookup in (("customer_id", by_id), ("customer", by_id), ("customer", by_name),
                           ("customer_name", by_name)):
        if column in frame:
            said = customer_key(frame[column]) if lookup is by_name else frame[column]
            branches = branches.fillna(text_map(said, lookup))
    return branches if branches.notna().any() else None


_TEXT = st.one_of(st.none(), st.sampled_from(["1", "2", "01", "张三", "张　三", "李四", "王五", "甲(城中)", "甲（城中）",
                                                "ABC", "ａｂｃ"]))
_BRANCH = st.one_of(st.none(), st.sampled_from(["城中", "城东", ""]))
_COLUMNS = st.sampled_from([("customer_id",), ("customer",), ("customer_id", "customer_name"),
                            ("customer", "customer_name"), ("customer_name",)])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, _BRANCH), max_size=12), st.lists(st.tuples(_TEXT, _TEXT), max_size=12),
       _COLUMNS)
def test_branches_as_the_filtered_lookups_found_them(people, rows, columns):
    customers = pd.DataFrame({"customer_id": [c for c, _, _ in people], "name": [n for _, n, _ in people],
                              "branch": [b for _, _, b in people]}, dtype="str")
    frame = pd.DataFrame({c: [r[i % 2] for r in rows] for i, c in enumerate(columns)}, dtype="str",
                         index=range(5, 5 + len(rows)))
    got, want = _row_branches(frame, customers), _reference(frame, customers)
    assert (got is None) == (want is None)
    if got is not None:
        assert list(got.index) == list(frame.index)
        assert got.astype("str").fillna("-").tolist() == want.astype("str").fillna("-").tolist()


CUSTOMERS = pd.DataFrame({"customer_id": ["1", "1", "2", "3", "4", "5"], "name": ["甲", "乙", "丙", "丙", "丁", None],
                          "branch": [None, "城东", "城中", "城东", "城中", "城东"]}, dtype="str")


def test_an_id_whose_first_customer_has_no_branch_falls_to_the_name():
    # id 1's first customer has no branch; the row's name 丁 is unique (城中); 丙 is two customers' name
    frame = pd.DataFrame({"customer_id": ["1", "1", "9", None, "5"], "customer_name": ["丁", "丙", "丙", "丁", None]},
                         dtype="str")
    assert _row_branches(frame, CUSTOMERS).fillna("-").tolist() == ["城中", "-", "-", "城中", "城东"]


def test_no_customer_found_is_none_and_a_ledgers_own_branch_wins():
    frame = pd.DataFrame({"customer_id": ["8", None], "customer_name": ["丙", None]}, dtype="str")
    assert _row_branches(frame, CUSTOMERS) is None
    own = frame.assign(branch=pd.Series(["城西", None], dtype="str"))
    assert _row_branches(own, CUSTOMERS).fillna("-").tolist() == ["城西", "-"]


def test_a_ledgers_branches_are_found_once_for_all_its_staff_columns(monkeypatch):
    staff = pd.DataFrame({"staff_id": ["S1", "S2"], "name": ["张三", "张三"], "branch": ["城中", "城东"]}, dtype="str")
    sales = pd.DataFrame({"customer": ["2", "3"], "closer": ["张三", "张三"], "lead": ["张三", "S1"],
                          "_file": "f", "_sheet": "s", "_row": [2, 3], "_rid": [0, 1]})
    calls = []
    import branchkit.core.checks as checks
    monkeypatch.setattr(checks, "_row_branches", lambda *a: calls.append(1) or _row_branches(*a))
    _resolve(sales, "sales", Directory.from_staff(staff), CUSTOMERS, ProblemLog())
    assert calls == [1]
    assert sales["closer"].tolist() == ["S1", "S2"] and sales["lead"].tolist() == ["S1", "S1"]


def test_a_name_written_in_another_width_or_padding_finds_its_customer():
    customers = pd.DataFrame({"customer_id": ["1", "2", "3", "4"],
                              "name": ["江城XX有限公司（城中分店）", "张　三", "ABC Trading Co.", "乙"],
                              "branch": ["城中", "城东", "城西", "城北"]}, dtype="str")
    frame = pd.DataFrame({"customer_name": ["江城XX有限公司(城中分店)", "张三", "ＡＢＣ　ｔｒａｄｉｎｇ　ｃｏ．", "乙 ",
                                            "江城XX有限公司（城东分店）"]}, dtype="str")
    assert _row_branches(frame, customers).fillna("-").tolist() == ["城中", "城东", "城西", "城北", "-"]


def test_two_customers_whose_names_differ_only_in_width_are_found_by_neither_name():
    customers = pd.DataFrame({"customer_id": ["1", "2", "3"], "name": ["甲(城中)", "甲（城中）", "乙"],
                              "branch": ["城中", "城东", "城西"]}, dtype="str")
    frame = pd.DataFrame({"customer_name": ["甲(城中)", "甲（城中）", "乙"]}, dtype="str")
    assert _row_branches(frame, customers).fillna("-").tolist() == ["-", "-", "城西"]


def test_the_customer_lists_names_are_keyed_once_for_every_ledger_naming_customers(monkeypatch):
    import branchkit.core.checks as checks
    from branchkit.core.checks import cross_check

    keyed = []
    real = checks.customer_key
    monkeypatch.setattr(checks, "customer_key", lambda names: keyed.append(len(names)) or real(names))
    customers = pd.DataFrame({"customer_id": ["1", "2", "3"], "name": ["甲", "乙", "丙"],
                              "branch": ["城中", "城东", "城中"], "keeper": [None] * 3, "marketer": [None] * 3},
                             dtype="str")
    customers["_file"], customers["_sheet"], customers["_row"], customers["_rid"] = "c", "s", range(2, 5), range(3)
    staff = pd.DataFrame({"staff_id": ["S1", "S2"], "name": ["张三", "张三"], "branch": ["城中", "城东"]}, dtype="str")

    def ledger(**columns) -> pd.DataFrame:
        frame = pd.DataFrame(columns, dtype="str")
        frame["_file"], frame["_sheet"], frame["_row"], frame["_rid"] = "f", "s", range(2, 4), range(2)
        return frame

    frames = {"customers": customers, "staff": staff,
              "visits": ledger(staff_id=["张三", "张三"], customer_name=["甲", "乙 "]),
              "referrals": ledger(referrer=["张三", "张三"], referred_to=[None, None], customer_name=["丙", "乙"])}
    log = ProblemLog()
    cross_check(frames, log)
    assert frames["visits"]["staff_id"].tolist() == ["S1", "S2"]          # each by its customer's branch
    assert frames["referrals"]["referrer"].tolist() == ["S1", "S2"]
    assert keyed.count(len(customers)) == 1                               # the list's names: once for both
