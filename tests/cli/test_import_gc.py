"""Importing the command line turns the garbage collector off while its modules load (they live as long as
the process) and leaves it as it found it: on stays on, off stays off."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("before", [True, False])
def test_the_collector_is_left_as_it_was(before):
    code = ("import gc\n"
            f"{'gc.enable()' if before else 'gc.disable()'}\n"
            "import branchkit.cli\n"
            "print(gc.isenabled())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(before)]



@pytest.mark.parametrize("program, frozen", [("branchkit", True), ("/x/branchkit/__main__.py", True),
                                             ("/x/tool.py", False), ("", False)])
def test_what_the_imports_made_is_frozen_only_when_run_as_the_command(program, frozen):
    code = ("import gc, sys\n"
            f"sys.argv = [{program!r}]\n"
            "import branchkit.cli\n"
            "print(gc.get_freeze_count() > 0, gc.isenabled())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(frozen), "True"]
