"""Which cells of a worksheet are coloured (filled), for a Gantt plan drawn with colours instead of text.

calamine reads values, not styles. A plan drawn by hand often marks its days by filling cells with a
colour and writing nothing in them; ``io.gantt`` asks for those cells only when a sheet's day cells hold
no text at all. The sheet's XML is scanned for cells with a style (``s="N"``), ``xl/styles.xml`` says which
styles fill their cell: a pattern or gradient fill of any colour but white (Excel's "no fill" is pattern
``none``; ``gray125`` is its reserved second fill, never a user's). Colours are said as ``#RRGGBB``, a
theme's colour (``theme="5"``) and a tint resolved through the workbook's theme as Excel paints them. Row
and column styles (a whole row or column formatted) are not cells and are not read.

The same scan tells which of a ledger's identifier cells show their number padded with zeros
(``padded_cells``): a custom number format of nothing but zeros (``0000000000``: 123 shows as 0000000123),
resolved through the styles' ``numFmtId`` and ``<numFmts>``.

Under the package check's limits (``xlsxcheck``): parts with a DTD are refused, inflation is counted. A
scan builds nothing per styled cell: only the chosen cells whose style matters are kept, so a crafted sheet
of millions of styled cells costs its scan, not a table.
"""

from __future__ import annotations

import colorsys
import functools
import re
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from branchkit.io.xlsxcheck import _MB, _read_member, _workbook_rels, related_part, sheet_blocks
from branchkit.rules import InputRules
from branchkit.text import column_letters

#: Office's default theme (2013 on), for a workbook without a theme part: lt1, dk1, lt2, dk2, accent 1-6,
#: hyperlink, followed hyperlink, in the order of a colour's ``theme`` index.
_OFFICE_THEME = ("FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5",
                 "70AD47", "0563C1", "954F72")
#: The theme part's colours in the order they are written; a ``theme`` index swaps the first two pairs.
_SCHEME = ("dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
           "hlink", "folHlink")
_BY_INDEX = (1, 0, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11)
#: The legacy palette of ``indexed`` colours (0-63; 64 and up are the system's window colours: no colour).
_PALETTE = (
    "000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF "
    "00FFFF 800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF 660066 FF8080 "
    "0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF CCFFCC FFFF99 99CCFF "
    "FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696 003366 339966 003300 333300 "
    "993300 993366 333399 333333").split()


