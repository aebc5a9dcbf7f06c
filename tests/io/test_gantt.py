"""The wide Gantt plan as managers draw it: read into plan days, then held against visits.

Every workbook here is drawn by the test (openpyxl, once xlsxwriter) the ways branches draw
them: one sheet per manager or a 客户经理: line, merged cells across days, weekend columns absent
or present, two-row headers, each slip notation.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from branchkit.core.plan import Window, hold_plan
from branchkit.io.discover import load_inputs
from branchkit.io.gantt import day_of
from branchkit.models.ledgers import empty_frame
from branchkit.rules import load_rules

RULES = load_rules()
OCT_WORKDAYS = [1, 2, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30]


def draw(path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    """A workbook of the given sheets (rows as lists); ``merges`` per sheet, value in the first cell."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def day_row(days: list[int], marks: dict[int, str]) -> list:
    return [marks.get(d) for d in days]


def zhang_san() -> tuple[list[list], list[str]]:
    """Sheet named after the manager, weekends absent, 延迟至15日 and 延至14日, merged days 5-7."""
    header = ["序号", "项目/客户", "月度工作目标", *OCT_WORKDAYS]
    rows = [
        ["2026年10月 对公客户经理工作计划甘特图"],
        header,
        [1, "甲公司", "存款新增500万", *day_row(OCT_WORKDAYS, {1: "拜访", 8: "延迟至15日", 20: "签约"})],
        [2, "乙公司", "代发工资", *day_row(OCT_WORKDAYS, {5: "尽调", 12: "延至14日"})],
    ]
    col = 3 + OCT_WORKDAYS.index(5)          # 0-based column of day 5
    merge = f"{_letter(col)}4:{_letter(col + 2)}4"   # days 5, 6, 7 (Mon-Wed)
    return rows, ["A1:H1", merge]


def li_si() -> list[list]:
    """A generic sheet name with a 客户经理: line, every day 1..31 (weekends present), →15 and ->15."""
    days = list(range(1, 32))
    return [
        ["客户经理：李四", None, "网点：城中支行"],
        ["2026年10月工作计划"],
        ["项目/客户", "月度工作目标", *days],
        ["丙公司", "贷款投放", *day_row(days, {3: "拜访", 9: "→15"})],
        ["丁公司", "开户", *day_row(days, {10: "->15", 16: "回访"})],
    ]


def _letter(j: int) -> str:
    return openpyxl.utils.get_column_letter(j + 1)


def visits_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = empty_frame("visits")
    extra = pd.DataFrame({
        "visit_date": pd.to_datetime([r[0] for r in rows]).astype("datetime64[s]"),
        "staff_id": pd.Series([r[1] for r in rows], dtype="str"),
        "customer_name": pd.Series([r[2] for r in rows], dtype="str"),
    })
    return pd.concat([frame, extra], ignore_index=True)


def read(path, month: str | None = "2026-10", *, by_option: bool = True):
    """Read as ``--plan path`` does, or (``by_option=False``) as a file found in a folder."""
    options = {"month": month} if month else None
    inputs = load_inputs(RULES, [], {"plan": [path]}, options=options) if by_option else \
        load_inputs(RULES, [path], options=options)
    return inputs.frame("plan"), inputs.log.frame()


def adherence(plan: pd.DataFrame, visits: pd.DataFrame, month: str = "2026-10") -> dict:
    result = hold_plan(plan, visits, Window.of(month), RULES.plan, RULES.tiers.relationship)
    columns = ["planned", "done_on_time", "slipped", "slip_kept", "missed", "unplanned", "adherence"]
    table = result.adherence.set_index(["staff_id", "customer"])[columns]
    return {key: tuple(_plain(v) for v in row) for key, row in zip(table.index, table.itertuples(index=False))}


def _plain(value: object) -> object:
    if pd.isna(value):
        return None
    return round(value, 4) if isinstance(value, float) else int(value)


@pytest.fixture
def two_managers(tmp_path):
    rows, merges = zhang_san()
    return draw(tmp_path / "甘特图.xlsx", {"张三": rows, "Sheet2": li_si()}, {"张三": merges})


def test_sheet_per_manager_and_manager_line_are_read_as_plan_days(two_managers):
    # found by its file name: every sheet of a 甘特图 workbook is a plan, whatever the sheet is called
    plan, problems = read(two_managers, by_option=False)
    assert problems.empty, problems
    assert plan.groupby("staff_id")["customer_name"].unique().map(sorted).to_dict() == {
        "张三": ["乙公司", "甲公司"], "李四": ["丁公司", "丙公司"]}
    jia = plan[plan["customer_name"] == "甲公司"]
    assert jia["date"].dt.day.tolist() == [1, 8, 20]
    assert jia["goal"].unique().tolist() == ["存款新增500万"]
    assert jia["action"].tolist() == ["拜访", "延迟至15日", "签约"]
    assert jia["_row"].unique().tolist() == [3]


