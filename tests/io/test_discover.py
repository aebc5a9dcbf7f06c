"""Finding ledgers: a ``--<kind>`` option that takes a related kind's sheets from the same workbook."""

from __future__ import annotations

import openpyxl

from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules


def _volumes_book(path, hourly_sheet="分时段业务量"):
    book = openpyxl.Workbook()
    daily = book.active
    daily.title = "日均业务量"
    daily.append(["网点", "网点类型", "日均交易笔数"])
    daily.append(["城中支行", "一般网点", 260])
    hourly = book.create_sheet(hourly_sheet)
    hourly.append(["网点", "时段", "到达笔数"])
    hourly.append(["城中支行", "09:00-10:00", 30])
    hourly.append(["城中支行", "10:00-11:00", 45])
    book.save(path)
    return path


def test_volumes_option_reads_the_daily_and_the_hourly_sheet(tmp_path):
    path = _volumes_book(tmp_path / "业务量.xlsx")
    inputs = load_inputs(load_rules(), [], {"volumes": [path]})
    assert len(inputs.log) == 0
    assert inputs.frame("volumes")["daily_transactions"].tolist() == [260]
    assert inputs.frame("volumes_hourly")["hour"].tolist() == [9, 10]


def test_an_unnamed_hourly_sheet_is_known_by_its_headers(tmp_path):
    path = _volumes_book(tmp_path / "业务量.xlsx", hourly_sheet="Sheet2")
    inputs = load_inputs(load_rules(), [], {"volumes": [path]})
    assert inputs.frame("volumes_hourly")["arrivals"].tolist() == [30, 45]


def test_the_option_overrides_the_folders_hourly_sheet_too(tmp_path):
    given = _volumes_book(tmp_path / "given.xlsx")
    folder = tmp_path / "ledgers"
    folder.mkdir()
    _volumes_book(folder / "业务量.xlsx")
    inputs = load_inputs(load_rules(), [folder], {"volumes": [given]})
    assert len(inputs.frame("volumes_hourly")) == 2
    assert any("given by option" in note for note in inputs.notes)
