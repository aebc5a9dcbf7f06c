"""The package scan's blocks end between tags: a cell whose text is longer than a chunk cannot hide its
reference by having it cut in two between blocks."""

from __future__ import annotations

import zipfile

import pytest

from branchkit.errors import InputError
from branchkit.io import xlsxcheck
from branchkit.io.sheetbudget import Budget
from branchkit.io.xlsxcheck import _cut, check_package
from branchkit.rules import load_rules

HEAD = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _far_cell(text_bytes: int) -> str:
    return (HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="XFD1048576" '
            't="inlineStr"><is><t>' + "x" * text_bytes + "</t></is></c></row></sheetData></worksheet>")


@pytest.mark.parametrize("data, cut", [
    (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2">', 39),     # after the last row
    (b'<c r="A1"><v>1</v></c><c r="B1"><v>2', 22),                              # after the last cell
    (b'<c r="XFD1048576" t="inlineStr"><is><t>xxxxxxxx', 36),                   # before the last tag
    (b'<t>xxxxxxxxxxxxxxxx', 0),                                                # nowhere: keep reading
    (b'xxxxxxxxxxxxxxxxxxx', -1),
])
def test_a_block_ends_after_a_row_or_a_cell_or_before_a_tag(data, cut):
    assert _cut(data) == cut


def test_a_far_cell_after_a_text_longer_than_a_chunk_is_seen_and_read_compacted(tmp_path, package, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    package(path, {"xl/worksheets/sheet1.xml": _far_cell(100_000)})
    monkeypatch.setattr(xlsxcheck, "_CHUNK", 2048)       # the text spans about fifty chunks
    limits = load_rules().input
    facts = check_package(path, str(path), limits)
    shape = facts.shapes["客户清单"]
    assert shape.distinct_cols()[-1] == 16383 and shape.distinct_rows()[-1] == 1048575    # the scan saw it
    compact = Budget(path, str(path), limits, facts).plan("客户清单")     # read without the empty columns
    assert compact is not None and compact.cols.tolist() == [0, 16383]


def test_a_text_longer_than_the_largest_element_is_refused(tmp_path, package, monkeypatch):
    path = tmp_path / "客户清单.xlsx"
    package(path, {"xl/worksheets/sheet1.xml": _far_cell(40_000)})
    monkeypatch.setattr(xlsxcheck, "_CHUNK", 2048)
    monkeypatch.setattr(xlsxcheck, "_MAX_TAG", 16 * 1024)
    with pytest.raises(InputError, match="single element larger than 0 MB"):
        check_package(path, str(path), load_rules().input)
    monkeypatch.setattr(xlsxcheck, "_MAX_TAG", 64 * 1024)                # just over the text: read
    assert check_package(path, str(path), load_rules().input).shapes["客户清单"].distinct_cols()[-1] == 16383


def _blocks_by_rule(xml: bytes, chunk: int) -> list[bytes]:
    """Each block is what was read so far, up to its last ``</row>`` (or, with none, its last cell or tag)."""
    blocks, tail = [], b""
    for start in range(0, len(xml), chunk):
        data = tail + xml[start:start + chunk]
        cut = _cut(data)
        if cut <= 0:
            tail = data
            continue
        blocks.append(data[:cut])
        tail = data[cut:]
    return blocks + ([tail] if tail else [])


@pytest.mark.parametrize("chunk", range(20, 40))      # the chunk ends before, inside and after each </row>
def test_blocks_end_at_the_last_row_read_so_far_wherever_a_chunk_ends(tmp_path, package, monkeypatch, chunk):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 12))
    xml = (HEAD + "<sheetData>" + rows + "</sheetData></worksheet>").encode()
    path = tmp_path / "客户清单.xlsx"
    package(path, {"xl/worksheets/sheet1.xml": xml.decode()})
    monkeypatch.setattr(xlsxcheck, "_CHUNK", chunk)
    limits = load_rules().input
    with zipfile.ZipFile(path) as archive:
        blocks = list(xlsxcheck.sheet_blocks(archive, "xl/worksheets/sheet1.xml", "x", limits, [1 << 30]))
    assert blocks == _blocks_by_rule(xml, chunk) and b"".join(blocks) == xml
