"""Column-wise conversion of raw cells to canonical values, collecting every problem.

Each converter takes one column (a Series of Python values as the grid holds
them, indexed by 0-based sheet row) and returns the converted Series and a
``Bad`` record of the rows it could not convert, with a stable code and a
message. Work is done with whole-column pandas operations; per-element
Python runs only through ``Series.map`` on the type, never in a loop of ours.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.text import WHITE_SPACE, fold_series, led_by, regex_match, str_series, trailed_by, utf8_buffers

_ID_DIGITS_EXACT = 15            # a float holds every integer of up to 15 digits exactly


@dataclass
class Bad:
    """Rows a converter rejected: 0-based sheet row -> (code, message, raw value)."""

    rows: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    values: list[object] = field(default_factory=list)

    def add(self, mask: pd.Series, raw: pd.Series, code: str, message: str) -> None:
        """Record every row where ``mask`` is true, with one message for all of them."""
        if not mask.any():          # the usual case: spares aligning a million-row mask with the column
            return
        hits = raw[mask.reindex(raw.index, fill_value=False).astype(bool)]
        self.rows.extend(hits.index.tolist())
        self.codes.extend([code] * len(hits))
        self.messages.extend([message] * len(hits))
        self.values.extend(hits.tolist())


def _all_text(values: pd.Series) -> bool:
    """A text column (CSV, HTML): every cell is a string or missing, no per-cell look needed."""
    return isinstance(values.dtype, pd.StringDtype)


def arrow_text(values: pd.Series) -> bool:
    """A text column held as Arrow text (a CSV's): its conversion is Arrow's and numpy's kernels."""
    return _all_text(values) and values.dtype.storage == "pyarrow"


def holds_any(values: pd.Series | pa.Array | pa.ChunkedArray, needles: tuple[bytes, ...]) -> bool:
    """Whether any text of an Arrow text column may hold one of ``needles`` (UTF-8): one scan of its cells'
    bytes, not a regex per cell. Never False when one does (True for a column not on Arrow): work is
    skipped on False only. A needle cannot span two cells: each cell is whole UTF-8."""
    if isinstance(values, pd.Series):
        if not arrow_text(values):
            return True
        values = values.array.__arrow_array__()
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        if not len(chunk):
            continue
        offsets, data = utf8_buffers(chunk)
        cells = data[offsets[0]:offsets[-1]].tobytes()
        if any(needle in cells for needle in needles):
            return True
    return False


def cells_holding(values: pd.Series, needles: bytes) -> np.ndarray:
    """The positions of the cells of an Arrow text column that may hold one of the single bytes ``needles``
    (ASCII letters: never a byte of another character's UTF-8), in order: the bytes found in the column's
    text, each told its cell by the offsets. Every position for a column not on Arrow."""
    if not arrow_text(values):
        return np.arange(len(values))
    parts, base = [np.zeros(0, dtype=np.int64)], 0
    for chunk in values.array.__arrow_array__().chunks:
        if len(chunk) and chunk.buffers()[2] is not None:
            offsets, data = utf8_buffers(chunk)
            text = data[offsets[0]:offsets[-1]]
            found = np.zeros(len(text), dtype=bool)
            for needle in needles:
                found |= text == needle
            at = np.flatnonzero(found) + offsets[0]
            parts.append(np.unique(np.searchsorted(offsets, at, side="right") - 1) + base)
        base += len(chunk)
    return np.concatenate(parts)


#: The error values Excel shows in a cell whose formula failed (a VLOOKUP that found nothing gives #N/A); a sheet
#: saved as CSV or HTML writes them as text. Excel and WPS show the same English codes in every language.
EXCEL_ERRORS = ("#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!")


def error_cells(values: pd.Series) -> pd.Series | None:
    """The cells holding an Excel error value written as text (``#N/A``, ``#DIV/0!`` ...; case and spaces
    around it ignored in a text column), as a mask; None when no cell does. A text column without a ``#`` is
    passed over in one scan of its bytes; a workbook's column of mixed cells is looked up whole (its text
    cells exactly as written)."""
    if not holds_any(values, (b"#",)):
        return None
    if _all_text(values):
        found = values.str.strip().str.upper().isin(EXCEL_ERRORS).fillna(False).astype(bool)
    else:
        found = values.isin(EXCEL_ERRORS)
    return found if found.any() else None


def error_message(value: str, cell: str | None = None) -> str:
    """What a ``cell_error`` says: the error value, and the cell where the workbook tells it."""
    where = f"cell {cell} holds" if cell else "the cell holds"
    return f"{where} the Excel error value {value} (its formula failed): correct the formula or enter the value"


def _types(values: pd.Series) -> pd.Series:
    """The Python type of each cell, as an object series (comparable with ``== str`` even when empty)."""
    if _all_text(values):
        types = np.full(len(values), str, dtype=object)
        types[values.isna().to_numpy()] = float          # what a missing cell of a text column is
        return pd.Series(types, index=values.index, dtype=object)
    # map() on an empty Arrow-backed string column keeps the string dtype, and `== str` then raises.
    return values.astype("object").map(type)


def _is_blank(values: pd.Series, types: pd.Series | None = None) -> pd.Series:
    """Empty cells: None, NaN, '' or only white space (also the ideographic space)."""
    if arrow_text(values):
        # Empty or only Arrow's white space (the set its trim removes), found without a trimmed copy.
        cells = pa.array(values, type=pa.large_string(), from_pandas=True)
        blank = pc.or_kleene(pc.equal(pc.utf8_length(cells), 0), pc.utf8_is_space(cells)).fill_null(True)
        return pd.Series(blank.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
    if _all_text(values):
        return (values.isna() | (values.str.strip() == "")).astype(bool)
    array = values.to_numpy(dtype=object)
    # '' is found with the other white space, among the text cells only: comparing every cell of a column
    # of numbers with '' costs numpy a second per 200,000 cells.
    blank = pd.isna(array)
    if types is None:
        try:        # a column of text only (a workbook's text column) converts to Arrow in one go
            text = pa.array(array, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            text = None
        if text is not None and pa.types.is_string(text.type):
            spaces = pc.equal(pc.utf8_trim_whitespace(text), "").fill_null(True)
            return pd.Series(blank | spaces.to_numpy(zero_copy_only=False), index=values.index)
        if text is not None and not (pa.types.is_null(text.type) or pa.types.is_binary(text.type)
                                     or pa.types.is_large_binary(text.type)):
            return pd.Series(blank, index=values.index)    # numbers, dates, flags: no text at all
    is_str = (types if types is not None else _types(values)).eq(str).to_numpy()
    candidates = is_str & ~blank
    if candidates.any():
        text = pd.Series(array[candidates], dtype="str")
        blank[candidates] = (text.str.strip() == "").to_numpy(dtype=bool)
    return pd.Series(blank, index=values.index)


def _numbers(values: pd.Series, types: pd.Series) -> pd.Series:
    """Cells holding a number (not missing); none in a text column."""
    if _all_text(values):
        return pd.Series(False, index=values.index)
    return _is_number(types) & values.notna()


#: Python types of number cells: a workbook's and CSV's (float, int), and what a library caller's frame may
#: hold besides: numpy's other widths and decimal.Decimal (what database drivers return for NUMERIC).
_NUMBER_TYPES = (float, int, np.float64, np.int64, np.float32, np.float16, np.int32, np.int16, np.int8,
                 np.uint64, np.uint32, np.uint16, np.uint8, decimal.Decimal)


def _is_number(types: pd.Series) -> pd.Series:
    return types.isin(_NUMBER_TYPES)


def _only_numbers(values: pd.Series) -> bool:
    """Whether every cell of a workbook column is a number or NaN (an amount column of Excel numbers): the
    cell types gathered in C, where ``_types`` makes a series of them and compares it for each kind."""
    return not _all_text(values) and set(map(type, values.to_numpy(dtype=object))) <= _WORKBOOK_NUMBER_TYPES


#: The number types a workbook's cells come as: the fast path of a column holding nothing else. A library
#: caller's other widths and Decimals take the cell-by-cell way (``_NUMBER_TYPES``).
_WORKBOOK_NUMBER_TYPES = {float, int, np.float64, np.int64}


def _integral_text(numbers: pd.Series) -> pd.Series:
    """Integral floats as digits without '.0' (123456.0 -> '123456')."""
    return numbers.astype("float64").map(lambda v: str(int(v)) if float(v).is_integer() else repr(v))


#: What ``to_text`` takes off a cell's ends: white space (``str.strip()``), then these.
_ALSO_STRIPPED = "\u3000\ufeff"


def to_text(values: pd.Series) -> tuple[pd.Series, Bad]:
    """Free text; numbers typed in Excel come back without a trailing '.0', dates in ISO form."""
    if arrow_text(values):
        return _arrow_text_cells(values), Bad()
    if _all_text(values):
        out = values.str.strip().str.strip(_ALSO_STRIPPED)
        return out.mask(out == ""), Bad()
    types = _types(values)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    text = types == str
    out[text] = values[text].astype("str").str.strip().str.strip("\u3000\ufeff")
    num = _numbers(values, types)
    if num.any():
        out[num] = _integral_text(values[num]).astype("str")
    other = ~(text | num) & values.notna()
    if other.any():
        out[other] = values[other].map(_format_other).astype("str")
    return out.mask(out == ""), Bad()


def _arrow_text_cells(values: pd.Series) -> pd.Series:
    """``to_text`` of an Arrow text column: its ends stripped as ``str.strip`` and then of ``_ALSO_STRIPPED``,
    but only when some cell starts or ends with one of those characters (``led_by``, ``trailed_by``: a
    ledger's text mostly holds none, and each strip is a pass copying the column), and empty cells missing
    (``_empty_missing``: 19 ms by pandas over a million keepers' names). 1,000,000 CSV customers, thread
    CPU, min of 5: names 27 -> 18 ms, keepers' names 45 -> 19 ms, industries 24 -> 16 ms."""
    cells = pa.array(values, type=pa.large_string(), from_pandas=True)
    edges = WHITE_SPACE + _ALSO_STRIPPED
    if (led_by(cells, edges) | trailed_by(cells, edges)).any():
        cells = pc.utf8_trim(pc.utf8_trim_whitespace(cells), characters=_ALSO_STRIPPED)
    return _empty_missing(str_series(cells, values.index).rename(values.name))


def _empty_missing(text: pd.Series) -> pd.Series:
    """Empty cells missing (``text.mask(text == "")``), in Arrow for an Arrow text column: pandas' mask was
    15-19 ms over a million cells with some empty (1,000,000 customers' phones, 5,808 empty), this 1-2 ms."""
    if not arrow_text(text):
        return text.mask(text == "")
    cells = pa.array(text, type=pa.large_string(), from_pandas=True)
    return str_series(pc.if_else(pc.equal(pc.binary_length(cells), 0), None, cells), text.index).rename(text.name)


def _format_other(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) or not value.time() else value.isoformat()
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, (bytes, bytearray)):
        # a program's frame of raw bytes (a database driver's VARBINARY, an undecoded file): the text they
        # hold in UTF-8 or GB18030, never their repr "b'\\xe7...'"; undecodable bytes say so in the cell
        for encoding in ("utf-8", "gb18030"):
            try:
                return bytes(value).decode(encoding)
            except UnicodeDecodeError:
                continue
        return "(undecodable bytes)"
    return str(value)


def to_id(values: pd.Series) -> tuple[pd.Series, Bad]:
    """Identifiers as text: leading zeros kept; an 18-digit number already rounded by Excel is an error."""
    bad = Bad()
    if _all_text(values):            # a CSV column: nothing but text, cleaned in Arrow as a whole
        cleaned = _clean_ids(values)
        # An exponent form needs an e: the pattern runs on the cells holding one (a company's credit code may
        # end in E: 4,435 of 1,000,000 customers' ID numbers, where the pattern over all of them was 0.035 s).
        maybe = cells_holding(cleaned, _SCI_LETTERS)
        if len(maybe):
            bad.add(regex_match(cleaned.iloc[maybe], _SCI_ID), values, "id_precision_lost", _SCI_MESSAGE)
        return _empty_missing(cleaned), bad
    types = _types(values)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    text = types == str
    if text.any():
        cleaned = _clean_ids(values[text].astype("str"))
        out[text] = cleaned
        bad.add(regex_match(cleaned, _SCI_ID), values, "id_precision_lost", _SCI_MESSAGE)
    num = _numbers(values, types)
    if num.any():
        numbers = values[num].astype("float64")
        too_long = numbers.abs() >= 10 ** _ID_DIGITS_EXACT
        fraction = ~too_long & (numbers % 1 != 0)
        bad.add(too_long, values, "id_precision_lost",
                "an identifier of more than 15 digits stored as a number: a spreadsheet keeps 15 digits of a "
                "number, so its last digits are lost or cannot be trusted; format the column as text and type "
                "or import it again (a program's frame: give the ids as text)")
        bad.add(fraction, values, "bad_id", "an identifier cannot have decimals")
        ok = numbers[~too_long & ~fraction]
        out[ok.index] = ok.map(lambda v: str(int(v))).astype("str")
    other = ~(text | num) & values.notna()
    bad.add(other, values, "bad_id", "expected an identifier (text or digits)")
    return out.mask(out == ""), bad


_SCI_ID = r"^\d(\.\d+)?[eE]\+?\d+$"
_SCI_LETTERS = b"eE"
_SCI_MESSAGE = ("the identifier was turned into a number in exponent form and has lost digits; "
                "format the column as text and export again")


def _clean_ids(text: pd.Series) -> pd.Series:
    """Identifier text: NFKC (full-width digits), trimmed, an ="..." wrapper and leading ' or tab removed."""
    ascii_only = text.str.isascii().fillna(True).all()        # NFKC leaves ASCII text as it is
    cleaned = (text if ascii_only else text.str.normalize("NFKC")).str.strip()
    wrapped = cleaned.str.startswith('="').fillna(False).any()
    if wrapped:
        cleaned = cleaned.str.replace(r'^="(.*)"$', r"\1", regex=True)
    # The regex only where the column holds a quote or a tab at all (ids mostly hold neither).
    if wrapped or (holds_any(cleaned, (b"'", b"\t")) and cleaned.str.match(r"['\t]").fillna(False).any()):
        cleaned = cleaned.str.lstrip("'\t").str.strip()
    return cleaned


def to_bool(values: pd.Series, yes: list[str], no: list[str]) -> tuple[pd.Series, Bad]:
    """是/否, Y/N, true/false, 1/0, √ (the words come from the rules)."""
    bad = Bad()
    types = _types(values)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    is_bool = types == bool
    out[is_bool] = values[is_bool].astype(bool)
    num = _numbers(values, types)
    numbers = values[num].astype("float64")
    out[numbers[numbers == 1].index] = True
    out[numbers[numbers == 0].index] = False
    bad.add(num & ~values.where(num).astype("float64").isin([0.0, 1.0]), values, "bad_bool",
            "expected yes or no (是/否, Y/N, 1/0, √)")
    text = (types == str) & ~_is_blank(values, types)
    if text.any():
        keys = fold_series(values[text].astype("str"))
        mapping = {**{k: False for k in no}, **{k: True for k in yes}}
        mapped = keys.map(mapping)
        out[text] = mapped.astype("boolean")
        bad.add(mapped.isna(), values, "bad_bool", "expected yes or no (是/否, Y/N, 1/0, √)")
    return out, bad


#: What each table of coded values (``rules.values``) holds, in the words of a message: the table's key
#: (customer_kind, staff_state) is branchkit's own name, which a problem never shows.
VALUE_NAMES = {
    "customer_kind": "customer kind", "status": "customer status", "scale": "enterprise scale",
    "visit_kind": "kind of visit", "branch_type": "branch type", "vip_grade": "VIP grade",
    "staff_state": "staff state (or yes/no)", "goal_reached": "goal result (yes, partly or no)",
}


def to_enum(values: pd.Series, words: dict[str, list[str]], what: str) -> tuple[pd.Series, Bad]:
    """A coded value: any listed word (folded) or the key itself maps to the key."""
    bad = Bad()
    text, _ = to_text(values)
    present = text.notna()
    mapping = {_fold(key): key for key in words}
    for key, names in words.items():
        mapping.update({_fold(n): key for n in names})
    keys = fold_series(text[present])
    mapped = keys.map(mapping)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    out[present] = mapped
    known = ", ".join(names[0] for names in words.values() if names)
    bad.add(present & out.isna(), values, "unknown_value",
            f"not a known {VALUE_NAMES.get(what, 'value')}; expected one of: {known}")
    return out, bad


def to_hour(values: pd.Series) -> tuple[pd.Series, Bad]:
    """Hour of day: 9, '09:00', '09:00-10:00', '9点', an Excel time (0.375)."""
    bad = Bad()
    types = _types(values)
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    times = types == dt.time
    out[times] = values[times].map(lambda t: t.hour).astype("float64")
    num = _numbers(values, types)
    numbers = values[num].astype("float64")
    out[num] = np.where(numbers < 1, np.floor(numbers * 24 + 1e-9), numbers)
    text = (types == str) & ~_is_blank(values, types)
    if text.any():
        found = values[text].astype("str").str.normalize("NFKC").str.extract(r"^\s*(\d{1,2})", expand=False)
        out[text] = pd.to_numeric(found, errors="coerce")
    invalid = out.notna() & ~(out.between(0, 23) & (out % 1 == 0))
    bad.add(invalid | ((text | num) & out.isna()), values, "bad_hour",
            "expected an hour of the day, 0-23 (9, 09:00 or 09:00-10:00)")
    return out.where(~invalid).astype("Int64"), bad


def _fold(text: str) -> str:
    from branchkit.text import word_key

    return word_key(text)
