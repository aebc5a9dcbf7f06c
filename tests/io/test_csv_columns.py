"""Long CSV columns in Arrow: plain amounts cast as Python reads them, blank cells and totals words found
without a copy of the column, each equal to the general path on the same text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchkit.io import amounts, convert

_plain = st.builds(
    lambda sign, whole, frac: f"{sign}{whole}{'.' + frac if frac else ''}",
    st.sampled_from(["", "-"]),
    st.text("0123456789", min_size=1, max_size=15),
    st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=40)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_plain, min_size=1, max_size=40))
def test_plain_numbers_cast_by_arrow_equal_python_float(cells):
    text = pd.Series(cells, index=pd.RangeIndex(3, 3 + len(cells)), dtype="str")
    assert text.str.fullmatch(amounts._PLAIN_NUMBER).all()
    got = amounts._plain_floats(text)
    assert list(got.index) == list(text.index)
    for value, cell in zip(got.tolist(), cells):
        want = float(cell)
        assert value == want and math.copysign(1, value) == math.copysign(1, want), cell


def test_a_column_of_plain_amounts_and_blanks_in_a_header_unit():
    text = pd.Series(["12.5", "", "-0", "007", "  ", "12345678901.678"], dtype="str")
    out, bad = amounts.to_number(text, unit="万元", money=True)
    assert out.iloc[0] == 125000.0 and out.iloc[3] == 70000.0
    assert np.isnan(out.iloc[1]) and np.isnan(out.iloc[4])
    assert out.iloc[2] == 0.0 and math.copysign(1, out.iloc[2]) == -1.0
    assert out.iloc[5] == 12345678901.678 * 1e4
    assert bad.rows == []


def test_mostly_plain_amounts_with_some_written_out_and_one_bad():
    cells = ["1.5"] * 6 + ["1,234.5", "(2万)", "abc"]
    text = pd.Series(cells, index=pd.RangeIndex(10, 19), dtype="str")
    out, bad = amounts.to_number(text, money=True)
    assert out.tolist()[:6] == [1.5] * 6
    assert out.iloc[6] == 1234.5 and out.iloc[7] == -20000.0 and np.isnan(out.iloc[8])
    assert (bad.rows, bad.codes, bad.values) == ([18], ["not_a_number"], ["abc"])


def test_bad_add_records_only_the_rows_of_a_true_mask():
    raw = pd.Series(["a", "b", "c"], index=[5, 6, 7], dtype="str")
    bad = convert.Bad()
    bad.add(pd.Series(False, index=[5, 6, 7]), raw, "x", "m")
    assert bad.rows == []
    bad.add(pd.Series([True], index=[6]), raw, "y", "n")          # a mask over some of the rows
    assert (bad.rows, bad.codes, bad.messages, bad.values) == ([6], ["y"], ["n"], ["b"])


def test_full_width_digits_among_plain_numbers_read_as_python_reads_them():
    text = pd.Series(["１２３４５", "7.25", "０.５"], dtype="str")
    assert text.str.fullmatch(amounts._PLAIN_NUMBER).all()          # the pattern's \d takes them
    assert amounts._plain_floats(text).tolist() == [12345.0, 7.25, 0.5]
    assert amounts._plain_floats(text.iloc[:0]).tolist() == []


_blankish = st.text(alphabet=st.sampled_from([" ", "\t", "\u3000", "\u00a0", "\u2003", "\n", "x", "中", "\u200b"]),
                    max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _blankish), max_size=30))
def test_blank_text_cells_found_without_trimming_equal_the_trimmed_test(cells):
    values = pd.Series(cells, index=pd.RangeIndex(2, 2 + len(cells)), dtype="str")
    got = convert._is_blank(values)
    want = (values.isna() | (values.str.strip() == "")).astype(bool)
    pd.testing.assert_series_equal(got, want)


def test_blank_text_cells():
    values = pd.Series(["", " ", "\u3000", None, " a ", "\u200b"], dtype="str")
    assert convert._is_blank(values).tolist() == [True, True, True, True, False, False]


_total_piece = st.sampled_from(["合计", "合 计", "总计", "小计", "总合计", "累计合计", "汇总", "汇 总", "全行", "本页", "对公",
                                "公司", "城中支行", "营业部", "网点", "Total", "TOTALS", "sub total", "Grand  Total", "sum",
                                "SUM", "ſum", "ſub total", "Kelvin", " ", "\t", "\u3000", "\v", "\xa0", "\u2002", ":", "：", "(", "（", "x",
                                "客户", "张", "g", "s", "t", "12"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(_total_piece, max_size=4).map("".join)), max_size=25))
def test_totals_words_found_by_first_and_last_characters_then_pattern_equal_the_pattern_alone(cells):
    from branchkit.io.datarows import _TOTAL, _TOTAL_LEADS, _TOTAL_TRAILS
    from branchkit.text import regex_match, regex_match_led

    values = pd.Series(cells, index=pd.RangeIndex(1, 1 + len(cells)), dtype="str")
    pd.testing.assert_series_equal(regex_match_led(values, _TOTAL, _TOTAL_LEADS, _TOTAL_TRAILS),
                                   regex_match(values, _TOTAL))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="合总吴吕计 \u3000\u2000\xa0\x85\tſtsSgxé€𝄞", max_size=3)),
                max_size=12), st.integers(0, 12), st.integers(0, 12), st.booleans(),
       st.text(alphabet="合总计 \u3000\xa0tſé𝄞", max_size=5))
def test_cells_led_by_characters_as_their_first_character_says(cells, start, length, wide, chars):
    """``text.led_by`` reads each cell's first character off its UTF-8 bytes: the same as Python's look at it,
    on a slice, on chunks, on 32- and 64-bit offsets, with characters of one to four bytes."""
    from branchkit.text import led_by

    array = pa.array(cells, type=pa.large_string() if wide else pa.string()).slice(start, length)
    expected = [c is not None and c[:1] != "" and c[0] in chars for c in array.to_pylist()]
    assert led_by(array, chars).tolist() == expected
    halves = pa.chunked_array([array.slice(0, len(array) // 2), array.slice(len(array) // 2)])
    assert led_by(halves, chars).tolist() == expected


def test_totals_rows_found_in_one_column_skipped_in_another():
    from branchkit.io.datarows import data_rows
    from branchkit.io.header import HeaderMatch

    ids = pd.Series(["001", "002", "", "003"], dtype="str", index=pd.RangeIndex(1, 5))
    names = pd.Series(["张三", "李四", "合计", "王五"], dtype="str", index=pd.RangeIndex(1, 5))
    match = HeaderMatch(row=0, depth=1, columns={"customer_id": 0, "name": 1}, labels={0: "客户号", 1: "客户名称"},
                        units={})
    keep, blank, totals, repeated, sections = data_rows([ids, names], match)
    assert (keep.tolist(), blank, totals, repeated, sections) == ([1, 2, 4], 0, 1, 0, 0)


TOTALS_WORDS = ["合计", " 小 计：", "Grand Total", "ſum", "sum(", "汇总", "汇 总:", "全行合计", "本页小计", "累计合计",
                "总合计", "对公客户合计", "个人小计", "合计(万元)", "城中支行合计", "城中支行 小计", "江城分行汇总：",
                "总行营业部合计", "合\u3000计", "\u3000小计", "总\u3000计\u3000：", "城中支行\u3000合计", "sub\u3000total"]
NOT_TOTALS = ["总计额", "张合计", "张小计", "江城合计", "XX公司合计", "汇总表", "城中支行合计：12", "城中支行",
              "总行营业部", "中国银行城中支行", "对公", None, "",
              "张\u3000合计", "合\u3000计额", "\u3000"]


def test_totals_rows_in_every_form_and_names_that_are_not_one():
    from branchkit.io.datarows import _TOTAL, _TOTAL_LEADS, _TOTAL_TRAILS
    from branchkit.text import regex_match_led

    values = pd.Series(TOTALS_WORDS + NOT_TOTALS, dtype="str")
    found = regex_match_led(values, _TOTAL, _TOTAL_LEADS, _TOTAL_TRAILS).tolist()
    assert found == [True] * len(TOTALS_WORDS) + [False] * len(NOT_TOTALS)


def test_a_volumes_ledger_s_totals_and_subtotals_are_not_branches(tmp_path, read_ledgers):
    # Excel's table total row (汇总), a network total and a page subtotal under the branches: before, each was
    # read as a branch named 汇总, 全行合计, 本页小计 with the summed volumes
    path = tmp_path / "业务量.csv"
    path.write_text("网点,网点类型,日均交易笔数,现有柜员数\n城中支行,大型全功能网点,900,8\n城东支行,中型网点,600,5\n"
                    "本页小计,,1500,13\n全行合计,,1500,13\n汇总,,1500,13\n", encoding="utf-8")
    inputs, frames, problems = read_ledgers(path)
    assert frames["volumes"]["branch"].tolist() == ["城中支行", "城东支行"]
    assert inputs.ledgers["volumes"].sources[0].totals == 3 and problems.empty


def _pandas_text(values: pd.Series) -> pd.Series:
    """``to_text`` of a text column as pandas does it cell by cell: both strips, empty cells missing."""
    out = values.str.strip().str.strip("\u3000\ufeff")
    return out.mask(out == "")


_EDGES = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "\ufeff"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=_EDGES + "a中𝄞é", max_size=4)), max_size=12),
       st.integers(0, 12))
def test_arrow_text_stripped_only_where_an_end_needs_it_as_pandas_strips_every_cell(cells, cut):
    """Every white space character (``str.isspace``), the ideographic space and the BOM at either end, on
    chunks and with missing cells: what stripping every cell gives."""
    from branchkit.io.convert import to_text

    chunks = pa.chunked_array([pa.array(cells[:cut], pa.large_string()), pa.array(cells[cut:], pa.large_string())])
    values = pd.Series(pd.arrays.ArrowStringArray(chunks), index=pd.RangeIndex(2, 2 + len(cells)), name="x")
    got = to_text(values)[0]
    pd.testing.assert_series_equal(got, _pandas_text(values.astype("str")))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="合总吴吕计 \u3000\u2000\xa0\x85\tſé𝄞", max_size=3)),
                max_size=12), st.integers(0, 12), st.integers(0, 12),
       st.text(alphabet="合总计 \u3000\xa0tſé𝄞", max_size=5))
def test_cells_trailed_by_characters_as_their_last_character_says(cells, start, length, chars):
    from branchkit.text import trailed_by

    array = pa.array(cells, type=pa.large_string()).slice(start, length)
    expected = [c is not None and c != "" and c[-1] in chars for c in array.to_pylist()]
    assert trailed_by(array, chars).tolist() == expected


_AMOUNT_LIKE = st.one_of(st.from_regex(r"-?[0-9]{1,16}(\.[0-9]{1,3})?", fullmatch=True),
                         st.text(alphabet="0123456789.-+eE ", min_size=1, max_size=17))


@settings(max_examples=400, deadline=None)
@given(st.lists(_AMOUNT_LIKE, min_size=1, max_size=12), st.integers(0, 12))
def test_amounts_shown_plain_without_the_pattern_are_what_the_pattern_finds(cells, cut):
    """``_all_plain_floats`` casts a column only where every cell is ``_PLAIN_NUMBER`` (of at most 15 bytes),
    and then as ``_plain_floats`` does; the amounts parsed are those of the pattern's way in every case."""
    chunks = pa.chunked_array([pa.array(cells[:cut], pa.large_string()), pa.array(cells[cut:], pa.large_string())])
    text = pd.Series(pd.arrays.ArrowStringArray(chunks), index=pd.RangeIndex(3, 3 + len(cells)), name="x")
    plain = text.str.fullmatch(amounts._PLAIN_NUMBER).all()
    got = amounts._all_plain_floats(text)
    if got is None:
        assert not plain or max(map(len, cells)) > amounts._PLAIN_LONGEST
    else:
        assert plain
        pd.testing.assert_series_equal(got, amounts._plain_floats(text))


