"""Sheets whose cells are far apart: the cost follows the cells that hold values, never the bounding box.

Files are built here from raw XML (a few KB); the ones that used to abort the process (a Rust
allocation of 512 GB) are also run through the command line with their peak memory measured.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branchkit.errors import InputError
from branchkit.io import sheetbudget
from branchkit.io.xlsxshape import SheetShape, parse_references, scan_block
from branchkit.text import column_letters

FIXTURES = Path(__file__).parents[1] / "fixtures"
HEAD = ["客户号", "客户名称", "客户类型", "存款余额"]
LEDGER = [HEAD, ["1", "张三", "个人", 10], ["2", "李四", "对公", 20], ["3", "王五", "个人", "x"]]


def _cell(ref: str, value) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def sheet_xml(cells: dict[str, object], merges: list[str] = (), dimension: str | None = None) -> str:
    """A worksheet part holding ``cells`` ({"B7": value}), rows in order."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        rows.setdefault(int(re.sub(r"[A-Z]", "", ref)), []).append(_cell(ref, value))
    body = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dim}<sheetData>{body}</sheetData>{merged}</worksheet>")


def grid_cells(rows: list[list], top: int = 0) -> dict[str, object]:
    return {f"{column_letters(j)}{top + i + 1}": v for i, row in enumerate(rows) for j, v in enumerate(row)
            if v is not None}


def _book(tmp_path, package, cells, **kwargs) -> Path:
    path = tmp_path / "客户清单.xlsx"
    package(path, {"xl/worksheets/sheet1.xml": sheet_xml(cells, **kwargs)})
    return path


@pytest.mark.parametrize(("far", "compacted"), [("XFD1048576", True), ("XFD20000", True), ("E1048576", True),
                                                ("A1048576", True), ("XFD1", False)])
def test_a_ledger_with_one_stray_value_far_away_is_read_with_true_rows(tmp_path, package, read_ledgers, far,
                                                                      compacted):
    # XFD1 makes a block of 4 x 16,384 cells: read as it is, as any sheet
    path = _book(tmp_path, package, {**grid_cells(LEDGER), far: "备注"})
    inputs, frames, problems = read_ledgers(path)
    customers = frames["customers"]
    stray_row = int(re.sub(r"[A-Z]", "", far))
    on_its_own_row = stray_row > 4
    assert customers["customer_id"].tolist()[:3] == ["1", "2", "3"]
    assert customers["_row"].tolist() == [2, 3, 4] + ([stray_row] if on_its_own_row else [])
    bad = problems[["row", "column", "code"]].values.tolist()
    assert [4, "存款余额", "not_a_number"] in bad
    if on_its_own_row:       # a row holding only the stray value: its required cells are missing, at its row
        assert [stray_row, "客户类型", "missing_value"] in bad
    assert any("read without its empty rows and columns" in note and str(stray_row) in note for note in inputs.notes) \
        == compacted
    if on_its_own_row:
        note = inputs.ledgers["customers"].sources[0]
        assert note.blank == stray_row - 5       # rows 5 .. stray-1 are blank, as in the sheet


