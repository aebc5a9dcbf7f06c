"""UTF-8 CSV is split by Arrow as it came (validated, never decoded whole): the same grid as any other encoding."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import csvread
from branchkit.io.csvread import read_csv_grid

_CELL = st.text(alphabet=st.sampled_from(list('ab1 ,"\n\r张三存款é') + ["\u3000"]), max_size=6)


def _csv(rows: list[list[str]]) -> str:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value
    return "".join(",".join(cell(v) for v in row) + "\n" for row in rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=8))
def test_utf8_bytes_read_as_the_same_text_in_gb18030(rows):
    """The UTF-8 path (Arrow on the bytes) and the decoding path (GB18030) give the same cells."""
    text = _csv([["客户号", "客户名称", "存款余额"], *rows])
    as_utf8 = read_csv_grid(text.encode("utf-8"), "a.csv")
    as_bom = read_csv_grid(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.csv")
    as_gb = read_csv_grid(text.replace("é", "e").encode("gb18030"), "a.csv")
    assert (as_utf8.encoding, as_bom.encoding, as_gb.encoding) == ("utf-8", "utf-8-sig", "gb18030")
    pd.testing.assert_frame_equal(as_utf8.frame, as_bom.frame)
    assert as_utf8.problems == as_gb.problems
    if "é" not in text:
        pd.testing.assert_frame_equal(as_utf8.frame, as_gb.frame)


def test_a_line_end_inside_quotes_stays_in_its_cell():
    """Quotes in the file: values may hold line ends (a split at every line end would make three rows)."""
    grid = read_csv_grid('客户号,备注\n1,"第一行\n第二行"\n2,x\n'.encode("utf-8"), "a.csv")
    assert grid.frame.values.tolist() == [["客户号", "备注"], ["1", "第一行\n第二行"], ["2", "x"]]
    assert grid.problems == []


def test_invalid_utf8_after_a_bom_is_decoded_with_replacements_as_before():
    grid = read_csv_grid(b"\xef\xbb\xbf" + "客户号,名称\n1,".encode("utf-8") + b"\xff\xfe\xfd" + b"x\n", "a.csv")
    assert grid.encoding == "utf-8-sig"
    assert grid.frame.values.tolist()[1] == ["1", "\ufffd\ufffd\ufffdx"]


def test_nul_bytes_in_utf8_still_go_through_the_text_and_are_reported():
    grid = read_csv_grid("客户号,名称\n1,张\x00三\n".encode("utf-8"), "a.csv")
    assert grid.encoding == "utf-8"
    assert grid.frame.values.tolist()[1] == ["1", "张三"]
    assert [p[1] for p in grid.problems] == ["nul_byte"]


def test_utf16_without_bom_is_not_taken_for_utf8():
    """ASCII UTF-16 is valid UTF-8 byte for byte (its NULs too): it must still be read as UTF-16."""
    grid = read_csv_grid("客户号\t名称\r\n1\tab\r\n".encode("utf-16-le"), "a.txt")
    assert grid.encoding == "utf-16-le"
    assert grid.frame.values.tolist() == [["客户号", "名称"], ["1", "ab"]]


def test_the_head_is_exactly_the_first_characters_of_the_text():
    text = "张" * (csvread._SNIFF_CHARS + 10) + "\n"
    assert csvread._head(text.encode("utf-8"), 0) == text[:csvread._SNIFF_CHARS]
    four = "😀" * (csvread._SNIFF_CHARS + 1)
    assert csvread._head(four.encode("utf-8"), 0) == four[:csvread._SNIFF_CHARS]
    assert csvread._head(b"\xef\xbb\xbf" + four.encode("utf-8"), 3) == four[:csvread._SNIFF_CHARS]
    assert csvread._head(b"ab\n", 0) == "ab\n"
    assert csvread._head(b"\xef\xbb\xbfab\n", 3) == "ab\n"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_after_a_bom_is_read_where_its_text_starts(bom):
    """The bytes after a BOM are read in place: the same grid as the text without one, the BOM named."""
    data = "客户号,名称\n0012,中\n".encode()
    grid = read_csv_grid(bom + data, "a.csv")
    assert grid.encoding == ("utf-8-sig" if bom else "utf-8")
    assert grid.frame.values.tolist() == [["客户号", "名称"], ["0012", "中"]]
    assert csvread._utf8_unchecked(bom + data) == csvread._valid_utf8(bom + data) == len(bom)
    assert csvread._valid_utf8(bom + b'"1",\xff\n') is None


def test_line_ends_found_a_block_at_a_time_at_every_block_edge(monkeypatch):
    """CR and LF at the first and last byte of a block and just either side of its edge are each found
    once, in order, as a whole-file scan finds them (a wrong offset or a block overlap would move or
    double them)."""
    import numpy as np

    monkeypatch.setattr(csvread, "_BLOCK", 8)
    data = bytearray(b"x" * 40)
    for at, byte in ((0, b"\n"), (7, b"\r"), (8, b"\n"), (9, b"\r"), (15, b"\n"), (16, b"\n"), (39, b"\r")):
        data[at:at + 1] = byte
    array = np.frombuffer(bytes(data), dtype=np.uint8)
    expected = np.flatnonzero((array == ord("\n")) | (array == ord("\r")))
    assert csvread._line_ends(array).tolist() == expected.tolist() == [0, 7, 8, 9, 15, 16, 39]
