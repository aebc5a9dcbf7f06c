"""Per-person pay statements: what each payee gets, line by line (metrics, pay, piece rates).

One printable html section and one xlsx sheet per person. The same lines feed
``--explain``; they are built per person from frames grouped once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from branchkit.core.month import MonthResult
from branchkit.io.tables import Section, Sheet, Table
from branchkit.labels import metric_label, perspective_label, role_label

METRIC_COLUMNS = ["metric", "perspective", "actual", "target", "weight", "ratio", "points"]
PIECE_COLUMNS = ["date", "product", "customer", "share_of", "piece_rate", "share", "amount"]
_SHARE = {"closer": ("营销实施", "closer"), "lead": ("信息获取", "lead"), "pool": ("奖金池", "pool")}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


@dataclass
class Person:
    """One scored person's rows, gathered once."""

    row: pd.Series               # the summary row
    lines: pd.DataFrame          # scorecard lines
    pieces: pd.DataFrame         # piece-rate lines paid to them
    pool: pd.Series              # their branch's pool record
    rest: float                  # unrounded pool left for the points split in their branch
    whole: float                 # sum of totals of those paid by points in their branch


def people(result: MonthResult) -> list[Person]:
    """Every scored person, in the summary's order (branch, rank, staff id)."""
    lines = dict(tuple(result.lines.groupby("staff_id", sort=False)))
    pieces = dict(tuple(result.pieces.groupby("staff_id", sort=False)))
    pools = result.pools.set_index("branch")
    empty_lines, empty_pieces = result.lines.iloc[:0], result.pieces.iloc[:0]
    split = _points_basis(result.summary, pools)
    out = []
    for _, row in result.summary.iterrows():
        rest, whole = split.get(row["branch"], (0.0, 0.0))
        out.append(Person(row, lines.get(row["staff_id"], empty_lines), pieces.get(row["staff_id"], empty_pieces),
                          pools.loc[row["branch"]], rest, whole))
    return out


def _points_basis(summary: pd.DataFrame, pools: pd.DataFrame) -> dict[str, tuple[float, float]]:
    by_points = summary[summary["basis"].isin(["points", "equal"])].groupby("branch")["total"].sum()
    management = summary[summary["basis"].eq("coefficient")].groupby("branch")["bonus_quota"].sum()
    out = {}
    for branch in pools.index:
        out[branch] = (float(pools.loc[branch, "pool"]) - float(management.get(branch, 0.0)),
                       float(by_points.get(branch, 0.0)))
    return out


def share_label(share_of: str, lang: str) -> str:
    """closer / lead / pool, for people."""
    return _t(lang, *_SHARE.get(share_of, (share_of, share_of)))


def metric_lines(person: Person, days: int, lang: str) -> pd.DataFrame:
    """The scorecard as printed: each metric the role scores, the work-log bonus, deductions, the total."""
    lines = person.lines[person.lines["weight"] > 0].copy()
    lines["metric"] = lines["metric"].map(lambda m: metric_label(m, lang))
    lines["perspective"] = lines["perspective"].map(lambda p: perspective_label(p, lang))
    row = person.row
    extra = pd.DataFrame([
        {"metric": metric_label("worklog", lang), "perspective": perspective_label("learning", lang),
         "actual": row["worklog_days"], "target": float(days), "weight": None,
         "ratio": row["worklog_completion"], "points": row["worklog_bonus"]},
        {"metric": metric_label("deductions", lang), "perspective": "", "actual": row["deductions"],
         "target": None, "weight": None, "ratio": None, "points": -row["deductions"]},
        {"metric": _t(lang, "总分", "Total"), "perspective": "", "actual": None, "target": None,
         "weight": None, "ratio": None, "points": row["total"]},
    ])
    return pd.concat([lines[METRIC_COLUMNS], extra], ignore_index=True)


def pay_lines(person: Person, lang: str) -> pd.DataFrame:
    """The pay as printed: the branch pool, how the bonus was set, the bonus, piece rates, the sum."""
    row, pool = person.row, person.pool
    if row["basis"] == "coefficient":
        how = _t(lang, f"人均 {pool['average_bonus']:,.2f} × 系数 {row['coefficient']:g}",
                 f"average {pool['average_bonus']:,.2f} × coefficient {row['coefficient']:g}")
    elif row["basis"] == "equal":
        how = _t(lang, "总分均为0，剩余奖金平均分配", "every total is 0: the rest split equally")
    else:
        how = _t(lang, f"总分 {row['total']:.2f} / {person.whole:.2f} × 剩余奖金 {person.rest:,.2f}",
                 f"total {row['total']:.2f} / {person.whole:.2f} × the rest {person.rest:,.2f}")
    items = [
        (_t(lang, "网点奖金池", "Branch pool"), f"{int(pool['active_staff'])} " + _t(lang, "人", "staff"),
         pool["pool"]),
        (_t(lang, "绩效奖金", "Bonus"), how + _t(lang, f"（未取整 {row['bonus_quota']:,.4f}）",
                                              f" (before rounding {row['bonus_quota']:,.4f})"), row["bonus"]),
        (_t(lang, "计价工资", "Piece-rate pay"), f"{len(person.pieces)} " + _t(lang, "笔", "line(s)"),
         row["piece_rate_pay"]),
        (_t(lang, "应发合计", "Total pay"), "", row["total_pay"]),
    ]
    return pd.DataFrame(items, columns=["item", "detail", "amount"])


def piece_lines(person: Person, lang: str) -> pd.DataFrame:
    """The piece-rate lines paid to the person (unrounded; the sum is rounded once)."""
    frame = person.pieces.reindex(columns=PIECE_COLUMNS).copy()
    frame["share_of"] = frame["share_of"].map(lambda s: share_label(s, lang))
    return frame.reset_index(drop=True)


def _pieces(person: Person, lang: str) -> Table:
    frame = piece_lines(person, lang)
    none = frame.empty
    return Table("statement_pieces", frame, "计价明细", "Piece-rate lines", note_zh="本月无计价" if none else "",
                 note_en="No piece-rate lines this month" if none else "")


def heading(person: Person, month: pd.Period, lang: str) -> tuple[str, str]:
    """The statement's title and its line under it."""
    row = person.row
    title = _t(lang, f"{row['name']}（{row['staff_id']}）{month} 绩效工资单",
               f"Pay statement {month}: {row['name']} ({row['staff_id']})")
    n = int(person.pool["active_staff"])
    line = _t(lang, f"{row['branch']} · {role_label(row['role'], 'zh')} · 排名 {row['rank']}/{n}",
              f"{row['branch']} · {role_label(row['role'], 'en')} · rank {row['rank']} of {n}")
    return title, line


def statements(result: MonthResult, lang: str) -> tuple[list[Section], list[Sheet]]:
    """One printable html section and one xlsx sheet per scored person."""
    sections, sheets = [], []
    days = len(result.working_days)
    for person in people(result):
        title, line = heading(person, result.month, lang)
        tables = [
            Table("statement_metrics", metric_lines(person, days, lang), "积分", "Scorecard"),
            Table("statement_pay", pay_lines(person, lang), "工资", "Pay"),
            _pieces(person, lang),
        ]
        sections.append(Section(title, title, tables, text_zh=line, text_en=line, page_break=True, in_xlsx=False,
                                anchor=f"p-{person.row['staff_id']}"))
        sheet_title = f"{person.row['staff_id']} {person.row['name']}"
        sheets.append(Sheet(sheet_title, sheet_title, tables, heading_zh=f"{title}  {line}",
                            heading_en=f"{title}  {line}"))
    return sections, sheets
