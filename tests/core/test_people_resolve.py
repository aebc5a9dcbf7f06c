"""Directory.resolve: names unique within the row's branch are found by (branch, name) pairs of codes."""

from __future__ import annotations

import pandas as pd
import pytest

from hypothesis import given, settings, strategies as st

from branchkit.core.people import _SEP, Directory, _unique_map

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


def _reference_unique_map(keys: pd.Series, frame: pd.DataFrame) -> tuple[dict, dict]:
    """The groupby version ``_unique_map`` replaced (a key's people by ``itertuples``)."""
    dup = keys.duplicated(keep=False)
    unique = dict(zip(keys[~dup], frame.loc[~dup, "staff_id"]))
    ambiguous: dict[str, list[str]] = {}
    for key, group in frame[dup].groupby(keys[dup], sort=True):
        ambiguous.setdefault(key.split(_SEP)[-1], []).extend(
            f"{r.staff_id} {r.name} ({r.branch})" for r in group.itertuples(index=False))
    return unique, ambiguous


_PEOPLE = st.lists(st.tuples(st.sampled_from(["张三", "李四", "Zhang", "王五", "a"]),
                             st.sampled_from(["城中", "城东", "乡镇", "B", None])), max_size=40)


@settings(max_examples=60, deadline=None)
@given(_PEOPLE)
def test_names_shared_are_listed_as_the_groupby_listed_them(people):
    frame = pd.DataFrame({"staff_id": [f"S{len(people) - i:03d}" for i in range(len(people))],
                          "name": [n for n, _ in people], "branch": [b for _, b in people]}).astype("str")
    for keys in (frame["branch"].fillna("") + _SEP + frame["name"], frame["name"]):
        unique, ambiguous = _unique_map(keys, frame)
        assert (unique.to_dict(), ambiguous) == _reference_unique_map(keys, frame)


def test_people_named_alike_are_listed_by_key_in_sorted_order_then_in_the_ledgers_order():
    frame = pd.DataFrame({"staff_id": ["S9", "S1", "S5", "S2", "S3"], "name": ["张三"] * 4 + ["李四"],
                          "branch": ["城西", "城西", "城东", "城东", "城东"]}).astype("str")
    unique, ambiguous = _unique_map(frame["branch"] + _SEP + frame["name"], frame)
    # 城东 sorts before 城西 (东 U+4E1C < 西 U+897F): its two first, each key's people in the ledger's order
    assert ambiguous == {"张三": ["S5 张三 (城东)", "S2 张三 (城东)", "S9 张三 (城西)", "S1 张三 (城西)"]}
    assert unique.to_dict() == {f"城东{_SEP}李四": "S3"}


def _by_row(staff: pd.DataFrame, ref: str | None, branch: str | None) -> str | None:
    """A reference resolved on its own, as DOMAIN says: an id, an id without its leading zeros (unambiguous),
    a name unique within the row's branch, a name unique in the whole list."""
    if ref is None:
        return None
    people = staff.dropna(subset=["staff_id"])
    if ref in set(people["staff_id"]):
        return ref
    digits = people[people["staff_id"].str.lstrip("0") == ref.lstrip("0")]
    if len(digits) == 1:
        return digits["staff_id"].iloc[0]
    named = people.dropna(subset=["name"]).drop_duplicates("staff_id")
    if branch is not None:
        here = named[(named["branch"].fillna("") == branch) & (named["name"] == ref)]
        if len(here) == 1:
            return here["staff_id"].iloc[0]
    anywhere = named[named["name"] == ref]
    return anywhere["staff_id"].iloc[0] if len(anywhere) == 1 else None


_REF = st.one_of(st.none(), st.sampled_from(["S1", "01", "1", "张三", "李四", "王五", "赵六"]))


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["S1", "01", "002", "S4"]), st.sampled_from(["张三", "李四", "王五"]),
                          st.sampled_from(["城中", "城东", None])), max_size=6),
       st.lists(st.tuples(_REF, st.sampled_from(["城中", "城东", None])), max_size=10))
def test_each_row_resolves_as_it_would_alone(people, rows):
    staff = pd.DataFrame({"staff_id": [p[0] for p in people], "name": [p[1] for p in people],
                          "branch": [p[2] for p in people]}, dtype="str")
    refs = pd.Series([r for r, _ in rows], dtype="str")
    branches = pd.Series([b for _, b in rows], dtype="str")
    resolved, reason = Directory.from_staff(staff).resolve(refs, branches)
    want = [_by_row(staff, r, b) for r, b in rows]
    assert [None if pd.isna(v) else v for v in resolved] == want
    assert [(w is None and r is not None) for w, (r, _) in zip(want, rows)] == [bool(x) for x in reason.tolist()]


