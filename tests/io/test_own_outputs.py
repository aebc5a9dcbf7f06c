"""branchkit's own outputs in a ledger folder (SPEC): an allocation is last month's allocation (上月分配),
whatever it is called and whether csv (English or Chinese headers), json or xlsx; any other output is
passed over with one note naming it; two allocations with nothing to choose between them stop the run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.io.own import OwnOutput, own_output
from branchkit.models.ledgers import LEDGERS

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
LIMIT = 512 * 1024 * 1024
CUSTOMERS = "客户号,客户名称,客户类型,所属网点,存款余额,管户人\n" + "".join(
    f"C{i:03d},客户{i},个人,城中支行,{1000 * (i + 1)},{'T1' if i % 2 else ''}\n" for i in range(12))
STAFF = "工号,姓名,岗位,网点\nH1,王行长,行长,城中支行\nT1,赵柜员,低柜柜员,城中支行\nT2,钱柜员,综合柜员,城中支行\n"


def _run(*args, code: int = 0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """Every command's outputs on a small sample, once: csv (English and Chinese headers), json, xlsx, html."""
    out = tmp_path_factory.mktemp("outputs")
    sample = out / "ledgers"
    _run("sample", sample, "--branches", "2", "--customers", "300", "-q")
    month = ["--month", "2026-10"]
    runs = [
        (["allocate", sample], ["alloc.csv", "alloc_zh.csv", "alloc.json", "alloc.xlsx", "alloc_en.xlsx"]),
        (["score", *month, sample], ["score.csv", "score_zh.csv", "score.xlsx"]),
        (["staff", sample], ["staff.csv", "staff_zh.csv"]),
        (["staff", sample, "--by", "hour"], ["hours.csv"]),
        (["plan", sample], ["plan.csv", "plan_zh.csv"]),
        (["plan", sample, "--table", "overdue"], ["overdue.csv"]),
        (["report", *month, sample], ["report.csv", "report_zh.csv", "report.html"]),
        (["report", "--quarter", "2026Q3", sample], ["quarter.csv", "quarter_zh.csv"]),
    ]
    for args, names in runs:
        for name in names:
            lang = ["--lang", "zh"] if name.endswith("_zh.csv") else ["--lang", "en"] if "_en." in name else []
            extra = ["--no-ledgers"] if name.endswith(".xlsx") and args[0] == "allocate" else []
            _run(*args, "-o", out / name, *lang, *extra, "--quiet")
    (out / "x.rejected.csv").write_text("ledger,file,sheet,row,reasons\ncustomers,a.csv,,3,bad\n", encoding="utf-8")
    # and as this version names it: the output's whole name
    bad = out / "bad.csv"
    bad.write_text(CUSTOMERS + "C999,坏,个人,城中支行,abc,\n", encoding="utf-8")
    _run("validate", bad, "--kind", "customers", "--skip-invalid", "-o", out / "v.xlsx", "--quiet")
    assert (out / "v.xlsx.rejected.csv").is_file()
    return out


@pytest.mark.parametrize(("name", "what"), [
    ("alloc.csv", "allocation"), ("alloc_zh.csv", "allocation"), ("alloc.json", "allocation"),
    ("alloc.xlsx", "allocation"), ("alloc_en.xlsx", "allocation"),
    ("score.csv", "score"), ("score_zh.csv", "score"), ("score.xlsx", "workbook"),
    ("staff.csv", "staff"), ("staff_zh.csv", "staff"), ("hours.csv", "staff"),
    ("plan.csv", "plan"), ("plan_zh.csv", "plan"), ("overdue.csv", "plan"),
    ("report.csv", "report"), ("report_zh.csv", "report"), ("report.html", "report"),
    ("quarter.csv", "report"), ("quarter_zh.csv", "report"), ("x.rejected.csv", "rejected rows"),
    ("v.xlsx.rejected.csv", "rejected rows"),
])
def test_each_output_is_recognised(outputs, name, what):
    found = own_output(outputs / name, LIMIT)
    assert found is not None and found.what == what
    assert found.sheet == ({"alloc.xlsx": "客户分配表", "alloc_en.xlsx": "Allocation"}.get(name))


@pytest.mark.parametrize("kinds", [[kind] for kind in LEDGERS] + [sorted(LEDGERS)],
                         ids=[*LEDGERS, "every ledger"])
