"""Values as each output shows them: rounded money, ISO dates, masked personal data.

One place decides how a column of a given format looks in csv/json (the
machine contract) and in xlsx/html (for people), so every command and every
writer agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.io.safety import mask_column
from branchkit.io.tables import Table
from branchkit.labels import VALUES, value_label, value_words
from branchkit.text import str_series

_DECIMALS = {"money": 2, "score": 2, "ratio": 4}


#: Formats whose cells are numbers (written as numbers in xlsx, never neutralised in CSV).
NUMERIC_FORMATS = frozenset({"money", "score", "ratio", "int", "number"})


def rounded(values: pd.Series, fmt: str) -> pd.Series:
    """Numbers rounded for display: money and scores to 2 decimals, ratios to 4 (half away from zero)."""
    return pd.Series(rounded_numbers(values, fmt), index=values.index, name=values.name)


def rounded_numbers(values: pd.Series, fmt: str) -> np.ndarray:
    """``rounded``'s values as a float64 array, without the series (the html cells format them as they are)."""
    decimals = _DECIMALS.get(fmt)
    # In numpy: a report formats thousands of small tables, and each pandas operation on a series costs
    # more than the arithmetic.
    numbers = values.to_numpy() if values.dtype == "float64" else \
        pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    # "+ 0.0" turns a negative zero into zero: nobody should read "-0.00" in a report.
    numbers = numbers + 0.0
    if decimals is not None:
        scale = 10.0 ** decimals
        # np.round rounds half to even on the binary value; money is rounded half up, on the decimal value.
        with np.errstate(over="ignore", invalid="ignore"):      # 1e308 * 100 is inf, as pandas lets it be
            numbers = np.sign(numbers) * np.floor(np.abs(numbers) * scale + 0.5 + 1e-9) / scale + 0.0
    return numbers


def machine_frame(table: Table, *, mask: bool, lang: str | None = None) -> pd.DataFrame:
    """The table as csv/json carry it: canonical values, dates in ISO form, nulls as NA.

    ``lang`` (xlsx/html, for people): coded values (roles, tiers, states...) as words in that language.
    """
    return pd.DataFrame(machine_columns(table, mask=mask, lang=lang), index=table.frame.index)


def machine_columns(table: Table, *, mask: bool, lang: str | None = None) -> dict[str, pd.Series]:
    """``machine_frame``'s columns by name, without the frame (the html writer formats column by
    column, and making a frame of each of a report's thousands of small tables cost more than that)."""
    # items(): the columns without a lookup by label each (a report formats tens of thousands of them)
    return {column: machine_column(table, column, values, mask=mask, lang=lang)
            for column, values in table.frame.items()}


def machine_column(table: Table, column: str, values: pd.Series, *, mask: bool, lang: str | None) -> pd.Series:
    """One of ``machine_columns``: ``values``, the column ``column`` of ``table``."""
    fmt = table.format_of(column)
    if fmt in ("money", "score", "ratio", "number"):
        return rounded(values, fmt)
    if fmt == "int":
        return _whole(values)
    if fmt == "date":
        return _iso_dates(values)
    if fmt == "bool":
        return values if values.dtype == "boolean" else values.astype("boolean")
    scheme = table.scheme_of(column) if lang else ""
    text = _words_text(values, scheme, lang) if scheme else values
    text = text if text.dtype == "str" else text.astype("str")     # most are text already
    return mask_column(column, text) if (fmt == "sensitive" and mask) else text


def _words_text(values: pd.Series, scheme: str, lang: str) -> pd.Series:
    """``labels.value_words`` as text: the words of the distinct values taken per cell as a text array
    (not an object array of 20,000 words made text cell by cell); any other word as ``value_words``."""
    if not VALUES.get(scheme) or values.empty:
        return values
    codes, uniques = pd.factorize(values)
    words = [value_label(scheme, u, lang) for u in uniques]
    if not all(isinstance(w, str) for w in words):
        return value_words(values, scheme, lang)
    return pd.Series(pd.array(words, dtype="str").take(codes, allow_fill=True), index=values.index)


def _whole(values: pd.Series) -> pd.Series:
    """An ``int`` column as nullable integers (numbers rounded, what is not a number missing). Columns
    already of integers, nearly all, are taken as they are: the conversions cost more than the data on
    a report's small tables."""
    if values.dtype == "Int64":
        return values
    if values.dtype == "int64":
        numbers = values.to_numpy()
        return pd.Series(pd.arrays.IntegerArray(numbers, np.zeros(len(numbers), dtype=bool)),
                         index=values.index, name=values.name)
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def _iso_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d").astype("str")
    return values.astype("str")


def csv_text(values: pd.Series, fmt: str) -> pd.Series:
    """A machine-frame column as CSV cell text (fixed decimals for money and scores).

    Whole-column work: fixed decimals by integer arithmetic, and values that
    repeat (flags, weights) formatted once each.
    """
    return str_series(csv_cells(values, fmt), values.index)


def csv_cells(values: pd.Series, fmt: str) -> pa.Array:
    """``csv_text`` as an Arrow large_string array without nulls, what the CSV writer joins (no pandas
    series of a million strings made on the way)."""
    if fmt in ("money", "score"):
        return _fixed(values, 2)
    if fmt == "ratio":
        return _fixed(values, 4)
    if fmt == "number":
        return _distinct_cells(values, lambda v: format(float(v), ".12g"))
    if fmt == "bool":
        return _distinct_cells(values, lambda v: "true" if v else "false")
    text = values if values.dtype == "str" else values.astype("str")
    cells = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    return cells.fill_null("")


def _distinct_cells(values: pd.Series, show) -> pa.Array:
    """``show`` of each distinct value, called once per distinct value; '' for nulls."""
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = pa.array([show(u) for u in uniques] + [""], type=pa.large_string())
    return texts.take(pa.array(np.where(found < 0, len(uniques), found)))


#: Beyond this many units of the last decimal (cents, ten-thousandths), the scaled double is no longer
#: exact enough to round by integer arithmetic: such values are formatted one by one.
_EXACT = 1e13
_MINUS, _NOTHING = pa.scalar("-", pa.large_string()), pa.scalar("", pa.large_string())


def _fixed(values: pd.Series, decimals: int) -> pa.Array:
    """``f"{v:.{decimals}f}"`` for every value ('' for nulls), without a Python call per value:
    integer arithmetic on the scaled value, its digits made by Arrow's integer-to-text cast, padded to
    one more digit than the decimals ("5" -> "005") and the point put before the last ``decimals``.
    (0.31 -> 0.17 s CPU for the three money columns of a million-row allocation, against the whole and
    fractional parts cast and joined apart: ``/tmp`` harness timing ``csv_cells`` per 100,000-row chunk.)"""
    numbers = values.to_numpy() if values.dtype == "float64" else \
        pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    missing = np.isnan(numbers)
    plain = np.isfinite(numbers) & (np.abs(numbers) < _EXACT / 10 ** decimals)
    units = np.rint(np.abs(np.where(plain, numbers, 0.0)) * 10 ** decimals).astype("int64")
    digits = pc.utf8_lpad(pc.cast(pa.array(units, mask=missing), pa.large_string()), decimals + 1, "0")
    text = pc.binary_replace_slice(digits, -decimals, -decimals, ".")
    negative = np.signbit(numbers) & ~missing
    if negative.any():
        text = pc.if_else(pa.array(negative), pc.binary_join_element_wise(_MINUS, text, _NOTHING), text)
    text = text.fill_null("")
    odd = ~plain & ~missing
    if odd.any():
        cells = text.to_numpy(zero_copy_only=False)
        cells[odd] = [f"{v:.{decimals}f}" for v in numbers[odd]]
        text = pa.array(cells, type=pa.large_string())
    return text


def _each_distinct(values: pd.Series, show) -> pd.Series:
    """``_distinct_cells`` as a text series on ``values``' index."""
    return str_series(_distinct_cells(values, show), values.index)


def json_value(value: object) -> object:
    """A cell as a JSON value (NA -> null, numpy scalars -> Python)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def bool_word(value: object, lang: str) -> str:
    """是/否 or Yes/No for people (capitalised as every English word for a value; never the keys yes/no of
    a visit's goal_reached)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")
