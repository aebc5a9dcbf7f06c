"""The edges of a real process: started with stdout or stderr closed, interrupted while it starts, its
command line unreadable with a --summary to write. Real processes, since only they have these.

A closed stream is None to Python; the run once failed on it: a closed stderr cost the output and gave
exit 1 (SPEC: "a closed stderr never costs the output"), a closed stdout printed a traceback at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CUSTOMERS = "客户号,客户名称,客户类型,所属网点,存款余额\n" + "".join(
    f"C{i:03d},客户{i},个人,城中支行,{1000 * (i + 1)}\n" for i in range(12))
STAFF = "工号,姓名,岗位,网点\nH1,王行长,行长,城中支行\nT1,赵柜员,低柜柜员,城中支行\n"


def _run(folder: Path, out: str, close: tuple[int, ...], *extra: str) -> subprocess.CompletedProcess:
    def closed() -> None:
        for fd in close:
            os.close(fd)
    # the descriptors closed in the child, after the pipes are set up and before Python starts
    return subprocess.run([sys.executable, "-m", "branchkit", "allocate", str(folder), "-o", out, *extra],
                          stdout=None if 1 in close else subprocess.PIPE,
                          stderr=None if 2 in close else subprocess.PIPE, preexec_fn=closed, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")})


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "客户清单.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "员工.csv").write_text(STAFF, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("close", [(2,), (1,), (1, 2)], ids=["stderr", "stdout", "both"])
def test_a_closed_stream_costs_neither_the_output_nor_the_exit_code(folder, close):
    out = folder / "out" / "分配.csv"
    out.parent.mkdir()
    done = _run(folder, str(out), close)
    assert done.returncode == 0
    assert pd.read_csv(out, dtype=str)["customer_id"].tolist() == [f"C{i:03d}" for i in range(12)]
    if 2 not in close:
        assert b"Traceback" not in done.stderr and f"wrote {out}".encode() in done.stderr


def test_csv_to_a_closed_stdout_is_refused_before_any_work(folder):
    done = _run(folder, "-", (1,))
    assert done.returncode == 2
    assert done.stderr.decode().strip().splitlines() == [
        "error: standard output is closed: '-' cannot be written; give -o FILE"]


def test_ctrl_c_while_the_command_starts_ends_as_an_interrupt_without_a_traceback():
    # the interrupt lands during the imports (here: raised by an import hook at the last command's module)
    script = ("import sys\n"
              "class Hook:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'branchkit.cli.sample_cmd':\n"
              "            raise KeyboardInterrupt\n"
              "sys.meta_path.insert(0, Hook())\n"
              "sys.argv = ['branchkit', 'rules']\n"
              "import branchkit.cli\n"
              "print('never')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")})
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "error: interrupted\n")


def _summary_run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "branchkit", *args], capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")})


@pytest.mark.parametrize("args", [["score"], ["score", "--month", "2026-10", "--jobs", "0"], ["allocate", "--bogus"]])
def test_a_command_line_that_cannot_be_read_still_writes_its_summary(folder, args):
    # a batch script reads --summary for every run; a missing or bad option (exit 2 before the command
    # ran) wrote none, and an earlier run's summary stayed, saying exit 0
    import json

    target = folder / "run.json"
    target.write_text(json.dumps({"branchkit": "0.1.0", "command": args[0], "exit_status": 0}), encoding="utf-8")
    done = _summary_run(folder, *args, str(folder), "--summary", str(target))
    assert done.returncode == 2
    written = json.loads(target.read_text(encoding="utf-8"))
    assert (written["command"], written["exit_status"], written["outputs"]) == (args[0], 2, [])
    assert written["error"].startswith("usage error")


def test_a_summary_target_that_is_no_summary_is_not_written_over_when_the_line_cannot_be_read(folder):
    target = folder / "客户清单.csv"                 # a ledger, named as the summary by mistake
    before = target.read_bytes()
    assert _summary_run(folder, "score", str(folder), "--summary", str(target)).returncode == 2
    assert target.read_bytes() == before
