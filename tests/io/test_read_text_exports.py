"""Text exports from other tools, compressed files and absurdly wide lines: read, or one line naming the file."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.cli import app
from branchkit.errors import InputError
from branchkit.io.csvread import MAX_COLUMNS, decode, read_csv_grid
from branchkit.io.discover import load_inputs
from branchkit.rules import load_rules

ROWS = [["客户号", "客户名称", "客户类型", "存款余额"], ["1", "张三", "个人", "10"], ["2", "李四", "对公", "20"]]


def _text(delim=",", newline="\n", rows=ROWS):
    return newline.join(delim.join(row) for row in rows) + newline


def _read(read_ledgers, path):
    inputs, frames, problems = read_ledgers(path, kind="customers")
    return inputs, frames["customers"], problems


@pytest.mark.parametrize(("data", "encoding"), [
    (b"\xff\xfe" + _text("\t", "\r\n").encode("utf-16-le"), "utf-16"),      # Excel's "Unicode text"
    (_text("\t", "\r\n").encode("utf-16-le"), "utf-16-le"),                   # the same without its BOM
    (_text("\t").encode("utf-16-be"), "utf-16-be"),
    (b"\xfe\xff" + _text().encode("utf-16-be"), "utf-16"),
])
def test_utf16_text_exports_are_read(tmp_path, read_ledgers, data, encoding):
    path = tmp_path / "客户清单.txt"
    path.write_bytes(data)
    inputs, customers, problems = _read(read_ledgers, path)
    assert customers["name"].tolist() == ["张三", "李四"] and customers["deposit"].tolist() == [10.0, 20.0]
    assert problems.empty
    # a BOM says the encoding; without one it was guessed, and a note says which
    assert (f"{path}: read as text in {encoding}" in inputs.notes) == (encoding != "utf-16")


def test_western_text_is_read_as_cp1252_not_garbled_as_chinese(tmp_path, read_ledgers):
    rows = [["customer_id", "name", "kind", "deposit"], ["1", "José", "retail", "10"], ["2", "Renée", "retail", "20"],
            ["3", "Zoë €", "retail", "30"]]
    path = tmp_path / "customers.csv"
    path.write_bytes(_text(rows=rows).encode("cp1252"))
    inputs, customers, _ = _read(read_ledgers, path)
    assert customers["name"].tolist() == ["José", "Renée", "Zoë €"]
    assert f"{path}: read as text in cp1252" in inputs.notes


def test_latin1_bytes_cp1252_lacks_are_read_as_latin1():
    assert decode("Ãber\x81 é,1\n".encode("latin-1")) == ("Ãber\x81 é,1\n", "latin-1")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_text_stays_gb18030(encoding):
    text = _text() + "3,王五，赵六,个人,30\n"
    assert decode(text.encode(encoding)) == (text, "gb18030")


def test_a_damaged_gbk_file_is_read_with_the_bad_bytes_replaced_and_said(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_bytes(_text().encode("gbk") + b"3,\xff\xfe\xfd,\xb8\xf6\xc8\xcb,30\n")
    inputs, customers, _ = _read(read_ledgers, path)
    assert customers["name"].tolist()[:2] == ["张三", "李四"] and "\ufffd" in customers["name"].tolist()[2]
    assert customers["kind"].tolist() == ["retail", "corporate", "retail"]
    assert f"{path}: read as text in gb18030 (with undecodable bytes replaced)" in inputs.notes


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_any_line_end_reads_the_same(tmp_path, read_ledgers, newline):
    path = tmp_path / "客户清单.csv"
    path.write_text(_text(newline=newline), encoding="utf-8", newline="")
    _, customers, problems = _read(read_ledgers, path)
    assert customers["customer_id"].tolist() == ["1", "2"] and customers["_row"].tolist() == [2, 3]
    assert problems.empty


def test_cr_only_lines_with_a_stray_quote_are_row_problems_not_a_crash(tmp_path, read_ledgers):
    # used to end in 'internal error: new-line character seen in unquoted field'
    path = tmp_path / "客户清单.csv"
    path.write_bytes('客户号,客户名称,客户类型,存款余额\r1,"张\r三",个人,10\r2,"李"四,个人,20,x\r3,王五,个人,30\r'
                     .encode("utf-8"))
    _, customers, problems = _read(read_ledgers, path)
    assert customers["customer_id"].tolist() == ["1", "2", "3"]
    assert customers["name"].tolist()[0] == "张\r三"
    assert [3, "ragged_row"] in problems[["row", "code"]].values.tolist()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=',"\r\n a张\t;', max_size=80))
def test_any_text_reads_without_raising(text):
    grid = read_csv_grid(text.encode("utf-8"), "x.csv")
    width = len(grid.frame.columns)
    assert all(len(row) == width for row in grid.frame.to_numpy().tolist())


@pytest.mark.parametrize(("pack", "name"), [(gzip.compress, "gzip"), (bz2.compress, "bzip2"),
                                            (lzma.compress, "xz")])
def test_compressed_files_are_refused_naming_the_compression(tmp_path, read_ledgers, pack, name):
    path = tmp_path / "客户清单.csv"
    path.write_bytes(pack(_text().encode("utf-8")))
    with pytest.raises(InputError, match=f"客户清单.csv: a {name}-compressed file, not a ledger; decompress it"):
        read_ledgers(path)
    with pytest.raises(InputError, match=f"<stdin>: {name}-compressed data"):
        load_inputs(load_rules(), ["-"], stdin=io.BytesIO(pack(_text().encode("utf-8"))))


def test_a_readme_saved_as_txt_is_refused_in_one_line(tmp_path, runner):
    path = tmp_path / "README.txt"
    path.write_text("# Project\n\nThis is a README, with commas, and \"quotes.\nAnother line\rwith a CR\n",
                    encoding="utf-8")
    for args in (["validate", str(path)], ["validate", str(path), "--kind", "customers"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "README.txt" in errors[0]


# --- wide lines: at most a sheet's 16,384 columns, decided in one pass ------------------------------------

def _wide(fields: int, quoted_commas: int = 0) -> bytes:
    head = ",".join(["客户号", "客户名称", "客户类型", "存款余额"] + [""] * (fields - 4))
    row = ",".join(["1", "张三", "个人", "10"] + [""] * (fields - 4))
    return (head + "\n" + row + (',"' + "," * quoted_commas + '"' if quoted_commas else "") + "\n").encode()


def test_a_line_of_exactly_a_sheets_width_is_read(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_bytes(_wide(MAX_COLUMNS))
    _, customers, _ = _read(read_ledgers, path)
    assert customers["deposit"].tolist() == [10.0]


def test_a_line_one_field_wider_than_a_sheet_is_refused(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_bytes(_wide(MAX_COLUMNS + 1))
    with pytest.raises(InputError, match=r"refused: line 1 holds 16,385 fields; a sheet has at most 16,384 columns"):
        read_ledgers(path)


def test_delimiters_inside_quotes_are_not_fields(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_bytes(_wide(5, quoted_commas=MAX_COLUMNS * 2))
    grid = read_csv_grid(path.read_bytes(), str(path))
    assert grid.frame.iloc[1, 5] == "," * (MAX_COLUMNS * 2)    # one field holding 32,768 commas
    _, customers, problems = _read(read_ledgers, path)
    assert customers["customer_id"].tolist() == ["1"] and problems.empty


@pytest.mark.parametrize("line", [1, 3])
def test_half_a_million_empty_fields_are_refused_at_once_naming_the_line(tmp_path, read_ledgers, line):
    path = tmp_path / "客户清单.csv"
    wide = b"," * 500_000 + b"\n"
    path.write_bytes(wide if line == 1 else _wide(4) + wide)
    with pytest.raises(InputError, match=rf"line {line} holds 500,001 fields"):
        read_ledgers(path)


def test_trailing_empty_columns_are_dropped_and_positions_kept(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text("客户号,客户名称,,客户类型,存款余额" + "," * 3000 + "\n1,张三,,个人,10" + "," * 3000 + "\n",
                    encoding="utf-8")
    grid = read_csv_grid(path.read_bytes(), str(path))
    assert len(grid.frame.columns) == 5                       # the empty third column stays: positions hold
    _, customers, problems = _read(read_ledgers, path)
    assert customers["deposit"].tolist() == [10.0] and problems.empty
