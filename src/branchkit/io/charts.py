"""Inline SVG charts for the HTML reports: bars, stacked bars, lines and heat strips.

Each function returns one ``<svg>`` as ``markupsafe.Markup``, ready for a jinja2
template (autoescape leaves Markup alone). The SVG scales to its container,
has an accessible name, escapes every text that comes from data, refers to
nothing outside itself (system fonts, no links), and is the same string for
the same input. Missing values (None, NaN, pd.NA, inf) are skipped and noted.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Mapping, Sequence

from markupsafe import Markup

from branchkit.io.chart_layout import Bars, Plot, Segment, column_labels, hbars, vbars
from branchkit.io.svg import (
    EMPTY,
    PAD,
    TOP,
    cell_row,
    colour,
    finish,
    frame,
    gutter,
    heading,
    joined_tips,
    label,
    legend,
    message,
    nice_ticks,
    tag,
    text_width,
    tick_label,
)

#: Okabe–Ito colours, told apart with the common colour-vision deficiencies;
#: series take them in this order.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
)

#: Fills for the Gantt states (plan vs visits), as ``#RRGGBB``; the xlsx Gantt
#: sheet uses the same so the workbook and the report read alike.
GANTT_COLORS: dict[str, str] = {
    "planned": "#56B4E9",
    "done": "#009E73",
    "slip_kept": "#F0E442",
    "slipped": "#E69F00",
    "missed": "#D55E00",
    "unplanned": "#CC79A7",
}

#: Fill of an empty day that is not a working day (weekend, holiday) on a Gantt, here and in the xlsx.
REST_DAY = "#D9D9D9"

#: A ``format()`` spec such as ``",.0f"`` or ``".1%"``, or a function of the value.
ValueFormat = str | Callable[[float], str]

_WORDS = {
    "zh": {"no_data": "无数据", "missing": "{n} 项无数据，未绘出"},
    "en": {"no_data": "No data", "missing": "{n} missing value(s) not drawn"},
}
_MISSING = "—"
_MIN_WIDTH = 320


def bar_chart(
    labels: Sequence[object],
    values: Sequence[object],
    *,
    title: str,
    value_format: ValueFormat = ",.0f",
    horizontal: bool = True,
    highlight: str | Iterable[str] | None = None,
    reference_line: float | None = None,
    reference_label: str | None = None,
    width: int = 640,
    lang: str = "zh",
) -> Markup:
    """One bar per value, labelled and printed (load per keeper, score ranking).

    Horizontal by default, since Chinese names are long. Bars whose label is in
    ``highlight`` take the second palette colour; ``reference_line`` draws a
    dashed line at that value (an average, a target). Negative values grow
    from an axis at zero; missing values keep their row with a dash.
    """
    words = _start(lang, width)
    names = [str(label) for label in labels]
    numbers = [_number(v) for v in values]
    if len(names) != len(numbers):
        raise ValueError(f"{len(names)} labels but {len(numbers)} values")
    if not names:
        return message(title, width, words["no_data"])
    fmt = _formatter(value_format)
    reference = None if reference_line is None else _number(reference_line)
    ref_text = "" if reference is None else " ".join(filter(None, [reference_label, fmt(reference)]))
    texts = [_MISSING if v is None else fmt(v) for v in numbers]
    marked = _marked(names, highlight)
    fills = [PALETTE[1] if m else PALETTE[0] for m in marked]
    classes = ["bar highlight" if m else "bar" for m in marked]
    note = _note(words, numbers)
    bars = Bars(names, numbers, texts, fills, classes, reference, ref_text, title, width, note)
    return hbars(bars) if horizontal else vbars(bars)


def stacked_bar_chart(
    categories: Sequence[object],
    series: Mapping[str, Sequence[object]],
    *,
    title: str,
    value_format: ValueFormat = ",.0f",
    colors: Mapping[str, str] | None = None,
    normalize: bool = False,
    width: int = 640,
    lang: str = "zh",
) -> Markup:
    """Horizontal stacked bars, one per category, one segment per series, with a legend.

    For tier distribution per customer kind, or adherence done/slipped/missed
    per manager (``colors=`` maps series names to fills, e.g. from
    ``GANTT_COLORS``). ``normalize=True`` stretches every bar to full width
    (shares); the printed total stays the real one. Values must be >= 0.
    """
    words = _start(lang, width)
    cats = [str(c) for c in categories]
    names, table = _series_table(series, len(cats))
    if not cats or not names:
        return message(title, width, words["no_data"])
    _refuse_negative(cats, names, table)
    fmt, fills = _formatter(value_format), _fills(names, colors)
    keys, top_h = legend(zip(names, fills), PAD, TOP, width - 2 * PAD)
    totals = [sum(row[i] or 0.0 for row in table) for i in range(len(cats))]
    left = gutter(cats, width)
    plot_w = width - left - PAD - max(text_width(fmt(t)) for t in totals) - 6
    body, top = [heading(title, width), keys], TOP + top_h + 6
    for i, cat in enumerate(cats):
        y = top + 26 * i
        body.append(label(cat, left - PAD - 6, x=left - 6, y=y + 14, text_anchor="end"))
        # Shares stretch each bar to the full width; counts share one scale. The
        # floor keeps all-zero (or vanishing) totals from dividing by zero or overflowing.
        full = max(totals[i] if normalize else max(totals), 1e-9)
        segments = [Segment(cat, name, row[i], totals[i], fill)
                    for name, row, fill in zip(names, table, fills)]
        body.extend(_stack(segments, left, y, plot_w / full, fmt))
    return finish(body, title, width, top + 26 * len(cats), _note(words, *table))


def _stack(segments: list[Segment], x: float, y: float, per_unit: float,
           fmt: Callable[[float], str]) -> list[Markup]:
    """One stacked bar, segment after segment, then its total."""
    parts = []
    for seg in segments:
        w = (seg.value or 0.0) * per_unit
        parts.extend(seg.draw(x, y, w, fmt))
        x += w
    total = segments[0].total
    return [*parts, tag("text", fmt(total), class_="value", x=x + 4, y=y + 14)]


def line_chart(
    x_labels: Sequence[object],
    series: Mapping[str, Sequence[object]],
    *,
    title: str,
    value_format: ValueFormat = ",.0f",
    step: bool = False,
    bar_series: str | None = None,
    markers: bool = True,
    colors: Mapping[str, str] | None = None,
    width: int = 640,
    lang: str = "zh",
) -> Markup:
    """Lines over categories (hours, days) with a legend and a y axis at nice ticks.

    ``step=True`` holds each value across its slot (staffing per hour).
    ``bar_series`` names one series drawn as bars behind the lines, e.g.
    ``line_chart(hours, {"需要": need, "在岗": on_duty}, bar_series="在岗")``.
    A missing value breaks its line.
    """
    words = _start(lang, width)
    xs = [str(x) for x in x_labels]
    names, table = _series_table(series, len(xs))
    if not xs or not names:
        return message(title, width, words["no_data"])
    if bar_series is not None and bar_series not in names:
        raise ValueError(f"bar_series {bar_series!r} is not one of the series {names}")
    fmt, fills = _formatter(value_format), _fills(names, colors)
    found = [v for row in table for v in row if v is not None]
    ticks = nice_ticks(min([0.0, *found]), max([0.0, *found]))
    keys, keys_h = legend(zip(names, fills), PAD, TOP, width - 2 * PAD)
    left = PAD + max(text_width(tick_label(t, ticks)) for t in ticks) + 6
    # A centred x label wider than its slot would stick out of the chart at the ends.
    overhang = max(0.0, max(text_width(x) for x in xs) / 2 - (width - PAD - left) / len(xs) / 2)
    left = max(left, PAD + overhang)
    plot = Plot(left, width - PAD - overhang, TOP + keys_h + 10, TOP + keys_h + 210, len(xs), ticks)
    body = [heading(title, width), keys, *plot.y_axis(), *plot.x_labels(xs)]
    # The bar series goes first so that the lines are drawn over it.
    order = sorted(range(len(names)), key=lambda j: names[j] != bar_series)
    for j in order:
        draw = plot.bars if names[j] == bar_series else plot.line
        body.extend(draw(names[j], xs, table[j], fills[j], fmt, step=step, markers=markers))
    return finish(body, title, width, plot.bottom + 22, _note(words, *table))


def heat_strip(
    rows: Sequence[object],
    columns: Sequence[object],
    cells: Sequence[Sequence[str | None]],
    *,
    palette: Mapping[str, str],
    legend_labels: Mapping[str, str] | None = None,
    title: str,
    width: int = 640,
    lang: str = "zh",
    shaded: Sequence[bool] | None = None,
    shaded_label: str | None = None,
) -> Markup:
    """A grid of cells coloured by state key: a Gantt (state per customer and day) or hourly load.

    ``cells[i][j]`` is the state of row ``i`` at column ``j``: a key of
    ``palette`` (e.g. ``GANTT_COLORS``), or None for an empty cell. The legend
    lists every palette key in order, named by ``legend_labels`` when given.
    ``shaded[j]`` marks a column whose empty cells are grey (a weekend or a
    holiday), named ``shaded_label`` at the end of the legend.
    """
    words = _start(lang, width)
    row_names, col_names = [str(r) for r in rows], [str(c) for c in columns]
    _check_grid(row_names, col_names, cells, palette)
    if not row_names or not col_names:
        return message(title, width, words["no_data"])
    names = {key: str((legend_labels or {}).get(key, key)) for key in palette}
    rest = list(shaded) if shaded is not None else [False] * len(col_names)
    if len(rest) != len(col_names):
        raise ValueError(f"{len(rest)} shaded flags for {len(col_names)} columns")
    left = gutter(row_names, width)
    cell_w = min(28.0, (width - left - PAD) / len(col_names))
    top = TOP + 18
    body = [heading(title, width), *column_labels(col_names, left, cell_w, top - 5)]
    xs = [left + cell_w * j for j in range(len(col_names))]
    for i, row in enumerate(row_names):
        y = top + 18 * i
        body.append(label(row, left - PAD - 6, x=left - 6, y=y + 12, text_anchor="end"))
        line = cells[i]
        tips = joined_tips(row, [f" · {col}" + ("" if state is None else f": {names[state]}")
                                 for col, state in zip(col_names, line)])
        fills = [(REST_DAY if shade else EMPTY) if state is None else palette[state] for shade, state in zip(rest, line)]
        body.append(cell_row(tips, xs, y, max(cell_w - 1, 0.5), 16, fills, list(line)))
    bottom = top + 18 * len(row_names) + 8
    items = [(names[k], palette[k]) for k in palette]
    if any(rest) and shaded_label:
        items.append((shaded_label, REST_DAY))
    keys, keys_h = legend(items, PAD, bottom, width - 2 * PAD)
    return frame(width, bottom + keys_h + 4, title, [*body, keys], kind="bk-heat")


def _number(value: object) -> float | None:
    """A finite float, or None for missing (None, NaN, pd.NA, inf)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except TypeError:  # None, pd.NA
        return None
    # Past 1e300 the span of an axis overflows to inf; no amount comes near that.
    return x if math.isfinite(x) and abs(x) < 1e300 else None


