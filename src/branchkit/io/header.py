"""Finding the header row below title rows, in one row or two.

A ledger's header is the row (among the first ``header_scan_rows``) whose
cells name the most fields of the ledger kind. Two-row headers, where a merged
group cell (``对公``) stands over its sub-headers (``现金日均笔数``), are read as
the group name joined to each sub-header when that names a field better.

A line above the header (or a cell of it that names no field) may give the
table's money unit, as Chinese reports do: ``单位：万元``, ``金额单位：人民币万元``,
``XX支行对公客户清单（单位:万元）``. It is the ``sheet_unit`` of the match, for
the money columns whose own header names no unit (``io.ledger``); several
different units there give none. A line giving the data's date (``数据日期：
2026年10月31日``, ``截至2026-10-31``, ``江城分行2026年10月末客户清单``) is its
``data_date``, which the month's commands hold against ``--month``
(``core.dated``); a tabulation or print date (``制表日期``) is not one, and two
different dates give none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from branchkit.text import FOREIGN_CURRENCIES, header_key, header_unit, unit_suffix


@dataclass
class HeaderMatch:
    """Where the header is and which column holds which field."""

    row: int                                   # 0-based first header row
    depth: int                                 # 1 or 2 rows
    columns: dict[str, int]                    # field -> column index
    labels: dict[int, str]                     # column index -> header as written (joined for two rows)
    units: dict[str, str | None]               # field -> unit noted in its header
    duplicates: dict[str, list[int]] = field(default_factory=dict)   # field -> every column naming it
    unknown: list[str] = field(default_factory=list)
    sheet_unit: str | None = None              # the money unit a line above the header gives (单位：万元)
    unit_lines: dict[str, str] = field(default_factory=dict)   # unit -> the first cell giving it, as written
    #: field -> the unit of the merged group cell over its sub-header (余额(万元) over 存款 | 贷款), where the
    #: column's own header gives none; ``io.ledger`` makes it the unit of the money columns.
    group_units: dict[str, str] = field(default_factory=dict)
    data_date: dt.date | None = None           # the data's date a line above the header gives (数据日期：...)
    date_line: str | None = None               # ... the cell that says so, as written
    branch: str | None = None                  # the branch a line above the header names (机构：城中支行)
    branch_line: str | None = None             # ... the words that say so

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def data_start(self) -> int:
        return self.row + self.depth


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def field_of(label: str, index: dict[str, str]) -> str | None:
    """The field a header names: by its key, else by its name before a money unit written after it
    (``存款余额/万元``, ``存款余额万元``: ``text.unit_suffix``); the whole header wins, so a name that truly ends
    in such a word is never cut."""
    name = index.get(header_key(label))
    if name is None:
        split = unit_suffix(label)
        name = index.get(header_key(split[0])) if split else None
    return name


def _keys(label: str) -> set[str]:
    """Every key ``field_of`` may look ``label`` up by."""
    split = unit_suffix(label)
    return {header_key(label), header_key(split[0])} if split else {header_key(label)}


def _match_row(labels: list[str], index: dict[str, str]) -> tuple[dict[str, list[int]], list[str]]:
    found: dict[str, list[int]] = {}
    unknown = []
    for j, label in enumerate(labels):
        if not label:
            continue
        name = field_of(label, index)
        if name is None:
            unknown.append(label)
        else:
            found.setdefault(name, []).append(j)
    for name, cols in found.items():
        # Two headers naming one field, one of them the field's own canonical name (a ledger branchkit
        # cleaned: `state` beside the derived `active` of validate -o): the canonical one is the field and
        # the other is passed over, as a header naming nothing. Between two aliases (在岗 and 人员状态) the
        # ledger does not say which to use: a duplicate_field problem, as before.
        own = [j for j in cols if header_key(labels[j]) == header_key(name)]
        if len(cols) > 1 and len(own) == 1:
            unknown += [labels[j] for j in cols if j != own[0]]
            found[name] = own
    return found, unknown


def _groups(parent: list[str], child: list[str]) -> list[str]:
    """The group over each sub-header of a two-row header: the cell above it, or, where that is blank, the
    group of the column to its left when the sub-headers between run unbroken (``对公`` written once over
    ``现金日均笔数`` and ``非现金日均笔数``: a CSV export of a merged group cell, or a group centred across
    its columns without a merge). A column without a sub-header, or headed alone (merged down: the same
    text in both rows), ends the run."""
    groups, run = [], ""
    for j in range(max(len(parent), len(child))):
        top = parent[j] if j < len(parent) else ""
        sub = child[j] if j < len(child) else ""
        if top:
            run = top if sub and sub != top else ""
            groups.append(top)
        else:
            run = run if sub else ""
            groups.append(run)
    return groups


def _two_row_labels(parent: list[str], child: list[str], index: dict[str, str]) -> list[str]:
    labels = []
    for j, group in enumerate(_groups(parent, child)):
        top = parent[j] if j < len(parent) else ""
        sub = child[j] if j < len(child) else ""
        if not sub or sub == top:
            labels.append(top)
        elif not top:
            # A group carried from the left names the column only when joined it names a field.
            labels.append(group + sub if group and field_of(group + sub, index) else sub)
        elif not field_of(top + sub, index) and field_of(sub, index):
            labels.append(sub)
        else:
            labels.append(top + sub)
    return labels


def label_keys(rows: list[list[Any]]) -> set[str]:
    """The keys of every label ``find_header`` can look up in ``rows`` for any kind: each cell's text, and
    each cell's text joined to the one below it (a two-row header's group over its sub-header).

    A kind none of whose aliases is among them has no header there, and a kind missing one of its
    required fields among them cannot have a complete one; ``kind_from_headers`` skips those without
    scanning the rows once per kind (a network's Gantt workbook has thousands of sheets to classify)."""
    texts = [[_cell_text(v) for v in row] for row in rows]
    keys = {k for row in texts for t in row if t for k in _keys(t)}
    for upper, lower in zip(texts, texts[1:]):
        for group, sub in zip(_groups(upper, lower), lower):
            if group and sub:
                keys.update(_keys(group + sub))
    return keys


def find_header(rows: list[list[Any]], index: dict[str, str], required: list[str]) -> HeaderMatch | None:
    """The best header among ``rows`` for a kind whose alias index is ``index``, or None."""
    best: HeaderMatch | None = None
    texts = [[_cell_text(v) for v in row] for row in rows]
    for r, labels in enumerate(texts):
        candidates = [(1, labels)]
        if r + 1 < len(texts) and any(texts[r + 1]):
            candidates.append((2, _two_row_labels(labels, texts[r + 1], index)))
        for depth, cand in candidates:
            found, unknown = _match_row(cand, index)
            if not found:
                continue
            match = HeaderMatch(
                row=r, depth=depth, columns={f: cols[0] for f, cols in found.items()},
                labels={j: lab for j, lab in enumerate(cand) if lab},
                units={f: header_unit(cand[cols[0]]) for f, cols in found.items()},
                duplicates={f: cols for f, cols in found.items() if len(cols) > 1}, unknown=unknown,
            )
            if best is None or _better(match, best, required):
                best = match
    if best is not None:
        _group_units(best, texts)
        _title_lines(best, texts)
    return best


def _group_units(match: HeaderMatch, texts: list[list[str]]) -> None:
    """The unit of each group cell over a sub-header that gives none (in place: ``match.group_units``).

    The group row is the header's first row when it is read as two, or else the row just above it: a group
    cell merged over its sub-headers fills every cell of the merge, so the sub-header row alone names the
    same fields and is the header read (``余额(万元)`` merged over ``存款 | 贷款``). A cell the same as the
    one below (a header merged down) is no group; a line giving the table's unit (``单位：万元``) is the
    ``sheet_unit``'s, noted as such (``_title_lines``), not a group's."""
    top = match.row if match.depth == 2 else match.row - 1
    if top < 0:
        return
    parent, child = texts[top], texts[top + 1]
    groups = _groups(parent, child)
    for name, j in match.columns.items():
        group = groups[j] if j < len(groups) else ""
        if match.units.get(name) or not group or group == (child[j] if j < len(child) else ""):
            continue
        unit = None if ("单位" in group and _UNIT_LINE.search(group)) else header_unit(group)
        if unit:
            match.group_units[name] = unit


#: A money unit given for the whole table: 单位：万元, 金额单位:人民币万元, 单位：折人民币万元, 单位/元 (not 单位名称);
#: or a foreign currency (单位：美元, 单位：万美元), which ``io.ledger`` holds against the money columns.
_UNIT_LINE = re.compile(r"单位\s*[:：/]?\s*(?:折合?)?(?:人民币)?\s*(?:[十百千]?万|亿)?\s*("
                        + "|".join(sorted(FOREIGN_CURRENCIES, key=len, reverse=True)) + ")"
                        r"|单位\s*[:：/]?\s*(?:折合?)?(?:人民币)?\s*(千万元|百万元|十万元|亿元|万元|千元|元)", re.IGNORECASE)


#: The data's date: labelled (数据日期, 统计日期, 截止日期, 报表日期, 截至, 截止) with a day, or a month's end (…年10月末).
_DATE_LINE = re.compile(r"(?:数据日期|统计日期|截止日期|报表日期|截至|截止)\s*[:：]?\s*(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]"
                        r"\s*(\d{1,2})(?:\s*日)?|(\d{4})\s*年\s*(\d{1,2})\s*月\s*末")


def _title_lines(match: HeaderMatch, texts: list[list[str]]) -> None:
    """The money unit, the data's date and the branch of the lines above the header and of the header's cells
    that name no field (in place). What says so is kept as the words matched (``单位：万元``, ``数据日期：
    2026年10月31日``), not the whole cell: the messages quote it, and a title cell may hold anything."""
    dates: dict[dt.date, str] = {}
    branches: dict[str, str] = {}
    for text in [t.replace("\u3000", " ") for row in texts[:match.row] for t in row] + match.unknown:
        hit = _UNIT_LINE.search(text) if "单位" in text else None
        if hit:
            match.unit_lines.setdefault(hit.group(1) or hit.group(2), hit.group(0))
        for found in _DATE_LINE.finditer(text) if any(c.isdigit() for c in text) else ():
            day = _day(found)
            if day is not None:
                dates.setdefault(day, found.group(0))
        found = _BRANCH_LINE.search(text) if ("机构" in text or "网点" in text) else None
        name = _branch_name(found.group(2)) if found else None
        if name:
            branches.setdefault(name, f"{found.group(1)}：{name}")
    if len(match.unit_lines) == 1:
        match.sheet_unit = next(iter(match.unit_lines))
    if len(dates) == 1:
        (match.data_date, match.date_line), = dates.items()
    if len(branches) == 1:
        (match.branch, match.branch_line), = branches.items()


#: The branch a line names: 机构：城中支行, 所属网点:城中支行, 机构名称：320101 城中支行 (a label, then a colon).
#: Not a printing or querying office's (打印机构, 查询机构, 操作网点).
_BRANCH_LINE = re.compile(r"(?<!打印)(?<!制表)(?<!操作)(?<!查询)(?<!导出)(?<!经办)"
                          r"(所属机构|机构名称|营业机构|经营机构|所属网点|网点名称|机构|网点)\s*[:：]\s*(.*)")
#: A branch's code beside its name: 320101, (320101), （JC01）.
_BRANCH_CODE = re.compile(r"[(（]\s*[0-9A-Za-z]*\d[0-9A-Za-z]*\s*[)）]|(?<!\S)\d+(?!\S)")


def _branch_name(rest: str) -> str | None:
    """The branch name after a branch label's colon: up to the next label (``数据日期：...``, whose label is
    the last word before the next colon), a wide gap or a comma, without the branch's code."""
    words = re.split(r"[，,;；|]", rest.split("  ")[0])[0]
    colon = re.search(r"[:：]", words)
    if colon:
        words = " ".join(words[:colon.start()].split()[:-1])
    return " ".join(_BRANCH_CODE.sub(" ", words).split()) or None


def _day(found: re.Match) -> dt.date | None:
    """The date a ``_DATE_LINE`` match gives (a month's end for 年…月末), or None when it is no date."""
    year, month, day, end_year, end_month = found.groups()
    try:
        if year is not None:
            return dt.date(int(year), int(month), int(day))
        first_next = dt.date(int(end_year) + int(end_month) // 12, int(end_month) % 12 + 1, 1)
        return first_next - dt.timedelta(days=1) if 1 <= int(end_month) <= 12 else None
    except ValueError:
        return None


def _better(new: HeaderMatch, old: HeaderMatch, required: list[str]) -> bool:
    def key(m: HeaderMatch) -> tuple[int, int, int]:
        return (sum(1 for f in required if f in m.columns), m.score, -m.depth)

    return key(new) > key(old)
