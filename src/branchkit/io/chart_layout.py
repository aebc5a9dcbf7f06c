"""Layouts behind the public charts in ``charts``: where bars, segments and lines go.

Inputs arrive checked and formatted by ``charts``; these only place things.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from markupsafe import Markup

from branchkit.io.svg import (
    GRID,
    MUTED,
    PAD,
    TOP,
    Scale,
    dashed,
    finish,
    gutter,
    heading,
    ink_on,
    label,
    path_data,
    tag,
    text_width,
    tick_label,
    titled_rect,
)

Format = Callable[[float], str]
ROW = 24  # pitch of a horizontal bar row
PLOT_H = 180  # height of a vertical plot


@dataclass(frozen=True)
class Bars:
    """What ``bar_chart`` draws, checked and formatted once for both orientations."""

    labels: list[str]
    values: list[float | None]
    texts: list[str]
    fills: list[str]
    classes: list[str]
    reference: float | None
    reference_text: str
    title: str
    width: int
    note: str | None

    def scale(self, start: float, end: float) -> Scale:
        """Zero and the reference always in view; all-zero data gets a 0..1 axis."""
        found = [v for v in [*self.values, self.reference] if v is not None]
        lo, hi = min([0.0, *found]), max([0.0, *found])
        return Scale(lo, hi, start, end) if hi > lo else Scale(0.0, 1.0, start, end)

    def bar(self, i: int, x: float, y: float, w: float, h: float) -> Markup:
        """Bar ``i`` with its tooltip."""
        return titled_rect(f"{self.labels[i]}: {self.texts[i]}", self.classes[i], x, y, w, h, self.fills[i])


def hbars(b: Bars) -> Markup:
    """Horizontal layout: labels in a gutter sized to the names, values after the bars."""
    left = gutter(b.labels, b.width)
    value_w = max(text_width(t) for t in b.texts) + 6
    x = b.scale(left, b.width - PAD - value_w)
    start = left + value_w if x.lo < 0 else left  # room for values left of negative bars
    # Long values on a narrow chart still leave the bars some room (text may run over).
    x = Scale(x.lo, x.hi, start, max(x.end, start + 60))
    body, zero = [heading(b.title, b.width)], x(0.0)
    for i, value in enumerate(b.values):
        y = TOP + ROW * i
        body.append(label(b.labels[i], left - PAD - 6, x=left - 6, y=y + 16, text_anchor="end"))
        body.extend(_hbar(b, i, x, y) if value is not None else
                    [tag("text", b.texts[i], class_="value", x=zero + 4, y=y + 16, fill=MUTED)])
    bottom = TOP + ROW * len(b.labels) + 2
    body.append(tag("line", class_="axis", x1=zero, x2=zero, y1=TOP, y2=bottom, stroke=MUTED))
    if b.reference is not None:
        rx = x(b.reference)
        on_left = rx < b.width / 2
        body.append(dashed(rx, TOP, rx, bottom))
        body.append(tag("text", b.reference_text, class_="reference", x=rx + (3 if on_left else -3),
                        y=bottom + 14, text_anchor="start" if on_left else "end", fill=MUTED))
        bottom += 18
    return finish(body, b.title, b.width, bottom, b.note)


def _hbar(b: Bars, i: int, x: Scale, y: float) -> list[Markup]:
    """One horizontal bar from zero and its value beyond its end."""
    value, zero = b.values[i], x(0.0)
    assert value is not None
    end, anchor = (x(value) + 4, "start") if value >= 0 else (x(value) - 4, "end")
    return [b.bar(i, min(zero, x(value)), y + 4, abs(x(value) - zero), 16),
            tag("text", b.texts[i], class_="value", x=end, y=y + 16, text_anchor=anchor)]


def vbars(b: Bars) -> Markup:
    """Vertical layout: values above the bars (below when negative), labels under the plot."""
    top = TOP + 18
    slot = (b.width - 2 * PAD) / len(b.labels)
    y = b.scale(top + PLOT_H, top)
    bar_w, zero = min(slot * 0.7, 48.0), y(0.0)
    label_y = top + PLOT_H + (30 if y.lo < 0 else 16)  # under the values of negative bars
    body = [heading(b.title, b.width)]
    for i, value in enumerate(b.values):
        cx = PAD + slot * (i + 0.5)
        body.append(label(b.labels[i], slot - 4, x=cx, y=label_y, text_anchor="middle"))
        if value is not None:
            body.append(b.bar(i, cx - bar_w / 2, min(zero, y(value)), bar_w, abs(y(value) - zero)))
        end = zero if value is None else y(value)
        ty = end + 13 if value is not None and value < 0 else end - 4
        body.append(tag("text", b.texts[i], class_="value", x=cx, y=ty, text_anchor="middle",
                        fill=MUTED if value is None else None))
    body.append(tag("line", class_="axis", x1=PAD, x2=b.width - PAD, y1=zero, y2=zero, stroke=MUTED))
    if b.reference is not None:
        ry = y(b.reference)
        body.append(dashed(PAD, ry, b.width - PAD, ry))
        # A white halo keeps the label readable where it crosses a bar.
        body.append(tag("text", b.reference_text, class_="reference", x=b.width - PAD, y=ry - 4,
                        text_anchor="end", fill=MUTED, stroke="#FFFFFF", stroke_width=3,
                        paint_order="stroke"))
    return finish(body, b.title, b.width, label_y + 6, b.note)


@dataclass(frozen=True)
class Segment:
    """One series' part of a stacked bar."""

    category: str
    series: str
    value: float | None
    total: float
    fill: str

    def draw(self, x: float, y: float, w: float, fmt: Format) -> list[Markup]:
        """The segment, ``w`` long, and its value when it fits inside; nothing for zero or missing. The
        only segment of its bar shows no value inside: the bar's total, printed after it, is the same."""
        if not self.value:
            return []
        text = fmt(self.value)
        tip = f"{self.category} · {self.series}: {text} ({self.value / self.total:.1%})"
        parts = [titled_rect(tip, "bar", x, y + 4, w, 18, self.fill)]
        if self.value != self.total and text_width(text, 11) + 6 <= w:
            parts.append(tag("text", text, class_="value", x=x + w / 2, y=y + 17, font_size=11,
                             text_anchor="middle", fill=ink_on(self.fill)))
        return parts