def test_the_stray_value_runs_through_the_command_line_in_bounded_memory(tmp_path, package):
    path = _book(tmp_path, package, {**grid_cells(LEDGER), "XFD1048576": 1})
    assert path.stat().st_size < 4096
    code = ("import resource, subprocess, sys;"
            f"r = subprocess.run([sys.executable, '-m', 'branchkit', 'validate', {str(path)!r}], capture_output=True,"
            " text=True, timeout=120);"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
            "print(r.returncode, peak, repr(r.stderr), sep='|')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    returncode, peak_kb, stderr = out.stdout.strip().split("|", 2)
    assert returncode == "1", stderr                      # data errors: the stray row lacks its id
    assert int(peak_kb) < 512 * 1024
    assert "row 1048576 column 客户号: 客户号 is required" in stderr and "memory allocation" not in stderr, stderr


def _compare_with_dense(tmp_path, package, read_ledgers, monkeypatch, cells, merges=()):
    path = _book(tmp_path, package, cells, merges=list(merges))
    _, dense, dense_problems = read_ledgers(path)
    # a budget of 64 cells per value: the sheets below are too sparse to read whole, not once compacted
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 0)
    monkeypatch.setattr(sheetbudget, "SPARSE_RATIO", 64)
    inputs, compact, compact_problems = read_ledgers(path)
    assert any("read without its empty rows" in note for note in inputs.notes)
    for kind, frame in dense.items():
        assert compact[kind].equals(frame), (compact[kind], frame)
    assert compact_problems.equals(dense_problems)
    assert inputs.ledgers["customers"].sources[0].blank == _blank(read_ledgers, path, monkeypatch)
    return compact["customers"]


def _blank(read_ledgers, path, monkeypatch):
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 10 ** 9)
    return read_ledgers(path)[0].ledgers["customers"].sources[0].blank


def test_a_sheet_read_without_its_empty_rows_and_columns_reads_as_the_whole_sheet(
        tmp_path, package, read_ledgers, monkeypatch):
    # a title merged over the table, a gap of empty rows and columns, a branch merged down over rows,
    # values far to the right under no header, a totals row: every row number and value as in the sheet
    rows = [["城中支行客户清单", None, None, None, None, None], [None] * 6,
            ["所属网点", None, *HEAD], ["城中", None, "1", "张三", "个人", 10], [None, None, "2", "李四", "对公", "x"]]
    cells = {**grid_cells(rows), "C60": "3", "D60": "王五", "E60": "个人", "F60": 30,
             "AZ61": "备注", "C70": "合计", "F70": 40}
    customers = _compare_with_dense(tmp_path, package, read_ledgers, monkeypatch, cells,
                                    merges=["A1:F1", "A4:A5", "AA100:AB120"])
    assert customers["_row"].tolist() == [4, 5, 60, 61]
    assert customers["branch"].tolist()[:2] == ["城中", "城中"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=st.lists(st.integers(0, 120), min_size=3, max_size=3), far_col=st.integers(250, 2000),
       header_at=st.integers(0, 8))
def test_compact_and_whole_readings_agree(tmp_path, package, read_ledgers, monkeypatch, gaps, far_col, header_at):
    monkeypatch.undo()
    cells = grid_cells([HEAD], top=header_at)
    row = header_at + 1
    for i, gap in enumerate(gaps):
        row += gap + 1
        cells.update(grid_cells([[str(i), f"客户{i}", "个人", i * 10]], top=row - 1))
    cells[f"{column_letters(far_col)}{row + 3}"] = "x"
    _compare_with_dense(tmp_path, package, read_ledgers, monkeypatch, cells)


def test_values_spread_over_a_diagonal_are_refused_naming_the_sheet(tmp_path, package, read_ledgers):
    # 16,384 values, each in its own row and column: 268 million cells however they are read
    cells = {**grid_cells([HEAD]), **{f"{column_letters(j)}{j + 2}": 1 for j in range(16384)}}
    path = _book(tmp_path, package, cells)
    with pytest.raises(InputError, match=r"sheet '客户清单' 16,388 cells hold something but they are spread over "
                                         r"16,385 rows and 16,384 columns \(the last at XFD16385\)"):
        read_ledgers(path)


def test_a_wide_sheet_whose_columns_all_hold_values_is_read(tmp_path, package, read_ledgers):
    # honest shape: 16,384 columns, each holding one value on the same row
    cells = {**grid_cells([HEAD]), **{f"{column_letters(j)}2": j for j in range(16384)}}
    _, frames, problems = read_ledgers(_book(tmp_path, package, cells))
    assert frames["customers"]["_row"].tolist() == [2]
    assert frames["customers"]["deposit"].tolist() == [3.0]
    assert problems[["row", "column", "code", "value"]].values.tolist() == [[2, "客户类型", "unknown_value", "2.0"]]


