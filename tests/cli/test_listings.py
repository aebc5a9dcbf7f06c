"""What the terminal and the problem listings show (issue 16): no ID number or phone in any listing, and no
control character from a ledger cell or a file name reaches the terminal."""

from __future__ import annotations

import csv
import functools
import io
import json

import openpyxl
import pytest
from rich.console import Console

from branchkit import console as console_module
from branchkit.cli import app

ID_TEXT, PHONE_NUMBER = "3.2010219850714e+17", 13812345678.5
SECRETS = ("32010219850714", "2010219850714", "13812345678", "1381234567")   # no digits of these may show


@pytest.fixture
def personal(book, tmp_path):
    """Customers whose ID number and phone were turned into numbers by Excel (two problems on row 3)."""
    return book("客户清单.xlsx", {"客户清单": [
        ["客户号", "客户名称", "客户类型", "存款余额", "证件号码", "联系电话"],
        ["C1", "张三", "个人", 100, "410105199001011234", "13912345678"],
        ["C2", "李四", "个人", 100, float(ID_TEXT), PHONE_NUMBER],
    ]})


def test_problem_listings_never_show_id_numbers_or_phones(runner, personal, tmp_path):
    text = runner.invoke(app, ["validate", str(personal)])
    assert text.exit_code == 1 and "id_precision_lost" in text.stderr and "bad_id" in text.stderr
    listed = runner.invoke(app, ["validate", str(personal), "--format", "json"])
    problems = json.loads(listed.stdout)
    shown = {(p["column"], p["value"]) for p in problems if p["value"]}     # (absent columns carry no value)
    assert shown == {("证件号码", "*" * 19), ("联系电话", "*" * 13)}
    out = tmp_path / "clean.xlsx"
    skipped = runner.invoke(app, ["validate", str(personal), "--skip-invalid", "-o", str(out)])
    assert skipped.exit_code == 0
    rejected = (tmp_path / "clean.xlsx.rejected.csv").read_text(encoding="utf-8")
    everything = text.stderr + listed.stdout + listed.stderr + skipped.stderr + rejected
    for secret in SECRETS:
        assert secret not in everything
    row = list(openpyxl.load_workbook(out)["客户清单"].iter_rows(min_row=2, values_only=True))[0]
    assert "410105********1234" in row and "139****5678" in row


ESC_CELL = "\x1b[2J\x1b]0;pwned\x07坏\u202e\x9b31m"


def test_control_characters_in_cells_and_file_names_never_reach_stderr(runner, tmp_path):
    ledger = tmp_path / "员工\x1b[1m.csv"
    ledger.write_text(f"工号,姓名,岗位,所属网点\nS1,{ESC_CELL},神秘岗位{ESC_CELL},城中支行\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(ledger), "--kind", "staff"])
    assert result.exit_code == 1
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in result.stderr
    assert "员工\\x1b[1m.csv" in result.stderr and "\\x1b[2J\\x1b]0;pwned\\x07坏\\u202e\\x9b31m" in result.stderr
    listed = runner.invoke(app, ["validate", str(ledger), "--kind", "staff", "--format", "json"])
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in listed.stdout
    assert json.loads(listed.stdout)[0]["file"] == str(ledger)         # the same text to a JSON reader
    missing = runner.invoke(app, ["validate", str(tmp_path / "无\x1b]0;x\x07.csv")])
    assert missing.exit_code == 2 and "\x1b" not in missing.stderr and "无\\x1b]0;x\\x07.csv" in missing.stderr


def test_the_problems_table_on_a_terminal_shows_control_characters_written_out(monkeypatch):
    from branchkit.problems import Problem, ProblemLog

    buffer = io.StringIO()
    terminal = Console(file=buffer, force_terminal=True, color_system=None, width=300, highlight=False)
    monkeypatch.setattr(console_module, "err_console", functools.lru_cache(maxsize=1)(lambda: terminal))
    log = ProblemLog()
    log.add(Problem(code="bad_role", message=f"unknown role {ESC_CELL}", file="员\x1b[1m.csv", row=2,
                    column="岗位", value=ESC_CELL))
    console_module.print_problems(log)
    shown = buffer.getvalue()
    assert "\\x1b[2J" in shown and "员\\x1b[1m.csv" in shown
    for raw in ("\x1b[2J", "\x1b]0", "\x07", "\u202e", "\x9b", "\x1b[1m"):
        assert raw not in shown


def test_score_explain_writes_control_characters_out(runner, city_folder):
    deductions = openpyxl.load_workbook(city_folder / "扣分.xlsx")["扣分"]
    rows = [list(r) for r in deductions.iter_rows(values_only=True)]
    rows[2][rows[1].index("原因")] = f"迟到{ESC_CELL}"
    (city_folder / "扣分.xlsx").unlink()
    with open(city_folder / "扣分.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["" if v is None else v for v in r] for r in rows])
    result = runner.invoke(app, ["score", "--month", "2026-10", str(city_folder), "--explain", "S04"])
    assert result.exit_code == 0, result.output
    assert "迟到\\x1b[2J\\x1b]0;pwned\\x07坏\\u202e\\x9b31m" in result.stdout
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in result.stdout + result.stderr
