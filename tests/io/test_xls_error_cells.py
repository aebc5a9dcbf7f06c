"""Excel error values in an .xls (BIFF8) workbook, which python-calamine reads as empty cells: each one a ledger
field reads is a ``cell_error`` naming the cell, as in an .xlsx; a malformed stream never fails the read."""

from __future__ import annotations

import random
import shutil
import struct
import time
from pathlib import Path

import pytest

from branchkit.cli import app
from branchkit.io.discover import load_inputs
from branchkit.io.xlserrors import ERROR_CODES, stream_error_cells, xls_error_cells
from branchkit.rules import load_rules

FIXTURES = Path(__file__).parents[1] / "fixtures"
#: customers_errors.xls (tests/fixtures/make_fixtures.py): title row 1, header row 2, LibreOffice's records
EXPECTED = [
    [3, "存款余额", "cell_error", "#N/A"], [4, "贷款余额", "cell_error", "#DIV/0!"], [5, "管户人", "cell_error", "#N/A"],
    [6, "存款余额", "cell_error", "#VALUE!"], [6, "贷款余额", "cell_error", "#NUM!"],
]
#: the FORMULA record of E4 (=1/0, its cached result #DIV/0!) as LibreOffice wrote it
E4_FORMULA = bytes.fromhex("06001d00030004000f00020007000000ffff00000000000007001e01001e000006")


def _errors(problems):
    found = problems[problems["code"].isin(["cell_error", "missing_value", "formula_not_calculated"])]
    return sorted(found[["row", "column", "code", "value"]].values.tolist())


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "客户清单.xls"
    shutil.copy(FIXTURES / "customers_errors.xls", path)
    return path


def _patched(tmp_path: Path, old: bytes, new: bytes) -> Path:
    """The fixture with one run of its bytes (inside the Workbook stream) replaced by as many others."""
    assert len(old) == len(new)
    data = (FIXTURES / "customers_errors.xls").read_bytes()
    assert data.count(old) == 1
    path = tmp_path / "客户清单.xls"
    path.write_bytes(data.replace(old, new))
    return path


def test_error_cells_of_an_xls_are_errors_naming_cell_and_value(tmp_path, read_ledgers):
    _, frames, problems = read_ledgers(_copy(tmp_path))
    assert _errors(problems) == EXPECTED           # 备注栏X's =NA() and #REF!: a column no field reads
    messages = dict(zip(problems["row"].astype(str) + problems["column"], problems["message"]))
    assert messages["3存款余额"].startswith("cell D3 holds the Excel error value #N/A")
    assert messages["5管户人"].startswith("cell F5 holds the Excel error value #N/A")
    customers = frames["customers"]
    assert customers["deposit"].isna().tolist() == [True, False, False, True, False]
    assert customers["keeper"].isna().tolist() == [False, False, True, False, False]
    assert customers["deposit"].tolist()[1:3] == [100.0, 200.0]


def test_error_cells_of_an_xls_fail_validate(tmp_path, runner):
    result = runner.invoke(app, ["validate", str(_copy(tmp_path)), "--kind", "customers", "--verbose"])
    assert result.exit_code == 1, result.output
    assert "cell_error" in result.output and "cell E4 holds the Excel error value #DIV/0!" in result.output


def test_a_constant_error_record_is_an_error_and_a_continue_record_is_passed_over(tmp_path, read_ledgers):
    # E4 as Excel writes a typed error: BOOLERR (fError 1, code 0x07), then a CONTINUE record filling the bytes
    boolerr = struct.pack("<HHHHHBB", 0x0205, 8, 3, 4, 0x0F, 0x07, 1)
    filler = struct.pack("<HH", 0x003C, len(E4_FORMULA) - len(boolerr) - 4)
    path = _patched(tmp_path, E4_FORMULA, boolerr + filler + b"\0" * (len(E4_FORMULA) - len(boolerr) - 4))
    _, _, problems = read_ledgers(path)
    assert _errors(problems) == EXPECTED


