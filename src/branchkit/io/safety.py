"""Ledger text is data, never code; personal data is masked where people read it.

CSV cells that a spreadsheet would run as a formula are neutralised (OWASP
CSV injection); ID numbers and phones are masked for xlsx/html. Company credit
codes are public and pass unmasked: an ID number is recognised by the birth
date it carries.
"""

from __future__ import annotations

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ID_NUMBER = r"^\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]$"
_OLD_ID_NUMBER = r"^\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}$"


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
    """``410105199001011234`` -> ``410105********1234``; credit codes and other text unchanged."""
    text = values.astype("str")
    stripped = text.str.strip()
    is_id = stripped.str.match(_ID_NUMBER).fillna(False) | stripped.str.match(_OLD_ID_NUMBER).fillna(False)
    out = text.copy()
    ids = stripped[is_id]
    out[is_id] = ids.str[:6] + ids.map(lambda s: "*" * (len(s) - 10)) + ids.str[-4:]
    return out


def mask_phones(values: pd.Series) -> pd.Series:
    """``13812345678`` -> ``138****5678``; any number of 7+ digits keeps its first 3 and last 4."""
    text = values.astype("str")
    digits = text.str.replace(r"\D", "", regex=True)
    long_enough = digits.str.len().fillna(0) >= 7
    out = text.copy()
    kept = digits[long_enough]
    out[long_enough] = kept.str[:3] + kept.map(lambda s: "*" * (len(s) - 7)) + kept.str[-4:]
    return out


def mask_column(column: str, values: pd.Series) -> pd.Series:
    """Mask a sensitive column by what it holds (phones by name, ID numbers by pattern)."""
    if "phone" in column or "mobile" in column:
        return mask_phones(values)
    return mask_id_numbers(values)
