"""Nothing silent: a column a computation decides on missing stops it (exit 1) naming ledger, column and
use; a column that refines is one warning, on stderr, in the problems and on the output's cover."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from branchkit.cli import app

STAFF = "工号,姓名,岗位,网点,在岗\nH1,王行长,行长,城中支行,在岗\nR1,李经理,个人客户经理,城中支行,在岗\n" \
        "T1,赵柜员,低柜柜员,城中支行,在岗\n"
FULL = "客户号,客户名称,客户类型,所属网点,存款余额,贷款余额,金融资产,客户状态,管户人,营销人\n" + "".join(
    f"C{i},客户{i},个人,城中支行,{d},{l},{d},存量,,\n" for i, (d, l) in enumerate(
        [(2_000_000, 0), (150_000, 0), (500, 0), (800, 600_000)]))


def _drop(text: str, column: str) -> str:
    rows = [line.split(",") for line in text.strip().split("\n")]
    j = rows[0].index(column)
    return "\n".join(",".join(r[:j] + r[j + 1:]) for r in rows) + "\n"


def _folder(tmp_path: Path, customers: str = FULL) -> Path:
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "员工.csv").write_text(STAFF, encoding="utf-8")
    (folder / "客户清单.csv").write_text(customers, encoding="utf-8")
    return folder


def _run(*args, code: int = 0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def test_the_full_ledger_says_nothing(tmp_path):
    folder = _folder(tmp_path)
    result = _run("allocate", folder, "-o", tmp_path / "a.csv")
    assert "column_absent" not in result.output and "missing_column" not in result.output


def test_deleting_the_deposit_column_stops_allocate_and_says_why(tmp_path):
    folder = _folder(tmp_path, _drop(FULL, "存款余额"))
    out = tmp_path / "a.csv"
    result = _run("allocate", folder, "-o", out, code=1)
    line = next(l for l in result.output.splitlines() if "missing_column" in l)
    assert line.startswith(f"error: missing_column: {folder / '客户清单.csv'} column 存款余额: ")
    assert "customers ledger (客户清单)" in line and "allocate needs it for relationship tiers" in line
    assert not out.exists()
    assert _run("allocate", folder, "-o", out, "--skip-invalid", code=1) and not out.exists()


def test_validate_says_which_columns_are_absent_as_warnings(tmp_path):
    folder = _folder(tmp_path, _drop(FULL, "存款余额"))
    result = _run("validate", folder / "客户清单.csv", "--format", "json")
    problems = json.loads(result.stdout)
    deposit = next(p for p in problems if p["column"] == "存款余额")
    assert (deposit["code"], deposit["severity"], deposit["kind"]) == ("column_absent", "warning", "customers")
    assert "allocate, plan, score and report --quarter would stop" in deposit["message"]
    assert not any(p["severity"] == "error" for p in problems)
    forced = _run("validate", "--kind", "customers", folder / "客户清单.csv", "--verbose")
    assert any("column 存款余额: column_absent" in line for line in forced.output.splitlines())


def test_report_stops_too(tmp_path):
    folder = _folder(tmp_path, _drop(FULL, "存款余额"))
    result = _run("report", "--month", "2026-10", folder, "-o", tmp_path / "r.html", code=1)
    assert "missing_column" in result.output and not (tmp_path / "r.html").exists()


def test_without_loans_allocate_warns_once_and_the_covers_say_what_is_left_out(tmp_path):
    folder = _folder(tmp_path, _drop(FULL, "贷款余额"))
    result = _run("allocate", folder, "-o", tmp_path / "a.xlsx")
    warnings = [l for l in result.output.splitlines() if "column_absent" in l]
    assert len(warnings) == 1 and "column 贷款余额" in warnings[0]
    assert "no loan customer brought into scope below the floor" in warnings[0]
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames[0] == "缺少的列与台账"
    rows = list(book["缺少的列与台账"].iter_rows(values_only=True))
    assert rows[1][:3] == ("客户清单", "贷款余额 (loan)", "allocate") and rows[1][3].startswith("贷款客户")
    _run("allocate", folder, "-o", tmp_path / "a.html", "--lang", "en")
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "Columns and ledgers not given" in html and "loan customers: none is seen" in html
    _run("allocate", folder, "-o", tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").startswith("customer_id,")     # csv: the table only


def test_a_loan_customer_below_the_floor_is_lost_only_when_the_loan_column_is(tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text("[allocation]\ndeposit_floor = 1000\n", encoding="utf-8")
    folder = _folder(tmp_path)
    _run("allocate", folder, "--rules", rules, "-o", tmp_path / "with.csv")
    assert "C3,客户3,retail,城中支行,mid,mid_high,R1" in (tmp_path / "with.csv").read_text(encoding="utf-8")


def test_the_month_end_pack_lists_absent_columns_on_its_cover(tmp_path):
    folder = _folder(tmp_path, _drop(FULL, "贷款余额"))
    _run("report", "--month", "2026-10", folder, "-o", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    cover = dict(r[:2] for r in book["封面"].iter_rows(values_only=True))
    assert cover["缺少的列与台账"] == "1"
    rows = list(book["缺少的列与台账"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["贷款余额 (loan)"]
    assert book.sheetnames.index("缺少的列与台账") < book.sheetnames.index("网点对比")


def test_score_stops_without_the_visit_kind_unless_outbound_visits_are_not_weighted(tmp_path):
    sample = tmp_path / "s"
    _run("sample", sample, "--branches", "1", "--customers", "200", "-q")
    visits = openpyxl.load_workbook(sample / "拜访记录.xlsx")
    sheet = visits.worksheets[0]
    header = next(r for r in range(1, 6) if "拜访方式" in [c.value for c in sheet[r]])
    column = [c.value for c in sheet[header]].index("拜访方式") + 1
    sheet.delete_cols(column)
    visits.save(sample / "拜访记录.xlsx")
    result = _run("score", "--month", "2026-10", sample, "-o", tmp_path / "s.csv", code=1)
    assert "missing_column: " in result.output and "column 拜访方式" in result.output
    assert "outbound visits" in result.output
    rules = sample / "rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8")
                     + "\n[scoring.roles.corporate_rm.weights]\noutbound_visits = 0\n", encoding="utf-8")
    _run("score", "--month", "2026-10", sample, "-o", tmp_path / "s.csv")


def test_staff_warns_for_the_hourly_volumes_it_has_not(tmp_path):
    folder = _folder(tmp_path)
    (folder / "业务量.csv").write_text("网点,网点类型,日均交易笔数,对公现金日均笔数,对公非现金日均笔数\n"
                                     "城中支行,一般网点,300,50,60\n", encoding="utf-8")
    result = _run("staff", folder, "-o", tmp_path / "s.xlsx")
    line = next(l for l in result.output.splitlines() if "ledger_absent" in l)
    assert line.startswith("warning:") and "no hourly volumes ledger (分时段业务量) was given" in line
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames[0] == "缺少的列与台账"
    rows = list(book["缺少的列与台账"].iter_rows(values_only=True))[1:]
    assert [r[:3] for r in rows] == [("分时段业务量", "整个台账", "staff")]      # the staff list gives current tellers


@pytest.mark.parametrize("missing", ["管户人"])
def test_the_quarter_warns_for_keepers_and_its_csv_is_unchanged(tmp_path, missing):
    folder = _folder(tmp_path)
    history = folder / "history"
    history.mkdir()
    for month in ("2026-06", "2026-09"):
        (history / f"客户清单_{month}.csv").write_text(_drop(FULL, missing), encoding="utf-8")
    result = _run("report", "--quarter", "2026Q3", folder, "-o", tmp_path / "q.xlsx", "--verbose")
    assert result.output.count("column 管户人: column_absent") == 2            # each snapshot read says so
    book = openpyxl.load_workbook(tmp_path / "q.xlsx")
    assert book.sheetnames[0] == "缺少的列与台账"
    rows = list(book["缺少的列与台账"].iter_rows(values_only=True))[1:]
    assert [r[1] for r in rows] == ["管户人 (keeper)"]     # once, though two snapshots lack it


def test_plan_without_visit_records_warns_and_the_month_end_pack_lists_it(tmp_path):
    sample = tmp_path / "s"
    _run("sample", sample, "--branches", "1", "--customers", "200", "-q")
    (sample / "拜访记录.xlsx").unlink()
    result = _run("plan", sample, "-o", tmp_path / "p.csv")
    line = next(l for l in result.output.splitlines() if "ledger_absent" in l)
    assert "no visits ledger (拜访记录) was given: visit records: every planned day due counts as missed" in line
    _run("report", "--month", "2026-10", sample, "-o", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    rows = list(book["缺少的列与台账"].iter_rows(values_only=True))[1:]
    assert ("拜访记录", "整个台账", "plan") in [r[:3] for r in rows]
