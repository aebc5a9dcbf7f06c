"""``branchkit plan`` end to end on a branch's ledgers as they keep them.

``sample_data/`` (from ``branchkit sample``) is not on this branch yet, so ``branch`` below draws
the equivalent: a 甘特图.xlsx with one sheet per corporate manager (weekends absent), one with a
``客户经理:`` line and a generic sheet name, one with every day 1..31 and merged cells; a
拜访记录.xlsx with a title row; 客户清单.xlsx; 员工.xlsx.
"""

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
from branchkit.io.charts import GANTT_COLORS

WORKDAYS = [1, 2, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30]
ALL_DAYS = list(range(1, 32))
VISIT_HEADER = ["拜访日期", "拜访人", "客户号", "客户名称", "拜访方式", "拜访目的", "沟通人", "可能需求", "可能异议",
                "如何达成目标", "实际沟通人", "搜集信息", "是否达成目标", "下一步计划", "需执行动作", "负责人点评"]


def _marks(days: list[int], marks: dict[int, str]) -> list:
    return [marks.get(d) for d in days]


def _gantt(path: Path) -> None:
    book = openpyxl.Workbook()
    zhang = book.active
    zhang.title = "张三"
    for row in (["2026年10月 公司客户经理工作计划甘特图"], ["序号", "项目/客户", "月度工作目标", *WORKDAYS],
                [1, "甲公司", "存款新增500万", *_marks(WORKDAYS, {1: "拜访", 8: "延迟至15日", 20: "签约"})],
                [2, "乙公司", "代发工资", *_marks(WORKDAYS, {5: "尽调", 12: "延至14日"})],
                [3, "科技园项目", "摸排园区企业", *_marks(WORKDAYS, {21: "走访"})]):
        zhang.append(row)
    zhang.merge_cells("A1:H1")
    zhang.merge_cells("F4:H4")                                   # 乙公司: 尽调 on days 5, 6, 7
    li = book.create_sheet("Sheet2")
    for row in (["客户经理：李四", None, "所属网点：城中支行"], ["2026年10月"], ["项目/客户", "月度工作目标", *ALL_DAYS],
                ["丙公司", "贷款投放", *_marks(ALL_DAYS, {3: "拜访", 9: "→15"})],
                ["丁公司", "开户", *_marks(ALL_DAYS, {10: "->15", 16: "回访"})]):
        li.append(row)
    wang = book.create_sheet("王五")
    for row in (["2026年10月"], ["项目/客户", "月度工作目标", *ALL_DAYS],
                ["戊公司", "授信续作", *_marks(ALL_DAYS, {12: "上门"})]):
        wang.append(row)
    wang.merge_cells("N3:P3")                                    # days 12-14
    book.save(path)


def _visits(path: Path) -> None:
    rows = [
        ("2026-10-01", "张三", "C001", "甲公司", "外拓"), ("2026-10-15", "E001", None, "甲公司", "上门"),
        ("2026-10-22", "张三", "C001", None, "电话"), ("2026-10-05", "张三", None, "乙公司", "外拓"),
        ("2026-10-07", "张三", None, "乙公司", "外拓"), ("2026-10-03", "李四", None, "丙公司", "外拓"),
        ("2026-10-15", "李四", "C003", None, "外拓"), ("2026-10-15", "E002", None, "丁公司", "外拓"),
        ("2026-10-16", "李四", None, "丁公司", "外拓"), ("2026-10-28", "李四", None, "丁公司", "电话"),
        ("2026-10-12", "王五", None, "戊公司", "外拓"), ("2026-10-14", "王五", None, "戊公司", "外拓"),
        ("2026-08-20", "王五", "C006", "己公司", "外拓"), ("2026-07-01", "王五", None, "戊公司", "外拓"),
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "拜访记录"
    sheet.append(["目标客户拓展记录表"])
    sheet.append(VISIT_HEADER)
    for i, (day, who, cid, name, kind) in enumerate(rows):
        filled = ["目的", "财务总监", "代发", "费率", "方案", "财务总监", "有意向", "是", "再访", "报价",
                  None if i % 3 else "好"]
        sheet.append([day, who, cid, name, kind, *filled])
    book.save(path)


def _customers(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["城中支行存量客户清单"])
    sheet.append(["客户号", "客户名称", "客户类型", "所属网点", "存款余额(万元)", "贷款余额(万元)", "管户人"])
    for row in (["C001", "甲公司", "对公", "城中支行", 500, 0, "张三"], ["C002", "乙公司", "对公", "城中支行", 30, 0, "张三"],
                ["C003", "丙公司", "对公", "城中支行", 5, 0, "李四"], ["C004", "丁公司", "对公", "城中支行", 0, 300, "李四"],
                ["C005", "戊公司", "对公", "城中支行", 200, 0, "王五"], ["C006", "己公司", "对公", "城中支行", 150, 0, "王五"]):
        sheet.append(row)
    sheet.append(["合计", None, None, None, 885, 300, None])
    book.save(path)


def _staff(path: Path, extra: list | None = None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "岗位", "所属网点"])
    for row in (["E001", "张三", "法人客户经理", "城中支行"], ["E002", "李四", "对公客户经理", "城中支行"],
                ["E003", "王五", "对公客户经理", "城中支行"], ["E004", "赵六", "大堂经理", "城中支行"], *(extra or [])):
        sheet.append(row)
    book.save(path)


