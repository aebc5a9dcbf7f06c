"""``branchkit report --quarter`` on month-end snapshots whose migrations are known (Must show 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.io.snapshots import month_of

HEADER = "客户号,客户名称,客户类型,所属网点,存款余额,贷款余额,管户人,营销人,客户状态\n"
# id, name, keeper, (deposit, loan) at the end of June, of August, of September (None: not on the books)
CUSTOMERS = [
    ("C01", "甲公司", "S1", (2_000_000, 0), (1_800_000, 0), (1_500_000, 0)),      # high -> high
    ("C02", "乙公司", "S1", (1_200_000, 0), (900_000, 0), (500_000, 0)),          # high -> mid
    ("C03", "丙公司", "S1", (200_000, 0), (600_000, 0), (1_100_000, 0)),          # mid -> high
    ("C04", "丁公司", "S1", (300_000, 0), (300_000, 0), (300_000, 0)),            # mid -> mid
    ("C05", "戊公司", "S1", (150_000, 0), (90_000, 0), (50_000, 0)),              # mid -> general
    ("C06", "己公司", "S2", (20_000, 0), (20_000, 0), (30_000, 0)),               # general -> general
    ("C07", "庚公司", "S2", (10_000, 0), (10_000, 300_000), (10_000, 600_000)),   # general -> mid (loan)
    ("C08", "辛公司", "S2", (5_000_000, 0), None, None),                           # high -> lost
    ("C09", "壬公司", "S2", (1_000, 0), (1_000, 0), None),                         # general -> lost
    ("C10", "癸公司", "S1", None, (2_000_000, 0), (3_000_000, 0)),                # new -> high
    ("C11", "子公司", "S2", None, None, (5_000, 0)),                               # new -> general
]
MONTHS = ["2026-06", "2026-08", "2026-09"]


def _folder(root: Path, months: list[str] = MONTHS) -> Path:
    folder = root / "ledgers"
    (folder / "history").mkdir(parents=True)
    (folder / "员工.csv").write_text("工号,姓名,岗位,网点\nS1,张三,对公客户经理,城中支行\nS2,李四,对公客户经理,城中支行\n",
                                    encoding="utf-8")
    (folder / "拜访记录.csv").write_text(
        "拜访日期,工号,客户号,客户名称,拜访方式\n"
        "2026-08-10,S1,C01,,外拓\n"
        "2026-09-01,S1,,丙公司,上门\n"          # by name only
        "2026-10-02,S2,C06,,电话\n",            # after the quarter: not counted
        encoding="utf-8")
    for i, month in enumerate(MONTHS):
        if month not in months:
            continue
        lines = [f"{cid},{name},对公,城中支行,{values[0]},{values[1]},{keeper},,存量\n"
                 for cid, name, keeper, *snaps in CUSTOMERS if (values := snaps[i]) is not None]
        (folder / "history" / f"客户清单_{month}.csv").write_text(HEADER + "".join(lines), encoding="utf-8")
    return folder


def _run(*args) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def _rows(sheet) -> dict[str, list[object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return {str(r[0]): list(r[1:]) for r in rows[1:]}


def test_migration_matrix_and_keeper_effect(tmp_path):
    folder = _folder(tmp_path)
    book_path, json_path = tmp_path / "q.xlsx", tmp_path / "q.json"
    result = _run("report", "--quarter", "2026Q3", folder, "-o", book_path)
    assert "no month-end snapshot for 2026-07" in result.output
    book = openpyxl.load_workbook(book_path)
    matrix = _rows(book["客户层级迁移矩阵"])
    header = [c.value for c in book["客户层级迁移矩阵"][1]]
    assert header == ["季初层级", "高端", "中端", "一般", "流失", "合计"]
    assert matrix == {
        "高端": [1, 1, 0, 1, 3],
        "中端": [1, 1, 1, 0, 3],
        "一般": [0, 1, 1, 1, 3],
        "新增": [1, 0, 1, 0, 2],
        "合计": [3, 3, 3, 2, 11],
    }
    trend = _rows(book["各月末客户与余额"])
    assert list(trend) == ["2026-06", "2026-08", "2026-09"]
    assert trend["2026-09"][0] == 9

    _run("report", "--quarter", "2026Q3", folder, "-o", json_path, "-q")
    keepers = {r["keeper"]: r for r in json.loads(json_path.read_text(encoding="utf-8"))}
    s1, s2 = keepers["S1"], keepers["S2"]
    assert (s1["keeper_name"], s1["customers_start"], s1["customers_end"], s1["new"], s1["lost"]) == ("张三", 5, 6, 1, 0)
    assert (s1["upgraded"], s1["downgraded"], s1["high_start"], s1["high_end"]) == (1, 2, 2, 3)
    assert (s1["visits"], s1["high_visited"], s1["high_visit_coverage"]) == (2, 2, 0.6667)
    assert s1["deposit_start"] == 3_850_000 and s1["deposit_end"] == 6_450_000 and s1["deposit_change"] == 2_600_000
    assert (s2["customers_start"], s2["customers_end"], s2["new"], s2["lost"], s2["upgraded"]) == (4, 3, 1, 2, 1)
    assert s2["visits"] == 0 and s2["loan_end"] == 600_000


def test_html_has_a_chart_per_section(tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "q.html"
    _run("report", "--quarter", "2026q3", folder, "-o", out, "-q")
    html = out.read_text(encoding="utf-8")
    assert "客户关系管理季度分析报告 2026Q3" in html and "客户关系管理效果统计表" in html
    sections = html.split("<section")[1:]
    assert len(sections) == 6 and all("<svg" in s for s in sections)
    assert "https://" not in html and "http://" not in html


@pytest.mark.parametrize("months, missing", [(["2026-06", "2026-08"], "2026-09"), (["2026-08", "2026-09"], "2026-06")])
def test_a_missing_start_or_end_snapshot_is_a_usage_error(tmp_path, months, missing):
    folder = _folder(tmp_path, months)
    result = CliRunner().invoke(app, ["report", "--quarter", "2026Q3", str(folder), "-o", str(tmp_path / "q.html")])
    assert result.exit_code == 2
    assert f"no month-end customer snapshot for {missing}" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "q.html").exists()


@pytest.mark.parametrize("name", ["客户清单_2026-09", "customers_202609", "客户清单2026年9月", "客户清单2026-9",
                                  "customers_2026_9", "客户清单2026.9.5", "客户清单20260930", "客户清单_2026-09-30",
                                  "客户清单2026年9月30日", "客户清单_2026_9_30", "客户清单2026-09(1)",
                                  "2026-09-30_2026-09-01"])
def test_month_in_file_names(name):
    # the month alone, one digit after a separator, or the data date a core system stamps on its export
    assert str(month_of(name)) == "2026-09"


@pytest.mark.parametrize("name, month", [("客户清单2026-1-12", "2026-01"), ("客户清单2026-11", "2026-11"),
                                         ("客户清单2026-12-01", "2026-12"), ("客户清单202610", "2026-10")])
def test_a_one_digit_month_is_not_read_into_a_two_digit_one(name, month):
    assert str(month_of(name)) == month


@pytest.mark.parametrize("name", ["客户清单", "2026-09_vs_2026-06", "202609301", "2026091", "20261301", "2026-13",
                                  "客户清单2026", "客户清单2026-0"])
def test_no_month_or_two_months_in_a_name_is_none(name):
    assert month_of(name) is None


def test_what_the_history_folder_holds_besides_snapshots_is_noted(tmp_path):
    folder = _folder(tmp_path)
    (folder / "history" / "客户清单(十月).csv").write_text(HEADER, encoding="utf-8")
    (folder / "history" / "~$客户清单_2026-08.xlsx").write_bytes(b"lock")
    result = _run("report", "--quarter", "2026Q3", folder, "-o", tmp_path / "q.csv")
    assert "客户清单(十月).csv: its name holds no month" in result.output
    assert "~$客户清单_2026-08.xlsx: an Office lock file" in result.output


def test_a_missing_snapshot_error_names_the_files_passed_over(tmp_path):
    folder = _folder(tmp_path, ["2026-08", "2026-09"])
    (folder / "history" / "客户清单六月底.csv").write_text(HEADER, encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--quarter", "2026Q3", str(folder), "-o", str(tmp_path / "q.csv")])
    assert result.exit_code == 2
    assert "no month-end customer snapshot for 2026-06" in result.output
    assert "客户清单六月底.csv: its name holds no month" in result.output


def test_the_console_script(tmp_path):
    folder = _folder(tmp_path)
    out = tmp_path / "q.csv"
    script = Path(sys.executable).with_name("branchkit")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "branchkit"]
    done = subprocess.run([*command, "report", "--quarter", "2026Q3", str(folder), "-o", str(out), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("branch,keeper,keeper_name,keeper_role,customers_start,customers_end,new,lost")
    assert [line.split(",")[1] for line in lines[1:]] == ["S1", "S2"]


def test_a_snapshot_whose_own_date_is_another_month_than_its_name_is_said(tmp_path):
    folder = _folder(tmp_path)
    june = folder / "history" / "客户清单_2026-06.csv"
    june.write_text("数据日期：2026年5月31日\n" + june.read_text(encoding="utf-8"), encoding="utf-8")
    september = folder / "history" / "客户清单_2026-09.csv"
    september.write_text("数据日期：2026年9月30日\n" + september.read_text(encoding="utf-8"), encoding="utf-8")
    result = _run("report", "--quarter", "2026Q3", folder, "-o", tmp_path / "q.json")
    said = [line for line in result.output.splitlines() if "ledger_dated_otherwise" in line]
    assert len(said) == 1 and "客户清单_2026-06.csv" in said[0]           # September's date fits its name
    assert "the list is dated 2026-05-31 (数据日期：2026年5月31日) but the month computed is 2026-06" in said[0]
