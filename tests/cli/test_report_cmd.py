"""``branchkit report --month`` on the shipped sample: contents, safety, reconciliation with the commands.

Must show 1 (no external reference, every branch and staff name, a chart per section, escaped ledger
text, sheets reconciling with allocate/staff/plan/score run alone), 2 (plan and sales ledgers missing),
3 (headless Chromium screenshot, every sheet non-empty) and 4 (--jobs 2 = --jobs 1).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.labels import column_label

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
BRANCHES = ["城东支行", "城中支行", "城西支行", "青山镇支行"]
PAYLOAD = "<script>alert(1)</script>"


def _run(*args: str) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The report of the shipped sample as html and xlsx, and each command's own csv."""
    out = tmp_path_factory.mktemp("report")
    paths = {name: out / name for name in ("report.html", "report.xlsx", "report.csv", "allocate.csv",
                                            "staff.csv", "plan.csv", "score.csv", "staff_list.csv")}
    for name in ("report.html", "report.xlsx", "report.csv"):
        _run("report", "--month", "2026-10", SAMPLE, "-o", paths[name], "-q")
    _run("allocate", SAMPLE, "--month", "2026-10", "-o", paths["allocate.csv"], "-q")
    _run("staff", SAMPLE, "-o", paths["staff.csv"], "-q")
    _run("plan", SAMPLE, "--month", "2026-10", "-o", paths["plan.csv"], "-q")
    _run("score", SAMPLE, "--month", "2026-10", "-o", paths["score.csv"], "-q")
    _run("validate", SAMPLE / "员工.xlsx", "--kind", "staff", "-o", paths["staff_list.csv"], "-q")
    return paths


def _sections(html: str) -> list[str]:
    return re.findall(r"<section\b.*?</section>", html, flags=re.S)


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, engine="openpyxl", dtype={column_label("staff_id", "zh"): str,
                                                       column_label("keeper", "zh"): str})


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"staff_id": str, "keeper": str, "customer_id": str})


def test_html_is_self_contained_and_complete(built):
    html = built["report.html"].read_text(encoding="utf-8")
    assert not re.search(r"(?:src|href|action)\s*=\s*[\"']?\s*(?:https?:)?//", html, flags=re.I)
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html and "<script" not in html and "@import" not in html
    for branch in BRANCHES:
        assert f'<h1 class="group">{branch}</h1>' in html
    staff = _csv(built["staff_list.csv"])
    missing = [n for n in staff["name"] if n not in html]
    assert not missing, missing
    sections = _sections(html)
    assert len(sections) >= 2 + 4 * 6      # cover, network, six parts per branch
    for section in sections:
        title = re.search(r"<h2>(.*?)</h2>", section, flags=re.S).group(1)
        assert "<svg" in section, f"section without a chart: {title}"
    assert html.count('class="page-break"') == len(BRANCHES)
    assert 'nav class="toc"' in html and "@page { size: A4" in html


def test_every_part_is_there_with_charts(built):
    html = built["report.html"].read_text(encoding="utf-8")
    for title in ("封面与数据质量", "全网汇总与网点对比", "客户分层结构", "维护覆盖与负荷", "较上月分配变动",
                  "人员配置", "计划执行情况", "逾期未拜访客户", "积分卡与绩效工资"):
        assert f"{title}</h2>" in html, title
    assert "未包含“" not in html      # every ledger is in the sample


def test_ledger_text_is_escaped(built, tmp_path):
    changes = _sheet(built["report.xlsx"], "分配变动")
    customer = str(changes[column_label("customer_id", "zh")].iloc[0]).zfill(10)
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    book = openpyxl.load_workbook(folder / "客户清单.xlsx")
    hits = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            if row[0].value is not None and str(row[0].value) == customer:
                row[1].value = PAYLOAD
                hits += 1
    assert hits == 1
    book.save(folder / "客户清单.xlsx")
    out = tmp_path / "r.html"
    _run("report", "--month", "2026-10", folder, "-o", out, "-q")
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert PAYLOAD not in html


