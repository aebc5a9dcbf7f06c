"""A workbook's next sheet parsed in a thread while the one before is read (``io.workbook._Ahead``).

What is read, and which error is raised first, must be what reading the sheets one after another gives:
the grids are compared with a read that parses nothing ahead, and errors of two sheets are raised in the
sheets' order whichever parse ends first.
"""

from __future__ import annotations

import threading
import zipfile

import numpy as np
import pytest
import xlsxwriter

from branchkit.errors import InputError
from branchkit.io import sheetbudget, workbook
from branchkit.io.readbook import read_book
from branchkit.io.xlsxcheck import check_package
from branchkit.rules import load_rules

HEAD = ["客户号", "客户名称", "客户类型", "存款余额"]


def _book(path, sheets: dict[str, int], hidden: tuple[str, ...] = (), broken: tuple[str, ...] = (),
          far: dict[str, str] | None = None) -> None:
    """A workbook of one ledger a sheet ({name: rows}), its text as shared strings (as Excel writes it: a few,
    so that the sheets hold more cells than the workbook holds strings);
    ``broken`` sheets hold a cell calamine refuses (A0) though the package check passes it; ``far``: a
    stray cell in a sheet ({name: reference})."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, HEAD)
        for i in range(rows):
            sheet.write_row(i + 1, 0, [i, f"{name}客户{i % 3}", ["个人", "对公"][i % 2], 100.5 * i, i, 2 * i])
        if name in (far or {}):
            sheet.write(far[name], "远")
        if name in hidden:
            sheet.hide()
    book.close()
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    for at, name in enumerate(sheets, 1):
        if name in broken:
            part = f"xl/worksheets/sheet{at}.xml"
            parts[part] = parts[part].replace(b"</sheetData>", b'<row r="900"><c r="A0"><v>1</v></c></row></sheetData>')
    assert "xl/sharedStrings.xml" in parts
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


def _read(path, monkeypatch, ahead: bool = True, started: list | None = None) -> tuple[list[dict], list[str]]:
    """The grids read (their fields) and the sheets parsed ahead, in the order they were started (also
    put in ``started``, for a read that raises)."""
    started = [] if started is None else started
    start = workbook._Ahead.start

    def recording(self, name):
        started.append(name)
        start(self, name)

    with monkeypatch.context() as patch:
        patch.setattr(workbook._Ahead, "start", recording)
        if not ahead:
            patch.setattr(workbook, "_may_parse_ahead", lambda *args: False)
        book = read_book(path, load_rules(None).input)
    grids = [{k: v for k, v in vars(g).items() if k not in ("row_at", "col_at", "tail")} for g in book.grids]
    return grids + [{"skipped": book.skipped, "passed": book.passed}], started


@pytest.fixture
def roomy(monkeypatch):
    """A budget that holds any two of these small sheets' blocks as the scan counts them (a block within
    A1:Z99999 is counted as the whole of it), and small sheets long enough to be parsed ahead."""
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 10**8)
    monkeypatch.setattr(workbook, "AHEAD_CELLS", 1)


def _facts(path):
    return check_package(path, str(path), load_rules(None).input)


def test_the_next_sheet_is_parsed_ahead_and_read_as_without(tmp_path, monkeypatch, roomy):
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 30, "二": 40, "三": 5})
    grids, started = _read(path, monkeypatch)
    assert started == ["二", "三"]                    # one sheet ahead at a time, in order
    assert [g.get("sheet") for g in grids[:-1]] == ["一", "二", "三"]
    assert [len(g["rows"]) for g in grids[:-1]] == [31, 41, 6]
    assert grids[1]["rows"][40] == [39, "二客户0", "对公", 100.5 * 39, 39, 78]
    assert grids == _read(path, monkeypatch, ahead=False)[0]
    assert _read(path, monkeypatch, ahead=False)[1] == []


def test_a_hidden_sheet_between_is_passed_over(tmp_path, monkeypatch, roomy):
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "隐": 4, "二": 9}, hidden=("隐",))
    grids, started = _read(path, monkeypatch)
    assert started == ["二"]
    assert [g.get("sheet") for g in grids[:-1]] == ["一", "二"]
    assert grids[-1]["skipped"] == ["隐 (hidden)"]
    assert grids == _read(path, monkeypatch, ahead=False)[0]


def test_one_sheet_parses_nothing_ahead(tmp_path, monkeypatch, roomy):
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 3})
    grids, started = _read(path, monkeypatch)
    assert started == [] and len(grids[0]["rows"]) == 4


@pytest.mark.parametrize(("broken", "named"), [(("二",), "二"), (("一", "二"), "一"), (("一",), "一")])
def test_errors_are_raised_in_the_sheets_order(tmp_path, monkeypatch, roomy, broken, named):
    # the second sheet's parse (ahead, in the thread) fails too when both are broken: the first one's error
    # is the one raised, as when read one after another
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 400}, broken=broken)
    started = []
    with pytest.raises(InputError, match=f"sheet '{named}' cannot be read") as raised:
        _read(path, monkeypatch, started=started)
    assert started == ["二"]
    with pytest.raises(InputError) as alone:
        _read(path, monkeypatch, ahead=False)
    assert str(raised.value) == str(alone.value)
    assert not any(t.name == "branchkit-sheet-ahead" for t in threading.enumerate())   # waited for


def test_a_sheet_the_budget_reads_otherwise_is_parsed_again(tmp_path, monkeypatch):
    # parsed ahead (the rule forced), then read without its empty rows and columns (its block to Z500 does
    # not fit the budget): the parse ahead is dropped and the sheet read as the budget says
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 5}, far={"二": "Z500"})
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 1000)
    monkeypatch.setattr(workbook, "_may_parse_ahead", lambda *args: True)
    forced, started = _read(path, monkeypatch)
    assert started == ["二"]
    assert forced[1]["remarks"] and forced[1]["remarks"][0].startswith("read without its empty rows and columns")
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 1000)
    assert forced == _read(path, monkeypatch, ahead=False)[0]


def test_a_refused_sheet_parsed_ahead_is_waited_for(tmp_path, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 5})
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 60)          # 一's 40 cells and 二's 24 do not fit
    monkeypatch.setattr(sheetbudget, "SPARSE_RATIO", 0)
    monkeypatch.setattr(workbook, "_may_parse_ahead", lambda *args: True)
    with pytest.raises(InputError, match="refused: in sheet '二'"):
        _read(path, monkeypatch)
    assert not any(t.name == "branchkit-sheet-ahead" for t in threading.enumerate())


def test_a_failed_open_in_the_thread_leaves_the_sheet_to_the_reader(tmp_path, monkeypatch, roomy):
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 9})
    opened = workbook.calamine.CalamineWorkbook.from_path

    class Calamine:
        @staticmethod
        def from_path(source):
            if threading.current_thread().name == "branchkit-sheet-ahead":
                raise OSError("gone")
            return opened(source)

    monkeypatch.setattr(workbook.calamine, "CalamineWorkbook", Calamine)
    grids, started = _read(path, monkeypatch)
    assert started == ["二"]
    assert grids == _read(path, monkeypatch, ahead=False)[0]


@pytest.mark.parametrize(("delta", "ahead"), [(0, True), (-1, False), (1, True)])
def test_parsed_ahead_only_when_both_blocks_fit_the_budget(tmp_path, monkeypatch, delta, ahead):
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 9})
    shapes = _facts(path).shapes
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", shapes["一"].dense_area() + shapes["二"].dense_area() + delta)
    monkeypatch.setattr(sheetbudget, "SPARSE_RATIO", 0)
    monkeypatch.setattr(workbook, "AHEAD_CELLS", 1)
    assert (_read(path, monkeypatch)[1] == ["二"]) is ahead


@pytest.mark.parametrize(("delta", "ahead"), [(0, True), (-1, False), (1, True)])
def test_parsed_ahead_only_when_the_shared_text_both_may_copy_fits(tmp_path, monkeypatch, roomy, delta, ahead):
    # the cells of both sheets, each as long as the longest shared string (as the package check counts it)
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 9})
    facts = _facts(path)
    assert (facts.shapes["一"].cells, facts.shapes["二"].cells) == (58, 58)     # 4 + 6 * 9 each
    monkeypatch.setattr(sheetbudget, "SHARED_TEXT_BYTES", (58 + 58) * int(facts.shared_lengths.max()) + delta)
    monkeypatch.setattr(sheetbudget, "SHARED_TEXT_RATIO", 0)
    assert (_read(path, monkeypatch)[1] == ["二"]) is ahead


@pytest.mark.parametrize(("least", "ahead"), [(34, True), (35, False), (33, True)])
def test_parsed_ahead_only_beside_a_sheet_as_long(tmp_path, monkeypatch, least, ahead):
    # 一 holds 4 + 6 * 5 = 34 cells, 二 58: the shorter of the two decides
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 5, "二": 9})
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 10**8)
    monkeypatch.setattr(workbook, "AHEAD_CELLS", least)
    assert (_read(path, monkeypatch)[1] == ["二"]) is ahead
    _book(path, {"一": 9, "二": 5})
    assert (_read(path, monkeypatch)[1] == ["二"]) is ahead


@pytest.mark.parametrize(("strings", "ahead"), [(58, True), (59, False), (57, True)])
def test_parsed_ahead_only_when_the_sheets_hold_more_cells_than_the_shared_strings(tmp_path, strings, ahead):
    # the thread's own handle reads every shared string again: a sheet of fewer cells is not worth it
    path = tmp_path / "客户清单.xlsx"
    _book(path, {"一": 9, "二": 9})
    facts = _facts(path)
    facts.shared_lengths = np.ones(strings, dtype=np.int64)
    budget = sheetbudget.Budget(path, str(path), load_rules(None).input, facts)
    budget.allowed = budget.text_allowed = 10**9
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook, "AHEAD_CELLS", 1)
        assert workbook._may_parse_ahead(budget, "一", "二") is ahead
