"""HTML tables that fit their box at 1280 px and on A4 paper, instead of hiding columns behind a
sideways scroll or wrapping a branch name one character a line.

Each column's width is estimated in em from its cell texts (a CJK character 1 em, a digit or a
Latin letter about 0.55 em, plus the cell's padding). Numbers, identifiers, dates and short texts
never wrap; a long text column wraps at ``WRAP_EM``. A table whose columns add up to more than the
narrowest place it is shown (``BUDGET_EM``: A4 portrait at the printed font) is split into parts
that each repeat the columns naming the row (the branch, the person, the customer), so every
column stays readable and in view.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: The width a table may take, in em of its font: A4 portrait within the report's margins is 186 mm
#: (703 px) at a 10 px printed font, 70 em; on screen the box is 1066 px at 13 px, 82 em. The rest is
#: room for the estimate's error.
BUDGET_EM = 64.0
#: Padding and border of a cell, in em (8 px a side on screen at 13 px, 4 px a side in print at 10 px).
PAD_EM = 1.3
#: Texts up to this width stay on one line (branch and person names, roles, states); longer ones wrap here.
NOWRAP_EM = 12.0
WRAP_EM = 10.0
#: Columns that name a row, repeated in every part of a split table (the leading run of them).
KEY_COLUMNS = frozenset({"branch", "staff_id", "staff_name", "name", "customer_id", "customer", "keeper",
                         "keeper_name", "ledger", "item"})
_MAX_KEYS = 4


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def text_em(text: str) -> float:
    """Estimated width of one line of ``text`` in em: wide (CJK, full-width) characters 1 em, the rest 0.55."""
    if text.isascii() and len(text) < len(_ASCII_EM):
        return _ASCII_EM[len(text)]        # most cells (numbers, ids, dates): no character looked up
    return _summed_em(text)


@lru_cache(maxsize=1 << 16)
def _summed_em(text: str) -> float:
    """``text_em`` summed character by character, cached: a report's tables repeat the same names, words
    and headers (a 200-branch pack measured ~1.1 million characters looked up, most of them again)."""
    return sum(1.0 if _wide(ch) else 0.55 for ch in text)


#: ``text_em`` of an ASCII text by its length, summed exactly as the loop sums (the same float).
_ASCII_EM = [sum(0.55 for _ in range(n)) for n in range(256)]


def _longest_word(text: str) -> float:
    """The widest piece a header may not break inside: a Latin word (a CJK character breaks anywhere)."""
    words = [w for w in text.replace("/", " / ").split() if w and not any(_wide(ch) for ch in w)]
    return max((text_em(w) for w in words), default=1.0)


def _widest(cells: list[str]) -> float:
    """The largest ``text_em`` of ``cells``: of ASCII cells (numbers, ids, dates), the longest one's,
    ``text_em`` growing with the length (one join and a length each, not a call per cell)."""
    if cells and "".join(cells).isascii():
        longest = max(map(len, cells))
        if longest < len(_ASCII_EM):
            return _ASCII_EM[longest]
    return max(map(text_em, cells), default=0.0)


@dataclass(frozen=True)
class Fit:
    """How a column is shown: its class (``num`` right-aligned, ``nw`` on one line, ``wrap``) and width."""

    css: str
    em: float


def fit_column(header: str, cells: list[str], numeric: bool, wraps: bool) -> Fit:
    """The class and estimated width (em, with padding) of one column; ``wraps``: its format is text
    that may break across lines (not an identifier or a date)."""
    widest = _widest(cells)
    head = max(_longest_word(header), min(text_em(header), 2.0))
    if numeric:
        return Fit("num", max(widest, head) + PAD_EM)
    if not wraps or widest <= NOWRAP_EM:
        return Fit("nw", max(widest, head) + PAD_EM)
    return Fit("wrap", max(WRAP_EM, head) + PAD_EM)


def split_columns(names: list[str], fits: list[Fit], budget: float = BUDGET_EM) -> list[list[int]]:
    """The columns of each part of a table (indexes): all in one when they fit ``budget``; else the
    leading columns that name a row, then as many more as fit, part after part."""
    if sum(f.em for f in fits) <= budget or len(names) <= 1:
        return [list(range(len(names)))]
    keys: list[int] = []
    for j, name in enumerate(names[:_MAX_KEYS]):
        if name not in KEY_COLUMNS or sum(fits[k].em for k in keys) + fits[j].em > budget * 0.4:
            break
        keys.append(j)
    keys = keys or [0]
    room = budget - sum(fits[k].em for k in keys)
    parts: list[list[int]] = []
    current: list[int] = []
    used = 0.0
    for j in range(len(names)):
        if j in keys:
            continue
        if current and used + fits[j].em > room:
            parts.append(keys + current)
            current, used = [], 0.0
        current.append(j)
        used += fits[j].em
    if current or not parts:
        parts.append(keys + current)
    return parts
