"""The system refusing the output's write half-way (a full disk, a quota, an I/O error) is the output's
error, exit 2, naming the file and the system's reason: not an "internal error", and the file that was
there is left as it was, with no temporary file beside it (SPEC: atomic writes, nothing lost)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import branchkit.io.html
import branchkit.io.output
from branchkit.cli import app

OLD = b"last month's output"


def _full_after_some_bytes(real):
    """A writer that starts the file, then meets a full disk."""
    def write(*args, **kwargs):
        target = next(a for a in args if isinstance(a, (str, os.PathLike)) or hasattr(a, "write"))
        if hasattr(target, "write"):
            target.write("customer_id,name\n")
        else:
            with open(target, "wb") as fh:
                fh.write(b"PK\x03\x04")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return write


@pytest.mark.parametrize("name, writer, module", [
    ("out.csv", "write_csv", branchkit.io.output),
    ("out.xlsx", "write_xlsx", branchkit.io.output),
    ("out.html", "write_html", branchkit.io.html),
])
def test_a_full_disk_mid_write_is_an_output_error_and_the_old_file_stays(runner, city_folder, tmp_path,
                                                                      monkeypatch, name, writer, module):
    out = tmp_path / "out" / name
    out.parent.mkdir()
    out.write_bytes(OLD)
    monkeypatch.setattr(module, writer, _full_after_some_bytes(getattr(module, writer)))
    result = runner.invoke(app, ["allocate", str(city_folder), "-o", str(out), "-q"])
    assert result.exit_code == 2, result.output
    assert f"cannot write {out}: {os.strerror(errno.ENOSPC)}" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in out.parent.iterdir()) == [name]


def test_the_rename_into_place_refused_is_an_output_error_too(runner, city_folder, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    out.write_bytes(OLD)

    def refused(src, dst):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(branchkit.io.output.os, "replace", refused)
    result = runner.invoke(app, ["allocate", str(city_folder), "-o", str(out), "-q"])
    assert result.exit_code == 2, result.output
    assert f"cannot write {out}: {os.strerror(errno.EROFS)}" in result.output
    assert out.read_bytes() == OLD
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_oserror_without_an_error_number_is_still_reported_as_a_failure_of_branchkit(
        runner, city_folder, tmp_path, monkeypatch):
    # what the system refused carries its errno; an OSError raised without one is a bug of ours, said as such
    def broken(*args, **kwargs):
        raise OSError("made up")

    monkeypatch.setattr(branchkit.io.output, "write_csv", broken)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["allocate", str(city_folder), "-o", str(out), "-q"])
    assert result.exit_code == 2
    assert "internal error: OSError: made up" in result.output
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_the_standard_output_on_a_full_device_is_an_output_error(city_folder):
    # a real process, its standard output a device that is always full (as a redirect to a full disk)
    env = dict(os.environ, PYTHONPATH=str(Path(branchkit.io.output.__file__).parents[2]))
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "branchkit", "allocate", str(city_folder), "-o", "-", "-q"],
                              stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"cannot write to standard output: {os.strerror(errno.ENOSPC)}" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