def test_the_budget_is_for_the_whole_workbook(tmp_path, package, read_ledgers, monkeypatch):
    # sheets are kept together: two sheets that each fit alone but not together are refused
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 30)
    monkeypatch.setattr(sheetbudget, "SPARSE_RATIO", 0)
    path = tmp_path / "客户清单.xlsx"
    part = sheet_xml(grid_cells(LEDGER))            # 4 x 4 = 16 cells each
    package(path, {"xl/worksheets/sheet1.xml": part})
    assert len(read_ledgers(path)[1]["customers"]) == 3
    _two_sheets(path, part)
    with pytest.raises(InputError, match="sheet '第二'"):
        read_ledgers(path, kind="customers")


def _two_sheets(path, part):
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", '<sheet name="第二" sheetId="2" r:id="rId9"/></sheets>'.encode())
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
    parts["xl/worksheets/sheet2.xml"] = part.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


@pytest.mark.parametrize(("ref", "reason"), [
    ("XFE1", "has a cell at 'XFE1', outside Excel's sheet"),
    ("A1048577", "has a cell at 'A1048577', outside Excel's sheet"),
    ("xfd1048577", "has a cell at 'xfd1048577', outside Excel's sheet"),
    ("A00001048576", "has a cell at 'A00001048576', outside Excel's sheet"),      # the reader would take it
    ("ABCD1", "has a cell at 'ABCD1', outside Excel's sheet"),
    ("A0", "cannot be read: Range is missing the expected row component"),        # the reader refuses it
    ("1A", "cannot be read"),
])
def test_a_cell_outside_excels_sheet_is_refused(tmp_path, package, read_ledgers, ref, reason):
    path = tmp_path / "客户清单.xlsx"
    xml = sheet_xml(grid_cells(LEDGER)).replace("</sheetData>", f'<row r="9"><c r="{ref}"><v>1</v></c></row>'
                                                "</sheetData>")
    package(path, {"xl/worksheets/sheet1.xml": xml})
    with pytest.raises(InputError, match=rf"sheet '客户清单' {re.escape(reason)}"):
        read_ledgers(path)


def test_cells_without_references_placed_far_away_are_refused(tmp_path, package, read_ledgers):
    # <row r="1048576"><c><v>1</v></c>: calamine places an unreferenced cell after the one before it
    path = tmp_path / "客户清单.xlsx"
    xml = sheet_xml(grid_cells(LEDGER)).replace(
        "</sheetData>", '<row r="1048576"><c><v>1</v></c><c><v>2</v></c></row></sheetData>')
    package(path, {"xl/worksheets/sheet1.xml": xml})
    with pytest.raises(InputError, match="spread over"):
        read_ledgers(path)


def test_cells_without_references_in_a_normal_sheet_are_read(tmp_path, package, read_ledgers):
    path = tmp_path / "客户清单.xlsx"
    body = "".join("<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row) + "</row>"
                   for row in [HEAD, ["1", "张三", "个人", "10"]])
    package(path, {"xl/worksheets/sheet1.xml": sheet_xml({}).replace("<sheetData></sheetData>",
                                                                      f"<sheetData>{body}</sheetData>")})
    assert read_ledgers(path)[1]["customers"]["deposit"].tolist() == [10.0]


def _shared_book(path, package, text, uses):
    cells = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(2, uses + 2))
    head = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABCD", HEAD))
    package(path, {
        "xl/worksheets/sheet1.xml": sheet_xml({}).replace("<sheetData></sheetData>",
                                                          f'<sheetData><row r="1">{head}</row>{cells}</sheetData>'),
        "xl/sharedStrings.xml": '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                f'2006/main"><si><t>{text}</t></si></sst>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"})