def _formatter(value_format: ValueFormat) -> Callable[[float], str]:
    """One function for both kinds of ``value_format``."""
    if callable(value_format):
        return lambda v: str(value_format(v))
    format(0.0, value_format)  # a bad spec fails here, before anything is drawn
    return lambda v: format(v, value_format)


def _note(words: dict[str, str], *rows: list[float | None]) -> str | None:
    """How many values were missing and so not drawn, or None."""
    missing = sum(v is None for row in rows for v in row)
    return words["missing"].format(n=missing) if missing else None


def _start(lang: str, width: int) -> dict[str, str]:
    """Check the options every chart takes; the few words it writes itself, in ``lang``."""
    if lang not in _WORDS:
        raise ValueError(f"lang must be one of {sorted(_WORDS)}, got {lang!r}")
    # Narrower than this the label gutter leaves no room for the plot; the SVG
    # scales down on a phone anyway, so a small width buys nothing.
    if width < _MIN_WIDTH:
        raise ValueError(f"width must be at least {_MIN_WIDTH}, got {width}")
    return _WORDS[lang]


def _marked(labels: list[str], highlight: str | Iterable[str] | None) -> list[bool]:
    """Which bars to highlight; one label may be given as a plain string."""
    wanted = {highlight} if isinstance(highlight, str) else {str(h) for h in highlight or ()}
    return [label in wanted for label in labels]


