"""The sample's xlsx writer: what it writes reads back the same in python-calamine and openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from branchkit.sample.xlsx import Cell, Column, Sheet, write_xlsx

WHEN = dt.datetime(2026, 11, 1, 8)


def test_values_read_back(tmp_path: Path) -> None:
    body = [
        Column(["0012", "A&B <c>", "=1+1"], "text"),
        Column([1.5, float("nan"), 3]),
        Column([dt.date(2024, 3, 5), "2024年3月5日", None]),
        Column([" padded", "", None]),
        Column([None, 7, None]),
    ]
    sheet = Sheet("数据", top=[[Cell("标题", "title")], ["a", "b", "c", "d", "e"]], body=body,
                  foot=[[Cell("合计", "bold"), Cell(4.5, "bold_money")]], merges=[(0, 0, 0, 4)], freeze=2)
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [sheet, Sheet("空")], WHEN)
    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert cells[2] == ["0012", 1.5, dt.date(2024, 3, 5), " padded", ""]
    assert cells[3] == ["A&B <c>", "", "2024年3月5日", "", 7.0]
    assert cells[4][0] == "=1+1"              # text stays text, never a formula
    assert cells[5][:2] == ["合计", 4.5]
    book = openpyxl.load_workbook(path)
    assert book["数据"]["A5"].value == "=1+1" and book["数据"]["A5"].data_type == "s"
    assert book["数据"].freeze_panes == "A3"
    assert [str(r) for r in book["数据"].merged_cells.ranges] == ["A1:E1"]


def test_same_content_same_bytes(tmp_path: Path) -> None:
    sheet = Sheet("s", body=[Column(list(range(50_000)))])
    write_xlsx(tmp_path / "a.xlsx", [sheet], WHEN)
    write_xlsx(tmp_path / "b.xlsx", [sheet], WHEN)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "x[1]"])
def test_bad_sheet_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "x.xlsx", [Sheet(name)], WHEN)
