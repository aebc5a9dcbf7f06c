"""Per-keeper 台账 sheet names: within Excel's 31 characters the staff id always survives, names stay unique."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.core.allocate import allocate
from branchkit.io.output import WriteOptions, write_report
from branchkit.rules import load_rules
from branchkit.views.allocate import allocation_report
from branchkit.views.keeper_ledgers import ledger_title

LONG = "欧阳" + "长" * 40                     # 42 characters of name


def test_a_short_title_is_left_as_it_is():
    assert ledger_title("台账-", "张三", "S01", set()) == "台账-张三-S01"


@pytest.mark.parametrize("keeper", ["S1", "S0012345", "A" * 20])
def test_a_long_name_is_cut_and_the_staff_id_kept_whole(keeper):
    title = ledger_title("台账-", LONG, keeper, set())
    assert len(title) == 31 and title.endswith(f"-{keeper}") and title.startswith("台账-欧阳长")


def test_at_exactly_31_characters_nothing_is_cut_and_one_more_cuts_one_name_character():
    name = "甲" * (31 - len("台账-") - len("-S01"))
    assert ledger_title("台账-", name, "S01", set()) == f"台账-{name}-S01"
    assert ledger_title("台账-", name + "乙", "S01", set()) == f"台账-{name}-S01"
    assert ledger_title("台账-", name[:-1], "S01", set()) == f"台账-{name[:-1]}-S01"


def test_two_keepers_whose_titles_meet_get_a_number_in_the_name_part():
    used: set[str] = set()
    first = ledger_title("台账-", LONG, "s01", used)
    second = ledger_title("台账-", LONG + "x", "S01", used)       # Excel compares sheet names ignoring case
    third = ledger_title("台账-", LONG, "S01", used)
    assert first.endswith("-s01") and second.endswith("(2)-S01") and third.endswith("(3)-S01")
    assert len({first.lower(), second.lower(), third.lower()}) == 3 and all(len(t) <= 31 for t in (second, third))


def test_a_staff_id_longer_than_a_sheet_name_stands_alone():
    assert ledger_title("台账-", "张三", "X" * 29, set()) == "X" * 29
    assert ledger_title("台账-", "张三", "X" * 40, set()) == "X" * 31         # Excel cannot hold more


def test_the_workbook_has_a_sheet_per_keeper_ending_with_each_staff_id(tmp_path):
    staff = pd.DataFrame({"staff_id": ["K001", "K002", "k001x"], "name": [LONG, LONG + "乙", "王五"],
                          "role": "corporate_rm", "branch": "城东支行", "state": "active"})
    customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"], "kind": "corporate",
                              "branch": "城东支行", "deposit": [1e6, 2e6, 3e6], "keeper": ["K001", "K002", "k001x"],
                              "status": "existing"})
    report = allocation_report(allocate(customers, staff, load_rules()), lang="zh", people=True)
    write_report(str(tmp_path / "a.xlsx"), report, WriteOptions())
    ledgers = [n for n in openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True).sheetnames
               if n.startswith("台账")]
    assert len(ledgers) == 3 and all(len(n) <= 31 for n in ledgers)
    assert sorted(n.rsplit("-", 1)[1] for n in ledgers) == ["K001", "K002", "k001x"]
    assert [n for n in ledgers if n.endswith("-K001")][0].startswith("台账-欧阳长长")


def _allocation(rows: list[tuple[str | None, str | None, str]]) -> object:
    """An allocation of customers C0, C1... each (branch, keeper, status), in this order."""
    from types import SimpleNamespace

    from branchkit.views.keeper_ledgers import _SHOWN

    n = len(rows)
    frame = pd.DataFrame({c: pd.Series([None] * n, dtype="str") for c in _SHOWN})
    frame["customer_id"] = [f"C{i}" for i in range(n)]
    frame["branch"] = pd.Series([r[0] for r in rows], dtype="str")
    frame["keeper"] = pd.Series([r[1] for r in rows], dtype="str")
    frame["status"] = [r[2] for r in rows]
    frame["keeper_name"] = frame["keeper"]
    frame["tier"] = "general"
    return SimpleNamespace(allocation=frame)


def test_books_follow_branch_then_staff_id_in_code_point_order_and_customers_keep_their_order():
    from branchkit.views.keeper_ledgers import keeper_books

    rows = [("城西", "b2", "existing"), ("城东", "b2", "existing"), ("城西", "B1", "existing"),
            ("城东", "b2", "target"), ("城西", "b2", "existing"), (None, "a", "existing"), ("城东", None, "existing"),
            ("城东", "b10", "existing"), ("城东", "b2", "existing"), ("Z", "é", "existing"), ("Z", "z", "existing")]
    books = keeper_books(_allocation(rows), lambda frame: frame, "zh")
    # "" (no branch) < "Z" < "城东" < "城西"; "B1" < "b10" < "b2"; "z" < "é" (U+00E9); the same staff id
    # in two branches is two books; a target customer or one without a keeper is in none
    got = [(b.scope, b.owner("en"), list(b.parts[1].table.frame["customer_id"])) for b in books]
    assert got == [("", "a (a)", ["C5"]), ("Z", "z (z)", ["C10"]), ("Z", "é (é)", ["C9"]),
                   ("城东", "b10 (b10)", ["C7"]), ("城东", "b2 (b2)", ["C1", "C8"]),
                   ("城西", "B1 (B1)", ["C2"]), ("城西", "b2 (b2)", ["C0", "C4"])]
    assert [list(b.parts[2].table.frame["customer_id"]) for b in books] == [g[2] for g in got]
