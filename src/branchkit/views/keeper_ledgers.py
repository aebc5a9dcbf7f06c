"""One ledger book (台账) per keeper, to print and bind: cover, contents, weekly report form, customer
basic information table, customer follow-up record table.

DOMAIN §3 step 4, seed 000 §4.2.2 第四步 (打印，装订成册，包括封皮、目录、周报表、客户基础信息表、
客户跟进记录表). Every book is laid on the same grid of columns (the basic information's), so the
books of a branch look alike; forms to fill in by hand span several grid columns and have tall lines.
The basic and follow-up tables of every keeper are cut from two frames made once (``Table.part_of``),
and the weekly form, the same for every keeper of the month, is one table shared by every book.
"""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.core.allocate import Allocation
from branchkit.core.calendar import month_days
from branchkit.io.book import Book, BookPart
from branchkit.io.tables import Table
from branchkit.io.xlsx import sheet_name
from branchkit.labels import value_label

BASIC = ["customer_id", "name", "kind", "tier", "retail_tier", "scale", "industry", "deposit", "loan",
         "financial_assets", "open_date", "id_number", "phone", "source"]
#: The book's grid: the basic information's column widths (Excel character units), the same in every book.
GRID = [14.0, 28.0, 6.0, 6.0, 10.0, 6.0, 12.0, 14.0, 14.0, 14.0, 11.0, 20.0, 13.0, 8.0]
FOLLOW_UP = ["customer_id", "name", "date", "follow_way", "follow_content", "feedback", "next_step", "head_comment"]
#: The allocation's columns a book shows or is laid out by.
_SHOWN = list(dict.fromkeys(BASIC + ["keeper_name", "keeper_role"]))
_SHEET_NAME_CHARS = 31          # Excel's limit
_FOLLOW_UP_LABELS = {"date": ("跟进日期", "Date"), "next_step": ("下一步计划", "Next step"),
                     "head_comment": ("负责人意见", "Head's comment")}
_FOLLOW_UP_SPANS = {"date": 2, "follow_way": 2, "follow_content": 3, "feedback": 2, "head_comment": 2}
WEEKLY = ["week", "dates", "visits", "new_customers", "products", "deposit_change", "summary", "plan",
          "head_comment"]
_WEEKLY_LABELS = {"week": ("周次", "Week"), "dates": ("起止日期", "Dates"),
                  "visits": ("走访/联系客户数", "Customers visited or called"),
                  "new_customers": ("新增客户数", "New customers"), "products": ("营销产品数", "Products sold"),
                  "deposit_change": ("存款变动(万元)", "Deposit change (10k CNY)"),
                  "summary": ("本周工作小结", "This week's work"), "plan": ("下周工作计划", "Next week's plan"),
                  "head_comment": ("负责人意见", "Head's comment")}
_WEEKLY_SPANS = {"visits": 2, "products": 2, "summary": 2, "plan": 2, "head_comment": 2}
#: Line heights (points): a table line; a line of the follow-up record and of the weekly form to write in.
_BASIC_LINE, _FOLLOW_UP_LINE, _WEEKLY_LINE = 18.0, 34.0, 60.0
#: Weeks on the form when the month is not known (a month touches at most six weeks).
_WEEKS_UNKNOWN = 6


def keeper_books(result: Allocation, words: Callable[[pd.DataFrame], pd.DataFrame], lang: str,
                 month: str | None = None) -> list[Book]:
    """A book per keeper with customers, in branch then staff id order; ``month`` (YYYY-MM) dates the
    cover and the weekly form (left to fill in without it)."""
    frame = result.allocation
    rows = np.flatnonzero((frame["keeper"].notna() & frame["status"].eq("existing")).to_numpy())
    if not len(rows):
        return []
    # One stable sort by (branch, keeper): each keeper's customers are then one run of rows, in the
    # allocation's order, and a book takes a slice of the frames made once. The rows and the columns
    # the books show are taken once (not the whole allocation filtered, then sorted: two copies).
    # Sorted by Arrow (a stable sort; text in UTF-8 byte order, which is code point order, as Python
    # compares str): object arrays of 160,000 texts sorted by pandas cost several times more.
    keys = pa.table({"branch": pa.array(frame["branch"].iloc[rows].fillna("").astype("str")),
                     "keeper": pa.array(frame["keeper"].iloc[rows].astype("str"))})
    order = pc.sort_indices(keys, sort_keys=[("branch", "ascending"), ("keeper", "ascending")]).to_numpy()
    kept = frame.iloc[rows[order], [frame.columns.get_loc(c) for c in _SHOWN]]
    keys = keys.take(order).combine_chunks()
    basic = words(kept[BASIC].reset_index(drop=True))          # words once, then cut per keeper
    follow = pd.DataFrame({"customer_id": kept["customer_id"].array, "name": kept["name"].array})
    for column in FOLLOW_UP[2:]:
        follow[column] = pd.Series(pd.NA, index=follow.index, dtype="str")
    weekly = BookPart(weekly_table(month, lang), _WEEKLY_LINE, _WEEKLY_SPANS, blank=tuple(WEEKLY[2:]))
    tiers = _tier_counts(kept["tier"].to_numpy(), len(keys))
    starts = _runs(keys)
    stops = np.append(starts[1:], len(keys))
    branches, keepers = keys.column("branch").chunk(0), keys.column("keeper").chunk(0)
    names, roles = kept["keeper_name"].to_numpy(), kept["keeper_role"].to_numpy()
    books = []
    used: tuple[set[str], set[str]] = (set(), set())
    for start, stop in zip(starts, stops):
        branch, keeper = branches[start].as_py(), keepers[start].as_py()
        name = str(names[start]) if pd.notna(names[start]) else keeper
        parts = [weekly, _basic(basic, start, stop), _follow_up(follow, start, stop)]
        cover = _cover(name, keeper, roles[start], branch, month, stop - start, tiers[:, start:stop].sum(axis=1))
        books.append(Book(ledger_title("台账-", name, keeper, used[0]), ledger_title("Ledger-", name, keeper, used[1]),
                          "客户维护台账", "Customer ledger",
                          f"{name}（{keeper}）", f"{name} ({keeper})", cover, GRID, parts, scope=branch,
                          period=month or ""))
    return books