@pytest.mark.parametrize(("cell", "shown"), [
    ("123456789012345", True),          # 15 bytes: shown without the pattern
    ("-12345678901234", True),
    ("1234567890123456", False),        # 16 bytes: the pattern decides (not plain: 16 digits)
    ("12345678901234.5", False),        # 16 bytes, plain: the pattern decides, the same number
    (".5", False), ("-.5", False), ("5.", False), ("1e5", False), ("+5", False), ("5-3", False), ("-", False),
])
def test_the_plain_amounts_shortcut_at_its_bounds(cell, shown):
    text = pd.Series([cell, "7"], dtype="str")
    assert (amounts._all_plain_floats(text) is not None) is shown
    numbers, units = amounts._parse_amounts(text, money=True)
    fallback = text.str.fullmatch(amounts._PLAIN_NUMBER)
    if fallback.all():
        assert numbers.tolist() == [float(cell), 7.0]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()], ids=["32-bit", "64-bit"])
def test_utf8_buffers_give_each_cell_of_a_slice_its_bytes(kind):
    from branchkit.text import utf8_buffers

    cells = ["前", None, "", "ab", "中文x"]
    whole = pa.array(["skip"] + cells, type=kind)
    for array in (whole.slice(1), pa.array(cells, type=kind)):
        offsets, data = utf8_buffers(array)
        assert offsets.dtype == np.int64 and len(offsets) == len(cells) + 1
        got = [data[offsets[i]:offsets[i + 1]].tobytes().decode() for i in range(len(cells))]
        assert got == [c or "" for c in cells]
    offsets, data = utf8_buffers(pa.array(["", ""], type=kind))       # no data buffer to speak of
    assert offsets.tolist() == [0, 0, 0] and data.size == 0
