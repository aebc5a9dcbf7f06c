"""The partitioned layout ``python -m branchkit.spark export`` writes, and the per-branch functions (no Spark)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import branchkit
from branchkit.core.allocate import allocate
from branchkit.spark import branch
from branchkit.spark.__main__ import main
from branchkit.spark.layout import AMBIGUOUS, NULL_PARTITION, kinds_in, partition_name, read_layout, typed

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
pytestmark = pytest.mark.skipif(not (SAMPLE / "客户清单.xlsx").exists(), reason="sample_data/ is not in this checkout")


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layout") / "layout"
    assert main(["export", str(SAMPLE), str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def session():
    return branchkit.read(SAMPLE)


def test_export_writes_one_partition_per_kind_and_branch(exported: Path, session) -> None:
    branches = sorted(session.used("staff")["branch"].unique())
    assert len(branches) == 4
    assert "customers" in kinds_in(exported) and "sales" in kinds_in(exported)
    for kind in ("customers", "staff", "visits", "sales", "claims", "pool"):
        folders = sorted(p.name for p in (exported / kind).iterdir())
        assert folders == sorted(partition_name(b) for b in branches), kind
        assert all(len(list((exported / kind / f).glob("*.parquet"))) == 1 for f in folders)
    assert (exported / "rules.toml").is_file()


def test_export_keeps_every_row_and_type(exported: Path, session) -> None:
    frames = read_layout(exported)
    for kind, frame in frames.items():
        used = session.used(kind)
        back = typed(frame, kind).sort_values("_rid").reset_index(drop=True)
        assert len(back) == len(used), kind
        expected = typed(used, kind).reset_index(drop=True)
        if "branch" not in used:      # the partition column of a kind without a branch field is not its own
            back = back.drop(columns="branch", errors="ignore")
        pd.testing.assert_frame_equal(back[list(expected.columns)], expected, check_dtype=True, obj=kind)
    assert frames["customers"][AMBIGUOUS].dtype == bool


def test_rows_without_a_person_on_the_staff_list_go_to_the_default_partition() -> None:
    assert partition_name(None) == f"branch={NULL_PARTITION}"
    assert partition_name("城中/支行") == "branch=城中%2F支行"


def test_allocate_group_per_branch_equals_the_whole_network(exported: Path, session) -> None:
    frames = read_layout(exported)
    staff = typed(frames["staff"], "staff").sort_values("_rid").reset_index(drop=True)
    kinds = ["claims", "customers", "previous"]
    parts = []
    for name in sorted(frames["customers"]["branch"].unique()):
        packed = pd.concat([frames[k][frames[k]["branch"] == name].assign(_kind=k) for k in kinds],
                           ignore_index=True)
        parts.append(branch.allocate_group(packed, staff, session.rules, kinds)["allocation"])
    per_branch = pd.concat(parts, ignore_index=True)
    whole = allocate(session.used("customers"), session.used("staff"), session.rules,
                     claims=session.used("claims"), previous=session.used("previous")).allocation
    pd.testing.assert_frame_equal(per_branch, whole)


def test_export_refuses_a_folder_that_holds_files(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.txt").write_text("x")
    assert main(["export", str(SAMPLE), str(tmp_path), "--quiet"]) == 2
    assert "not empty" in capsys.readouterr().err


def test_jobs_without_pyspark_exit_2_saying_how_to_install(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setitem(__import__("sys").modules, "pyspark", None)
    assert main(["allocate", str(tmp_path), str(tmp_path / "out"), "--quiet"]) == 2
    assert "pip install 'branchkit[spark]'" in capsys.readouterr().err
