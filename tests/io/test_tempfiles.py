"""``io.tempfiles``: an output's temporary file goes on every exit, and only the process that made it removes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import branchkit
from branchkit.io import tempfiles
from branchkit.io.output import atomic_path


def test_a_temporary_file_is_private_hidden_beside_its_target_and_forgotten_when_discarded(tmp_path):
    tmp = tempfiles.new_temporary(tmp_path / "分配.xlsx")
    assert tmp.parent == tmp_path and tmp.name.startswith(".分配.xlsx.") and tmp.name.endswith(".tmp")
    assert tmp.stat().st_mode & 0o777 == 0o600
    tempfiles.discard(tmp)
    assert not tmp.exists() and str(tmp) not in tempfiles._PENDING


def test_atomic_write_forgets_the_file_it_renamed(tmp_path):
    with atomic_path(tmp_path / "out.csv") as tmp:
        tmp.write_text("x", encoding="utf-8")
        assert str(tmp) in tempfiles._PENDING
    assert str(tmp) not in tempfiles._PENDING and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_never_removes_its_parents_temporary_file(tmp_path):
    tmp = tempfiles.new_temporary(tmp_path / "out.xlsx")
    pid = os.fork()
    if pid == 0:                          # the worker: what it would do at its exit or on a signal
        tempfiles.remove_all()
        os._exit(0)
    os.waitpid(pid, 0)
    assert tmp.exists()
    tempfiles.remove_all()                # the parent's own exit
    assert not tmp.exists() and not tempfiles._PENDING


_SCRIPT = """
    import os, signal, sys
    from pathlib import Path
    from branchkit.io import tempfiles
    tempfiles.remove_on_signals()
    tmp = tempfiles.new_temporary(Path(sys.argv[1]))
    Path(tmp).write_text("customer data", encoding="utf-8")
    print(tmp, flush=True)
    if sys.argv[2] == "exit":
        sys.exit(3)                       # an exit without the write's own cleanup: atexit removes it
    os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    print("still running", flush=True)
"""


@pytest.mark.parametrize("how, code", [("SIGTERM", -signal.SIGTERM), ("SIGHUP", -signal.SIGHUP), ("exit", 3)])
def test_a_signal_or_an_exit_removes_the_temporary_file_and_still_ends_the_process(tmp_path, how, code):
    env = dict(os.environ, PYTHONPATH=str(Path(branchkit.__file__).parents[1]))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(_SCRIPT), str(tmp_path / "out.xlsx"), how],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == code, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith(".tmp")       # it never ran on after the signal
    assert list(tmp_path.iterdir()) == []
