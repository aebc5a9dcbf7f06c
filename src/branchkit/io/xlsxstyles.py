"""Cell formats of a workbook and its ``xl/styles.xml``: fonts, fills, borders, number formats, and the
cell formats (xfs) that cells and columns refer to by index.

A format is asked for with xlsxwriter's property names (``font_name``, ``bold``, ``bg_color``,
``border``, ``num_format``, ...), only those the writers use. A format gets its index the first time
it is used (``Styles.index``); equal properties share one index, and only used formats are written.
Index 0 is the workbook's default (11 pt Calibri, no fill, no border, General), which Excel's column
widths are measured in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from branchkit.io.excel import xml_quoted

if TYPE_CHECKING:
    from branchkit.io.xlsxpackage import Workbook

_DEFAULT_FONT = ("Calibri", 11.0, False)
#: Excel's border styles by xlsxwriter's index (1 is a thin line).
_BORDER_STYLES = {0: None, 1: "thin", 2: "medium", 5: "thick"}
_HORIZONTAL = {"left": "left", "center": "center", "right": "right", "center_across": "centerContinuous"}
_VERTICAL = {"top": "top", "vcenter": "center", "bottom": "bottom"}
_KNOWN = frozenset({"font_name", "font_size", "bold", "bg_color", "border", "border_color", "left", "right", "top",
                    "bottom", "text_wrap", "shrink", "valign", "align", "num_format"})
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
#: Custom number formats are numbered from 164 (lower numbers are Excel's built-in ones).
_FIRST_CUSTOM = 164


@dataclass(frozen=True)
class Format:
    """A cell format: its properties (xlsxwriter's names), sorted, so equal formats compare equal."""

    key: tuple[tuple[str, object], ...]


def make_format(props: dict[str, object]) -> Format:
    """A ``Format`` of these properties; an unknown property or a colour that is not #RRGGBB is a
    ValueError (a typo would otherwise be dropped without a word)."""
    unknown = set(props) - _KNOWN
    if unknown:
        raise ValueError(f"unsupported cell format properties: {', '.join(sorted(unknown))}")
    for name in ("bg_color", "border_color"):
        if name in props and not _COLOUR.fullmatch(str(props[name])):
            raise ValueError(f"{name} must be a colour written #RRGGBB, not {props[name]!r}")
    for name in ("border", "left", "right", "top", "bottom"):
        if name in props and props[name] not in _BORDER_STYLES:
            raise ValueError(f"{name} must be one of {sorted(_BORDER_STYLES)}, not {props[name]!r}")
    for name, known in (("align", _HORIZONTAL), ("valign", _VERTICAL)):
        if name in props and props[name] not in known:
            raise ValueError(f"{name} must be one of {', '.join(known)}, not {props[name]!r}")
    return Format(tuple(sorted(props.items())))


class Styles:
    """The formats a workbook uses, each numbered once, and the ``styles.xml`` that defines them."""

    def __init__(self) -> None:
        self._fonts: dict[tuple, int] = {_DEFAULT_FONT: 0}
        self._fills: dict[str | None, int] = {None: 0, "gray125": 1}     # Excel reserves the first two
        self._borders: dict[tuple, int] = {(None, None, None, None, None): 0}
        self._number_formats: dict[str, int] = {}                       # custom ones, from 164
        self._xfs: dict[Format, int] = {Format(()): 0}
        # Formats that differ only in properties that change nothing (General, border 0) share an xf.
        self._xf_xml: dict[str, int] = {'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>': 0}

    def index(self, fmt: Format) -> int:
        """The cell-format (xf) index of ``fmt``, numbering it on first use."""
        found = self._xfs.get(fmt)
        if found is None:
            found = self._xfs[fmt] = _number(self._xf_xml, self._xf(fmt))
        return found

    def _xf(self, fmt: Format) -> str:
        props = dict(fmt.key)
        font = (str(props.get("font_name", _DEFAULT_FONT[0])), float(props.get("font_size", _DEFAULT_FONT[1])),
                bool(props.get("bold", False)))
        code = str(props.get("num_format", "General"))
        colour = props.get("bg_color")
        edge = props.get("border", 0)
        border = tuple(_BORDER_STYLES[props.get(side, edge)] for side in ("left", "right", "top", "bottom"))
        border += (props.get("border_color") if any(border) else None,)
        number = 0 if code == "General" else _number(self._number_formats, code, _FIRST_CUSTOM)
        ids = {"numFmtId": number, "fontId": _number(self._fonts, font), "fillId": _number(self._fills, colour),
               "borderId": _number(self._borders, border)}
        attrs = "".join(f' {name}="{value}"' for name, value in ids.items())
        applied = [name for name, key in (("applyNumberFormat", "numFmtId"), ("applyFont", "fontId"),
                                          ("applyFill", "fillId"), ("applyBorder", "borderId")) if ids[key]]
        alignment = _alignment(props)
        if alignment:
            applied.append("applyAlignment")
        attrs += ' xfId="0"' + "".join(f' {name}="1"' for name in applied)
        return f"<xf{attrs}>{alignment}</xf>" if alignment else f"<xf{attrs}/>"

    def xml(self) -> bytes:
        """The ``xl/styles.xml`` part: every number format, font, fill, border and cell format used."""
        custom = [(number, code) for code, number in self._number_formats.items()]
        parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
        if custom:
            parts.append(f'<numFmts count="{len(custom)}">')
            parts += [f'<numFmt numFmtId="{number}" formatCode={xml_quoted(code)}/>' for number, code in custom]
            parts.append("</numFmts>")
        parts.append(f'<fonts count="{len(self._fonts)}">{"".join(_font(*f) for f in self._fonts)}</fonts>')
        parts.append(f'<fills count="{len(self._fills)}">{"".join(_fill(c) for c in self._fills)}</fills>')
        parts.append(f'<borders count="{len(self._borders)}">{"".join(_border(b) for b in self._borders)}</borders>')
        parts.append('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
        parts.append(f'<cellXfs count="{len(self._xf_xml)}">{"".join(self._xf_xml)}</cellXfs>')
        parts.append('<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                     '<dxfs count="0"/><tableStyles count="0"/></styleSheet>')
        return "".join(parts).encode("utf-8")


def _number(registry: dict, key: object, first: int = 0) -> int:
    """The number of ``key`` in ``registry`` (counted from ``first``), adding it at the end when new."""
    found = registry.get(key)
    if found is None:
        found = registry[key] = first + len(registry)
    return found


def _alignment(props: dict[str, object]) -> str:
    attrs = []
    if "align" in props:
        attrs.append(f'horizontal="{_HORIZONTAL[str(props["align"])]}"')
    if "valign" in props:
        attrs.append(f'vertical="{_VERTICAL[str(props["valign"])]}"')
    if props.get("text_wrap"):
        attrs.append('wrapText="1"')
    if props.get("shrink"):
        attrs.append('shrinkToFit="1"')
    return f"<alignment {' '.join(attrs)}/>" if attrs else ""


def _argb(colour: str) -> str:
    return "FF" + colour[1:].upper()


def _font(name: str, size: float, bold: bool) -> str:
    return f'<font>{"<b/>" if bold else ""}<sz val="{size:g}"/><name val={xml_quoted(name)}/><family val="2"/></font>'


def _fill(colour: str | None) -> str:
    if colour is None:
        return '<fill><patternFill patternType="none"/></fill>'
    if colour == "gray125":
        return '<fill><patternFill patternType="gray125"/></fill>'
    return (f'<fill><patternFill patternType="solid"><fgColor rgb="{_argb(colour)}"/><bgColor indexed="64"/>'
            "</patternFill></fill>")


def _border(border: tuple) -> str:
    *sides, colour = border
    line = f'<color rgb="{_argb(colour)}"/>' if colour else '<color auto="1"/>'
    xml = "".join(f'<{side} style="{style}">{line}</{side}>' if style else f"<{side}/>"
                  for side, style in zip(("left", "right", "top", "bottom"), sides))
    return f"<border>{xml}<diagonal/></border>"


#: Excel's number format of each display format (anything else is text, '@').
NUMBER_FORMATS = {"money": "#,##0.00", "score": "0.00", "ratio": "0.00%", "int": "#,##0", "number": "#,##0.##",
                  "date": "yyyy-mm-dd"}


class CellFormats:
    """The cell formats the report writers use (``io.xlsx``, ``io.xlsxbook``) over one base font: the
    column formats made once, fills and other variants on first use. Cells refer to them by index."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.base = {"font_name": "等线", "font_size": 10}
        self.by_format = {fmt: book.add_format({**self.base, "num_format": code})
                          for fmt, code in NUMBER_FORMATS.items()}
        self.by_format["text"] = book.add_format({**self.base, "num_format": "@"})
        self.header = book.add_format({**self.base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                       "text_wrap": True, "valign": "top"})
        self.title = book.add_format({**self.base, "bold": True, "font_size": 12})
        self._fills: dict[tuple[str, str], Format] = {}

    def column(self, fmt: str) -> Format:
        return self.by_format.get(fmt, self.by_format["text"])

    def header_fill(self, colour: str) -> Format:
        """The header style on another background (a weekend day on a Gantt)."""
        key = ("header", colour)
        if key not in self._fills:
            self._fills[key] = self.book.add_format({**self.base, "bold": True, "bg_color": colour, "border": 1,
                                                     "text_wrap": True, "valign": "top"})
        return self._fills[key]

    def fill(self, fmt: str, colour: str) -> Format:
        key = (fmt, colour)
        if key not in self._fills:
            code = NUMBER_FORMATS.get(fmt, "@")
            # Centred and wrapped: a Gantt's marks sit in the middle of their narrow day cells.
            self._fills[key] = self.book.add_format({**self.base, "num_format": code, "bg_color": colour,
                                                     "border": 1, "border_color": "#FFFFFF", "align": "center",
                                                     "valign": "vcenter", "text_wrap": True})
        return self._fills[key]

    def wrapped(self, fmt: str) -> Format:
        """A column's format with its text wrapped (top-aligned) within the column's width."""
        key = ("wrap", fmt)
        if key not in self._fills:
            code = NUMBER_FORMATS.get(fmt, "@")
            self._fills[key] = self.book.add_format({**self.base, "num_format": code, "text_wrap": True,
                                                     "valign": "top"})
        return self._fills[key]

    @staticmethod
    def number_format(fmt: str) -> str:
        """Excel's number format of a display format (text: '@')."""
        return NUMBER_FORMATS.get(fmt, "@")

    def make(self, **props: object) -> Format:
        """A format of these properties over the base font, made once."""
        key = ("made", *sorted(props.items()))
        if key not in self._fills:
            self._fills[key] = self.book.add_format({**self.base, **props})
        return self._fills[key]

    def index(self, fmt: Format) -> int:
        """The cell-style (xf) index of a format, registering it in the workbook."""
        return self.book.index(fmt)
