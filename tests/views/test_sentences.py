"""Every sentence a report prints about a table is computed from that table (issue 15).

The month-end pack of generated networks (``branchkit sample`` at small sizes, different seeds) and
crafted cases (no shortfall / shortfalls, no problems / warnings, no overdue / overdue, parts left
out / none) is written as html (parsed back) and xlsx (read back); then every sentence is checked
against the table or chart it sits beside: a "no X" sentence only where the X table is empty, every
count in a sentence equal to the rows (or sums) of its table, the network's tier chart adding up to
the customers of each branch.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rendered import HtmlSection, HtmlTable, parse_html, sections, xlsx_rows
from typer.testing import CliRunner

from branchkit.cli import app
from branchkit.core.report import MonthPack, Omission
from branchkit.core.staffing import plan_staffing
from branchkit.io.output import WriteOptions, write_report
from branchkit.io.tables import Report, Section
from branchkit.labels import column_label
from branchkit.problems import Problem, ProblemLog
from branchkit.rules import load_rules
from branchkit.views.report import LABELS, Quality, cover_section, summarise_problems
from branchkit.views.staff import shortfall_table, staff_report

MONTH = "2026-10"
NETWORKS = [(2, 300, 3), (3, 450, 11)]            # (branches, customers, seed)
#: Sentences that say a table is empty, as the views write them; each may appear only as an empty state.
NO_X = [r"无逾期未拜访客户", r"未发现问题", r"全部生成", r"均达到其类型的最低配置", r"本季无(新增|流失)客户",
        r"本月无计价", r"No customer is overdue", r"No problems found", r"is included", r"meets its type's minimum",
        r"No (new )?customer (lost )?this quarter", r"No piece-rate lines"]


def _label(key: str, lang: str) -> str:
    zh, en = LABELS[key] if key in LABELS else (column_label(key, "zh"), column_label(key, "en"))
    return zh if lang == "zh" else en


def _run(*args: object) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def _numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def _int(cell: str) -> int:
    return int(cell.replace(",", "")) if cell else 0


# --- fixtures: generated networks and their reports --------------------------------------------

@pytest.fixture(scope="module", params=NETWORKS, ids=lambda n: f"{n[0]}x{n[1]}-seed{n[2]}")
def network(request, tmp_path_factory) -> dict[str, Path]:
    """A generated network, its month-end pack (html zh and en, xlsx) and its allocation (html)."""
    branches, customers, seed = request.param
    out = tmp_path_factory.mktemp(f"net{seed}")
    folder = out / "ledgers"
    _run("sample", folder, "--branches", branches, "--customers", customers, "--seed", seed, "-q")
    paths = {"folder": folder}
    for name, args in {"zh.html": ["--lang", "zh"], "en.html": ["--lang", "en"], "zh.xlsx": ["--lang", "zh"]}.items():
        paths[name] = out / f"report.{name}"
        _run("report", "--month", MONTH, folder, "-o", paths[name], "-q", *args)
    paths["allocate.html"] = out / "allocate.html"
    _run("allocate", folder, "-o", paths["allocate.html"], "-q")
    return paths


# --- the checks ----------------------------------------------------------------------------------

def _table(section: HtmlSection, key: str, lang: str) -> HtmlTable:
    """The table of a section whose title ends with the title of ``key`` (the report's own titles)."""
    titles = {"problems": ("台账问题汇总", "Problems found"), "omitted": ("未包含的内容", "Parts left out"),
              "ledgers": ("台账读取情况", "Ledger rows"), "cover": ("封面", "Cover"),
              "shortfalls": ("最低配置缺口", "Below the minimum"), "staff": ("网点", "Branches"),
              "overdue": ("逾期未拜访客户", "Customers overdue for a visit"), "changes": ("分配变动", "Changes"),
              "coverage": ("维护覆盖", "Keeper coverage"), "managers": ("客户经理汇总", "Per manager"),
              "branches": ("网点对比", "Branch comparison")}
    title = titles[key][0 if lang == "zh" else 1]
    found = [t for t in section.tables if t.title == title or t.title.endswith(" " + title)]
    assert len(found) == 1, (key, [t.title for t in section.tables])
    return found[0]


def check_empty_sentences(doc_text: str, all_sections: list[HtmlSection]) -> None:
    """A "no X" sentence is said only in place of an empty table, never as prose beside rows."""
    empties = " ".join(t.empty for s in all_sections for t in s.tables if t.empty)
    for pattern in NO_X:
        assert len(re.findall(pattern, doc_text)) == len(re.findall(pattern, empties)), pattern
    for section in all_sections:
        for table in section.tables:
            assert (table.empty is None) == bool(table.rows), (section.title, table.title)
        for chart in section.charts:       # a chart saying "no data" beside a table that has rows lies
            if chart.all("text", "empty"):
                assert all(t.empty is not None for t in section.tables), (section.group, section.title)


def check_cover(cover: HtmlSection, lang: str, branches: list[str]) -> None:
    """The cover's counts equal its tables: problems by severity, ledger rows, parts left out, branches."""
    items = dict(_table(cover, "cover", lang).rows)
    problems = _table(cover, "problems", lang)
    severity, count = column_label("severity", lang), _label("count", lang)
    by = {"error": 0, "warning": 0}
    for level, n in zip(problems.column(severity) if problems.rows else [], problems.column(count) if problems.rows
                        else []):
        by[{"错误": "error", "警告": "warning", "Error": "error", "Warning": "warning"}[level]] += _int(n)
    said = _numbers(items[_t(lang, "发现的问题", "Problems found")])
    assert said == [by["error"], by["warning"]]
    if problems.empty is not None:
        assert said == [0, 0] and problems.empty == _t(lang, "未发现问题。", "No problems found.")
    ledgers = _table(cover, "ledgers", lang)
    sums = [sum(_int(v) for v in ledgers.column(_label(c, lang))) for c in ("read", "used", "rejected")]
    assert _numbers(items[_t(lang, "台账行", "Ledger rows")]) == sums
    omitted = _table(cover, "omitted", lang)
    assert _int(items[_t(lang, "未包含的内容", "Parts left out")]) == len(omitted.rows)
    listed = items[_t(lang, "网点", "Branches")]
    assert listed == f"{len(branches)}: " + _t(lang, "、", ", ").join(branches)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def check_network(network: HtmlSection | None, lang: str) -> None:
    """The comparison's last row is what the text says; the tier chart adds up to each branch's customers."""
    if network is None:
        return
    table = _table(network, "branches", lang)
    branch, customers = table.column(column_label("branch", lang)), table.column(_label("customers", lang))
    says_last = _t(lang, "最后一行", "The last row") in network.text
    assert says_last == (branch[-1] == _t(lang, "全网合计", "Network"))
    chart = next(c for c in network.charts if c.all("title")[0].text().startswith(
        _t(lang, "各网点客户层级", "Customers by tier per branch")))
    assert not chart.all("text", "empty"), "the tier chart says there is no data"
    drawn: dict[str, int] = {}
    for bar in chart.all("rect", "bar"):
        category, rest = bar.all("title")[0].text().split(" · ", 1)
        drawn[category] = drawn.get(category, 0) + _int(rest.split(": ")[1].split(" ")[0])
    expected = {b: _int(c) for b, c in zip(branch[:-1], customers[:-1]) if _int(c)}
    assert drawn == expected


def check_branch(pages: list[HtmlSection], lang: str, comparison: dict[str, dict[str, str]] | None) -> None:
    """A branch's pages: the allocation summary against coverage and changes, staffing against its
    shortfalls, overdue against the comparison, plan counts against their own formula."""
    by_title = {s.title: s for s in pages}
    load = by_title.get(_t(lang, "维护覆盖与负荷", "Keeper coverage and load"))
    if load is not None:
        numbers = _numbers(load.text.split(_t(lang, "。", ". By source")[0])[0])
        read, allocated, targets, unplaced, out, rejected = numbers[:6]
        assert read == allocated + unplaced + out + rejected
        coverage = _table(load, "coverage", lang)
        total = dict(zip(coverage.column(column_label("tier", lang)), coverage.column(_label("kept", lang))))
        assert allocated - targets == _int(total[_t(lang, "合计", "All")])
        changes_said = int(re.search(_t(lang, r"维护人变动 (\d+) 户", r"Keeper changes (\d+)"), load.text).group(1))
        changes = by_title.get(_t(lang, "较上月分配变动", "Changes since last month"))
        if changes is not None:
            assert changes_said == len(_table(changes, "changes", lang).rows)
    staffing = by_title.get(_t(lang, "人员配置", "Staffing"))
    if staffing is not None:
        check_staffing(staffing, lang)
    overdue = by_title.get(_t(lang, "逾期未拜访客户", "Customers overdue for a visit"))
    if overdue is not None:
        table = _table(overdue, "overdue", lang)
        if comparison is not None:
            assert len(table.rows) == _int(comparison[_label("overdue", lang)])
        assert (table.empty is not None) == (not table.rows)
    plan = by_title.get(_t(lang, "计划执行情况", "Plan adherence"))
    if plan is not None:
        managers = _table(plan, "managers", lang)
        for row in managers.rows:
            cell = dict(zip(managers.headers, row))
            assert _int(cell[column_label("planned", lang)]) == sum(
                _int(cell[column_label(c, lang)]) for c in ("done_on_time", "slipped", "missed"))


def check_staffing(section: HtmlSection, lang: str) -> None:
    """An empty shortfall table says how many branches were checked and met; a non-empty one lists only
    branches the branch table marks as below the minimum."""
    branches = _table(section, "staff", lang)
    met = branches.column(column_label("minimum_met", lang))
    names = branches.column(column_label("branch", lang))
    shortfalls = _table(section, "shortfalls", lang)
    yes, no = ("是", "否") if lang == "zh" else ("Yes", "No")
    if shortfalls.empty is not None:
        assert no not in met
        said, checked = _numbers(shortfalls.empty), met.count(yes)
        assert sum(said) == len(met)                      # every branch: checked and met, or not checked
        if checked:
            assert said[0] == checked
        else:
            assert shortfalls.empty.startswith(_t(lang, "未检查", "The minimum staffing was not checked"))
    else:
        short = set(shortfalls.column(column_label("branch", lang)))
        assert short == {n for n, m in zip(names, met) if m == no}


def check_report(path: Path, lang: str) -> list[HtmlSection]:
    """Every check on one month-end pack in html."""
    doc = parse_html(path)
    found = sections(doc)
    check_empty_sentences(doc.text(), found)
    groups = list(dict.fromkeys(s.group for s in found if s.group))
    check_cover(found[0], lang, groups)
    network = next((s for s in found if s.title == _t(lang, "全网汇总与网点对比", "Network and branch comparison")),
                   None)
    check_network(network, lang)
    rows = {}
    if network is not None:
        table = _table(network, "branches", lang)
        rows = {r[0]: dict(zip(table.headers, r)) for r in table.rows}
    for group in groups:
        check_branch([s for s in found if s.group == group], lang, rows.get(group))
    return found


# --- generated networks ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sentence_of_the_pack_agrees_with_its_table(network, lang):
    found = check_report(network[f"{lang}.html"], lang)
    assert len({s.group for s in found if s.group}) >= 2


def test_the_allocation_summary_counts_its_tables(network):
    """Sources, changes, conflicts and declined claims in the summary = the rows of those tables."""
    found = sections(parse_html(network["allocate.html"]))
    summary = found[0].text
    tables = {t.title: t for s in found for t in s.tables}
    allocation = tables["客户分配表"].column(column_label("source", "zh"))
    sources = summary.split("来源：")[1].split("。")[0]
    for word in ("保持", "认领", "分配", "溢出分配", "目标客户"):
        assert int(re.search(rf"(?:^|、){word} (\d+) 户", sources).group(1)) == allocation.count(word), word
    assert int(re.search(r"维护人变动 (\d+) 户", summary).group(1)) == len(tables["分配变动"].rows)
    conflicts = tables["认领冲突"]
    distinct = len(set(conflicts.column(column_label("customer_id", "zh")))) if conflicts.rows else 0
    assert int(re.search(r"认领冲突 (\d+) 户", summary).group(1)) == distinct
    assert int(re.search(r"未采纳的认领 (\d+) 条", summary).group(1)) == len(tables["未采纳的认领"].rows)


def test_the_workbook_says_no_x_only_on_empty_sheets(network):
    """xlsx: an empty-state sentence sits alone under its header; the cover's counts equal its sheets."""
    sheets = xlsx_rows(network["zh.xlsx"])
    for name, rows in sheets.items():
        cells = " ".join(str(v) for r in rows for v in r if isinstance(v, str))
        if any(re.search(p, cells) for p in NO_X):
            assert len([r for r in rows if any(v not in (None, "") for v in r)]) == 2, name
    cover = {r[0]: r[1] for r in sheets["封面"][1:]}
    problems = sheets["台账问题汇总"]
    head = problems[0]
    errors = sum(int(r[head.index("条数")]) for r in problems[1:] if r[head.index("级别")] == "错误")
    warnings = sum(int(r[head.index("条数")]) for r in problems[1:] if r[head.index("级别")] == "警告")
    assert _numbers(cover["发现的问题"]) == [errors, warnings]
    overdue = sheets["逾期未拜访客户"]
    comparison = sheets["网点对比"]
    total = comparison[-1][comparison[0].index("逾期未拜访户数")]
    said = overdue[1][0] if len(overdue) == 2 and isinstance(overdue[1][0], str) and "无逾期" in overdue[1][0] else None
    assert (int(total or 0) == 0) == (said is not None)
    if said is None:
        assert len(overdue) - 1 == int(total)


# --- crafted cases -------------------------------------------------------------------------------

def _html(tmp_path: Path, sections_: list[Section], lang: str) -> list[HtmlSection]:
    target = tmp_path / f"crafted.{lang}.html"
    write_report(str(target), Report("报告", "Report", sections_, primary=sections_[0].tables[0].key),
                 WriteOptions(lang=lang))
    doc = parse_html(target)
    found = sections(doc)
    check_empty_sentences(doc.text(), found)
    return found


def _staff(rows: list[tuple[str, str]], branch: str) -> pd.DataFrame:
    frame = pd.DataFrame([{"staff_id": f"{branch}{i}", "name": f"{branch}{i}", "role": role, "branch": branch,
                           "state": "active"} for i, role in enumerate(rows)])
    return frame.assign(active=True)


FULL_GENERAL = ["head", "comprehensive_teller", "high_counter", "lobby_manager", "corporate_rm"]


def _staffing(staff: pd.DataFrame | None, branches: list[str]):
    volumes = pd.DataFrame([{"branch": b, "branch_type": "general", "daily_transactions": 260.0,
                             "corporate_cash": 1.0, "corporate_noncash": 1.0, "tellers_current": 2}
                            for b in branches])
    return plan_staffing(load_rules().staffing, volumes=volumes, staff=staff)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", ["met", "short", "no_staff"])
def test_staffing_sentence_follows_the_shortfalls(tmp_path, lang, case):
    """Every branch meeting its minimum, one short, and no staff list: the sentence says which."""
    branches = ["甲", "乙"]
    staff = {"met": pd.concat([_staff(FULL_GENERAL, b) for b in branches], ignore_index=True),
             "short": pd.concat([_staff(FULL_GENERAL, "甲"), _staff(FULL_GENERAL[:2], "乙")], ignore_index=True),
             "no_staff": None}[case]
    result = _staffing(staff, branches)
    report = staff_report(result, load_rules(), lang=lang)
    found = _html(tmp_path, report.sections, lang)
    check_staffing(_merged(found), lang)
    shortfalls = _table(_merged(found), "shortfalls", lang)
    expected = {
        "met": _t(lang, "已检查的 2 个网点均达到其类型的最低配置。",
                  "Each of the 2 branch(es) checked meets its type's minimum."),
        "short": None,
        "no_staff": _t(lang, "未检查最低配置；2 个网点未提供员工名单，未检查。",
                       "The minimum staffing was not checked; 2 branch(es) without a staff list were not checked."),
    }[case]
    assert shortfalls.empty == expected
    if case == "short":
        assert set(shortfalls.column(column_label("branch", lang))) == {"乙"}
    table = shortfall_table(result, load_rules(), lang)
    assert table.frame.empty == (case != "short")


def _merged(found: list[HtmlSection]) -> HtmlSection:
    """All tables of a report as one section (the staff report puts branches and shortfalls apart)."""
    return HtmlSection("", "", " ".join(s.text for s in found), [c for s in found for c in s.charts],
                       [t for s in found for t in s.tables])


def _quality(problems: list[Problem]) -> Quality:
    ledgers = pd.DataFrame({"ledger": ["customers", "staff"], "files": ["a.xlsx", "b.xlsx"], "read": [10, 4],
                            "used": [9, 4], "rejected": [1, 0], "totals_rows": [1, 0]})
    log = ProblemLog()
    log.extend(problems)
    return Quality(ledgers, summarise_problems(log.frame()))


PROBLEMS = [Problem(code="not_a_number", message="expected a number", column="存款余额", value="1,2O0",
                    kind="customers", row=7),
            Problem.of("undated_deduction", severity="warning", kind="deductions", count=2),
            Problem(code="unknown_customer", message="no customer with this id", value="C9", kind="claims",
                    severity="warning"),
            Problem(code="unknown_customer", message="no customer with this id", value="C8", kind="claims",
                    severity="warning")]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("problems", [[], PROBLEMS], ids=["none", "some"])
@pytest.mark.parametrize("omitted", [[], [Omission("plan", ("plan",)), Omission("score", (), (
    Problem.of("no_pool", kind="pool", branch="甲").note(),))]], ids=["all_parts", "parts_left_out"])
def test_cover_counts_its_tables(tmp_path, lang, problems, omitted):
    """No problems / an error and warnings; every part / parts left out: the cover's sentences follow."""
    pack = MonthPack(pd.Period(MONTH, freq="M"), ["甲", "乙"], omitted=list(omitted))
    cover = cover_section(pack, _quality(problems), lang)
    found = _html(tmp_path, [cover], lang)
    check_cover(found[0], lang, ["甲", "乙"])
    omitted_table = _table(found[0], "omitted", lang)
    assert (omitted_table.empty is None) == bool(omitted)
    if problems:
        table = _table(found[0], "problems", lang)
        assert sorted(map(_int, table.column(_label("count", lang)))) == [1, 1, 2]
    if omitted:
        reason = " ".join(omitted_table.column(LABELS["reason"][0 if lang == "zh" else 1]))
        assert _t(lang, "网点 甲 没有绩效工资总额行", "no performance-pay pool row for branch 甲") in reason


@pytest.fixture(scope="module")
def visited(tmp_path_factory) -> Path:
    """A generated network where every customer was visited on the last day of the month: none overdue."""
    out = tmp_path_factory.mktemp("visited")
    folder = out / "ledgers"
    _run("sample", folder, "--branches", 2, "--customers", 200, "--seed", 5, "-q")
    customers = openpyxl.load_workbook(folder / "客户清单.xlsx", read_only=True)
    ids = []
    for sheet in customers.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        head = next(i for i, r in enumerate(rows) if "客户号" in r)
        j = rows[head].index("客户号")
        ids += [r[j] for r in rows[head + 1:] if r[j] and str(r[j]).strip() and "合计" not in str(r[j])]
    book = openpyxl.load_workbook(folder / "拜访记录.xlsx")
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if any(isinstance(v, str) and "拜访日期" in v for v in r))
    template = list(rows[head + 1])
    header = [str(v) if v else "" for v in rows[head]]
    for customer in ids:
        row = list(template)
        row[header.index(next(h for h in header if "客户号" in h))] = customer
        row[header.index(next(h for h in header if "拜访日期" in h))] = pd.Timestamp("2026-10-30").to_pydatetime()
        sheet.append(row)
    book.save(folder / "拜访记录.xlsx")
    return folder


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_overdue_customer_is_said_only_when_none_is(visited, tmp_path, lang):
    target = tmp_path / f"visited.{lang}.html"
    _run("report", "--month", MONTH, visited, "-o", target, "-q", "--lang", lang)
    found = check_report(target, lang)
    overdue = [s for s in found if s.title == _t(lang, "逾期未拜访客户", "Customers overdue for a visit")]
    assert overdue and all(_table(s, "overdue", lang).empty == _t(
        lang, f"截至 {MONTH}-31 无逾期未拜访客户。", f"No customer is overdue for a visit as of {MONTH}-31.")
        for s in overdue)