@pytest.fixture
def branch(tmp_path) -> Path:
    folder = tmp_path / "ledgers"
    folder.mkdir()
    _gantt(folder / "甘特图.xlsx")
    _visits(folder / "拜访记录.xlsx")
    _customers(folder / "客户清单.xlsx")
    _staff(folder / "员工.xlsx")
    return folder


def _args(folder: Path) -> list[str]:
    return ["plan", "--plan", str(folder / "甘特图.xlsx"), "--visits", str(folder / "拜访记录.xlsx"),
            "--staff", str(folder / "员工.xlsx"), "--customers", str(folder / "客户清单.xlsx"), "--month", "2026-10"]


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


EXPECTED = {   # staff_id, customer -> planned, done_on_time, slipped, slip_kept, missed, unplanned
    ("E001", "甲公司"): (3, 1, 1, 1, 1, 1), ("E001", "乙公司"): (4, 2, 1, 0, 1, 0), ("E001", "科技园项目"): (1, 0, 0, 0, 1, 0),
    ("E002", "丙公司"): (2, 1, 1, 1, 0, 0), ("E002", "丁公司"): (2, 1, 1, 1, 0, 1), ("E003", "戊公司"): (3, 2, 0, 0, 1, 0),
}


def test_csv_on_stdout_has_the_spec_columns_and_the_numbers(runner, branch):
    result = runner.invoke(app, [*_args(branch), "-o", "-"])
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout)
    assert list(rows[0])[:3] == ["staff_id", "staff_name", "branch"]
    for column in ("staff_id", "customer", "goal", "planned", "done_on_time", "slipped", "missed", "unplanned",
                   "adherence", "slip_kept"):
        assert column in rows[0]
    got = {(r["staff_id"], r["customer"]): tuple(int(r[c]) for c in
                                                 ("planned", "done_on_time", "slipped", "slip_kept", "missed", "unplanned"))
           for r in rows}
    assert got == EXPECTED
    jia = next(r for r in rows if r["customer"] == "甲公司")
    assert (jia["staff_name"], jia["goal"], jia["adherence"], jia["customer_id"]) == ("张三", "存款新增500万", "0.3333", "C001")
    assert "read" in result.stderr and "plan: read" in result.stderr


def assert_gantt_colours_match_csv(book: openpyxl.Workbook, rows: list[dict]) -> int:
    """Every manager has a Gantt sheet whose day cells, counted by fill colour, give the CSV's numbers."""
    colour_of = {v.lstrip("#").upper(): k for k, v in GANTT_COLORS.items()}
    checked = 0
    for staff_id, name in dict.fromkeys((r["staff_id"], r["staff_name"]) for r in rows):
        sheet = book[f"甘特图-{name}"[:31]]
        header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "客户")
        days = [c for c in range(3, sheet.max_column + 1)
                if str(sheet.cell(header, c).value or "").split("\n")[0].isdigit()]
        mine = [x for x in rows if x["staff_id"] == staff_id]
        for r, csv_row in zip(range(header + 1, header + 1 + len(mine)), mine):
            assert sheet.cell(r, 1).value == csv_row["customer"]
            states = [colour_of.get((sheet.cell(r, c).fill.fgColor.rgb or "")[-6:].upper())
                      for c in days if sheet.cell(r, c).fill.fill_type == "solid"]
            for state, column in (("done", "done_on_time"), ("slipped", "slipped"), ("missed", "missed"),
                                  ("unplanned", "unplanned"), ("planned", "not_due")):
                assert states.count(state) == int(csv_row[column]), (name, csv_row["customer"], state)
            # a kept slip colours its new date, unless that day is planned itself (then it keeps its own state)
            assert states.count("slip_kept") <= int(csv_row["slip_kept"]), (name, csv_row["customer"])
            checked += 1
        assert any(sheet.cell(r, 1).value == "图例" for r in range(1, sheet.max_row + 1)), "a legend block"
    return checked


