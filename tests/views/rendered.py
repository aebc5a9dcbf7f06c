"""Read back what an html page or a workbook says: its sections, tables, sentences and cells (tests only).

The html is parsed into a small tree (the standard library's parser: no new dependency); a section
is what ``templates/section.html.j2`` draws: an ``h2``, its text, its charts, and per table an
``h3`` title, a note, the rows or the empty state (``p.empty``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from python_calamine import CalamineWorkbook

_VOID = {"meta", "br", "hr", "img", "input", "link", "col", "source", "wbr", "area", "base", "param"}


@dataclass
class Node:
    """An element: its tag, attributes, children (nodes and text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        """All text inside, joined."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str, cls: str | None = None) -> list["Node"]:
        """Every descendant of that tag (and class)."""
        out = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and (cls is None or cls in child.attrs.get("class", "").split()):
                    out.append(child)
                out += child.all(tag, cls)
        return out

    def kids(self) -> list["Node"]:
        return [c for c in self.children if isinstance(c, Node)]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(path: Path) -> Node:
    """The document tree of an html file."""
    builder = _Builder()
    builder.feed(path.read_text(encoding="utf-8"))
    return builder.root


@dataclass
class HtmlTable:
    """A table block of a section: its title, note, headers and cell texts, or the empty state."""

    title: str
    note: str
    headers: list[str]
    rows: list[list[str]]
    empty: str | None          # the sentence said in place of the table (None when it has rows)

    def column(self, header: str) -> list[str]:
        j = self.headers.index(header)
        return [r[j] for r in self.rows]


@dataclass
class HtmlSection:
    """One ``<section>``: its heading, its text, its charts and its tables."""

    title: str
    group: str
    text: str
    charts: list[Node]
    tables: list[HtmlTable]


def sections(doc: Node) -> list[HtmlSection]:
    """Every section of a report, in order."""
    out = []
    for node in doc.all("section"):
        h2 = node.all("h2")[0]
        group = " ".join(s.text() for s in h2.all("span")).replace("·", "").strip()
        title = h2.text().split("·")[-1].strip()
        text = " ".join(p.text().strip() for p in node.kids() if p.tag == "p" and not p.attrs.get("class"))
        charts = [c for div in node.all("div", "chart") for c in div.all("svg")]
        out.append(HtmlSection(title, group, text, charts, _tables(node, title)))
    return out


def _tables(section: Node, heading: str) -> list[HtmlTable]:
    """The table blocks in document order: an optional h3 and note, then a div.scroll or a p.empty (a
    section's only table, titled as the section, has no h3: it takes the section's title)."""
    out, title, note, continued = [], heading, "", False
    for child in section.kids():
        if child.tag == "h3":
            title, note = child.text().strip(), ""
        elif child.tag == "p" and "cont" in child.attrs.get("class", "").split():
            continued = True            # a table too wide for the page, split: this part continues the last
        elif child.tag == "p" and "muted" in child.attrs.get("class", "").split() and \
                "empty" not in child.attrs.get("class", ""):
            note = child.text().strip()
        elif child.tag == "div" and "scroll" in child.attrs.get("class", ""):
            table = child.all("table")[0]
            headers = [th.text().strip() for th in table.all("th")]
            rows = [[td.text().strip() for td in tr.all("td")] for tr in table.all("tbody")[0].all("tr")]
            if continued and out:
                _join(out[-1], headers, rows)
            else:
                out.append(HtmlTable(title, note, headers, rows, None))
            title, note, continued = "", "", False
        elif child.tag == "p" and "empty" in child.attrs.get("class", "").split():
            out.append(HtmlTable(title, note, [], [], child.text().strip()))
            title, note = "", ""
    return out


def _join(table: HtmlTable, headers: list[str], rows: list[list[str]]) -> None:
    """Add a continuation part's columns (it repeats the columns naming the row) to the table."""
    new = [j for j, h in enumerate(headers) if h not in table.headers]
    table.headers += [headers[j] for j in new]
    for row, more in zip(table.rows, rows):
        row += [more[j] for j in new]


@dataclass
class Said:
    """A text people read in an output, where it is, and the column header above it (None for prose)."""

    text: str
    where: str
    header: str | None = None


def html_said(path: Path) -> list[Said]:
    """Every text of an html page: table cells with their header, everything else as prose."""
    out: list[Said] = []

    def walk(node: Node, where: str, headers: list[str] | None) -> None:
        if node.tag in ("style", "script"):
            return
        if node.tag == "section":
            where = f"{path.name} #{node.attrs.get('id', '')}"
        if node.tag == "table":
            heads = [th.text().strip() for th in node.all("th")]
            out.extend(Said(h, where, None) for h in heads)
            for tr in node.all("tr"):
                for j, td in enumerate(tr.all("td")):
                    out.append(Said(td.text().strip(), where, heads[j] if j < len(heads) else None))
            return
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    out.append(Said(child.strip(), where, None))
            else:
                walk(child, where, headers)

    walk(parse_html(path), path.name, None)
    return out


def xlsx_rows(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's rows of values, as a reader sees them."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def xlsx_said(path: Path, header_words: set[str]) -> list[Said]:
    """Every text cell of a workbook, with the header above it: a row holding any of ``header_words``
    is a header row for the rows under it, up to the next blank row."""
    out: list[Said] = []
    for sheet, rows in xlsx_rows(path).items():
        out.append(Said(sheet, f"{path.name} sheet name", None))
        heads: list[str] | None = None
        for i, row in enumerate(rows):
            texts = ["" if v is None else str(v) for v in row]
            if not any(t.strip() for t in texts):
                heads = None
                continue
            if header_words & set(texts):
                heads = texts
                out.extend(Said(t, f"{path.name} [{sheet}] row {i + 1}", None) for t in texts if t)
                continue
            for j, value in enumerate(row):
                if isinstance(value, str) and value:
                    header = heads[j] if heads is not None and j < len(heads) else None
                    out.append(Said(value, f"{path.name} [{sheet}] row {i + 1}", header))
    return out