def test_a_changed_table_changes_its_sentence(network, tmp_path):
    """The same network with the staff of one branch removed: its shortfall sentence becomes a table."""
    folder = tmp_path / "ledgers"
    shutil.copytree(network["folder"], folder)
    book = openpyxl.load_workbook(folder / "员工.xlsx")
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if "岗位" in r)
    role = rows[head].index("岗位")
    for i in range(len(rows), head + 1, -1):                # remove every lobby manager
        if rows[i - 1][role] in ("大堂经理",):
            sheet.delete_rows(i)
    book.save(folder / "员工.xlsx")
    target = tmp_path / "short.html"
    _run("report", "--month", MONTH, folder, "-o", target, "-q", "--skip-invalid")
    found = check_report(target, "zh")
    staffing = [s for s in found if s.title == "人员配置"]
    assert staffing and all(_table(s, "shortfalls", "zh").rows for s in staffing)


@pytest.mark.parametrize("left", [0.0, 12.5])
def test_the_pay_note_says_what_the_pools_table_says(left):
    """'Bonuses add up to each pool' only when no pool has anything undistributed; else how much is left."""
    from branchkit.views.score import _pool_words

    pools = pd.DataFrame({"branch": ["甲", "乙"], "undistributed": [0.0, left]})
    zh, en = _pool_words(pools, "zh"), _pool_words(pools, "en")
    if left:
        assert "1 个网点共 12.50 元未分配" in zh and "but for 12.50 left undistributed in 1 branch(es)" in en
    else:
        assert zh == "各网点奖金合计等于奖金池。" and en == "they add up to each branch's pool."


def test_the_score_pages_note_agrees_with_the_pools_table(network, tmp_path):
    target = tmp_path / "score.html"
    _run("score", "--month", MONTH, network["folder"], "-o", target, "-q")
    doc = parse_html(target)
    notes = " ".join(li.text() for li in doc.all("li"))
    pools = next(t for s in sections(doc) for t in s.tables if t.title == "奖金池")
    undistributed = sum(float(v.replace(",", "")) for v in pools.column(column_label("undistributed", "zh")))
    assert ("各网点奖金合计等于奖金池。" in notes and "未分配（见奖金池表" not in notes) == (undistributed == 0)
