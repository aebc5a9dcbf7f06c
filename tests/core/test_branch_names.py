"""core.branch_names: one spelling per branch across the ledgers, and customers of a branch without staff."""

from __future__ import annotations

import pandas as pd

from branchkit.core.branch_names import LISTED, unify_branches
from branchkit.problems import ProblemLog


def _ledger(branches: list[str | None], file: str = "f.xlsx", **columns) -> pd.DataFrame:
    frame = pd.DataFrame({"branch": pd.Series(branches, dtype="str"), **columns})
    frame["_file"], frame["_sheet"], frame["_row"] = file, "s", range(2, 2 + len(frame))
    return frame


def _run(**frames: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], list]:
    log = ProblemLog()
    unify_branches(frames, log)
    return frames, log.records()


def test_a_roster_padded_or_in_other_width_is_read_in_the_customer_lists_spelling():
    frames, problems = _run(customers=_ledger(["城中支行", "城中支行（营业部）", "城中支行"], "客户清单.xlsx"),
                            staff=_ledger(["城中　支行", "城中支行(营业部)", "城中 支行", "城中　支行"], "员工.xlsx"),
                            pool=_ledger(["城中支行（营业部）"], "绩效工资.xlsx"))
    assert frames["staff"]["branch"].tolist() == ["城中支行", "城中支行（营业部）", "城中支行", "城中支行"]
    assert frames["customers"]["branch"].tolist() == ["城中支行", "城中支行（营业部）", "城中支行"]
    assert frames["pool"]["branch"].tolist() == ["城中支行（营业部）"]
    said = {(p.value, dict(p.params)["first"], dict(p.params)["rows"], p.file, p.row) for p in problems}
    assert said == {("城中　支行", "城中支行", 2, "员工.xlsx", 2), ("城中支行(营业部)", "城中支行（营业部）", 1, "员工.xlsx", 3),
                    ("城中 支行", "城中支行", 1, "员工.xlsx", 4)}
    assert {p.code for p in problems} == {"branch_spelled_otherwise"} and all(p.severity == "warning" for p in problems)
    padded = next(p for p in problems if p.value == "城中　支行")
    assert padded.text("zh") == "网点“城中　支行”按先出现的写法“城中支行”读取（2 行）：两者只差空格、全半角或大小写"
    assert padded.message.startswith("the branch 城中　支行 is read as 城中支行")


def test_within_a_ledger_the_most_used_spelling_wins_and_a_tie_goes_to_the_first_written():
    most, _ = _run(customers=_ledger(["城东 支行", "城东支行", "城东支行"]))
    assert most["customers"]["branch"].tolist() == ["城东支行"] * 3
    reversed_counts, _ = _run(customers=_ledger(["城东 支行", "城东 支行", "城东支行"]))
    assert reversed_counts["customers"]["branch"].tolist() == ["城东 支行"] * 3
    tie, _ = _run(customers=_ledger(["城东 支行", "城东支行"]))
    assert tie["customers"]["branch"].tolist() == ["城东 支行"] * 2


def test_without_a_customer_list_the_staff_spelling_leads_and_other_names_stay_apart():
    frames, problems = _run(staff=_ledger(["城西支行", "城西分理处"]), volumes=_ledger(["ＣＩＴＹ 城西支行", "城西 支行"]))
    assert frames["volumes"]["branch"].tolist() == ["ＣＩＴＹ 城西支行", "城西支行"]     # another name: kept
    assert frames["staff"]["branch"].tolist() == ["城西支行", "城西分理处"]
    assert [p.value for p in problems] == ["城西 支行"]


def test_names_spelled_alike_change_nothing_and_say_nothing():
    customers = _ledger(["城中支行", None, "城东支行"])
    frames, problems = _run(customers=customers, staff=_ledger(["城中支行", "城东支行"]))
    assert problems == []
    assert frames["customers"]["branch"].isna().tolist() == [False, True, False]


def test_customers_of_a_branch_nobody_on_the_staff_list_works_in_are_one_warning():
    customers = _ledger(["城中支行"] * 3 + ["城北支行"] * 2 + ["城南支行"] * 2 + [None])
    _, problems = _run(customers=customers, staff=_ledger(["城中支行", "城中支行"]))
    assert [p.code for p in problems] == ["branch_without_staff"]
    params = dict(problems[0].params)
    assert (params["branches"], params["customers"]) == (2, 4)
    assert params["listed"] == "城北支行 (2)、城南支行 (2)"                 # most customers first, then by name
    assert "4 customer(s) of 2 branch(es)" in problems[0].message
    assert "2 个网点的 4 户客户" in problems[0].text("zh")


