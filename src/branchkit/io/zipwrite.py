"""A zip archive written in one pass, its members deflated by ISA-L (``isal``).

The workbook's sheet XML is hundreds of MB at 200,000 customers; the standard library's zipfile
deflates it with zlib and checks it with zlib's crc32, which was a third of the write. ISA-L's
deflate at level 1 is about 4.5x faster than zlib's level 1 and its output is a little smaller;
its crc32 is about 5x faster. The archive's layout is zipfile's own (the same headers, the fixed
1980 date, the same ZIP64 rules, the local header rewritten once the sizes are known), so only the
deflated bytes differ from what zipfile would write: readers (Excel, LibreOffice, openpyxl,
calamine) see a standard deflated member. The same input gives the same bytes.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

from isal import isal_zlib

#: Past this many bytes a size or offset needs ZIP64 fields (zipfile's limit, kept so the layout is its).
ZIP64_LIMIT = (1 << 31) - 1
_FILECOUNT_LIMIT = (1 << 16) - 1
_VERSION, _ZIP64_VERSION, _UNIX = 20, 45, 3
_DEFLATED = 8
_DOS_DATE, _DOS_TIME = (1 << 5) | 1, 0          # 1980-01-01 00:00, the zip format's earliest date
_EXTERNAL = 0o600 << 16                         # rw------- as zipfile gives a written member
_LOCAL = "<4s2B4HL2L2H"
#: Spooled members are copied a MiB at a time (the 200,000-customer allocation sheet: 24 MB deflated).
_COPY_BYTES = 1 << 20
_CENTRAL = "<4s4B4HL2L5H2L"


class _Entry:
    """What the central directory says of one member."""

    def __init__(self, name: bytes, offset: int) -> None:
        self.name, self.offset = name, offset
        self.crc = self.size = self.packed = 0
        self.version = _VERSION


class Member:
    """One member being written: ``write`` pieces, then ``close``."""

    def __init__(self, archive: ZipWriter, entry: _Entry, zip64: bool) -> None:
        self._archive, self._entry, self._zip64 = archive, entry, zip64
        self._codec = archive.codec
        self._deflate = self._codec.compressobj(archive.level, _DEFLATED, -15)    # raw deflate, as zip holds it
        self._crc = self._size = self._packed = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Add ``data`` (any bytes-like object) to the member."""
        view = memoryview(data)
        self._size += view.nbytes
        self._crc = self._codec.crc32(view, self._crc)
        packed = self._deflate.compress(view)
        self._packed += len(packed)
        self._archive.file.write(packed)

    def close(self) -> None:
        """Finish the deflate stream and write the member's sizes and checksum into its header."""
        tail = self._deflate.flush()
        self._packed += len(tail)
        out = self._archive.file
        out.write(tail)
        entry = self._entry
        entry.crc, entry.size, entry.packed = self._crc, self._size, self._packed
        if not self._zip64 and (self._size > ZIP64_LIMIT or self._packed > ZIP64_LIMIT):
            raise RuntimeError(f"zip member {entry.name.decode()} passed 2 GiB without ZIP64 fields")
        end = out.tell()
        out.seek(entry.offset)
        out.write(_local_header(entry, self._zip64))
        out.seek(end)
        self._archive.member_closed(entry)


def _local_header(entry: _Entry, zip64: bool) -> bytes:
    """A member's local header, as zipfile writes it (with ``zip64``, the sizes in an extra field)."""
    size, packed, extra = entry.size, entry.packed, b""
    if zip64:
        extra = struct.pack("<HHQQ", 1, 16, size, packed)
        size = packed = 0xFFFFFFFF
    return struct.pack(_LOCAL, b"PK\003\004", entry.version, 0, 0, _DEFLATED, _DOS_TIME, _DOS_DATE, entry.crc,
                       packed, size, len(entry.name), len(extra)) + entry.name + extra


