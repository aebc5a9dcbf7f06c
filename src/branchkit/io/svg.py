"""SVG building blocks for the report charts: escaped tags, numbers, text width, ticks.

Everything that reaches the output goes through ``tag``, which escapes every
plain string (attribute or text), so data can never become markup. Markup is
only ever made here, from fixed tag and attribute names.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from markupsafe import Markup

from branchkit.io.excel import NOT_XML_CHARS

#: System fonts only, so nothing is fetched; the CJK faces cover Chinese on
#: macOS/iOS, Windows, Android and Linux before the generic fallback. Names are
#: unquoted (valid CSS identifiers) so the attribute needs no escaped quotes.
FONT_STACK = (
    "PingFang SC,Hiragino Sans GB,Microsoft YaHei,"
    "Noto Sans CJK SC,Source Han Sans SC,sans-serif"
)
FONT_SIZE = 12
INK = "#333333"
MUTED = "#666666"
GRID = "#DDDDDD"
EMPTY = "#F2F2F2"
PAD = 8  # margin around the plot
TOP = 30  # the plot starts below the visible title

# XML 1.0 forbids these code points; a ledger cell can hold them (pasted
# control characters, broken surrogates) and one would break a strict parser.
_NOT_XML = re.compile(f"[{NOT_XML_CHARS}\ud800-\udfff]")     # lone surrogates cannot be encoded either
# Tabs and line breaks render as spaces in SVG text anyway; XML parsers would
# also turn a lone CR into LF, so writing spaces keeps what is shown stable.
_BREAKS = re.compile("[\t\r\n]")
_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})|[A-Za-z]{3,20}")


def esc(value: object) -> Markup:
    """Escape ``value`` as XML text on one line; markup made by ``tag`` passes unchanged."""
    if isinstance(value, Markup):
        return value
    return Markup(_escaped(value))


def _escaped(value: object) -> str:
    """``esc`` as a plain string: what ``tag`` joins, made Markup once per element rather than once per
    attribute and child (a network's charts have millions of them, and each Markup costs a Python call).
    The characters replaced are markupsafe's, by the same entities."""
    if type(value) is str:                  # the common case first: a plain string (Markup is a str subclass)
        return _escaped_text(value)
    if isinstance(value, Markup):
        return value
    return _escaped_text(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _escaped_text(text: str) -> str:
    """``_escaped`` of a plain string (never Markup: equal to its text, it would share its entry), cached:
    a network's charts escape ~1.5 million strings, mostly the same colours, anchors and class names."""
    if not (text.isascii() and text.isprintable()):     # a control character to drop or a break to flatten
        text = _BREAKS.sub(" ", _NOT_XML.sub("", text))
    return escape_text(text)


def escape_text(text: str) -> str:
    """markupsafe's ``escape`` of a string, as a plain string: its five characters by its entities, the
    ampersand first (the html tables and the charts escape millions of cells)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;") \
        .replace('"', "&#34;")


@functools.lru_cache(maxsize=1 << 16)
def num(x: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0`` or a ``-0``.

    Cached: a network's charts write a million coordinates, most of them repeated (equal numbers,
    int or float, format alike)."""
    text = f"{x:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def markup(text: str) -> Markup:
    """``Markup(text)`` of a plain string (one made here, never one with ``__html__``): the same string,
    without markupsafe's ``__new__`` in Python (1.0 -> 0.07 us a call measured with timeit; a 200-branch
    pack's charts make ~460,000)."""
    return _new_str(Markup, text)


_new_str = str.__new__


def tag(name: str, *children: object, **attrs: object) -> Markup:
    """One element; ``class_`` gives ``class``, other underscores become hyphens.

    Numbers are written by ``num``, strings escaped, ``None`` attributes left out,
    and plain-string children escaped as text.
    """
    parts = [f"<{name}"]
    for key, value in attrs.items():
        kind = type(value)                  # plain strings and numbers, nearly all, told by their type
        if kind is str:
            text = _escaped_text(value)
        elif kind is float or kind is int:
            text = num(value)
        elif value is None:
            continue
        else:
            text = num(value) if isinstance(value, (int, float)) else _escaped(value)
        parts.append(f' {_attribute(key)}="{text}"')
    if not children:
        return markup("".join(parts) + "/>")
    inner = "".join(map(_escaped, children))
    return markup(f"{''.join(parts)}>{inner}</{name}>")


def titled_rect(tip: str, class_: str, x: float, y: float, width: float, height: float, fill: str) -> Markup:
    """``tag("rect", tag("title", tip), class_=.., x=.., y=.., width=.., height=.., fill=..)`` as one
    string template (a network's bars and stacked segments are ~55,000 of them): ``tip``, ``class_`` and
    ``fill`` escaped, the numbers written by ``num``."""
    return markup(f'<rect class="{_escaped(class_)}" x="{num(x)}" y="{num(y)}" width="{num(width)}" '
                  f'height="{num(height)}" fill="{_escaped(fill)}"><title>{_escaped(tip)}</title></rect>')


def cell_row(tips: Sequence[str], xs: Sequence[float], y: float, width: float, height: float,
             fills: Sequence[str], states: Sequence[str | None]) -> Markup:
    """A row of ``<rect class="cell">`` each with its ``<title>`` tooltip: the same bytes as one
    ``tag("rect", tag("title", tip), class_="cell", x=.., y=.., width=.., height=.., fill=.., data_state=..)``
    per cell, formatted as plain strings (a network's Gantt strips hold hundreds of thousands of cells).
    Every string is escaped, as by ``tag``."""
    head = f'" y="{num(y)}" width="{num(width)}" height="{num(height)}" fill="'
    parts = []
    for tip, x, fill, state in zip(tips, xs, fills, states, strict=True):
        data = "" if state is None else f' data-state="{_escaped(state)}"'
        parts.append(f'<rect class="cell" x="{num(x)}{head}{_escaped(fill)}"{data}>'
                     f'<title>{_escaped(tip)}</title></rect>')
    return markup("".join(parts))


def joined_tips(head: str, tails: Sequence[str]) -> list[Markup]:
    """``esc(head + tail)`` for each of ``tails``, the parts escaped apart: escaping goes character by
    character, so the escaped parts joined are the escaped whole, and the parts repeat (a heat strip's
    row name on each of its cells, the same day and state words on every row) where the ~190,000 whole
    tips of a network's strips are each new."""
    first = _escaped(head)
    return [markup(first + _escaped(tail)) for tail in tails]


@functools.lru_cache(maxsize=256)
def _attribute(key: str) -> str:
    """The attribute name of a keyword (``class_`` -> class, ``text_anchor`` -> text-anchor), once per key."""
    return key.rstrip("_").replace("_", "-")


def colour(value: str) -> str:
    """``value`` if it is a hex or named colour; anything else (``url(...)``) is refused."""
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise ValueError(f"not a colour: {value!r} (use '#RRGGBB' or a colour name)")
    return value


def ink_on(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (named colours: black)."""
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", fill):
        return "#000000"
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "#FFFFFF"


@functools.lru_cache(maxsize=1 << 14)
def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width: CJK and full-width characters 1 em, the rest 0.6 em (cached: the same labels,
    day numbers and names are measured over and over, a character lookup each)."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.6 for c in text)


def fit_text(text: str, max_width: float, size: float = FONT_SIZE) -> str:
    """``text`` cut with an ellipsis so that its estimated width fits ``max_width``."""
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text + "…"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Ticks at 1, 2 or 5 × 10^k covering ``[lo, hi]`` in about ``count`` steps.

    >>> nice_ticks(0, 87)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"ticks need finite bounds, got {lo!r}..{hi!r}")
    lo, hi = min(lo, hi), max(lo, hi)
    if hi - lo < flat_span(lo, hi):  # one value (or noise around it): give it a visible range
        hi = lo + max(abs(lo), 1.0)
    step = nice_step((hi - lo) / max(count, 1))
    # The small slack keeps 100.00000001 from adding a whole extra step.
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    digits = max(0, -math.floor(math.log10(step)))
    return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]


#: A range narrower than this share of its bounds' size is one value on a chart: its ticks would differ
#: by a few float steps (-1e9..-999999999.9999999 gave one tick; ..-999999999.992 a step of 0.00200009).
FLAT_SHARE = 1e-8


def flat_span(lo: float, hi: float) -> float:
    """The span under which ``[lo, hi]`` is drawn as one value: 1e-9, or ``FLAT_SHARE`` of its size."""
    return max(1e-9, FLAT_SHARE * max(abs(lo), abs(hi)))


def nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 × 10^k not below ``raw`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


def tick_label(value: float, ticks: Sequence[float]) -> str:
    """A tick printed with as many decimals as the tick step needs."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    digits = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:,.{digits}f}"


def heading(title: str, width: float) -> Markup:
    """The visible title, cut to the chart width (the full one is in ``<title>``)."""
    text = fit_text(title, width - 16, 14)
    return tag("text", text, class_="title", x=8, y=20, font_size=14, font_weight="bold")


def legend(items: Iterable[tuple[str, str]], x: float, y: float, width: float) -> tuple[Markup, float]:
    """Colour swatches with names, wrapped to ``width``; returns markup and height."""
    parts: list[Markup] = []
    cx, cy = x, y
    for name, fill in items:
        name = fit_text(name, width - 14)
        step = 14 + text_width(name) + 14
        if cx > x and cx + step > x + width:
            cx, cy = x, cy + 18
        parts.append(tag("rect", class_="swatch", x=cx, y=cy + 3, width=10, height=10, fill=fill))
        parts.append(tag("text", name, x=cx + 14, y=cy + 12))
        cx += step
    return tag("g", *parts, class_="legend"), cy - y + 18


def frame(width: float, height: float, title: str, body: Iterable[Markup], kind: str = "") -> Markup:
    """The ``<svg>`` root: scales to its container (phone), accessible name and title; ``kind`` adds a
    class (``bk-heat``: a page may keep it from shrinking below a readable size)."""
    return tag(
        "svg",
        tag("title", title),
        *body,
        class_=f"bk-chart {kind}".strip(),
        viewBox=f"0 0 {num(width)} {num(height)}",
        width="100%",
        style=f"max-width:{num(width)}px;height:auto",
        role="img",
        aria_label=title,
        font_family=FONT_STACK,
        font_size=FONT_SIZE,
        fill=INK,
    )


def message(title: str, width: float, text: str) -> Markup:
    """A small chart holding only its title and ``text`` (e.g. "no data")."""
    note = tag("text", text, class_="empty", x=width / 2, y=56, text_anchor="middle", fill=MUTED)
    body = [heading(title, width), note]
    return frame(width, 76, title, body)


def finish(body: list[Markup], title: str, width: float, y: float, note: str | None) -> Markup:
    """Close a chart whose content ends at ``y``, with ``note`` (e.g. values not drawn) below."""
    if note:
        body.append(tag("text", note, class_="note", x=PAD, y=y + 14, fill=MUTED))
        y += 18
    return frame(width, y + 6, title, body)


def label(text: str, max_width: float, **attrs: object) -> Markup:
    """A label cut to ``max_width``; a cut label keeps the full text as its tooltip."""
    shown = fit_text(text, max_width, float(attrs.get("font_size", FONT_SIZE)))  # type: ignore[arg-type]
    tip = [tag("title", text)] if shown != text else []
    return tag("text", shown, *tip, class_="label", **attrs)


def dashed(x1: float, y1: float, x2: float, y2: float) -> Markup:
    """A reference line (average, target)."""
    return tag("line", class_="reference", x1=x1, y1=y1, x2=x2, y2=y2,
               stroke="#000000", stroke_dasharray="4 3")


def gutter(labels: Sequence[str], width: float) -> float:
    """Room for row labels: the widest one, but never more than a third of the chart."""
    return PAD + min(max(text_width(s) for s in labels), width / 3) + 12


def path_data(points: Sequence[tuple[float, float] | None], half: float = 0.0) -> str:
    """Path ``d`` through ``points``; None lifts the pen, ``half`` > 0 draws steps that wide."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        x, y = point
        move = "L" if pen_down else "M"
        if half:
            parts.append(f"{move}{num(x - half)} {num(y)}H{num(x + half)}")
        else:
            parts.append(f"{move}{num(x)} {num(y)}")
        pen_down = True
    return "".join(parts)


@dataclass(frozen=True)
class Scale:
    """Linear map from data ``lo..hi`` to pixels ``start..end`` (either direction)."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)
