"""The own xlsx package writer (io/xlsxpackage.py, io/xlsxstyles.py): what it writes is read back with
openpyxl (and, where installed, LibreOffice), byte for byte the same every time."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section, Table
from branchkit.io.xlsx import sheet_name
from branchkit.io.xlsxpackage import Workbook
from branchkit.io.xlsxpage import scope_of
from branchkit.io.xlsxrows import SheetRows
from branchkit.io.xlsxstyles import Styles, make_format


def _report() -> Report:
    frame = pd.DataFrame({"branch": ["城东支行", "城东支行"], "customer_id": ["001", "002"],
                          "note": ["很长的说明 " * 6, "短"], "deposit": [1234.5, 20.0]})
    table = Table("t", frame, "客户", "Customers", labels={"note": ("说明", "Note")}, wrap=("note",))
    return Report("客户分配", "Allocation", [Section("s", "s", [table])], "t", period="2026-10")


def _book(tmp_path) -> tuple[openpyxl.Workbook, bytes]:
    path = tmp_path / "o.xlsx"
    write_report(str(path), _report(), WriteOptions())
    return openpyxl.load_workbook(path), path.read_bytes()


def _member(path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


def test_header_money_and_wrapped_cells_keep_their_styles(tmp_path):
    sheet = _book(tmp_path)[0]["客户"]
    header = sheet["A1"]
    assert header.value == "网点" and header.font.b is True and header.font.name == "等线" and header.font.sz == 10
    assert header.fill.fill_type == "solid" and header.fill.fgColor.rgb == "FFDDEBF7"
    assert {header.border.left.style, header.border.right.style, header.border.top.style,
            header.border.bottom.style} == {"thin"}
    assert header.alignment.wrap_text is True and header.alignment.vertical == "top"
    money = sheet["D2"]
    assert money.value == 1234.5 and money.number_format == "#,##0.00" and money.font.b is not True
    assert money.fill.fill_type is None and money.border.left.style is None
    note = sheet["C2"]
    assert note.alignment.wrap_text is True and note.alignment.vertical == "top" and note.number_format == "@"
    assert sheet["B2"].alignment.wrap_text is not True          # only the listed column wraps


def test_print_titles_filter_and_page_setup_read_back(tmp_path):
    book, _ = _book(tmp_path)
    sheet = book["客户"]
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.auto_filter.ref == "A1:D3"
    assert sheet.freeze_panes == "A2"
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer) \
        == (0.4, 0.4, 0.75, 0.75, 0.3, 0.3)
    assert sheet.oddHeader.left.text == "城东支行" and sheet.oddHeader.right.text == "2026-10"
    assert sheet.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    assert book.properties.title == "客户分配" and book.properties.creator == "branchkit"
    assert book.properties.created == dt.datetime(2000, 1, 1)


def test_defined_names_are_local_to_their_sheet_as_excel_writes_them(tmp_path):
    path = tmp_path / "n.xlsx"
    book = Workbook(path)
    for name in ("甲", "It's"):
        sheet = book.add_worksheet(name)
        sheet.rows.add_row(0, [(0, "x", 0), (2, "y", 0)])
        sheet.autofilter(0, 0, 4, 2)
        sheet.repeat_rows(0)
    book.add_worksheet("plain")                     # neither: no name of its own
    book.close()
    xml = _member(path, "xl/workbook.xml")
    names = re.findall(r"<definedName [^>]*>[^<]*</definedName>", xml)
    assert names == [
        """<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'甲'!$A$1:$C$5</definedName>""",
        """<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">'It''s'!$A$1:$C$5</definedName>""",
        """<definedName name="_xlnm.Print_Titles" localSheetId="0">'甲'!$1:$1</definedName>""",
        """<definedName name="_xlnm.Print_Titles" localSheetId="1">'It''s'!$1:$1</definedName>"""]
    read = openpyxl.load_workbook(path)
    assert read["It's"].print_title_rows == "$1:$1" and read["It's"].auto_filter.ref == "A1:C5"
    assert read["plain"].print_title_rows is None