@dataclass(frozen=True)
class Plot:
    """The line chart's plot area: one slot per x label, y scaled to the ticks."""

    left: float
    right: float
    top: float
    bottom: float
    n: int
    ticks: list[float]

    @property
    def slot(self) -> float:
        return (self.right - self.left) / self.n

    def x(self, i: int) -> float:
        return self.left + self.slot * (i + 0.5)

    def y(self, value: float) -> float:
        return Scale(self.ticks[0], self.ticks[-1], self.bottom, self.top)(value)

    def y_axis(self) -> list[Markup]:
        """Grid lines and labels at the ticks; the zero line darker."""
        parts = []
        for t in self.ticks:
            stroke, y = (MUTED if t == 0 else GRID), self.y(t)
            parts.append(tag("line", class_="grid", x1=self.left, x2=self.right, y1=y, y2=y, stroke=stroke))
            parts.append(tag("text", tick_label(t, self.ticks), class_="tick", x=self.left - 6,
                             y=y + 4, text_anchor="end", fill=MUTED))
        return parts

    def x_labels(self, xs: list[str]) -> list[Markup]:
        """Every k-th label, k chosen so that the labels do not overlap."""
        every = max(1, math.ceil((max(text_width(s) for s in xs) + 6) / self.slot))
        return [label(s, self.slot * every - 4, x=self.x(i), y=self.bottom + 16, text_anchor="middle")
                for i, s in enumerate(xs) if i % every == 0]

    def bars(self, name: str, xs: list[str], values: list[float | None], fill: str,
             fmt: Format, **_: bool) -> list[Markup]:
        """A series as pale bars behind the lines."""
        w, zero, parts = self.slot * 0.6, self.y(0.0), []
        for i, v in enumerate(values):
            if v is not None:
                tip = tag("title", f"{name} · {xs[i]}: {fmt(v)}")
                parts.append(tag("rect", tip, class_="bar", x=self.x(i) - w / 2, y=min(zero, self.y(v)),
                                 width=w, height=abs(self.y(v) - zero), fill=fill, fill_opacity=0.45))
        return parts

    def line(self, name: str, xs: list[str], values: list[float | None], fill: str,
             fmt: Format, *, step: bool, markers: bool) -> list[Markup]:
        """A series as a line (or steps), broken at missing values, with markers."""
        points = [None if v is None else (self.x(i), self.y(v)) for i, v in enumerate(values)]
        d = path_data(points, self.slot / 2 if step else 0.0)
        parts = [tag("path", class_="line", d=d, fill="none", stroke=fill, stroke_width=2)] if d else []
        for i, v in enumerate(values):
            if markers and v is not None:
                tip = tag("title", f"{name} · {xs[i]}: {fmt(v)}")
                parts.append(tag("circle", tip, class_="marker", cx=self.x(i), cy=self.y(v), r=3, fill=fill))
        return parts


def column_labels(cols: Sequence[str], left: float, cell_w: float, y: float) -> list[Markup]:
    """Column heads over the heat-strip cells, thinned out so that they do not overlap."""
    every = max(1, math.ceil((max(text_width(c, 10) for c in cols) + 2) / cell_w))
    return [label(c, cell_w * every, x=left + cell_w * (j + 0.5), y=y, text_anchor="middle", font_size=10)
            for j, c in enumerate(cols) if j % every == 0]
