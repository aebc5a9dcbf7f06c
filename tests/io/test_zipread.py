"""A member inflated by ISA-L reads as zipfile reads it: the same chunks, the same errors at the same place."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import zipread
from branchkit.io.zipread import _deflate_start, read_chunks

NAME = "xl/worksheets/sheet1.xml"


def _text(length: int, seed: int = 1) -> bytes:
    """Compressible, not trivially: rows of a sheet with varying numbers."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, (i * 7919 + seed) % 100003)
                    for i in range(1, length // 30 + 2))
    return rows[:length]


def _archive(path, data: bytes, **member) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open(_info(**member), "w", force_zip64=member.get("zip64", False)) as stream:
            stream.write(data)


def _info(compress_type=zipfile.ZIP_DEFLATED, zip64=False):
    info = zipfile.ZipInfo(NAME)
    info.compress_type = compress_type
    return info


def _outcome(chunks_of) -> tuple[list[bytes], str | None]:
    """The chunks read, and the error that ended the reading (its type and message)."""
    got: list[bytes] = []
    try:
        for chunk in chunks_of():
            got.append(chunk)
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return got, f"{type(exc).__name__}: {exc}"
    return got, None


def _zipfile_reads(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int):
    with archive.open(info) as stream:
        while chunk := stream.read(size):
            yield chunk


def _same_as_zipfile(path, size: int, fast: bool = True) -> tuple[list[bytes], str | None]:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NAME)
        assert (_deflate_start(archive, info) is not None) == fast
        ours = _outcome(lambda: read_chunks(archive, info, size))
        theirs = _outcome(lambda: _zipfile_reads(archive, info, size))
    assert ours == theirs
    return ours


