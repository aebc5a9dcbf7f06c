"""The Spark path gives the local path's allocation and scores on the shipped sample (issue 9, Must show 5).

Runs Spark in local mode (``local[2]``, one session for the module); skipped where pyspark or Java is absent.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'branchkit[spark]'); the Spark path "
                                      "is optional and not part of the test extra")
if shutil.which("java") is None:
    pytest.skip("Java is not on PATH: Spark local mode needs a JDK (17 or later)", allow_module_level=True)

from branchkit.cli import app  # noqa: E402
from branchkit.session import resolve_rules  # noqa: E402
from branchkit.spark import jobs  # noqa: E402
from branchkit.spark.__main__ import main  # noqa: E402
from branchkit.spark.layout import read_partitioned  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
MONTH = "2026-10"
pytestmark = pytest.mark.skipif(not (SAMPLE / "客户清单.xlsx").exists(), reason="sample_data/ is not in this checkout")


@pytest.fixture(scope="module")
def spark():
    session = jobs.spark_session("local[2]", shuffle_partitions=4)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("spark") / "layout"
    assert main(["export", str(SAMPLE), str(out), "--quiet"]) == 0
    return out


def _local(runner, args: list[str]) -> pd.DataFrame:
    result = runner.invoke(app, [*args, str(SAMPLE), "-o", "-", "--quiet"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)


def test_spark_allocation_equals_the_local_one(spark, layout: Path, runner, tmp_path: Path) -> None:
    rules, _ = resolve_rules(None, [str(layout)])
    counts = jobs.allocate_job(spark, layout, tmp_path / "out", rules)
    on_spark = read_partitioned(tmp_path / "out" / "allocation").sort_values("customer_id").reset_index(drop=True)
    local = _local(runner, ["allocate"]).sort_values("customer_id").reset_index(drop=True)
    assert counts["allocation"] == len(local) == 3000
    assert on_spark["customer_id"].tolist() == local["customer_id"].tolist()
    for column in ("keeper", "reason", "source", "branch", "tier", "previous_keeper"):
        assert on_spark[column].fillna("").astype(str).tolist() == local[column].tolist(), column
    assert on_spark["locked"].tolist() == local["locked"].str.lower().map({"true": True, "false": False}).tolist()
    keepers = read_partitioned(tmp_path / "out" / "keepers")
    existing = local["status"].eq("existing")
    assert keepers["customers"].sum() == (local["keeper"].ne("") & existing).sum()


def test_spark_scores_and_pay_equal_the_local_ones(spark, layout: Path, runner, tmp_path: Path) -> None:
    rules, _ = resolve_rules(None, [str(layout)])
    seen: list[pd.DataFrame] = []
    jobs.score_job(spark, layout, tmp_path / "out", rules, pd.Period(MONTH), on_problems=seen.append)
    assert not (seen[0]["severity"] == "error").any()
    on_spark = read_partitioned(tmp_path / "out" / "score").sort_values("staff_id").reset_index(drop=True)
    local = _local(runner, ["score", "--month", MONTH]).sort_values("staff_id").reset_index(drop=True)
    assert on_spark["staff_id"].tolist() == local["staff_id"].tolist()
    assert len(local) > 40
    points = [c for c in local if c.startswith("points_")] + ["worklog_bonus", "deductions", "total"]
    for column in points:
        # the CSV shows points to 2 decimals
        assert (on_spark[column].astype(float) - local[column].astype(float)).abs().max() <= 0.005 + 1e-9, column
    assert on_spark["rank"].astype(int).tolist() == local["rank"].astype(int).tolist()
    for column in ("bonus", "piece_rate_pay", "total_pay"):
        spark_cents = (on_spark[column].astype(float) * 100).round().astype(int)
        local_cents = (local[column].astype(float) * 100).round().astype(int)
        assert spark_cents.tolist() == local_cents.tolist(), column
    pools = read_partitioned(tmp_path / "out" / "pools")
    assert sorted(pools["branch"]) == sorted(local["branch"].unique())
    assert (pools["pool"] * 100).round().sum() == local["bonus"].astype(float).mul(100).round().sum() \
        + (pools["undistributed"] * 100).round().sum()


def test_spark_commands_write_partitioned_results(spark, layout: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "csv"
    assert main(["allocate", str(layout), str(out), "--format", "csv", "--master", "local[2]", "--quiet"]) == 0
    folders = sorted(p.name for p in (out / "allocation").glob("branch=*"))
    assert len(folders) == 4 and all(list((out / "allocation" / f).glob("*.csv")) for f in folders)
    assert main(["score", str(layout), str(tmp_path / "s"), "--month", "2026-13", "--quiet"]) == 2
    assert "2026-13" in capsys.readouterr().err
