"""A report's later sections (``Report.later``: the month-end pack's branch pages) are built where the
html writer renders them, and the document is byte for byte the one with those sections given up front:
the same anchors, group headings and table of contents, with one process or two."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from branchkit.io.html import render_html
from branchkit.io.options import WriteOptions
from branchkit.io.tables import LaterSections, Report, Section, Table
from branchkit.parallel import can_fork


def _pages(shared: dict[str, int], branch: str) -> list[Section]:
    """A branch's pages: one to three sections (told apart by ``shared``), a table on the first."""
    frame = pd.DataFrame({"name": [f"{branch}甲", "<b>&"], "amount": [1234.5, None]})
    table = Table(f"t-{branch}", frame, f"{branch} 明细", f"{branch} details", formats={"amount": "money"})
    out = [Section(f"第{j + 1}页", f"Page {j + 1}", [table] if j == 0 else [], text_zh=f"{branch}说明{j}",
                   anchor=f"b-{branch}-{j + 1}", group=branch, page_break=j == 0)
           for j in range(shared[branch])]
    return out


def _fixed() -> list[Section]:
    cover = Section("封面", "Cover", text_zh="全网")
    network = Section("全网", "Network", [Table("n", pd.DataFrame({"x": [1, 2]}), "全网表", "Network table")])
    return [cover, network]


BRANCHES = {"城东": 2, "城西": 1, "乡镇": 3}


@pytest.mark.parametrize("jobs", [1, 2])
def test_later_sections_render_as_if_given_up_front(jobs):
    up_front = Report("月报", "Report", _fixed() + [s for b in BRANCHES for s in _pages(BRANCHES, b)], "n")
    later = Report("月报", "Report", _fixed(), "n", later=LaterSections(_pages, BRANCHES, list(BRANCHES)))
    expected = render_html(up_front, WriteOptions(jobs=1))
    got = render_html(later, WriteOptions(jobs=jobs))
    assert got == expected
    # each branch's name opens its group once, its sections anchored by the pages themselves
    assert got.count('<h1 class="group">城东</h1>') == 1 and got.count('<h1 class="group">乡镇</h1>') == 1
    assert got.index('id="b-城东-2"') < got.index('id="b-城西-1"') < got.index('id="b-乡镇-3"')
    assert "&lt;b&gt;&amp;" in got


def _pid_pages(shared: None, branch: str) -> list[Section]:
    return [Section(branch, branch, text_zh=f"pid={os.getpid()}", anchor=f"a-{branch}", group=branch)]


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_later_sections_are_built_in_the_processes_that_render_them():
    report = Report("月报", "Report", _fixed(), "n", later=LaterSections(_pid_pages, None, ["甲", "乙", "丙", "丁"]))
    alone = render_html(report, WriteOptions(jobs=1))
    assert alone.count(f"pid={os.getpid()}") == 4
    apart = render_html(report, WriteOptions(jobs=2))
    assert f"pid={os.getpid()}" not in apart and apart.count("pid=") == 4