def test_cells_repeating_a_long_shared_string_are_refused(tmp_path, package, read_ledgers, monkeypatch):
    # each cell gets its own copy of the shared string: 20 KB x 2,000 cells = 40 MB from a 10 KB file
    monkeypatch.setattr(sheetbudget, "SHARED_TEXT_BYTES", 32 * 1024 * 1024)
    path = tmp_path / "客户清单.xlsx"
    _shared_book(path, package, "长" * 20_000, 2_000)
    assert path.stat().st_size < 16_000
    with pytest.raises(InputError, match="the cells of sheet '客户清单' repeat its shared strings"):
        read_ledgers(path)
    _shared_book(path, package, "长" * 20_000, 500)                 # 10 MB: within the budget
    assert read_ledgers(path)[1]["customers"]["customer_id"].str.len().tolist() == [20_000] * 500


def test_a_short_shared_string_on_many_cells_is_fine(tmp_path, package, read_ledgers):
    path = tmp_path / "客户清单.xlsx"
    _shared_book(path, package, "1001", 20_000)
    assert len(read_ledgers(path)[1]["customers"]) == 20_000


def test_a_merged_range_over_the_whole_sheet_costs_only_the_cells_read(tmp_path, package, read_ledgers):
    path = _book(tmp_path, package, {"A1": "标题", **grid_cells(LEDGER, top=1)}, merges=["A1:XFD1048576"])
    with pytest.raises(InputError, match="no header row"):       # every cell reads as the title, as drawn
        read_ledgers(path)


def test_overlapping_merged_ranges_are_refused(tmp_path, package, read_ledgers, monkeypatch):
    path = _book(tmp_path, package, grid_cells(LEDGER), merges=["A2:D4"] * 5)
    with pytest.raises(InputError, match=r"merged ranges overlap \(they cover 24 cells of a sheet of 16\)"):
        read_ledgers(path)
    path = _book(tmp_path, package, grid_cells(LEDGER), merges=["A2:A4", "B2:B3"])
    assert read_ledgers(path)[1]["customers"]["customer_id"].tolist() == ["1", "1", "1"]


def test_a_long_text_merged_over_many_cells_is_refused(tmp_path, package, read_ledgers, monkeypatch):
    from branchkit.io import ledger

    monkeypatch.setattr(ledger, "MERGED_TEXT_BYTES", 1000)
    rows = [HEAD] + [[str(i), "x", "个人", 1] for i in range(40)]
    path = _book(tmp_path, package, {**grid_cells(rows), "E2": "长" * 30}, merges=["E2:E41"])
    with pytest.raises(InputError, match="merged ranges would repeat"):
        read_ledgers(path)
    path = _book(tmp_path, package, {**grid_cells(rows), "E2": "长" * 20}, merges=["E2:E41"])   # 800 chars
    assert len(read_ledgers(path)[1]["customers"]) == 40


def test_an_xls_with_a_stray_cell_at_its_last_row_and_column_is_refused(tmp_path, read_ledgers):
    # the fixture's 合计 cell (LABELSST record at row 5, column 0) moved to IV65536
    data = bytearray((FIXTURES / "customers.xls").read_bytes())
    record = bytes.fromhex("fd000a00") + (5).to_bytes(2, "little") + (0).to_bytes(2, "little")
    at = data.find(record)
    assert at > 0
    data[at + 4:at + 8] = (65535).to_bytes(2, "little") + (255).to_bytes(2, "little")
    path = tmp_path / "客户清单.xls"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"sheet '客户清单' spans 65,536 rows and 256 columns \(to IV65536\)"):
        read_ledgers(path)


def test_references_are_parsed_like_the_reader_does():
    row, col, ok = parse_references([b"A1", b"XFD1048576", b"aa10", b"XFE1", b"A1048577", b"A0", b"", b"A1x"])
    assert ok.tolist() == [True, True, True, False, False, False, False, False]
    assert (row[ok].tolist(), col[ok].tolist()) == ([0, 1048575, 9], [0, 16383, 26])


