"""HTML tables sized to fit A4 and a 1280 px screen: column classes, widths, and wide tables split
into parts that repeat the columns naming the row."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from branchkit.io.htmlfit import (BUDGET_EM, NOWRAP_EM, PAD_EM, WRAP_EM, Fit, _widest, fit_column, split_columns,
                                  text_em)
from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Table


def test_text_width_counts_chinese_wide():
    assert text_em("城东支行") == 4.0
    assert text_em("1,234.50") == pytest.approx(8 * 0.55)
    assert text_em("ＡＢ") == 2.0                                  # full-width forms are wide too


def test_column_classes_and_widths():
    assert fit_column("存款余额(元)", ["1,234.50"], numeric=True, wraps=False) == Fit(
        "num", text_em("1,234.50") + PAD_EM)
    short = "城" * int(NOWRAP_EM)                                  # exactly the widest text kept on one line
    assert fit_column("网点", [short], numeric=False, wraps=True).css == "nw"
    assert fit_column("网点", [short + "城"], numeric=False, wraps=True) == Fit("wrap", WRAP_EM + PAD_EM)
    assert fit_column("证件号码", ["1" * 40], numeric=False, wraps=False).css == "nw"   # never broken
    narrow = fit_column("计划执行率", ["1"], numeric=True, wraps=False)
    assert narrow.em == pytest.approx(2.0 + PAD_EM)                # a header never goes one character a line
    english = fit_column("Existing customers", ["1"], numeric=True, wraps=False)
    assert english.em == pytest.approx(text_em("customers") + PAD_EM)   # a word is never broken


def _fits(*widths: float) -> list[Fit]:
    return [Fit("nw", w) for w in widths]


def test_a_table_that_fits_stays_whole_and_one_over_is_split():
    names = ["branch", "a", "b", "c"]
    exact = _fits(10, 20, 20, BUDGET_EM - 50)
    assert split_columns(names, exact) == [[0, 1, 2, 3]]
    over = _fits(10, 20, 20, BUDGET_EM - 50 + 0.1)
    assert split_columns(names, over) == [[0, 1, 2], [0, 3]]       # the branch column heads both parts


def test_parts_repeat_the_leading_key_columns_and_keep_every_other_column_once():
    names = ["staff_id", "name", "role", *[f"m{i}" for i in range(20)]]
    fits = _fits(6, 4, 8, *[9] * 20)
    parts = split_columns(names, fits)
    assert all(part[:2] == [0, 1] for part in parts)               # staff id and name in every part
    rest = [j for part in parts for j in part[2:]]
    assert rest == list(range(2, 23))                              # each other column once, in order
    assert all(sum(fits[j].em for j in part) <= BUDGET_EM for part in parts)
    assert len(parts) == 4                                         # 10 + 8 + 5 x 9, then 10 + 6 x 9 (x2), ...


def test_without_a_key_column_the_first_column_heads_every_part():
    parts = split_columns(["x", "y", "z"], _fits(5, 40, 40))
    assert parts == [[0, 1], [0, 2]]


def test_a_wide_table_is_written_as_parts_with_a_continued_title(tmp_path):
    frame = pd.DataFrame({"branch": ["城东支行"], **{f"c{i}": [123456789.25] for i in range(14)}})
    table = Table("t", frame, "网点对比", "Compare", formats={f"c{i}": "money" for i in range(14)})
    write_report(str(tmp_path / "o.html"), Report("r", "r", [Section("s", "s", [table])], "t"), WriteOptions())
    html = (tmp_path / "o.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    assert len(tables) >= 2 and all('<td class="nw">城东支行</td>' in t for t in tables)
    assert html.count("网点对比（续）") == len(tables) - 1
    shown = re.findall(r'<td class="num">123,456,789.25</td>', html)
    assert len(shown) == 14                                        # every column once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789,.-%", max_size=20)), max_size=12))
def test_widest_is_the_largest_text_em(cells: list[str]) -> None:
    """``_widest``'s ASCII shortcut (the longest cell's width) is the largest ``text_em``, the same float."""
    assert _widest(cells) == max(map(text_em, cells), default=0.0)


@pytest.mark.parametrize("longest", [255, 256, 257])
def test_widest_at_the_ascii_table_end(longest: int) -> None:
    """Up to 255 characters the width is looked up; from 256 summed, and both agree either side."""
    cells = ["1" * longest, "22", "城" * 3]
    assert _widest(cells) == max(map(text_em, cells))
    assert _widest(cells[:2]) == text_em("1" * longest) == pytest.approx(0.55 * longest)
