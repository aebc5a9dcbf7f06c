"""What people read about a problem or a note, per code, in Chinese and English.

A problem (``problems.Problem``) or a note (``problems.Note``) keeps its
stable ``code`` and the parameters its message needs; the words are rendered
here, per language, from one catalog. A template names its fields in braces:
the problem's own ``column``, ``value`` and ``ledger`` (its ledger kind in
words), and the parameters the code takes. A code may list several templates:
the first whose fields are all known is used (a problem read from a file knows
its column and value; one found while computing gives its parameters). The
title of a code says what kind of problem it is when nothing more is known.

The terminal and JSON keep the English message made where the problem was
found; xlsx and html say it in the output's language (``render``).
"""

from __future__ import annotations

import string
from typing import Mapping


class _Entry(tuple):
    """(title_zh, title_en, Chinese templates, English templates)."""


def _e(title_zh: str, title_en: str, zh: tuple[str, ...] | str = (), en: tuple[str, ...] | str = ()) -> _Entry:
    return _Entry((title_zh, title_en, (zh,) if isinstance(zh, str) else zh, (en,) if isinstance(en, str) else en))


#: Problems found reading and checking ledgers, and while computing.
PROBLEMS: dict[str, _Entry] = {
    # --- reading a sheet or a file
    "no_header": _e("未找到表头", "no header row", "前几行中未找到{ledger}的表头行；若表头写法不同，请在规则文件的 [aliases] 中添加"),
    "missing_column": _e("缺少必需的列", "a required column is missing",
                         ("缺少必需的列“{column}”", "缺少必需的列（{columns}）")),
    # a column or ledger a computation reads, absent: it refines, so the run goes on without it
    "column_absent": _e("缺少可选列", "an optional column is absent",
                        ("{ledger}缺少“{column}”列：依赖该列的内容未计入", "缺少可选列：依赖该列的内容未计入")),
    "ledger_absent": _e("缺少可选台账", "an optional ledger is absent",
                        ("未提供{ledger}台账：依赖该台账的内容未计入", "缺少可选台账：依赖该台账的内容未计入")),
    "foreign_currency": _e("金额为外币", "amounts in a foreign currency",
                           "“{column}”的金额为{value}；branchkit 按人民币计算：请将该列折算为人民币（元或万元，并在表头注明），"
                           "若该列并非人民币金额请改名",
                           "{column}: amounts in {value}; branchkit computes in CNY: convert the column to CNY (元 or "
                           "万元, said in its header), or rename it if it is no CNY amount"),
    "duplicate_field": _e("两列表示同一字段", "two columns name one field",
                          "两列表示同一字段“{column}”，请改名或删去其中一列"),
    "missing_value": _e("必填项为空", "a required value is empty", ("“{column}”为必填项，此行为空", "此行缺少必填项")),
    "negative_value": _e("数值为负", "a negative value", "“{column}”不能为负数（{value}）"),
    "out_of_range": _e("数值超出允许范围", "a value out of its range", "“{column}”的值“{value}”超出允许范围"),
    "formula_not_calculated": _e("公式未计算", "a formula never calculated",
                                 "单元格 {value} 的公式从未计算（文件由程序生成、未在 Excel 中打开保存过）：请用 Excel 或 WPS "
                                 "打开、保存后再运行"),
    "cell_error": _e("单元格为公式错误值", "an Excel error value",
                     "“{column}”的单元格为公式错误值 {value}（公式出错）：请修正公式或填入数值"),
    "ragged_row": _e("行的字段多于表头", "a row with too many fields", "此行的字段数多于表头的列数，多出的部分未读取"),
    "unbalanced_quote": _e("引号未闭合", "an unclosed quote", "此行有未闭合的引号，已按不含引号读取"),
    "nul_byte": _e("含空字符", "NUL bytes", "此行含空字符（导出文件可能损坏），已删除"),
    # --- a cell's value
    "bad_id": _e("编号无效", "not an identifier", "“{column}”的值“{value}”不是有效的编号（应为文字或数字，不含小数）"),
    "id_precision_lost": _e("编号精度丢失", "an identifier lost digits",
                            "“{column}”的值“{value}”已被 Excel 存为数字而丢失末位：请把该列设为文本格式后重新导出或录入"),
    "not_a_number": _e("不是数字", "not a number", "“{column}”的值“{value}”不是数字"),
    "number_out_of_range": _e("数值超出范围", "a number out of range", "“{column}”的值“{value}”为无穷大或过大，不是金额"),
    "bad_date": _e("不是日期", "not a date", "“{column}”的值“{value}”不是日期"),
    "date_without_year": _e("日期未写年份", "a date without its year",
                            "“{column}”的值“{value}”未写年份：请写明年份（如 2026-10-15）；score、report、plan 和 allocate --month "
                            "按计算月份及其前十一个月读取"),
    "date_year_assumed": _e("日期按计算月份补全年份", "a date's year taken from the month",
                            "“{column}”的值“{value}”未写年份，按计算月份及其前十一个月读取"),
    "date_out_of_range": _e("日期超出范围", "a date out of range", "“{column}”的值“{value}”早于1900年或晚于2100年"),
    "bad_bool": _e("不是是/否", "not yes or no", "“{column}”的值“{value}”应为是或否（是/否、Y/N、1/0、√）"),
    "unknown_value": _e("未知取值", "an unknown value", "“{column}”的值“{value}”不是可识别的取值"),
    "unknown_role": _e("未知岗位", "an unknown role",
                       "岗位“{value}”不在规则的岗位名称中（岗位名称前至多加网点或部门，如“城中支行副行长”；"
                       "加“助理”“原”“代”等即为另一岗位）：请改为已知岗位，或在规则文件 [roles.names] 中添加"),
    "bad_hour": _e("时段无效", "not an hour", "“{column}”的值“{value}”不是时段（如 9、09:00、09:00-10:00）"),
    # --- checks across ledgers
    "duplicate_id": _e("编号重复", "a duplicated id", "编号“{value}”重复出现，每个编号只能出现一次"),
    "staff_in_two_branches": _e("员工属于两个网点", "a person in two branches", "工号“{value}”出现在两个网点，一人只能属于一个网点"),
    "deposit_blank": _e("存款余额为空", "deposits left blank",
                        "{ledger}中 {customers} 户存量客户的存款余额为空，按 0 计（影响客户层级与分配范围），第一户为 {first}",
                        "{customers} existing customer(s) of the list have a blank deposit, counted as 0 (their "
                        "tier and scope); the first is {first}"),
    "ledger_dated_otherwise": _e("台账日期不是本月", "a list dated in another month",
                                 ("{ledger}的数据日期为 {value}（{line}），月初清单应为 {previous} 内的日期或 {first}，计算的月份是"
                                  " {month}：是否用了其他月份的清单？",
                                  "{ledger}的数据日期为 {value}（{line}），计算的月份是 {month}：是否用了其他月份的清单？"),
                                 ("the list is dated {value} ({line}), where a month-start list is dated in {previous} "
                                  "or on {first}; "
                                  "the month computed is {month}: is it another month's list?",
                                  "the list is dated {value} ({line}) but the month computed is {month}: is it "
                                  "another month's list?")),
    "branch_spelled_otherwise": _e("网点名称写法不同", "a branch spelled otherwise",
                                   "网点“{value}”按先出现的写法“{first}”读取（{rows} 行）：两者只差空格、全半角或大小写",
                                   "the branch {value} is read as {first}, as an earlier ledger or row spells it "
                                   "({rows} row(s)): the two differ only in spaces, width or case"),
    "branch_without_staff": _e("网点在员工名单中无人", "customers of a branch without staff",
                               "{branches} 个网点的 {customers:,} 户客户在员工名单中没有本网点人员：{listed}；这些客户无人可维护"
                               "（员工名单中网点的写法不同，或缺少该网点的人员？）",
                               "{customers:,} customer(s) of {branches} branch(es) where nobody on the staff list "
                               "works: {listed}; nobody can keep them (is the branch spelled otherwise on the staff "
                               "list, or are its staff missing?)"),
    "unknown_customer": _e("客户不在客户清单中", "an unknown customer", "客户号“{value}”不在客户清单中"),
    "unknown_staff": _e("人员不在员工名单中", "not on the staff list", "“{column}”的“{value}”不在员工名单中"),
    "lost_customers": _e("上月客户不在本月清单中", "last month's customers not on this month's list",
                         ("上月分配中有客户不在本月客户清单中（已销户或流失？），第一户为 {value}",
                          "上月分配中有客户不在本月客户清单中（已销户或流失？）")),
    "locked_without_keeper": _e("锁定但未写维护人", "locked without a keeper",
                                "客户“{value}”标为锁定，但未写维护人：锁定不起作用，该客户按未锁定重新分配"),
    "unknown_previous_keeper": _e("上月维护人不在员工名单中", "last month's keeper unknown",
                                  "上月维护人“{value}”不在员工名单中（可能已离职并从名单中删除）；该客户将重新分配维护人"),
    "ambiguous_staff": _e("姓名对应多名员工", "a name shared by several staff", "“{value}”对应多名员工，请改用工号"),
    "plan_unknown_rm": _e("计划的客户经理不在员工名单中", "a plan for someone not on the staff list",
                          "甘特图的客户经理“{value}”不在员工名单中"),
    # --- Gantt plans
    "plan_other_month": _e("不是本月的计划", "the plan of another month", "该工作表是其他月份的计划，已跳过"),
    "plan_month_unknown": _e("计划月份未知", "the plan's month unknown",
                             "无法确定该计划的月份：请用 --month 指定，或在表格上方写明标题如“2026年10月”"),
    "plan_rm_missing": _e("未写明客户经理", "whose plan is not said",
                          "该工作表未写明是谁的计划：请以客户经理姓名命名工作表，或在表格上方写“客户经理:姓名”"),
    "plan_row_without_days": _e("计划行没有计划日", "a plan row without days",
                                "计划行“{value}”没有标注任何计划日：请标注行动日期，或删除该行"),
    "plan_marks_by_colour": _e("按填色读取计划日", "planned days read from cell colours", (
        "日期格中没有文字，{cells} 个填色的日期格按计划日读取（颜色 {colours}）；颜色无法表示延迟，请在格中写“延迟至15日”。"
        "每行都填色的日期列（{shaded_days}日）和每天都填色的行（第 {shaded_rows} 行）视为底色，未计入",
        "日期格中没有文字，{cells} 个填色的日期格按计划日读取（颜色 {colours}）；颜色无法表示延迟，请在格中写“延迟至15日”。"
        "每行都填色的日期列（{shaded_days}日）视为底色，未计入",
        "日期格中没有文字，{cells} 个填色的日期格按计划日读取（颜色 {colours}）；颜色无法表示延迟，请在格中写“延迟至15日”。"
        "每天都填色的行（第 {shaded_rows} 行）视为底色，未计入",
        "日期格中没有文字，{cells} 个填色的日期格按计划日读取（颜色 {colours}）；颜色无法表示延迟，请在格中写“延迟至15日”"),
        ("no day cell holds text, so {cells} coloured day cell(s) are read as planned days ({colours}); a colour "
         "cannot say a slip: write 延迟至15日 in the cell. Day column(s) {shaded_days} coloured on every row and "
         "row(s) {shaded_rows} coloured on every day are shading, left out",
         "no day cell holds text, so {cells} coloured day cell(s) are read as planned days ({colours}); a colour "
         "cannot say a slip: write 延迟至15日 in the cell. Day column(s) {shaded_days} coloured on every row are "
         "shading, left out",
         "no day cell holds text, so {cells} coloured day cell(s) are read as planned days ({colours}); a colour "
         "cannot say a slip: write 延迟至15日 in the cell. Row(s) {shaded_rows} coloured on every day are "
         "shading, left out",
         "no day cell holds text, so {cells} coloured day cell(s) are read as planned days ({colours}); a colour "
         "cannot say a slip: write 延迟至15日 in the cell")),
    "plan_other_month_days": _e("其他月份的日期列未读取", "day columns of other months left out",
                                "表头中有 {columns} 个日期列属于其他月份（{months}），未读取：只读取 {month} 的计划日",
                                "{columns} day column(s) of the header are of other months ({months}) and are left "
                                "out: only the days of {month} are read"),
    "plan_row_without_customer": _e("计划行未写客户", "a plan row without customer",
                                    "第 {row} 行的计划行动“{value}”所在行未写客户或项目"),
    "plan_day_not_in_month": _e("该月没有这一天", "a day the month does not have", "计划行动“{value}”标注的日期在该月中不存在"),
    "plan_slip_before_day": _e("延迟日期不晚于计划日", "a slip not later than its day",
                               ("延迟至 {value}，不晚于原计划日", "延迟后的日期不晚于原计划日")),
    # --- computing the month (score): parameters given where they are found
    "missing_ledger": _e("缺少所需台账", "a ledger the rules need is missing",
                         "未提供{ledger}台账，而当前考核规则需要它：请提供，或放入台账文件夹（若本网点不考核相应指标，可在规则中把其权重设为 0）"),
    "empty_month_start": _e("月初客户清单没有客户", "a month-start list without customers",
                            "月初客户清单只有表头、没有客户行，而月末有 {customers} 户：这样每户都会算作新客户、"
                            "也看不出存款上涨；请填入月初的客户，或不提供该清单（并在规则中把相应指标权重设为 0）",
                            "the month-start customer list has a header but no customer rows, while the month-end "
                            "list has {customers}: every customer would count as new and no deposit rise could be "
                            "seen; fill in the month-start customers, or leave the list out (and set those "
                            "metrics' weights to 0 in the rules)"),
    "no_working_days": _e("本月无工作日", "no working day",
                          "{month} 扣除规则中的节假日后没有工作日，无法计算工作日志完成率：请检查 [calendar] 的 holidays 与 extra_workdays",
                          "{month} has no working day after the rules' holidays; work-log completion cannot be "
                          "computed. Check [calendar] holidays and extra_workdays"),
    "unpriced_sales": _e("营销无计价", "sales without a piece rate",
                         "本月 {sales} 笔营销的产品在台账和规则 [pay] piece_rates 中都没有计价，不计计件工资：{listed}",
                         "{sales} sale(s) of the month have no piece rate in the ledger or the rules' [pay] "
                         "piece_rates and pay nothing: {listed}"),
    "no_pool": _e("缺少绩效工资总额", "no pool for a branch",
                  ("网点 {branch} 没有绩效工资总额行，无法计算其奖金", "绩效工资台账没有（未写网点的）本网点的行，无法计算奖金"),
                  ("no performance-pay pool row for branch {branch}; its bonuses cannot be computed",
                   "no performance-pay pool row for the branch (the staff list names none); its bonuses cannot "
                   "be computed")),
    "duplicate_pool": _e("绩效工资总额重复", "several pool rows for a branch",
                         "网点 {branch} 有 {count} 行绩效工资总额，每个网点只能有一行",
                         "{count} pool rows for branch {branch}; give one amount per branch"),
    "unknown_pool_branch": _e("绩效工资总额的网点无人", "a pool for a branch without staff",
                              "绩效工资台账有网点 {branch} 的一行，但员工名单中没有该网点的人员，未使用",
                              "the pool ledger has a row for {branch}, where nobody on the staff list works; "
                              "it is not used"),
    "duplicate_assessment": _e("千分制考核重复", "a duplicated assessment", "{value} 有多行千分制考核得分，请只保留一行",
                               "{value} has more than one 1000-point assessment row; keep one"),
    "deposit_up_without_keeper": _e("存款上涨客户无维护人", "deposit rose, no keeper",
                                    "{count} 户存款上涨的客户在月末客户清单中没有维护人，不计入任何人",
                                    "{count} customer(s) whose deposit rose have no keeper in the month-end list; "
                                    "nobody is credited for them"),
    "new_customer_without_marketer": _e("新客户无营销人", "a new customer without marketer",
                                        "{count} 户新客户在月末客户清单中既无营销人也无维护人，不计入任何人",
                                        "{count} new customer(s) have neither a marketer nor a keeper in the "
                                        "month-end list; nobody is credited for them"),
    "undated_deduction": _e("扣分无日期", "a deduction without date", "{count} 行扣分没有日期，按本月计入",
                            "{count} deduction row(s) have no date; they are counted in this month"),
    "several_heads": _e("网点有多名负责人", "several heads", "{branch}：有 {count} 名负责人（{heads}）；副行长按 {first} 的系数计算",
                        "{branch}: {count} heads ({heads}); deputies are paid against the coefficient of {first}"),
    "missing_assessment": _e("缺少千分制考核", "no assessment",
                             ("{branch}：负责人 {head} 没有千分制考核行；采用最低档系数 {lowest:g}",
                              "{branch}：有副行长但没有负责人；采用最低档系数 {lowest:g}",
                              "{branch}：负责人 {head} 没有千分制考核行；请补充千分制台账",
                              "{branch}：有副行长但没有负责人；请补充负责人的千分制考核行"),
                             ("{branch}: the head {head} has no 1000-point assessment row; the lowest band's "
                              "coefficient {lowest:g} is used",
                              "{branch}: the branch has deputies but no head; the lowest band's coefficient "
                              "{lowest:g} is used",
                              "{branch}: the head {head} has no 1000-point assessment row; give it in the assessment ledger",
                              "{branch}: the branch has deputies but no head; give the head's assessment row")),
    "pool_undistributed": _e("奖金未分配", "pool left undistributed",
                             ("{branch}：本月无人考核，奖金池 {amount:,.2f} 未分配",
                              "{branch}：只有负责人和副行长参与考核，奖金池中 {rest:,.2f} 未分配"),
                             ("{branch}: nobody in the branch is scored this month; the pool of {amount:,.2f} "
                              "is not distributed",
                              "{branch}: only head and deputies are scored; {rest:,.2f} of the pool is left "
                              "undistributed")),
    "pool_overdrawn": _e("负责人奖金超出奖金池", "head and deputies overdraw the pool",
                         "{branch}：负责人和副行长按系数应得 {wanted:,.2f}，超出奖金池 {pool:,.2f}；其奖金按比例压缩至奖金池，其他人无奖金",
                         "{branch}: head and deputies would take {wanted:,.2f} of a pool of {pool:,.2f}; their "
                         "bonuses are scaled down to the pool and the others get nothing"),
    "zero_points": _e("总分均为0", "every total is 0",
                      ("{branch}：所有积分卡总分均为 0，剩余奖金 {rest:,.2f} 未分配",
                       "{branch}：所有积分卡总分均为 0，剩余奖金平均分配"),
                      ("{branch}: every scorecard total is 0; {rest:,.2f} is left undistributed",
                       "{branch}: every scorecard total is 0; what remains of the pool is split equally")),
}

