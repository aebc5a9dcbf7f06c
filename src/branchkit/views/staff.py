"""The report of ``branchkit staff``: branches, hours, shortfalls, corporate counters, RM teams.

``staff_report(result, rules, by_hour=..., lang=...)`` arranges a
``core.staffing.StaffingResult`` as a ``Report``: csv/json carry the SPEC's
``staff`` table (one row per branch), or with ``by_hour`` the ``hours`` table
(one row per branch, day and hour); xlsx has a sheet per table; html adds,
per branch, its peak day's hourly need against the counters open.
Words in cells (requirements, shortfalls, branch types) are in ``lang``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup

from branchkit.core.staffing import StaffingResult
from branchkit.core.staffing_hours import HOUR_COLUMNS
from branchkit.io.charts import line_chart
from branchkit.io.tables import Report, Section, Table
from branchkit.labels import column_label
from branchkit.rules import Rules

BRANCH_COLUMNS = [
    "branch", "branch_type", "daily_transactions", "tellers_needed", "tellers_current", "surplus",
    "peak_hour", "peak_counters", "queue_staff_needed", "peak_date", "queue_surplus", "tellers_on_leave", "tellers_on_duty",
    "cash_requirement", "cash_dedicated", "cash_combined", "noncash_requirement", "noncash_dedicated",
    "noncash_combined", "minimum_staff", "staff_current", "minimum_met", "minimum_shortfall",
    "under_served_hours",
]
_RED, _GREEN, _AMBER = "#F8CBAD", "#C6EFCE", "#FFEB9C"
_ITEMS = {
    "staff": ("人数", "headcount"), "heads": ("网点负责人", "heads"), "deputies": ("副行长", "deputies"),
    "service": ("服务营销人员", "service staff"), "lobby": ("大堂人员", "lobby staff"),
    "lobby_managers": ("大堂经理", "lobby managers"), "corporate_rm": ("对公客户经理", "corporate RMs"),
}
_COUNTERS = {"cash": ("现金(高柜)", "cash (high counter)"), "noncash": ("非现金(低柜)", "non-cash (low counter)")}
_STATUS = {
    "none_stated": ("无规定", "none stated"), "no_corporate_business": ("无对公业务", "no corporate business"),
    "no_volume": ("未提供对公业务量", "no corporate volumes given"),
    "unknown_type": ("网点类型未知", "branch type unknown"),
}
_SEGMENTS = {"large": ("大型企业", "large"), "middle": ("中型企业", "middle"), "small": ("小型企业(面对面)", "small"),
             "small_phone": ("小型企业(电话)", "small by phone")}


def _word(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def item_words(item: str, lang: str) -> str:
    """A minimum-staffing item (``lobby_managers``...) as people say it."""
    return _word(_ITEMS.get(item, (item, item)), lang)


def staff_report(result: StaffingResult, rules: Rules, *, by_hour: bool = False, lang: str = "zh",
                 rm_team: pd.DataFrame | None = None) -> Report:
    """The whole ``staff`` report; ``primary`` is ``hours`` with ``by_hour``, else ``staff``."""
    branches = branch_table(result, rules, lang)
    hours = hours_table(result)
    sections = [
        Section("网点人员配置", "Staffing by branch", [branches], text_zh=explained(rules, "zh"),
                text_en=explained(rules, "en"), anchor="branches"),
        Section("最低配置缺口", "Below the minimum", [shortfall_table(result, rules, lang)], anchor="minimum"),
        Section("对公柜台配置要求", "Corporate counters", [counter_table(result, rules, lang)], anchor="counters"),
        Section("分时段柜台需求", "Counters by hour", [hours], charts=hour_charts(result, lang),
                anchor="hours", page_break=True),
    ]
    if rm_team is not None:
        sections.append(Section("客户经理团队", "Relationship-manager teams", [rm_team_table(rm_team, lang)],
                                anchor="rm-team"))
    return Report("网点人员与柜台配置", "Tellers and counters", sections,
                  primary="hours" if by_hour else "staff", period=_period(result.hours))


def _period(hours: pd.DataFrame) -> str:
    """The month(s) of the hourly volumes, for page headers ("" without dated hours)."""
    if "date" not in hours or hours["date"].isna().all():
        return ""
    months = pd.to_datetime(hours["date"], errors="coerce").dropna().dt.to_period("M").astype("str")
    found = sorted(months.unique())
    return found[0] if len(found) == 1 else f"{found[0]}–{found[-1]}" if found else ""


def explained(rules: Rules, lang: str) -> str:
    """How the staffing numbers were reached, with the rules' own values."""
    queue, per = rules.staffing.queue, f"{rules.staffing.teller_daily_throughput:g}"
    if lang == "zh":
        return (f"需配柜员数按日柜均{per}笔配置一个柜员计算；排队模型(Erlang C)逐时段计算所需柜台："
                f"{queue.service_level:.0%}的客户等待不超过{queue.target_wait_seconds:g}秒，柜台占用率不超过"
                f"{queue.max_occupancy:.0%}，所需人员按{queue.shrinkage:.0%}轮休折算。高峰为最繁忙一天中所需柜台最多的时段。")
    return (f"Tellers needed: one per {per} daily transactions. The queueing model (Erlang C) sizes each hour: "
            f"{queue.service_level:.0%} of customers wait at most {queue.target_wait_seconds:g} s, occupancy at "
            f"most {queue.max_occupancy:.0%}, staff after {queue.shrinkage:.0%} shrinkage. The peak is the hour "
            "needing the most counters on the busiest day.")