def _fills(names: list[str], colors: Mapping[str, str] | None) -> list[str]:
    """Given colours by series name, else the palette in order."""
    return [colour((colors or {}).get(n) or PALETTE[i % len(PALETTE)]) for i, n in enumerate(names)]


def _series_table(series: Mapping[str, Sequence[object]],
                  n: int) -> tuple[list[str], list[list[float | None]]]:
    """Series names and values (None where missing), each as long as the categories."""
    names = [str(name) for name in series]
    table = [[_number(v) for v in values] for values in series.values()]
    for name, row in zip(names, table):
        if len(row) != n:
            raise ValueError(f"series {name!r} has {len(row)} values for {n} categories")
    return names, table


def _refuse_negative(cats: list[str], names: list[str], table: list[list[float | None]]) -> None:
    """A negative segment has no place in a stack: say which one instead of drawing nonsense."""
    for name, row in zip(names, table):
        for cat, v in zip(cats, row):
            if v is not None and v < 0:
                raise ValueError(f"stacked bars need values >= 0: {name!r} at {cat!r} is {v}")


def _check_grid(rows: list[str], cols: list[str], cells: Sequence[Sequence[str | None]],
                palette: Mapping[str, str]) -> None:
    """Shape and states checked before drawing, so a wrong call fails loudly."""
    for key in palette:
        colour(palette[key])
    if len(cells) != len(rows):
        raise ValueError(f"{len(cells)} rows of cells for {len(rows)} row labels")
    for row, line in zip(rows, cells):
        if len(line) != len(cols):
            raise ValueError(f"row {row!r} has {len(line)} cells for {len(cols)} columns")
        unknown = [s for s in line if s is not None and s not in palette]
        if unknown:
            raise ValueError(f"row {row!r}: state {unknown[0]!r} is not in the palette {list(palette)}")