def test_rejected_rows_with_their_ledgers_columns_are_recognised(tmp_path, kinds):
    # the file holds ledger, file, sheet, row, codes, reasons, then the canonical columns of the ledgers
    # with rejected rows: those columns never make it an allocation or another output
    fields = list(dict.fromkeys(name for kind in kinds for name in LEDGERS[kind].columns()))
    path = tmp_path / "out.xlsx.rejected.csv"
    path.write_text(",".join(["ledger", "file", "sheet", "row", "codes", "reasons", *fields]) + "\n", encoding="utf-8")
    assert own_output(path, LIMIT) == OwnOutput("rejected rows")


def test_ledgers_are_not_outputs(tmp_path):
    for path in SAMPLE.iterdir():
        if path.is_file() and path.name != "上月分配.csv":          # the sample's previous is allocate's output
            assert own_output(path, LIMIT) is None, path.name
    for name in ("cleaned.csv", "cleaned.xlsx"):                   # validate's cleaned ledger is a ledger
        _run("validate", SAMPLE / "客户清单.xlsx", "-o", tmp_path / name, "--quiet")
        assert own_output(tmp_path / name, LIMIT) is None, name
    assert own_output(SAMPLE / "上月分配.csv", LIMIT) == OwnOutput("allocation")


def _ledgers(root: Path) -> Path:
    folder = root / "ledgers"
    folder.mkdir()
    (folder / "客户清单.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "员工.csv").write_text(STAFF, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["分配.csv", "结果-zh.csv", "out.json", "分配.xlsx"])
def test_an_allocation_saved_in_the_folder_is_last_months_next_run(tmp_path, name):
    folder = _ledgers(tmp_path)
    lang = ["--lang", "zh"] if "zh" in name else []
    _run("allocate", folder, "-o", folder / name, *lang)
    first = pd.read_csv(folder / name, dtype=str) if name.endswith(".csv") and not lang else None
    if name.endswith(".xlsx"):            # the ledgers lack columns: a notes sheet comes before the allocation
        from openpyxl import load_workbook

        assert load_workbook(folder / name, read_only=True).sheetnames[:2] == ["缺少的列与台账", "客户分配表"]
    again = _run("allocate", folder, "-o", tmp_path / "next.csv")
    assert f"read {folder / name} as last month's allocation (上月分配)" in again.output
    assert "duplicate_id" not in again.output and "previous: read 12, used 12, rejected 0" in again.output
    result = pd.read_csv(tmp_path / "next.csv", dtype=str, keep_default_na=False)
    assert (result["previous_keeper"] == result["keeper"]).all() and result["source"].eq("kept").all()
    if first is not None:
        assert result["keeper"].tolist() == first["keeper"].tolist()


def test_other_outputs_are_passed_over_with_one_note_each(tmp_path, outputs):
    folder = _ledgers(tmp_path)
    for name in ("score.csv", "report.html", "score.xlsx", "hours.csv", "x.rejected.csv", "quarter_zh.csv",
                 "v.xlsx.rejected.csv"):
        shutil.copy(outputs / name, folder / name)
    result = _run("allocate", folder, "-o", tmp_path / "a.csv")
    for name, what in (("score.csv", "a branchkit score output"), ("report.html", "a branchkit report output"),
                       ("score.xlsx", "a workbook written by branchkit ("),
                       ("hours.csv", "a branchkit staff output"), ("x.rejected.csv", "a branchkit rejected rows output"),
                       ("quarter_zh.csv", "a branchkit report output"),
                       ("v.xlsx.rejected.csv", "a branchkit rejected rows output")):
        assert result.output.count(f"skipped {folder / name}: {what}") == 1, name
    assert "skipped sheet" not in result.output
    assert "staff: read 3, used 3" in result.output


def test_two_allocations_and_no_name_to_choose_stop_the_run_naming_both(tmp_path):
    folder = _ledgers(tmp_path)
    _run("allocate", folder, "-o", folder / "a.csv")
    _run("allocate", folder, "-o", tmp_path / "b.csv")
    shutil.copy(tmp_path / "b.csv", folder / "b.csv")
    result = _run("allocate", folder, "-o", tmp_path / "c.csv", code=2)
    assert "2 allocations written by branchkit could each be last month's (上月分配)" in result.output
    assert str(folder / "a.csv") in result.output and str(folder / "b.csv") in result.output


def test_a_file_named_last_months_allocation_wins_and_the_other_is_named(tmp_path):
    folder = _ledgers(tmp_path)
    _run("allocate", folder, "-o", folder / "分配.csv")
    (folder / "上月分配.csv").write_text("客户号,维护责任人\nC000,H1\n", encoding="utf-8")
    result = _run("allocate", folder, "-o", tmp_path / "c.csv")
    assert (f"skipped {folder / '分配.csv'}: an allocation written by branchkit; 上月分配.csv is last month's "
            "allocation (上月分配) by its name") in result.output
    assert "previous: read 1, used 1" in result.output


def test_previous_given_by_option_passes_the_folders_allocation_over(tmp_path):
    folder = _ledgers(tmp_path)
    _run("allocate", folder, "-o", folder / "分配.csv")
    given = tmp_path / "last.csv"
    given.write_text("客户号,维护责任人\nC000,H1\n", encoding="utf-8")
    result = _run("allocate", folder, "--previous", given, "-o", tmp_path / "c.csv")
    assert f"skipped {folder / '分配.csv'}: an allocation written by branchkit; last month's allocation was given " \
           "by --previous" in result.output
    assert "previous: read 1, used 1" in result.output


def test_commands_that_do_not_use_an_allocation_pass_it_over(tmp_path):
    folder = _ledgers(tmp_path)
    _run("allocate", folder, "-o", folder / "分配.csv")
    (folder / "业务量.csv").write_text("网点,网点类型,日均交易笔数\n城中支行,一般网点,200\n", encoding="utf-8")
    result = _run("staff", folder, "-o", tmp_path / "s.csv")
    assert f"skipped {folder / '分配.csv'}: an allocation written by branchkit (last month's allocation, 上月分配), " \
           "which this command does not use" in result.output


def test_an_allocation_named_on_the_command_line_is_last_months(tmp_path):
    folder = _ledgers(tmp_path)
    _run("allocate", folder, "-o", tmp_path / "分配.csv")
    result = _run("allocate", folder / "客户清单.csv", folder / "员工.csv", tmp_path / "分配.csv",
                  "-o", tmp_path / "c.csv")
    assert "previous: read 12, used 12" in result.output and "duplicate_id" not in result.output


def test_forced_kind_reads_an_output_as_told(tmp_path):
    folder = _ledgers(tmp_path)
    _run("allocate", folder, "-o", tmp_path / "分配.csv")
    result = _run("validate", "--kind", "customers", tmp_path / "分配.csv")
    assert "customers: read 12, used 12" in result.output


def test_a_cleaned_ledger_saved_in_the_folder_is_read_as_the_ledger(tmp_path):
    folder = _ledgers(tmp_path)
    _run("validate", folder / "客户清单.csv", "-o", tmp_path / "客户清单.xlsx")
    (folder / "客户清单.csv").unlink()
    shutil.copy(tmp_path / "客户清单.xlsx", folder / "客户清单.xlsx")
    from openpyxl import load_workbook

    assert load_workbook(folder / "客户清单.xlsx").sheetnames == ["客户清单"]        # the ledger only
    result = _run("allocate", folder, "-o", tmp_path / "a.csv")
    assert "customers: read 12, used 12" in result.output


def test_an_allocation_with_customers_nobody_keeps_is_read_back_as_last_months(tmp_path):
    """allocate leaves customers below the deposit floor without a keeper; its output read as last month's
    allocation (and as score's --allocation) takes those rows as "nobody kept it", not as missing values."""
    folder = _ledgers(tmp_path)
    (folder / "rules.toml").write_text("[allocation]\ndeposit_floor = 5000\n", encoding="utf-8")
    _run("allocate", folder, "-o", folder / "分配.csv")
    first = pd.read_csv(folder / "分配.csv", dtype=str, keep_default_na=False).set_index("customer_id")
    below = ["C000", "C001", "C002", "C003"]                     # deposits 1,000 .. 4,000 under the floor
    assert (first.loc[below, "keeper"] == "").all() and (first.drop(below)["keeper"] != "").all()
    again = _run("allocate", folder, "-o", tmp_path / "next.csv")
    assert "previous: read 12, used 12, rejected 0" in again.output and "missing_value" not in again.output
    result = pd.read_csv(tmp_path / "next.csv", dtype=str, keep_default_na=False).set_index("customer_id")
    # nobody kept them in the allocation: the customer list's own 管户人 stands (T1 on odd rows), as before
    assert result.loc[below, "previous_keeper"].tolist() == ["", "T1", "", "T1"]
    assert result.loc[below, "previous_keeper"].tolist() == first.loc[below, "previous_keeper"].tolist()
    kept = result.drop(below)
    assert (kept["previous_keeper"] == first.drop(below)["keeper"]).all() and kept["source"].eq("kept").all()
    checked = _run("validate", "--kind", "previous", folder / "分配.csv", "--format", "json")
    assert checked.stdout.startswith("[]") and "previous: read 12, used 12, rejected 0" in checked.output