def branch_table(result: StaffingResult, rules: Rules, lang: str) -> Table:
    """One row per branch: the SPEC's ``staff`` columns, then counters, minimum and roster columns."""
    frame = result.branches.copy()
    frame["cash_requirement"] = _requirement_words(result.counters, "cash", frame["branch"], lang)
    frame["noncash_requirement"] = _requirement_words(result.counters, "noncash", frame["branch"], lang)
    frame["minimum_shortfall"] = _shortfall_words(result, frame, lang)
    frame["branch_type"] = _type_words(frame["branch_type"], rules, lang)
    if frame.empty:   # no branch: the same header as ever (the roster column only with --roster)
        frame = frame.reindex(columns=[c for c in BRANCH_COLUMNS if c != "under_served_hours"])
    frame = frame[[c for c in BRANCH_COLUMNS if c in frame]]
    fills = pd.DataFrame(index=frame.index)
    for column in ("surplus", "queue_surplus"):
        if column in frame:
            fills[column] = np.where(frame[column].fillna(0) < 0, _RED, None)
    if "minimum_met" in frame:
        fills["minimum_met"] = np.where(frame["minimum_met"].eq(False).fillna(False), _RED, None)
    return Table("staff", frame, "网点", "Branches", fills=fills)


def _requirement_words(counters: pd.DataFrame, counter: str, branches: pd.Series, lang: str) -> pd.Series:
    if counters.empty:
        return pd.Series("", index=branches.index, dtype="str")
    rows = counters[counters["counter"] == counter].set_index("branch")
    if rows.empty:
        words = rows.apply(lambda r: r[f"text_{lang}"] if r["status"] == "band" else _word(_STATUS[r["status"]], lang),
                           axis=1)
    else:   # a list, not a row-wise apply: a report makes this table for every branch
        words = pd.Series([t if s == "band" else _word(_STATUS[s], lang)
                           for s, t in zip(rows["status"], rows[f"text_{lang}"])], index=rows.index, dtype="object")
    return branches.map(words).astype("str")


def _shortfall_words(result: StaffingResult, frame: pd.DataFrame, lang: str) -> pd.Series:
    """``大堂经理 0/1；对公客户经理 0/1`` per branch; empty when met or not checked for want of a roster."""
    out = pd.Series("", index=frame.index, dtype="str")
    unknown = frame["branch_type"].isna() & frame["minimum_met"].isna() & frame["staff_current"].notna()
    out[unknown] = _word(("网点类型未知，未检查", "branch type unknown: not checked"), lang)
    if result.shortfalls.empty:
        return out
    of = "/" if lang == "zh" else " of "
    sep = "；" if lang == "zh" else "; "
    parts = result.shortfalls.assign(text=[f"{_word(_ITEMS[i], lang)} {p}{of}{r}" for i, p, r in zip(
        result.shortfalls["item"], result.shortfalls["present"], result.shortfalls["required"])])
    joined = parts.groupby("branch", sort=False)["text"].agg(sep.join)
    listed = frame["branch"].map(joined)
    return listed.fillna(out).astype("str")


def _type_words(types: pd.Series, rules: Rules, lang: str) -> pd.Series:
    """Branch types as ledgers name them (大型全功能网点) in Chinese, as keys in English."""
    if lang != "zh":
        return types
    names = {key: words[0] for key, words in rules.values.branch_type.items()}
    return types.map(lambda t: names.get(t, t) if isinstance(t, str) else t)


def hours_table(result: StaffingResult) -> Table:
    """One row per branch, day and hour; waits rounded to a tenth of a second, unbounded ones blank."""
    frame = result.hours.copy() if len(result.hours.columns) else pd.DataFrame(columns=HOUR_COLUMNS)
    for column in ("average_wait_seconds", "roster_average_wait_seconds", "roster_occupancy"):
        if column in frame:
            frame[column] = frame[column].replace([np.inf, -np.inf], np.nan)
            if column.endswith("seconds"):
                frame[column] = frame[column].round(1)
    fills = None
    if "under_served" in frame:
        fills = pd.DataFrame({"under_served": np.where(frame["under_served"].fillna(False), _RED, None),
                              "counters_open": np.where(frame["under_served"].fillna(False), _RED, None)},
                             index=frame.index)
    return Table("hours", frame, "分时段", "By hour", fills=fills,
                 note_zh="等待或占用率为空：开放柜台不足以承接到达量，排队无限增长。",
                 note_en="A blank wait or occupancy: the counters open cannot carry the load; the queue grows "
                         "without bound.")


