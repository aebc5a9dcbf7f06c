"""``branchkit rules``: print the effective rules as TOML."""

from __future__ import annotations

import typer

from branchkit import tomlw
from branchkit.cli.app import app, guarded
from branchkit.cli.options import DebugOpt, RulesOpt
from branchkit.rules import load_rules, rules_data


@app.command("rules")
@guarded
def rules_command(rules: RulesOpt = None, debug: DebugOpt = False) -> None:
    """Print the effective rules (defaults merged with --rules) as TOML, validated.

    Example: branchkit rules --rules my_rules.toml > effective.toml
    """
    typer.echo(tomlw.dumps(rules_data(load_rules(rules))), nl=False)
