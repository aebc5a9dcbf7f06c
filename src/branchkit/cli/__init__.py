"""The command-line interface: a thin layer that reads, calls the core and writes.

Only this package imports Typer. Each command lives in its own module and
registers itself on ``app``; ``main`` is the console-script entry point.
"""

from __future__ import annotations

from branchkit.cli.app import app, main
from branchkit.cli import init_cmd, rules_cmd, validate_cmd  # noqa: F401  (registers commands)
from branchkit.cli import allocate_cmd  # noqa: F401  (registers the allocate command)

__all__ = ["app", "main"]
