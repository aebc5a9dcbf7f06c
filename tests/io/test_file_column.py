"""The source file on every row (``_file``) is a categorical of the files read, not the path repeated.

As text, a million-row customer list carried its path a million times (80 MB, and as much again for
last month's allocation) through the whole command. The values, comparisons, sorting and everything
written from the column must be what the text gave.
"""

from __future__ import annotations

import pandas as pd

from branchkit import session
from branchkit.io.ledger import _file_column, same_files

HEADER = "客户号,客户名称,客户类型,所属网点,存款余额,管户人,客户状态\n"


def _customers(path, rows):
    path.write_text(HEADER + "".join(f"{r},客户{r},个人,城中支行,{amount},,存量\n" for r, amount in rows),
                    encoding="utf-8")
    return path


def test_a_csv_ledger_names_its_file_on_every_row_as_one_category(tmp_path):
    path = _customers(tmp_path / "客户清单.csv", [("C1", 100), ("C2", 200), ("C3", 300)])
    frame = session.read(customers=[path]).used("customers")
    assert isinstance(frame["_file"].dtype, pd.CategoricalDtype)
    assert list(frame["_file"].cat.categories) == [str(path)]
    assert frame["_file"].astype("str").tolist() == [str(path)] * 3
    assert frame["_file"].eq(str(path)).all()


def test_parts_of_one_kind_join_as_one_categorical_in_text_order(tmp_path):
    late = _customers(tmp_path / "z客户清单.csv", [("Z1", 100), ("Z2", 200)])
    early = _customers(tmp_path / "a客户清单.csv", [("A1", 300)])
    frame = session.read(customers=[late, early]).used("customers")
    assert isinstance(frame["_file"].dtype, pd.CategoricalDtype)
    # Categories sorted by text (not by read order), so sorting the column sorts by the file name.
    assert list(frame["_file"].cat.categories) == [str(early), str(late)]
    by_id = dict(zip(frame["customer_id"], frame["_file"].astype("str")))
    assert by_id == {"Z1": str(late), "Z2": str(late), "A1": str(early)}
    ordered = frame.sort_values("_file", kind="stable")["customer_id"].tolist()
    assert ordered == frame.assign(f=frame["_file"].astype("str")).sort_values("f", kind="stable")[
        "customer_id"].tolist()


def test_same_files_joins_a_categorical_with_text_parts_and_keeps_missing():
    one = pd.DataFrame({"_file": _file_column("b.csv", 2), "x": [1, 2]})
    text = pd.DataFrame({"_file": pd.Series(["c.xlsx", None, "a.xlsx"], dtype="str"), "x": [3, 4, 5]})
    joined = pd.concat(same_files([one, text]), ignore_index=True)
    assert isinstance(joined["_file"].dtype, pd.CategoricalDtype)
    assert list(joined["_file"].cat.categories) == ["a.xlsx", "b.csv", "c.xlsx"]
    values = joined["_file"].astype("str")
    assert values[:3].tolist() == ["b.csv", "b.csv", "c.xlsx"] and pd.isna(values[3]) and values[4] == "a.xlsx"


def test_text_parts_alone_are_left_as_they_are():
    parts = [pd.DataFrame({"_file": pd.Series(["a"], dtype="str")}),
             pd.DataFrame({"_file": pd.Series(["b"], dtype="str")})]
    assert same_files(parts) is parts
    assert _file_column(None, 3) is None


def test_problems_and_rejected_rows_name_the_file_as_text(tmp_path):
    path = _customers(tmp_path / "客户清单.csv", [("C1", 100), ("C2", "abc"), ("C3", 300)])
    ledgers = session.read(customers=[path])
    problems = ledgers.problems
    bad = problems[problems["row"] == 3]
    assert len(bad) and (bad["file"].astype("str") == str(path)).all()
    rejected = ledgers.rejected
    assert rejected["file"].dtype == "str"
    assert rejected["file"].tolist() == [str(path)] and rejected["row"].tolist() == [3]