#: Notes: what a result says about the data it was computed from (not a problem of a row).
NOTES: dict[str, _Entry] = {
    "plan_no_staff": _e("未提供员工名单", "no staff list", "未提供员工名单：计划中的客户经理与拜访人按书写（姓名或工号）匹配",
                        "no staff list given: plan managers and visitors are matched as written (name or id)"),
    "plan_no_customers": _e("未提供客户清单", "no customer list",
                            "未提供客户清单：所有客户按一般层级计算（每 {days} 天拜访一次）",
                            "no customer list given: every customer is treated as general tier (visit within "
                            "{days} days)"),
    "plan_silent_managers": _e("客户经理没有拜访记录", "managers without visit records",
                               "{names} 没有任何拜访记录：请检查拜访记录中是否按甘特图的写法记录了他们",
                               "no visit records at all for {names}: check that the visit records name them as "
                               "the plan does"),
    "plan_as_of": _e("截止日", "as-of date", "截至 {as_of}：此后的计划日计为未到期", "as of {as_of}: planned days "
                     "after it are counted as not yet due"),
    "plan_slips_after_as_of": _e("延迟到截止日之后", "slips past the as-of date",
                                 "{count} 个计划日延迟到 {as_of} 之后（最晚至 {last}）：计为延迟；新日期是否完成不在本次统计中判断，"
                                 "不计入“延迟后完成”",
                                 "{count} planned days slipped past {as_of} (the latest to {last}): counted as slipped; "
                                 "whether the new date was kept is not judged here, nor counted in slip kept"),
    "plan_customer_pairs_conflict": _e(
        "客户号与客户名称对应不一致", "customer ids and names that disagree",
        "客户号与客户名称的对应有 {count} 处不一致（同一客户号写了两个名称，或同一名称写了两个客户号）：{pairs}；"
        "只写其一的计划行与拜访记录不按这些对应补全，只按所写的客户号或名称匹配",
        "{count} customer id/name pairs disagree (one id written with two names, or one name with two ids): "
        "{pairs}; plan rows and visits that write only one of them are matched by what they wrote, not through "
        "these pairs"),
    "quarter_month_missing": _e("缺少月末快照", "a month-end snapshot missing", "没有 {month} 的月末快照：趋势中略过该月",
                                "no month-end snapshot for {month}: the trend skips it"),
    "quarter_no_visits": _e("未提供拜访记录", "no visit records", "未提供拜访记录：拜访覆盖率未知",
                            "no visit records given: visit coverage is not known"),
}

