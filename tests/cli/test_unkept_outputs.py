"""Customers without keeper leave a trace in every per-keeper table the outputs carry: the quarter's csv
(its only table) sums to the branch's figures, and people see the row named 无维护人 / no keeper."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from branchkit.cli import app

HEADER = "客户号,客户名称,客户类型,所属网点,存款余额,贷款余额,管户人,营销人,客户状态\n"
STAFF = "工号,姓名,岗位,网点\nS1,张三,对公客户经理,城中支行\nH1,王五,行长,城中支行\n"
# id, keeper at the end of June, keeper at the end of September, deposits (June, September); None: absent
ROWS = [("C1", "S1", "S1", 2e6, 1.5e6), ("C2", "", "", 2e5, 3e5), ("C3", "S1", "", 1e4, 2e4),
        ("C4", "", None, 5e4, None), ("C5", None, "", None, 7e4)]


def _folder(root: Path) -> Path:
    folder = root / "ledgers"
    (folder / "history").mkdir(parents=True)
    (folder / "员工.csv").write_text(STAFF, encoding="utf-8")
    for month, at in (("2026-06", 0), ("2026-09", 1)):
        lines = [f"{cid},{cid}公司,对公,城中支行,{(d0, d1)[at]},0,{(k0, k1)[at]},,存量\n"
                 for cid, k0, k1, d0, d1 in ROWS if (k0, k1)[at] is not None]
        (folder / "history" / f"客户清单_{month}.csv").write_text(HEADER + "".join(lines), encoding="utf-8")
    return folder


def _run(*args) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def test_the_quarter_csv_sums_to_the_branch_figures(tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "q.csv"
    _run("report", "--quarter", "2026Q3", folder, "-o", out)
    frame = pd.read_csv(out, dtype={"keeper": "str"}, keep_default_na=False)
    assert frame["keeper"].tolist() == ["S1", ""]            # the keepers, then the customers nobody kept
    unkept = frame[frame["keeper"] == ""].iloc[0]
    assert (unkept["branch"], unkept["keeper_name"]) == ("城中支行", "")
    assert unkept[["customers_start", "customers_end", "new", "lost"]].tolist() == [2, 3, 1, 1]
    assert frame["customers_start"].sum() == 4 and frame["customers_end"].sum() == 4
    assert frame["deposit_end"].sum() == 1.5e6 + 3e5 + 2e4 + 7e4
    assert frame["deposit_start"].sum() == 2e6 + 2e5 + 1e4 + 5e4


def test_people_see_the_unkept_row_named(tmp_path):
    folder = _folder(tmp_path)
    for lang, label in (("zh", "无维护人"), ("en", "no keeper")):
        out = tmp_path / f"q-{lang}.xlsx"
        _run("report", "--quarter", "2026Q3", folder, "-o", out, "--lang", lang)
        book = openpyxl.load_workbook(out)
        sheet = book["客户关系管理效果统计表" if lang == "zh" else "Relationship effect per keeper"]
        rows = list(sheet.iter_rows(values_only=True))
        name = rows[0].index("维护责任人" if lang == "zh" else "Keeper")
        assert [r[name] for r in rows[1:]][-1] == label


def test_the_allocation_workbook_lists_the_unkept_in_the_1_to_n_table(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "员工.csv").write_text("工号,姓名,岗位,网点\nT1,赵六,低柜柜员,城中支行\n", encoding="utf-8")
    (folder / "客户清单.csv").write_text(HEADER + "K1,甲,个人,城中支行,100,0,,,存量\n"
                                          "K2,乙,个人,城中支行,2000000,0,,,存量\n", encoding="utf-8")
    out = tmp_path / "a.xlsx"
    _run("allocate", folder, "-o", out)
    sheet = openpyxl.load_workbook(out)["1对N维护责任表"]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    last = dict(zip(head, rows[-1]))
    assert (last["维护责任人工号"], last["维护责任人姓名"], last["客户数"], last["高端客户数"]) == (None, "无维护人", 1, 1)
    assert sum(r[head.index("客户数")] for r in rows[1:]) == 2
    balance = list(openpyxl.load_workbook(out)["负荷均衡"].iter_rows(values_only=True))
    assert dict(zip(balance[0], balance[-1]))["岗位"] == "无维护人"
