"""Section heading rows inside a ledger's body: ``一、对公客户``, ``（一）存量客户``, ``城中支行`` over that branch's
rows. Hand-kept lists split their body with such a row, merged across the table (its text then stands in
every cell it covers, as ``io.ledger.fill_merged`` or an HTML colspan copies it) or written in the first
column alone (a CSV saved from such a sheet keeps the text in the first cell only). It is no data row:
``datarows.data_rows`` counts it apart, as it does a totals row, and the read line says so.

A real row is never taken for one: a heading is a row whose non-blank cells all hold one same text,
starting in the table's first columns, and that text either

- stands in at least half of the header's matched columns (at least two): a range merged across the table,
  which no record fills with one text; or
- starts with an ordinal (一、 （一） (1) 1、 1. 第一部分 ① Ⅰ), which no field's value does; or
- names a section (a branch: ``城中支行``, ``营业部``; a customer group: ``对公客户``, ``存量客户``) in a column
  no field that such a word is a value of is read from (an identifier's, or an unmatched one such as 序号).
  In the name or branch column it could be a customer (``XX证券营业部``) or a branch's row whose other
  cells are missing (a volumes ledger's ``城中支行`` with no volumes): that stays a data row with its errors.

A customer whose id and name are given and the rest blank holds two texts: a data row, with its errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.io import convert
from branchkit.io.header import HeaderMatch
from branchkit.text import WHITE_SPACE, regex_match

_SPACES = "".join(f"\\x{{{ord(c):x}}}" for c in WHITE_SPACE)
_SP, _NOT_SP = f"[{_SPACES}]", f"[^{_SPACES}]"
_HAN_NUMBER = "[一二三四五六七八九十百零〇两]"
_DIGIT = "[0-9０-９]"
#: An ordinal a heading starts with, then its words: 一、 一. （一） (1) 1、 1. (not 1.5) 第一部分 ① ⑴ ⒈ Ⅰ.
_ORDINAL = (rf"(?:{_HAN_NUMBER}+{_SP}*[、.．]|[(（]{_SP}*(?:{_HAN_NUMBER}+|{_DIGIT}{{1,3}}){_SP}*[)）]"
            rf"|{_DIGIT}{{1,3}}{_SP}*、|{_DIGIT}{{1,3}}[.．](?:{_SP}|[^0-9０-９])"
            rf"|第{_SP}*(?:{_HAN_NUMBER}|{_DIGIT})+{_SP}*(?:部分|大类|类|节|章|组|片区|片|项)"
            rf"|[\x{{2460}}-\x{{249b}}\x{{2160}}-\x{{216b}}])")
HEADING_ORDINAL = rf"^{_SP}*{_ORDINAL}{_SP}*{_NOT_SP}"
#: A heading naming a branch or a customer group, the whole cell (a colon may follow).
_GROUP = (r"(?:对公|对私|个人|公司|法人|零售|小微|普惠|三农|涉农|机构|同业|存量|目标|新增|新开|潜在|重点|其他|其它|贵宾|VIP)"
          r"客户(?:类|群|名单|清单|明细)?")
HEADING_WORD = (rf"^{_SP}*(?:{_NOT_SP}{{0,16}}?(?:支行|分行|网点|营业部|营业室|分理处|储蓄所|片区)"
                rf"|{_NOT_SP}{{0,8}}?{_GROUP}){_SP}*[:：]?{_SP}*$")
#: Text with a letter or a Han character: a merged number or a run of zeros is no heading.
_WORDS = r"[\p{L}]"
#: Fields whose column may hold a heading's section word: identifiers, never a branch or a group's name.
_ID_FIELDS = ("customer_id", "staff_id")


def section_rows(body: list[pd.Series], match: HeaderMatch, candidates: np.ndarray) -> np.ndarray:
    """Which rows (positions in ``body``) are section headings, among ``candidates`` (a bool per row: not
    blank, not totals, not a repeated header)."""
    matched = sorted(j for j in match.columns.values() if j < len(body))
    lead = max(2, matched[0]) if matched else 2
    at, first, copies = _one_text_rows(body, np.flatnonzero(candidates), set(matched), lead)
    found = np.zeros(len(candidates), dtype=bool)
    if not len(at):
        return found
    ids = {j for f, j in match.columns.items() if f in _ID_FIELDS}
    free = np.isin(first, [j for j in range(lead + 1) if j not in matched or j in ids])
    for j in _columns(first):
        rows = first == j
        text = body[j].iloc[at[rows]]
        across = (copies[rows] >= max(2, -(-len(matched) // 2))) & regex_match(text, _WORDS).to_numpy()
        worded = regex_match(text, HEADING_WORD).to_numpy() & free[rows]
        found[at[rows]] = across | regex_match(text, HEADING_ORDINAL).to_numpy() | worded
    return found


def _one_text_rows(body: list[pd.Series], at: np.ndarray, matched: set[int],
                   lead: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows (of positions ``at``) whose non-blank cells all hold one text whose first cell is in the
    columns up to ``lead``; per row, that first cell's column and how many ``matched`` columns hold it.

    Column by column, over the rows left: a record holds two different values in its first cells (an id
    and a name), so after two or three columns hardly a row is left to look at (as ``_blank_rows``)."""
    first = np.full(len(at), -1, dtype=np.int16)         # a sheet has at most 16,384 columns
    copies = np.zeros(len(at), dtype=np.int16)
    rows = len(body[0]) if body else 0
    for j, column in enumerate(body):
        if not len(at):
            break
        part = column if len(at) == rows else column.iloc[at]
        filled = ~convert._is_blank(part).to_numpy(dtype=bool)
        keep = np.ones(len(at), dtype=bool) if j <= lead else first >= 0   # the text starts in the first columns
        held = filled & (first >= 0)
        ks = _columns(first[held])
        for k in ks:
            same = held if len(ks) == 1 else held & (first == k)
            keep[same] = _equal(part.iloc[np.flatnonzero(same)], body[k].iloc[at[same]])
        if j <= lead:
            new = filled & (first < 0)
            if new.any():
                text = _texts(part if new.all() else part.iloc[np.flatnonzero(new)])
                keep[new] = text            # a heading is text: a row led by a number (序号) is a record
                first[np.flatnonzero(new)[text]] = j
        if j in matched:
            copies += filled
        if not keep.all():
            at, first, copies = at[keep], first[keep], copies[keep]
    held = first >= 0
    return at[held], first[held], copies[held]


