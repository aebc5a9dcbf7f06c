"""The HTML document in pieces (``io.html.html_document``): the sections encoded where they are rendered,
the template's head and tail around them, the same bytes as the template rendering them in place."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from markupsafe import Markup

from branchkit import __version__
from branchkit.io import html
from branchkit.io.options import WriteOptions
from branchkit.io.tables import Report, Section, Table


def _report(sections: int) -> Report:
    table = Table("t", pd.DataFrame({"名称": ["甲\n乙", "<b>&"], "x": [1.5, None]}), "表", "Table")
    return Report("月报", "Report", [Section(f"第{i}节", f"Part {i}", [table] if i == 0 else [], text_zh=f"说明{i}\n下一行")
                                     for i in range(sections)], "t", subtitle="2026-10 · 甲", notes=["注意 <x>"])


def _in_place(report: Report, options: WriteOptions) -> str:
    """The document as the template renders it with the sections in place (what html_document splits)."""
    parts = [html._rendered((report, options), (False, i)) for i in range(len(report.sections))]
    parts = [part for done in parts for part in done]
    sections = [meta for meta, _ in parts]
    return html.environment().get_template("report.html.j2").render(
        lang=options.label_lang, title=report.title(options.label_lang), subtitle=report.subtitle,
        notes=report.notes, sections=sections, toc=html._toc(sections), version=__version__,
        rendered=[Markup(body.decode("utf-8")) for _, body in parts])


@pytest.mark.parametrize("sections", [0, 1, 3])
def test_the_pieces_are_the_document_rendered_in_place(sections):
    report, options = _report(sections), WriteOptions(jobs=1)
    pieces = html.html_document(report, options)
    expected = _in_place(report, options)
    assert b"".join(pieces) == expected.encode("utf-8")
    assert html.render_html(report, options) == expected
    assert len(pieces) == (1 if sections == 0 else 2 + 2 * sections)
    assert expected.endswith("</html>") and html._SECTIONS not in expected


def test_the_file_is_the_document(tmp_path):
    report, options = _report(3), WriteOptions(jobs=1)
    html.write_html(report, tmp_path / "r.html", options)
    assert (tmp_path / "r.html").read_bytes() == b"".join(html.html_document(report, options))


def test_line_ends_are_the_platforms_as_a_text_file_writes_them(tmp_path, monkeypatch):
    report, options = _report(2), WriteOptions(jobs=1)
    text = html.render_html(report, options)
    monkeypatch.setattr(os, "linesep", "\r\n")
    html.write_html(report, tmp_path / "r.html", options)
    assert (tmp_path / "r.html").read_bytes() == text.replace("\n", "\r\n").encode("utf-8")
    assert b"\r\r\n" not in (tmp_path / "r.html").read_bytes()


def test_a_note_holding_the_sections_placeholder_stays_in_the_head():
    report, options = _report(2), WriteOptions(jobs=1)
    report.notes = [f"odd {html._SECTIONS}\n text"]
    assert b"".join(html.html_document(report, options)) == _in_place(report, options).encode("utf-8")
