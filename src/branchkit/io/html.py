"""Self-contained HTML: one file, inline CSS and SVG, nothing fetched, readable on a phone, printable."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup
import pandas as pd

from branchkit import __version__
from branchkit.parallel import map_shared
from branchkit.io.display import NUMERIC_FORMATS, bool_word, machine_frame
from branchkit.io.htmlfit import fit_column, split_columns
from branchkit.io.options import WriteOptions
from branchkit.io.tables import Report, Table
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


def cell_text(value: object, fmt: str, lang: str) -> str:
    """A value as people read it in a table cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if fmt == "money":
        return f"{float(value):,.2f}"
    if fmt == "score":
        return f"{float(value):.2f}"
    if fmt == "ratio":
        return f"{float(value) * 100:.1f}%"
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "number":
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    if fmt == "bool":
        return bool_word(value, lang)
    return str(value)


def table_view(table: Table, options: WriteOptions, limit: int = MAX_HTML_ROWS) -> dict[str, object]:
    """What the template needs to draw a table: headers, cell texts, alignment, a cut note, and the
    parts it is split into when too wide for A4 (``io.htmlfit``): each part repeats the columns
    naming the row."""
    shown = machine_frame(replace(table, frame=table.frame.head(limit)), mask=options.masked("html"),
                          lang=options.label_lang)
    formats = [table.format_of(c) for c in shown.columns]
    rows = [[cell_text(v, f, options.label_lang) for v, f in zip(row, formats)]
            for row in shown.itertuples(index=False, name=None)]
    cut = len(table.frame) - len(shown)
    headers = [table.label(c, options.label_lang) for c in shown.columns]
    names = [str(c) for c in shown.columns]
    fits = [fit_column(header, [row[j] for row in rows], fmt in NUMERIC_FORMATS, fmt not in _UNBROKEN)
            for j, (header, fmt) in enumerate(zip(headers, formats))]
    parts = [{"headers": [headers[j] for j in part], "classes": [fits[j].css for j in part],
              "rows": [[row[j] for j in part] for row in rows]} for part in split_columns(names, fits)]
    return {
        "title": table.title(options.label_lang), "note": table.note(options.label_lang),
        "empty": table.empty(options.label_lang), "headers": headers,
        "numeric": [f in NUMERIC_FORMATS for f in formats], "rows": rows, "total": len(table.frame), "cut": cut,
        "parts": parts,
    }


def render_html(report: Report, options: WriteOptions) -> str:
    """The report as one HTML document; ``options.jobs`` > 1 renders its sections in that many processes."""
    parts = map_shared(_section, (report, options), range(len(report.sections)), options.jobs)
    sections = [meta for meta, _ in parts]
    template = environment().get_template("report.html.j2")
    return template.render(
        lang=options.label_lang, title=report.title(options.label_lang), subtitle=report.subtitle,
        notes=report.notes, sections=sections, toc=_toc(sections), version=__version__,
        rendered=[Markup(html) for _, html in parts],
    )


def _section(shared: tuple[Report, WriteOptions], i: int) -> tuple[dict[str, object], str]:
    """Section ``i``: what the table of contents needs, and its HTML."""
    report, options = shared
    section = report.sections[i]
    starts = bool(section.group) and (i == 0 or report.sections[i - 1].group != section.group)
    view = {
        "title": section.title(options.label_lang), "text": section.text(options.label_lang),
        "anchor": section.anchor or f"s{i + 1}", "charts": section.charts,
        "tables": [table_view(t, options) for t in section.tables], "page_break": section.page_break,
        "group": section.group, "group_start": starts,
    }
    html = environment().get_template("section.html.j2").render(s=view, lang=options.label_lang)
    meta = {k: view[k] for k in ("title", "anchor", "group", "group_start")}
    return meta, html


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
    """Write the report as a self-contained HTML file."""
    path.write_text(render_html(report, options), encoding="utf-8")
