"""Printed books (a keeper's 台账): the page layout both writers follow, the workbook sheet (page
breaks, a header row on every page, boxes to fill in, page numbers) and the html pages, read back."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest

from branchkit.io.book import HEADER_POINTS, PAGE_POINTS, TITLE_POINTS, Book, BookPart
from branchkit.io.bookhtml import render_books
from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Table
from branchkit.io.xlsxrows import Column, RowStream, row_xml, text_row

GRID = [10.0, 20.0, 8.0, 8.0, 8.0]
ROOM = PAGE_POINTS - TITLE_POINTS - HEADER_POINTS


def _customers(n: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)], "name": [f"客户{i}" for i in range(n)],
                         "id_number": ["110101199001011234"] * n, "deposit": [1234.5 + i for i in range(n)]})


def _book(n: int, whole: pd.DataFrame | None = None, start: int = 0, owner: str = "张三") -> Book:
    whole = _customers(n) if whole is None else whole
    basic = Table("basic", whole.iloc[start:start + n], "客户基础信息表", "Basic", formats={"id_number": "sensitive"},
                  part_of=(whole, start))
    follow = pd.DataFrame({"customer_id": whole["customer_id"], "note": pd.Series(pd.NA, index=whole.index, dtype="str")})
    record = Table("follow", follow.iloc[start:start + n], "客户跟进记录表", "Follow-up",
                   labels={"note": ("跟进内容", "Note")}, part_of=(follow, start))
    weekly = Table("weekly", pd.DataFrame({"week": ["第1周", "第2周"], "plan": pd.Series([pd.NA] * 2, dtype="str")}),
                   "周报表", "Weekly", labels={"week": ("周次", "Week"), "plan": ("计划", "Plan")})
    parts = [BookPart(weekly, 60.0, {"plan": 4}, blank=("plan",)), BookPart(basic, 18.0),
             BookPart(record, 34.0, {"note": 3}, blank=("note",))]
    return Book(f"台账-{owner}", f"Ledger-{owner}", "客户维护台账", "Customer ledger", f"{owner}（001）",
                f"{owner} (001)", [("维护责任人", "Keeper", owner, owner)], GRID, parts, scope="城东支行",
                period="2026-10")


def test_rows_per_page_follow_the_line_height_exactly():
    frame = pd.DataFrame({"x": range(100)})
    for height in (18.0, 34.0, 60.0):
        per = int(ROOM // height)
        assert per * height <= ROOM < (per + 1) * height
        assert BookPart(Table("t", frame.head(per), "t", "t"), height).pages == 1          # exactly one page full
        assert BookPart(Table("t", frame.head(per + 1), "t", "t"), height).pages == 2      # one line over
        assert BookPart(Table("t", frame.head(per - 1), "t", "t"), height).pages == 1
    assert BookPart(Table("t", frame.head(0), "t", "t"), 18.0).pages == 1                 # an empty table: its header


def test_contents_name_each_part_pages_after_the_cover_and_contents():
    per = BookPart(Table("t", _customers(1), "t", "t"), 18.0).rows_per_page
    book = _book(per + 1)                  # basic information on two pages; follow-up on ceil((per+1)/11)
    follow_pages = BookPart(Table("t", _customers(per + 1), "t", "t"), 34.0).pages
    assert book.contents("zh") == [("1", "周报表", "3"), ("2", "客户基础信息表", "4–5"),
                                   ("3", "客户跟进记录表", f"6–{5 + follow_pages}")]
    assert book.page_count == 5 + follow_pages


def _workbook(tmp_path, books: list[Book], **options) -> openpyxl.Workbook:
    report = Report("客户分配", "Allocation", [Section("s", "s", [Table("t", pd.DataFrame({"x": [1]}), "表", "T")])],
                    "t", extra_sheets=books, period="2026-10")
    write_report(str(tmp_path / "o.xlsx"), report, WriteOptions(**options))
    return openpyxl.load_workbook(tmp_path / "o.xlsx")


def test_a_book_sheet_breaks_at_every_page_and_repeats_the_header(tmp_path):
    per = BookPart(Table("t", _customers(1), "t", "t"), 18.0).rows_per_page
    book = _book(per + 3)
    sheet = _workbook(tmp_path, [book])["台账-张三"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    firsts = [row[0] for row in values]
    breaks = [b.id for b in sheet.row_breaks.brk]                  # the row above each break, 1-based
    assert len(breaks) == book.page_count - 1
    starts = [0] + breaks                                          # each page's first row, 0-based
    assert firsts[starts[1]] == "目\u3000录"
    titles = [firsts[s] for s in starts[2:]]
    assert titles[:3] == ["周报表", "客户基础信息表", "客户基础信息表（续）"]
    assert titles[3] == "客户跟进记录表"
    for s in starts[3:5]:                                          # the basic information's header on both pages
        assert values[s + 1][:4] == ["客户号", "名称", "证件号码", "存款余额(元)"]
    assert values[starts[3] + 2][:2] == ["C000", "客户0"]
    assert values[starts[4] + 2][:2] == [f"C{per:03d}", f"客户{per}"]        # the next page goes on
    assert values[starts[3] + 2][2] == "110101********1234"                     # masked
    # a line is exactly as tall as the layout says, so the page breaks where it was counted
    assert sheet.row_dimensions[starts[3] + 3].height == 18.0
    assert sheet.row_dimensions[starts[5] + 3].height == 34.0


def test_boxes_to_fill_in_are_drawn_across_their_span(tmp_path):
    sheet = _workbook(tmp_path, [_book(2)])["台账-张三"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "第1周")
    sides = [(sheet.cell(row, c).border.left.style, sheet.cell(row, c).border.right.style) for c in range(2, 6)]
    assert sides == [("thin", None), (None, None), (None, None), (None, "thin")]    # one box over 4 columns
    assert all(sheet.cell(row, c).border.top.style == "thin" for c in range(1, 6))
    header = sheet.cell(row - 1, 2)
    assert header.value == "计划" and header.alignment.horizontal == "centerContinuous"


def test_a_book_prints_landscape_from_page_one_with_its_own_page_count(tmp_path):
    book = _book(3)
    sheet = _workbook(tmp_path, [book])["台账-张三"]
    assert sheet.page_setup.orientation == "landscape"                # as the layout counts its lines
    assert sheet.page_setup.firstPageNumber in (None, 1) and sheet.page_setup.useFirstPageNumber   # 1: the default
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.oddFooter.center.text == f"第 &P 页 / 共 {book.page_count} 页"
    assert sheet.oddHeader.left.text == "城东支行" and sheet.oddHeader.right.text == "2026-10"
    assert sheet.oddHeader.center.text == "客户维护台账 · 张三（001）"
    assert not sheet.print_options.gridLines


def test_books_cut_from_one_frame_each_get_their_rows(tmp_path):
    whole = _customers(7)
    books = [_book(3, whole, 0, "甲"), _book(4, whole, 3, "乙")]
    wb = _workbook(tmp_path, books, mask=False)
    for name, ids in (("台账-甲", ["C000", "C001", "C002"]), ("台账-乙", ["C003", "C004", "C005", "C006"])):
        values = [c.value for c in wb[name]["A"]]
        start = values.index("客户号")
        assert values[start + 1:start + 1 + len(ids)] == ids
        assert wb[name].cell(start + 2, 3).value == "110101199001011234"          # --no-mask


def test_row_stream_gives_any_rows_in_any_order():
    values = pd.Series([f"v{i}" for i in range(50)])
    from branchkit.io.xlsxrows import prepare

    column = prepare(values, "text", "A", 3)
    numbers = [i * 2 for i in range(50)]
    stream = RowStream([column], numbers)
    expected = b"".join(text_row(n, [(0, v, 3)]).replace(b' xml:space="preserve"', b"") for n, v in
                        zip(numbers[10:13], values[10:13]))
    assert stream.take(10, 3) == expected
    assert stream.take(40, 2) != b"" and stream.take(10, 3) == expected           # back again: rebuilt
    assert row_xml([Column("B", "blank", column.values, 7)],
                   __import__("pyarrow").array(["5"], __import__("pyarrow").large_string()), 0, 1, '">').to_pylist() == [
        '<row r="5"><c r="B5" s="7"/></row>']


def _html(books: list[Book], **options) -> tuple[str, int]:
    out = io.StringIO()
    pages = render_books(books, out, WriteOptions(**options), "台账")
    return out.getvalue(), pages


def test_html_books_number_every_page_within_its_book():
    books = [_book(30, owner="甲"), _book(2, owner="乙")]
    html, pages = _html(books)
    assert pages == sum(b.page_count for b in books) == html.count('<section class="page">')
    numbers = re.findall(r"第 (\d+) 页 / 共 (\d+) 页", html)
    assert numbers == [(str(i), str(b.page_count)) for b in books for i in range(1, b.page_count + 1)]
    assert "@page { size: A4 landscape" in html and "http" not in html.replace("http-equiv", "")
    assert "110101********1234" in html and "110101199001011234" not in html
    assert "1,234.50" in html                                                  # money as people read it


def test_html_books_escape_ledger_text_and_keep_the_table_lines():
    whole = _customers(2)
    whole.loc[0, "name"] = "<script>x</script>&"
    html, _ = _html([_book(2, whole)], mask=False)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;&amp;" in html
    assert "110101199001011234" in html
    assert html.count('<tr style="height:18pt">') == 2 and html.count('<tr style="height:60pt">') == 2
    assert html.count('<td colspan=4></td>') == 2                               # the weekly plan box


@pytest.mark.parametrize("rows", [0, 1])
def test_an_empty_part_still_prints_its_header(rows, tmp_path):
    book = _book(rows)
    html, pages = _html([book])
    assert pages == book.page_count == 5
    assert html.count("客户基础信息表") >= 2                                  # contents and its page


@pytest.mark.parametrize("extra", [None, 0, 1])
def test_a_book_sheet_declares_its_true_extent_and_writes_its_rows_in_order(extra, tmp_path):
    """The extent is summed per part, not per row: a part ending on a full page, on a page of one line,
    and empty parts (their header the last row) all declare the rows written."""
    import zipfile

    per_page = BookPart(Table("t", _customers(1), "t", "t"), 18.0).rows_per_page
    book = _book(per_page + 2 if extra is None else extra)
    _workbook(tmp_path, [book])
    with zipfile.ZipFile(next(tmp_path.glob("*.xlsx"))) as zf:
        xml = zf.read("xl/worksheets/sheet2.xml").decode("utf-8")        # after the table "表"
    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    assert numbers == sorted(set(numbers))                       # each row once, in order
    cells = re.findall(r'<c r="([A-Z]+)(\d+)"', xml)
    last_col = max(cells, key=lambda c: len(c[0]) * 100 + ord(c[0][-1]))[0]
    assert re.search(r'<dimension ref="([^"]+)"/>', xml).group(1) == f"A1:{last_col}{numbers[-1]}"
    assert numbers[-1] == max(int(r) for _, r in cells) and len(cells) > 60
