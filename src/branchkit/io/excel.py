"""Facts of the spreadsheet file formats that the readers, the writers and the sample generator share."""

from __future__ import annotations

import datetime as dt
import re

#: Day 0 of Excel's 1900 date system as serial numbers count it (1900-02-29, which never was, is day 60).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: The characters XML 1.0 cannot hold (C0 controls except tab, line feed and carriage return; U+FFFE and
#: U+FFFF), as the body of a character class: literal characters, so the same text serves Python's
#: ``re`` and Arrow's RE2 (``pyarrow.compute`` regex kernels).
NOT_XML_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
#: ``NOT_XML_CHARS`` compiled: ``NOT_XML.sub("", text)`` makes text fit for an xlsx or svg file.
NOT_XML = re.compile(f"[{NOT_XML_CHARS}]")
#: The most characters one Excel cell holds.
MAX_CELL_CHARS = 32767


# The two below write what ``xml.sax.saxutils`` ``escape`` and ``quoteattr`` write; that module imports
# urllib.request, http.client and ssl, 8-10 ms of process CPU on every command's start (8 runs).
def xml_escaped(text: str) -> str:
    """``text`` for an XML element: ``&``, ``<`` and ``>`` by their entities, the ampersand first."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def xml_quoted(text: str) -> str:
    """``text`` as a quoted XML attribute value: escaped, line ends and tabs as character references, in
    double quotes, or in single quotes when it holds a double quote and no single one (else ``&quot;``)."""
    text = xml_escaped(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'