def test_the_listing_stops_after_its_limit():
    names = [f"网点{i}" for i in range(LISTED + 1)]
    customers = _ledger(names[:LISTED] + ["城中支行"])
    _, at_limit = _run(customers=customers, staff=_ledger(["城中支行"]))
    assert dict(at_limit[0].params)["listed"].count("、") == LISTED - 1
    assert not dict(at_limit[0].params)["listed"].endswith("…")
    _, over = _run(customers=_ledger(names), staff=_ledger(["城中支行"]))
    assert dict(over[0].params)["branches"] == LISTED + 1
    assert dict(over[0].params)["listed"].endswith("…") and dict(over[0].params)["listed"].count("、") == LISTED - 1


def test_a_roster_that_names_no_branch_is_the_customers_one_branch_and_not_warned():
    _, problems = _run(customers=_ledger(["城中支行"]), staff=_ledger([None, ""]))
    assert problems == []


# --- a sheet without a branch column, given one by a line above its header or by its name


def _given(branch: str, file: str = "客户清单.xlsx", sheet: str | None = "s", line: str | None = None):
    from branchkit.io.ledger import SourceNote

    return SourceNote(file=file, sheet=sheet, kind="customers", branch_given=branch, branch_line=line)


def _sheets(parts: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Customer rows of sheets (sheet, branch given, rows), all of 客户清单.xlsx."""
    frames = [_ledger([branch] * rows, "客户清单.xlsx").assign(_sheet=sheet) for sheet, branch, rows in parts]
    return pd.concat(frames, ignore_index=True)


def _hold(customers: pd.DataFrame, notes: list, staff: pd.DataFrame | None = None) -> tuple[list, list, list]:
    frames = {"customers": customers} if staff is None else {"customers": customers, "staff": staff}
    log = ProblemLog()
    said = unify_branches(frames, log, {"customers": notes})
    return frames["customers"]["branch"].tolist(), said, log.records()


def test_a_sheet_named_after_a_staff_branch_stays_and_one_note_names_them():
    customers = _sheets([("城中支行", "城中支行", 2), ("城东　支行", "城东　支行", 1)])
    branches, said, problems = _hold(customers, [_given("城中支行", sheet="城中支行"), _given("城东　支行", sheet="城东　支行")],
                                     _ledger(["城中支行", "城东支行"], "员工.xlsx"))
    # the sheet's padded name is the roster's 城东支行 (the customer list's spelling leads, as ever)
    assert branches == ["城中支行", "城中支行", "城东　支行"]
    assert said == ["客户清单.xlsx: no branch column; each sheet's rows are the branch its name says (城中支行、城东　支行)"]
    assert [p.code for p in problems] == ["branch_spelled_otherwise"]


def test_a_name_holding_a_staff_branch_is_that_branch_the_longest_then_the_first_by_name():
    customers = _sheets([("城中支行对公", "城中支行对公", 2), ("合并", "城西支行城东支行", 1)])
    staff = _ledger(["城中", "城中支行", "城西支行", "城东支行"], "员工.xlsx")
    branches, said, problems = _hold(customers, [_given("城中支行对公", sheet="城中支行对公"),
                                                 _given("城西支行城东支行", sheet="合并")], staff)
    assert branches == ["城中支行", "城中支行", "城东支行"]      # 城中支行 over 城中; 城东 before 城西 (equal length)
    assert said[0] == ("客户清单.xlsx [城中支行对公]: no branch column; its rows are branch 城中支行, whose name its "
                       "sheet name (城中支行对公) holds")
    assert problems == []


def test_a_sheet_naming_no_branch_is_the_one_branchs_own_but_stays_among_several():
    customers = _sheets([("Sheet1", "Sheet1", 2), ("Sheet2", "Sheet2", 1)])
    notes = [_given("Sheet1", sheet="Sheet1"), _given("Sheet2", sheet="Sheet2")]
    one, said, problems = _hold(customers.copy(), notes, _ledger(["城中支行", "城中支行"], "员工.xlsx"))
    assert one == ["城中支行"] * 3 and problems == []
    assert said[1] == ("客户清单.xlsx [Sheet2]: no branch column, and its sheet name (Sheet2) names no branch of the "
                       "staff list: its rows are branch 城中支行's, the staff list's one branch")
    two, said, problems = _hold(customers.copy(), notes, _ledger(["城中支行", "城东支行"], "员工.xlsx"))
    assert two == ["Sheet1", "Sheet1", "Sheet2"]
    assert [p.code for p in problems] == ["branch_without_staff"]
    none, said, _ = _hold(customers.copy(), notes, _ledger([None, None], "员工.xlsx"))
    assert pd.isna(pd.Series(none)).all()
    assert said[0].endswith("which names none: its rows have no branch")
    alone, said, _ = _hold(customers.copy(), notes)                       # no staff list: nothing to hold against
    assert alone == ["Sheet1", "Sheet1", "Sheet2"]


def test_a_line_above_the_header_is_held_alike_and_only_its_own_sheets_rows_change():
    customers = pd.concat([_sheets([("A", "江城分行城中支行", 2)]),
                           _ledger(["江城分行城中支行"], "other.xlsx").assign(_sheet="A")], ignore_index=True)
    branches, said, _ = _hold(customers, [_given("江城分行城中支行", sheet="A", line="机构：江城分行城中支行")],
                              _ledger(["城中支行", "城东支行"], "员工.xlsx"))
    assert branches == ["城中支行", "城中支行", "江城分行城中支行"]    # other.xlsx has its own branch column
    assert said == ["客户清单.xlsx [A]: no branch column; its rows are branch 城中支行, whose name the line "
                    "机构：江城分行城中支行 above its header (江城分行城中支行) holds"]


def _unify(**given_by_kind) -> tuple[dict, list[str]]:
    """Frames and notes of sheets given branches: kind=[(file, sheet, branch given, rows)], no branch column."""
    frames, given = {}, {}
    for kind, sheets in given_by_kind.items():
        parts = [_ledger([branch] * rows, file).assign(_sheet=sheet) for file, sheet, branch, rows in sheets]
        frames[kind] = pd.concat(parts, ignore_index=True)
        given[kind] = [_given(branch, file, sheet) for file, sheet, branch, _ in sheets]
    notes = unify_branches(frames, ProblemLog(), given)
    return {k: f["branch"].fillna("").tolist() for k, f in frames.items()}, notes


def test_sheets_per_post_and_per_customer_type_confirm_no_branch_and_read_as_none():
    # one branch's roster on sheets per post, its customer list on sheets per type: no name agrees with the
    # other ledger's, so none is a branch (each sheet name a branch: no customer would meet its keeper)
    branches, notes = _unify(staff=[("员工.xlsx", "客户经理", "客户经理", 2), ("员工.xlsx", "柜员", "柜员", 1)],
                             customers=[("客户清单.xlsx", "对公", "对公", 1), ("客户清单.xlsx", "个人", "个人", 2)])
    assert branches == {"staff": ["", "", ""], "customers": ["", "", ""]}
    assert notes[0] == ("员工.xlsx [客户经理]: no branch column, and its sheet name (客户经理) names no branch of "
                        "the customer list, which names none: its rows have no branch")


def test_sheet_names_agreeing_across_the_two_lists_are_their_branches():
    # per branch on both sides; the customer list's sheets 城中支行对公 hold the roster's 城中支行
    branches, notes = _unify(staff=[("员工.xlsx", "城中支行", "城中支行", 1), ("员工.xlsx", "城东支行", "城东支行", 1)],
                             customers=[("客户清单.xlsx", "城中支行对公", "城中支行对公", 2),
                                        ("客户清单.xlsx", "城东支行", "城东支行", 1)])
    assert branches == {"staff": ["城中支行", "城东支行"], "customers": ["城中支行", "城中支行", "城东支行"]}
    # one sheet on each side: the roster's 城中支行 is the shorter name of the one it is held against, and stays
    # (read as that one branch, it would be 城中支行客户, and the customers, held against it, 城中支行)
    branches, _ = _unify(staff=[("员工.xlsx", "城中支行", "城中支行", 1)],
                         customers=[("客户清单.xlsx", "城中支行客户", "城中支行客户", 2)])
    assert branches == {"staff": ["城中支行"], "customers": ["城中支行", "城中支行"]}


def test_a_sheet_name_held_by_a_longer_name_of_the_rosters_column_is_that_branch():
    # the roster's branch column writes the bank's name in front; the customer list is one sheet per branch
    customers = _sheets([("城中支行", "城中支行", 2), ("城东支行", "城东支行", 1)])
    branches, said, problems = _hold(customers, [_given("城中支行", sheet="城中支行"), _given("城东支行", sheet="城东支行")],
                                     _ledger(["江城分行城中支行", "江城分行城东支行", "江城分行城中支行营业部"], "员工.xlsx"))
    # the shortest name holding it (not 江城分行城中支行营业部, another branch)
    assert branches == ["江城分行城中支行", "江城分行城中支行", "江城分行城东支行"]
    assert said[0] == ("客户清单.xlsx [城中支行]: no branch column; its rows are branch 江城分行城中支行 of the staff "
                       "list, whose name holds the one its sheet name gives (城中支行)")
    assert problems == []
