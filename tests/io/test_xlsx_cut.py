"""Text longer than ``max_text_chars`` characters is cut to fit a cell, with a warning; the limit is
counted in characters, not UTF-8 bytes (the writer first looks at the longest text's bytes, so a
column whose texts are all short in bytes is not counted character by character)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.io.options import WriteOptions
from branchkit.io.output import write_report
from branchkit.io.tables import Report, Section, Table

LIMIT = 10


def _write(tmp_path, texts: list[str | None]) -> tuple[list[str], list[object]]:
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(texts))], "name": pd.Series(texts, dtype="str")})
    report = Report("t", "t", [Section("t", "t", [Table("customers", frame, "客户", "Customers")])], "customers")
    path = tmp_path / "o.xlsx"
    warnings = write_report(str(path), report, WriteOptions(max_text_chars=LIMIT))
    sheet = openpyxl.load_workbook(path)["客户"]
    return warnings, [sheet.cell(i + 2, 2).value for i in range(len(texts))]


@pytest.mark.parametrize("char", ["a", "长", "😀"])
@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT])
def test_a_text_at_or_under_the_limit_in_characters_is_whole(tmp_path, char, size):
    # "长" is 3 bytes and "😀" 4: more bytes than the limit, not more characters
    warnings, cells = _write(tmp_path, ["x", char * size, None])
    assert warnings == [] and cells == ["x", char * size, None]


@pytest.mark.parametrize("char", ["a", "长", "😀"])
def test_a_text_one_character_over_the_limit_is_cut_and_warned(tmp_path, char):
    warnings, cells = _write(tmp_path, ["x", char * (LIMIT + 1), "长" * LIMIT])
    assert cells == ["x", char * LIMIT, "长" * LIMIT]
    assert len(warnings) == 1 and "row 3," in warnings[0] and f"{LIMIT + 1} characters cut to {LIMIT}" in warnings[0]


def test_a_column_without_text_is_never_cut(tmp_path):
    warnings, cells = _write(tmp_path, [None, None])
    assert warnings == [] and cells == [None, None]
