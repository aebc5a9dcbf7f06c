"""The plan report: adherence tables, the redrawn Gantt per manager, completeness and overdue.

Built from a ``core.plan.PlanResult`` for every output: csv/json carry one table (``plan`` by
default: manager x customer, the SPEC columns), xlsx has every table plus a coloured Gantt sheet
per manager (``Table.fills`` with ``io.charts.GANTT_COLORS``, a legend under it), html the same
Gantt as an SVG heat strip per manager. ``branchkit report`` reuses ``plan_sections``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from markupsafe import Markup

from branchkit.core.calendar import month_days, working_days
from branchkit.core.plan import COUNTS, STATES, PlanResult
from branchkit.io.charts import GANTT_COLORS, REST_DAY, heat_strip, stacked_bar_chart
from branchkit.io.tables import Report, Section, Sheet, Table
from branchkit.io.xlsx import text_width
from branchkit.labels import column_label, value_label
from branchkit.problems import say
from branchkit.rules import CalendarRules

TABLES = ("plan", "managers", "days", "completeness", "overdue")
_MEANINGS = {
    "zh": {"planned": "计划日在截止日之后，尚未到期", "done": "计划日当天有该客户经理对该客户的拜访记录",
           "slip_kept": "延迟到的新日期当天有拜访记录", "slipped": "计划日标注了延迟（延迟至…/→…）",
           "missed": "计划日既无拜访记录，也未标注延迟", "unplanned": "有拜访记录，但既非计划日也非延迟后的新日期"},
    "en": {"planned": "a planned day after the as-of date",
           "done": "a visit by the manager to the customer on the planned day",
           "slip_kept": "a visit on the day a slipped action was moved to",
           "slipped": "the planned day is marked as slipped (延迟至…, →…)",
           "missed": "no visit on the planned day, and not marked as slipped",
           "unplanned": "a visit on a day neither planned nor a slip's new date"},
}
#: Per language, each Gantt state's name (``labels.VALUES["plan_state"]``) and meaning.
STATE_WORDS = {lang: {s: (str(value_label("plan_state", s, lang)), meaning) for s, meaning in words.items()}
               for lang, words in _MEANINGS.items()}
#: Visit-record fields in English, for the completeness table's "<field> empty" columns.
VISIT_FIELDS_EN = {"purpose": "Purpose", "contact": "Contact", "needs": "Needs", "objections": "Objections",
                   "approach": "Approach", "met": "Met", "info": "Information", "achieved": "Achieved",
                   "reason": "Reason", "next_step": "Next step", "actions": "Actions", "head_comment": "Head's comment"}
_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")}
#: The rest days' row of the legend (weekends and the rules' holidays, shaded; make-up working days are not).
REST_WORDS = {"zh": ("周末/节假日", "非工作日：周六、周日及规则 [calendar] 的节假日；调休上班日不着色"),
              "en": ("Weekend/holiday", "not a working day: Saturday, Sunday and the holidays of the rules' "
                                        "[calendar]; make-up working days are not shaded")}
#: Header fill of a rest day's column (the cells below take ``REST_DAY``).
REST_HEADER = "#BFBFBF"
#: Widths (Excel character units) of the Gantt's columns: every day alike, between these (a longer
#: action text wraps in its cell); names and goals wrap beyond their caps; the counts' headers wrap.
_DAY_WIDTH = (3.5, 4.5)
_NAME_WIDTH, _GOAL_WIDTH, _COUNT_WIDTH = 20.0, 12.0, 5.0
#: The counts at the right of a Gantt (the rest are on the adherence sheet, and in the colours).
_GANTT_COUNTS = ["planned", "done_on_time", "slipped", "missed", "adherence"]
_ADHERENCE = ["staff_id", "staff_name", "branch", "customer_id", "customer", "goal", *COUNTS, "adherence", "not_due"]


def plan_report(result: PlanResult, lang: str = "zh", primary: str = "plan",
                calendar: CalendarRules | None = None) -> Report:
    """The whole plan report; ``primary`` names the table csv/json carry (one of ``TABLES``); the
    Gantt shades weekends and ``calendar``'s holidays (weekends only without it)."""
    month, as_of = str(result.window.month), result.window.as_of.date().isoformat()
    sections = plan_sections(result, lang, calendar)
    sections += [Section("逐日明细", "Day by day", [days_table(result)], anchor="days")]
    report = Report(f"{month} 甘特图计划执行情况", f"Gantt plan adherence, {month}", sections, primary,
                    subtitle=f"截至 {as_of}" if lang == "zh" else f"as of {as_of}", notes=[say(n, lang) for n in result.notes],
                    period=month)
    report.extra_sheets = [gantt_sheet(result, staff_id, lang, calendar) for staff_id in result.managers["staff_id"]]
    return report