def test_a_row_without_a_branch_is_not_matched_to_the_staff_without_one():
    # Found by hypothesis: 王五 at 城中 and 王五 with no branch on the staff list. A row with no branch naming
    # 王五 is ambiguous (two people of that name), not the one who has no branch either; a row of 城中 is S1's.
    staff = pd.DataFrame({"staff_id": ["S1", "01"], "name": ["王五", "王五"], "branch": ["城中", None]}, dtype="str")
    refs = pd.Series(["王五", "王五", "王五"], dtype="str")
    branches = pd.Series([None, "", "城中"], dtype="str")
    resolved, reason = Directory.from_staff(staff).resolve(refs, branches)
    assert [None if pd.isna(v) else v for v in resolved] == [None, None, "S1"]
    assert "S1" in reason[0] and "01" in reason[0] and reason[1] == reason[0] and reason[2] == ""


def test_names_match_as_people_read_them():
    from branchkit.core.people import name_key

    names = pd.Series(["张　三", "张 三", " 张三", "买买提・艾力", "买买提•艾力", "John  Smith", "John\u3000Smith",
                       "JohnSmith", "李 小 四", None], dtype="str")
    assert name_key(names).tolist()[:-1] == ["张三", "张三", "张三", "买买提·艾力", "买买提·艾力", "John Smith",
                                             "John Smith", "JohnSmith", "李小四"]
    assert pd.isna(name_key(names).iloc[-1])


def test_a_name_spaced_to_line_up_is_the_same_person_both_ways():
    # 张　三 padded to the width of three-character names, in the staff list or in a ledger naming him
    staff = pd.DataFrame({"staff_id": ["S1", "S2", "S3", "S4"], "name": ["张　三", "李小四", "买买提·艾力", "John Smith"],
                          "branch": ["城中", "城中", "城中", "城中"]})
    refs = pd.Series(["张三", "张 三", "李 小 四", "买买提・艾力", "John  Smith", "JohnSmith", "张三丰"], dtype="str")
    branches = pd.Series(["城中"] * len(refs), dtype="str")
    resolved, reason = Directory.from_staff(staff).resolve(refs, branches)
    assert [None if pd.isna(v) else v for v in resolved] == ["S1", "S1", "S2", "S3", "S4", None, None]
    assert "JohnSmith is neither" in reason.iloc[5] and "张三丰 is neither" in reason.iloc[6]


def test_two_people_whose_names_differ_only_by_padding_are_ambiguous_as_written():
    staff = pd.DataFrame({"staff_id": ["S1", "S2"], "name": ["张三", "张　三"], "branch": ["城中", "城中"]})
    resolved, reason = Directory.from_staff(staff).resolve(pd.Series(["张 三"], dtype="str"),
                                                            pd.Series(["城中"], dtype="str"))
    assert pd.isna(resolved.iloc[0])
    assert reason.iloc[0] == "the name 张 三 is not unique: S1 张三 (城中); S2 张　三 (城中) (use the staff id)"


def test_customer_names_are_keyed_by_width_case_padding_and_dots():
    from branchkit.core.people import customer_key

    names = pd.Series(["江城XX有限公司（城中分店）", "江城xx有限公司(城中分店)", " ABC  Co., Ltd. ", "ＡＢＣ　Ｃｏ．，Ｌｔｄ．",
                       "张　三", "买买提．艾力", "买买提·艾力", "abc·def", "甲公司", None], dtype="str")
    assert customer_key(names).tolist()[:-1] == [
        "江城xx有限公司(城中分店)", "江城xx有限公司(城中分店)", "abc co., ltd.", "abc co.,ltd.", "张三",
        "买买提·艾力", "买买提·艾力", "abc.def", "甲公司"]
    assert pd.isna(customer_key(names).iloc[-1])
    plain = pd.Series(["甲公司", "乙公司"], dtype="str")
    assert customer_key(plain).tolist() == ["甲公司", "乙公司"]


def test_a_staff_id_typed_in_full_width_digits_is_that_id():
    # a Chinese input method's digits in a hand-kept ledger; ids stay case-sensitive
    staff = pd.DataFrame({"staff_id": ["001017", "S2", "E01"], "name": ["张三", "李四", "王五"], "branch": ["城中"] * 3})
    refs = pd.Series(["００１０１７", "１０１７", "Ｓ２", "Ｅ０１", "ｅ０１", "Ｘ９"], dtype="str")
    resolved, reason = Directory.from_staff(staff).resolve(refs)
    assert [None if pd.isna(v) else v for v in resolved] == ["001017", "001017", "S2", "E01", None, None]
    assert reason.iloc[4] == "ｅ０１ is neither a staff id nor the name of anyone on the staff list"
