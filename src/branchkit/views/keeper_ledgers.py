"""One ledger sheet (台账) per keeper: the customer basic information sheet, then an empty follow-up record.

DOMAIN §3 step 4: per keeper, a printable book. The workbook gives each
keeper a sheet with their customers' basic information and a follow-up
record with one line per customer for the keeper to fill in by hand.
"""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np
import pandas as pd

from branchkit.core.allocate import Allocation
from branchkit.io.tables import Sheet, Table
from branchkit.io.xlsx import sheet_name
from branchkit.labels import value_label

BASIC = ["customer_id", "name", "kind", "tier", "retail_tier", "scale", "industry", "deposit", "loan",
         "financial_assets", "open_date", "id_number", "phone", "source"]
FOLLOW_UP = ["customer_id", "name", "date", "follow_way", "follow_content", "feedback", "next_step", "head_comment"]
_SHEET_NAME_CHARS = 31          # Excel's limit
_FOLLOW_UP_LABELS = {"date": ("跟进日期", "Date"), "next_step": ("下一步计划", "Next step"),
                     "head_comment": ("负责人意见", "Head's comment")}


def keeper_sheets(result: Allocation, words: Callable[[pd.DataFrame], pd.DataFrame]) -> list[Sheet]:
    """A 台账 sheet per keeper with customers, in branch then staff id order."""
    frame = result.allocation
    kept = frame[frame["keeper"].notna() & frame["status"].eq("existing")]
    if kept.empty:
        return []
    # One stable sort by (branch, keeper): each keeper's customers are then one run of rows, in the
    # allocation's order, and a sheet takes a slice of the frames made once.
    keys = pd.DataFrame({"branch": kept["branch"].fillna("").astype("str").to_numpy(),
                         "keeper": kept["keeper"].astype("str").to_numpy()})
    order = keys.sort_values(["branch", "keeper"], kind="stable").index.to_numpy()
    kept, keys = kept.iloc[order], keys.iloc[order].reset_index(drop=True)
    basic = words(kept[BASIC].reset_index(drop=True))          # words once, then cut per keeper
    follow = pd.DataFrame({"customer_id": kept["customer_id"].to_numpy(), "name": kept["name"].to_numpy()})
    for column in FOLLOW_UP[2:]:
        follow[column] = pd.Series(pd.NA, index=follow.index, dtype="str")
    starts = np.flatnonzero((keys.ne(keys.shift())).any(axis=1).to_numpy())
    stops = np.append(starts[1:], len(keys))
    names, roles = kept["keeper_name"].to_numpy(), kept["keeper_role"].to_numpy()
    sheets = []
    used: tuple[set[str], set[str]] = (set(), set())
    for start, stop in zip(starts, stops):
        branch, keeper = keys.iat[start, 0], keys.iat[start, 1]
        name = names[start] if pd.notna(names[start]) else keeper
        sheet = _sheet(str(branch), str(keeper), str(name), roles[start], basic, follow, start, stop)
        sheet.title_zh = ledger_title("台账-", str(name), str(keeper), used[0])
        sheet.title_en = ledger_title("Ledger-", str(name), str(keeper), used[1])
        sheets.append(sheet)
    return sheets


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


def _sheet(branch: str, keeper: str, name: str, role: object, basic: pd.DataFrame, follow: pd.DataFrame,
           start: int, stop: int) -> Sheet:
    """One keeper's sheet: rows ``start:stop`` of the basic and follow-up frames of all keepers."""
    info = Table("ledger_basic", basic.iloc[start:stop], "客户基本信息表", "Customer basic information",
                 part_of=(basic, start))
    record = Table("ledger_follow_up", follow.iloc[start:stop], "客户跟进记录表", "Customer follow-up record",
                   formats={"date": "text"}, labels=_FOLLOW_UP_LABELS, part_of=(follow, start))
    role_zh, role_en = value_label("role", role, "zh"), value_label("role", role, "en")
    where = f"，{branch}" if branch else ""
    return Sheet(
        f"台账-{name}-{keeper}", f"Ledger-{name}-{keeper}", [info, record],
        heading_zh=f"维护责任人：{name}（工号 {keeper}，{role_zh}{where}），维护客户 {stop - start} 户",
        heading_en=f"Keeper: {name} (staff ID {keeper}, {role_en}{', ' + branch if branch else ''}), "
                   f"{stop - start} customers",
    )