def plan_sections(result: PlanResult, lang: str, calendar: CalendarRules | None = None) -> list[Section]:
    """The report's sections (tables and charts), for ``plan`` and for the month-end pack."""
    managers = Table("managers", result.managers, "客户经理汇总", "Per manager")
    adherence = Table("plan", result.adherence[_ADHERENCE], "计划执行情况", "Plan adherence",
                      note_zh="计划天数 = 按期完成 + 延迟 + 未完成；执行率 = 按期完成 / 计划天数",
                      note_en="planned = done on time + slipped + missed; adherence = done on time / planned")
    rest = rest_days(result.window.month, calendar)
    states = state_cells(result)
    names = dict(zip(result.managers["staff_id"], result.managers["staff_name"]))
    charts = [_adherence_chart(result, lang)] + [_strip(result, *states.get(s, ([], [])), str(names[s]), lang, rest)
                                                 for s in result.managers["staff_id"]]
    return [
        Section("计划执行情况", "Plan adherence", [managers, adherence], charts=charts[:1], anchor="adherence"),
        Section("甘特图", "Gantt", [], charts=charts[1:], anchor="gantt",
                text_zh=_legend_text("zh"), text_en=_legend_text("en")),
        Section("拜访记录完整性", "Visit-record completeness", [completeness_table(result)], anchor="completeness"),
        Section("逾期未拜访客户", "Customers overdue for a visit", [overdue_table(result)], anchor="overdue"),
    ]


def days_table(result: PlanResult) -> Table:
    """One row per manager x customer x day shown on the Gantt, with its state."""
    frame = result.days.merge(result.managers[["staff_id", "staff_name"]], on="staff_id", how="left")
    return Table("days", frame[["staff_id", "staff_name", "customer_id", "customer", "date", "state", "text"]],
                 "逐日明细", "Day by day", codes={"state": "plan_state"}, labels={"state": ("状态", "State")})


def completeness_table(result: PlanResult) -> Table:
    """Visit-record completeness per visitor; the empty-field columns take the field's label."""
    frame = result.completeness
    labels = {c: (f"缺{column_label(c[6:], 'zh')}", f"{VISIT_FIELDS_EN.get(c[6:], c[6:])} empty")
              for c in frame if c.startswith("empty_")}
    return Table("completeness", frame, "拜访记录完整性", "Visit-record completeness", labels=labels,
                 formats={c: "int" for c in labels})


def overdue_table(result: PlanResult) -> Table:
    """Customers overdue for a visit, high tier first, most overdue first."""
    as_of = result.window.as_of.date().isoformat()
    return Table("overdue", result.overdue, "逾期未拜访客户", "Customers overdue for a visit",
                 empty_zh=f"截至 {as_of} 无逾期未拜访客户。", empty_en=f"No customer is overdue for a visit as of {as_of}.")


