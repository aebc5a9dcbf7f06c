"""``branchkit validate``: read ledgers, report every problem, write the cleaned ledger."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

import typer

from branchkit.cli.app import app, guarded
from branchkit.cli.common import (
    check_output_early, input_paths, open_session, print_accounting, problems_json, require_clean,
    resolve_rules, stream_for_report, write_outputs,
)
from branchkit.cli.options import (
    DebugOpt, LangOpt, MaskOpt, OutputOpt, QuietOpt, RawCsvOpt, RulesOpt, SkipInvalidOpt,
)
from branchkit.core.report import every_need
from branchkit.errors import DataError, UsageError
from branchkit.io.output import output_format
from branchkit.io.tables import Report, Section, Table
from branchkit.models.ledgers import LEDGERS

#: Canonical column order of cleaned ledgers (SPEC appendix first, the rest after).
_BOOKKEEPING = ["_file", "_sheet", "_row", "_rid"]


@app.command("validate")
@guarded
def validate_command(
    files: Annotated[list[str], typer.Argument(help="Ledger files or folders; '-' reads CSV from stdin.",
                                               show_default=False)],
    kind: Annotated[Optional[str], typer.Option("--kind", help="Force the ledger kind of every sheet: "
                                                + ", ".join(LEDGERS) + ".", show_default=False)] = None,
    sheet: Annotated[Optional[list[str]], typer.Option("--sheet", help="Read only this sheet (repeat for "
                                                       "several).", show_default=False)] = None,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="Problem report format.")] = "text",
    output: OutputOpt = None,
    skip_invalid: SkipInvalidOpt = False,
    rules: RulesOpt = None,
    lang: LangOpt = None,
    mask: MaskOpt = None,
    raw_csv: RawCsvOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Read ledgers as they are, report every problem, and cross-check ledgers given together.

    Each problem names the file, sheet, the row number as Excel shows it, the column, the value
    and what was expected. Exit 0: clean; 1: the data has errors; 2: unreadable input or bad usage.

    Example: branchkit validate 客户清单.xlsx 员工.xlsx --format json
    """
    check_output_early(output, input_paths(files))
    settings = resolve_rules(rules, files, quiet)
    session = open_session(settings, files, force_kind=kind, quiet=quiet, report_problems=fmt == "text",
                           sheets=sheet, needs=every_need(settings), advisory=True)
    if fmt == "json":
        stream_for_report(output).write(problems_json(session.log))
    print_accounting(session, quiet)
    if output is None:
        if session.split.has_blocking or (session.split.has_row_errors and not skip_invalid):
            raise typer.Exit(1)
        return
    require_clean(session, skip_invalid)
    report = cleaned_report(session.split.used, output)
    write_outputs(output, report, session, lang=lang, mask=mask, raw_csv=raw_csv,
                  skip_invalid=skip_invalid, quiet=quiet)


def cleaned_report(used: dict, output: str) -> Report:
    """The cleaned ledgers in canonical columns: one table per kind (csv/json take exactly one)."""
    kinds = [k for k, frame in used.items()]
    if not kinds:
        raise DataError("no ledger was recognised in the input; nothing to write")
    if output_format(output) in ("csv", "json") and len(kinds) > 1:
        raise UsageError(f"several ledgers were read ({', '.join(kinds)}); choose one with --kind, "
                         "or write them all to an .xlsx")
    sections = []
    for kind in kinds:
        spec = LEDGERS[kind]
        frame = used[kind].drop(columns=_BOOKKEEPING).reset_index(drop=True)
        formats = {name: _format(c.kind) for name, c in spec.columns().items() if name in frame}
        table = Table(kind, frame, spec.label_zh, spec.label_en, formats=formats)
        sections.append(Section(spec.label_zh, spec.label_en, [table]))
    return Report("清洗后的台账", "Cleaned ledgers", sections, primary=kinds[0])


def _format(kind: str) -> str:
    return {"id": "id", "sensitive": "sensitive", "money": "money", "number": "number", "date": "date",
            "bool": "bool", "hour": "int"}.get(kind, "text")
