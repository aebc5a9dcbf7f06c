"""A worker process of --jobs killed mid-run (the kernel's OOM killer sends SIGKILL): a plain reason and
exit 2, nothing written; it was "internal error: BrokenProcessPool", as if a bug of branchkit's."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from branchkit.cli import app
from branchkit.core import report
from branchkit.parallel import can_fork

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"

pytestmark = pytest.mark.skipif(not can_fork(), reason="--jobs forks its workers")


def test_a_killed_worker_is_named_and_nothing_is_written(runner, tmp_path, monkeypatch):
    def killed(shared, item):              # the parts' worker of report --jobs 2, as the OOM killer leaves it
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(report, "_parts_apart", killed)
    out = tmp_path / "月报.html"
    result = runner.invoke(app, ["report", "--month", "2026-10", str(SAMPLE), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 2
    assert "a worker process of --jobs ended abruptly" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []
