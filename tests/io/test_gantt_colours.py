"""A Gantt plan drawn in colours: filled day cells and no text (``io.xlsxfills``, ``gantt.colour_marks``).

Each workbook is drawn by the test with openpyxl (fills by ARGB, by theme colour and tint, white, pattern
``none``), merged ranges, shading columns and banded rows, and read as a folder's plan is read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color

from branchkit.io.discover import load_inputs
from branchkit.io.gantt import COLOUR_MARK
from branchkit.io.xlsxfills import _OFFICE_THEME, _rgb
from branchkit.messages import render
from branchkit.rules import load_rules

RULES = load_rules()
DAYS = [1, 2, 5, 6, 7, 8, 9]
GREEN = PatternFill("solid", fgColor="FF92D050")


def gantt(path, rows: dict[str, dict[int, PatternFill | str]], *, merges=(), legend: dict[int, PatternFill] | None = None,
          header_fill: dict[int, PatternFill] | None = None,
          name_fill: PatternFill | dict[str, PatternFill] | None = None):
    """A sheet 张三 of October 2026: one row per customer, ``{day: fill or text}``; ``merges`` as cell ranges."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "张三"
    sheet.append(["2026年10月对公客户营销计划（甘特图）"])
    sheet.append(["项目/客户", "月度工作目标", *DAYS])
    for day, fill in (header_fill or {}).items():
        sheet.cell(2, 3 + DAYS.index(day)).fill = fill
    for r, (customer, marks) in enumerate(rows.items(), start=3):
        sheet.cell(r, 1, customer)
        sheet.cell(r, 2, "开户")
        fill = name_fill.get(customer) if isinstance(name_fill, dict) else name_fill
        if fill is not None:
            sheet.cell(r, 1).fill = fill
        for day, mark in marks.items():
            cell = sheet.cell(r, 3 + DAYS.index(day))
            if isinstance(mark, str):
                cell.value = mark
            else:
                cell.fill = mark
    if legend is not None:
        r = sheet.max_row + 1
        sheet.cell(r, 1, "图例：绿色为计划")
        for day, fill in legend.items():
            sheet.cell(r, 3 + DAYS.index(day)).fill = fill
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def read(path, rules=RULES):
    inputs = load_inputs(rules, [path], options={"month": "2026-10"})
    plan, log = inputs.frame("plan"), inputs.log.frame()
    days = {name: sorted(int(d.day) for d in group["date"]) for name, group in plan.groupby("customer_name")}
    return days, plan, log


def warning(log: pd.DataFrame) -> pd.Series | None:
    """The sheet's one plan_marks_by_colour warning (None: none)."""
    hit = log[log["code"] == "plan_marks_by_colour"]
    assert len(hit) <= 1
    return None if hit.empty else hit.iloc[0]


def test_coloured_day_cells_are_planned_days_with_one_warning(tmp_path):
    path = gantt(tmp_path / "甘特图.xlsx", {"甲公司": {1: GREEN, 6: GREEN}, "乙公司": {9: GREEN}})
    days, plan, log = read(path)
    assert days == {"甲公司": [1, 6], "乙公司": [9]}
    assert set(plan["action"]) == {COLOUR_MARK}
    assert not plan["slipped"].any()
    found = warning(log)
    assert found["severity"] == "warning" and found["sheet"] == "张三" and found["value"] == "3"
    assert "3 coloured day cell(s)" in found["message"] and "#92D050" in found["message"]
    assert "plan_row_without_days" not in set(log["code"])


def test_one_written_mark_means_the_sheet_is_read_by_its_text(tmp_path):
    path = gantt(tmp_path / "甘特图.xlsx", {"甲公司": {1: GREEN, 6: GREEN}, "乙公司": {9: "拜访"}})
    days, _, log = read(path)
    assert days == {"乙公司": [9]}
    assert warning(log) is None
    assert log.loc[log["code"] == "plan_row_without_days", "value"].tolist() == ["甲公司"]