def test_row_breaks_orientation_margins_header_footer_and_first_page(tmp_path):
    path = tmp_path / "p.xlsx"
    book = Workbook(path)
    sheet = book.add_worksheet("p")
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.6, top=0.8, bottom=0.9)
    sheet.set_header("&LA&&B&C标题", {"margin": 0.2})
    sheet.set_footer("&C第 &P 页", {"margin": 0.25})
    sheet.set_h_pagebreaks([20, 5, 5, 0])           # sorted, once each; row 0 is no break
    sheet.set_start_page(3)
    book.close()
    read = openpyxl.load_workbook(path)["p"]
    assert [b.id for b in read.row_breaks.brk] == [5, 20]
    assert read.page_setup.orientation == "landscape" and read.page_setup.paperSize == 9
    assert int(read.page_setup.firstPageNumber) == 3 and read.page_setup.useFirstPageNumber is True
    m = read.page_margins
    assert (m.left, m.right, m.top, m.bottom, m.header, m.footer) == (0.5, 0.6, 0.8, 0.9, 0.2, 0.25)
    assert read.oddHeader.left.text == "A&&B" and read.oddHeader.center.text == "标题"     # && prints &
    assert read.oddFooter.center.text == "第 &P 页"
    assert read.print_options.gridLines is not True          # printed gridlines only when asked


@pytest.mark.parametrize(("count", "kept"), [(1022, 1022), (1023, 1023), (1024, 1023)])
def test_at_most_1023_page_breaks_the_first_ones(tmp_path, count, kept):
    book = Workbook(tmp_path / "b.xlsx")
    sheet = book.add_worksheet("b")
    sheet.set_h_pagebreaks(range(1, count + 1))
    book.close()
    xml = _member(tmp_path / "b.xlsx", "xl/worksheets/sheet1.xml")
    ids = [int(i) for i in re.findall(r'<brk id="(\d+)"', xml)]
    assert ids == list(range(1, kept + 1)) and f'manualBreakCount="{kept}"' in xml


@pytest.mark.parametrize(("option", "printed", "screen"), [(0, True, True), (1, False, True), (2, False, False)])
def test_gridlines_as_xlsxwriter_numbers_them(tmp_path, option, printed, screen):
    book = Workbook(tmp_path / "g.xlsx")
    book.add_worksheet("g").hide_gridlines(option)
    book.close()
    sheet = openpyxl.load_workbook(tmp_path / "g.xlsx")["g"]
    assert bool(sheet.print_options.gridLines) is printed
    assert sheet.sheet_view.showGridLines is not False if screen else sheet.sheet_view.showGridLines is False


@pytest.mark.parametrize(("row", "col", "cell"), [(1, 0, "A2"), (0, 2, "C1"), (3, 1, "B4"), (0, 0, None)])
def test_frozen_panes(tmp_path, row, col, cell):
    book = Workbook(tmp_path / "f.xlsx")
    book.add_worksheet("f").freeze_panes(row, col)
    book.close()
    assert openpyxl.load_workbook(tmp_path / "f.xlsx")["f"].freeze_panes == cell


def test_column_widths_are_stored_as_excel_stores_typed_widths(tmp_path):
    book = Workbook(tmp_path / "w.xlsx")
    sheet = book.add_worksheet("w")
    text = book.add_format({"num_format": "@"})
    sheet.set_column(0, 0, 12, text)                # 12 * 7 + 5 = 89 px -> 3254/256
    sheet.set_column(1, 2, 9.5)                     # 67 + 5 = 72 px -> 2633/256, two columns in one <col>
    sheet.set_column(3, 3, 0.5)                     # below one unit: 6 px, no padding
    sheet.set_column(4, 4, None, text)              # a format only: Excel's default width (8.43: 64 px)
    book.close()
    cols = re.findall(r"<col [^>]*/>", _member(tmp_path / "w.xlsx", "xl/worksheets/sheet1.xml"))
    assert cols == ['<col min="1" max="1" width="12.7109375" style="1" customWidth="1"/>',
                    '<col min="2" max="3" width="10.28515625" customWidth="1"/>',
                    '<col min="4" max="4" width="0.85546875" customWidth="1"/>',
                    '<col min="5" max="5" width="9.140625" style="1"/>']
    read = openpyxl.load_workbook(tmp_path / "w.xlsx")["w"]
    assert read.column_dimensions["A"].width == 12.7109375