def _columns(first: np.ndarray) -> np.ndarray:
    """The distinct columns of ``first`` (small numbers: counted, not sorted as ``np.unique`` would)."""
    return np.flatnonzero(np.bincount(first)) if len(first) else first


def _texts(part: pd.Series) -> np.ndarray:
    """Whether each (non-blank) cell is text; a column of numbers is told at once, not cell by cell."""
    if isinstance(part.dtype, pd.StringDtype):
        return np.ones(len(part), dtype=bool)
    array = part.to_numpy(dtype=object)
    try:
        cells = pa.array(array, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return convert._types(part).eq(str).to_numpy(dtype=bool)
    if pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type):
        return np.ones(len(part), dtype=bool)
    return np.zeros(len(part), dtype=bool)


def _equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Cell by cell (by position), whether two columns' cells are the same value (neither blank)."""
    if convert.arrow_text(a) and convert.arrow_text(b):
        same = pc.equal(pa.array(a, type=pa.large_string(), from_pandas=True),
                        pa.array(b, type=pa.large_string(), from_pandas=True))
        return same.fill_null(False).to_numpy(zero_copy_only=False)
    left = pd.Series(a.to_numpy(dtype=object), dtype=object)
    return left.eq(pd.Series(b.to_numpy(dtype=object), dtype=object)).to_numpy(dtype=bool)