def test_the_xlsx_gantt_sheets_are_coloured_as_the_adherence_csv_says(runner, branch, tmp_path):
    out, table = tmp_path / "plan.xlsx", tmp_path / "plan.csv"
    for target in (out, table):
        result = runner.invoke(app, [*_args(branch), "-o", str(target)])
        assert result.exit_code == 0, result.output
    rows = _csv(table.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(out)
    assert {"甘特图-张三", "甘特图-李四", "甘特图-王五"} <= set(book.sheetnames)
    assert {"计划执行情况", "客户经理汇总", "拜访记录完整性", "逾期未拜访客户"} <= set(book.sheetnames)
    assert assert_gantt_colours_match_csv(book, rows) == len(EXPECTED)
    jia = book["甘特图-张三"]
    row = next(r for r in range(1, 10) if jia.cell(r, 1).value == "甲公司")
    header = next(r for r in range(1, 10) if jia.cell(r, 1).value == "客户")
    assert [jia.cell(header, c).value.split("\n")[0] for c in range(3, 34)] == [str(d) for d in ALL_DAYS]
    assert jia.cell(row, 2 + 8).value == "延迟至15日"                   # the action text stays in its cell
    assert jia.cell(row, 2 + 15).value == "←8"
    states = {c: jia.cell(row, c).fill.fgColor.rgb[-6:] for c in (2 + 1, 2 + 8, 2 + 15, 2 + 20, 2 + 22)}
    assert states == {3: "009E73", 10: "E69F00", 17: "F0E442", 22: "D55E00", 24: "CC79A7"}


SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.mark.skipif(not (SAMPLE / "甘特图.xlsx").exists(), reason="sample_data/ is not on this branch yet")
def test_the_shipped_sample_gantt_is_coloured_as_its_adherence_csv_says(runner, tmp_path):
    def run(target):
        args = ["plan", "--plan", str(SAMPLE / "甘特图.xlsx"), "--visits", str(SAMPLE / "拜访记录.xlsx"),
                "--staff", str(SAMPLE / "员工.xlsx"), "--customers", str(SAMPLE / "客户清单.xlsx"),
                "--month", "2026-10", "-o", str(target)]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    run(tmp_path / "plan.xlsx")
    run(tmp_path / "plan.csv")
    rows = _csv((tmp_path / "plan.csv").read_text(encoding="utf-8"))
    assert assert_gantt_colours_match_csv(openpyxl.load_workbook(tmp_path / "plan.xlsx"), rows) == len(rows) > 0


def test_html_draws_a_heat_strip_per_manager(runner, branch, tmp_path):
    out = tmp_path / "plan.html"
    result = runner.invoke(app, [*_args(branch), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('class="cell"') == 31 * (3 + 2 + 1)       # customers x days, three managers
    assert 'data-state="slip_kept"' in html and 'data-state="unplanned"' in html
    assert "http://" not in html and "https://" not in html
    assert "张三 2026-10" in html and "Plan adherence" in html


def test_overdue_and_other_tables_on_demand(runner, branch):
    result = runner.invoke(app, [*_args(branch), "--table", "overdue", "-o", "-"])
    assert result.exit_code == 0, result.output
    overdue = {r["customer_id"]: r for r in _csv(result.stdout)}
    # 己公司 (high: 150万) was last visited 2026-08-20: 72 days before 31 October, cadence 31
    assert overdue["C006"]["days_since_visit"] == "72" and overdue["C006"]["tier"] == "high"
    assert overdue["C006"]["last_visitor"] == "E003" and overdue["C006"]["keeper"] == "E003"
    assert "C001" not in overdue                                # 甲公司 (high) was visited on 22 October
    result = runner.invoke(app, [*_args(branch), "--table", "completeness", "-o", "-"])
    completeness = {r["staff_id"]: r for r in _csv(result.stdout)}
    assert completeness["E001"]["visits"] == "5" and completeness["E001"]["after_incomplete"] == "3"


def test_json_carries_the_same_rows(runner, branch, tmp_path):
    out = tmp_path / "plan.json"
    assert runner.invoke(app, [*_args(branch), "-o", str(out)]).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    rows = data if isinstance(data, list) else data["rows"]
    assert {(r["staff_id"], r["customer"]) for r in rows} == set(EXPECTED)


def test_a_folder_is_enough_when_the_title_gives_the_month(runner, branch):
    result = runner.invoke(app, ["plan", str(branch), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert len(_csv(result.stdout)) == len(EXPECTED)


def test_a_plan_for_someone_not_on_the_staff_list_stops_the_run(runner, branch, tmp_path):
    book = openpyxl.load_workbook(branch / "甘特图.xlsx")
    book["王五"].title = "钱八"
    book.save(branch / "甘特图.xlsx")
    result = runner.invoke(app, [*_args(branch), "-o", str(tmp_path / "plan.csv")])
    assert result.exit_code == 1
    assert "plan_unknown_rm" in result.stderr and "钱八" in result.stderr
    assert result.stderr.count("plan_unknown_rm") == 1             # once per Gantt row, not once per day
    assert not (tmp_path / "plan.csv").exists()
    result = runner.invoke(app, [*_args(branch), "--skip-invalid", "-o", str(tmp_path / "plan.csv")])
    assert result.exit_code == 0, result.output
    assert "rejected 3" in result.stderr and (tmp_path / "plan.csv.rejected.csv").exists()


def test_a_mark_on_a_day_the_month_lacks_is_an_error_naming_the_cell(runner, branch):
    book = openpyxl.load_workbook(branch / "甘特图.xlsx")
    book["王五"]["C1"] = None
    book["王五"]["A1"] = "2026年11月"
    book["王五"].cell(3, 2 + 31, "拜访")
    book.save(branch / "甘特图.xlsx")
    result = runner.invoke(app, ["plan", "--plan", str(branch / "甘特图.xlsx"), "--month", "2026-11", "-o", "-"])
    assert result.exit_code == 1
    assert "plan_day_not_in_month" in result.stderr and "AG3" in result.stderr


@pytest.mark.parametrize(("extra", "message"), [
    (["--month", "2026-13"], "YYYY-MM"),
    (["--month", "2026-10", "--as-of", "2026-11-02"], "not in 2026-10"),
])
def test_usage_errors_exit_2(runner, branch, extra, message):
    args = [a for a in _args(branch) if a not in ("--month", "2026-10")]
    result = runner.invoke(app, [*args, *extra, "-o", "-"])
    assert result.exit_code == 2 and message in result.stderr


def test_refuses_to_overwrite_an_input(runner, branch):
    result = runner.invoke(app, [*_args(branch), "-o", str(branch / "拜访记录.xlsx")])
    assert result.exit_code == 2 and "one of this command's inputs" in result.stderr


def test_help_has_an_example(runner):
    result = runner.invoke(app, ["plan", "--help"])
    assert result.exit_code == 0 and "Example: branchkit plan" in result.stdout


def test_the_console_entry_point_runs_it(branch):
    env = {**os.environ, "PYTHONPATH": str(Path(branchkit.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-m", "branchkit", *_args(branch), "-o", "-"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(_csv(done.stdout)) == len(EXPECTED)


def test_the_gantt_sheet_reads_like_the_hand_drawn_plan_and_prints(runner, branch, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[calendar]\nholidays = [2026-10-01, 2026-10-02]\nextra_workdays = [2026-10-10]\n",
                     encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(app, [*_args(branch), "--rules", str(rules), "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["甘特图-张三"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "客户")
    widths = {i: d.width for d in sheet.column_dimensions.values() for i in range(d.min, d.max + 1)}
    assert len({widths[c] for c in range(3, 34)}) == 1                         # one width for every day
    assert sheet.row_dimensions[header].height >= 2 * 13                          # "1" over "四": two lines
    assert sheet.print_title_rows == f"${header}:${header}"
    assert sheet.page_setup.orientation == "landscape" and sheet.oddHeader.left.text == "城中支行"

    def fill(row: int, day: int) -> str | None:
        cell = sheet.cell(row, 2 + day)
        return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None

    empty = next(r for r in range(header + 1, header + 4) if sheet.cell(r, 1).value == "科技园项目")
    # 1 (a holiday, Thursday), 3-4 (weekend) shaded; 5 (Monday) and 10 (a make-up working Saturday) not
    assert [fill(header, d) for d in (1, 3, 5, 10)] == ["BFBFBF", "BFBFBF", "DDEBF7", "DDEBF7"]
    assert [fill(empty, d) for d in (1, 2, 3, 4, 5, 10, 11)] == ["D9D9D9", "D9D9D9", "D9D9D9", "D9D9D9", None,
                                                                   None, "D9D9D9"]
    jia = next(r for r in range(header + 1, header + 4) if sheet.cell(r, 1).value == "甲公司")
    assert fill(jia, 1) == "009E73"                        # a visit on a holiday keeps its state's colour
    assert widths[1] >= 2 * len("科技园项目") and sheet.cell(jia, 1).alignment.wrap_text
    legend = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "图例")
    assert [sheet.cell(legend + 1, c).value for c in (1, 2)] == ["计划状态", "含义"]
    assert sheet.cell(legend + 8, 1).value == "周末/节假日"