def test_merged_cells_across_days_are_the_same_action_on_each_day(two_managers):
    plan, _ = read(two_managers)
    yi = plan[plan["customer_name"] == "乙公司"]
    assert yi["date"].dt.day.tolist() == [5, 6, 7, 12]
    assert yi["action"].tolist()[:3] == ["尽调"] * 3


@pytest.mark.parametrize(("customer", "note", "day", "new_day"), [
    ("甲公司", "延迟至15日", 8, 15), ("乙公司", "延至14日", 12, 14), ("丙公司", "→15", 9, 15), ("丁公司", "->15", 10, 15),
])
def test_each_slip_notation_gives_the_new_date(two_managers, customer, note, day, new_day):
    plan, _ = read(two_managers)
    row = plan[(plan["customer_name"] == customer) & (plan["action"] == note)].iloc[0]
    assert row["date"].day == day and row["slipped_to"] == pd.Timestamp(2026, 10, new_day)
    assert bool(row["slipped"])


def test_weekend_columns_present_or_absent_give_the_same_dates(two_managers):
    plan, _ = read(two_managers)
    saturday = plan[(plan["customer_name"] == "丙公司") & (plan["action"] == "拜访")]["date"].iloc[0]
    assert saturday == pd.Timestamp(2026, 10, 3) and saturday.weekday() == 5


def test_adherence_per_row(two_managers):
    plan, _ = read(two_managers)
    visits = visits_frame([
        ("2026-10-01", "张三", "甲公司"), ("2026-10-15", "张三", "甲公司"), ("2026-10-22", "张三", "甲公司"),
        ("2026-10-05", "张三", "乙公司"), ("2026-10-07", "张三", "乙公司"),
        ("2026-10-03", "李四", "丙公司"), ("2026-10-15", "李四", "丙公司"),
        ("2026-10-15", "李四", "丁公司"), ("2026-10-16", "李四", "丁公司"), ("2026-10-28", "李四", "丁公司"),
        ("2026-10-06", "李四", "乙公司"),          # 乙公司 is 张三's: 李四's visit is unplanned for 李四
    ])
    # planned, done_on_time, slipped, slip_kept, missed, unplanned, adherence
    assert adherence(plan, visits) == {
        ("张三", "甲公司"): (3, 1, 1, 1, 1, 1, 0.3333),   # 1 done, 8 slipped to 15 (kept), 20 missed, 22 unplanned
        ("张三", "乙公司"): (4, 2, 1, 0, 1, 0, 0.5),      # 5, 7 done, 6 missed, 12 slipped to 14 (not kept)
        ("李四", "丙公司"): (2, 1, 1, 1, 0, 0, 0.5),      # 3 done on a Saturday, 9 slipped to 15 (kept)
        ("李四", "丁公司"): (2, 1, 1, 1, 0, 1, 0.5),      # 10 slipped to 15 (kept), 16 done, 28 unplanned
        ("李四", "乙公司"): (0, 0, 0, 0, 0, 1, None),
    }


def test_two_row_header_with_dates_and_weekday_row_and_customer_ids(tmp_path):
    days = [dt.datetime(2026, 11, d) for d in (2, 3, 4, 5, 6)]
    path = draw(tmp_path / "plan.xlsx", {"王五11月计划": [
        ["客户号", "项目/客户", "月度工作目标", "日期", None, None, None, None],
        [None, None, None, *days],
        [None, None, None, "一", "二", "三", "四", "五"],
        ["0012", "戊公司", "授信", "√", None, "●", None, "延期"],
    ]}, {"王五11月计划": ["A1:A2", "B1:B2", "C1:C2", "D1:H1"]})
    plan, problems = read(path, month=None)
    assert problems.empty, problems
    assert plan["staff_id"].unique().tolist() == ["王五"]
    assert plan["customer_id"].unique().tolist() == ["0012"]
    assert plan["date"].dt.strftime("%m-%d").tolist() == ["11-02", "11-04", "11-06"]
    # 延期 with no day: slipped to no known day (counted slipped, never kept)
    assert plan["slipped"].tolist() == [False, False, True] and plan["slipped_to"].isna().all()


def test_day_headers_written_as_text_with_weekdays(tmp_path):
    path = draw(tmp_path / "甘特图.xlsx", {"赵六": [
        ["2026年10月"],
        ["项目/客户", "月度工作目标", "1日(四)", "2日(五)", "5日(一)", "6日(二)"],
        ["己公司", None, None, "x", None, "x"],
    ]})
    plan, _ = read(path, month=None)
    assert plan["date"].dt.day.tolist() == [2, 6]


