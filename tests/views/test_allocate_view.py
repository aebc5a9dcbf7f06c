"""The allocation report: keys for machines, words for people, every table and ledger sheet."""

from __future__ import annotations

import pandas as pd

from branchkit.core.allocate import allocate
from branchkit.io.book import Book
from branchkit.rules import load_rules
from branchkit.views.allocate import Counts, allocation_report, summary_lines

RULES = load_rules()
STAFF = pd.DataFrame({"staff_id": ["h1", "t1", "t2"], "name": ["李行长", "王柜员", "陈柜员"],
                      "role": ["head", "low_counter", "low_counter"], "branch": "城东支行",
                      "state": ["active", "left", "active"]})
CUSTOMERS = pd.DataFrame({"customer_id": ["A", "B", "T"], "name": ["甲", "乙", "丙公司"],
                          "kind": ["retail", "retail", "corporate"], "branch": "城东支行",
                          "deposit": [100.0, 2e6, 0.0], "keeper": ["t1", None, None],
                          "status": ["existing", "existing", "target"], "scale": [None, None, "large"]})


def _result():
    return allocate(CUSTOMERS, STAFF, RULES)


def test_machine_report_keeps_keys_and_adds_the_reason_in_words():
    report = allocation_report(_result(), lang="en", people=False)
    table = report.primary_table().frame.set_index("customer_id")
    assert table.loc["A", "kind"] == "retail" and table.loc["A", "reason"] == "keeper_left"
    assert table.loc["A", "reason_text"] == "the keeper left"
    assert report.extra_sheets == []


def test_people_report_words_values_and_has_a_ledger_sheet_per_keeper():
    report = allocation_report(_result(), lang="zh", people=True)
    table = report.primary_table().frame.set_index("customer_id")
    assert table.loc["A", "kind"] == "个人" and table.loc["B", "tier"] == "高端"
    assert table.loc["A", "reason_text"] == "原维护人已离职" and table.loc["T", "source"] == "目标客户"
    assert [t.key for t in report.tables()] == ["allocation", "keepers", "balance", "segments", "changes",
                                                "conflicts", "declined", "unplaced", "targets"]
    assert report.extra_sheets == []            # the books are made when the workbook is written
    books = [s for s in report.all_extra_sheets() if isinstance(s, Book)]
    assert [s.title_zh for s in books] == ["台账-李行长-h1", "台账-陈柜员-t2"]
    assert [p.table.key for p in books[0].parts] == ["ledger_weekly", "ledger_basic", "ledger_follow_up"]
    assert "<svg" in str(report.sections[0].charts[0])


def test_summary_reconciles_and_names_each_role():
    result = _result()
    lines = summary_lines(result, Counts.of(result, read=4, rejected=1))
    assert lines[0] == "customers: read 4 = allocated 3 (1 targets) + unplaced 0 + out of scope 0 + rejected 1"
    assert lines[1] == "by source: kept 0, claim 0, distributed 2, spill 0, target 1"
    assert any(line.startswith("  Low-counter teller:") for line in lines)          # words, not the key
    assert not any("low_counter" in line for line in lines)


def test_each_keeper_book_has_its_cover_weekly_form_and_tables():
    from branchkit.views.allocate import allocation_books

    books = allocation_books(_result(), "zh", "2026-10")
    head = books[0]
    assert head.owner_zh == "李行长（h1）" and head.scope == "城东支行" and head.period == "2026-10"
    assert head.cover_lines("zh") == [("维护责任人", "李行长"), ("工号", "h1"), ("岗位", "网点负责人"),
                                      ("所属网点", "城东支行"), ("月份", "2026年10月"),
                                      ("维护客户", "1 户（高端 1 户，中端 0 户，一般 0 户）")]
    weekly, basic, follow = (p.table for p in head.parts)
    assert weekly.frame["dates"].tolist() == ["10月1日–10月4日", "10月5日–10月11日", "10月12日–10月18日",
                                              "10月19日–10月25日", "10月26日–10月31日"]
    assert basic.frame["customer_id"].tolist() == ["B"] and basic.frame["tier"].tolist() == ["高端"]
    assert follow.frame["customer_id"].tolist() == ["B"] and follow.frame["follow_content"].isna().all()
    assert all(b.parts[0].table is weekly for b in books)          # one weekly form for every book
    assert sum(b.parts[1].table.frame.shape[0] for b in books) == 2


def test_a_book_without_a_month_leaves_the_dates_to_fill_in():
    from branchkit.views.allocate import allocation_books

    book = allocation_books(_result(), "en")[0]
    assert dict(book.cover_lines("en"))["Month"] == "__________"
    weekly = book.parts[0].table.frame
    assert weekly["week"].tolist() == [f"Week {i}" for i in range(1, 7)] and (weekly["dates"] == "").all()
    zh = allocation_books(_result(), "zh")[0]
    assert dict(zh.cover_lines("zh"))["月份"] == "______年____月"


def test_a_branch_page_shows_the_sections_own_summary_and_tables():
    """``branch_allocation`` (what the month report's branch pages show) makes the summary and the
    segments, keepers and changes tables exactly as ``allocation_sections`` does, in both languages."""
    from branchkit.views.allocate import allocation_sections, branch_allocation

    result = _result()
    for lang in ("zh", "en"):
        sections = allocation_sections(result, lang)
        summary, tables = branch_allocation(result, lang)
        assert (summary.text_zh, summary.text_en) == (sections[0].text_zh, sections[0].text_en)
        assert [str(c) for c in summary.charts] == [str(c) for c in sections[0].charts] and summary.charts
        found = {t.key: t for s in sections for t in s.tables}
        assert set(tables) == {"segments", "keepers", "changes"}
        for key, table in tables.items():
            pd.testing.assert_frame_equal(table.frame, found[key].frame)
            assert (table.title_zh, table.title_en, table.labels) == (found[key].title_zh, found[key].title_en,
                                                                      found[key].labels)
        role = tables["keepers"].frame.set_index("keeper").loc["h1", "keeper_role"]
        assert role == ("网点负责人" if lang == "zh" else "Branch head")          # words, not codes
