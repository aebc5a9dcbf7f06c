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
_MOBILE = r"^1[3-9][0-9]{9}$"
_LANDLINE = r"^0[0-9]{9,11}$"        # area code with its 0, then 7 or 8 digits


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


def mask_id_numbers(values: pd.Series) -> pd.Series:
    """``410105199001011234`` -> ``410105********1234`` (15-digit ones alike); a valid credit code stays;
    anything else not empty (day 00, 17 characters, inner spaces, a prefix, exponent form) is starred whole."""
    text = values.astype("str")
    stripped = text.str.strip()
    valid = (stripped.str.match(_ID_NUMBER) | stripped.str.match(_OLD_ID_NUMBER)).fillna(False).astype(bool)
    public = credit_codes(stripped) & ~stripped.str.match(_ID_SHAPED).fillna(False).astype(bool)
    out = text.copy()
    ids = stripped[valid]
    out[valid] = ids.str[:6] + _stars(ids.str[6:-4]) + ids.str[-4:]
    _star_the_rest(out, stripped, valid | public)
    return out


def credit_codes(values: pd.Series) -> pd.Series:
    """Whether each value is a unified social credit code: its shape, and both check characters right
    (the organisation code's, GB 11714, and the whole code's, GB 32100), so that a mistyped ID number
    is not taken for one."""
    shaped = values.str.match(_CREDIT_CODE).fillna(False).astype(bool)
    out = pd.Series(False, index=values.index)
    if not shaped.any():
        return out
    data = np.frombuffer("".join(values[shaped].tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    code = _USCC_VALUE[data]
    ok = (31 - (code[:, :17] * _USCC_WEIGHTS).sum(axis=1) % 31) % 31 == code[:, 17]
    org = 11 - (_ORG_VALUE[data[:, 8:16]] * _ORG_WEIGHTS).sum(axis=1) % 11
    org_check = np.where(org == 10, ord("X"), np.where(org == 11, ord("0"), ord("0") + org))
    out[shaped] = ok & (org_check == data[:, 16])
    return out


def mask_phones(values: pd.Series) -> pd.Series:
    """``13812345678`` -> ``138****5678``: a mobile (an +86 before it, spaces and dashes allowed) or a
    landline with its area code keeps its first 3 and last 4 digits; anything else is starred whole."""
    text = values.astype("str")
    stripped = text.str.strip()
    digits = stripped.str.replace(r"[\s\-]", "", regex=True).str.replace(r"^\+?86(1[3-9][0-9]{9})$", r"\1",
                                                                       regex=True)
    valid = (digits.str.match(_MOBILE) | digits.str.match(_LANDLINE)).fillna(False).astype(bool)
    out = text.copy()
    kept = digits[valid]
    out[valid] = kept.str[:3] + _stars(kept.str[3:-4]) + kept.str[-4:]
    _star_the_rest(out, stripped, valid)
    return out


def _stars(text: pd.Series) -> pd.Series:
    """One star per character."""
    return text.str.replace(r"(?s).", "*", regex=True)


def _star_the_rest(out: pd.Series, stripped: pd.Series, shown: pd.Series) -> None:
    """Star, whole, every value that is not empty and not recognised (masking fails closed)."""
    hidden = stripped.fillna("").ne("") & ~shown
    out[hidden] = _stars(stripped[hidden])


def mask_column(column: str, values: pd.Series) -> pd.Series:
    """Mask a sensitive column by what it holds (phones by name, ID numbers by pattern)."""
    if "phone" in column or "mobile" in column:
        return mask_phones(values)
    return mask_id_numbers(values)


def mask_listed(column: str, values: list[object]) -> list[str]:
    """Cell values of a sensitive column as a problem listing shows them (``mask_column``): a problem
    names the file, row and column, so the user finds the cell without the listing printing it."""
    return mask_column(column, pd.Series([str(v) for v in values], dtype="str")).tolist()