class ZipWriter:
    """A zip archive at ``path`` whose members are written one at a time (``open`` or ``add``);
    ``close`` writes the central directory. Member names are ASCII (an xlsx package's are).

    ``codec`` is a module with zlib's ``compressobj`` and ``crc32`` (ISA-L's by default; the tests
    pass the standard library's zlib to compare the archive with zipfile's byte for byte)."""

    def __init__(self, path: str | Path, level: int = 1, codec=isal_zlib) -> None:
        self.path = Path(path)
        self.file = open(path, "wb")
        self.level, self.codec = level, codec
        self._entries: list[_Entry] = []
        self._open = False

    def open(self, name: str, zip64: bool = False) -> Member:
        """A new member; ``zip64`` reserves the fields a member of more than 2 GiB needs."""
        if self._open:
            raise ValueError("a zip member is still open")
        entry = _Entry(name.encode("ascii"), self.file.tell())
        if zip64:
            entry.version = _ZIP64_VERSION
        self.file.write(_local_header(entry, zip64))
        self._open = True
        return Member(self, entry, zip64)

    def add(self, name: str, data: bytes) -> None:
        """A whole member at once."""
        member = self.open(name)
        member.write(data)
        member.close()

    def adopt(self, spool: ZipWriter) -> None:
        """The members written to ``spool`` (another archive, not closed: a spool of members deflated
        ahead) copied here as they are, after those written so far. A local header holds no offset, so
        the bytes are those the members would have had written here; the central directory gets their
        new offsets. ``spool``'s file is closed (its caller removes it)."""
        if self._open or spool._open:
            raise ValueError("a zip member is still open")
        spool.file.close()
        base = self.file.tell()
        with open(spool.path, "rb") as source:
            shutil.copyfileobj(source, self.file, _COPY_BYTES)
        for entry in spool._entries:
            entry.offset += base
            self._entries.append(entry)
        spool._entries = []

    def member_closed(self, entry: _Entry) -> None:
        """Called by a member once written: it joins the central directory."""
        self._entries.append(entry)
        self._open = False

    def close(self) -> None:
        """Write the central directory and the end records, and close the file."""
        try:
            start = self.file.tell()
            for entry in self._entries:
                self.file.write(_central_header(entry))
            self._end_records(start, self.file.tell())
        finally:
            self.file.close()

    def abandon(self) -> None:
        """Close the file without finishing the archive (after an error; the caller removes it)."""
        self.file.close()

    def _end_records(self, start: int, stop: int) -> None:
        count, size, offset = len(self._entries), stop - start, start
        if count > _FILECOUNT_LIMIT or offset > ZIP64_LIMIT or size > ZIP64_LIMIT:
            self.file.write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, _ZIP64_VERSION, _ZIP64_VERSION, 0, 0,
                                        count, count, size, offset))
            self.file.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, stop, 1))
            count, size, offset = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(offset, 0xFFFFFFFF)
        self.file.write(struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, count, count, size, offset, 0))


def _central_header(entry: _Entry) -> bytes:
    """A member's central directory header, as zipfile writes it."""
    fields: list[int] = []
    size, packed, offset = entry.size, entry.packed, entry.offset
    if size > ZIP64_LIMIT or packed > ZIP64_LIMIT:
        fields += [size, packed]
        size = packed = 0xFFFFFFFF
    if offset > ZIP64_LIMIT:
        fields.append(offset)
        offset = 0xFFFFFFFF
    extra = struct.pack("<HH" + "Q" * len(fields), 1, 8 * len(fields), *fields) if fields else b""
    version = _ZIP64_VERSION if fields else entry.version
    return struct.pack(_CENTRAL, b"PK\001\002", version, _UNIX, version, 0, 0, _DEFLATED, _DOS_TIME, _DOS_DATE,
                       entry.crc, packed, size, len(entry.name), len(extra), 0, 0, 0, _EXTERNAL,
                       offset) + entry.name + extra