def test_xlsxwriter_drawn_gantt_with_merged_action(tmp_path):
    path = tmp_path / "甘特图.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("孙七")
    sheet.write_row(0, 0, ["项目/客户", "月度工作目标", 1, 2, 5, 6, 7])
    sheet.write_row(1, 0, ["庚公司", "结算"])
    sheet.merge_range(1, 2, 1, 4, "走访")
    sheet.write(1, 6, "延迟至9日")
    book.close()
    plan, _ = read(path)
    assert plan["date"].dt.day.tolist() == [1, 2, 5, 7]
    assert plan["action"].tolist() == ["走访", "走访", "走访", "延迟至9日"]


def test_a_mark_under_day_31_of_november_names_its_cell(tmp_path):
    days = list(range(1, 32))
    path = draw(tmp_path / "甘特图.xlsx", {"张三": [
        ["项目/客户", "月度工作目标", *days],
        ["甲公司", "存款", *day_row(days, {2: "拜访", 31: "拜访"})],
    ]})
    plan, problems = read(path, month="2026-11")
    bad = problems[problems["code"] == "plan_day_not_in_month"].iloc[0]
    assert "AG2" in bad["message"] and "2026-11" in bad["message"] and bad["row"] == 2
    rejected = plan[plan["_rid"] == bad["rid"]]
    assert rejected["date"].isna().all() and len(plan) == 2


def test_a_slip_to_an_earlier_day_names_its_cell_and_the_day_stays_slipped(tmp_path):
    path = draw(tmp_path / "甘特图.xlsx", {"张三": [
        ["项目/客户", "月度工作目标", 1, 2, 5, 6],
        ["甲公司", "存款", None, None, "延迟至2日", "x"],
    ]})
    plan, problems = read(path)
    assert problems["code"].tolist() == ["plan_slip_before_day"]
    assert "cell E2" in problems["message"].iloc[0]
    slipped = plan[plan["action"] == "延迟至2日"].iloc[0]
    assert bool(slipped["slipped"]) and pd.isna(slipped["slipped_to"])


def test_a_row_without_days_is_a_warning_and_a_sheet_without_a_manager_an_error(tmp_path):
    path = draw(tmp_path / "甘特图.xlsx", {"Sheet1": [
        ["2026年10月甘特图"],
        ["项目/客户", "月度工作目标", 1, 2, 5],
        ["甲公司", "存款", "x", None, None],
        ["乙公司", "只有目标", None, None, None],
        ["说明：√ 表示计划拜访"],
    ]})
    plan, problems = read(path)
    by_code = problems.drop_duplicates("code").set_index("code")
    assert by_code.loc["plan_row_without_days", "severity"] == "warning"
    assert by_code.loc["plan_row_without_days", "row"] == 4
    assert by_code.loc["plan_rm_missing", "severity"] == "error"
    assert len(plan) == 1                     # the note under the grid is not a plan row


def test_month_from_the_title_when_not_given_and_unknown_otherwise(tmp_path):
    titled = draw(tmp_path / "a.xlsx", {"张三": [["2026年9月计划"], ["项目/客户", 1, 2, 3], ["甲", "x", None, None]]})
    plan, _ = read(titled, month=None)
    assert plan["date"].tolist() == [pd.Timestamp(2026, 9, 1)]
    untitled = draw(tmp_path / "b.xlsx", {"张三": [["项目/客户", 1, 2, 3], ["甲", "x", None, None]]})
    _, problems = read(untitled, month=None)
    assert problems["code"].tolist() == ["plan_month_unknown"]


def test_a_sheet_of_another_month_is_passed_over_with_a_warning(tmp_path):
    path = draw(tmp_path / "甘特图.xlsx", {
        "9月": [["客户经理:张三"], ["2026年9月"], ["项目/客户", 1, 2, 3], ["甲", "x", None, None]],
        "10月": [["客户经理:张三"], ["2026年10月"], ["项目/客户", 1, 2, 3], ["甲", None, "x", None]],
    })
    plan, problems = read(path, month="2026-10")
    assert plan["date"].tolist() == [pd.Timestamp(2026, 10, 2)]
    assert problems["code"].tolist() == ["plan_other_month"] and problems["severity"].iloc[0] == "warning"


def test_a_manager_column_gives_each_row_its_manager(tmp_path):
    path = draw(tmp_path / "甘特图.xlsx", {"对公": [
        ["2026年10月"],
        ["客户经理", "项目/客户", 1, 2, 5],
        ["张三", "甲公司", "x", None, None],
        [None, "乙公司", None, "x", None],
        ["李四", "丙公司", None, None, "x"],
    ]}, {"对公": ["A3:A4"]})
    plan, _ = read(path, month=None)
    assert plan["staff_id"].tolist() == ["张三", "张三", "李四"]


