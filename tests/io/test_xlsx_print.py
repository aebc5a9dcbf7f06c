"""How workbooks print: A4, one page wide, landscape where wide, header rows on every page, a page
header naming the branch (or network) and the month, page numbers in the footer. Read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Sheet, Table
from branchkit.io.xlsxpage import PORTRAIT_PIXELS, PageHead, column_pixels, header_width, scope_of, text_lines


def _write(tmp_path, tables, extra=(), period="2026-10", lang=None) -> openpyxl.Workbook:
    report = Report("客户分配", "Allocation", [Section("s", "s", list(tables))], tables[0].key,
                    extra_sheets=list(extra), period=period)
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions(lang=lang))
    return openpyxl.load_workbook(tmp_path / "o.xlsx")


def _wide_frame(width: int) -> pd.DataFrame:
    """One text column whose cells are ``width`` characters: the column is ``width + 2`` units wide."""
    return pd.DataFrame({"note": ["x" * width]})


def test_every_sheet_prints_on_a4_one_page_wide_with_the_header_row_repeated(tmp_path):
    frame = pd.DataFrame({"branch": ["城东支行", "城东支行"], "customer_id": ["1", "2"]})
    book = _write(tmp_path, [Table("t", frame, "客户分配表", "Allocation")])
    sheet = book["客户分配表"]
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.page_setup.fitToWidth in (None, 1)          # 1 is the default, which the file leaves out
    assert sheet.page_setup.fitToHeight == 0                 # as many pages tall as it takes
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.print_options.gridLines is True
    assert sheet.oddHeader.left.text == "城东支行"
    assert sheet.oddHeader.center.text == "客户分配 · 客户分配表"
    assert sheet.oddHeader.right.text == "2026-10"
    assert sheet.oddFooter.center.text == "第 &P 页 / 共 &N 页"


def test_english_footer_and_a_report_without_month_or_branch(tmp_path):
    book = _write(tmp_path, [Table("t", pd.DataFrame({"x": [1]}), "表", "Table")], period="", lang="en")
    sheet = book["Table"]
    assert sheet.oddFooter.center.text == "Page &P of &N"
    assert sheet.oddHeader.left.text is None and sheet.oddHeader.right.text is None
    assert sheet.oddHeader.center.text == "Allocation · Table"


def _width_of(units: int) -> float:
    """The printed pixels of one column of ``units`` characters of content."""
    return column_pixels([header_width("note", units)])


def test_landscape_exactly_when_the_columns_are_wider_than_portrait(tmp_path):
    # the widest content that still fits portrait, and one character more (each column at most 60 units)
    columns = {f"c{i}": ["x" * 58] for i in range(int(PORTRAIT_PIXELS // column_pixels([60])))}
    used = column_pixels([60] * len(columns))
    left = PORTRAIT_PIXELS - used                       # pixels left for one more column
    fits = int((left - 5) / 7) - 2                      # its content: 7 px a unit plus 5, two units padding
    narrow = pd.DataFrame({**columns, "last": ["y" * fits]})
    wide = pd.DataFrame({**columns, "last": ["y" * (fits + 1)]})
    assert column_pixels([60] * len(columns) + [fits + 2]) <= PORTRAIT_PIXELS
    assert column_pixels([60] * len(columns) + [fits + 3]) > PORTRAIT_PIXELS
    book = _write(tmp_path, [Table("a", narrow, "窄", "Narrow"), Table("b", wide, "宽", "Wide")])
    assert book["窄"].page_setup.orientation == "portrait"
    assert book["宽"].page_setup.orientation == "landscape"


def test_the_page_header_names_the_network_when_the_sheet_holds_several_branches(tmp_path):
    several = pd.DataFrame({"branch": ["城东支行", "城西支行", "城西支行", "全网合计"], "n": [1, 2, 3, 6]})
    none = pd.DataFrame({"n": [1]})
    book = _write(tmp_path, [Table("a", several, "对比", "Compare"), Table("b", none, "其他", "Other")])
    assert book["对比"].oddHeader.left.text == "全网（2 个网点）"       # the totals row is not a branch
    assert book["其他"].oddHeader.left.text == "全网（2 个网点）"       # no branch column: the report's


def test_scope_of_frames():
    assert scope_of([pd.DataFrame({"branch": ["A", "A", None]})], "zh") == "A"
    assert scope_of([pd.DataFrame({"branch": ["A"]}), pd.DataFrame({"branch": ["B", "合计"]})], "en") \
        == "Network (2 branches)"
    assert scope_of([pd.DataFrame({"x": ["A"]})], "zh") == ""


def test_page_header_doubles_ampersands_and_stays_within_excel_limit():
    head = PageHead("A&B支行", "表" * 400, "2026-10", "zh").header()
    assert head.startswith("&LA&&B支行&C") and head.endswith("&R2026-10")
    assert len(head) <= 255


def test_a_header_that_wraps_gets_a_row_tall_enough(tmp_path):
    frame = pd.DataFrame({"keeper": ["001"], "n": [1]})
    table = Table("t", frame, "表", "T", labels={"keeper": ("维护责任人工号", "Keeper staff ID"), "n": ("户", "N")})
    book = _write(tmp_path, [table])
    sheet = book["表"]
    width = sheet.column_dimensions["A"].width
    assert text_lines("维护责任人工号", width) == 2
    assert sheet.row_dimensions[1].height == pytest.approx(2 * 13 + 3)
    assert sheet.row_dimensions[2].height is None


def test_header_width_and_lines():
    assert header_width("维护责任人工号", 6) == 9.0          # 14 units on two lines, 2 units padding
    assert text_lines("维护责任人工号", 9.0) == 2
    assert text_lines("维护责任人工号", 15.0) == 1
    assert text_lines("1\n四", 6) == 2                      # a line break is a line
    assert header_width("Keeper staff ID", 1) == 9.5          # words stay whole
    assert header_width("x", 100) == 60                       # at most sixty units


def test_stacked_blocks_take_the_widest_width_and_repeat_the_chosen_header(tmp_path):
    first = Table("a", pd.DataFrame({"customer": ["甲" * 10], "d1": ["√"]}), "甘特图", "Gantt")
    second = Table("b", pd.DataFrame({"state": ["按期"], "meaning": ["很长的说明" * 8]}), "图例", "Legend",
                   widths={"state": 0.0, "meaning": 0.0})
    sheet = Sheet("甘特图-张三", "Gantt", [first, second], heading_zh="张三", repeat_header=0, freeze_columns=1,
                  scope="城中支行")
    book = _write(tmp_path, [Table("t", pd.DataFrame({"x": [1]}), "表", "T")], extra=[sheet])
    gantt = book["甘特图-张三"]
    assert gantt.column_dimensions["A"].width == pytest.approx(22, abs=1)    # the Gantt's, not the legend's
    assert gantt.column_dimensions["B"].width == pytest.approx(6, abs=1)
    assert gantt.print_title_rows == "$4:$4"                                 # heading, blank, title, header
    assert gantt.freeze_panes == "B5"
    assert gantt.oddHeader.left.text == "城中支行"


def test_a_sheet_without_a_repeated_block_has_no_print_titles(tmp_path):
    sheet = Sheet("明细", "Detail", [Table("a", pd.DataFrame({"x": [1]}), "甲", "A"),
                                   Table("b", pd.DataFrame({"y": [2]}), "乙", "B")])
    book = _write(tmp_path, [Table("t", pd.DataFrame({"x": [1]}), "表", "T")], extra=[sheet])
    assert book["明细"].print_title_rows is None
    assert book["明细"].sheet_properties.pageSetUpPr.fitToPage is True
