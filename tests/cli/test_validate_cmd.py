"""``branchkit validate`` through the CLI: exit codes, problem reports, --skip-invalid accounting."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from branchkit.cli import app

HEAD = ["客户号", "客户名称", "客户类型", "存款余额", "开户日期"]


@pytest.fixture
def messy(book):
    """A customer list with errors on Excel rows 6 (amount), 8 (date) and 9 (duplicate id)."""
    return book("客户清单.xlsx", {"客户清单": [
        ["城中支行存量客户清单"], [], HEAD,
        ["000123", "张三", "个人", 100, "2024-03-05"],
        ["000124", "李四", "个人", 200, "2024/3/6"],
        ["000125", "王五", "个人", "一百", "2024-03-07"],
        ["000126", "赵六", "对公", "1,000", "2024年3月8日"],
        ["000127", "钱七", "个人", 300, "2024-13-01"],
        ["000123", "孙八", "个人", 400, "20240309"],
        ["合计", None, None, 2000, None],
    ]}, merges={"客户清单": ["A1:E1"]})


def test_clean_ledger_exits_0_and_prints_the_accounting(runner, book):
    path = book("客户清单.xlsx", {"客户清单": [HEAD, ["1", "张三", "个人", 1, "2024-01-01"]]})
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "customers: read 1, used 1, rejected 0" in result.stderr


def test_errors_exit_1_and_name_each_row_in_text(runner, messy):
    result = runner.invoke(app, ["validate", str(messy)])
    assert result.exit_code == 1
    for row, code in ((6, "not_a_number"), (8, "bad_date"), (9, "duplicate_id")):
        assert f"row {row}" in result.stderr and code in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_errors_in_json_name_each_row(runner, messy):
    result = runner.invoke(app, ["validate", str(messy), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    problems = [p for p in found if p["row"] is not None]
    assert [(p["row"], p["code"]) for p in problems] == [(6, "not_a_number"), (8, "bad_date"), (9, "duplicate_id")]
    # and the columns the commands read that this ledger lacks, as warnings (validate computes nothing)
    absent = [p for p in found if p["row"] is None]
    assert {(p["code"], p["severity"]) for p in absent} == {("column_absent", "warning")}
    assert {"贷款余额", "管户人", "企业规模"} <= {p["column"] for p in absent}
    first = problems[0]
    assert (first["file"].endswith("客户清单.xlsx"), first["sheet"], first["column"], first["value"]) == (
        True, "客户清单", "存款余额", "一百")


def test_skip_invalid_writes_clean_rows_and_rejected_rows_and_accounts_for_every_row(runner, messy, tmp_path):
    out = tmp_path / "clean.csv"
    result = runner.invoke(app, ["validate", str(messy), "--skip-invalid", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "customers: read 6, used 3, rejected 3" in result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("customer_id,name,kind,branch,deposit,loan,financial_assets,scale,industry,is_tech,"
                               "keeper,status,open_date,id_number,phone")
    assert [line.split(",")[0] for line in lines[1:]] == ["000123", "000124", "000126"]
    rejected = (tmp_path / "clean.csv.rejected.csv").read_text(encoding="utf-8")
    assert [line.split(",")[3] for line in rejected.splitlines()[1:]] == ["6", "8", "9"]


def test_without_skip_invalid_nothing_is_written(runner, messy, tmp_path):
    out = tmp_path / "clean.csv"
    result = runner.invoke(app, ["validate", str(messy), "-o", str(out)])
    assert result.exit_code == 1
    assert not out.exists()


def test_cleaned_ledger_pipes_to_stdout(runner, messy):
    result = runner.invoke(app, ["validate", str(messy), "--skip-invalid", "-o", "-", "--quiet"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("000123,张三,retail,,100.00")


def test_lang_zh_csv_has_chinese_headers_and_a_bom(runner, messy, tmp_path):
    out = tmp_path / "clean.csv"
    runner.invoke(app, ["validate", str(messy), "--skip-invalid", "-o", str(out), "--lang", "zh"])
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").startswith("客户号,")


@pytest.mark.parametrize(("args", "message"), [
    (["validate", "missing.xlsx"], "no such file"),
    (["validate", "{tmp}/notes.docx"], "unsupported file type"),
    (["validate", "{book}", "--sheet", "不存在"], "no sheet named"),
    (["validate", "{book}", "--rules", "{tmp}/bad.toml"], "tiers.retail.foo: unknown key"),
    (["validate", "{book}", "--kind", "nonsense"], "unknown ledger kind"),
    (["validate", "{book}", "-o", "{tmp}/out.txt"], "extension must be one of"),
])
def test_user_errors_exit_2_without_traceback(runner, book, tmp_path, args, message):
    path = book("客户清单.xlsx", {"客户清单": [HEAD, ["1", "张三", "个人", 1, "2024-01-01"]]})
    (tmp_path / "notes.docx").write_bytes(b"x")
    (tmp_path / "bad.toml").write_text("[tiers.retail]\nfoo = 1\n", encoding="utf-8")
    args = [a.format(tmp=tmp_path, book=path) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr and result.exception is None or isinstance(result.exception, SystemExit)


def test_debug_shows_the_traceback(runner, tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.xlsx"), "--debug"])
    assert result.exit_code != 0
    assert result.exception is not None and not isinstance(result.exception, SystemExit)


def test_refuses_to_write_over_its_input_and_leaves_it_untouched(runner, book):
    path = book("客户清单.xlsx", {"客户清单": [HEAD, ["1", "张三", "个人", 1, "2024-01-01"]]})
    before = path.read_bytes()
    result = runner.invoke(app, ["validate", str(path), "-o", str(path)])
    assert result.exit_code == 2
    assert "one of this command's inputs" in result.stderr
    assert path.read_bytes() == before


def test_installed_console_script_runs(tmp_path, book):
    script = Path(sys.executable).with_name("branchkit")
    command = [str(script)] if script.exists() else [shutil.which("branchkit") or "branchkit"]
    path = book("客户清单.xlsx", {"客户清单": [HEAD, ["000123", "张三", "个人", 1, "2024-01-01"]]})
    version = subprocess.run(command + ["--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("branchkit ")
    result = subprocess.run(command + ["validate", str(path), "-o", "-", "-q"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("000123,")
    module = subprocess.run([sys.executable, "-m", "branchkit", "--version"], capture_output=True, text=True, timeout=60)
    assert module.returncode == 0


def test_every_command_has_help_with_an_example(runner):
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.stdout, f"{name} --help has no example"


def test_a_duplicate_in_another_file_names_that_file_and_columns_are_headers(runner, tmp_path):
    # a folder holding 客户清单.xlsx and Windows' copy of it: both with a sheet 客户清单 and the id on row 2;
    # the message named no file ("first on row 2 of 客户清单") and the column was the field, customer_id
    from tests.conftest import write_book

    head = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "管户人"]
    for name in ("客户清单.xlsx", "客户清单 - 副本.xlsx"):
        write_book(tmp_path / name, {"客户清单": [head, ["0000001", "甲", "个人", "城中支行", 100, "S9"]]})
    write_book(tmp_path / "认领.xlsx", {"认领": [["工号", "客户号"], ["S1", "0000009"]]})
    write_book(tmp_path / "员工.xlsx", {"员工": [["工号", "姓名", "岗位", "所属网点"], ["S1", "张三", "行长", "城中支行"]]})
    result = runner.invoke(app, ["validate", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output
    found = {p["code"]: p for p in json.loads(result.stdout) if p["row"] is not None}
    dup = found["duplicate_id"]
    assert (Path(dup["file"]).name, dup["sheet"], dup["row"], dup["column"]) == ("客户清单.xlsx", "客户清单", 2, "客户号")
    assert dup["message"] == (f"the id appears again (first on row 2 of 客户清单 in {tmp_path / '客户清单 - 副本.xlsx'}); "
                              "each customer once")
    assert (found["unknown_customer"]["sheet"], found["unknown_customer"]["column"]) == ("认领", "客户号")
    assert found["unknown_staff"]["column"] == "管户人"


def test_section_heading_rows_are_said_in_the_read_line_and_the_summary(runner, book, tmp_path):
    # before: the merged 一、对公客户 was read as a customer, one error per column, exit 1
    path = book("客户清单.xlsx", {"客户清单": [
        HEAD, ["一、对公客户"], ["000001", "甲公司", "对公", 100, "2024-03-05"],
        ["二、个人客户"], ["000002", "张三", "个人", 5, "2024-03-06"], ["合计", None, None, 105, None],
    ]}, merges={"客户清单": ["A2:E2"]})
    summary = tmp_path / "run.json"
    result = runner.invoke(app, ["validate", str(path), "--summary", str(summary)])
    assert result.exit_code == 0, result.output
    assert ("customers: read 2, used 2, rejected 0 (1 totals row(s) not counted as data; "
            "2 section heading row(s) not counted as data)") in result.stderr
    customers = json.loads(summary.read_text(encoding="utf-8"))["ledgers"][0]
    assert (customers["read"], customers["totals_rows"], customers["section_rows"]) == (2, 1, 2)


@pytest.mark.parametrize("kind", ["staff", "customers", "visits"])
def test_a_cleaned_ledger_reads_back_as_itself(runner, tmp_path, kind):
    # the cleaned staff list carries `active` (derived) beside `state`, which name one field: it was refused
    # on reading back (duplicate_field), so `validate -o` could not feed a pipe or a later run
    name = {"staff": "员工.xlsx", "customers": "客户清单.xlsx", "visits": "拜访记录.xlsx"}[kind]
    sample = Path(__file__).parents[2] / "sample_data" / name
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert runner.invoke(app, ["validate", str(sample), "--kind", kind, "-o", str(first), "-q"]).exit_code == 0
    again = runner.invoke(app, ["validate", str(first), "--kind", kind, "-o", str(second), "-q"])
    assert again.exit_code == 0, again.output
    assert second.read_bytes() == first.read_bytes()


def test_a_volumes_workbook_of_two_shapes_is_told_to_choose_the_sheet(runner, tmp_path):
    # --kind volumes still reads the daily and the hourly sheet: the message said "choose one with --kind"
    volumes = Path(__file__).parents[2] / "sample_data" / "业务量.xlsx"
    both = runner.invoke(app, ["validate", str(volumes), "--kind", "volumes", "-o", str(tmp_path / "v.csv")])
    assert both.exit_code == 2 and "choose one with --sheet" in both.output
    one = runner.invoke(app, ["validate", str(volumes), "--kind", "volumes", "--sheet", "日均业务量",
                              "-o", str(tmp_path / "v.csv"), "-q"])
    assert one.exit_code == 0, one.output
