"""Every ledger ``branchkit sample`` writes reads clean, alone and together."""

from __future__ import annotations

import pytest

from branchkit.cli import app


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("sample")
    result = CliRunner().invoke(app, ["sample", str(folder), "--customers", "400", "--branches", "4", "-q"])
    assert result.exit_code == 0, result.output
    return folder


def test_each_sample_file_validates_alone(runner, sample_dir):
    files = sorted(p for p in sample_dir.iterdir() if p.suffix in (".xlsx", ".csv"))
    assert len(files) == 14
    for path in files:
        result = runner.invoke(app, ["validate", str(path), "-q"])
        assert result.exit_code == 0, (path.name, result.stderr)


def test_the_sample_folder_validates_as_a_whole(runner, sample_dir):
    result = runner.invoke(app, ["validate", str(sample_dir)])
    assert result.exit_code == 0, result.stderr
    assert "rejected 0" in result.stderr.splitlines()[-1]
    assert "error:" not in result.stderr


def test_history_snapshots_validate_one_by_one(runner, sample_dir):
    for path in sorted((sample_dir / "history").iterdir()):
        assert runner.invoke(app, ["validate", str(path), "-q"]).exit_code == 0


def test_committed_sample_validates(runner):
    from pathlib import Path

    folder = Path(__file__).parents[2] / "sample_data"
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.stderr


def test_quiet_shows_errors_only(runner, sample_dir, tmp_path):
    loud = runner.invoke(app, ["allocate", str(sample_dir), "-o", str(tmp_path / "a.csv")])
    assert loud.exit_code == 0 and "warning:" in loud.stderr     # customers lost since last month
    quiet = runner.invoke(app, ["allocate", str(sample_dir), "-o", str(tmp_path / "b.csv"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.parametrize("command", [["score", "--month", "2026-10"], ["report", "--month", "2026-10"]])
def test_quiet_month_commands_print_nothing_on_a_clean_run(runner, sample_dir, tmp_path, command):
    target = tmp_path / ("out.html" if command[0] == "report" else "out.csv")
    result = runner.invoke(app, [*command, str(sample_dir), "-o", str(target), "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and target.stat().st_size > 0
