"""Progress goes to stderr only, on a terminal only, and never changes the data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from branchkit import console, progress
from branchkit.cli import app


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


class Recorder:
    def __init__(self):
        self.steps: list[tuple[str, int | None]] = []
        self.done = 0

    def step(self, description, total=None):
        self.steps.append((description, total))

    def advance(self, count=1):
        self.done += count


def test_no_listener_means_nothing_happens():
    previous = progress.listen(None)
    try:
        progress.step("x", 3)
        progress.advance()
    finally:
        progress.listen(previous)


def test_stages_of_a_run_are_reported(runner, tmp_path, monkeypatch):
    recorder = Recorder()
    app_module = sys.modules["branchkit.cli.app"]      # the package's `app` attribute is the Typer app
    monkeypatch.setattr(app_module, "Activity", lambda quiet: _Installing(recorder))
    result = runner.invoke(app, ["allocate", str(SAMPLE), "-o", str(tmp_path / "a.xlsx"), "-q"])
    assert result.exit_code == 0, result.stderr
    names = [d for d, _ in recorder.steps]
    assert any(d.startswith("reading ") for d in names)
    assert "checking the ledgers together" in names
    assert any(d.startswith("writing a.xlsx") for d in names)
    sheets = [t for d, t in recorder.steps if d == "writing the sheets"]
    assert sheets and recorder.done >= sheets[0]


class _Installing:
    """An Activity stand-in that forwards to a recorder (the listener the CLI installs)."""

    def __init__(self, recorder):
        self.recorder = recorder

    def __enter__(self):
        return self.recorder

    def __exit__(self, *exc):
        return None


def test_progress_on_a_terminal_leaves_stdout_alone(runner, monkeypatch):
    plain = runner.invoke(app, ["allocate", str(SAMPLE), "-o", "-"])
    monkeypatch.setattr(console, "is_terminal", lambda: True)
    monkeypatch.setattr(console.Activity, "__init__", _immediate)
    shown = runner.invoke(app, ["allocate", str(SAMPLE), "-o", "-"])
    assert shown.exit_code == plain.exit_code == 0
    assert shown.stdout == plain.stdout


def _immediate(self, quiet, delay=0.0):
    original_init(self, quiet, delay=0.0)


original_init = console.Activity.__init__


@pytest.mark.parametrize("quiet", [True, False])
def test_activity_is_off_with_quiet_or_without_a_terminal(monkeypatch, quiet):
    monkeypatch.setattr(console, "is_terminal", lambda: False)
    assert console.Activity(quiet=quiet).enabled is False
    monkeypatch.setattr(console, "is_terminal", lambda: True)
    assert console.Activity(quiet=quiet).enabled is (not quiet)
