"""Ledger text is data, never code; personal data is masked where people read it.

CSV cells that a spreadsheet would run as a formula are neutralised (OWASP
CSV injection); ID numbers and phones are masked for xlsx/html and in every
problem listing. Masking fails closed: a value is shown (partly) only when it
is recognised, as a valid ID number or phone (masked to ``410105********1234``,
``138****5678``) or a company's unified social credit code, whose check
characters prove it is one (public, shown whole); anything else in a sensitive
column is starred whole, one star per character.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.io.xlsxtext import any_byte, offsets_and_data
from branchkit.text import str_series

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# [0-9], not \\d, throughout: a full-width digit (or another script's) is not taken for one; it fails closed.
_ID_NUMBER = r"^[0-9]{6}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$"
_OLD_ID_NUMBER = r"^[0-9]{6}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}$"
#: The shape of an ID number whatever its date (day 00, month 00): never taken for a credit code, even
#: when its digits happen to pass a credit code's checks.
_ID_SHAPED = r"^[0-9]{6}(?:18|19|20)[0-9]{2}(?:0[0-9]|1[0-2])[0-3][0-9][0-9]{3}[0-9Xx]$"
#: GB 32100-2015: registration authority and kind, 6-digit region, 9-character organisation code (GB 11714,
#: its check 0-9 or X), check character; the alphabet leaves out I O Z S V.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{8}[0-9X][0-9A-HJ-NPQRTUWXY]$"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_USCC_VALUE = np.zeros(256, dtype=np.int64)
_USCC_VALUE[np.frombuffer(_USCC_ALPHABET.encode(), dtype=np.uint8)] = np.arange(31)
_ORG_VALUE = np.zeros(256, dtype=np.int64)       # GB 11714: digits as they are, A = 10 ... Z = 35
_ORG_VALUE[np.arange(48, 58)] = np.arange(10)
_ORG_VALUE[np.arange(65, 91)] = np.arange(10, 36)
_ID_NUMBERS = f"(?:{_ID_NUMBER})|(?:{_OLD_ID_NUMBER})"
#: A mobile, or a landline: its area code with the 0, then 7 or 8 digits.
_PHONES = r"^(?:1[3-9][0-9]{9}|0[0-9]{9,11})$"


def neutralise(values: pd.Series) -> pd.Series:
    """Text cells starting with = + - @ tab or CR get a leading apostrophe; other values pass."""
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values
    text = values.astype("str")
    risky = text.str.startswith(_FORMULA_START).fillna(False).astype(bool)
    if not risky.any():
        return values
    out = values.astype("object").copy()
    out[risky] = "'" + text[risky]
    return out


#: The first byte of a risky cell (every formula start is one ASCII character, and an ASCII byte never
#: occurs inside a multi-byte UTF-8 character).
_RISKY_BYTE = np.zeros(256, dtype=bool)
_RISKY_BYTE[[ord(c) for c in _FORMULA_START]] = True


def neutralise_cells(cells: pa.Array) -> pa.Array:
    """``neutralise`` for a large_string array without nulls (CSV cells): the first byte of every cell
    looked up in numpy, not a string match per cell."""
    if not len(cells):
        return cells
    risky = _leading(cells, _RISKY_BYTE)
    if not risky.any():
        return cells
    return pc.if_else(pa.array(risky), pc.binary_join_element_wise(pa.scalar("'", pa.large_string()), cells,
                                                                    pa.scalar("", pa.large_string())), cells)


def _leading(values: pa.Array, wanted: np.ndarray) -> np.ndarray:
    """Whether each text of a large_string array starts with a byte that ``wanted`` (256 flags, by byte
    value) marks; empty texts and nulls (which take no bytes) do not."""
    offsets, data = offsets_and_data(values)
    if offsets[-1] == offsets[0]:
        return np.zeros(len(values), dtype=bool)
    first = np.frombuffer(data, dtype=np.uint8)[np.minimum(offsets[:-1], offsets[-1] - 1)]
    return (offsets[1:] > offsets[:-1]) & wanted[first]


def mask_id_numbers(values: pd.Series) -> pd.Series:
    """``410105199001011234`` -> ``410105********1234`` (15-digit ones alike); a valid credit code stays;
    anything else not empty (day 00, 17 characters, inner spaces, a prefix, exponent form) is starred whole.

    Whole-column Arrow work: each value's masked and starred forms are made for every row and the right
    one picked, never a Python call per value."""
    text, stripped = _text(values)
    valid = _matches(stripped, _ID_NUMBERS)
    # Whether a value is public matters only where it is not a valid ID number, and its ID shape only
    # where it is a credit code: each test runs on those values alone (a block of personal customers
    # is nearly all valid ID numbers; 7.3 -> 3.3 ms CPU such a 20,000-row block, /tmp harness).
    public = _only(pc.invert(valid), stripped, lambda rest: _only(
        _credit_codes(rest), rest, lambda codes: pc.invert(_matches(codes, _ID_SHAPED))))
    partial = _join(pc.utf8_slice_codeunits(stripped, 0, 6), _stars(stripped, minus=10),
                    pc.utf8_slice_codeunits(stripped, -4))
    return _pick(values, text, stripped, valid, partial, public)


def _only(chosen: pa.Array, values: pa.Array, test) -> pa.Array:
    """``test`` of the chosen values (a boolean array of their own), False for the others."""
    out = np.zeros(len(values), dtype=bool)
    picked = chosen.to_numpy(zero_copy_only=False)
    if picked.any():
        out[picked] = test(values.filter(chosen)).to_numpy(zero_copy_only=False)
    return pa.array(out)


def credit_codes(values: pd.Series) -> pd.Series:
    """Whether each value is a unified social credit code: its shape, and both check characters right
    (the organisation code's, GB 11714, and the whole code's, GB 32100), so that a mistyped ID number
    is not taken for one."""
    array = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    return pd.Series(_credit_codes(array).to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _credit_codes(values: pa.Array) -> pa.Array:
    shaped = _matches(values, _CREDIT_CODE)
    out = np.zeros(len(values), dtype=bool)
    codes = pc.filter(values, shaped)
    if len(codes):
        data = np.frombuffer(_bytes(codes), dtype=np.uint8).reshape(-1, 18)     # ASCII by the pattern
        code = _USCC_VALUE[data]
        ok = (31 - (code[:, :17] * _USCC_WEIGHTS).sum(axis=1) % 31) % 31 == code[:, 17]
        org = 11 - (_ORG_VALUE[data[:, 8:16]] * _ORG_WEIGHTS).sum(axis=1) % 11
        org_check = np.where(org == 10, ord("X"), np.where(org == 11, ord("0"), ord("0") + org))
        out[shaped.to_numpy(zero_copy_only=False)] = ok & (org_check == data[:, 16])
    return pa.array(out)


#: The bytes of ``[\s\-]`` in RE2 (its ``\s`` is ASCII: tab, newline, form feed, carriage return, space)
#: and the first bytes of a country code (+86, 86).
_SEPARATOR_BYTE = np.zeros(256, dtype=bool)
_SEPARATOR_BYTE[[9, 10, 12, 13, 32, ord("-")]] = True
_COUNTRY_BYTE = np.zeros(256, dtype=bool)
_COUNTRY_BYTE[[ord("+"), ord("8")]] = True


def mask_phones(values: pd.Series) -> pd.Series:
    """``13812345678`` -> ``138****5678``: a mobile (an +86 before it, spaces and dashes allowed) or a
    landline with its area code keeps its first 3 and last 4 digits; anything else is starred whole."""
    text, stripped = _text(values)
    # Each rewrite only where it can change a text (a block of plain mobiles has nothing to rewrite:
    # 4.7 -> 2.6 ms CPU a 20,000-row block, /tmp harness): white space or a dash inside, a +86 or 86 first.
    digits = pc.replace_substring_regex(stripped, r"[\s\-]", "") if any_byte(stripped, _SEPARATOR_BYTE) \
        else stripped
    if _leading(digits, _COUNTRY_BYTE).any():
        digits = pc.replace_substring_regex(digits, r"^\+?86(1[3-9][0-9]{9})$", r"\1")
    valid = _matches(digits, _PHONES)
    partial = _join(pc.utf8_slice_codeunits(digits, 0, 3), _stars(digits, minus=7),
                    pc.utf8_slice_codeunits(digits, -4))
    return _pick(values, text, stripped, valid, partial, pa.array(np.zeros(len(text), dtype=bool)))


def _text(values: pd.Series) -> tuple[pa.Array, pa.Array]:
    """The values as Arrow text, and trimmed of white space."""
    text = pa.array(values.astype("str"), type=pa.large_string(), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    return text, pc.utf8_trim_whitespace(text)


def _matches(values: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def _pick(values: pd.Series, text: pa.Array, stripped: pa.Array, valid: pa.Array, partial: pa.Array,
          public: pa.Array) -> pd.Series:
    """``partial`` where valid, the text as it is where public or blank, else one star per character
    (masking fails closed); missing values stay missing."""
    blank = pc.fill_null(pc.equal(stripped, ""), True)
    shown = pc.if_else(pc.or_(public, blank), text, _stars(stripped))
    return str_series(pc.if_else(valid, partial, shown), values.index)


def _stars(values: pa.Array, minus: int = 0) -> pa.Array:
    """One star per character of each value, less ``minus`` (none below zero)."""
    lengths = pc.fill_null(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False).astype(np.int64) - minus
    lengths = np.clip(lengths, 0, None)
    table = pa.array(["*" * n for n in range(int(lengths.max(initial=0)) + 1)], type=pa.large_string())
    return table.take(pa.array(lengths))


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))


def _bytes(values: pa.Array) -> bytes:
    """The strings of a large_string array without nulls, back to back."""
    offsets, data = offsets_and_data(values)
    return bytes(data[offsets[0]:offsets[-1]])


def mask_column(column: str, values: pd.Series) -> pd.Series:
    """Mask a sensitive column by what it holds (phones by name, ID numbers by pattern)."""
    if "phone" in column or "mobile" in column:
        return mask_phones(values)
    return mask_id_numbers(values)


def mask_listed(column: str, values: list[object]) -> list[str]:
    """Cell values of a sensitive column as a problem listing shows them (``mask_column``): a problem
    names the file, row and column, so the user finds the cell without the listing printing it."""
    return mask_column(column, pd.Series([str(v) for v in values], dtype="str")).tolist()