def test_the_scan_counts_small_blocks_and_places_wide_ones():
    small = SheetShape()
    scan_block(sheet_xml(grid_cells(LEDGER)).encode(), small)
    assert small.cells == 16 and not small.placed and small.dense_area() == 99_999 * 26
    placed = SheetShape()
    scan_block(sheet_xml(grid_cells(LEDGER)).encode(), placed, place_all=True)
    assert placed.placed and placed.dense_area() == 16
    assert placed.distinct_rows().tolist() == [0, 1, 2, 3] and placed.distinct_cols().tolist() == [0, 1, 2, 3]
    wide = SheetShape()
    scan_block(sheet_xml({**grid_cells(LEDGER), "AB7": 1, "C8": ""}).encode(), wide)
    assert wide.placed and wide.dense_area() == 8 * 28 and wide.cells == 18
    assert np.array_equal(wide.distinct_cols(), [0, 1, 2, 3, 27])


# --- HTML tables saved as .xls: spans fill at most a budget of cells -------------------------------------

from branchkit.io import htmltable  # noqa: E402

HTML_HEAD = "<table><tr><th>网点</th><th>客户号</th><th>客户名称</th><th>客户类型</th></tr>"


def test_html_spans_of_a_thousand_by_a_thousand_are_refused_at_once(tmp_path, read_ledgers):
    # 1.3 KB that used to grow to gigabytes: each cell asks for a million
    cells = '<td rowspan="1000" colspan="1000">x</td>' * 30
    path = tmp_path / "客户清单.xls"
    path.write_text(f"{HTML_HEAD}<tr>{cells}</tr></table>", encoding="utf-8")
    assert path.stat().st_size < 1500
    with pytest.raises(InputError, match=r"rowspan and colspan would fill more than 1,000,000 cells"):
        read_ledgers(path)


def test_html_spans_at_the_budget_are_read_and_one_more_cell_is_refused(tmp_path, read_ledgers, monkeypatch):
    monkeypatch.setattr(htmltable, "SPAN_CELLS", 4 + 30 + 3 + 3 * 2)      # header, rowspan 30, three cells a row
    monkeypatch.setattr(htmltable, "SPAN_RATIO", 0)
    rows = '<tr><td rowspan="30">城中</td><td>1</td><td>张三</td><td>个人</td></tr>' + \
           "".join(f"<tr><td>{i}</td><td>李{i}</td><td>个人</td></tr>" for i in (2, 3))
    path = tmp_path / "客户清单.xls"
    path.write_text(f"{HTML_HEAD}{rows}</table>", encoding="utf-8")
    assert read_ledgers(path)[1]["customers"]["branch"].tolist() == ["城中"] * 3
    path.write_text(HTML_HEAD + rows.replace('rowspan="30"', 'rowspan="31"') + "</table>", encoding="utf-8")
    with pytest.raises(InputError, match="would fill more than 43 cells"):
        read_ledgers(path)


def test_an_honest_rowspan_over_many_rows_is_read(tmp_path, read_ledgers):
    rows = f'<tr><td rowspan="5000">城中</td><td>0</td><td>客户0</td><td>个人</td></tr>' + "".join(
        f"<tr><td>{i}</td><td>客户{i}</td><td>个人</td></tr>" for i in range(1, 5000))
    path = tmp_path / "客户清单.xls"
    path.write_text(f"{HTML_HEAD}{rows}</table>", encoding="utf-8")
    customers = read_ledgers(path)[1]["customers"]
    assert len(customers) == 5000 and set(customers["branch"]) == {"城中"}
    assert customers["_row"].tolist()[-1] == 5001


