"""Options shared by commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

RulesOpt = Annotated[
    Optional[Path],
    typer.Option("--rules", help="Rules file (TOML); only the keys it changes are needed.",
                 dir_okay=False, show_default=False),
]
OutputOpt = Annotated[
    Optional[str],
    typer.Option("-o", "--output", help="Write here; the extension picks the format "
                 "(.xlsx .csv .json .html); '-' = CSV on stdout.", show_default=False),
]
LangOpt = Annotated[
    Optional[Literal["zh", "en"]],
    typer.Option("--lang", help="Labels in xlsx/html: zh (default) or en. CSV keeps the canonical English "
                 "headers unless --lang zh is given (then Chinese headers, UTF-8 with BOM).", show_default=False),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the Python traceback of an error.")]
SkipInvalidOpt = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Compute on the valid rows and write the rejected rows, "
                 "with their reasons, beside the output."),
]
MaskOpt = Annotated[
    Optional[bool],
    typer.Option("--mask/--no-mask", help="Mask ID numbers and phones (default: masked in xlsx/html, "
                 "as they are in csv/json).", show_default=False),
]
RawCsvOpt = Annotated[
    bool, typer.Option("--raw-csv", help="Do not neutralise CSV cells that start with = + - @ (formula injection).")
]