@pytest.mark.parametrize("length", [3 * 4096 - 1, 3 * 4096, 3 * 4096 + 1, 0, 1])
def test_chunks_are_zipfiles_at_and_around_a_chunk_boundary(tmp_path, monkeypatch, length):
    monkeypatch.setattr(zipread, "_RAW_READ", 512)          # many compressed reads per chunk
    path = tmp_path / "book.xlsx"
    data = _text(length)
    _archive(path, data)
    chunks, error = _same_as_zipfile(path, 4096)
    assert error is None and b"".join(chunks) == data
    assert [len(c) for c in chunks] == [4096] * (length // 4096) + ([length % 4096] if length % 4096 else [])


@settings(max_examples=25, deadline=None)
@given(length=st.integers(0, 40_000), size=st.integers(1, 9000), raw=st.integers(1, 5000))
def test_any_member_reads_as_zipfile_reads_it(tmp_path_factory, length, size, raw):
    path = tmp_path_factory.mktemp("z") / "book.xlsx"
    _archive(path, _text(length, seed=length))
    original = zipread._RAW_READ
    zipread._RAW_READ = raw
    try:
        chunks, error = _same_as_zipfile(path, size)
    finally:
        zipread._RAW_READ = original
    assert error is None and len(b"".join(chunks)) == length


def _patch_directory(path, **fields) -> None:
    """Rewrite the member's central directory entry: crc, compress_size or file_size."""
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02", 0, data.find(NAME.encode(), data.find(b"PK\x01\x02")))
    offsets = {"crc": 16, "compress_size": 20, "file_size": 24}
    for field, value in fields.items():
        struct.pack_into("<L", data, at + offsets[field], value)
    path.write_bytes(bytes(data))


def test_a_wrong_crc_is_refused_as_zipfile_refuses_it_before_the_last_chunk(tmp_path):
    path = tmp_path / "book.xlsx"
    data = _text(10_000)
    _archive(path, data)
    _patch_directory(path, crc=zlib.crc32(data) ^ 1)
    chunks, error = _same_as_zipfile(path, 4096)
    assert error == f"BadZipFile: Bad CRC-32 for file {NAME!r}" and len(chunks) == 2


def test_a_directory_declaring_less_than_the_stream_holds_cuts_there_and_fails_the_crc(tmp_path):
    path = tmp_path / "book.xlsx"
    _archive(path, _text(10_000))
    _patch_directory(path, file_size=5000)
    chunks, error = _same_as_zipfile(path, 4096)
    assert error.startswith("BadZipFile: Bad CRC-32") and [len(c) for c in chunks] == [4096]


def test_a_truncated_deflate_stream_reads_as_zipfile_reads_it(tmp_path):
    path = tmp_path / "book.xlsx"
    _archive(path, _text(50_000))
    with zipfile.ZipFile(path) as archive:
        size = archive.getinfo(NAME).compress_size
    _patch_directory(path, compress_size=size // 2)
    chunks, error = _same_as_zipfile(path, 4096)
    assert error.startswith("BadZipFile: Bad CRC-32") and 0 < len(chunks) < 50_000 // 4096


def test_a_damaged_deflate_stream_raises_zlibs_error_after_the_same_chunks(tmp_path):
    path = tmp_path / "book.xlsx"
    data = os.urandom(3000) * 20 + _text(60_000)
    _archive(path, data)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NAME)
        start = _deflate_start(archive, info)
    raw = bytearray(path.read_bytes())
    raw[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    chunks, error = _same_as_zipfile(path, 4096)
    assert error is not None and error.startswith(("error: Error -3", "BadZipFile: Bad CRC-32"))


def test_a_stream_isal_refuses_midway_is_inflated_again_by_zlib_skipping_what_was_given(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    data = _text(30_000)
    _archive(path, data)
    isal = zipread.isal_zlib

    given: list[int] = []

    class Refusing:                                        # ISA-L giving up after two chunks
        error = isal.error
        crc32 = staticmethod(isal.crc32)

        @staticmethod
        def decompressobj(wbits):
            inner, produced = isal.decompressobj(wbits), [0]

            class Inflater:
                def __getattr__(self, name):
                    return getattr(inner, name)

                def decompress(self, data, length):
                    if produced[0] >= 2 * 4096:
                        given.append(produced[0])
                        raise isal.error("refused")
                    out = inner.decompress(data, length)
                    produced[0] += len(out)
                    return out
            return Inflater()

    monkeypatch.setattr(zipread, "isal_zlib", Refusing)
    monkeypatch.setattr(zipread, "_RAW_READ", 64)          # ISA-L never holds the stream's end
    chunks, error = _same_as_zipfile(path, 4096)
    assert given == [2 * 4096]
    assert error is None and b"".join(chunks) == data and len(chunks) == 8


def test_a_stored_member_is_read_by_zipfile(tmp_path):
    path = tmp_path / "book.xlsx"
    data = _text(9000)
    _archive(path, data, compress_type=zipfile.ZIP_STORED)
    chunks, error = _same_as_zipfile(path, 4096, fast=False)
    assert error is None and b"".join(chunks) == data


def test_a_zip64_member_is_read_directly(tmp_path):
    path = tmp_path / "book.xlsx"
    data = _text(9000)
    _archive(path, data, zip64=True)
    chunks, error = _same_as_zipfile(path, 4096)
    assert error is None and b"".join(chunks) == data


class _Unseekable(io.RawIOBase):
    def __init__(self, sink: io.BytesIO) -> None:
        self.sink = sink

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        return self.sink.write(b)


def test_a_member_with_a_data_descriptor_is_read_directly(tmp_path):
    sink = io.BytesIO()
    data = _text(9000)
    with zipfile.ZipFile(_Unseekable(sink), "w", zipfile.ZIP_DEFLATED) as zf:   # sizes after the data
        with zf.open(NAME, "w") as stream:
            stream.write(data)
    path = tmp_path / "book.xlsx"
    path.write_bytes(sink.getvalue())
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(NAME).flag_bits & 0x8
    chunks, error = _same_as_zipfile(path, 4096)
    assert error is None and b"".join(chunks) == data


def test_an_archive_opened_from_a_file_object_is_read_by_zipfile(tmp_path):
    path = tmp_path / "book.xlsx"
    data = _text(9000)
    _archive(path, data)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        info = archive.getinfo(NAME)
        assert _deflate_start(archive, info) is None
        assert b"".join(read_chunks(archive, info, 4096)) == data


def test_a_local_header_naming_another_member_is_refused_by_zipfile(tmp_path):
    path = tmp_path / "book.xlsx"
    _archive(path, _text(9000))
    raw = path.read_bytes()
    first = raw.find(NAME.encode())                       # the local header's name comes first
    path.write_bytes(raw[:first] + b"xl/worksheets/sheet2.xml" + raw[first + len(NAME):])
    chunks, error = _same_as_zipfile(path, 4096, fast=False)
    assert chunks == [] and error.startswith("BadZipFile: File name in directory")


def test_a_member_running_past_the_end_of_the_file_is_read_by_zipfile(tmp_path):
    path = tmp_path / "book.xlsx"
    _archive(path, os.urandom(20_000))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NAME)
        start = _deflate_start(archive, info)
    _patch_directory(path, compress_size=len(path.read_bytes()) - start + 1)
    chunks, error = _same_as_zipfile(path, 4096, fast=False)
    assert error is None and len(b"".join(chunks)) == 20_000       # zipfile stops at the stream's end


def test_a_crc_failing_after_isal_has_zlib_inflate_again(tmp_path, monkeypatch):
    """ISA-L inflates some streams zlib refuses: the CRC catches them, and zlib says what it always said."""
    path = tmp_path / "book.xlsx"
    data = _text(30_000)
    _archive(path, data)
    isal = zipread.isal_zlib

    class Garbling:                                        # inflates the stream's last byte wrongly
        error = isal.error
        crc32 = staticmethod(isal.crc32)

        @staticmethod
        def decompressobj(wbits):
            inner = isal.decompressobj(wbits)

            class Inflater:
                def __getattr__(self, name):
                    return getattr(inner, name)

                def decompress(self, data, length):
                    out = inner.decompress(data, length)
                    return out[:-1] + b"?" if inner.eof and out else out

                def flush(self):                           # ISA-L may hold the end until the flush
                    out = inner.flush()
                    return out[:-1] + b"?" if out else out
            return Inflater()

    monkeypatch.setattr(zipread, "isal_zlib", Garbling)
    chunks, error = _same_as_zipfile(path, 4096)
    assert error is None and b"".join(chunks) == data
