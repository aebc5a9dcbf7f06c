"""A ledger's amount and count columns converted (``to_number``): Excel numbers, and numbers written as text
with separators, full-width digits, brackets and units (in the header or the cell), each problem with its
row, as the other converters of ``io.convert`` do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.io.convert import Bad, _all_text, _is_blank, _numbers, _only_numbers, _types, arrow_text
from branchkit.text import MONEY_UNITS, TIME_UNITS, led_by, trailed_by, utf8_buffers

_MAX_AMOUNT = 1e15
_CELL_UNITS = {"万元": 1e4, "万": 1e4, "w": 1e4, "亿元": 1e8, "亿": 1e8, "千元": 1e3, "千": 1e3, "k": 1e3,
               "百万": 1e6, "元": 1.0}
_UNIT_RE = r"(万元|万|w|亿元|亿|千元|千|k|百万|元)$"


def to_number(values: pd.Series, *, unit: str | None = None, money: bool = False) -> tuple[pd.Series, Bad]:
    """Amounts and counts: numbers, text with separators or full-width digits, units in header or cell."""
    bad = Bad()
    header_mult = _unit_multiplier(unit)
    if _all_text(values):                 # a CSV column: every filled cell is text to parse
        filled = ~_is_blank(values).to_numpy()
        parsed, cell_unit = _parse_amounts(values if filled.all() else values[filled], money)
        numbers = np.full(len(values), np.nan)
        numbers[filled] = (parsed * cell_unit.fillna(header_mult)).to_numpy(dtype="float64", na_value=np.nan)
        out = pd.Series(numbers, index=values.index)
        _not_amounts(values, parsed.isna(), bad)
    else:
        out = _cell_numbers(values, header_mult, money, bad)
    bad.add(np.isinf(out) | (out.abs() > _MAX_AMOUNT), values, "number_out_of_range",
            "the number is infinite or too large to be an amount")
    out[np.isinf(out) | (out.abs() > _MAX_AMOUNT)] = np.nan
    return out, bad


def _cell_numbers(values: pd.Series, header_mult: float, money: bool, bad: Bad) -> pd.Series:
    """A workbook column: number cells as they are, text cells parsed, anything else rejected."""
    if _only_numbers(values):
        # What the general way gives such a column: NaN cells are blank, no text to parse, nothing to reject.
        # 个人客户's three amounts at 200,000 customers (174,168 numbers each): 0.022 -> 0.005-0.006 s CPU each (3 runs).
        return pd.Series(values.to_numpy(dtype="float64"), index=values.index, dtype="float64") * header_mult
    types = _types(values)
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    num = _numbers(values, types)
    if num.any():
        out[num] = values[num].astype("float64") * header_mult
    blank = _is_blank(values, types)
    text = (types == str) & ~blank
    if text.any():
        parsed, cell_unit = _parse_amounts(values[text].astype("str"), money)
        out[text] = parsed * cell_unit.fillna(header_mult)
        _not_amounts(values, parsed.isna(), bad)
    bad.add(~(num | text | blank), values, "not_a_number", "expected a number")
    return out


def _unit_multiplier(unit: str | None) -> float:
    if unit is None:
        return 1.0
    return MONEY_UNITS.get(unit) or TIME_UNITS.get(unit) or 1.0


def _parse_amounts(text: pd.Series, money: bool) -> tuple[pd.Series, pd.Series]:
    """Numbers from text; the second series is the unit multiplier written in the cell (or NaN).

    Plain numbers (what a CSV export mostly holds) are cast at once; only the other cells go through
    the clean-up of separators, full-width digits, brackets and units."""
    floats = _all_plain_floats(text)
    if floats is not None:
        return floats, pd.Series(np.nan, index=text.index)
    plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False).astype(bool)
    if plain.all():
        return _plain_floats(text), pd.Series(np.nan, index=text.index)
    if plain.sum() > len(text) // 2:
        numbers = pd.Series(np.nan, index=text.index)
        units = pd.Series(np.nan, index=text.index)
        numbers[plain] = _plain_floats(text[plain])
        rest_numbers, rest_units = _parse_other_amounts(text[~plain], money)
        numbers[~plain] = rest_numbers
        units[~plain] = rest_units
        return numbers, units
    return _parse_other_amounts(text, money)


_PLAIN_NUMBER = r"-?\d{1,15}(\.\d+)?"


#: The bytes of a plain number; one of at most this many bytes has at most 15 digits before its point.
_PLAIN_BYTES = np.zeros(256, dtype=bool)
_PLAIN_BYTES[list(b"0123456789.-")] = True
_PLAIN_LONGEST = 15


def _all_plain_floats(text: pd.Series) -> pd.Series | None:
    """``_plain_floats`` of an Arrow text column shown to hold plain numbers only without the pattern (a
    regex pass, 0.036-0.045 s a million amounts): no cell longer than ``_PLAIN_LONGEST`` bytes, none but
    digits, points and minus signs in them, none starting with a point or "-." or ending with one, and
    every cell cast by Arrow (which takes a minus sign only in front and one point). Such a cell is
    ``_PLAIN_NUMBER`` and each of those is such a cell. None when the column is not shown so. 1,000,000 CSV
    customers' three amounts, thread CPU, min of 5: ``_parse_amounts`` 69 -> 38, 37 -> 23, 62 -> 33 ms."""
    if not (len(text) and arrow_text(text)):
        return None
    cells = pa.array(text, type=pa.large_string(), from_pandas=True)
    if cells.null_count or pc.max(pc.binary_length(cells)).as_py() > _PLAIN_LONGEST:
        return None
    for chunk in cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]:
        if len(chunk) and chunk.buffers()[2] is not None:
            offsets, data = utf8_buffers(chunk)
            if not _PLAIN_BYTES[data[offsets[0]:offsets[-1]]].all():
                return None
    if (led_by(cells, ".") | trailed_by(cells, ".")).any() or pc.any(pc.starts_with(cells, "-.")).as_py():
        return None
    try:
        cast = pc.cast(cells, pa.float64())
    except pa.ArrowInvalid:
        return None
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=text.index, dtype="float64", name=text.name)


