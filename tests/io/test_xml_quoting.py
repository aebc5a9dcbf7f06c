"""The xlsx writer's XML escaping (io.excel.xml_escaped, xml_quoted): what xml.sax.saxutils writes,
without importing it (it imports urllib.request, http.client and ssl)."""

from __future__ import annotations

import subprocess
import sys
from xml.sax.saxutils import escape, quoteattr

from hypothesis import given, settings, strategies as st

from branchkit.io.excel import xml_escaped, xml_quoted

TEXT = st.text(alphabet=st.sampled_from("ab&<>\"'\n\r\t;#x 中"), max_size=12) | st.text(max_size=12)


@settings(max_examples=60)
@given(TEXT)
def test_escaped_and_quoted_text_is_what_saxutils_writes(text: str) -> None:
    assert xml_escaped(text) == escape(text)
    assert xml_quoted(text) == quoteattr(text)


def test_the_quotes_chosen_by_what_the_value_holds() -> None:
    assert xml_quoted('a"b') == "'a\"b'"                       # a double quote alone: single quotes
    assert xml_quoted("a'b") == '"a\'b"'                       # a single quote alone: double quotes
    assert xml_quoted("a'\"b") == '"a\'&quot;b"'               # both: double quotes, the double escaped
    assert xml_quoted("a&<b>\n\r\t") == '"a&amp;&lt;b&gt;&#10;&#13;&#9;"'
    assert xml_escaped("&amp;<\n") == "&amp;amp;&lt;\n"


def test_the_xlsx_writer_does_not_import_saxutils() -> None:
    code = ("import sys, branchkit.io.xlsxsheet, branchkit.io.xlsxstyles\n"
            "assert 'xml.sax.saxutils' not in sys.modules and 'ssl' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