@dataclass(frozen=True)
class FillSource:
    """Where a sheet's cell styles are read (its colours, its identifiers' padding): the workbook's path and
    the sheet's XML part (picklable, so a grid read in a worker process carries it)."""

    path: str
    part: str
    label: str
    limits: InputRules

    def cells(self, rows: set[int], cols: set[int]) -> dict[tuple[int, int], str]:
        """The filled cells among ``rows`` x ``cols`` (0-based): each one's colour (``#92D050``)."""
        return filled_cells(Path(self.path), self.part, self.label, self.limits, rows, cols)

    def padding(self, wanted: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        """The widths the chosen cells' number formats pad a whole number to (``padded_cells``)."""
        return padded_cells(Path(self.path), self.part, self.label, self.limits, wanted)


def filled_cells(path: Path, part: str, label: str, limits: InputRules, rows: set[int],
                 cols: set[int]) -> dict[tuple[int, int], str]:
    """The cells of sheet ``part`` among ``rows`` x ``cols`` whose style fills them with a colour, and that
    colour. Only those are kept: a crafted sheet of millions of styled cells costs its scan, not a table."""
    budget = [limits.max_uncompressed_mb * _MB]
    with zipfile.ZipFile(path) as archive:
        fills = _filling_styles(archive, label, limits, budget)
        out: dict[tuple[int, int], str] = {}
        for at_rows, at_cols, styles in _styled_cells(archive, part, label, limits, budget, bool(fills), cols):
            for row, col, style in zip(at_rows.tolist(), at_cols.tolist(), styles.tolist()):
                if style in fills and row in rows:
                    out[row, col] = fills[style]
    return out


def padded_cells(path: Path, part: str, label: str, limits: InputRules,
                 wanted: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """For sheet ``part``'s columns ``wanted`` (0-based column -> which sheet rows, a mask by row): the width
    each chosen cell's number format pads a whole number to with zeros (``padding_width``; 0: none), by
    row, for the columns where some chosen cell has one. The sheet is scanned only when some style pads."""
    budget = [limits.max_uncompressed_mb * _MB]
    with zipfile.ZipFile(path) as archive:
        by_style = _padding_styles(archive, label, limits, budget)
        out: dict[int, np.ndarray] = {}
        for rows, cols, styles in _styled_cells(archive, part, label, limits, budget, bool(by_style.any()),
                                                set(wanted)):
            widths = np.where(styles < len(by_style), by_style[np.minimum(styles, len(by_style) - 1)], 0)
            for col, mask in wanted.items():
                chosen = (cols == col) & (widths > 0) & (rows >= 0) & (rows < len(mask))
                chosen[chosen] = mask[rows[chosen]]
                if chosen.any():
                    out.setdefault(col, np.zeros(len(mask), dtype=np.uint8))[rows[chosen]] = widths[chosen]
    return out


def _styled_cells(archive: zipfile.ZipFile, part: str, label: str, limits: InputRules, budget: list[int],
                  wanted: bool, cols: set[int]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The cells of sheet ``part`` in columns ``cols`` that have a style, block by block of the sheet: their
    rows, columns (0-based) and style indexes (``cellXfs``), as arrays. Nothing is scanned unless ``wanted``
    (some style matters). A cell without its reference (``r``, which Excel always writes) or its style is
    not read. The column is told within the regex, so the other columns' cells (most of a ledger's) cost no
    Python step, and the cells found go to arrays a block at a time: a sheet of 1,000,000 cells, two columns
    of 200,000 ids padded, 0.7 s CPU, 0.5 s of it the regex."""
    if not wanted or not cols:
        return
    by_letters = {column_letters(c).encode(): c for c in cols}
    pattern = _cells_in(tuple(sorted(by_letters)))
    for block in sheet_blocks(archive, part, label, limits, budget):
        found = pattern.findall(block)
        if found:
            cells = np.array(found)
            letters, at = np.unique(np.char.upper(cells[:, 0]), return_inverse=True)
            cols_at = np.array([by_letters[bytes(name)] for name in letters], dtype=np.int64)[at]
            yield cells[:, 1].astype(np.int64) - 1, cols_at, cells[:, 2].astype(np.int64)


@functools.lru_cache(maxsize=8)
def _cells_in(letters: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """A cell tag (any namespace prefix) in one of the columns ``letters`` with a style: its column letters,
    row and style index, whatever the order of its attributes."""
    columns = b"|".join(letters)
    return re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?c\b(?=[^>]*\br="\$?((?i:' + columns + rb'))\$?(\d{1,7})")'
                      rb'(?=[^>]*\bs="(\d{1,9})")')


def _filling_styles(archive: zipfile.ZipFile, label: str, limits: InputRules, budget: list[int]) -> dict[int, str]:
    """Cell style index (``cellXfs``) -> the colour of its fill (``#92D050``), for the styles that fill their
    cell with a colour other than white."""
    rels = _workbook_rels(archive, label, limits, budget)
    root = _xml(archive, related_part(rels, "styles", "xl/styles.xml"), label, limits, budget)
    if root is None:
        return {}
    theme = _theme(_xml(archive, related_part(rels, "theme", "xl/theme/theme1.xml"), label, limits, budget))
    fills = [_colour(fill, theme) for fill in _children(root, "fills", "fill")]
    out = {}
    for index, xf in enumerate(_children(root, "cellXfs", "xf")):
        fill_id = xf.get("fillId", "0")
        if fill_id.isdigit() and int(fill_id) < len(fills) and fills[int(fill_id)] is not None:
            out[index] = fills[int(fill_id)]
    return out


def _padding_styles(archive: zipfile.ZipFile, label: str, limits: InputRules, budget: list[int]) -> np.ndarray:
    """By cell style index (``cellXfs``): the width its number format pads a whole number to
    (``padding_width``; 0: none). Built-in formats (``numFmtId`` below 164 and not listed in ``<numFmts>``)
    never pad: the only one of zeros, id 1, is ``0``."""
    rels = _workbook_rels(archive, label, limits, budget)
    root = _xml(archive, related_part(rels, "styles", "xl/styles.xml"), label, limits, budget)
    if root is None:
        return np.zeros(0, dtype=np.uint8)
    formats = {f.get("numFmtId"): padding_width(f.get("formatCode") or "") for f in _children(root, "numFmts", "numFmt")}
    return np.array([formats.get(xf.get("numFmtId", "0"), 0) for xf in _children(root, "cellXfs", "xf")],
                    dtype=np.uint8)


#: A number format that pads a whole number with zeros: a section of zeros alone for positive numbers (and
#: zero), then optionally a section for negative numbers (zeros, a minus before them or not), one for zero
#: (zeros), and a text section (``@``). Anything else is not read as padding: quoted or escaped zeros
#: (``"00000"``, ``\0``) are written as they stand whatever the number, a colour or condition (``[Red]``), a
#: decimal point, a thousands separator, a literal or a space changes what the cell shows.
_PADDING = re.compile(r"(0+)(?:;-?0+(?:;(0+))?)?(?:;@)?")
#: Widths read as padding: one zero pads nothing; past this a format is no identifier's.
_MAX_WIDTH = 255


def padding_width(code: str) -> int:
    """The width a number format pads a whole non-negative number to with leading zeros (``0000000000``:
    10, so 123 shows as 0000000123); 0 for a format that pads nothing or is not nothing but zeros. A zero
    section of another width than the positive one is not read (zero would show otherwise)."""
    match = _PADDING.fullmatch(code.strip())
    if match is None or (match.group(2) is not None and match.group(2) != match.group(1)):
        return 0
    width = len(match.group(1))
    return width if 1 < width <= _MAX_WIDTH else 0


def _xml(archive: zipfile.ZipFile, part: str, label: str, limits: InputRules, budget: list[int]) -> ET.Element | None:
    """A part parsed (under the package check's limits); None when it is absent or cannot be parsed."""
    try:
        return ET.fromstring(_read_member(archive, part, label, limits, budget))
    except (KeyError, ET.ParseError, RecursionError):
        return None


def _theme(root: ET.Element | None) -> tuple[str, ...]:
    """The workbook's theme colours by ``theme`` index (Office's default theme where it has none)."""
    if root is None:
        return _OFFICE_THEME
    written: dict[str, str] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name in _SCHEME and name not in written:
            inner = next(iter(element), None)
            value = None if inner is None else inner.get("val") if _local(inner.tag) == "srgbClr" else \
                inner.get("lastClr") if _local(inner.tag) == "sysClr" else None
            if value is not None and re.fullmatch(r"[0-9A-Fa-f]{6}", value):
                written[name] = value.upper()
    ordered = tuple(written.get(name, _OFFICE_THEME[_BY_INDEX[i]]) for i, name in enumerate(_SCHEME))
    return tuple(ordered[i] for i in _BY_INDEX)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(root: ET.Element, parent: str, child: str) -> list[ET.Element]:
    """``root``'s ``parent`` element's ``child`` elements, whatever namespace (transitional or strict)."""
    for element in root:
        if _local(element.tag) == parent:
            return [e for e in element if _local(e.tag) == child]
    return []


def _colour(fill: ET.Element, theme: tuple[str, ...]) -> str | None:
    """The colour a ``<fill>`` paints (``#RRGGBB``; ``gradient``; ``auto`` for the window's text colour);
    None for no fill and for white."""
    for inner in fill:
        kind = _local(inner.tag)
        if kind == "gradientFill":
            return "gradient"
        if kind != "patternFill":
            continue
        if inner.get("patternType", "none") in ("none", "gray125"):
            return None
        colour = next((e for e in inner if _local(e.tag) == "fgColor"), None)
        rgb = None if colour is None else _rgb(colour, theme)
        if rgb is None:
            return "auto"
        return None if rgb == "FFFFFF" else f"#{rgb}"
    return None


def _rgb(colour: ET.Element, theme: tuple[str, ...]) -> str | None:
    """A colour element as RRGGBB (its tint applied), None for ``auto`` and the system's colours."""
    rgb, index, indexed = colour.get("rgb"), colour.get("theme"), colour.get("indexed")
    if rgb is not None and re.fullmatch(r"[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}", rgb):
        base = rgb.upper()[-6:]
    elif index is not None and index.isdigit() and int(index) < len(theme):
        base = theme[int(index)]
    elif indexed is not None and indexed.isdigit() and int(indexed) < len(_PALETTE):
        base = _PALETTE[int(indexed)]
    else:
        return None
    try:
        tint = float(colour.get("tint", "0") or 0)
    except ValueError:
        tint = 0.0
    if not tint or not -1 <= tint <= 1:
        return base
    # Excel's tint: the colour's luminance moved toward black (below 0) or white (above 0).
    h, l, s = colorsys.rgb_to_hls(*(int(base[k:k + 2], 16) / 255 for k in (0, 2, 4)))
    l = l * (1 + tint) if tint < 0 else l * (1 - tint) + tint
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(h, l, s))