def test_white_and_no_fill_are_no_mark_a_tinted_white_is(tmp_path):
    white = PatternFill("solid", fgColor="FFFFFFFF")
    theme_white = PatternFill("solid", fgColor=Color(theme=0))
    none = PatternFill(fill_type=None)
    grey = PatternFill("solid", fgColor=Color(theme=0, tint=-0.14999847407452621))
    path = gantt(tmp_path / "甘特图.xlsx", {"甲公司": {1: white, 2: theme_white, 5: none, 6: grey},
                                          "乙公司": {9: GREEN}})
    days, _, log = read(path)
    assert days == {"甲公司": [6], "乙公司": [9]}
    assert "#D9D9D9" in warning(log)["message"]


def test_a_theme_colour_is_said_as_its_rgb_through_the_workbooks_theme(tmp_path):
    accent = PatternFill("solid", fgColor=Color(theme=4))
    path = gantt(tmp_path / "甘特图.xlsx", {"甲公司": {2: accent}, "乙公司": {5: GREEN}})
    _, _, log = read(path)
    # openpyxl writes Office 2007's theme, whose accent 1 is 4F81BD (2013's default would say 4472C4)
    assert "#4F81BD" in warning(log)["message"]


@pytest.mark.parametrize(("attrs", "rgb"), [
    ('theme="4" tint="0.5999938962981048"', "B4C7E7"),      # Excel: Accent 1, lighter 60%
    ('theme="4" tint="-0.249977111117893"', "2F5597"),      # Accent 1, darker 25%
    ('theme="0" tint="-0.14999847407452621"', "D9D9D9"),    # White, darker 15%
    ('rgb="FF92D050"', "92D050"), ('rgb="92D050"', "92D050"), ('indexed="10"', "FF0000"),
    ('indexed="64"', None), ('auto="1"', None),
])
def test_colours_resolve_as_excel_paints_them(attrs, rgb):
    assert _rgb(ET.fromstring(f"<fgColor {attrs}/>"), _OFFICE_THEME) == rgb


def test_a_coloured_merged_range_marks_every_day_it_covers(tmp_path):
    # days 5, 6, 7 are columns E, F, G; the fill is on the range's first cell only, as openpyxl leaves it
    path = gantt(tmp_path / "甘特图.xlsx", {"甲公司": {5: GREEN}, "乙公司": {1: GREEN}}, merges=["E3:G3"])
    days, _, log = read(path)
    assert days == {"甲公司": [5, 6, 7], "乙公司": [1]}
    assert warning(log)["value"] == "4"


def test_a_column_coloured_on_every_row_and_past_them_is_shading_from_two_rows(tmp_path):
    rows = {"甲公司": {1: GREEN, 7: GREEN}, "乙公司": {7: GREEN, 9: GREEN}}
    # the column's colour goes on into its day header: a weekend or today shaded, not two plans
    days, _, log = read(gantt(tmp_path / "two.xlsx", rows, header_fill={7: GREEN}))
    assert days == {"甲公司": [1], "乙公司": [9]}
    found = warning(log)
    assert found["value"] == "2" and "Day column(s) 7 coloured on every row" in found["message"]
    # the header not coloured: two customers planned on the same day
    days, _, log = read(gantt(tmp_path / "plain.xlsx", rows))
    assert days == {"甲公司": [1, 7], "乙公司": [7, 9]}
    assert "shading" not in warning(log)["message"]
    # in two colours down the column (a bar of each): plans, header coloured or not
    amber = PatternFill("solid", fgColor="FFFFC000")
    days, _, _ = read(gantt(tmp_path / "colours.xlsx", {"甲公司": {7: GREEN}, "乙公司": {7: amber}},
                            header_fill={7: GREEN}))
    assert days == {"甲公司": [7], "乙公司": [7]}
    # one row: its coloured day 7 is a plan, not shading
    days, _, log = read(gantt(tmp_path / "one.xlsx", {"甲公司": {1: GREEN, 7: GREEN}}, header_fill={7: GREEN}))
    assert days == {"甲公司": [1, 7]}
    assert "shading" not in warning(log)["message"]


