"""A long sheet parsed in two halves at once (``io.xlsxsplit``) reads exactly as when parsed whole.

The tests lower ``SPLIT_BYTES`` so small workbooks are split, and compare every grid (rows, the tail's
columns, merged ranges, remarks) and every error with the same workbook read with no split; the cases where
the halves would not be one parse's (no row reference at the cut, a gap or an overlap at the cut, another
width, a merged range across the cut) must be read whole.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest
import xlsxwriter

from branchkit.errors import InputError
from branchkit.io import sheetbudget, workbook, xlsxsplit
from branchkit.io.readbook import read_book
from branchkit.io.xlsxcheck import check_package
from branchkit.io.xlsxshape import SheetShape
from branchkit.rules import load_rules

HEAD = ["客户号", "客户名称", "开户日期", "存款余额", "是否有效", "备注"]
LIMITS = load_rules(None).input


def _book(path: Path, rows: int = 300, sheets: tuple[str, ...] = ("客户",), shared: bool = False) -> None:
    """A ledger of every kind of cell (text, numbers, dates, booleans, blanks), a merged title above it; its
    text inline (as the benchmark's lists) or, with ``shared``, as shared strings (as Excel writes it)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "constant_memory": not shared})
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    for name in sheets:
        sheet = book.add_worksheet(name)
        sheet.merge_range("A1:F1", f"{name}清单")        # first: a constant_memory sheet is written row by row
        sheet.write_row(1, 0, HEAD)
        for i in range(rows):
            r = i + 2
            sheet.write_string(r, 0, f"{i:08d}")
            sheet.write_string(r, 1, f"客户{i}")
            sheet.write_datetime(r, 2, dt.datetime(2020, 1, 1) + dt.timedelta(days=i), dated)
            sheet.write_number(r, 3, 1000.25 * i)
            sheet.write_boolean(r, 4, i % 3 == 0)
            if i % 4:
                sheet.write_string(r, 5, ["", "甲", "乙"][i % 3] or "丙")
    book.close()


def _rewrite(path: Path, change) -> None:
    """The package with its first sheet's XML passed through ``change``."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dest:
        for name, data in parts.items():
            dest.writestr(name, data)


def _grids(path: Path, monkeypatch, split: bool, by_column: bool = True, block: int = 37) -> tuple[list, list]:
    """Every grid's fields (the tail's columns as values) and whether each sheet parsed was split."""
    used: list[bool] = []
    parse = xlsxsplit.parse_halves

    def recording(*args):
        halves = parse(*args)
        used.append(halves is not None)
        return halves

    with monkeypatch.context() as patch:
        patch.setattr(xlsxsplit, "SPLIT_BYTES", 1 if split else 10**15)
        patch.setattr(workbook, "parse_halves", recording)
        patch.setattr(workbook, "BY_COLUMN_CELLS", 1 if by_column else 10**12)
        patch.setattr(workbook, "BLOCK_ROWS", block)
        book = read_book(path, LIMITS)
    out = []
    for grid in book.grids:
        fields = {k: v for k, v in vars(grid).items() if k != "tail"} | {"tail": None}
        if grid.tail is not None:
            fields["tail"] = (grid.tail.width, grid.tail.height,
                              [[p.to_pylist() if isinstance(p, pa.Array) else p.tolist() for p in column]
                               for column in grid.tail.columns])
        out.append(fields)
    return out + [{"skipped": book.skipped, "passed": book.passed}], used


@pytest.mark.parametrize("by_column", [True, False])
def test_a_sheet_read_in_halves_is_the_sheet_read_whole(tmp_path, monkeypatch, by_column):
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    grids, used = _grids(path, monkeypatch, True, by_column)
    assert used == [True]
    assert grids == _grids(path, monkeypatch, False, by_column)[0]
    rows = grids[0]["rows"]
    assert rows[0][0] == "客户清单" and rows[1] == HEAD
    assert (grids[0]["tail"] is not None) == by_column
    if not by_column:                                        # the rows at the cut, both sides, as they are
        assert len(rows) == 302
        assert rows[2 + 150][:2] == ["00000150", "客户150"] and rows[2 + 151][:2] == ["00000151", "客户151"]
    assert grids[0]["merged"] == [((0, 0), (0, 5))]


@pytest.mark.parametrize(("share", "split"), [(0.003, False), (0.005, False), (0.008, True), (0.03, True),
                                             (0.2, True), (0.8, True), (0.99, True)])
def test_a_cut_anywhere_reads_as_whole(tmp_path, monkeypatch, share, split):
    # (the XML's rows 1, 2 and 3 start at 0.0046, 0.0055 and 0.0099 of it) before the first row: no top
    # half; above the header: a top half of the title alone, in column A, narrower than the bottom one (both
    # read whole); above the first customer, within the first rows (read as rows), below them, far down
    monkeypatch.setattr(xlsxsplit, "TOP_SHARE", share)
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    grids, used = _grids(path, monkeypatch, True)
    assert used == [split]
    assert grids == _grids(path, monkeypatch, False)[0]


def test_shared_strings_and_two_sheets_read_as_whole(tmp_path, monkeypatch):
    # each half's package holds the shared strings; the first sheet is split, the second is parsed ahead
    # beside its read (two parses at once already), and split there
    monkeypatch.setattr(workbook, "AHEAD_CELLS", 1)
    monkeypatch.setattr(sheetbudget, "DENSE_CELLS", 10**8)
    monkeypatch.setattr(xlsxsplit, "CELLS_PER_STRING", 0)
    path = tmp_path / "客户清单.xlsx"
    _book(path, sheets=("对公", "个人"), shared=True)
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(path).namelist()
    grids, used = _grids(path, monkeypatch, True)
    assert used == [True]                                    # 个人, ahead; 对公 is parsed beside it, whole
    assert grids == _grids(path, monkeypatch, False)[0]


def test_no_half_file_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxsplit, "_TEMPORARY", tmp_path / "half" / "branchkit-half.xlsx")
    (tmp_path / "half").mkdir()
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    assert _grids(path, monkeypatch, True)[1] == [True]
    assert list((tmp_path / "half").iterdir()) == []


def _read_whole_as_ever(path: Path, monkeypatch) -> None:
    """The sheet is not split, and reads as with no split at all."""
    grids, used = _grids(path, monkeypatch, True)
    assert used == [False]
    assert grids == _grids(path, monkeypatch, False)[0]


def test_no_temporary_folder_reads_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxsplit, "_TEMPORARY", tmp_path / "missing" / "branchkit-half.xlsx")
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    _read_whole_as_ever(path, monkeypatch)


def test_rows_without_references_are_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    _rewrite(path, lambda xml: xml.replace(b'<row r="', b'<row x="'))
    _read_whole_as_ever(path, monkeypatch)


def test_an_empty_row_at_the_cut_is_read_whole(tmp_path, monkeypatch):
    # rows 150 to 160 (1-based) emptied and the cut put at row 161: calamine's rows of the whole sheet hold
    # them as empty rows, which the top half's parse does not end with
    path = tmp_path / "客户清单.xlsx"
    _book(path)

    def emptied(xml: bytes) -> bytes:
        start, end = xml.index(b'<row r="150"'), xml.index(b'<row r="161"')
        return xml[:start] + xml[end:]
    _rewrite(path, emptied)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    monkeypatch.setattr(xlsxsplit, "TOP_SHARE", xml.index(b'<row r="161"') / len(xml))
    _read_whole_as_ever(path, monkeypatch)


def test_a_broken_cell_in_the_second_half_raises_what_a_whole_parse_raises(tmp_path, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    _rewrite(path, lambda xml: xml.replace(b"</sheetData>", b'<row r="900"><c r="A0"><v>1</v></c></row></sheetData>'))
    errors = []
    for split in (True, False):
        with pytest.raises(InputError) as caught:
            _grids(path, monkeypatch, split)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "cannot be read" in errors[0]


def _cut(path: Path, share: float, monkeypatch) -> int | None:
    facts = check_package(path, str(path), LIMITS)
    files = [Path(tempfile.mkstemp(suffix=".xlsx")[1]) for _ in range(2)]
    monkeypatch.setattr(xlsxsplit, "TOP_SHARE", share)
    try:
        with zipfile.ZipFile(path) as source:
            return xlsxsplit._write_halves(source, facts.parts["客户"], files, "x", LIMITS,
                                           facts.shapes["客户"].xml_bytes, lambda: None)
    finally:
        for file in files:
            file.unlink()


def test_the_cut_is_the_first_row_starting_after_the_share(tmp_path, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    for share in (0.25, 0.5, 0.75):
        at = xml.index(b'<row r="', int(len(xml) * share))
        assert _cut(path, share, monkeypatch) == int(xml[at + 8:xml.index(b'"', at + 8)]) - 1
    assert _cut(path, 0.999999, monkeypatch) is None             # no row starts after it


def _sheet(start, end, merged=()):
    return SimpleNamespace(start=start, end=end, merged_cell_ranges=list(merged))


@pytest.mark.parametrize(("top", "bottom", "joins"), [
    (((0, 0), (9, 5)), ((10, 0), (20, 5)), True),           # touching, as wide
    (((0, 0), (8, 5)), ((10, 0), (20, 5)), False),          # an empty row between
    (((0, 0), (10, 5)), ((10, 0), (20, 5)), False),         # a cell of the top half at or below the cut
    (((0, 0), (9, 4)), ((10, 0), (20, 5)), False),          # narrower top
    (((0, 0), (9, 5)), ((10, 0), (20, 4)), False),          # narrower bottom
    (((0, 1), (9, 5)), ((10, 0), (20, 5)), False),          # the top half not from column A
    (((0, 0), (9, 5)), ((10, 1), (20, 5)), False),          # the bottom half not from column A
    (((1, 0), (9, 5)), ((10, 0), (20, 5)), False),          # not from row 1
])
def test_halves_join_only_as_one_block(top, bottom, joins):
    assert (xlsxsplit.joined(_sheet(*top), _sheet(*bottom), 10, iter([])) is not None) == joins


@pytest.mark.parametrize(("merge", "joins"), [
    (((9, 0), (9, 5)), True),               # ends above the cut
    (((10, 0), (11, 5)), True),             # starts at it
    (((9, 0), (10, 5)), False),             # across it
    (((0, 0), (20, 0)), False),
])
def test_a_merged_range_across_the_cut_is_read_whole(merge, joins):
    top, bottom = _sheet((0, 0), (9, 5)), _sheet((10, 0), (20, 5), [merge])
    halves = xlsxsplit.joined(top, bottom, 10, iter([]))
    assert (halves is not None) == joins
    if joins:
        assert halves.start == (0, 0) and halves.end == (20, 5) and halves.merged_cell_ranges == [merge]


def _shape(xml_bytes: int, cells: int = 1000, **kwargs) -> SheetShape:
    return SheetShape(cells=cells, xml_bytes=xml_bytes, **kwargs)


def test_split_threshold_at_under_over():
    limit = xlsxsplit.SPLIT_BYTES
    assert xlsxsplit.may_split(_shape(limit), 0)
    assert not xlsxsplit.may_split(_shape(limit - 1), 0)
    assert xlsxsplit.may_split(_shape(limit + 1), 0)
    assert not xlsxsplit.may_split(_shape(limit, bad_reference="A0"), 0)
    assert not xlsxsplit.may_split(_shape(limit, odd=True), 0)


def test_shared_strings_bound_at_under_over():
    per = xlsxsplit.CELLS_PER_STRING
    cells = 100 * per
    assert xlsxsplit.may_split(_shape(xlsxsplit.SPLIT_BYTES, cells), 100)            # at
    assert xlsxsplit.may_split(_shape(xlsxsplit.SPLIT_BYTES, cells), 99)             # under
    assert not xlsxsplit.may_split(_shape(xlsxsplit.SPLIT_BYTES, cells), 101)        # over


def _begins(monkeypatch) -> list:
    """What each ``workbook._begin`` made of a top half, in order: None, or the tail's rows and the rows of
    the block begun, as it was made (the read goes on adding to its tail)."""
    made: list = []
    begin = workbook._begin

    def recording(top, first):
        begun = begin(top, first)
        made.append(None if begun is None else (begun.tail.height, begun.filled))
        return begun
    monkeypatch.setattr(workbook, "_begin", recording)
    return made


@pytest.mark.parametrize("carry", [0, 1, -1, None])
def test_the_top_half_read_in_its_thread_cuts_the_blocks_where_a_whole_read_does(tmp_path, monkeypatch, carry):
    # the top half's tail rows ending a block exactly, one row into a block, one row short of a block,
    # and several blocks of 7 rows: the bottom half's rows fill the block begun, and the tail's blocks
    # (each column's arrays) are those of the sheet read whole
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    rows = _cut(path, 0.5, monkeypatch) - (LIMITS.header_scan_rows + workbook.HEAD_MARGIN)
    block = {0: rows, 1: rows - 1, -1: rows + 1, None: 7}[carry]
    made = _begins(monkeypatch)
    with monkeypatch.context() as patch:     # the top half is never read again: the rows begun are used
        patch.setattr(xlsxsplit.Halves, "iter_rows", None)
        grids, used = _grids(path, monkeypatch, True, block=block)
    assert used == [True] and len(made) == 1
    assert made[0] == (rows - rows % block, rows % block)
    assert made[0][1] == {0: 0, 1: 1, -1: block - 1, None: rows % 7}[carry]
    assert grids == _grids(path, monkeypatch, False, block=block)[0]
    assert grids[0]["tail"][1] == 300 - (LIMITS.header_scan_rows + workbook.HEAD_MARGIN - 2)


def test_a_top_half_begun_but_read_as_rows_reads_as_whole(tmp_path, monkeypatch):
    # a merged range below the first rows: the sheet is read as rows (``_long``), what the top half's
    # thread began is not used
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    _rewrite(path, lambda xml: xml.replace(b'<mergeCells count="1">', b'<mergeCells count="2"><mergeCell ref="A61:B61"/>'))
    made = _begins(monkeypatch)
    grids, used = _grids(path, monkeypatch, True)
    assert used == [True] and made[0] is not None
    assert grids[0]["tail"] is None and ((60, 0), (60, 1)) in grids[0]["merged"]
    assert grids == _grids(path, monkeypatch, False)[0]


def test_a_top_half_shorter_than_the_first_rows_is_not_begun(tmp_path, monkeypatch):
    # the cut above the first rows' end: the top half is no beginning of the tail (read from row 1)
    monkeypatch.setattr(xlsxsplit, "TOP_SHARE", 0.03)
    path = tmp_path / "客户清单.xlsx"
    _book(path)
    made = _begins(monkeypatch)
    grids, used = _grids(path, monkeypatch, True)
    assert used == [True] and made == [None]
    assert grids == _grids(path, monkeypatch, False)[0]
