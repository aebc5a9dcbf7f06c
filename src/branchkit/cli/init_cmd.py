"""``branchkit init``: blank ledger templates and a commented rules file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from branchkit.cli.app import Command, app
from branchkit.cli.options import Run, command
from branchkit.console import print_note
from branchkit.io.output import atomic_path
from branchkit.io.targets import refuse_overwrite
from branchkit.rules import default_text


@app.command("init", cls=Command)
@command("quiet", "debug")
def init_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to create or fill.", file_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist.")] = False,
    *,
    run: Run,
) -> None:
    """Write blank ledger templates (Chinese headers) and a rules.toml holding every default, commented.

    Example: branchkit init 城中支行台账
    """
    from branchkit.io.blank import template_files, write_template     # xlsxwriter: this command only

    directory.mkdir(parents=True, exist_ok=True)
    targets = {directory / "rules.toml": None} | {directory / name: kind for kind, name in template_files().items()}
    refuse_overwrite(directory, targets, force=force)
    for path, kind in targets.items():
        with atomic_path(path) as tmp:
            if kind is None:
                tmp.write_text(default_text(), encoding="utf-8")
            else:
                write_template(kind, tmp)
    print_note(f"wrote {len(targets)} files to {directory}: rules.toml and a blank workbook per ledger",
               quiet=run.quiet)
