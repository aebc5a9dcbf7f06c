"""Broken and hostile files: each a located problem or one clear refusal, never a crash or a hang."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from branchkit.errors import InputError
from branchkit.io.xlsxcheck import check_package
from branchkit.rules import load_rules

FIXTURES = Path(__file__).parents[1] / "fixtures"
HEAD = "客户号,客户名称,客户类型,存款余额\n"


def test_ragged_csv_row_is_a_problem_naming_its_row(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text(HEAD + "1,张三,个人,10\n2,李四,个人,20,多余,更多\n3,王五,个人,30\n", encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert problems[["row", "code"]].values.tolist() == [[3, "ragged_row"]]
    assert frames["customers"]["customer_id"].tolist() == ["1", "2", "3"]


def test_unbalanced_quote_is_a_problem_naming_its_row(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text(HEAD + '1,张三,个人,10\n2,"李四,个人,20\n3,王五,个人,30\n', encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert [3, "unbalanced_quote"] in problems[["row", "code"]].values.tolist()
    assert "3" in frames["customers"]["customer_id"].tolist()


def test_nul_bytes_are_removed_and_reported(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_bytes((HEAD + "1,张\x00三,个人,10\n").encode("utf-8"))
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["name"].tolist() == ["张三"]
    assert problems[["row", "code", "severity"]].values.tolist() == [[2, "nul_byte", "warning"]]


def test_quoted_newline_counts_as_one_row(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text(HEAD + '1,"张\n三",个人,10\n2,李四,个人,x\n', encoding="utf-8")
    _, _, problems = read_ledgers(path)
    assert problems[["row", "code"]].values.tolist() == [[3, "not_a_number"]]


@pytest.mark.parametrize(("content", "reason"), [
    (b"PK\x03\x04" + b"\x00" * 40, "broken or truncated"),
    (os.urandom(4096), "not a spreadsheet"),
    (b"", "empty"),
])
def test_unreadable_files_are_refused_with_a_reason(tmp_path, read_ledgers, content, reason):
    path = tmp_path / "客户清单.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason):
        read_ledgers(path)


def test_truncated_workbook_is_refused(tmp_path, book, read_ledgers):
    whole = book("whole.xlsx", {"客户清单": [["客户号", "客户名称", "客户类型"]] + [[str(i), "x", "个人"] for i in range(500)]})
    path = tmp_path / "客户清单.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError, match="broken or truncated|damaged|cannot be read"):
        read_ledgers(path)


def test_encrypted_workbook_is_refused_as_encrypted(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xlsx"
    shutil.copy(FIXTURES / "encrypted.xlsx", path)
    with pytest.raises(InputError, match="encrypted"):
        read_ledgers(path)


def _bomb_package(path, package, shared_strings):
    package(path, {"xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                   'openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>',
                   "xl/sharedStrings.xml": shared_strings})


def test_xml_entity_bomb_is_refused_before_parsing(tmp_path, package):
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
                     for i in range(9))
           + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol8;</t></si></sst>')
    path = tmp_path / "客户清单.xlsx"
    _bomb_package(path, package, lol)
    with pytest.raises(InputError, match="entit"):
        check_package(path, str(path), load_rules().input)


def _zip_bomb(path, inflated_mb):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(inflated_mb):
                member.write(block)


def test_zip_bomb_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "客户清单.xlsx"
    _zip_bomb(path, 200)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(InputError, match="zip bomb"):
        check_package(path, str(path), load_rules().input)


def test_zip_bomb_with_a_lying_directory_is_stopped_while_inflating(tmp_path):
    path = tmp_path / "客户清单.xlsx"
    _zip_bomb(path, 64)
    _declare_small_sizes(path, "xl/worksheets/sheet1.xml")
    with pytest.raises(InputError, match="zip bomb|damaged|broken"):
        check_package(path, str(path), load_rules().input)


def _declare_small_sizes(path, member_name):
    """Rewrite the central directory so a member claims to inflate to only twice its compressed size."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member_name)
    name = member_name.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == name:
            extra_len = struct.unpack_from("<H", data, pos + 30)[0]
            extra = pos + 46 + name_len
            # zip64 extra field holds the real sizes: rewrite the uncompressed one there
            end = extra + extra_len
            while extra < end:
                tag, size = struct.unpack_from("<HH", data, extra)
                if tag == 1:
                    struct.pack_into("<Q", data, extra + 4, info.compress_size * 2)
                extra += 4 + size
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def test_zip_bomb_ends_quickly_in_bounded_memory_through_the_cli(tmp_path):
    path = tmp_path / "客户清单.xlsx"
    _zip_bomb(path, 1024)
    code = ("import resource, subprocess, sys;"
            f"r = subprocess.run([sys.executable, '-m', 'branchkit', 'validate', {str(path)!r}], capture_output=True,"
            " text=True, timeout=120);"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
            "print(r.returncode, peak, r.stderr.strip().count(chr(10)), 'Traceback' in r.stderr, sep='|')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    returncode, peak_kb, extra_lines, traceback = out.stdout.strip().split("|")
    assert returncode == "2"
    assert int(peak_kb) < 1024 * 1024          # under 1 GB for a file that inflates to 1 GB
    assert traceback == "False"


def test_a_sheet_whose_deflate_stream_is_damaged_is_refused_naming_the_part(tmp_path):
    """zlib's own error (not a zipfile one) for bytes flipped inside a sheet's deflate stream was an
    "internal error" at the command line: it is the workbook's damage, named with its part."""
    path = tmp_path / "客户清单.xlsx"
    shutil.copy(Path(__file__).parents[2] / "sample_data" / "客户清单.xlsx", path)
    info = next(i for i in zipfile.ZipFile(path).infolist() if i.filename.startswith("xl/worksheets/"))
    data = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    for at in range(start + 20, start + 200):
        data[at] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match=rf"part {info.filename} is damaged \(Error -3 while decompressing"):
        check_package(path, str(path), load_rules().input)
