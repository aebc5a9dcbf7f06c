"""``branchkit rules``: print the effective rules as TOML."""

from __future__ import annotations

import tomli_w
import typer

from branchkit.cli.app import Command, app
from branchkit.cli.options import Run, command
from branchkit.rules import load_rules, rules_data


@app.command("rules", cls=Command)
@command("rules", "debug")
def rules_command(*, run: Run) -> None:
    """Print the effective rules (defaults merged with --rules) as TOML, validated.

    Example: branchkit rules --rules my_rules.toml > effective.toml
    """
    typer.echo(tomli_w.dumps(rules_data(load_rules(run.rules))), nl=False)