def test_a_row_coloured_on_every_day_and_its_name_is_a_band_one_day_less_is_a_plan(tmp_path):
    every = {d: GREEN for d in DAYS}
    but_one = {d: GREEN for d in DAYS[1:]}
    days, _, log = read(gantt(tmp_path / "band.xlsx", {"甲公司": every, "乙公司": {1: GREEN}, "丙公司": but_one},
                              name_fill={"甲公司": GREEN, "丙公司": GREEN}))
    assert days == {"乙公司": [1], "丙公司": DAYS[1:]}
    assert "Row(s) 3 coloured on every day" in warning(log)["message"]
    assert log.loc[log["code"] == "plan_row_without_days", "value"].tolist() == ["甲公司"]
    # every day coloured but not its name: a plan of every day (驻点 all month)
    days, _, _ = read(gantt(tmp_path / "all.xlsx", {"甲公司": every, "乙公司": {2: GREEN}}))
    assert days == {"甲公司": DAYS, "乙公司": [2]}
    # the band is left out before columns are looked at: day 1, coloured on the band and on 乙, the one
    # other row, and in the header, is 乙's plan (taken with the band, it would be a column shaded)
    days, _, log = read(gantt(tmp_path / "band2.xlsx", {"甲公司": every, "乙公司": {1: GREEN}},
                              name_fill={"甲公司": GREEN}, header_fill={1: GREEN}))
    assert days == {"乙公司": [1]}
    assert "Day column" not in warning(log)["message"]


def test_a_legend_row_header_and_name_colours_are_no_plans(tmp_path):
    rows = {"甲公司": {7: GREEN}, "乙公司": {7: GREEN, 1: GREEN}}
    path = gantt(tmp_path / "甘特图.xlsx", rows, legend={2: GREEN}, header_fill={1: GREEN, 2: GREEN},
                 name_fill=PatternFill("solid", fgColor="FFFFC000"))
    days, _, log = read(path)
    # the legend row names no customer: its day 2 is no plan; the names' colour is no day; day 7, on both
    # plan rows but neither in the header nor below, is two plans
    assert days == {"甲公司": [7], "乙公司": [1, 7]}
    assert "#FFC000" not in warning(log)["message"]
    # the legend row's colour under day 7 carries the column past the plan rows: shading
    days, _, _ = read(gantt(tmp_path / "legend7.xlsx", rows, legend={7: GREEN}))
    assert days == {"乙公司": [1]}


def test_colours_are_not_read_when_the_rules_say_so(tmp_path):
    rules = RULES.model_copy(update={"plan": RULES.plan.model_copy(update={"colour_marks": False})})
    days, plan, log = read(gantt(tmp_path / "甘特图.xlsx", {"甲公司": {1: GREEN}}), rules)
    assert plan.empty and warning(log) is None
    assert log.loc[log["code"] == "plan_row_without_days", "value"].tolist() == ["甲公司"]


