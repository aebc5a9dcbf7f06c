"""Self-contained HTML: one file, inline CSS and SVG, nothing fetched, readable on a phone, printable."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from branchkit import __version__
from branchkit.parallel import map_shared
from branchkit.io.display import NUMERIC_FORMATS
from branchkit.io.htmlcells import table_cells
from branchkit.io.htmlfit import fit_column, split_columns
from branchkit.io.options import WriteOptions
from branchkit.io.svg import escape_text
from branchkit.io.tables import Report, Section, Table
from branchkit.resources import templates_dir

MAX_HTML_ROWS = 2000
#: Formats whose text never breaks across lines (an identifier, a date, a masked number).
_UNBROKEN = frozenset({"id", "sensitive", "date", "bool"})


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja2 environment: autoescaping on for every template."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def table_view(table: Table, options: WriteOptions, limit: int = MAX_HTML_ROWS) -> dict[str, object]:
    """What the template needs to draw a table: headers, cell texts, alignment, a cut note, and the
    parts it is split into when too wide for A4 (``io.htmlfit``): each part repeats the columns
    naming the row. Each part's body rows come as one escaped HTML string (``_body``): the template
    looping over tens of thousands of cells cost more than the rest of the report's pages."""
    lang = options.label_lang
    # head() copies every column: a report's thousands of small tables are shown whole, uncopied
    head = table if len(table.frame) <= limit else replace(table, frame=table.frame.head(limit))
    shown = table_cells(head, mask=options.masked("html"), lang=lang)
    names = [str(c) for c in shown]
    formats = [table.format_of(c) for c in shown]
    cells = list(shown.values())
    rows = [list(row) for row in zip(*cells)] if cells else [[] for _ in range(len(head.frame))]
    cut = len(table.frame) - len(rows)
    headers = [table.label(c, lang) for c in shown]
    fits = [fit_column(header, column, fmt in NUMERIC_FORMATS, fmt not in _UNBROKEN)
            for header, column, fmt in zip(headers, cells, formats)]
    escaped = [column if fmt in NUMERIC_FORMATS else _escaped_column(column) for column, fmt in zip(cells, formats)]
    parts = [{"headers": [headers[j] for j in part], "classes": [fits[j].css for j in part],
              "body": _body([escaped[j] for j in part], [fits[j].css for j in part], len(rows))}
             for part in split_columns(names, fits)]
    return {
        "title": table.title(lang), "note": table.note(lang), "empty": table.empty(lang), "headers": headers,
        "numeric": [f in NUMERIC_FORMATS for f in formats], "rows": rows, "total": len(table.frame), "cut": cut,
        "parts": parts,
    }


def _escaped_column(column: list[str]) -> list[str]:
    """``escape_text`` of every cell, the column itself when no cell holds a character it replaces (most
    columns: names, codes, words; one join and five searches instead of a call per cell)."""
    joined = "".join(column)
    if "&" in joined or "<" in joined or ">" in joined or "'" in joined or '"' in joined:
        return [escape_text(c) for c in column]
    return column


def _body(columns: list[list[str]], classes: list[str], n: int) -> Markup:
    """The rows of a table part as HTML: ``<tr>`` of ``<td class=...>`` cells, one row a line, the cells
    escaped already; the bytes the template's loop over the cells wrote."""
    if not columns:
        return Markup("<tr></tr>\n" * n)
    opens = [f'<td class="{escape(css)}">' for css in classes]         # once per column, not per cell
    cells = [[f'{td}{text}</td>' for text in column] for column, td in zip(columns, opens)]
    return Markup("".join(["<tr>" + "".join(row) + "</tr>\n" for row in zip(*cells)]))


def render_html(report: Report, options: WriteOptions) -> str:
    """The report as one HTML document (``html_document``'s bytes as text)."""
    return b"".join(html_document(report, options)).decode("utf-8")


#: Stands for the sections in the document's template: what is around it is the head and the tail.
_SECTIONS = "\x00sections\x00"