def test_a_boolean_record_is_not_an_error(tmp_path, read_ledgers):
    boolean = struct.pack("<HHHHHBB", 0x0205, 8, 3, 4, 0x0F, 0x07, 0)     # fError 0: a boolean, TRUE
    filler = struct.pack("<HH", 0x003C, len(E4_FORMULA) - len(boolean) - 4)
    path = _patched(tmp_path, E4_FORMULA, boolean + filler + b"\0" * (len(E4_FORMULA) - len(boolean) - 4))
    _, _, problems = read_ledgers(path)
    assert [4, "贷款余额", "cell_error", "#DIV/0!"] not in _errors(problems)


def test_a_sheet_offset_past_the_stream_skips_the_scan_never_an_internal_error(tmp_path):
    stream = _workbook(tmp_path)
    at = stream.find(struct.pack("<HH", 0x0085, 16))
    offset = stream[at + 4:at + 8]
    path = _patched(tmp_path, stream[at:at + 12], stream[at:at + 4] + struct.pack("<I", 0x7FFF_FFF0) + stream[at + 8:at + 12])
    assert struct.unpack("<I", offset)[0] < len(stream)
    assert xls_error_cells(path, ["客户清单"]) == {}
    # calamine itself panics on it (pyo3's PanicException, a BaseException): a plain refusal, exit 2
    from branchkit.errors import InputError

    with pytest.raises(InputError, match="cannot be read as a workbook"):
        load_inputs(load_rules(), [path])


def test_a_damaged_container_skips_the_scan(tmp_path):
    data = (FIXTURES / "customers_errors.xls").read_bytes()
    path = tmp_path / "客户清单.xls"
    path.write_bytes(data[:1536])
    assert xls_error_cells(path, ["客户清单"]) == {}
    path.write_bytes(b"\0" * 4096)
    assert xls_error_cells(path, ["客户清单"]) == {}


def _workbook(tmp_path: Path) -> bytes:
    import olefile

    with olefile.OleFileIO(str(FIXTURES / "customers_errors.xls")) as ole:
        return ole.openstream("Workbook").read()


# --- the stream walker, on hand-built BIFF8 records ---------------------------------------------------------

def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 6))


def _boolerr(row: int, col: int, code: int, error: int = 1) -> bytes:
    return _record(0x0205, struct.pack("<HHHBB", row, col, 15, code, error))


def _formula(row: int, col: int, result: bytes) -> bytes:
    return _record(0x0006, struct.pack("<HHH", row, col, 15) + result + struct.pack("<HIH", 0, 0, 1) + b"\x1c\x2a")


def _error_result(code: int) -> bytes:
    return bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])


def _stream(sheets: dict[str, list[bytes]], *, names: dict[str, int] | None = None, wide: bool = True,
            globals_: bytes = b"") -> bytes:
    """A Workbook stream: globals (``globals_``' records first) with a BOUNDSHEET per sheet (its name compressed
    when not ``wide``), then each sheet's records between its BOF and EOF; ``names`` points sheets at offsets
    of their own."""
    def boundsheet(name: str, offset: int) -> bytes:
        text = name.encode("utf-16-le") if wide else name.encode("latin-1")
        return _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1 if wide else 0) + text)

    bodies = [_bof(0x0010) + b"".join(records) + _record(0x000A, b"") for records in sheets.values()]
    head = len(_bof(0x0005)) + len(globals_) + sum(len(boundsheet(name, 0)) for name in sheets) + 4
    offsets, at = {}, head
    for name, body in zip(sheets, bodies):
        offsets[name] = at
        at += len(body)
    offsets.update(names or {})
    return (_bof(0x0005) + globals_ + b"".join(boundsheet(name, offsets[name]) for name in sheets) + _record(0x000A, b"")
            + b"".join(bodies))


def test_every_error_code_of_boolerr_and_formula_records():
    codes = sorted(ERROR_CODES)
    records = [_boolerr(i, 0, code) for i, code in enumerate(codes)]
    records += [_formula(i, 1, _error_result(code)) for i, code in enumerate(codes)]
    records += [_boolerr(20, 0, 1, error=0),                                   # TRUE
                _formula(20, 1, struct.pack("<d", 2.5)),                       # a number
                _formula(21, 1, bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF])),        # a string (in a STRING record)
                _formula(22, 1, bytes([1, 0, 1, 0, 0, 0, 0xFF, 0xFF])),        # a boolean
                _boolerr(23, 0, 0x63), _formula(23, 1, _error_result(0x63))]  # no code Excel writes
    found = stream_error_cells(_stream({"客户": records}), {"客户"})
    assert found == {"客户": [(i, 0, ERROR_CODES[c]) for i, c in enumerate(codes)]
                     + [(i, 1, ERROR_CODES[c]) for i, c in enumerate(codes)]}


