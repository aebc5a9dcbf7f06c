"""The rejected rows (``io.rejected``, ``Ledgers.rejected``): where each row is, its codes and reasons, and
its values in its ledger's canonical columns, as written where a cell failed, never an ID number or phone."""

from __future__ import annotations

import pandas as pd

from branchkit import session
from branchkit.io.rejected import PLACE
from branchkit.models.ledgers import LEDGERS

CUSTOMER_FIELDS = [n for n in LEDGERS["customers"].columns()]
STAFF_ONLY = [n for n in LEDGERS["staff"].columns() if n not in CUSTOMER_FIELDS]


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_each_rejected_row_holds_its_codes_and_its_values_in_canonical_columns(tmp_path):
    customers = _write(tmp_path / "客户清单.csv", "客户号,客户名称,客户类型,存款余额,开户日期\n"
                       "C1,张三,个人,100,2024-03-05\nC2,李四,个人,一百,2024-03-06\nC3,王五,对公,300,2024-13-01\n")
    staff = _write(tmp_path / "员工.csv", "工号,姓名,岗位,所属网点\nS1,赵六,综合柜员,城中支行\nS2,,神秘岗,城中支行\n")
    rejected = session.read(staff=[staff], customers=[customers]).rejected
    assert list(rejected.columns) == [*PLACE, *CUSTOMER_FIELDS, *STAFF_ONLY]
    assert rejected[["ledger", "row", "codes"]].values.tolist() == [
        ["customers", 3, "not_a_number"], ["customers", 4, "bad_date"], ["staff", 3, "missing_value;unknown_role"]]
    assert rejected["reasons"].iloc[0] == "存款余额: expected a number"
    two, three, staff_row = (rejected.iloc[i] for i in range(3))
    # values as branchkit writes them; the cells that failed as they were written
    assert (two["customer_id"], two["name"], two["kind"], two["deposit"], two["open_date"]) == (
        "C2", "李四", "retail", "一百", "2024-03-06")
    assert (three["deposit"], three["open_date"]) == ("300.00", "2024-13-01")
    assert (staff_row["staff_id"], staff_row["branch"], staff_row["role"]) == ("S2", "城中支行", "神秘岗")
    # a column its ledger does not have is blank
    assert pd.isna(staff_row["customer_id"]) and pd.isna(staff_row["deposit"]) and pd.isna(two["staff_id"])
    assert "_rid" not in rejected and "_row" not in rejected


def test_a_failed_cell_is_found_under_each_sheets_own_header(tmp_path):
    one = _write(tmp_path / "a.csv", "客户号,客户名称,客户类型,存款余额\nC1,甲,个人,abc\n")
    two = _write(tmp_path / "b.csv", "客户编号,户名,客户类型,存款\nC2,乙,个人,xyz\n")
    rejected = session.read(customers=[two, one]).rejected
    assert rejected["file"].tolist() == [str(one), str(two)]            # by file, whatever order they came in
    assert rejected["deposit"].tolist() == ["abc", "xyz"]


def test_a_dataframe_names_its_columns_by_field(tmp_path):
    frame = pd.DataFrame({"customer_id": ["1", "2"], "name": ["甲", "乙"], "kind": ["对公", "个人"],
                          "deposit": ["5", "五块"]})
    rejected = session.read(customers=frame).rejected
    assert rejected[["customer_id", "deposit", "codes"]].values.tolist() == [["2", "五块", "not_a_number"]]


def test_id_numbers_and_phones_are_masked_in_the_rejected_rows(tmp_path):
    customers = _write(tmp_path / "客户清单.csv", "客户号,客户名称,客户类型,存款余额,证件号码,联系电话\n"
                       "C1,张三,个人,一百,410105199001011234,13912345678\n"
                       "C2,李四,个人,二百,3.2010219850714e+17,1381234567\n")
    rejected = session.read(customers=[customers]).rejected
    assert rejected["id_number"].tolist() == ["410105********1234", "*" * 19]
    assert rejected["phone"].tolist() == ["139****5678", "*" * 10]
    text = rejected.to_csv()
    for secret in ("199001011234", "13912345678", "2010219850714", "1381234567"):
        assert secret not in text


def test_no_rejected_row_gives_the_place_columns_only(tmp_path):
    customers = _write(tmp_path / "客户清单.csv", "客户号,客户名称,客户类型\nC1,张三,个人\n")
    rejected = session.read(customers=[customers]).rejected
    assert rejected.empty and list(rejected.columns) == list(PLACE)