_FORMATTER = string.Formatter()


def entry(code: str) -> _Entry | None:
    """The catalog entry of a problem or note code (None when the code is not in the catalog)."""
    return PROBLEMS.get(code) or NOTES.get(code)


def title(code: str, lang: str) -> str:
    """What kind of problem a code names, in ``lang`` (the code itself when it is not in the catalog)."""
    found = entry(code)
    if found is None:
        return code
    return found[0] if lang == "zh" else found[1][:1].upper() + found[1][1:]


def render(code: str, lang: str, fields: Mapping[str, object], fallback: str | None = None) -> str:
    """The message of ``code`` in ``lang`` from the first template whose fields are all known.

    ``fields``: the problem's column, value and ledger, and its parameters (missing or None: unknown).
    With no template that fits: English falls back to ``fallback`` (the message made where the problem
    was found), Chinese to the code's title.
    """
    found = entry(code)
    known = {k: v for k, v in fields.items() if v is not None and v == v and v != ""}
    if "kind" in known and "ledger" not in known:
        from branchkit.labels import value_label

        known["ledger"] = value_label("ledger", known["kind"], lang)
    # a list of names is said as a list in the language
    known = {k: ("、" if lang == "zh" else ", ").join(map(str, v)) if isinstance(v, (tuple, list)) else v
             for k, v in known.items()}
    templates = () if found is None else (found[2] if lang == "zh" else found[3])
    for template in templates:
        if all(name in known for name in _fields(template)):
            return template.format_map(known)
    if lang != "zh" and fallback:
        return fallback
    return title(code, lang)


def _fields(template: str) -> list[str]:
    return [name.split(".")[0].split("[")[0] for _, name, _, _ in _FORMATTER.parse(template) if name]
