"""The cleaned ledgers in canonical columns (``validate -o``), as a result that writes any format."""

from __future__ import annotations

from typing import TYPE_CHECKING

from branchkit.errors import DataError, UsageError
from branchkit.io.output import output_format
from branchkit.io.tables import Report, Section, Table
from branchkit.labels import ledger_codes, ledger_labels, value_label
from branchkit.models.ledgers import LEDGERS
from branchkit.results import Result

if TYPE_CHECKING:
    from branchkit.session import Ledgers

#: Bookkeeping columns a cleaned ledger leaves out.
_BOOKKEEPING = ["_file", "_sheet", "_row", "_rid"]


def cleaned_result(ledgers: "Ledgers", output: str | None = None) -> Result:
    """The usable rows of every ledger read, one table per kind (csv/json take exactly one: ``output``
    is checked for that)."""
    used = ledgers.split.used
    kinds = list(used)
    if not kinds:
        raise DataError("no ledger was recognised in the input; nothing to write")
    if output is not None and output_format(output) in ("csv", "json") and len(kinds) > 1:
        # --kind volumes still reads a volumes workbook's daily and hourly sheets as both (one ledger kind
        # of two shapes): then the sheet is what chooses.
        choose = "--sheet" if set(kinds) == {"volumes", "volumes_hourly"} else "--kind"
        raise UsageError(f"several ledgers were read ({', '.join(kinds)}); choose one with {choose}, "
                         "or write them all to an .xlsx")
    sections = []
    for kind in kinds:
        spec = LEDGERS[kind]
        frame = used[kind].drop(columns=_BOOKKEEPING).reset_index(drop=True)
        formats = {name: _format(c.kind) for name, c in spec.columns().items() if name in frame}
        title_en = str(value_label("ledger", kind, "en"))
        # Each ledger's own headers where a shared one would mislead (a visit's kind is 拜访方式), and its
        # coded values as words in xlsx/html (keys in csv/json).
        table = Table(kind, frame, spec.label_zh, title_en, formats=formats, labels=ledger_labels(kind),
                      codes=ledger_codes(kind))
        sections.append(Section(spec.label_zh, title_en, [table]))
    report = Report("清洗后的台账", "Cleaned ledgers", sections, primary=kinds[0])
    return Result("cleaned", report, lambda fmt, lang: report, inputs=ledgers.files,
                  max_text_chars=ledgers.rules.input.max_text_chars)


def _format(kind: str) -> str:
    return {"id": "id", "sensitive": "sensitive", "money": "money", "number": "number", "date": "date",
            "bool": "bool", "hour": "int"}.get(kind, "text")
