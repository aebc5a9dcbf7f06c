"""The plain-string fast paths of ``io.svg`` write the same bytes as the general ``tag``/``esc``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from branchkit.io.svg import _BREAKS, _NOT_XML, _escaped, cell_row, esc, joined_tips, markup, tag, titled_rect

_TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&\"'\t\r\n\x00\x1f\x7f\ufffe"))


@given(_TEXT)
def test_esc_fast_path_equals_the_general_escape(text):
    assert esc(text) == escape(_BREAKS.sub(" ", _NOT_XML.sub("", text)))


def test_esc_drops_control_characters_and_flattens_breaks():
    assert esc("a\tb\x01c<") == "a bc&lt;" and esc("甲\n乙") == "甲 乙" and esc("x&y") == "x&amp;y"


@given(st.lists(st.tuples(_TEXT, st.floats(0, 1000), st.sampled_from(["#F2F2F2", "#00AA00"]),
                          st.sampled_from([None, "done", "a<b"])), max_size=6),
       st.integers(0, 5000), st.floats(0.5, 30))
def test_cell_row_equals_one_tag_per_cell(cells, y, width):
    expected = "".join(tag("rect", tag("title", tip), class_="cell", x=x, y=y, width=width, height=16,
                           fill=fill, data_state=state) for tip, x, fill, state in cells)
    tips, xs, fills, states = (list(c) for c in zip(*cells)) if cells else ([], [], [], [])
    assert cell_row(tips, xs, y, width, 16, fills, states) == expected


def _old_tag(name, *children, **attrs):
    """``tag`` as it was: markupsafe's escape per attribute and child, each made Markup."""
    from branchkit.io.svg import _attribute, num

    def old_esc(value):
        return value if isinstance(value, Markup) else escape(_BREAKS.sub(" ", _NOT_XML.sub("", str(value))))
    parts = [f"<{name}"] + [f' {_attribute(k)}="{num(v) if isinstance(v, (int, float)) else old_esc(v)}"'
                            for k, v in attrs.items() if v is not None]
    if not children:
        return Markup("".join(parts) + "/>")
    return Markup(f"{''.join(parts)}>{''.join(old_esc(c) for c in children)}</{name}>")


@given(st.lists(_TEXT | st.integers() | st.builds(Markup, st.sampled_from(["<b>x</b>", "&amp;"])), max_size=4),
       _TEXT, st.sampled_from([None, 3, 2.25, -0.04, True]))
def test_tag_escapes_as_markupsafe_did(children, title, x):
    got = tag("text", *children, class_=title, x=x, data_tip="a\"b'<c>&")
    assert isinstance(got, Markup)
    assert got == _old_tag("text", *children, class_=title, x=x, data_tip="a\"b'<c>&")
    assert tag("rect", fill=title) == _old_tag("rect", fill=title)


def test_markup_children_pass_and_text_is_escaped():
    inner = tag("title", "<甲&乙>")
    assert tag("g", inner, "'x'") == '<g><title>&lt;甲&amp;乙&gt;</title>&#39;x&#39;</g>'


@given(_TEXT)
def test_escape_text_is_markupsafes_escape(text):
    from branchkit.io.svg import escape_text
    assert escape_text(text) == str(escape(text))
    assert escape_text("&lt;") == "&amp;lt;" and escape_text("'\"") == "&#39;&#34;"


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=32), st.integers(-10**6, 10**6),
                 st.booleans()))
def test_num_cached_is_the_formatting(x):
    from branchkit.io.svg import num
    text = f"{x:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    assert num(x) == ("0" if text == "-0" else text)
    assert num(-0.0) == num(0.0) == num(0) == num(-0.04) == "0" and num(2) == num(2.0) == "2"


@given(st.text(max_size=40), st.sampled_from([10, 10.0, 12, 14]))
def test_text_width_cached_is_the_sum(text, size):
    import unicodedata
    from branchkit.io.svg import text_width
    expected = size * sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.6 for c in text)
    assert text_width(text, size) == expected and text_width(text, size) == expected


@given(_TEXT)
def test_escaped_cached_is_the_escape_of_the_text_and_markup_passes_whatever_came_first(text):
    reference = str(escape(_BREAKS.sub(" ", _NOT_XML.sub("", text))))
    # the plain string first, then Markup of the same text (equal, same hash): each keeps its own meaning
    assert _escaped(text) == reference and _escaped(text) == reference
    assert _escaped(Markup(text)) == text
    assert _escaped(text) == reference


def test_escaped_takes_numbers_and_other_values_by_their_text():
    assert _escaped(Markup("<b>&amp;</b>")) == "<b>&amp;</b>"
    assert _escaped("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert _escaped(3.5) == "3.5" and _escaped(None) == "None"


@given(_TEXT, st.sampled_from(["bar", "bar highlight", "a<b"]), st.floats(-1e6, 1e6) | st.integers(-5, 5),
       st.floats(0, 5000), st.floats(0, 1000) | st.just(-0.04), st.sampled_from([16, 18, 0.5]),
       st.sampled_from(["#0072B2", "red"]))
def test_titled_rect_is_a_rect_tag_with_its_title(tip, cls, x, y, width, height, fill):
    expected = tag("rect", tag("title", tip), class_=cls, x=x, y=y, width=width, height=height, fill=fill)
    got = titled_rect(tip, cls, x, y, width, height, fill)
    assert got == expected and type(got) is Markup


def test_markup_is_markupsafes():
    assert markup("<b>") == Markup("<b>") and type(markup("<b>")) is Markup and markup("") == Markup()


@given(_TEXT, st.lists(_TEXT, max_size=5))
def test_joined_tips_are_the_whole_tips_escaped(head, tails):
    """Each part escaped apart, joined: the whole escaped (control characters, breaks and entities alike)."""
    got = joined_tips(head, tails)
    assert got == [esc(head + tail) for tail in tails] and all(type(t) is Markup for t in got)
    assert cell_row(got, [1.0] * len(got), 2, 3, 4, ["red"] * len(got), [None] * len(got)) == \
        cell_row([head + t for t in tails], [1.0] * len(got), 2, 3, 4, ["red"] * len(got), [None] * len(got))