def test_only_the_sheets_read_and_not_an_embedded_chart():
    chart = [_bof(0x0020), _formula(9, 9, _error_result(0x2A)), _record(0x000A, b"")]
    sheets = {"A": [_boolerr(1, 2, 0x2A), _record(0x003C, b"\x05\x02" * 50), *chart, _boolerr(3, 2, 0x07)],
              "B": [_boolerr(5, 5, 0x17)]}
    data = _stream(sheets, wide=False)
    assert stream_error_cells(data, {"A"}) == {"A": [(1, 2, "#N/A"), (3, 2, "#DIV/0!")]}
    assert stream_error_cells(data, {"A", "B"}) == {"A": [(1, 2, "#N/A"), (3, 2, "#DIV/0!")],
                                                        "B": [(5, 5, "#REF!")]}


@pytest.mark.parametrize("damage", ["truncated", "no_eof", "offset_inside", "offset_past", "biff5", "encrypted",
                                    "short_boundsheet", "empty"])
def test_a_malformed_stream_skips_the_scan(damage):
    sheets = {"A": [_boolerr(1, 2, 0x2A), _boolerr(3, 2, 0x07)]}
    data = _stream(sheets)
    if damage == "truncated":
        data = data[:-9]
    elif damage == "no_eof":
        data = data[:-4]
    elif damage == "offset_inside":
        data = _stream(sheets, names={"A": len(data) - 10})
    elif damage == "offset_past":
        data = _stream(sheets, names={"A": 10 ** 9})
    elif damage == "biff5":
        data = data.replace(struct.pack("<HH", 0x0600, 0x0005), struct.pack("<HH", 0x0500, 0x0005), 1)
    elif damage == "encrypted":                                          # FILEPASS: RC4, its records garbled
        assert stream_error_cells(_stream(sheets, globals_=_record(0x0042, b"\xa8\x03")), {"A"})  # CODEPAGE
        data = _stream(sheets, globals_=_record(0x002F, b"\x01\x00" * 27))
    elif damage == "short_boundsheet":
        data = _bof(0x0005) + _record(0x0085, b"\x01\x02") + _record(0x000A, b"")
        assert stream_error_cells(data, {"A"}) == {}
        return
    else:
        data = b""
    assert stream_error_cells(data, {"A"}) == {}


def test_garbage_never_raises():
    rng = random.Random(20261208)
    good = _stream({"A": [_boolerr(i, 1, 0x2A) for i in range(50)]})
    for _ in range(2000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cut = rng.randint(0, len(data))
        found = stream_error_cells(bytes(data[:cut]), {"A"})
        assert set(found) <= {"A"}


def test_many_sheets_on_one_long_substream_stop_at_the_budget():
    # 2,000 sheet names all pointing at one sheet of 200,000 records: walked twice over at most, then given up
    names = [f"S{i}" for i in range(2000)]
    body = _bof(0x0010) + _boolerr(0, 0, 0x2A) * 200_000 + _record(0x000A, b"")
    head = _bof(0x0005) + b"".join(_record(0x0085, struct.pack("<IBBBB", 0, 0, 0, len(n), 0) + n.encode())
                                   for n in names) + _record(0x000A, b"")
    start = len(head)
    head = _bof(0x0005) + b"".join(_record(0x0085, struct.pack("<IBBBB", start, 0, 0, len(n), 0) + n.encode())
                                   for n in names) + _record(0x000A, b"")
    began = time.perf_counter()
    assert stream_error_cells(head + body, set(names)) == {}
    assert time.perf_counter() - began < 30                  # 3 walks of 200,000 records, not 2,000
    assert len(stream_error_cells(head + body, {"S1"})["S1"]) == 200_000