def shortfall_table(result: StaffingResult, rules: Rules, lang: str) -> Table:
    """Each item a branch falls short of its type's minimum: required, present, missing."""
    columns = ["branch", "branch_type", "item", "required", "present", "missing"]
    frame = result.shortfalls.copy() if len(result.shortfalls) else pd.DataFrame(columns=columns)
    frame["item"] = frame["item"].map(lambda i: _word(_ITEMS[i], lang)).astype("str")
    frame["branch_type"] = _type_words(frame["branch_type"], rules, lang)
    return Table("shortfalls", frame[columns], "最低配置缺口", "Below the minimum",
                 empty_zh=minimum_sentence(result.branches, "zh"), empty_en=minimum_sentence(result.branches, "en"))


def minimum_sentence(branches: pd.DataFrame, lang: str) -> str:
    """What an empty shortfall table means, from the branches' own check: how many branches were checked
    and met their type's minimum, and how many could not be checked and why."""
    met = branches["minimum_met"] if "minimum_met" in branches else pd.Series(dtype="boolean")
    checked = int(met.notna().sum())
    no_staff = int((met.isna() & branches["staff_current"].isna()).sum()) if len(met) else 0
    no_type = int(met.isna().sum()) - no_staff
    if lang == "zh":
        parts = [f"已检查的 {checked} 个网点均达到其类型的最低配置" if checked else "未检查最低配置"]
        parts += [f"{no_staff} 个网点未提供员工名单，未检查"] * bool(no_staff)
        parts += [f"{no_type} 个网点类型未知，未检查"] * bool(no_type)
        return "；".join(parts) + "。"
    parts = [f"each of the {checked} branch(es) checked meets its type's minimum" if checked
             else "the minimum staffing was not checked"]
    parts += [f"{no_staff} branch(es) without a staff list were not checked"] * bool(no_staff)
    parts += [f"{no_type} branch(es) of unknown type were not checked"] * bool(no_type)
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def counter_table(result: StaffingResult, rules: Rules, lang: str) -> Table:
    """Each branch's corporate cash and non-cash counter requirement, in words and numbers."""
    frame = result.counters.copy()
    if frame.empty:
        frame = pd.DataFrame(columns=["branch", "branch_type", "counter", "corporate_volume", "status",
                                      "text_zh", "text_en", "dedicated", "combined"])
    frame["requirement"] = [t if s == "band" else _word(_STATUS[s], lang)
                            for s, t in zip(frame["status"], frame[f"text_{lang}"])]
    frame["counter"] = frame["counter"].map(lambda c: _word(_COUNTERS[c], lang))
    frame["branch_type"] = _type_words(frame["branch_type"], rules, lang)
    columns = ["branch", "branch_type", "counter", "corporate_volume", "requirement", "dedicated", "combined"]
    return Table("counters", frame[columns], "对公柜台", "Corporate counters")


def rm_team_table(team: pd.DataFrame, lang: str) -> Table:
    """Specialists per customer segment for the RMs given."""
    frame = team.assign(segment=team["segment"].map(lambda s: _word(_SEGMENTS.get(s, (s, s)), lang)))
    return Table("rm_team", frame, "客户经理团队", "RM teams")


def hour_charts(result: StaffingResult, lang: str) -> list[Markup]:
    """Per branch, its peak day: counters and staff needed (lines) against counters open (bars)."""
    if result.hours.empty:
        return []
    charts = []
    branches = result.branches.set_index("branch")
    for branch, hours in result.hours.groupby("branch", sort=False):
        day = branches.at[branch, "peak_date"]
        shown = hours[hours["date"].isna()] if pd.isna(day) else hours[hours["date"] == day]
        on_duty = branches.at[branch, "tellers_on_duty"] if "tellers_on_duty" in branches else pd.NA
        charts.append(_chart(str(branch), day, shown, on_duty, lang))
    return charts


def _chart(branch: str, day: object, hours: pd.DataFrame, on_duty: object, lang: str) -> Markup:
    """Need as steps; on duty as bars: the counters open each hour (--roster), else the tellers on duty."""
    series = {column_label("counters", lang): hours["counters"].tolist(),
              column_label("staff", lang): hours["staff"].tolist()}
    bars = None
    if "counters_open" in hours and hours["counters_open"].notna().any():
        bars = column_label("counters_open", lang)
        series[bars] = [None if pd.isna(v) else int(v) for v in hours["counters_open"]]
    elif not pd.isna(on_duty):
        bars = column_label("tellers_on_duty", lang)
        series[bars] = [int(on_duty)] * len(hours)
    when = "" if pd.isna(day) else f" {pd.Timestamp(day):%Y-%m-%d}"
    title = f"{branch}{when} " + ("分时段需求" if lang == "zh" else "need by hour")
    labels = [f"{int(h)}:00" for h in hours["hour"]]
    return line_chart(labels, series, title=title, step=True, bar_series=bars, lang=lang)