def test_equal_formats_share_an_index_and_only_used_ones_are_written():
    styles = Styles()
    bold = make_format({"bold": True, "font_size": 10})
    assert styles.index(make_format({"font_size": 10, "bold": True})) == 1 == styles.index(bold)
    make_format({"num_format": "0.000"})            # made, never used: not in styles.xml
    assert styles.index(make_format({"num_format": "yyyy"})) == 2
    assert styles.index(make_format({"num_format": "General"})) == 0        # the default cell format
    assert styles.index(make_format({"num_format": "@"})) == 3
    xml = styles.xml().decode()
    assert re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/>', xml) == [("164", "yyyy"), ("165", "@")]
    assert "0.000" not in xml and 'cellXfs count="4"' in xml and 'fonts count="2"' in xml


def test_border_colour_and_alignment_words():
    styles = Styles()
    styles.index(make_format({"border": 1, "border_color": "#FFFFFF", "align": "center_across",
                              "valign": "vcenter", "shrink": True, "left": 0}))
    xml = styles.xml().decode()
    assert '<border><left/><right style="thin"><color rgb="FFFFFFFF"/></right>' in xml
    assert '<alignment horizontal="centerContinuous" vertical="center" shrinkToFit="1"/>' in xml


@pytest.mark.parametrize("props", [{"bold_font": True}, {"bg_color": "red"}, {"bg_color": "#12345"},
                                   {"border": 3}, {"align": "middle"}, {"valign": "center"}])
def test_a_format_the_writer_cannot_write_is_refused(props):
    with pytest.raises(ValueError):
        make_format(props)


@pytest.mark.parametrize(("name", "ok"), [("x" * 31, True), ("x" * 32, False), ("", False), ("a/b", False),
                                          ("'a", False), ("a'", False), ("a'b", True), ("tab\tx", False),
                                          ("a\uffffb", False)])
def test_sheet_names_are_checked(tmp_path, name, ok):
    book = Workbook(tmp_path / "s.xlsx")
    if ok:
        assert book.add_worksheet(name).name == name
    else:
        with pytest.raises(ValueError):
            book.add_worksheet(name)


def test_sheet_name_drops_what_xml_cannot_hold():
    assert sheet_name("a\uffffb\ufffe", set()) == "ab"


def test_a_repeated_sheet_name_is_refused_whatever_its_case(tmp_path):
    book = Workbook(tmp_path / "s.xlsx")
    book.add_worksheet("Summary")
    with pytest.raises(ValueError, match="exists"):
        book.add_worksheet("SUMMARY")
    assert [s.name for s in book.sheets] == ["Summary"]


