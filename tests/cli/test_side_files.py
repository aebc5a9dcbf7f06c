"""``<out>.rejected.csv`` belongs to ``<out>``: written when rows are rejected, removed when a clean rerun
writes ``<out>`` again, left alone (with ``<out>``) when a run writes nothing."""

from __future__ import annotations

import csv

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


def _rejected(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_rejected_rows_file_holds_each_rows_codes_and_values(runner, tmp_path):
    ledger, out = tmp_path / "客户清单.csv", tmp_path / "out.csv"
    ledger.write_text("客户号,客户名称,客户类型,存款余额,证件号码,联系电话\n"
                      "C1,张三,个人,100,410105199001011234,13912345678\n"
                      "C2,=HYPERLINK(\"x\"),个人,一百,410105199001011234,13912345678\n"
                      "C3,王五,个人,-5,,\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "--no-mask", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "out.csv.rejected.csv"
    assert path.read_text(encoding="utf-8").splitlines()[0].startswith(
        "ledger,file,sheet,row,codes,reasons,customer_id,name,kind,branch,deposit,")
    rows = _rejected(path)
    assert [(r["ledger"], r["row"], r["codes"], r["customer_id"], r["deposit"]) for r in rows] == [
        ("customers", "3", "not_a_number", "C2", "一百"), ("customers", "4", "negative_value", "C3", "'-5.00")]
    assert rows[0]["name"] == "'=HYPERLINK(\"x\")"                      # neutralised, as every csv output
    # a problem listing: masked whatever --no-mask says (the cleaned output carries them as they are)
    assert (rows[0]["id_number"], rows[0]["phone"]) == ("410105********1234", "139****5678")
    assert "410105199001011234" not in path.read_text(encoding="utf-8")
    assert "410105199001011234" in out.read_text(encoding="utf-8")


def test_the_rejected_rows_file_keeps_formulas_as_written_with_raw_csv(runner, tmp_path):
    ledger, out = tmp_path / "客户清单.csv", tmp_path / "out.csv"
    ledger.write_text("客户号,客户名称,客户类型,存款余额\nC1,=1+1,个人,@SUM(A1)\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(ledger), "--skip-invalid", "--raw-csv", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = _rejected(tmp_path / "out.csv.rejected.csv")
    assert [(r["name"], r["deposit"]) for r in rows] == [("=1+1", "@SUM(A1)")]
