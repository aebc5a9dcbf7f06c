"""A frame whose rows are put in order only when someone reads it in order.

The allocation table of a million customers is computed in ledger order and shown in branch order.
Reordering it is a take of every column (~200 MB of new text at a million rows) while the ledger it
was taken from is still held; the CSV and JSON writers need no reordered copy, they take each chunk of
rows from the order as they write it (``io.tables.Table.order``). So the table is kept as computed,
with its order, and reordered once on first reading in order (everything else reads it so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Ordered:
    """``frame`` (its rows as computed) and ``order``: the positions of its rows, in the order shown."""

    frame: pd.DataFrame
    order: np.ndarray | None = None

    def materialize(self) -> pd.DataFrame:
        """The rows in order, with a fresh 0..n-1 index (the frame itself when it is in order already)."""
        if self.order is None:
            return self.frame
        return self.frame.take(self.order).reset_index(drop=True)


def ordered(frame: pd.DataFrame, order: np.ndarray) -> Ordered:
    """``frame`` with ``order``; an order that changes nothing is dropped."""
    return Ordered(frame, None if np.array_equal(order, np.arange(len(order))) else order)


class OrderedField:
    """A dataclass field holding a frame given either as it is or as ``Ordered``: read, it is always the
    frame in order (reordered on the first read, then kept); ``pending(obj)`` gives it without reordering.

    A descriptor-typed field (see the dataclasses documentation): the class keeps its fields, its
    constructor and ``fields()``, so code building or reading the result is unchanged.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_ordered"

    def __get__(self, obj: object, owner: type | None = None) -> pd.DataFrame:
        if obj is None:
            raise AttributeError(self._slot)       # no default value for the dataclass field
        held = obj.__dict__[self._slot]
        if isinstance(held, Ordered):
            held = held.materialize()
            obj.__dict__[self._slot] = held
        return held

    def __set__(self, obj: object, value: pd.DataFrame | Ordered) -> None:
        obj.__dict__[self._slot] = value

    def pending(self, obj: object) -> Ordered:
        """The frame as held: rows as computed and their order (None: in order), without reordering."""
        held = obj.__dict__[self._slot]
        return held if isinstance(held, Ordered) else Ordered(held)


def take_rows(values: pd.api.extensions.ExtensionArray, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values.take(rows)`` (rows >= 0) without joining an Arrow column's chunks: Arrow's take on a chunked
    array joins them first, a transient as big as the column (a million ledger names: 20-27 MB of RSS for
    3,427 rows). Each chunk gives its own rows, then the few rows are put back in the order asked."""
    if not isinstance(values, pd.arrays.ArrowExtensionArray) or values.__arrow_array__().num_chunks < 2:
        return values.take(rows)
    starts = np.cumsum([0, *(len(c) for c in values.__arrow_array__().chunks)])
    chunk = np.searchsorted(starts, rows, side="right") - 1
    by_chunk = np.argsort(chunk, kind="stable")
    bounds = np.searchsorted(chunk[by_chunk], np.arange(len(starts)))
    parts = [values[starts[c]:starts[c + 1]].take(rows[by_chunk[bounds[c]:bounds[c + 1]]] - starts[c])
             for c in range(len(starts) - 1) if bounds[c] < bounds[c + 1]]
    if not parts:
        return values.take(rows)
    return type(values)._concat_same_type(parts).take(np.argsort(by_chunk, kind="stable"))


def take_frame(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """``frame.take(rows)`` with a fresh 0..n-1 index, each column by ``take_rows``."""
    return pd.DataFrame({c: take_rows(frame[c].array, rows) for c in frame.columns})