def test_an_html_row_wider_than_a_sheet_is_refused(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xls"
    path.write_text(HTML_HEAD + "<tr>" + '<td colspan="1000">x</td>' * 17 + "</tr></table>", encoding="utf-8")
    with pytest.raises(InputError, match="a table row has 17,000 cells; a sheet has at most 16,384 columns"):
        read_ledgers(path)


# --- SpreadsheetML 2003: ss:Index jumps cost nothing, and stay inside the sheet -----------------------------

def _spreadsheetml(rows: str) -> str:
    head = "".join(f'<Cell><Data ss:Type="String">{h}</Data></Cell>' for h in HEAD)
    return ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="客户清单"><Table>'
            f"<Row>{head}</Row>{rows}</Table></Worksheet></Workbook>")


def _row(values, index=None, first_cell_index=None):
    cells = []
    for k, value in enumerate(values):
        at = f' ss:Index="{first_cell_index}"' if k == 0 and first_cell_index else ""
        cells.append(f'<Cell{at}><Data ss:Type="String">{value}</Data></Cell>')
    at = f' ss:Index="{index}"' if index else ""
    return f"<Row{at}>{''.join(cells)}</Row>"


def test_a_spreadsheetml_row_far_down_keeps_its_row_number(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xls"
    path.write_text(_spreadsheetml(_row(["1", "张三", "个人", "10"]) + _row(["2", "李四", "个人", "x"], 1048576)),
                    encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["_row"].tolist() == [2, 1048576]
    assert problems[["row", "code"]].values.tolist() == [[1048576, "not_a_number"]]


@pytest.mark.parametrize(("row", "match"), [
    (_row(["1"], 1048577), "a row index 1048577 lies outside the sheet"),
    (_row(["1"], first_cell_index=16385), "a column index 16385 lies outside the sheet"),
    (_row(["1", "2"], 5) + _row(["3"], 4), "a row index 4 lies outside the sheet or goes back"),
])
def test_spreadsheetml_indexes_outside_the_sheet_are_refused(tmp_path, read_ledgers, row, match):
    path = tmp_path / "客户清单.xls"
    path.write_text(_spreadsheetml(row), encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_ledgers(path)


def test_spreadsheetml_cells_far_to_the_right_on_every_row_are_refused(tmp_path, read_ledgers, monkeypatch):
    monkeypatch.setattr(htmltable, "SPAN_CELLS", 10_000)
    monkeypatch.setattr(htmltable, "SPAN_RATIO", 0)
    rows = "".join(_row([str(i)], first_cell_index=16000) for i in range(2))
    path = tmp_path / "客户清单.xls"
    path.write_text(_spreadsheetml(rows), encoding="utf-8")
    with pytest.raises(InputError, match="jumps over 15,999 empty cells with ss:Index for 5 cells written"):
        read_ledgers(path)


@pytest.mark.parametrize(("members", "reason"), [
    ({"xl/workbook.bin": b"\x83\x01", "xl/worksheets/sheet1.bin": b"\x00"}, r"an Excel binary workbook \(.xlsb\)"),
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
     r"an OpenDocument spreadsheet \(.ods\)"),
])
def test_other_spreadsheet_packages_are_named(tmp_path, read_ledgers, members, reason):
    path = tmp_path / "客户清单.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(InputError, match=reason):
        read_ledgers(path)


def test_a_workbook_of_millions_of_unused_shared_strings_is_refused_before_it_is_opened(tmp_path, package,
                                                                                       read_ledgers, monkeypatch):
    # the reader loads every shared string when it opens the workbook: 5 bytes of XML each
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 1000)
    path = tmp_path / "客户清单.xlsx"
    _shared_book(path, package, "x", 10)
    strings = "<si><t>x</t></si>" + "<si/>" * 5000
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/sharedStrings.xml"] = re.sub(rb"<si>.*</si>", strings.encode(), parts["xl/sharedStrings.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    with pytest.raises(InputError, match="holds 5,001 shared strings for 14 cells"):
        read_ledgers(path)
