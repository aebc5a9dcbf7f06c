"""What the report charts draw: marks, labels, escaping, self-containment, ticks."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import jinja2
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from branchkit.io.charts import (
    GANTT_COLORS,
    PALETTE,
    REST_DAY,
    bar_chart,
    heat_strip,
    line_chart,
    stacked_bar_chart,
)
from branchkit.io.svg import EMPTY, fit_text, nice_ticks, text_width

HOSTILE = "<script>alert(1)</script> & \"Q\" 'A'"
HOURS = [f"{h}:00" for h in range(8, 18)]
NEED = [2, 3, 5, 6, 4, 3, 5, 6, 4, 2]
ON_DUTY = [3, 3, 4, 4, 4, 4, 4, 4, 3, 3]
# Elements a chart may use: nothing that can load, link or run anything.
ALLOWED = {"svg", "title", "g", "rect", "line", "text", "path", "circle"}


def parse(svg: Markup) -> ET.Element:
    """The chart as an XML tree: parsing also proves the output well-formed."""
    return ET.fromstring(str(svg))


def marks(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(tag) if cls in e.get("class", "").split()]


def texts(root: ET.Element, cls: str) -> list[str]:
    """Visible text of ``<text class=cls>`` elements (their ``<title>`` left out)."""
    return [e.text or "" for e in marks(root, "text", cls)]


def tips(elements: list[ET.Element]) -> list[str]:
    return [e.find("title").text for e in elements]


def sample_charts() -> dict[str, Markup]:
    """One of each kind, including the empty ones."""
    return {
        "bar": bar_chart(["张三", "李四", "王五"], [87, -12, float("nan")], title="管户负荷",
                         reference_line=20, highlight="张三"),
        "vbar": bar_chart(["张三", "李四"], [87, -12], title="得分", horizontal=False, reference_line=5),
        "empty": bar_chart([], [], title="空"),
        "stacked": stacked_bar_chart(["对公", "个人"], {"高": [1, 2], "中": [3, None]}, title="层级"),
        "line": line_chart(HOURS, {"需要": NEED, "在岗": ON_DUTY}, title="人手", step=True, bar_series="在岗"),
        "heat": heat_strip(["客户甲"], ["1", "2"], [["done", None]], palette=GANTT_COLORS, title="甘特"),
        "heat_empty": heat_strip([], [], [], palette=GANTT_COLORS, title="甘特"),
    }


# --- the contract every chart keeps ------------------------------------------


@pytest.mark.parametrize("name", list(sample_charts()))
def test_every_chart_is_one_scalable_accessible_svg(name: str) -> None:
    svg = sample_charts()[name]
    root = parse(svg)
    assert isinstance(svg, Markup)
    assert root.tag == "svg" and str(svg).count("<svg") == 1
    assert re.fullmatch(r"0 0 \d+(\.\d)? \d+(\.\d)?", root.get("viewBox"))
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("role") == "img"
    assert root.get("aria-label") and root[0].tag == "title" and root[0].text == root.get("aria-label")
    assert "PingFang SC" in root.get("font-family") and "Noto Sans CJK SC" in root.get("font-family")


@pytest.mark.parametrize("name", list(sample_charts()))
def test_no_chart_refers_to_anything_outside_itself(name: str) -> None:
    text = str(sample_charts()[name])
    for needle in ("http:", "https:", "//", "href", "url(", "@import", "<script", "<image", "<use"):
        assert needle not in text
    assert {e.tag for e in parse(sample_charts()[name]).iter()} <= ALLOWED


@pytest.mark.parametrize("name", list(sample_charts()))
def test_same_input_gives_the_same_string(name: str) -> None:
    assert sample_charts()[name] == sample_charts()[name]


def test_coordinates_have_at_most_one_decimal() -> None:
    root = parse(line_chart(HOURS, {"a": [1 / 3] * 10}, title="t", width=607))
    numbers = [e.get(k) for e in root.iter() if e is not root
               for k in ("x", "y", "x1", "x2", "y1", "y2", "width", "height", "cx", "cy") if e.get(k)]
    numbers += re.findall(r"[-\d.]+", marks(root, "path", "line")[0].get("d"))
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers)


def test_pandas_input_draws_the_same_as_plain_lists() -> None:
    values = pd.Series([87.0, None, 3.0], dtype="Float64")  # holds pd.NA
    plain = bar_chart(["a", "b", "c"], [87.0, float("nan"), 3.0], title="t")
    assert bar_chart(pd.Series(["a", "b", "c"]), values, title="t") == plain


def test_chart_goes_into_an_autoescaping_template_unescaped() -> None:
    env = jinja2.Environment(autoescape=True)
    html = env.from_string("<div>{{ chart }}</div>").render(chart=bar_chart(["a"], [1], title="t"))
    assert html.startswith("<div><svg ") and "&lt;svg" not in html


# --- escaping -------------------------------------------------------------------


def test_text_from_data_is_escaped_everywhere() -> None:
    charts = [
        bar_chart([HOSTILE], [1], title=HOSTILE, reference_line=1, reference_label=HOSTILE),
        stacked_bar_chart([HOSTILE], {HOSTILE: [1]}, title=HOSTILE),
        line_chart([HOSTILE], {HOSTILE: [1]}, title=HOSTILE),
        heat_strip([HOSTILE], [HOSTILE], [["done"]], palette=GANTT_COLORS,
                   legend_labels={"done": HOSTILE}, title=HOSTILE),
        bar_chart(["a"], [1], title="t", value_format=lambda v: HOSTILE),
    ]
    for svg in charts:
        assert "<script" not in str(svg) and "&lt;script&gt;" in str(svg)
        root = parse(svg)  # quotes and ampersands did not break the XML
        assert root.get("aria-label") in (HOSTILE, "t")
        assert any(HOSTILE in (e.text or "") for e in root.iter("title"))


def test_characters_xml_forbids_are_dropped_and_line_breaks_become_spaces() -> None:
    root = parse(bar_chart(["a\x00b\x1fc", "日均交易\r\n笔数"], [1, 2], title="t\x0b"))
    assert tips(marks(root, "rect", "bar")) == ["abc: 1", "日均交易  笔数: 2"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_any_label_round_trips_through_the_tooltip(name: str) -> None:
    root = parse(bar_chart([name], [1], title=name))
    clean = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", name)
    clean = re.sub("[\t\r\n]", " ", clean)
    assert tips(marks(root, "rect", "bar")) == [f"{clean}: 1"]


def test_a_colour_that_could_fetch_something_is_refused() -> None:
    with pytest.raises(ValueError, match="not a colour"):
        heat_strip(["r"], ["c"], [["x"]], palette={"x": "url(http://evil/x.svg)"}, title="t")
    with pytest.raises(ValueError, match="not a colour"):
        line_chart(["a"], {"s": [1]}, title="t", colors={"s": "red;background:url(x)"})


# --- bar chart ------------------------------------------------------------------


def test_one_bar_per_value_with_label_value_and_tooltip() -> None:
    root = parse(bar_chart(["张三", "李四", "王五"], [87, 45.5, 3], title="管户负荷", value_format=",.1f"))
    assert len(marks(root, "rect", "bar")) == 3
    assert texts(root, "label") == ["张三", "李四", "王五"]
    assert texts(root, "value") == ["87.0", "45.5", "3.0"]
    assert tips(marks(root, "rect", "bar")) == ["张三: 87.0", "李四: 45.5", "王五: 3.0"]


def test_bar_lengths_follow_the_values() -> None:
    bars = marks(parse(bar_chart(["a", "b"], [100, 50], title="t")), "rect", "bar")
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.1)


def test_chinese_text_is_written_as_itself() -> None:
    assert "客户经理张三" in str(bar_chart(["客户经理张三"], [1], title="负荷"))


def test_nan_is_skipped_and_noted() -> None:
    root = parse(bar_chart(["a", "b", "c"], [1, float("nan"), None], title="t"))
    assert len(marks(root, "rect", "bar")) == 1
    assert texts(root, "label") == ["a", "b", "c"]  # the row stays, with a dash
    assert texts(root, "value") == ["1", "—", "—"]
    assert texts(root, "note") == ["2 项无数据，未绘出"]
    assert "nan" not in str(bar_chart(["a"], [math.inf], title="t")).lower()


def test_all_zero_values_draw_zero_length_bars() -> None:
    svg = bar_chart(["a", "b"], [0, 0], title="t")
    bars = marks(parse(svg), "rect", "bar")
    assert [b.get("width") for b in bars] == ["0", "0"]
    assert "nan" not in str(svg).lower()


def test_negative_bars_grow_left_of_the_zero_axis() -> None:
    root = parse(bar_chart(["up", "down"], [50, -20], title="t"))
    axis = float(marks(root, "line", "axis")[0].get("x1"))
    up, down = marks(root, "rect", "bar")
    assert float(up.get("x")) == pytest.approx(axis)
    assert float(down.get("x")) + float(down.get("width")) == pytest.approx(axis)


def test_vertical_negative_bars_hang_below_the_axis() -> None:
    root = parse(bar_chart(["up", "down"], [50, -20], title="t", horizontal=False))
    axis = float(marks(root, "line", "axis")[0].get("y1"))
    up, down = marks(root, "rect", "bar")
    assert float(up.get("y")) + float(up.get("height")) == pytest.approx(axis)
    assert float(down.get("y")) == pytest.approx(axis)
    assert len(marks(root, "text", "label")) == 2


def test_highlight_and_reference_line() -> None:
    root = parse(bar_chart(["a", "b"], [10, 30], title="t", highlight="b",
                           reference_line=20, reference_label="平均"))
    plain, marked = marks(root, "rect", "bar")
    assert plain.get("fill") == PALETTE[0] and marked.get("fill") == PALETTE[1]
    assert "highlight" in marked.get("class").split()
    ref = marks(root, "line", "reference")[0]
    assert float(plain.get("x")) + float(plain.get("width")) < float(ref.get("x1"))
    assert float(ref.get("x1")) < float(marked.get("x")) + float(marked.get("width"))
    assert texts(root, "reference") == ["平均 20"]


def test_empty_input_gives_a_small_no_data_chart() -> None:
    root = parse(bar_chart([], [], title="空"))
    assert texts(root, "empty") == ["无数据"] and not marks(root, "rect", "bar")
    assert texts(parse(bar_chart([], [], title="x", lang="en")), "empty") == ["No data"]


def test_long_labels_are_cut_with_the_full_name_kept() -> None:
    name = "中国农业银行股份有限公司某某县支行营业部对公业务部"
    root = parse(bar_chart([name], [1], title="t"))
    label = marks(root, "text", "label")[0]
    assert label.text.endswith("…") and label.find("title").text == name


def test_wrong_calls_fail_loudly() -> None:
    with pytest.raises(ValueError, match="2 labels but 1 values"):
        bar_chart(["a", "b"], [1], title="t")
    with pytest.raises(ValueError, match="lang"):
        bar_chart(["a"], [1], title="t", lang="fr")
    with pytest.raises(ValueError, match="width must be at least"):
        bar_chart(["a"], [1], title="t", width=100)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e15, 1e15, allow_subnormal=False),
                          st.sampled_from([math.nan, math.inf])), max_size=12),
       st.booleans())
def test_any_values_draw_one_bar_per_finite_value(values: list, horizontal: bool) -> None:
    svg = bar_chart([f"k{i}" for i in range(len(values))], values, title="t", horizontal=horizontal)
    finite = [v for v in values if v is not None and math.isfinite(v)]
    assert len(marks(parse(svg), "rect", "bar")) == len(finite)
    assert not re.search(r'="[^"]*(nan|inf)', str(svg))


# --- text width -----------------------------------------------------------------


def test_cjk_counts_as_one_em_and_ascii_as_six_tenths() -> None:
    assert text_width("张三", 10) == pytest.approx(20)
    assert text_width("ab", 10) == pytest.approx(12)
    assert text_width("张a", 10) == pytest.approx(16)
    assert fit_text("张三李四王五", 40, 10).endswith("…")


def test_label_gutter_is_wider_for_chinese_names() -> None:
    def bar_x(label: str) -> float:
        return float(marks(parse(bar_chart([label], [1], title="t")), "rect", "bar")[0].get("x"))

    assert bar_x("张三李四王五") > bar_x("abcdef")


# --- stacked bars ---------------------------------------------------------------


def test_stacked_segments_legend_and_totals() -> None:
    series = {"高": [10, 200, 5], "中": [30, 0, 20], "一般": [60, 3000, None]}
    root = parse(stacked_bar_chart(["对公", "个人", "三农"], series, title="层级分布"))
    segments = marks(root, "rect", "bar")
    assert len(segments) == 7  # nine values, less one zero and one missing
    assert [s.get("fill") for s in segments[:3]] == list(PALETTE[:3])
    assert texts(root, "label") == ["对公", "个人", "三农"]
    assert [e.text for e in root.find("g[@class='legend']").iter("text")] == ["高", "中", "一般"]
    assert [e.get("fill") for e in marks(root, "rect", "swatch")] == list(PALETTE[:3])
    assert "100" in texts(root, "value") and "3,200" in texts(root, "value")
    assert tips(segments)[0] == "对公 · 高: 10 (10.0%)"
    assert texts(root, "note") == ["1 项无数据，未绘出"]


def test_a_bar_of_one_segment_prints_its_value_once() -> None:
    root = parse(stacked_bar_chart(["客户清单", "员工"], {"使用": [3000, 2000], "拒绝": [0, 1000]}, title="台账行"))
    assert texts(root, "value") == ["3,000", "2,000", "1,000", "3,000"]      # the lone 3,000 only as the total


def test_stacked_colours_by_series_name_and_normalised_widths() -> None:
    series = {"done": [10, 1], "slipped": [5, 1], "missed": [5, 2]}
    root = parse(stacked_bar_chart(["张", "李"], series, title="t", colors=GANTT_COLORS, normalize=True))
    segments = marks(root, "rect", "bar")
    assert [s.get("fill") for s in segments[:3]] == [GANTT_COLORS[k] for k in series]
    rows = [segments[:3], segments[3:]]
    lengths = [sum(float(s.get("width")) for s in row) for row in rows]
    assert lengths[0] == pytest.approx(lengths[1], abs=0.3)


def test_stacked_refuses_negative_and_handles_empty() -> None:
    with pytest.raises(ValueError, match="'a' at 'x' is -1"):
        stacked_bar_chart(["x"], {"a": [-1]}, title="t")
    with pytest.raises(ValueError, match="has 1 values for 2"):
        stacked_bar_chart(["x", "y"], {"a": [1]}, title="t")
    assert texts(parse(stacked_bar_chart([], {}, title="t")), "empty") == ["无数据"]


# --- line chart -----------------------------------------------------------------


def test_nice_ticks() -> None:
    assert nice_ticks(0, 87) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(-30, 87) == [-50, 0, 50, 100]
    assert nice_ticks(0, 12_345) == [0, 5_000, 10_000, 15_000]


@given(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))
def test_nice_ticks_cover_the_range_in_nice_steps(a: float, b: float) -> None:
    lo, hi = min(a, b), max(a, b)
    ticks = nice_ticks(lo, hi)
    step = ticks[1] - ticks[0]
    slack = step * 1e-6  # an overshoot this small is not worth a whole extra tick
    assert ticks[0] <= lo + slack and ticks[-1] >= hi - slack
    assert 2 <= len(ticks) <= 12
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


def test_line_chart_axis_ticks_for_a_max_of_87() -> None:
    root = parse(line_chart(["a", "b", "c"], {"s": [10, 87, 40]}, title="t"))
    assert texts(root, "tick") == ["0", "20", "40", "60", "80", "100"]


def test_line_with_bars_behind_markers_and_legend() -> None:
    root = parse(line_chart(HOURS, {"需要": NEED, "在岗": ON_DUTY}, title="人手", bar_series="在岗"))
    children = list(root)
    bars, lines = marks(root, "rect", "bar"), marks(root, "path", "line")
    assert len(bars) == len(ON_DUTY) and len(lines) == 1
    assert children.index(bars[-1]) < children.index(lines[0])  # bars are drawn behind
    assert tips(marks(root, "circle", "marker"))[:2] == ["需要 · 8:00: 2", "需要 · 9:00: 3"]
    assert [e.text for e in root.find("g[@class='legend']").iter("text")] == ["需要", "在岗"]
    assert texts(root, "label") == HOURS


def test_step_style_and_gaps_at_missing_values() -> None:
    root = parse(line_chart(["1", "2", "3", "4"], {"s": [1, 2, None, 4]}, title="t", step=True))
    d = marks(root, "path", "line")[0].get("d")
    assert d.count("M") == 2 and d.count("H") == 3
    assert len(marks(root, "circle", "marker")) == 3
    assert texts(root, "note") == ["1 项无数据，未绘出"]


def test_many_x_labels_are_thinned_out() -> None:
    days = [f"2026-10-{d:02d}" for d in range(1, 32)]
    root = parse(line_chart(days, {"s": list(range(31))}, title="t"))
    shown = texts(root, "label")
    assert 2 < len(shown) < 31 and shown[0] == "2026-10-01"


def test_line_chart_wrong_calls() -> None:
    with pytest.raises(ValueError, match="bar_series"):
        line_chart(["a"], {"s": [1]}, title="t", bar_series="x")
    assert texts(parse(line_chart([], {"s": []}, title="t")), "empty") == ["无数据"]


# --- heat strip -----------------------------------------------------------------


def gantt() -> Markup:
    states = list(GANTT_COLORS)
    cells = [[states[(r + c) % len(states)] if c % 3 else None for c in range(31)] for r in range(4)]
    return heat_strip([f"客户{r}" for r in range(4)], [str(d) for d in range(1, 32)], cells,
                      palette=GANTT_COLORS, legend_labels={"done": "完成", "missed": "未做"}, title="甘特")


def test_heat_strip_draws_rows_times_columns_cells_by_state() -> None:
    cells = marks(parse(gantt()), "rect", "cell")
    assert len(cells) == 4 * 31
    for cell in cells:
        state = cell.get("data-state")
        assert cell.get("fill") == (EMPTY if state is None else GANTT_COLORS[state])


def test_heat_strip_tooltips_labels_and_legend() -> None:
    root = parse(gantt())
    cells = marks(root, "rect", "cell")
    assert tips(cells)[:3] == ["客户0 · 1", "客户0 · 2: 完成", "客户0 · 3: slip_kept"]
    labels = texts(root, "label")
    heads = [t for t in labels if not t.startswith("客户")]
    every = int(heads[1]) - int(heads[0])  # thinned out evenly when the cells are narrow
    assert heads == [str(d) for d in range(1, 32, every)]
    assert [t for t in labels if t.startswith("客户")] == [f"客户{r}" for r in range(4)]
    legend = root.find("g[@class='legend']")
    assert [e.text for e in legend.iter("text")] == ["planned", "完成", "slip_kept", "slipped", "未做", "unplanned"]
    assert [e.get("fill") for e in legend.iter("rect")] == list(GANTT_COLORS.values())


def test_heat_strip_shades_the_empty_cells_of_rest_days_only() -> None:
    cells = [["done", None, None], [None, "missed", None]]
    root = parse(heat_strip(["甲", "乙"], ["1", "2", "3"], cells, palette=GANTT_COLORS, title="甘特",
                            shaded=[True, True, False], shaded_label="周末/节假日"))
    fills = [c.get("fill") for c in marks(root, "rect", "cell")]
    assert fills == [GANTT_COLORS["done"], REST_DAY, EMPTY, REST_DAY, GANTT_COLORS["missed"], EMPTY]
    legend = root.find("g[@class='legend']")
    assert [e.text for e in legend.iter("text")][-1] == "周末/节假日"
    assert "bk-heat" in root.get("class").split()
    unshaded = parse(heat_strip(["甲"], ["1"], [[None]], palette=GANTT_COLORS, title="t", shaded=[False],
                                shaded_label="周末"))
    assert "周末" not in [e.text for e in unshaded.find("g[@class='legend']").iter("text")]
    with pytest.raises(ValueError, match="2 shaded flags for 3 columns"):
        heat_strip(["甲"], ["1", "2", "3"], [[None] * 3], palette=GANTT_COLORS, title="t", shaded=[True, False])


def test_heat_strip_wrong_calls() -> None:
    with pytest.raises(ValueError, match="'late' is not in the palette"):
        heat_strip(["r"], ["c"], [["late"]], palette=GANTT_COLORS, title="t")
    with pytest.raises(ValueError, match="has 1 cells for 2 columns"):
        heat_strip(["r"], ["c", "d"], [["done"]], palette=GANTT_COLORS, title="t")
    with pytest.raises(ValueError, match="rows of cells"):
        heat_strip(["r", "s"], ["c"], [["done"]], palette=GANTT_COLORS, title="t")


# --- palette --------------------------------------------------------------------


def test_palettes_are_hex_and_distinct() -> None:
    assert set(GANTT_COLORS) == {"planned", "done", "slipped", "missed", "unplanned", "slip_kept"}
    for colours in (PALETTE, tuple(GANTT_COLORS.values())):
        assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
        assert len(set(colours)) == len(colours)


@pytest.mark.parametrize("span, flat", [(10.0, False), (10.0 - 2 ** -20, True), (10.0 + 2 ** -20, False)])
def test_a_range_under_its_share_of_the_bounds_is_one_value(span: float, flat: bool) -> None:
    lo = -1e9                                      # FLAT_SHARE of 1e9 is a span of 10
    ticks = nice_ticks(lo, lo + span)
    assert (ticks[-1] - ticks[0] >= 1e9) is flat   # one value gets a range as wide as itself
    assert ticks[0] <= lo and ticks[-1] >= lo + span


def test_ticks_of_a_range_a_few_float_steps_wide_at_a_billion() -> None:
    for hi in (-999999999.9999999, -999999999.9921875):
        assert nice_ticks(-1e9, hi) == [-1e9, -8e8, -6e8, -4e8, -2e8, 0.0]
