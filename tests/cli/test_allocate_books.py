"""``branchkit allocate --books``: every keeper's ledger book as one printable html file, and the
same books as sheets of the workbook; checked in LibreOffice and Chromium when they are installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from branchkit.cli import app

STAFF = [["工号", "姓名", "岗位", "所属网点"], ["001", "李行长", "行长", "城东支行"],
         ["002", "周对公", "对公客户经理", "城东支行"], ["005", "王柜员", "综合柜员", "城东支行"]]
HEAD = ["客户号", "客户名称", "客户类型", "所属网点", "存款余额", "贷款余额", "证件号码", "联系电话", "客户状态"]


@pytest.fixture
def ledgers(book, tmp_path) -> dict[str, Path]:
    rows = [HEAD, ["C01", "甲公司", "对公", "城东支行", 3_000_000, 0, "91320100MA1XXXXX0A", "", "存量"]]
    rows += [[f"R{i:02d}", f"客户{i}", "个人", "城东支行", 1_000 * i, 0, f"1101011990010{i:05d}", f"138{i:08d}", "存量"]
             for i in range(1, 41)]
    return {"customers": book("客户清单.xlsx", {"客户清单": rows}), "staff": book("员工.xlsx", {"员工": STAFF}),
            "dir": tmp_path}


def _args(ledgers, *extra: str) -> list[str]:
    return ["allocate", "--customers", str(ledgers["customers"]), "--staff", str(ledgers["staff"]), "--month",
            "2026-10", *extra]


def _pages(html: str) -> list[tuple[str, str]]:
    return re.findall(r"第 (\d+) 页 / 共 (\d+) 页", html)


def test_books_html_has_every_keeper_book_each_numbered_from_one(runner, ledgers):
    target = ledgers["dir"] / "台账.html"
    result = runner.invoke(app, _args(ledgers, "--books", str(target)))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    pages = _pages(html)
    match = re.search(r"wrote .*台账\.html: (\d+) ledger book\(s\), (\d+) page\(s\)", result.stderr)
    assert match and int(match.group(2)) == len(pages) == html.count('<section class="page">')
    books = int(match.group(1))
    assert [p for p in pages if p[0] == "1"] and len([p for p in pages if p[0] == "1"]) == books
    assert "客户维护台账" in html and "10月26日–10月31日" in html
    assert "138****0001" in html and "13800000001" not in html          # masked as html is
    assert "http://" not in html and "https://" not in html


def test_books_without_masking_and_in_english(runner, ledgers):
    target = ledgers["dir"] / "books.html"
    result = runner.invoke(app, _args(ledgers, "--books", str(target), "--no-mask", "--lang", "en"))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "13800000001" in html and "Customer ledger" in html and "Page 1 of" in html


@pytest.mark.parametrize("name", ["台账.csv", "-"])
def test_books_must_be_an_html_file(runner, ledgers, name):
    result = runner.invoke(app, _args(ledgers, "--books", name))
    assert result.exit_code == 2 and "--books" in result.stderr


def test_books_never_overwrite_an_input_and_dry_run_writes_nothing(runner, ledgers):
    result = runner.invoke(app, _args(ledgers, "--books", str(ledgers["customers"])))
    assert result.exit_code == 2
    target = ledgers["dir"] / "台账.html"
    result = runner.invoke(app, _args(ledgers, "--books", str(target), "--dry-run"))
    assert result.exit_code == 0 and not target.exists()


def test_the_workbook_has_the_same_books(runner, ledgers):
    out, html = ledgers["dir"] / "分配.xlsx", ledgers["dir"] / "台账.html"
    assert runner.invoke(app, _args(ledgers, "-o", str(out), "--books", str(html))).exit_code == 0
    book = openpyxl.load_workbook(out)
    main = book["客户分配表"]
    assert (main.oddHeader.left.text, main.oddHeader.right.text) == ("城东支行", "2026-10")
    assert main.print_title_rows == "$1:$1" and main.page_setup.orientation == "landscape"
    sheets = [book[name] for name in book.sheetnames if name.startswith("台账-")]
    counts = [int(re.search(r"共 (\d+) 页", s.oddFooter.center.text).group(1)) for s in sheets]
    totals = [int(total) for page, total in _pages(html.read_text(encoding="utf-8")) if page == "1"]
    assert counts == totals
    for sheet in sheets:
        assert len(sheet.row_breaks.brk) == int(re.search(r"共 (\d+) 页", sheet.oddFooter.center.text).group(1)) - 1


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.mark.slow
def test_libreoffice_prints_each_book_on_the_pages_its_contents_name(runner, ledgers, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice and poppler-utils not installed (apt-get install libreoffice-calc poppler-utils)")
    out = tmp_path / "分配.xlsx"
    assert runner.invoke(app, _args(ledgers, "-o", str(out), "--books", str(tmp_path / "b.html"))).exit_code == 0
    book = openpyxl.load_workbook(out)
    for name in book.sheetnames:                   # keep one book: LibreOffice prints every sheet
        if name != "台账-王柜员-005":
            del book[name]
    book.save(tmp_path / "one.xlsx")
    expected = int(re.search(r"共 (\d+) 页", book["台账-王柜员-005"].oddFooter.center.text).group(1))
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "one.xlsx")],
                   capture_output=True, timeout=300, check=False, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "one.pdf"
    assert pdf.exists()
    assert _pdf_pages(pdf) == expected
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    assert "客户维护台账" in pages[0] and "录" in pages[1] and "周报表" in pages[2]
    assert all("客户号" in p for p in pages[3:expected])          # every table page has its header row
    assert re.search(rf"第\s*{expected}\s*页\s*/\s*共\s*{expected}\s*页", pages[expected - 1])


@pytest.mark.slow
def test_chromium_prints_the_html_books_on_exactly_their_pages(runner, ledgers, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or shutil.which("pdfinfo") is None:
        pytest.skip("chromium and poppler-utils not installed (apt-get install chromium poppler-utils)")
    html = tmp_path / "台账.html"
    assert runner.invoke(app, _args(ledgers, "--books", str(html))).exit_code == 0
    pdf = tmp_path / "books.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], capture_output=True, timeout=300, check=False)
    assert pdf.exists()
    assert _pdf_pages(pdf) == len(_pages(html.read_text(encoding="utf-8")))
