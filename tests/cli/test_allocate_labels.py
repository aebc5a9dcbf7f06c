"""``allocate``: a customer's member grade (会员等级) in words in the workbook and the page, keys in csv/json."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from branchkit.cli import app

STAFF = [["工号", "姓名", "岗位", "所属网点", "在岗"],
         ["001", "李行长", "行长", "城东支行", "在岗"], ["002", "郑个人", "个人客户经理", "城东支行", "在岗"]]
CUSTOMERS = [["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "会员等级", "客户状态"],
             ["C01", "张三", "个人", "城东支行", 300_000, "黄金", "存量"],
             ["C02", "李四", "个人", "城东支行", 900_000, "钻石", "存量"],
             ["C03", "王五", "个人", "城东支行", 5_000, None, "存量"]]


@pytest.fixture
def args(book, tmp_path):
    customers = book("客户清单.xlsx", {"客户清单": CUSTOMERS})
    staff = book("员工.xlsx", {"员工": STAFF})
    return ["allocate", "--customers", str(customers), "--staff", str(staff), "-q"]


@pytest.mark.parametrize(("lang", "sheet", "header", "words"), [
    ("zh", "客户分配表", "会员等级", ["黄金", "钻石", None]),
    ("en", "Allocation", "Member grade", ["Gold", "Diamond", None]),
])
def test_workbook_shows_member_grades_in_words(runner, args, tmp_path, lang, sheet, header, words):
    target = tmp_path / f"a_{lang}.xlsx"
    result = runner.invoke(app, [*args, "-o", str(target), "--lang", lang])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(target, read_only=True)[sheet].iter_rows(values_only=True))
    records = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert [records[c][header] for c in ("C01", "C02", "C03")] == words


@pytest.mark.parametrize(("lang", "word", "key"), [("zh", "黄金", "gold"), ("en", "Gold", "gold")])
def test_page_shows_member_grades_in_words(runner, args, tmp_path, lang, word, key):
    target = tmp_path / f"a_{lang}.html"
    result = runner.invoke(app, [*args, "-o", str(target), "--lang", lang])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert f">{word}<" in page and f">{key}<" not in page


def test_csv_and_json_carry_the_grade_keys(runner, args, tmp_path):
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "a.csv"), "--lang", "zh"]).exit_code == 0
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "a.json"), "--lang", "zh"]).exit_code == 0
    with open(tmp_path / "a.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["客户号"]: r["会员等级"] for r in csv.DictReader(fh)}
    assert rows == {"C01": "gold", "C02": "diamond", "C03": ""}
    grades = {r["customer_id"]: r["vip_grade"] for r in json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))}
    assert grades == {"C01": "gold", "C02": "diamond", "C03": None}
