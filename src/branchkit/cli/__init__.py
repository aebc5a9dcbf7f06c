"""The command-line interface: a thin layer that reads, calls the core and writes.

Only this package imports Typer. Each command lives in its own module and
registers itself on ``app``; ``main`` is the console-script entry point.
"""

from __future__ import annotations

from branchkit.cli.app import app, main

# Commands register themselves on import; one line each, in --help order.
from branchkit.cli import validate_cmd  # noqa: F401,E402
from branchkit.cli import allocate_cmd  # noqa: F401,E402
from branchkit.cli import staff_cmd  # noqa: F401,E402
from branchkit.cli import plan_cmd  # noqa: F401,E402
from branchkit.cli import score_cmd  # noqa: F401,E402
from branchkit.cli import report_cmd  # noqa: F401,E402
from branchkit.cli import init_cmd  # noqa: F401,E402
from branchkit.cli import rules_cmd  # noqa: F401,E402
from branchkit.cli import sample_cmd  # noqa: F401,E402

__all__ = ["app", "main"]