def _plain_floats(text: pd.Series) -> pd.Series:
    """Text cells of plain numbers (``_PLAIN_NUMBER``) as floats, cast by Arrow.

    pandas' astype parses each cell through a Python float (0.4 s a million cells); Arrow's cast rounds to
    the nearest float as Python does, in a tenth of the time. Digits other than ASCII (full-width, which
    the pattern's ``\\d`` and Python's float take) are left to pandas."""
    cells = pa.array(text, type=pa.large_string(), from_pandas=True)
    if not pc.all(pc.string_is_ascii(cells)).as_py():
        return text.astype("float64")
    cast = pc.cast(cells, pa.float64())
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=text.index, dtype="float64", name=text.name)


#: The marks of an amount in yuan a cell may carry (人民币1,000, ¥1,000, RMB 1000; 元 is a unit, ``_UNIT_RE``),
#: once full-width forms are folded (NFKC makes ￥ the ¥ matched here).
_YUAN = r"¥|rmb|cny|人民币"
#: A number as written in a cell: thousands separators (comma, also the full-width one folded to it; an
#: apostrophe, underscore or space) only between groups of three digits after a head of one to three not
#: led by 0, a point for decimals. What does not read so (1.234,50 and 0,500 with a decimal comma, 12,34,
#: 1,23,4) is not a number: read with its separators taken away, the value would be another.
_NUMBER = r"[-+]?(?:[1-9]\d{0,2}(?:[,'_ ]\d{3})+(?:\.\d*)?|\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
_SEPARATOR = r"(?<=\d)[,'_ ](?=\d)"
#: Money signs and codes of other currencies (US$, HK$, $, €, £, USD, 美元 ...): such an amount is not yuan, and
#: branchkit converts no currency. Looked for in the cells that did not read as an amount, for the message.
_FOREIGN = r"\$|€|£|₩|₹|₽|usd|hkd|eur|gbp|jpy|aud|cad|sgd|美元|美金|港元|港币|欧元|英镑|日元|円"


def _parse_other_amounts(text: pd.Series, money: bool) -> tuple[pd.Series, pd.Series]:
    s = text.str.normalize("NFKC").str.strip().str.lower()
    s = s.str.replace(_YUAN, "", regex=True).str.strip()
    negative = s.str.fullmatch(r"\(.*\)")
    s = s.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.strip()
    unit = s.str.extract(_UNIT_RE, expand=False)
    s = s.str.replace(_UNIT_RE, "", regex=True).str.strip()
    numbers = pd.to_numeric(s.where(s.str.fullmatch(_NUMBER)).str.replace(_SEPARATOR, "", regex=True),
                            errors="coerce").astype("float64")
    numbers = numbers.where(~negative, -numbers)
    return numbers, unit.map(_CELL_UNITS).astype("float64")


def _not_amounts(values: pd.Series, failed: pd.Series, bad: Bad) -> None:
    """The cells that did not read as an amount, each rejected: one in another currency saying so."""
    if not failed.any():
        return
    cells = values[failed.reindex(values.index, fill_value=False).astype(bool)].astype("str")
    foreign = cells.str.normalize("NFKC").str.lower().str.contains(_FOREIGN, regex=True).fillna(False).astype(bool)
    bad.add(foreign, values, "not_a_number", "an amount in another currency: expected an amount in yuan (CNY)")
    bad.add(~foreign, values, "not_a_number", "expected a number")
