"""``validate -o``: the cleaned workbook heads each ledger's columns with that ledger's own label and shows
coded values and flags as words (Chinese, or English words with --lang en); csv keeps canonical names and keys."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from branchkit.cli import app

VISITS = [["拜访日期", "拜访人", "客户号", "客户名称", "拜访方式", "拜访目的", "是否达成目标", "原因"],
          ["2026-10-08", "001", "C01", "甲公司", "电话", "营销代发", "部分达成", "客户在外地"],
          ["2026-10-09", "001", "C01", "甲公司", "上门", "回访", "是", None]]
STAFF = [["工号", "姓名", "岗位", "所属网点", "在岗"],
         ["001", "周对公", "对公客户经理", "城东支行", "在岗"], ["002", "郑离职", "个人客户经理", "城东支行", "离职"]]
CUSTOMERS = [["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "管户人", "会员等级"],
             ["C01", "甲公司", "对公", "城东支行", 1_000, "001", None],
             ["C02", "张三", "个人", "城东支行", 2_000, "001", "黄金"]]
DEDUCTIONS = [["工号", "扣分", "原因", "日期"], ["001", 2, "迟到", "2026-10-10"]]


@pytest.fixture
def folder(book, tmp_path):
    book("拜访记录.xlsx", {"拜访记录": VISITS})
    book("员工.xlsx", {"员工": STAFF})
    book("客户清单.xlsx", {"客户清单": CUSTOMERS})
    book("扣分.xlsx", {"扣分": DEDUCTIONS})
    return tmp_path


@pytest.fixture
def out(tmp_path_factory):
    """A folder for the outputs, apart from the ledgers read."""
    return tmp_path_factory.mktemp("out")


def _records(path, sheet: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_chinese_workbook_heads_each_ledger_with_its_own_labels_and_shows_words(runner, folder, out):
    target = out / "all.xlsx"
    result = runner.invoke(app, ["validate", str(folder), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    visits = _records(target, "拜访记录")
    # a visit's kind is how it was made (not the customer's 客户类型); its reason is free text (not 原因代码)
    assert "客户类型" not in visits[0] and "原因代码" not in visits[0]
    assert [(v["拜访方式"], v["是否达成目标"], v["原因"]) for v in visits] == [
        ("电话", "部分达成", "客户在外地"), ("外拓", "是", None)]
    assert visits[0]["拜访人工号"] == "001"
    staff = _records(target, "员工")
    assert [(s["姓名"], s["人员状态"], s["在职"]) for s in staff] == [("周对公", "在岗", "是"), ("郑离职", "离职", "否")]
    assert [c["会员等级"] for c in _records(target, "客户清单")] == [None, "黄金"]
    assert _records(target, "扣分")[0]["扣分原因"] == "迟到"


def test_english_workbook_has_english_words_never_keys(runner, folder, out):
    target = out / "all.xlsx"
    result = runner.invoke(app, ["validate", str(folder), "-o", str(target), "--lang", "en", "-q"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target, read_only=True)
    assert {"Visit records", "Staff list", "Customer list", "Deductions"} <= set(book.sheetnames)
    visits = _records(target, "Visit records")
    assert [(v["Visit date"] is not None, v["Visit kind"], v["Goal reached"]) for v in visits] == [
        (True, "Phone", "Partly"), (True, "Outbound", "Yes")]
    assert [(s["State"], s["Employed"]) for s in _records(target, "Staff list")] == [("Active", "Yes"), ("Left", "No")]
    assert [c["Member grade"] for c in _records(target, "Customer list")] == [None, "Gold"]
    headers = {h for sheet in book.worksheets for h in next(sheet.iter_rows(max_row=1, values_only=True))}
    assert not {h for h in headers if isinstance(h, str) and "_" in h}, headers


def test_the_chinese_workbook_reads_back_as_the_ledgers(runner, folder, out):
    target = out / "all.xlsx"
    assert runner.invoke(app, ["validate", str(folder), "-o", str(target), "-q"]).exit_code == 0
    again = out / "again.xlsx"
    result = runner.invoke(app, ["validate", str(target), "-o", str(again), "-q"])
    assert result.exit_code == 0, result.output
    assert _records(again, "拜访记录") == _records(target, "拜访记录")
    assert _records(again, "员工") == _records(target, "员工")


@pytest.mark.parametrize("lang", [[], ["--lang", "zh"]])
def test_csv_keeps_the_keys(runner, folder, out, lang):
    target = out / "visits.csv"
    result = runner.invoke(app, ["validate", str(folder / "拜访记录.xlsx"), "-o", str(target), *lang, "-q"])
    assert result.exit_code == 0, result.output
    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    column = rows[0].index("拜访方式" if lang else "kind")
    assert [r[column] for r in rows[1:]] == ["phone", "outbound"]
    achieved = rows[0].index("是否达成目标" if lang else "achieved")
    assert [r[achieved] for r in rows[1:]] == ["partly", "yes"]