def _runs(keys: pa.Table) -> np.ndarray:
    """The first row of each run of equal (branch, keeper) rows of ``keys`` (sorted, without nulls)."""
    n = len(keys)
    changed = np.zeros(n, dtype=bool)
    changed[:1] = True
    for name in keys.column_names:
        column = keys.column(name).chunk(0)
        changed[1:] |= pc.not_equal(column.slice(1), column.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    return np.flatnonzero(changed)


def ledger_title(prefix: str, name: str, keeper: str, used: set[str]) -> str:
    """A keeper's sheet name, ``台账-<name>-<staff id>``, within Excel's 31 characters: the name is cut,
    never the staff id, and numbered (``台账-张三(2)-a01``) where two would still be one sheet name
    (Excel compares names ignoring case). ``used`` holds the names given so far, in lower case."""
    tail = f"-{keeper}"
    for n in itertools.count(1):
        tag = "" if n == 1 else f"({n})"
        room = _SHEET_NAME_CHARS - len(prefix) - len(tail) - len(tag)
        # a staff id too long to share the name with anything stands alone (cut only beyond 31 characters)
        title = prefix + name[:room].rstrip() + tag + tail if room > 0 else tag + keeper
        title = sheet_name(title, set())           # the characters Excel refuses, as the writer replaces them
        if title.lower() not in used:
            used.add(title.lower())
            return title
    raise AssertionError("unreachable")


def _basic(basic: pd.DataFrame, start: int, stop: int) -> BookPart:
    table = Table("ledger_basic", basic.iloc[start:stop], "客户基础信息表", "Customer basic information",
                  part_of=(basic, start))
    return BookPart(table, _BASIC_LINE)


def _follow_up(follow: pd.DataFrame, start: int, stop: int) -> BookPart:
    table = Table("ledger_follow_up", follow.iloc[start:stop], "客户跟进记录表", "Customer follow-up record",
                  formats={"date": "text"}, labels=_FOLLOW_UP_LABELS, part_of=(follow, start))
    return BookPart(table, _FOLLOW_UP_LINE, _FOLLOW_UP_SPANS, blank=tuple(FOLLOW_UP[2:]))


def weekly_table(month: str | None, lang: str) -> Table:
    """The weekly report form: one line per week (Monday to Sunday) touching the month, its dates
    printed, the rest left to fill in; six undated weeks when the month is not known."""
    if month:
        days = month_days(pd.Period(month, "M"))
        mondays = days - pd.to_timedelta(days.day_of_week, unit="D")
        dates = [_date_range(days[mondays == monday][0], days[mondays == monday][-1], lang)
                 for monday in mondays.unique()]
    else:
        dates = [""] * _WEEKS_UNKNOWN
    weeks = [f"第{i}周" if lang == "zh" else f"Week {i}" for i in range(1, len(dates) + 1)]
    frame = pd.DataFrame({"week": weeks, "dates": dates}, dtype="str")
    for column in WEEKLY[2:]:
        frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return Table("ledger_weekly", frame, "周报表", "Weekly report", labels=_WEEKLY_LABELS,
                 formats={c: "text" for c in WEEKLY})


def _date_range(first: pd.Timestamp, last: pd.Timestamp, lang: str) -> str:
    if first == last:
        return f"{first.month}月{first.day}日" if lang == "zh" else f"{first:%b} {first.day}"
    if lang == "zh":
        return f"{first.month}月{first.day}日–{last.month}月{last.day}日"
    return f"{first:%b} {first.day}–{last:%b} {last.day}"


_TIERS = ("high", "mid", "general")


def _tier_counts(tiers: np.ndarray, n: int) -> np.ndarray:
    """Per tier (rows, in ``_TIERS`` order), 1 where the customer (column) is of that tier."""
    return np.vstack([tiers == t for t in _TIERS]).astype("int64") if n else np.zeros((3, 0), "int64")


def _cover(name: str, keeper: str, role: object, branch: str, month: str | None, customers: int,
           tiers: np.ndarray) -> list[tuple[str, str, str, str]]:
    """The cover's lines: label and value, in Chinese and English."""
    by_tier_zh = "，".join(f"{value_label('tier', t, 'zh')} {int(n)} 户" for t, n in zip(_TIERS, tiers))
    by_tier_en = ", ".join(f"{value_label('tier', t, 'en')} {int(n)}" for t, n in zip(_TIERS, tiers))
    month_zh = f"{month[:4]}年{int(month[5:7])}月" if month else "______年____月"
    return [
        ("维护责任人", "Keeper", name, name),
        ("工号", "Staff ID", keeper, keeper),
        ("岗位", "Role", value_label("role", role, "zh"), value_label("role", role, "en")),
        ("所属网点", "Branch", branch, branch),
        ("月份", "Month", month_zh, month or "__________"),
        ("维护客户", "Customers kept", f"{customers} 户（{by_tier_zh}）", f"{customers} ({by_tier_en})"),
    ]