def gantt_grid(result: PlanResult, staff_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One manager's rows (adherence, in plan order) and two day grids over them: the cell texts and
    the cell states, columns ``d1``.. ``dN`` for every day of the month."""
    rows = result.adherence[result.adherence["staff_id"] == staff_id].reset_index(drop=True)
    days = result.days[result.days["staff_id"] == staff_id]
    columns = [f"d{d}" for d in range(1, result.window.month.days_in_month + 1)]
    position = pd.Series(range(len(rows)), index=rows["ckey"].to_numpy())
    at = days.assign(i=days["ckey"].map(position), c="d" + days["date"].dt.day.astype("str"))
    grids = []
    for value in ("text", "state"):
        part = at.dropna(subset=[value])
        grid = part.pivot_table(index="i", columns="c", values=value, aggfunc="first") if len(part) else None
        grids.append(pd.DataFrame(grid, index=range(len(rows)), columns=columns).astype("object"))
    return rows, grids[0], grids[1]


def state_cells(result: PlanResult) -> dict[str, tuple[list[str], list[list[str | None]]]]:
    """Per manager, the customers of the Gantt (adherence order) and each one's state per day of the
    month (None where none): the state grid of ``gantt_grid`` for every manager at once, in one pass
    over the days instead of a pivot per manager (a network has thousands of managers)."""
    rows = result.adherence
    grid = np.full((len(rows), result.window.month.days_in_month), None, dtype=object)
    where = pd.DataFrame({"staff_id": rows["staff_id"], "ckey": rows["ckey"], "i": np.arange(len(rows))})
    days = result.days[["staff_id", "ckey", "date", "state"]]
    hit = days[days["state"].notna() & days["date"].notna()].merge(where, on=["staff_id", "ckey"], how="inner")
    hit = hit.assign(day=hit["date"].dt.day)
    # As the pivot's "first": the first state of a cell in days order; days the month lacks dropped.
    hit = hit[hit["day"].between(1, grid.shape[1])].drop_duplicates(["i", "day"])
    grid[hit["i"].to_numpy(), hit["day"].to_numpy() - 1] = hit["state"].to_numpy(dtype=object)
    customers = rows["customer"].to_numpy(dtype=object)
    return {staff_id: ([str(c) for c in customers[at]], grid[at].tolist())
            for staff_id, at in rows.groupby("staff_id", sort=False).indices.items()}


def rest_days(month: pd.Period, calendar: CalendarRules | None) -> np.ndarray:
    """Per day of the month, whether it is a rest day: a weekend or a holiday of ``calendar``, unless a
    make-up working day (weekends only without a calendar)."""
    days = month_days(month)
    if calendar is None:
        return np.asarray(days.day_of_week >= 5)
    return ~np.asarray(days.isin(working_days(month, calendar)))


def gantt_frame(result: PlanResult, staff_id: str, calendar: CalendarRules | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One manager's Gantt as a table: customers as rows, days as columns (the action text in the
    cells), the counts at the right; the fills colour each day cell by its state, and the empty
    cells of rest days grey."""
    rows, text, state = gantt_grid(result, staff_id)
    month = result.window.month
    fills = state.apply(lambda col: col.map(GANTT_COLORS))
    rest = rest_days(month, calendar)
    for column in fills.columns[rest]:
        fills[column] = fills[column].fillna(REST_DAY)
    frame = pd.concat([rows[["customer", "goal"]], text, rows[_GANTT_COUNTS]], axis=1)
    labels = {f"d{d}": (_day_label(month, d, "zh"), _day_label(month, d, "en"))
              for d in range(1, month.days_in_month + 1)}
    return frame, fills, labels


def gantt_sheet(result: PlanResult, staff_id: str, lang: str, calendar: CalendarRules | None = None) -> Sheet:
    """The xlsx sheet of one manager, read like the hand-drawn plan: customers and goals down the
    left (wrapped, never cut), every day of the month at one width with rest days shaded, each planned
    day coloured by its state with its action text, the counts at the right; then the legend. The day
    header is printed on every page."""
    frame, fills, labels = gantt_frame(result, staff_id, calendar)
    person = result.managers.set_index("staff_id").loc[staff_id]
    name = str(person["staff_name"])
    days = list(labels)
    rest = rest_days(result.window.month, calendar)
    table = Table(f"gantt_{staff_id}", frame, "甘特图", "Gantt", formats={c: "text" for c in days}, labels=labels,
                  fills=fills, widths={**dict.fromkeys(days, day_width(frame[days])),
                                       "customer": _capped(frame["customer"], _NAME_WIDTH),
                                       "goal": _capped(frame["goal"], _GOAL_WIDTH),
                                       **dict.fromkeys(_GANTT_COUNTS, _COUNT_WIDTH), "adherence": 7.0},
                  wrap=("customer", "goal"), header_fills={d: REST_HEADER for d, r in zip(days, rest) if r})
    month, as_of = result.window.month, result.window.as_of.date().isoformat()
    who_zh, who_en = (name, name) if name == staff_id else (f"{name}（{staff_id}）", f"{name} ({staff_id})")
    # The legend takes the Gantt's columns (width 0: it sizes none); its meanings run over the empty cells.
    legend = replace(legend_table(lang), widths={"state": 0.0, "meaning": 0.0})
    return Sheet(f"甘特图-{name}", f"Gantt-{name}", [table, legend],
                 heading_zh=f"{who_zh} {month} 甘特图（截至 {as_of}）",
                 heading_en=f"{who_en}: Gantt plan of {month}, as of {as_of}", repeat_header=0, freeze_columns=2,
                 scope=_branch_of(person))


def _branch_of(person: pd.Series) -> str:
    branch = person.get("branch")
    return str(branch) if isinstance(branch, str) else ""


def day_width(cells: pd.DataFrame) -> float:
    """One width for every day column: the widest action text of the month, between 3.5 and 4.5 units
    (two Chinese characters; a longer text wraps in its cell)."""
    texts = {v for v in cells.to_numpy().ravel() if isinstance(v, str)}
    widest = max((text_width(t) for t in texts), default=0)
    return float(min(max(widest + 1, _DAY_WIDTH[0]), _DAY_WIDTH[1]))


def _capped(values: pd.Series, limit: float) -> float:
    widest = max((text_width(str(v)) for v in values.dropna()), default=0)
    return float(min(widest + 2, limit))


def legend_table(lang: str) -> Table:
    """The colour legend: one coloured cell per state, with its meaning; then the rest days' shade."""
    words = STATE_WORDS[lang]
    frame = pd.DataFrame({"state": [words[s][0] for s in STATES] + [REST_WORDS[lang][0]],
                          "meaning": [words[s][1] for s in STATES] + [REST_WORDS[lang][1]]})
    fills = pd.DataFrame({"state": [GANTT_COLORS[s] for s in STATES] + [REST_DAY]})
    return Table("legend", frame, "图例", "Legend", fills=fills,
                 labels={"state": ("计划状态", "Plan state"), "meaning": ("含义", "Meaning")})


def _strip(result: PlanResult, customers: list[str], cells: list[list[str | None]], name: str, lang: str,
           rest: np.ndarray) -> Markup:
    legend = {s: STATE_WORDS[lang][s][0] for s in STATES}
    days = list(range(1, result.window.month.days_in_month + 1))
    return heat_strip(customers, days, cells, palette=GANTT_COLORS,
                      legend_labels=legend, title=f"{name} {result.window.month}", lang=lang,
                      shaded=[bool(r) for r in rest], shaded_label=REST_WORDS[lang][0])


def _adherence_chart(result: PlanResult, lang: str) -> Markup:
    words = STATE_WORDS[lang]
    managers = result.managers
    series = {words["done"][0]: managers["done_on_time"].tolist(), words["slipped"][0]: managers["slipped"].tolist(),
              words["missed"][0]: managers["missed"].tolist()}
    colors = {words["done"][0]: GANTT_COLORS["done"], words["slipped"][0]: GANTT_COLORS["slipped"],
              words["missed"][0]: GANTT_COLORS["missed"]}
    title = "计划天数：按期完成 / 延迟 / 未完成" if lang == "zh" else "Planned days: done / slipped / missed"
    return stacked_bar_chart(managers["staff_name"].tolist(), series, title=title, colors=colors, lang=lang)


def _legend_text(lang: str) -> str:
    words = STATE_WORDS[lang]
    return ("；" if lang == "zh" else "; ").join(f"{words[s][0]}：{words[s][1]}" if lang == "zh"
                                                 else f"{words[s][0]}: {words[s][1]}" for s in STATES)


def _day_label(month: pd.Period, day: int, lang: str) -> str:
    weekday = _WEEKDAYS[lang][pd.Timestamp(month.year, month.month, day).weekday()]
    return f"{day}\n{weekday}"
