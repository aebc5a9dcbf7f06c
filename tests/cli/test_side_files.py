"""``<out>.rejected.csv`` belongs to ``<out>``: written when rows are rejected, removed when a clean rerun
writes ``<out>`` again, left alone (with ``<out>``) when a run writes nothing."""

from __future__ import annotations

from branchkit.cli import app

STAFF = "工号,姓名,岗位,所属网点\nS1,张三,对公客户经理,城中支行\nS2,李四,个人客户经理,城中支行\n"


def test_a_stale_rejected_rows_file_does_not_survive_a_clean_rerun(runner, tmp_path):
    ledger, out = tmp_path / "员工.csv", tmp_path / "out.csv"
    ledger.write_text(STAFF + "S3,,柜员,城中支行\n", encoding="utf-8")        # a name missing: rejected
    first = runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "-o", str(out)])
    assert first.exit_code == 0 and (tmp_path / "out.rejected.csv").is_file()
    ledger.write_text(STAFF, encoding="utf-8")
    second = runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "-o", str(out)])
    assert second.exit_code == 0 and not (tmp_path / "out.rejected.csv").exists()
    assert "removed" in second.stderr and "out.rejected.csv" in second.stderr
    third = runner.invoke(app, ["validate", str(ledger), "-o", str(out)])       # nothing to remove: no word of it
    assert third.exit_code == 0 and "removed" not in third.stderr


def test_a_failed_run_leaves_the_output_and_its_side_file_together(runner, tmp_path):
    ledger, out = tmp_path / "员工.csv", tmp_path / "out.csv"
    ledger.write_text(STAFF + "S3,,柜员,城中支行\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "-o", str(out)]).exit_code == 0
    rejected = (tmp_path / "out.rejected.csv").read_bytes()
    assert runner.invoke(app, ["validate", str(ledger), "-o", str(out)]).exit_code == 1    # exit 1: nothing written
    assert (tmp_path / "out.rejected.csv").read_bytes() == rejected