def html_document(report: Report, options: WriteOptions) -> list[bytes]:
    """The report as one HTML document in UTF-8, in pieces to write one after another; ``options.jobs`` > 1
    renders its sections in that many processes (the report's later sections built there too, each item's
    where it is rendered). Each section is encoded where it is rendered and the template renders the head
    and the tail around them: a 200-branch pack's 77 MB of sections crossing processes as text were encoded
    and decoded by pickle, joined into one string by the template and encoded again by the write, all in
    this process after the last section was done."""
    later = report.later.items if report.later is not None else []
    work = [(False, i) for i in range(len(report.sections))] + [(True, k) for k in range(len(later))]
    parts = [part for done in map_shared(_rendered, (report, options), work, options.jobs) for part in done]
    sections = [meta for meta, _ in parts]
    template = environment().get_template("report.html.j2")
    document = template.render(
        lang=options.label_lang, title=report.title(options.label_lang), subtitle=report.subtitle,
        notes=report.notes, sections=sections, toc=_toc(sections), version=__version__,
        rendered=[Markup(_SECTIONS)] if parts else [],
    )
    if not parts:
        return [document.encode("utf-8")]
    # the last place it stands: only the version follows it, while the head holds the ledgers' words (the
    # notes, the branch names of the table of contents); the template writes each section and a line end
    head, _, tail = document.rpartition(_SECTIONS + "\n")
    pieces = [head.encode("utf-8")]
    for _, html in parts:
        pieces += [html, b"\n"]
    return pieces + [tail.encode("utf-8")]


def _rendered(shared: tuple[Report, WriteOptions], work: tuple[bool, int]) -> list[tuple[dict[str, object], bytes]]:
    """Section ``i`` of the report, or the later sections of its item ``i`` (built here), rendered."""
    report, options = shared
    later, i = work
    if not later:
        section = report.sections[i]
        starts = bool(section.group) and (i == 0 or report.sections[i - 1].group != section.group)
        return [_section(section, section.anchor or f"s{i + 1}", starts, options)]
    sections = report.later.sections(report.later.items[i])
    return [_section(section, section.anchor or f"p{i + 1}-{j + 1}",
                     bool(section.group) and (j == 0 or sections[j - 1].group != section.group), options)
            for j, section in enumerate(sections)]


def _section(section: Section, anchor: str, starts: bool, options: WriteOptions) -> tuple[dict[str, object], bytes]:
    """One section: what the table of contents needs, and its HTML in UTF-8 (``starts``: it opens its group)."""
    view = {
        "title": section.title(options.label_lang), "text": section.text(options.label_lang),
        "anchor": anchor, "charts": section.charts,
        "tables": [table_view(t, options) for t in section.tables], "page_break": section.page_break,
        "group": section.group, "group_start": starts,
    }
    html = environment().get_template("section.html.j2").render(s=view, lang=options.label_lang)
    meta = {k: view[k] for k in ("title", "anchor", "group", "group_start")}
    return meta, html.encode("utf-8")


def _toc(sections: list[dict[str, object]]) -> list[dict[str, object]]:
    """Table-of-contents entries: a section, or a group (a branch) holding its sections."""
    out: list[dict[str, object]] = []
    for s in sections:
        entry = {"title": s["title"], "anchor": s["anchor"], "items": []}
        if not s["group"]:
            out.append(entry)
        elif s["group_start"]:
            out.append({"title": s["group"], "anchor": s["anchor"], "items": [entry]})
        else:
            out[-1]["items"].append(entry)
    return out


def write_html(report: Report, path: Path, options: WriteOptions) -> None:
    """Write the report as a self-contained HTML file, its line ends the platform's (as a file written
    as text)."""
    pieces = html_document(report, options)
    if os.linesep != "\n":
        pieces = [piece.replace(b"\n", os.linesep.encode("ascii")) for piece in pieces]
    with open(path, "wb") as fh:
        fh.writelines(pieces)
