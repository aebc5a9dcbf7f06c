"""What a file really is, by its bytes rather than its name.

Core systems export "Excel" files that are HTML tables or CSV renamed to
``.xls``; Office saves encrypted workbooks as OLE2 containers that look like
``.xls``. The extension is only a hint.
"""

from __future__ import annotations

from typing import Literal

Format = Literal["xlsx", "xls", "html", "csv", "spreadsheetml", "encrypted", "zip", "ods", "binary", "empty",
                 "compressed"]

_ZIP = b"PK\x03\x04"
_ZIP_EMPTY = b"PK\x05\x06"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Compressed files by their first bytes (a customers.csv.gz, or one renamed to .csv).
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd",
              b"7z\xbc\xaf\x27\x1c": "7-Zip", b"Rar!\x1a\x07": "RAR"}


def compression(head: bytes) -> str | None:
    """The compression a file's first bytes announce, if any."""
    return next((name for magic, name in COMPRESSED.items() if head.startswith(magic)), None)


def sniff(head: bytes, suffix: str = "") -> Format:
    """The format of a file from its first bytes (4 KiB or more is plenty)."""
    if not head:
        return "empty"
    if head.startswith(_ZIP) or head.startswith(_ZIP_EMPTY):
        return "zip"
    if compression(head):
        return "compressed"
    if head.startswith(_OLE):
        # Encrypted OOXML lives in an OLE container holding these stream names (UTF-16LE).
        if "EncryptedPackage".encode("utf-16-le") in head or "EncryptionInfo".encode("utf-16-le") in head:
            return "encrypted"
        return "xls"
    text = _decode_head(head)
    if text is None:
        return "binary"
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "spreadsheetml"
    if lowered.startswith("<") and ("<table" in lowered or "<html" in lowered or "<!doctype html" in lowered):
        return "html"
    return "csv"


def _decode_head(head: bytes) -> str | None:
    """The head as text if it looks like text (few control bytes), else None."""
    for encoding in ("utf-8", "gb18030", "utf-16", "utf-16-be", "cp1252", "latin-1"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte character may be cut at the end of the head.
            try:
                text = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\x00")
        nuls = text.count("\x00")
        if controls <= max(2, len(text) // 200) and nuls <= len(text) // 20:
            return text
    return None


