"""io.zipwrite: the archive is zipfile's own layout (byte for byte when deflated by the same zlib),
readable with its checksums right when deflated by ISA-L, ZIP64 fields exactly where zipfile puts them."""

from __future__ import annotations

import zipfile
import zlib

import pytest

from branchkit.io import zipwrite
from branchkit.io.zipwrite import ZipWriter

_MEMBERS = [("[Content_Types].xml", b"<Types/>" * 50), ("xl/worksheets/sheet1.xml", b"<row r=\"1\"/>" * 4000),
            ("empty.xml", b""), ("docProps/app.xml", bytes(range(256)) * 9)]


def _ours(path, members, codec=zlib, zip64=()):
    archive = ZipWriter(path, 1, codec=codec)
    for name, data in members:
        member = archive.open(name, zip64=name in zip64)
        for at in range(0, len(data), 1000):       # in pieces, as the sheets are written
            member.write(memoryview(data)[at:at + 1000])
        member.close()
    archive.close()
    return path.read_bytes()


def _zipfile(path, members, zip64=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1) as zf:
        for name, data in members:
            with zf.open(name, "w", force_zip64=name in zip64) as member:
                for at in range(0, len(data), 1000):
                    member.write(memoryview(data)[at:at + 1000])
    return path.read_bytes()


def test_same_bytes_as_zipfile_with_zlib(tmp_path):
    assert _ours(tmp_path / "a.zip", _MEMBERS) == _zipfile(tmp_path / "b.zip", _MEMBERS)


def test_same_bytes_as_zipfile_with_a_member_opened_as_zip64(tmp_path):
    zip64 = {"xl/worksheets/sheet1.xml"}
    ours = _ours(tmp_path / "a.zip", _MEMBERS, zip64=zip64)
    assert ours == _zipfile(tmp_path / "b.zip", _MEMBERS, zip64=zip64)
    assert ours != _ours(tmp_path / "c.zip", _MEMBERS)          # the reserved fields are there


@pytest.mark.parametrize("limit, zip64", [(600, "all"), (4000, "all"), (20_000, "all"), (4000, "sheet"),
                                          (48_000, "sheet"), (47_999, "sheet")])
def test_same_bytes_as_zipfile_past_the_zip64_limit(tmp_path, monkeypatch, limit, zip64):
    """Sizes and offsets past the limit (made small here, as 2 GiB is too big for a test): the ZIP64
    extra fields, versions and end records are zipfile's, at the limit and on either side of it; a
    small member after a large one has only its offset in ZIP64 fields."""
    monkeypatch.setattr(zipwrite, "ZIP64_LIMIT", limit)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", limit)
    zip64 = {name for name, _ in _MEMBERS} if zip64 == "all" else {"xl/worksheets/sheet1.xml"}
    ours = _ours(tmp_path / "a.zip", _MEMBERS, zip64=zip64)
    assert ours == _zipfile(tmp_path / "b.zip", _MEMBERS, zip64=zip64)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert [zf.read(name) for name, _ in _MEMBERS] == [data for _, data in _MEMBERS]


def test_a_large_member_without_zip64_fields_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(zipwrite, "ZIP64_LIMIT", 100)
    archive = ZipWriter(tmp_path / "a.zip")
    member = archive.open("big.xml")
    member.write(b"x" * 101)
    with pytest.raises(RuntimeError, match="big.xml passed 2 GiB"):
        member.close()
    archive.abandon()


def test_the_zip64_end_records_past_the_member_count_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(zipwrite, "_FILECOUNT_LIMIT", 2)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    assert _ours(tmp_path / "a.zip", _MEMBERS) == _zipfile(tmp_path / "b.zip", _MEMBERS)
    assert b"PK\x06\x06" in (tmp_path / "a.zip").read_bytes()


def test_isal_members_read_back_with_their_checksums(tmp_path):
    _ours(tmp_path / "a.zip", _MEMBERS, codec=zipwrite.isal_zlib)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.testzip() is None                                # every CRC-32 checks out
        assert [(i.filename, i.file_size) for i in zf.infolist()] == [(n, len(d)) for n, d in _MEMBERS]
        assert [zf.read(name) for name, _ in _MEMBERS] == [data for _, data in _MEMBERS]


def test_the_same_input_gives_the_same_bytes(tmp_path):
    assert _ours(tmp_path / "a.zip", _MEMBERS, codec=zipwrite.isal_zlib) == \
        _ours(tmp_path / "b.zip", _MEMBERS, codec=zipwrite.isal_zlib)


def test_one_member_open_at_a_time(tmp_path):
    archive = ZipWriter(tmp_path / "a.zip")
    archive.open("a.xml")
    with pytest.raises(ValueError, match="still open"):
        archive.open("b.xml")
    archive.abandon()


def _members_to(archive, members, zip64=()):
    for name, data in members:
        member = archive.open(name, zip64=name in zip64)
        for at in range(0, len(data), 1000):
            member.write(memoryview(data)[at:at + 1000])
        member.close()


@pytest.mark.parametrize("limit, zip64", [(None, ""), (600, "all"), (48_000, "sheet")])
def test_members_spooled_then_adopted_give_zipfiles_bytes(tmp_path, monkeypatch, limit, zip64):
    """The last members deflated into a spool first, then copied after the first ones: the archive is
    byte for byte the one written in one go (offsets past the ZIP64 limit too, made small here)."""
    if limit is not None:
        monkeypatch.setattr(zipwrite, "ZIP64_LIMIT", limit)
        monkeypatch.setattr(zipfile, "ZIP64_LIMIT", limit)
    zip64 = {n for n, _ in _MEMBERS} if zip64 == "all" else ({"xl/worksheets/sheet1.xml"} if zip64 else set())
    spool = ZipWriter(tmp_path / "spool", 1, codec=zlib)
    _members_to(spool, _MEMBERS[2:], zip64)
    archive = ZipWriter(tmp_path / "a.zip", 1, codec=zlib)
    _members_to(archive, _MEMBERS[:2], zip64)
    archive.adopt(spool)
    archive.close()
    assert (tmp_path / "a.zip").read_bytes() == _zipfile(tmp_path / "b.zip", _MEMBERS, zip64)
    assert spool.file.closed


def test_adopting_needs_every_member_closed(tmp_path):
    spool, archive = ZipWriter(tmp_path / "spool"), ZipWriter(tmp_path / "a.zip")
    spool.open("a.xml")
    with pytest.raises(ValueError, match="still open"):
        archive.adopt(spool)
