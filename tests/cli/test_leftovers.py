"""No leftovers (issue 16), with real processes: a run signalled mid-write leaves no temporary file and the
previous output intact; the workers of a ``--jobs 2`` run end when their parent is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import branchkit
from branchkit.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

#: How long to wait for what must happen (a generous bound for a loaded machine, not a speed test).
PATIENCE = 60.0


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("leftovers") / "ledgers"
    result = CliRunner().invoke(app, ["sample", str(folder), "--branches", "4", "--customers", "6000", "-q"])
    assert result.exit_code == 0, result.output
    return folder


def _start(*args: object) -> subprocess.Popen:
    """The console entry point (``python -m branchkit`` runs ``cli.main``, which installs the signal handling)."""
    env = dict(os.environ, PYTHONPATH=str(Path(branchkit.__file__).parents[1]))
    return subprocess.Popen([sys.executable, "-m", "branchkit", *[str(a) for a in args]], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stopped_while_writing(proc: subprocess.Popen, folder: Path) -> Path | None:
    """Freeze the run while its temporary output file exists (seen twice: not the instant probe of the early
    check); the file, or None if the run ended first."""
    seen: Path | None = None
    deadline = time.monotonic() + PATIENCE
    while proc.poll() is None and time.monotonic() < deadline:
        found = sorted(folder.glob(".*.tmp"))
        if found and found[0] == seen:
            proc.send_signal(signal.SIGSTOP)
            if seen.exists():
                return seen
            proc.send_signal(signal.SIGCONT)
        seen = found[0] if found else None
        time.sleep(0.005)
    return None


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_mid_write_leaves_no_temporary_file_and_the_old_output(network, tmp_path, name):
    out = tmp_path / "分配.xlsx"
    out.write_bytes(b"last month's allocation")
    proc = _start("allocate", network, "--month", "2026-10", "-o", out, "-q")
    try:
        tmp = _stopped_while_writing(proc, tmp_path)
        assert tmp is not None, "the run ended before it was seen writing"
        number = getattr(signal, name)
        proc.send_signal(number)
        proc.send_signal(signal.SIGCONT)
        assert proc.wait(timeout=PATIENCE) == -number
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(tmp_path.glob(".*")) == []
    assert out.read_bytes() == b"last month's allocation"


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_end_when_their_parent_is_killed(network, tmp_path):
    proc = _start("allocate", network, "--month", "2026-10", "--jobs", "2", "-o", tmp_path / "a.xlsx", "-q")
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + PATIENCE
        while proc.poll() is None and not workers and time.monotonic() < deadline:
            workers = _children(proc.pid)
            time.sleep(0.01)
        assert workers, "no worker process was seen"
        time.sleep(0.3)                                   # let them get busy with their part
        workers |= _children(proc.pid)
        proc.kill()                                       # no handler, no cleanup: the parent just vanishes
        proc.wait()
        deadline = time.monotonic() + PATIENCE
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _running(w)]
    finally:
        for pid in workers:                               # never leave an orphan behind, whatever failed
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
