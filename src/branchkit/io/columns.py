"""One column of a ledger converted to its field's values (``convert_column``): by its kind's converter in
``io.convert``, ``io.amounts`` or ``io.dates``, once per distinct value where the column's values repeat."""

from __future__ import annotations

import numpy as np
import pandas as pd

from branchkit.io import amounts, convert, dates, titles
from branchkit.io.grid import Grid
from branchkit.models.fields import Column
from branchkit.rules import Rules
from branchkit.text import DISTINCT_FROM, distinct, few_distinct


def convert_column(raw: pd.Series, column: Column, unit: str | None, rules: Rules,
                   grid: Grid) -> tuple[pd.Series, convert.Bad]:
    """One column converted; a coded or date column is converted once per distinct value (of text, or of
    cell and type in a workbook's column of mixed cells). A cell holding an Excel error value as text (a
    sheet exported with ``#N/A`` in it) is a ``cell_error``, its value missing: never read as a word, a
    name or an empty cell."""
    errors = convert.error_cells(raw)
    if errors is None:
        return _convert_column(raw, column, unit, rules, grid)
    values, bad = _convert_column(raw.mask(errors), column, unit, rules, grid)
    written = raw[errors].astype("str").str.strip().str.upper()
    for value in written.unique():
        bad.add(written == value, raw, "cell_error", convert.error_message(value))
    return values, bad


def _convert_column(raw: pd.Series, column: Column, unit: str | None, rules: Rules,
                    grid: Grid) -> tuple[pd.Series, convert.Bad]:
    found = None
    if column.kind in _CODED:
        found = distinct(raw) if convert._all_text(raw) else _distinct_cells(raw)
    if found is not None:
        return _convert_distinct(raw, *found, column, unit, rules, grid)
    return _convert_values(raw, column, unit, rules, grid)


#: Kinds whose values repeat over a long ledger and cost more to convert than to hash (identifiers,
#: amounts and free text mostly differ from row to row, and their conversion is already cheap).
_CODED = frozenset({"date", "bool", "enum", "role", "hour"})


def _distinct_cells(raw: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """A column of mixed cells (a workbook's date column holding dates and dates typed as text) as codes
    into one cell per distinct value and type, each the first cell of its group; None when the column is
    short or its values mostly differ. Equal values of other types (1, 1.0 and True; None and NaN) are
    kept apart, so any cell of a group converts as every other one does."""
    if len(raw) < DISTINCT_FROM:
        return None
    cells = raw.to_numpy(dtype=object)
    try:
        by_value = pd.factorize(cells, use_na_sentinel=False)[0]
    except TypeError:                         # an unhashable cell (a DataFrame given by a caller)
        return None
    by_type = pd.factorize(np.fromiter(map(type, cells), dtype=object, count=len(cells)))[0]
    codes = pd.factorize(by_value.astype(np.int64) * (int(by_type.max()) + 1) + by_type)[0]
    first = _first_places(codes)
    if not few_distinct(len(first), len(raw)):
        return None
    return codes.astype(np.int64), pd.Series(cells[first], dtype=object)


def _first_places(codes: np.ndarray) -> np.ndarray:
    """Where each code first stands, by code, for ``pd.factorize``'s codes (numbered in the order they first
    appear: a code's first place is where it exceeds every code before it). ``np.unique``'s first indices
    without its sort: 174,168 cells of 个人客户's opening date at 200,000 customers, 0.008 -> 0.001 s CPU."""
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)


def _convert_distinct(raw: pd.Series, codes: np.ndarray, uniques: pd.Series, column: Column, unit: str | None,
                      rules: Rules, grid: Grid) -> tuple[pd.Series, convert.Bad]:
    """Convert each distinct value once (the last one stands for the missing cells), spread back by
    code: every converter works cell by cell, so this gives what converting every row gives."""
    values = pd.concat([uniques, pd.Series([pd.NA], dtype="str")], ignore_index=True) if (codes < 0).any() \
        else uniques.reset_index(drop=True)
    codes = np.where(codes < 0, len(values) - 1, codes)
    done, bad_distinct = _convert_values(values, column, unit, rules, grid)
    out = pd.Series(done.array.take(codes), index=raw.index, name=raw.name)
    bad = convert.Bad()
    if bad_distinct.rows:
        # Each rejected value stands for all its rows, listed by row (the problem log sorts by row).
        records = pd.DataFrame({"code": codes, "row": raw.index})
        records = records[np.isin(codes, bad_distinct.rows)]
        found = pd.DataFrame({"code": bad_distinct.rows, "order": range(len(bad_distinct.rows))}).merge(
            records, on="code").sort_values(["row", "order"], kind="stable")
        bad.rows = found["row"].tolist()
        bad.codes = [bad_distinct.codes[i] for i in found["order"]]
        bad.messages = [bad_distinct.messages[i] for i in found["order"]]
        bad.values = raw.loc[found["row"]].tolist()
    return out, bad


def _convert_values(raw: pd.Series, column: Column, unit: str | None, rules: Rules,
                    grid: Grid) -> tuple[pd.Series, convert.Bad]:
    kind = column.kind
    if kind in ("id", "sensitive"):
        return convert.to_id(raw)
    if kind in ("text", "staff"):
        return convert.to_text(raw)
    if kind in ("money", "number"):
        return amounts.to_number(raw, unit=unit, money=kind == "money")
    if kind == "date":
        return dates.to_date(raw, date1904=grid.date1904, month=grid.month)
    if kind == "bool":
        return convert.to_bool(raw, rules.values.yes, rules.values.no)
    if kind == "enum":
        words = getattr(rules.values, column.values or "")
        return convert.to_enum(raw, words, column.values or "value")
    if kind == "role":
        return titles.to_role(raw, rules.roles)
    if kind == "hour":
        return convert.to_hour(raw)
    raise ValueError(f"unknown column kind {kind}")