def test_workbook_reconciles_with_the_commands(built):
    book = built["report.xlsx"]
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert names[0] == "封面"
    for name in ("台账读取情况", "网点对比", "存量客户细分统计表", "1对N维护责任表", "分配变动", "网点",
                 "客户经理汇总", "逾期未拜访客户", "积分与绩效工资", "绩效工资"):
        assert name in names
    assert len(set(n.lower() for n in names)) == len(names) and all(len(n) <= 31 for n in names)

    # allocate: customers per keeper
    alloc = _csv(built["allocate.csv"])
    alone = alloc[alloc["status"].eq("existing")].groupby("keeper").size()
    keepers = _sheet(book, "1对N维护责任表").set_index(column_label("keeper", "zh"))[column_label("customers", "zh")]
    keepers = keepers[keepers > 0]
    pd.testing.assert_series_equal(keepers.sort_index(), alone.sort_index(), check_names=False, check_dtype=False)
    assert int(keepers.sum()) == 2969

    # staff: tellers needed per branch, in the branch sheet and the csv comparison
    staff = _csv(built["staff.csv"]).set_index("branch")["tellers_needed"]
    sheet = _sheet(book, "网点").set_index(column_label("branch", "zh"))[column_label("tellers_needed", "zh")]
    assert sheet.to_dict() == staff.to_dict()
    comparison = _csv(built["report.csv"]).set_index("branch")
    assert comparison.loc[BRANCHES, "tellers_needed"].to_dict() == staff.loc[BRANCHES].to_dict()
    assert comparison.loc["Network", "tellers_needed"] == staff.sum()

    # plan: planned and done on time per manager
    plan = _csv(built["plan.csv"]).groupby("staff_id")[["planned", "done_on_time"]].sum()
    managers = _sheet(book, "客户经理汇总").set_index(column_label("staff_id", "zh"))
    for column in ("planned", "done_on_time"):
        assert managers[column_label(column, "zh")].to_dict() == plan[column].to_dict()

    # score: total points and bonus per person, to the cent
    score = _csv(built["score.csv"]).set_index("staff_id")
    sheet = _sheet(book, "积分与绩效工资").set_index(column_label("staff_id", "zh"))
    assert sorted(sheet.index) == sorted(score.index)
    for column in ("bonus", "total", "piece_rate_pay"):
        mine = (sheet[column_label(column, "zh")] * 100).round().astype("int64")
        theirs = (score[column] * 100).round().astype("int64")
        assert mine.sort_index().to_dict() == theirs.sort_index().to_dict(), column
    assert round(comparison.loc["Network", "bonus"] * 100) == round(score["bonus"].sum() * 100)


def test_every_sheet_is_non_empty(built):
    book = openpyxl.load_workbook(built["report.xlsx"])
    for sheet in book.worksheets:
        assert sheet.max_row >= 2 and sheet.max_column >= 1, sheet.title
        assert any(c.value not in (None, "") for row in sheet.iter_rows(min_row=1, max_row=2) for c in row)
    cover = {r[0].value: r[1].value for r in book["封面"].iter_rows(min_row=2)}
    assert cover["月份"] == "2026-10" and cover["网点"].startswith("4:")
    assert cover["台账行"] == "读取 11047，使用 11047，拒绝 0"


def test_plan_and_sales_missing(tmp_path):
    folder = tmp_path / "ledgers"
    shutil.copytree(SAMPLE, folder)
    (folder / "甘特图.xlsx").unlink()
    (folder / "产品营销.xlsx").unlink()
    html_path, book_path = tmp_path / "r.html", tmp_path / "r.xlsx"
    result = _run("report", "--month", "2026-10", folder, "-o", html_path)
    assert "left out: plan (needs plan)" in result.output
    assert "left out: score (needs sales)" in result.output
    html = html_path.read_text(encoding="utf-8")
    assert "未包含“计划执行情况”：缺少甘特图台账，提供后即可生成。" in html
    assert "未包含“积分卡与绩效工资”：缺少产品营销台账，提供后即可生成。" in html
    assert "计划执行情况</h2>" not in html and "积分卡与绩效工资</h2>" not in html
    assert "逾期未拜访客户</h2>" in html and "人员配置</h2>" in html     # what the other ledgers allow
    for section in _sections(html):
        assert "<svg" in section
    _run("report", "--month", "2026-10", folder, "-o", book_path, "-q")
    omitted = _sheet(book_path, "未包含的内容")
    assert omitted[LABEL_NEEDS].tolist() == ["甘特图", "产品营销"]
    names = openpyxl.load_workbook(book_path, read_only=True).sheetnames
    assert "客户经理汇总" not in names and "积分与绩效工资" not in names and "网点" in names


LABEL_NEEDS = "需要的台账"


def _png_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values in the decoded scanlines.

    A blank (one-colour) page filters to a handful of byte values whatever PNG filter
    each row uses; a drawn page gives many.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw))


def test_chromium_renders_the_first_page(built, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    shot = tmp_path / "page.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1240,1754", built["report.html"].as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.stat().st_size > 10_000
    width, height, values = _png_colours(shot)
    assert (width, height) == (1240, 1754)
    assert values > 32


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("network") / "ledgers"
    _run("sample", folder, "--branches", "3", "--customers", "400", "-q")
    return folder


@pytest.mark.parametrize("ext", ["csv", "json", "html", "xlsx"])
def test_jobs_give_the_same_output(network, tmp_path, ext):
    one, two = tmp_path / f"one.{ext}", tmp_path / f"two.{ext}"
    _run("report", "--month", "2026-10", network, "-o", one, "-q", "--jobs", "1")
    _run("report", "--month", "2026-10", network, "-o", two, "-q", "--jobs", "2")
    if ext != "xlsx":
        assert one.read_bytes() == two.read_bytes()
        if ext == "csv":
            assert len(_csv(one)) == 4       # three branches and the network
        return
    first, second = openpyxl.load_workbook(one), openpyxl.load_workbook(two)
    assert first.sheetnames == second.sheetnames
    for a, b in zip(first.worksheets, second.worksheets):
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]


