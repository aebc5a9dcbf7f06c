"""Hostile and careless runs, outputs side (issue 16): nothing read is written over, an output that cannot
be written stops the run before any work, and no stale side file survives a clean rerun."""

from __future__ import annotations

from pathlib import Path

import pytest

from branchkit.cli import app

STAFF = "工号,姓名,岗位,所属网点\nS1,张三,对公客户经理,城中支行\nS2,李四,个人客户经理,城中支行\n"
CUSTOMERS = "客户号,客户名称,客户类型,所属网点,存款余额,管户人,客户状态\nC1,甲公司,对公,城中支行,100000,S1,存量\n" \
            "C2,王五,个人,城中支行,5000,S2,存量\n"
HISTORY = "customer_id,keeper,from,to,reason\nC1,S1,2026-09,,kept\n"


@pytest.fixture
def branch(tmp_path):
    """A ledger folder: customers, staff, a history/ folder with a month-end snapshot."""
    folder = tmp_path / "城中支行"
    (folder / "history").mkdir(parents=True)
    (folder / "员工.csv").write_text(STAFF, encoding="utf-8")
    (folder / "客户清单.csv").write_text(CUSTOMERS, encoding="utf-8")
    (folder / "history" / "客户清单_2026-09.csv").write_text(CUSTOMERS, encoding="utf-8")
    return folder


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_allocate_refuses_its_history_as_output_before_reading(runner, branch, tmp_path):
    history = tmp_path / "h.csv"
    history.write_text(HISTORY, encoding="utf-8")
    result = runner.invoke(app, ["allocate", str(branch), "--month", "2026-10", "--history", str(history),
                                 "-o", str(history)])
    assert result.exit_code == 2 and "refusing to write" in result.stderr and "inputs" in result.stderr
    assert history.read_text(encoding="utf-8") == HISTORY
    assert "read" not in result.stderr                   # stopped before reading any ledger


def test_allocate_refuses_a_history_not_written_yet_as_output(runner, branch, tmp_path):
    history = tmp_path / "new.csv"
    result = runner.invoke(app, ["allocate", str(branch), "--month", "2026-10", "--history", str(history),
                                 "-o", str(history)])
    assert result.exit_code == 2 and "one of this command's inputs" in result.stderr
    assert not history.exists()


def test_quarter_report_never_writes_over_the_snapshot_it_reads(runner, branch):
    before = _bytes(branch)
    for target in (branch / "history" / "客户清单_2026-09.csv", branch / "员工.csv"):
        result = runner.invoke(app, ["report", "--quarter", "2026Q4", str(branch), "-o", str(target)])
        assert result.exit_code == 2 and f"in the folder {branch}" in result.stderr, result.stderr
    assert _bytes(branch) == before


def test_a_folder_rules_file_and_a_rules_option_are_protected(runner, branch, tmp_path):
    rules = tmp_path / "r.csv"                           # an odd name, but read as the rules all the same
    rules.write_text("[allocation]\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(branch / "员工.csv"), "--rules", str(rules), "-o", str(rules)])
    assert result.exit_code == 2 and "one of this command's inputs" in result.stderr
    assert rules.read_text(encoding="utf-8") == "[allocation]\n"


def test_the_rejected_rows_file_may_not_be_an_input(runner, tmp_path):
    ledger = tmp_path / "out.csv.rejected.csv"
    ledger.write_text(STAFF, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(ledger), "--kind", "staff", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2 and "rejected-rows file" in result.stderr
    assert ledger.read_text(encoding="utf-8") == STAFF


@pytest.mark.parametrize("case", ["folder", "missing", "under_a_file"])
def test_an_output_that_cannot_be_written_stops_first_with_a_plain_reason(runner, tmp_path, case):
    broken = tmp_path / "客户清单.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")       # reading it would fail too, later
    (tmp_path / "out.xlsx").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = {"folder": tmp_path / "out.xlsx", "missing": tmp_path / "nope" / "o.xlsx",
              "under_a_file": tmp_path / "file" / "o.xlsx"}[case]
    result = runner.invoke(app, ["validate", str(broken), "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot write {target}") and "internal error" not in result.stderr
