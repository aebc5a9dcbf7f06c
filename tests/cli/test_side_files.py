"""``<out>.rejected.csv`` belongs to ``<out>``: written when rows are rejected, removed when a clean rerun
writes ``<out>`` again, left alone (with ``<out>``) when a run writes nothing."""

from __future__ import annotations

from branchkit.cli import app

STAFF = "工号,姓名,岗位,所属网点\nS1,张三,对公客户经理,城中支行\nS2,李四,个人客户经理,城中支行\n"


def test_a_stale_rejected_rows_file_does_not_survive_a_clean_rerun(runner, tmp_path):
    ledger, out = tmp_path / "员工.csv", tmp_path / "out.csv"
    ledger.write_text(STAFF + "S3,,柜员,城中支行\n", encoding="utf-8")        # a name missing: rejected
    first = runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "-o", str(out)])
    assert first.exit_code == 0 and (tmp_path / "out.csv.rejected.csv").is_file()
    ledger.write_text(STAFF, encoding="utf-8")
    second = runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "-o", str(out)])
    assert second.exit_code == 0 and not (tmp_path / "out.csv.rejected.csv").exists()
    assert "removed" in second.stderr and "out.csv.rejected.csv" in second.stderr
    third = runner.invoke(app, ["validate", str(ledger), "-o", str(out)])       # nothing to remove: no word of it
    assert third.exit_code == 0 and "removed" not in third.stderr


def test_a_failed_run_leaves_the_output_and_its_side_file_together(runner, tmp_path):
    ledger, out = tmp_path / "员工.csv", tmp_path / "out.csv"
    ledger.write_text(STAFF + "S3,,柜员,城中支行\n", encoding="utf-8")
    assert runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "-o", str(out)]).exit_code == 0
    rejected = (tmp_path / "out.csv.rejected.csv").read_bytes()
    assert runner.invoke(app, ["validate", str(ledger), "-o", str(out)]).exit_code == 1    # exit 1: nothing written
    assert (tmp_path / "out.csv.rejected.csv").read_bytes() == rejected


def test_outputs_of_one_stem_keep_their_own_rejected_rows(runner, tmp_path):
    # named after the stem, v.xlsx and v.csv shared v.rejected.csv: a clean v.csv removed v.xlsx's list
    bad, clean = tmp_path / "bad" / "员工.csv", tmp_path / "clean" / "员工.csv"
    bad.parent.mkdir()
    clean.parent.mkdir()
    bad.write_text(STAFF + "S3,,柜员,城中支行\n", encoding="utf-8")
    clean.write_text(STAFF, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    first = runner.invoke(app, ["validate", str(bad), "--skip-invalid", "-o", str(out / "v.xlsx")])
    assert first.exit_code == 0 and f"wrote the rejected rows with their reasons to {out / 'v.xlsx.rejected.csv'}" \
        in first.stderr
    second = runner.invoke(app, ["validate", str(clean), "-o", str(out / "v.csv")])
    assert second.exit_code == 0 and "removed" not in second.stderr
    assert sorted(p.name for p in out.iterdir()) == ["v.csv", "v.xlsx", "v.xlsx.rejected.csv"]
