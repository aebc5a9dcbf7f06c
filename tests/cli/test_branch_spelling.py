"""A roster whose branch names are spelled otherwise than the customer list's (padding, width): read as one
branch with a named warning, the same allocation as when spelled alike; a branch not on the roster at all is
one warning naming it (``core.branch_names``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from branchkit.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def _roster(folder: Path, spell) -> None:
    book = openpyxl.load_workbook(folder / "员工.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.endswith("支行"):
                    cell.value = spell(cell.value)
    book.save(folder / "员工.xlsx")


def _allocate(folder: Path, out: Path, *extra: str):
    return CliRunner().invoke(app, ["allocate", str(folder), "-o", str(out), *extra])


@pytest.mark.skipif(not (SAMPLE / "员工.xlsx").exists(), reason="sample_data/ is not in this checkout")
def test_a_padded_roster_allocates_as_the_customer_lists_spelling_and_says_so(tmp_path):
    plain = _allocate(SAMPLE, tmp_path / "plain.csv", "-q")
    assert plain.exit_code == 0, plain.output
    padded = tmp_path / "padded"
    shutil.copytree(SAMPLE, padded)
    _roster(padded, lambda name: name[:2] + "\u3000" + name[2:])            # 城中支行 -> 城中　支行
    result = _allocate(padded, tmp_path / "padded.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "padded.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert "warning: branch_spelled_otherwise" in result.output
    assert "is read as 城中支行" in result.output

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(SAMPLE, elsewhere)
    _roster(elsewhere, lambda name: name.replace("城西支行", "城西分理处"))
    result = _allocate(elsewhere, tmp_path / "elsewhere.csv", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "warning: branch_without_staff" in result.output
    assert "of 1 branch(es) where nobody on the staff list works: 城西支行 (" in result.output
