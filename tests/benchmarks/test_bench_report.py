"""benchmarks/bench_report.py runs against the library as it is (it called views.report.month_report with a
``jobs`` it no longer takes, and failed with a TypeError), and its HTML is the command's, byte for byte."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_report_runs_on_the_sample_and_gives_the_commands_html(tmp_path: Path) -> None:
    from branchkit.cli.app import app
    from typer.testing import CliRunner

    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", "--month", "2026-10", str(ROOT / "sample_data"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_report.py"), str(ROOT / "sample_data"),
                          "--repeat", "1"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    digest = re.search(r"html sha256 ([0-9a-f]{16}) (\d+) characters", run.stdout)
    assert digest is not None, run.stdout
    html = out.read_text(encoding="utf-8")
    assert digest.group(1) == hashlib.sha256(html.encode()).hexdigest()[:16]
    assert int(digest.group(2)) == len(html)
