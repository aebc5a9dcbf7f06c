"""``branchkit score`` end to end: ledgers as branches keep them in, every output format, --explain, --compare."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import branchkit
from branchkit.cli import app

MONTH = ["--month", "2026-10"]
SPEC_COLUMNS = ["staff_id", "name", "role", "branch", "points_outbound_visits", "points_referrals",
                "points_deposit_up", "points_products_sold", "points_new_customers", "worklog_bonus", "deductions",
                "total", "rank", "bonus", "piece_rate_pay"]
WHAT_IF = "[scoring.roles.default.weights]\nreferrals = 60\ndeposit_up = 10\n"


def _run(runner, *args):
    return runner.invoke(app, ["score", *MONTH, *[str(a) for a in args]])


def _sheet(path: Path, title: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in book[title].iter_rows(values_only=True)]


def _records(rows: list[list[object]]) -> list[dict[str, object]]:
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_csv_has_the_spec_columns_and_the_hand_computed_bonuses(runner, city_folder, tmp_path):
    target = tmp_path / "score.csv"
    result = _run(runner, city_folder, "-o", target)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0])[:len(SPEC_COLUMNS)] == SPEC_COLUMNS
    bonus = {r["staff_id"]: r["bonus"] for r in rows}
    assert bonus == {"S01": "6534.05", "S02": "5880.64", "S03": "5201.37", "S04": "5726.51", "S05": "5426.43",
                     "S06": "5201.37", "S07": "1437.88", "S08": "4801.26"}
    assert sum(round(float(b) * 100) for b in bonus.values()) == 4_020_951     # the pool, to the cent
    assert "read 196, used 196, rejected 0" in result.stderr
    assert "worklog: 90 counted, 2 day already logged, 2 not a working day, 1 outside the month" in result.stderr


def test_xlsx_has_every_sheet_read_back(runner, city_folder, tmp_path):
    target = tmp_path / "score.xlsx"
    assert _run(runner, city_folder, "-o", target).exit_code == 0
    names = openpyxl.load_workbook(target, read_only=True).sheetnames
    assert names[:9] == ["积分与绩效工资", "平衡计分卡", "奖金池", "绩效工资", "台账行计入情况", "积分卡明细", "计价台账",
                         "审计明细", "未计入的行"]
    assert names[9:] == ["S04 刘洋", "S05 陈静", "S03 张伟", "S06 杨帆", "S08 黄丽", "S07 赵磊", "S01 王强", "S02 李敏"]
    summary = {r["工号"]: r for r in _records(_sheet(target, "积分与绩效工资"))}
    assert (summary["S04"]["总分"], summary["S04"]["排名"], summary["S04"]["绩效奖金(元)"]) == (57.25, 1, 5726.51)
    cards = _records(_sheet(target, "积分卡明细"))
    assert len(cards) == 8 * 5                                           # one row per person and metric
    audit = _records(_sheet(target, "审计明细"))
    first = next(r for r in audit if r["工号"] == "S03" and r["指标代码"] == "outbound_visits")
    assert (first["文件"].endswith("拜访记录.xlsx"), first["工作表"], first["行号"]) == (True, "拜访记录", 3)
    pieces = _records(_sheet(target, "计价台账"))
    assert sum(r["金额(元)"] for r in pieces) == pytest.approx(698.36)


def test_statement_sheet_of_a_person(runner, city_folder, tmp_path):
    target = tmp_path / "score.xlsx"
    assert _run(runner, city_folder, "-o", target).exit_code == 0
    rows = _sheet(target, "S03 张伟")
    assert rows[0][0].startswith("张伟（S03）2026-10 绩效工资单")
    cells = [c for r in rows for c in r if c is not None]
    assert "外出客户拓展" in cells and 15 in cells and 52 in cells       # a metric, its points, the total
    assert "应发合计" in cells and 5417.20 in cells                      # 5,201.37 + 215.83
    assert "营销实施" in cells and "信息获取" not in cells
    sheet = openpyxl.load_workbook(target)["S03 张伟"]
    assert sheet.oddHeader.left.text == "城中支行" and "城中支行" in rows[0][0]      # the person's branch
    assert sheet.oddHeader.right.text == "2026-10"


def test_html_has_ranking_bars_and_a_printable_page_per_person(runner, city_folder, tmp_path):
    target = tmp_path / "score.html"
    assert _run(runner, city_folder, "-o", target).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.count("<svg") == 2                                        # ranking, per-person bars
    assert text.count('class="page-break"') == 8
    assert "张伟（S03）2026-10 绩效工资单" in text and "http" not in text.split("<body>")[1].split("<footer")[0]


def test_json_is_one_record_per_person(runner, city_folder, tmp_path):
    target = tmp_path / "score.json"
    assert _run(runner, city_folder, "-o", target).exit_code == 0
    records = json.loads(target.read_text(encoding="utf-8"))
    assert [r["staff_id"] for r in records] == ["S04", "S05", "S03", "S06", "S08", "S07", "S01", "S02"]
    assert records[0]["points_outbound_visits"] == 24.0 and records[0]["rank"] == 1


def test_explain_lists_each_metric_with_its_rows(runner, city_folder):
    result = _run(runner, city_folder, "--explain", "S03")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for metric in ("outbound_visits", "referrals", "deposit_up", "products_sold", "new_customers"):
        assert f"({metric}):" in out
    assert "拜访记录.xlsx [拜访记录] 第 3 行  2026-10-08" in out
    assert "拜访记录.xlsx [拜访记录] 第 12 行  不在本月" in out              # the September visit, not counted
    assert "客户清单.xlsx [客户清单] 第 3 行  C001 客户C001  存款 120,000.00 > 月初 100,000.00（" in out
    assert "产品营销.xlsx [产品营销] 第 3 行  2026-10-09  客户C001  信用卡（联合营销，信息获取人 S06）" in out
    assert "工作日志.xlsx [工作日志] 第 40 行  同日重复日志" in out
    assert "总分 52.00，排名 3" in out
    assert "绩效奖金: 5,201.37  总分 52.00 / 277.88 × 剩余奖金 27,794.82（未取整 5,201.3705）" in out


def test_explain_in_english_and_for_someone_who_left(runner, city_folder):
    result = _run(runner, city_folder, "--explain", "S04", "--lang", "en")
    assert "extra" not in result.stdout and "拜访记录.xlsx [拜访记录] row 14  2026-10-08  C005" in result.stdout
    assert "deductions: -3.00" in result.stdout and "扣分.xlsx [扣分] row 3  2026-10-15  迟到  3 point(s)" \
        in result.stdout
    left = _run(runner, city_folder, "--explain", "S09")
    assert left.exit_code == 0 and "已离职" in left.stdout and "56.00" in left.stdout


def test_explain_an_unknown_id_is_a_usage_error(runner, city_folder):
    result = _run(runner, city_folder, "--explain", "S99")
    assert result.exit_code == 2 and "S99" in result.stderr and result.stdout == ""


def test_compare_shows_changes_per_person(runner, city_folder, tmp_path):
    what_if = tmp_path / "what_if.toml"
    what_if.write_text(WHAT_IF, encoding="utf-8")
    target = tmp_path / "compare.xlsx"
    result = _run(runner, city_folder, "--compare", what_if, "-o", target)
    assert result.exit_code == 0, result.output
    assert "compare: 7 of 8 people change" in result.stderr
    rows = _records(_sheet(target, "规则对比"))
    changes = {r["工号"]: r["总分变化"] for r in rows}
    assert changes["S06"] == pytest.approx(24.0) and changes["S03"] == 0
    printed = _run(runner, city_folder, "--compare", what_if)
    assert "total_change" in printed.stdout and "S06" in printed.stdout


def test_compare_keeps_the_run_rules_it_does_not_change(runner, city_folder, tmp_path):
    # The folder's rules.toml holds the holidays; the what-if file changes only weights, so the
    # work-log bonus (18 working days) is the same in both runs.
    what_if = tmp_path / "what_if.toml"
    what_if.write_text(WHAT_IF, encoding="utf-8")
    target = tmp_path / "compare.csv"
    assert _run(runner, city_folder, "--compare", what_if, "-o", target).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {r["worklog_bonus_change"] for r in rows} == {"0.00"}


def test_missing_ledger_stops_with_exit_1_and_writes_nothing(runner, city_folder, tmp_path):
    (city_folder / "绩效工资.xlsx").unlink()
    target = tmp_path / "score.csv"
    result = _run(runner, city_folder, "-o", target)
    assert result.exit_code == 1 and "missing_ledger" in result.stderr and "--pool" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize("rows", [0, 1])
def test_a_month_start_list_without_customers_stops_with_exit_1(runner, city_folder, tmp_path, rows):
    # a header and no rows would make every customer new; one row is a real (if short) list
    from openpyxl import load_workbook

    path = city_folder / "月初客户清单.xlsx"
    book = load_workbook(path)
    sheet = book.active
    header = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if "客户号" in row)
    sheet.delete_rows(header + 1 + rows, sheet.max_row)
    book.save(path)
    target = tmp_path / "score.csv"
    result = _run(runner, city_folder, "-o", target)
    if rows == 0:
        assert result.exit_code == 1 and "empty_month_start" in result.stderr and not target.exists()
    else:
        assert result.exit_code == 0 and "empty_month_start" not in result.stderr and target.exists()


def test_a_month_without_working_days_stops_with_exit_1(runner, city_folder, tmp_path):
    days = ", ".join(f"2026-10-{d:02d}" for d in range(1, 32))
    rules = tmp_path / "r.toml"
    rules.write_text(f"[calendar]\nholidays = [{days}]\n", encoding="utf-8")
    result = _run(runner, city_folder, "--rules", rules, "-o", tmp_path / "s.csv")
    assert result.exit_code == 1 and "no_working_days" in result.stderr


@pytest.mark.parametrize("args", [["--month", "2026-13"], ["--month", "2026-10", "--explain", "S01", "-o", "-"]])
def test_usage_errors_exit_2(runner, city_folder, args):
    result = runner.invoke(app, ["score", str(city_folder), *args])
    assert result.exit_code == 2


def test_a_bad_row_stops_unless_skipped(runner, city_folder, tmp_path):
    book = openpyxl.load_workbook(city_folder / "产品营销.xlsx")
    book.active.append(["2026-10-20", "信用卡", "客户C001", "无此人", None, 5])
    book.save(city_folder / "产品营销.xlsx")
    target = tmp_path / "score.csv"
    assert _run(runner, city_folder, "-o", target).exit_code == 1 and not target.exists()
    result = _run(runner, city_folder, "-o", target, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "score.csv.rejected.csv").exists() and "rejected 1" in result.stderr


def test_same_input_same_bytes_whatever_the_jobs(runner, city_folder, tmp_path):
    outs = []
    for i, jobs in enumerate(("1", "1", "2")):
        target = tmp_path / f"s{i}.csv"
        assert _run(runner, city_folder, "-o", target, "--jobs", jobs).exit_code == 0
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_csv_to_stdout_and_ranking_without_output(runner, city_folder):
    piped = _run(runner, city_folder, "-o", "-")
    assert piped.stdout.startswith("staff_id,name,role,branch,points_outbound_visits")
    printed = _run(runner, city_folder)
    assert printed.exit_code == 0 and printed.stdout.splitlines()[1].split()[:3] == ["城中支行", "1", "S04"]


def test_refuses_to_write_over_an_input(runner, city_folder):
    result = _run(runner, city_folder, "-o", city_folder / "员工.xlsx")
    assert result.exit_code == 2 and "refusing" in result.stderr


def test_help_has_an_example(runner):
    result = runner.invoke(app, ["score", "--help"])
    assert result.exit_code == 0 and "Example: branchkit score --month" in result.stdout


@pytest.mark.slow
def test_runs_as_a_program(city_folder, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(branchkit.__file__).parents[1]))
    target = tmp_path / "score.csv"
    done = subprocess.run([sys.executable, "-m", "branchkit", "score", *MONTH, str(city_folder), "-o", str(target),
                           "--quiet"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and target.read_text(encoding="utf-8").count("\n") == 9


def test_allocation_keeps_what_the_month_end_list_leaves_unkept(runner, city_folder, tmp_path):
    book = openpyxl.load_workbook(city_folder / "客户清单.xlsx")
    sheet = book.active
    keeper = [c.value for c in sheet[2]].index("管户人") + 1
    sheet.cell(row=3, column=keeper).value = None                 # C001 (rose) now has no keeper
    book.save(city_folder / "客户清单.xlsx")
    allocation = tmp_path / "allocation.csv"
    allocation.write_text("customer_id,keeper\nC001,S04\n", encoding="utf-8")
    before = _run(runner, city_folder, "--explain", "S04")
    after = _run(runner, city_folder, "--explain", "S04", "--allocation", allocation)
    assert "(deposit_up): 实际 3 " in before.stdout and "(deposit_up): 实际 4 " in after.stdout
    assert "deposit_up_without_keeper" in before.stderr and "deposit_up_without_keeper" not in after.stderr
