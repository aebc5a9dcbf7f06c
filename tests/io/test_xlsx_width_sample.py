"""Column widths are measured on each table's first ``_WIDTH_SAMPLE`` rows: a long text at the last
sampled row widens the column, one just after it does not; tables prepared together (the same columns)
each keep their own widths."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.io import xlsx
from branchkit.io.options import WriteOptions
from branchkit.io.output import write_report
from branchkit.io.tables import Report, Section, Table


def _widths(path) -> dict[str, float]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: sheet.column_dimensions["A"].width for sheet in book.worksheets}


@pytest.mark.parametrize("at, widened", [(298, True), (299, True), (300, False), (301, False)])
def test_a_long_text_counts_only_within_the_sample(tmp_path, at, widened):
    assert xlsx._WIDTH_SAMPLE == 300
    texts = ["ab"] * 400
    texts[at] = "x" * 60
    short = Table("s", pd.DataFrame({"note": ["ab"] * 400}), "短", "Short")
    long = Table("l", pd.DataFrame({"note": texts}), "长", "Long")
    write_report(str(tmp_path / "o.xlsx"), Report("t", "t", [Section("t", "t", [short, long])], "s"), WriteOptions())
    widths = _widths(tmp_path / "o.xlsx")
    assert (widths["长"] > widths["短"] + 40) is widened
    assert widths["长"] == widths["短"] or widened