def test_members_are_deflated_with_fixed_dates_and_the_bytes_repeat(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_report(str(first), _report(), WriteOptions())
    write_report(str(second), _report(), WriteOptions())
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        infos = zf.infolist()
        assert zf.testzip() is None
    assert [i.filename for i in infos][:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_empty_and_streamed_sheets(tmp_path):
    path = tmp_path / "e.xlsx"
    book = Workbook(path)
    book.add_worksheet("empty")
    full = book.add_worksheet("full")
    full.rows.add_row(2, [(1, "b3", 0)])
    book.close()
    assert '<dimension ref="A1"/>' in _member(path, "xl/worksheets/sheet1.xml")
    assert "<sheetData/>" in _member(path, "xl/worksheets/sheet1.xml")
    assert '<dimension ref="A1:B3"/>' in _member(path, "xl/worksheets/sheet2.xml")
    read = openpyxl.load_workbook(path)
    assert read.sheetnames == ["empty", "full"] and read["full"]["B3"].value == "b3"
    assert read["empty"].max_row == 1 and read["empty"]["A1"].value is None


def test_three_thousand_sheets_each_with_its_names(tmp_path):
    path = tmp_path / "many.xlsx"
    book = Workbook(path)
    for i in range(3000):
        sheet = book.add_worksheet(f"台账-{i:04d}")
        sheet.rows.add_row(0, [(0, f"v{i}", 0)])
        sheet.repeat_rows(0)
    book.close()
    read = openpyxl.load_workbook(path, read_only=True)
    assert read.sheetnames == [f"台账-{i:04d}" for i in range(3000)]
    assert next(read["台账-2999"].iter_rows(values_only=True)) == ("v2999",)
    xml = _member(path, "xl/workbook.xml")
    assert xml.count("_xlnm.Print_Titles") == 3000
    assert f"""localSheetId="2999">'台账-2999'!$1:$1<""" in xml


@pytest.mark.slow
def test_libreoffice_reads_the_package(tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc)")
    path = tmp_path / "o.xlsx"
    write_report(str(path), _report(), WriteOptions())
    csv = "csv:Text - txt - csv (StarCalc):44,34,76"          # comma, double quote, UTF-8
    subprocess.run([office, "--headless", "--convert-to", csv, "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=300, check=False, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    rows = (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("网点,客户号,说明,") and rows[1].startswith("城东支行,001,")
    assert rows[2] == "城东支行,002,短,20.00"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_any_titles_make_sheet_names_the_package_takes_and_openpyxl_reads(tmp_path, titles):
    used: set[str] = set()
    names = [sheet_name(t, used) for t in titles]
    book = Workbook(tmp_path / "h.xlsx")
    for name in names:
        sheet = book.add_worksheet(name)
        sheet.repeat_rows(0)
        sheet.set_header(f"&C{name}")
    book.close()
    read = openpyxl.load_workbook(tmp_path / "h.xlsx")
    assert read.sheetnames == names
    assert [read[n].print_title_rows for n in names] == ["$1:$1"] * len(names)


def test_scope_of_strips_and_skips_blanks_missing_values_and_totals():
    frame = pd.DataFrame({"branch": [" 城东支行 ", "城东支行", None, "", "  ", "合计"]})
    assert scope_of([frame], "zh") == "城东支行"
    assert scope_of([frame, pd.DataFrame({"branch": ["城西支行"]})], "zh") == "全网（2 个网点）"
    assert scope_of([pd.DataFrame({"branch": pd.Series([None, None], dtype="str")})], "en") == ""


@pytest.mark.slow
def test_libreoffice_prints_the_breaks_titles_and_page_numbers_as_written(tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler-utils not installed (apt-get install libreoffice-calc poppler-utils)")
    path = tmp_path / "print.xlsx"
    book = Workbook(path)
    sheet = book.add_worksheet("print")
    sheet.rows.add_row(0, [(0, "表头", 0)])
    for r in range(1, 30):
        sheet.rows.add_row(r, [(0, f"行{r:02d}", 0)])
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_footer("&C第 &P 页")
    sheet.set_h_pagebreaks([10, 20])
    sheet.set_start_page(3)
    book.close()
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=300, check=False, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "print.pdf"), "-"], capture_output=True,
                          text=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) == 3
    for number, (page, first, last) in enumerate(zip(pages, (1, 10, 20), (9, 19, 29)), start=3):
        assert "表头" in page                                   # the title row on every page
        assert f"行{first:02d}" in page and f"行{last:02d}" in page
        assert f"行{last + 1:02d}" not in page and (first == 1 or f"行{first - 1:02d}" not in page)
        assert re.search(rf"第\s*{number}\s*页", page)
