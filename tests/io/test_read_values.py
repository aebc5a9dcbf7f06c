"""Cell values as ledgers write them: amounts, identifiers, dates, yes/no, roles."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

CUSTOMER_HEAD = ["客户号", "客户名称", "客户类型"]


def _customers(book, read_ledgers, header, values, name="c.xlsx"):
    rows = [CUSTOMER_HEAD + [header]] + [[f"{i:04d}", f"客户{i}", "个人", v] for i, v in enumerate(values)]
    path = book(name, {"客户清单": rows})
    return read_ledgers(path)


def test_amount_in_wan_yuan_header_is_multiplied(book, read_ledgers):
    _, frames, problems = _customers(book, read_ledgers, "存款余额(万元)", [12.5, "1,234.5", "０.５"])
    assert frames["customers"]["deposit"].tolist() == [125000.0, 12345000.0, 5000.0]
    assert problems.empty


@pytest.mark.parametrize(("cell", "expected"), [
    (1234.56, 1234.56), ("1,234,567.89", 1234567.89), ("１２３４５", 12345.0), ("１，２３４．５", 1234.5),
    ("¥1,000", 1000.0), ("10万", 100000.0), ("50w", 500000.0), ("1.5亿", 150000000.0), ("3千元", 3000.0),
    ("  200 ", 200.0), ("2万元", 20000.0),
])
def test_amount_forms(book, read_ledgers, cell, expected):
    _, frames, problems = _customers(book, read_ledgers, "存款余额", [cell])
    assert frames["customers"]["deposit"].iloc[0] == pytest.approx(expected)
    assert problems.empty


def test_cell_unit_wins_over_header_unit(book, read_ledgers):
    _, frames, _ = _customers(book, read_ledgers, "存款余额(万元)", ["10万", 3])
    assert frames["customers"]["deposit"].tolist() == [100000.0, 30000.0]


@pytest.mark.parametrize(("cell", "expected"), [
    ("1,234", 1234.0), ("123,456", 123456.0), ("1,234,567.89", 1234567.89), ("1，234", 1234.0),
    ("12,345.5", 12345.5), ("1 234 567", 1234567.0), ("-1,234", -1234.0), ("(1,234.5)", -1234.5),
    ("￥1,234", 1234.0), ("RMB 1,234.50", 1234.5), ("人民币1,000元", 1000.0), ("CNY1000", 1000.0),
    ("1,000万", 1e7), ("0.5", 0.5), ("1000.", 1000.0),
])
def test_thousands_separators_in_groups_of_three_and_yuan_marks(book, read_ledgers, cell, expected):
    for cells in ([cell], [cell, 5]):           # a text column, and a column of text and numbers
        _, frames, problems = _customers(book, read_ledgers, "存款余额", cells)
        assert frames["customers"]["deposit"].iloc[0] == pytest.approx(expected)
        assert problems["code"].tolist() == (["negative_value"] if expected < 0 else [])   # a deposit's own check


@pytest.mark.parametrize("cell", [
    "1.234,50", "12,34", "1,2345", "1234,567", "1,23,4", "1,23,456", "0,500", ",123", "1,,234", "1,234,56",
    "1,234.5,6",
])
def test_misplaced_separators_are_not_a_number(book, read_ledgers, cell):
    for cells in ([cell], [cell, 5]):
        _, frames, problems = _customers(book, read_ledgers, "存款余额", cells)
        assert problems[["row", "code", "value", "message"]].values.tolist() == [
            [2, "not_a_number", cell, "expected a number"]]
        assert pd.isna(frames["customers"]["deposit"].iloc[0])


@pytest.mark.parametrize("cell", ["$1,234.50", "US$1,234", "USD 1,234.50", "HK$100", "€100", "£100", "100美元",
                                  "100港币", "JPY 100", "＄100"])
def test_amounts_in_another_currency_are_not_yuan(book, read_ledgers, cell):
    for cells in ([cell], [cell, 5]):
        _, frames, problems = _customers(book, read_ledgers, "存款余额", cells)
        assert problems[["row", "code", "value"]].values.tolist() == [[2, "not_a_number", cell]]
        assert "another currency" in problems["message"].iloc[0]
        assert pd.isna(frames["customers"]["deposit"].iloc[0])


def test_csv_amounts_with_misplaced_separators_or_dollars(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text('客户号,客户名称,客户类型,存款余额\n1,a,个人,"1,234.50"\n2,b,个人,"1.234,50"\n3,c,个人,"$1,234.50"\n'
                    '4,d,个人,"12,34"\n', encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["deposit"].iloc[0] == 1234.5
    assert frames["customers"]["deposit"].iloc[1:].isna().all()
    assert problems[["row", "code"]].values.tolist() == [[3, "not_a_number"], [4, "not_a_number"], [5, "not_a_number"]]


@pytest.mark.parametrize("cell", ["abc", "inf", "nan", "1e400", "--5"])
def test_bad_amounts_are_problems_naming_the_row(book, read_ledgers, cell):
    _, frames, problems = _customers(book, read_ledgers, "存款余额", [100, cell])
    assert problems["row"].tolist() == [3]
    assert problems["code"].iloc[0] in ("not_a_number", "number_out_of_range")
    assert problems["column"].iloc[0] == "存款余额"


def test_negative_balance_is_named(book, read_ledgers):
    _, _, problems = _customers(book, read_ledgers, "贷款余额", [-5])
    assert problems[["row", "code"]].values.tolist() == [[2, "negative_value"]]


def test_identifiers_stay_text(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [
        CUSTOMER_HEAD + ["证件号码"],
        ["000123", "张三", "个人", "410105199001011234"],
        [123456789012345, "李四", "个人", "91330100MA2H3XXX1X"],
        ["'000777", "王五", "对公", None],
    ]})
    _, frames, problems = read_ledgers(path)
    customers = frames["customers"]
    assert customers["customer_id"].tolist() == ["000123", "123456789012345", "000777"]
    assert customers["id_number"].tolist()[:2] == ["410105199001011234", "91330100MA2H3XXX1X"]
    assert problems.empty


def test_eighteen_digit_id_stored_as_number_is_an_error_naming_the_cell(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [CUSTOMER_HEAD + ["证件号码"], ["1", "张三", "个人", 410105199001011234]]})
    _, frames, problems = read_ledgers(path)
    row = problems.iloc[0]
    assert (row["code"], row["row"], row["column"]) == ("id_precision_lost", 2, "证件号码")
    assert pd.isna(frames["customers"]["id_number"].iloc[0])


def test_id_in_exponent_form_from_a_csv_is_an_error(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.csv"
    path.write_text("客户号,客户名称,客户类型\n4.10105E+17,张三,个人\n", encoding="utf-8")
    _, _, problems = read_ledgers(path)
    assert problems[["row", "code"]].values.tolist() == [[2, "id_precision_lost"]]


@pytest.mark.parametrize("cell", [dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 9, 30), 45356, "2024-03-05",
                                  "2024/3/5", "2024年3月5日", "20240305", "2024.3.5", 20240305, "2024-03-05 10:00:00"])
def test_date_forms(book, read_ledgers, cell):
    _, frames, problems = _customers(book, read_ledgers, "开户日期", [cell])
    assert frames["customers"]["open_date"].iloc[0] == pd.Timestamp("2024-03-05")
    assert problems.empty


@pytest.mark.parametrize(("cell", "code"), [("1899-12-31", "date_out_of_range"), ("2101-01-01", "date_out_of_range"),
                                            ("2024-02-30", "bad_date"), ("明天", "bad_date"), (999999, "date_out_of_range")])
def test_bad_dates_are_problems(book, read_ledgers, cell, code):
    _, _, problems = _customers(book, read_ledgers, "开户日期", [cell])
    assert problems[["row", "code"]].values.tolist() == [[2, code]]


def test_workbook_in_1904_date_system_gives_the_same_dates(book, read_ledgers):
    path = book("c.xlsx", {"客户清单": [CUSTOMER_HEAD + ["开户日期"], ["1", "张三", "个人", dt.date(2024, 3, 5)]]},
                date1904=True)
    _, frames, _ = read_ledgers(path)
    assert frames["customers"]["open_date"].iloc[0] == pd.Timestamp("2024-03-05")


@pytest.mark.parametrize(("cell", "expected"), [("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True),
                                                ("false", False), (1, True), (0, False), ("√", True), ("×", False),
                                                (True, True)])
def test_yes_no_forms(book, read_ledgers, cell, expected):
    _, frames, problems = _customers(book, read_ledgers, "是否科技型企业", [cell])
    assert bool(frames["customers"]["is_tech"].iloc[0]) is expected
    assert problems.empty


def test_unknown_yes_no_is_a_problem(book, read_ledgers):
    _, _, problems = _customers(book, read_ledgers, "是否科技型企业", ["也许"])
    assert problems["code"].tolist() == ["bad_bool"]


@pytest.mark.parametrize(("name", "role"), [
    ("网点负责人", "head"), ("行长", "head"), ("副行长", "deputy"), ("城中支行副行长", "deputy"),
    ("法人客户经理", "corporate_rm"), ("对公客户经理", "corporate_rm"), ("个人客户经理", "retail_rm"),
    ("低柜柜员", "low_counter"), ("综合柜员", "comprehensive_teller"), ("运营主管", "supervisor"),
    ("大堂经理", "lobby_manager"), ("大堂引导员", "lobby_guide"), ("高柜柜员", "high_counter"), ("后台", "back_office"),
])
def test_chinese_role_names_map_to_role_keys(book, read_ledgers, name, role):
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位"], ["000101", "张三", name]]})
    _, frames, problems = read_ledgers(path)
    assert frames["staff"]["role"].iloc[0] == role
    assert problems.empty


def test_unknown_role_is_a_problem(book, read_ledgers):
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位"], ["1", "张三", "保安"]]})
    _, _, problems = read_ledgers(path)
    assert problems["code"].tolist() == ["unknown_role"]


# A longer title keeps the role of the name it ends with only when the other words are its place
# (branch or department), a grade, or 岗: each form beside the same title with one word that changes the post.
TITLES_KEPT = [
    ("城中支行行长", "head"), ("城中网点负责人", "head"), ("城中营业部主任", "head"), ("一级支行行长", "head"),
    ("太原支行行长", "head"),                       # 原 inside a place's name is no 'former'
    ("城中支行副行长", "deputy"), ("城中支行 副行长", "deputy"),
    ("公司业务部法人客户经理", "corporate_rm"), ("高级对公客户经理", "corporate_rm"),
    ("对公客户经理（高级）", "corporate_rm"), ("对公客户经理岗", "corporate_rm"), ("大堂经理岗位", "lobby_manager"),
    ("城中支行综合柜员岗", "comprehensive_teller"), ("城中支行大堂助理", "lobby_guide"), ("运营部主管", "supervisor"),
    ("城中支行营业室运营主管", "supervisor"),
]
TITLES_REFUSED = [
    "行长助理", "城中支行行长助理", "原行长", "前任行长", "代行长", "代理行长", "城中支行原行长", "原城中支行行长",
    "城中支行原营业部主任", "城中支行行长兼营业部主任", "大堂经理助理", "见习大堂经理", "城中支行见习大堂经理",
    "公司业务部主任",                               # a department's head, not the branch's
    "营业室主任", "对公客户经理（助理）", "常务副行长", "客户经理助理", "运营经理",
]


def test_titles_around_a_role_name_keep_it_only_for_a_place_a_grade_or_the_post_word(book, read_ledgers):
    titles = [t for t, _ in TITLES_KEPT] + TITLES_REFUSED
    rows = [["工号", "姓名", "岗位"]] + [[f"{i:06d}", f"员工{i}", t] for i, t in enumerate(titles)]
    _, frames, problems = read_ledgers(book("员工.xlsx", {"员工": rows}))
    roles = dict(zip(titles, frames["staff"]["role"].tolist()))
    assert {t: roles[t] for t, _ in TITLES_KEPT} == dict(TITLES_KEPT)
    assert all(pd.isna(roles[t]) for t in TITLES_REFUSED)
    assert problems["code"].unique().tolist() == ["unknown_role"]
    assert sorted(problems["value"].tolist()) == sorted(TITLES_REFUSED)
    assert sorted(problems["row"].tolist()) == list(range(len(TITLES_KEPT) + 2, len(titles) + 2))
    message = problems["message"].iloc[0]
    assert "网点负责人, 副行长, 法人客户经理" in message and "[roles.names]" in message


def test_a_refused_title_added_to_the_names_is_that_role(book, read_ledgers, tmp_path):
    from branchkit.io.discover import load_inputs
    from branchkit.rules import load_rules

    rules = tmp_path / "rules.toml"
    rules.write_text('[roles]\nnames.head = ["网点负责人", "行长", "常务副行长"]\n', encoding="utf-8")
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位"], ["000101", "张三", "常务副行长"],
                                      ["000102", "李四", "行长助理"]]})
    inputs = load_inputs(load_rules(rules), [path])
    assert inputs.ledgers["staff"].frame["role"].tolist()[:1] == ["head"]
    assert inputs.log.frame()["value"].tolist() == ["行长助理"]


@pytest.mark.parametrize(("cell", "state", "active"), [("在岗", "active", True), ("休假", "on_leave", True),
                                                       ("离职", "left", False), (None, "active", True)])
def test_staff_state(book, read_ledgers, cell, state, active):
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位", "在岗"], ["1", "张三", "后台", cell]]})
    _, frames, _ = read_ledgers(path)
    assert frames["staff"].loc[0, "state"] == state
    assert bool(frames["staff"].loc[0, "active"]) is active


@pytest.mark.parametrize("header", ["是否在岗", "在岗"])
@pytest.mark.parametrize(("cell", "state"), [
    ("是", "active"), ("Y", "active"), ("y", "active"), ("yes", "active"), ("TRUE", "active"), ("true", "active"),
    ("1", "active"), (1, "active"), (True, "active"), ("√", "active"), ("✓", "active"),
    ("否", "left"), ("N", "left"), ("no", "left"), ("FALSE", "left"), ("false", "left"), ("0", "left"), (0, "left"),
    (False, "left"), ("×", "left"), ("✗", "left"),
])
def test_staff_state_as_yes_or_no(book, read_ledgers, header, cell, state):
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位", header], ["1", "张三", "后台", cell]]})
    _, frames, problems = read_ledgers(path)
    assert frames["staff"].loc[0, "state"] == state
    assert bool(frames["staff"].loc[0, "active"]) is (state == "active")
    assert problems.empty


@pytest.mark.parametrize("cell", ["2", "YY", "也许", "√√"])
def test_staff_state_neither_a_state_nor_yes_or_no(book, read_ledgers, cell):
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位", "是否在岗"], ["1", "张三", "后台", cell]]})
    _, _, problems = read_ledgers(path)
    assert problems[["row", "column", "code"]].values.tolist() == [[2, "是否在岗", "unknown_value"]]


@pytest.mark.parametrize(("cell", "kind"), [
    ("对公客户", "corporate"), ("公司客户", "corporate"), ("企业客户", "corporate"), ("法人客户", "corporate"),
    ("个人客户", "retail"), ("对私客户", "retail"), ("零售客户", "retail"), ("三农客户", "agri"), ("农户客户", "agri"),
    ("对公", "corporate"), ("个人", "retail"), ("三农", "agri"),
])
def test_customer_kind_with_the_customer_suffix(book, read_ledgers, cell, kind):
    path = book("c.xlsx", {"客户清单": [CUSTOMER_HEAD, ["1", "甲", cell]]})
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["kind"].tolist() == [kind]
    assert problems.empty


@pytest.mark.parametrize(("cell", "hour"), [(9, 9), ("09:00", 9), ("09:00-10:00", 9), ("14点", 14), (0.375, 9)])
def test_hour_forms(book, read_ledgers, cell, hour):
    path = book("分时段业务量.xlsx", {"分时段业务量": [["网点", "时段", "到达笔数"], ["城中", cell, 30]]})
    _, frames, problems = read_ledgers(path)
    assert frames["volumes_hourly"]["hour"].iloc[0] == hour
    assert problems.empty


def test_handling_time_in_minutes_header_becomes_seconds(book, read_ledgers):
    path = book("分时段业务量.xlsx", {"分时段业务量": [["网点", "时段", "到达笔数", "平均办理时长(分钟)"], ["城中", 9, 30, 4]]})
    _, frames, _ = read_ledgers(path)
    assert frames["volumes_hourly"]["handling_seconds"].iloc[0] == 240.0


@pytest.mark.parametrize(("value", "code"), [(-0.01, "negative_value"), (0, None), (0.01, None)])
def test_a_balance_at_just_under_and_over_zero(book, read_ledgers, value, code):
    _, _, problems = _customers(book, read_ledgers, "存款余额", [value])
    assert problems["code"].tolist() == ([code] if code else [])


@pytest.mark.parametrize(("score", "code"), [(-0.01, "out_of_range"), (0, None), (1000, None),
                                             (1000.01, "out_of_range")])
def test_an_assessment_score_is_kept_within_its_declared_limits(book, read_ledgers, score, code):
    """The row model declares 0 <= score <= 1000 once (Field(ge=0, le=1000)); the reader checks the column."""
    path = book("a.xlsx", {"千分制": [["工号", "千分制得分"], ["001", score]]})
    _, _, problems = read_ledgers(path)
    assert problems["code"].tolist() == ([code] if code else [])
    if code:
        assert "must be from 0 to 1000" in problems["message"].iloc[0]


@pytest.mark.parametrize(("seconds", "code"), [(0, "out_of_range"), (0.01, None)])
def test_a_handling_time_must_be_above_zero(book, read_ledgers, seconds, code):
    path = book("v.xlsx", {"分时段业务量": [["网点", "时段", "到达笔数", "平均办理时长(秒)"], ["城中", 9, 10, seconds]]})
    _, _, problems = read_ledgers(path)
    assert problems["code"].tolist() == ([code] if code else [])


@pytest.mark.parametrize(("cell", "read", "code"), [
    ("45356", "2024-03-05", None), (" 45356 ", "2024-03-05", None), ("４５３５６", "2024-03-05", None),
    ("20240305", "2024-03-05", None),                                           # eight digits: yyyymmdd
    ("367", "1901-01-01", None), ("366", None, "bad_date"), ("15", None, "bad_date"),   # the epoch's first year
    ("73415", "2100-12-31", None), ("73416", None, "date_out_of_range"), ("99999", None, "date_out_of_range"),
    ("123456", None, "bad_date"), ("45356.5", None, "bad_date"),
])
def test_a_date_serial_in_a_csv_reads_as_in_a_workbook(tmp_path, book, read_ledgers, cell, read, code):
    path = tmp_path / "客户清单.csv"
    path.write_text(f"客户号,客户名称,客户类型,开户日期\n1,张三,个人,{cell}\n", encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    got = frames["customers"]["open_date"].iloc[0]
    assert (None if pd.isna(got) else got) == (pd.Timestamp(read) if read else None)
    assert problems[["row", "code"]].values.tolist() == ([[2, code]] if code else [])
    if read and len(cell.strip()) <= 5:          # the same number in a workbook's cell
        _, frames, _ = _customers(book, read_ledgers, "开户日期", [int(cell)])
        assert frames["customers"]["open_date"].iloc[0] == pd.Timestamp(read)


def test_a_date_serial_in_an_html_export(tmp_path, read_ledgers):
    path = tmp_path / "客户清单.xls"
    path.write_text("<table><tr><th>客户号</th><th>客户名称</th><th>客户类型</th><th>开户日期</th></tr>"
                    "<tr><td>1</td><td>张三</td><td>个人</td><td>45356</td></tr></table>", encoding="utf-8")
    _, frames, problems = read_ledgers(path)
    assert frames["customers"]["open_date"].tolist() == [pd.Timestamp("2024-03-05")]
    assert problems.empty


def test_an_unknown_coded_value_is_named_in_words_never_by_its_table_key(book, read_ledgers):
    path = book("c2.xlsx", {"客户清单": [CUSTOMER_HEAD, ["1", "甲", "对公户"]]})
    _, _, problems = read_ledgers(path)
    assert problems[["row", "column", "code", "value", "message"]].values.tolist() == [
        [2, "客户类型", "unknown_value", "对公户", "not a known customer kind; expected one of: 对公, 个人, 三农"]]
    path = book("员工.xlsx", {"员工": [["工号", "姓名", "岗位", "是否在岗"], ["1", "张三", "后台", "也许"]]})
    _, _, problems = read_ledgers(path)
    assert problems["message"].tolist() == ["not a known staff state (or yes/no); expected one of: 在岗, 休假, 离职"]


def test_every_table_of_coded_values_has_words_for_messages():
    from branchkit.io.convert import VALUE_NAMES
    from branchkit.models.ledgers import LEDGERS

    tables = {c.values for spec in LEDGERS.values() for c in spec.columns().values() if c.kind == "enum"}
    assert tables <= set(VALUE_NAMES)
    assert all("_" not in words for words in VALUE_NAMES.values())


def test_every_role_label_branchkit_writes_reads_back_as_that_role():
    # an allocation written with --lang en names roles "Branch head", "Deputy head": they must read back as
    # last month's keeper roles, whole (the title rule takes no word before a name that is not a place)
    import pandas as pd

    from branchkit.io.titles import to_role
    from branchkit.labels import _ROLES
    from branchkit.rules import load_rules

    roles = load_rules().roles
    for key, (zh, en) in _ROLES.items():
        read, bad = to_role(pd.Series([zh, en, en.upper()]), roles)
        assert read.tolist() == [key] * 3 and not bad.rows, (key, zh, en)
