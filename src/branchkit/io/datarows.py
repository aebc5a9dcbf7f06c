"""Which rows of a sheet's body hold data: not blank, not a totals row (合计, Total ...), not the header
repeated (a report printed page by page), not a section heading (一、对公客户: ``io.sections``). Shared by
every reader, for the body ``Grid.body`` gives."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from branchkit.io import convert
from branchkit.io.header import HeaderMatch
from branchkit.io.sections import section_rows
from branchkit.text import WHITE_SPACE, regex_match_led

#: A totals row's word: 合计, 总计, 小计 or 汇总 (Excel's table total row in Chinese), alone and then a colon,
#: a bracket or nothing; or after a scope (全行合计, 本页小计, 累计合计, 对公客户合计) or a branch's name
#: (城中支行合计, a subtotal of a network's list) and then nothing but a colon; or Total, Sum and their kin.
#: A name merely ending in such a word (张合计) is no totals row.
#: The pattern runs in RE2, whose ``\s`` is ASCII white space only: the spaces a label is padded with are
#: every white space ``str.isspace`` takes (``_SP``), so ``合　计`` and ``　合计`` (the ideographic space Word
#: and WPS users align two-character labels with, and SPEC's "spaces including full-width") are totals too.
_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in WHITE_SPACE)
_SP, _NOT_SP = f"[{_SPACES}]", f"[^{_SPACES}]"
_WORD = rf"(?:合{_SP}*计|总{_SP}*计|小{_SP}*计|汇{_SP}*总)"
_SCOPE = r"(?:全行|全网|全部|本页|本月|本期|本年|本日|当月|当日|累计|总|对公|个人|零售|公司)(?:客户)?"
_TOTAL = (rf"^{_SP}*(?:{_WORD}|(?i:total|totals|sub{_SP}*total|grand{_SP}*total|sum)){_SP}*(?:[:：(（]|$)"
          rf"|^{_SP}*(?:{_SCOPE}|{_NOT_SP}{{1,12}}?(?:支行|分行|网点|营业部)){_SP}*{_WORD}{_SP}*[:：]?{_SP}*$")
#: What a cell matching ``_TOTAL`` can start with besides white space (``ſ``: RE2's case folding of s), or
#: else end with: a scope's first characters would take in every 对公 and 个人 of a customer list's kinds
#: (66 ms against 7 for a million), its word's last ones hardly any cell.
_TOTAL_LEADS = "合总小汇tTsSſgG"
_TOTAL_TRAILS = "计总:："
#: A body of more columns than this (and few cells) is looked at as one block of cells rather than column
#: by column: a column costs about a millisecond of pandas whatever its length (16,384 columns: 20 s).
_WIDE_COLUMNS, _WIDE_CELLS = 32, 4_000_000


class DataRows(NamedTuple):
    """The rows of a body that hold data, and how many of the others were of each sort."""

    keep: pd.Index
    blank: int = 0
    totals: int = 0
    repeated_headers: int = 0
    sections: int = 0


def data_rows(body: list[pd.Series], match: HeaderMatch) -> DataRows:
    """Rows that hold data: not blank, not a totals row, not a repeated header, not a section heading; and
    how many rows were blank, totals, repeated headers and section headings."""
    if not body:
        return DataRows(pd.Index([], dtype="int64"))
    blank, repeated = _blank_and_header_cells(body, match)
    totals = pd.Series(False, index=blank.index)
    for j in _totals_columns(match, len(body)):
        # A totals word starts with a lead or ends the cell, found by each cell's first and last bytes (a
        # byte scan of the whole column for a lead anywhere first, as before, cost more than that: 1,000,000
        # CSV customers' four columns, 0.095 s CPU, 0.03 s more for the names, where a 小 or 总 stands).
        totals |= regex_match_led(body[j], _TOTAL, _TOTAL_LEADS, _TOTAL_TRAILS)
    totals &= ~blank
    repeated_header = (repeated >= 2) & ~blank
    other = (blank | totals | repeated_header).to_numpy(dtype=bool)
    sections = section_rows(body, match, ~other)
    return DataRows(blank.index[~(other | sections)], int(blank.sum()), int((totals & ~repeated_header).sum()),
                    int(repeated_header.sum()), int(sections.sum()))


def _blank_and_header_cells(body: list[pd.Series], match: HeaderMatch) -> tuple[pd.Series, pd.Series]:
    """Per row: whether every cell is blank, and how many cells repeat their column's header."""
    index = body[0].index
    labeled = {j: label for j, label in match.labels.items() if j < len(body) and label}
    if len(body) <= _WIDE_COLUMNS or len(body) * len(index) > _WIDE_CELLS:
        repeated = np.zeros(len(index), dtype=np.int64)
        for j, label in labeled.items():
            repeated += body[j].eq(label).fillna(False).to_numpy(dtype=bool)
        return _blank_rows(body), pd.Series(repeated, index=index)
    cells = np.stack([s.to_numpy(dtype=object) for s in body])          # columns x rows
    blank = convert._is_blank(pd.Series(cells.ravel())).to_numpy(dtype=bool).reshape(cells.shape)
    columns = np.fromiter(labeled, dtype=np.int64, count=len(labeled))
    labels = np.array(list(labeled.values()), dtype=object)[:, None]
    repeated = (cells[columns] == labels).sum(axis=0) if len(columns) else np.zeros(len(index), dtype=int)
    return pd.Series(blank.all(axis=0), index=index), pd.Series(repeated, index=index)


def _blank_rows(body: list[pd.Series]) -> pd.Series:
    """Per row: whether every cell is blank. Each column is looked at only on the rows blank in every
    column before it (``_is_blank`` is cell by cell): in a ledger, after the first column hardly any.
    ``_blank_and_header_cells`` of 1,000,000 CSV customers (17 columns): 0.23 -> 0.06 s CPU, median of 5."""
    index = body[0].index
    left = np.arange(len(index))
    for column in body:
        if not len(left):
            break
        part = column if len(left) == len(index) else column.iloc[left]
        left = left[convert._is_blank(part).to_numpy(dtype=bool)]
    blank = np.zeros(len(index), dtype=bool)
    blank[left] = True
    return pd.Series(blank, index=index)


def _totals_columns(match: HeaderMatch, width: int) -> list[int]:
    """Where a totals row writes its word: the first columns, and the identifier and name columns."""
    wanted = set(range(min(3, width)))
    wanted |= {j for f, j in match.columns.items() if f in ("customer_id", "name", "staff_id", "branch")}
    return sorted(j for j in wanted if j < width)