def test_usage_errors(tmp_path):
    runner = CliRunner()
    for args in (["report", str(SAMPLE), "-o", str(tmp_path / "r.html")],
                 ["report", "--month", "2026-13", str(SAMPLE), "-o", str(tmp_path / "r.html")],
                 ["report", "--month", "2026-10", "--quarter", "2026Q3", str(SAMPLE), "-o", str(tmp_path / "r.html")],
                 ["report", "--month", "2026-10", str(SAMPLE), "-o", str(tmp_path / "r.txt")],
                 ["report", "--month", "2026-10", str(SAMPLE)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


class _Browser:
    """Headless Chromium driven over ``--remote-debugging-pipe`` (commands on fd 3, replies on fd 4,
    each a JSON message ended by a NUL byte): a page laid out at a given size and media, measured by
    a script. No websocket library needed."""

    def __init__(self, binary: str) -> None:
        import os

        to_read, to_write = os.pipe()          # we write, chromium reads (its fd 3)
        from_read, from_write = os.pipe()      # chromium writes (its fd 4), we read

        def child() -> None:
            # fds 3 and 4 may be these very pipes: copy them out of the way first
            inward, outward = os.dup(to_read), os.dup(from_write)
            os.dup2(inward, 3)
            os.dup2(outward, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=child, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_read)
        os.close(from_write)
        self._out, self._in = os.fdopen(to_write, "wb"), from_read
        self._id, self._buffer = 0, b""
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def _call(self, method: str, session: str | None = None, **params) -> dict:
        import json
        import os

        self._id += 1
        message = {"id": self._id, "method": method, "params": params, **({"sessionId": session} if session else {})}
        self._out.write(json.dumps(message).encode() + b"\0")
        self._out.flush()
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._in, 1 << 16)
                assert chunk, "chromium closed its pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply["error"]
                return reply.get("result", {})

    def measure(self, url: str, width: int, media: str, script: str):
        import time

        page = lambda method, **params: self._call(method, session=self._session, **params)  # noqa: E731
        page("Emulation.setDeviceMetricsOverride", width=width, height=1000, deviceScaleFactor=1, mobile=width < 600)
        page("Emulation.setEmulatedMedia", media=media)
        page("Page.navigate", url=url)
        for _ in range(1200):
            if page("Runtime.evaluate", expression="document.readyState", returnByValue=True)["result"]["value"] \
                    == "complete":
                break
            time.sleep(0.05)
        return page("Runtime.evaluate", expression=script, returnByValue=True)["result"]["value"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


_TABLE_WIDTHS = """(() => Array.from(document.querySelectorAll('table')).map(t => {
  const box = t.closest('.scroll') || t.parentElement;
  return {table: t.scrollWidth, box: box.clientWidth, head: t.querySelector('th').textContent};
}))()"""


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    driver = _Browser(chromium)
    yield driver
    driver.close()


@pytest.mark.parametrize("width, media", [(1280, "screen"), (703, "print")])    # 703 px: A4 less the margins
def test_no_table_is_wider_than_its_box_on_screen_or_on_a4(built, browser, width, media):
    tables = browser.measure(built["report.html"].as_uri(), width, media, _TABLE_WIDTHS)
    assert len(tables) > 45                                  # wide tables are split, nothing is left out
    wider = [t for t in tables if t["table"] > t["box"] + 1]
    assert wider == [], wider


def test_a_phone_keeps_the_gantt_labels_readable(built, browser):
    script = """(() => Array.from(document.querySelectorAll('svg.bk-heat')).map(s =>
        s.getBoundingClientRect().width / s.viewBox.baseVal.width * 10))()"""     # day labels are 10 units
    sizes = browser.measure(built["report.html"].as_uri(), 375, "screen", script)
    assert sizes and min(sizes) >= 9


def test_the_network_chart_counts_each_branch_customers_by_tier(built):
    html = built["report.html"].read_text(encoding="utf-8")
    chart = re.search(r'<svg[^>]*aria-label="各网点客户层级（户数）".*?</svg>', html, flags=re.S).group(0)
    assert "无数据" not in chart
    counted = dict.fromkeys(BRANCHES, 0)
    for branch, count in re.findall(r"<title>(\S+) · [^:<]+: ([\d,]+) \(", chart):    # a segment's tooltip
        counted[branch] += int(count.replace(",", ""))
    comparison = _csv(built["report.csv"]).set_index("branch")
    assert counted == {b: int(comparison.loc[b, "customers"]) for b in BRANCHES}
