"""Columns and ledgers a computation reads that were not given, on the output's cover (SPEC: a refining
column missing is one warning, "on stderr, in the summary and on the output's cover").

``absence_table`` lists them (ledger, column, what is left out, by which computation); ``with_absences``
puts that table first in a workbook or html page that has no cover of its own (the month-end pack shows
it on its cover beside the parts left out).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from branchkit.core.needs import Absence
from branchkit.io.tables import Report, Section, Table
from branchkit.models.ledgers import LEDGERS

KEY = "absent"
LABELS = {"ledger": ("台账", "Ledger"), "column": ("缺少的列", "Column not given"),
          "needed_by": ("用于", "Read by"), "left_out": ("缺少时的处理", "Left out without it")}
TITLE = ("缺少的列与台账", "Columns and ledgers not given")


def absence_table(absences: Sequence[Absence], lang: str) -> Table:
    """One row per column (or ledger) not given: which ledger, which column, who reads it, what is left out."""
    def ledger(kind: str) -> str:
        spec = LEDGERS[kind]
        return spec.label_zh if lang == "zh" else f"{spec.label_en} ({spec.label_zh})"

    frame = pd.DataFrame({
        "ledger": [ledger(a.kind) for a in absences],
        "column": [f"{a.header} ({a.column})" if a.column else ("整个台账" if lang == "zh" else "the whole ledger")
                   for a in absences],
        "needed_by": ["、".join(dict.fromkeys(a.by)) if lang == "zh" else ", ".join(dict.fromkeys(a.by))
                      for a in absences],
        "left_out": [a.left_out(lang) for a in absences],
    }, dtype="str")
    return Table(KEY, frame, TITLE[0], TITLE[1], labels=LABELS)


def with_absences(report: Report, absences: Sequence[Absence], lang: str) -> Report:
    """``report`` with the absences listed first (unless its cover lists them already); unchanged without."""
    if not absences or any(t.key == KEY for t in report.tables()):
        return report
    text = ("以下列或台账未提供，结果中相应部分按说明处理。" if lang == "zh"
            else "These columns or ledgers were not given; the results leave out what each line says.")
    section = Section(*TITLE, [absence_table(absences, lang)], text_zh=text if lang == "zh" else "",
                      text_en=text if lang != "zh" else "", anchor=KEY)
    report.sections.insert(0, section)
    return report