def test_a_network_of_sheets_reads_alike_in_one_process_and_two(tmp_path, monkeypatch):
    # 34 sheets: read apart in worker processes with --jobs 2 (readapart.APART_FROM), the colours' source
    # travelling with each sheet; every third sheet has a written mark, so its colour is no mark
    from branchkit.io.discover import Loader

    apart = []
    original = Loader._add_grids_apart
    monkeypatch.setattr(Loader, "_add_grids_apart", lambda self, todo: (apart.append(len(todo)),
                                                                        original(self, todo)))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for k in range(34):
        sheet = book.create_sheet(f"E{k:03d}")
        sheet.append(["2026年10月计划"])
        sheet.append(["项目/客户", "月度工作目标", *DAYS])
        sheet.append([f"客户{k}", "开户"])
        sheet.cell(3, 3 + k % 7).fill = GREEN
        if k % 3 == 2:
            sheet.cell(3, 3 + (k + 1) % 7, "拜访")
    path = tmp_path / "甘特图.xlsx"
    book.save(path)
    one = load_inputs(RULES, [path], options={"month": "2026-10"}, jobs=1)
    two = load_inputs(RULES, [path], options={"month": "2026-10"}, jobs=2)
    pd.testing.assert_frame_equal(one.frame("plan"), two.frame("plan"))
    pd.testing.assert_frame_equal(one.log.frame(), two.log.frame())
    assert apart == [34]
    plan = one.frame("plan")
    expected = sorted((f"客户{k}", DAYS[(k + 1) % 7 if k % 3 == 2 else k % 7]) for k in range(34))
    assert sorted(zip(plan["customer_name"], plan["date"].dt.day)) == expected
    found = one.log.frame()
    assert found.loc[found["code"] == "plan_marks_by_colour", "sheet"].tolist() == \
        [f"E{k:03d}" for k in range(34) if k % 3 != 2]


def test_the_warning_in_chinese_names_the_count_the_colours_and_the_shading():
    params = {"cells": 3, "colours": ("#92D050", "#FFC000"), "shaded_days": (7,), "shaded_rows": (4, 6)}
    text = render("plan_marks_by_colour", "zh", params)
    assert "3 个填色的日期格" in text and "#92D050、#FFC000" in text
    assert "（7日）" in text and "第 4、6 行" in text
    plain = render("plan_marks_by_colour", "zh", {"cells": 1, "colours": ("#92D050",)})
    assert "底色" not in plain


def test_a_sheet_the_batch_leaves_to_read_alone_keeps_its_warning(tmp_path, monkeypatch):
    # two sheets go to gantt_batch; one it leaves is read by read_gantt with the head the batch read (read
    # again, the colours already written into the grid would hide the warning)
    import branchkit.io.gantt_batch as batch

    taken = batch._taken
    monkeypatch.setattr(batch, "_taken", lambda grid, start: None if grid.sheet == "李四" else taken(grid, start))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for k, name in enumerate(["张三", "李四"]):
        sheet = book.create_sheet(name)
        sheet.append(["2026年10月计划"])
        sheet.append(["项目/客户", "月度工作目标", *DAYS])
        sheet.append([f"客户{k}", "开户"])
        sheet.cell(3, 3 + k).fill = GREEN
    book.save(tmp_path / "甘特图.xlsx")
    days, _, log = read(tmp_path / "甘特图.xlsx")
    assert days == {"客户0": [1], "客户1": [2]}
    assert log.loc[log["code"] == "plan_marks_by_colour", "sheet"].tolist() == ["张三", "李四"]


def test_only_the_cells_asked_for_are_kept_from_a_sheet_coloured_all_over(tmp_path):
    # a sheet coloured over thousands of cells (a crafted file could hold millions): the scan keeps the
    # plan rows' day cells it is asked for, never a table of every coloured cell
    from branchkit.io.xlsxcheck import check_package
    from branchkit.io.xlsxfills import FillSource

    path = gantt(tmp_path / "甘特图.xlsx", {"甲公司": {1: GREEN, 6: GREEN}})
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for row in range(10, 410):
        for col in range(1, 51):
            sheet.cell(row, col).fill = GREEN
    book.save(path)
    part = check_package(path, str(path), RULES.input).parts["张三"]
    source = FillSource(str(path), part, str(path), RULES.input)
    assert source.cells({2}, {2, 3, 4, 5, 6}) == {(2, 2): "#92D050", (2, 5): "#92D050"}
    assert len(source.cells(set(range(9, 410)), set(range(50)))) == 400 * 50
    days, _, log = read(path)
    assert days == {"甲公司": [1, 6]}
