"""``branchkit init``'s templates are ledgers to fill in: read as ledgers once rows are filled in, named
and not read while blank; a run where every file given is passed over stops (exit 2) instead of
checking nothing and saying so as if rows had been read."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.io.own import own_output

LIMIT = 512 * 1024 * 1024


def _run(*args, code: int = 0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def _fill(path: Path, rows: list[list[object]]) -> None:
    """Rows typed into a template's ledger sheet (as a user does, saved by another program)."""
    book = openpyxl.load_workbook(path)
    sheet = book[book.sheetnames[0]]
    for row in rows:
        sheet.append(row)
    book.save(path)


@pytest.fixture
def filled(tmp_path) -> Path:
    """A folder ``init`` made, with 员工 and 客户清单 filled in and the other templates left blank."""
    folder = tmp_path / "ledgers"
    _run("init", folder, "-q")
    _fill(folder / "员工.xlsx", [["101", "张三", "行长", "城中支行", "是", "一般网点"],
                                 ["102", "李四", "个人客户经理", "城中支行", "是", "一般网点"]])
    _fill(folder / "客户清单.xlsx", [["0001", "甲", "个人", "城中支行", 1500000, 0, None, None, None, None, "102",
                                      "存量", "2020-01-01"],
                                     ["0002", "乙", "个人", "城中支行", -5, 0, None, None, None, None, "102",
                                      "存量", "2020-01-01"]])
    return folder


def test_a_template_is_not_taken_for_an_output(filled):
    assert own_output(filled / "客户清单.xlsx", LIMIT).is_template
    assert own_output(filled / "认领.xlsx", LIMIT).is_template


def test_a_filled_template_named_on_the_command_line_is_validated(filled):
    result = _run("validate", filled / "客户清单.xlsx", code=1)
    assert "negative_value" in result.stderr and "row 3" in result.stderr
    assert "customers: read 2, used 1, rejected 1" in result.stderr
    assert "skipped sheet" not in result.output            # the notes sheet (说明) is the template's own


@pytest.mark.parametrize("jobs", ["1", "2"])         # 2: the folder's files read by two processes
def test_a_folder_of_filled_templates_is_read_and_the_blank_ones_named_in_one_note(filled, tmp_path, jobs):
    result = _run("allocate", filled, "--skip-invalid", "--jobs", jobs, "-o", tmp_path / "a.csv")
    assert "staff: read 2, used 2, rejected 0" in result.stderr
    assert "customers: read 2" in result.stderr and "rejected 1" in result.stderr
    note = next(line for line in result.stderr.splitlines() if "blank template(s)" in line)
    assert note.startswith("skipped 13 blank template(s) written by branchkit init, no rows filled in: ")
    assert str(filled / "认领.xlsx") in note and str(filled / "客户清单.xlsx") not in note
    allocated = (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()
    assert len(allocated) == 2 and allocated[1].startswith("0001,")


def test_a_blank_template_named_is_not_reported_clean(filled):
    result = _run("validate", filled / "认领.xlsx", code=2)
    assert (f"{filled / '认领.xlsx'}: a blank template written by branchkit init (认领): no rows filled in; "
            "no ledger was read, no row checked") in result.stderr
    assert "no problems" not in result.output


def test_a_folder_just_made_by_init_reads_nothing_and_says_so(tmp_path):
    _run("init", tmp_path / "new", "-q")
    for args in (["validate"], ["report", "--month", "2026-10", "-o", tmp_path / "r.html"]):
        result = _run(*args, tmp_path / "new", code=2)
        assert "no ledger was read, no row checked; passed over: " in result.stderr
        assert "and 12 more" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_an_output_named_on_the_command_line_is_a_warning_and_alone_an_error(filled, tmp_path):
    _run("validate", filled / "客户清单.xlsx", "--skip-invalid", "-o", tmp_path / "v.csv", "-q")
    rejected = next(tmp_path.glob("*rejected*.csv"))
    alone = _run("validate", rejected, code=2)
    assert (f"{rejected}: a branchkit rejected rows output, not a ledger; no ledger was read, no row checked"
            in alone.stderr)
    beside = _run("validate", filled / "员工.xlsx", rejected)
    assert f"warning: skipped {rejected}: a branchkit rejected rows output, not a ledger" in beside.stderr
    assert "staff: read 2, used 2, rejected 0" in beside.stderr