def test_a_sheet_that_is_no_plan_says_what_was_expected(tmp_path):
    path = draw(tmp_path / "甘特图.xlsx", {"说明": [["本表由客户经理每月1日填写"]]})
    _, problems = read(path)
    assert problems["code"].tolist() == ["no_header"] and "项目/客户" in problems["message"].iloc[0]


def test_the_tidy_form_is_read_by_its_headers(tmp_path):
    path = draw(tmp_path / "plan.xlsx", {"plan": [
        ["客户经理", "客户名称", "月度工作目标", "计划日期", "延迟至"],
        ["张三", "甲公司", "存款", "2026-10-08", "2026-10-15"],
        ["张三", "甲公司", "存款", "2026-10-20", None],
    ]})
    plan, problems = read(path)
    assert problems.empty
    assert plan["slipped_to"].tolist()[0] == pd.Timestamp(2026, 10, 15)
    visits = visits_frame([("2026-10-15", "张三", "甲公司")])
    assert adherence(plan, visits) == {("张三", "甲公司"): (2, 0, 1, 1, 1, 0, 0.0)}


@pytest.mark.parametrize(("value", "expected"), [
    (5, (5, None)), (5.0, (5, None)), ("5", (5, None)), ("5日", (5, None)), ("5号", (5, None)),
    ("10月5日", (5, (None, 10))), ("11/3", (3, (None, 11))), ("5\n一", (5, None)), ("5(周一)", (5, None)),
    ("2026-10-05", (5, (2026, 10))),
    (dt.datetime(2026, 10, 5), (5, (2026, 10))), ("10月", None), ("32", None), ("序号", None), (True, None),
])
def test_day_headers(value, expected):
    assert day_of(value) == expected


@pytest.mark.parametrize(("sheet", "file", "manager"), [
    ("张三", "甘特图.xlsx", "张三"),
    ("张三10月工作计划", "甘特图.xlsx", "张三"),
    ("对公客户经理王五", "甘特图.xlsx", "王五"),
    ("Sheet1", "李四.xlsx", "李四"),                  # one file per manager, named after them
    ("Sheet1", "2026年10月李四甘特图.xlsx", "李四"),
    ("E001", "甘特图.xlsx", "E001"),
    ("城中支行", "甘特图.xlsx", None),               # a unit, not a person: needs a 客户经理: line
    ("Sheet1", "2026年10月对公部甘特图.xlsx", None),
])
def test_whose_plan_from_the_sheet_or_file_name(tmp_path, sheet, file, manager):
    path = draw(tmp_path / file, {sheet: [["2026年10月"], ["项目/客户", 1, 2, 5], ["甲公司", "x", None, None]]})
    plan, problems = read(path)
    assert plan["staff_id"].tolist() == [manager] if manager else plan["staff_id"].isna().all()
    assert ("plan_rm_missing" in problems["code"].tolist()) == (manager is None)


def test_many_manager_sheets_read_in_two_processes_as_in_one(tmp_path, monkeypatch):
    """--jobs 2 reads a workbook of many sheets in worker processes: the same rows, ids and problems."""
    from branchkit.io.discover import Loader

    apart = []
    original = Loader._add_grids_apart
    monkeypatch.setattr(Loader, "_add_grids_apart", lambda self, todo: (apart.append(len(todo)),
                                                                        original(self, todo)))
    sheets = {}
    for i in range(40):
        rows, _ = zhang_san()
        rows = [list(r) for r in rows]
        if i % 7 == 3:
            rows[2][3] = "延迟至1日"          # a slip to an earlier day: a problem on that sheet's row
        sheets[f"经理{i:02d}"] = rows
    sheets["客户"] = [["客户号", "客户名称", "客户类型"], ["001", "甲", "个人"]]   # a customer list among them
    path = draw(tmp_path / "甘特图.xlsx", sheets)
    one = load_inputs(RULES, [path], options={"month": "2026-10"}, jobs=1)
    two = load_inputs(RULES, [path], options={"month": "2026-10"}, jobs=2)
    pd.testing.assert_frame_equal(one.frame("plan"), two.frame("plan"))
    assert one.frame("plan")["_rid"].tolist() == list(range(len(one.frame("plan"))))
    pd.testing.assert_frame_equal(one.log.frame(), two.log.frame())
    assert (one.log.frame()["rid"] >= 0).any()
    assert one.notes == two.notes
    assert apart == [41]                      # the 40 plans and the list, read apart with --jobs 2 only
