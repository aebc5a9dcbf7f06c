"""Whole-column looks at text arrays that spare the xlsx writer work per cell (see ``io.xlsxrows``):
whether any text starts or ends with white space, whether any holds one of some bytes, how many bytes
its longest text takes, whether a column repeats few texts, and a string array's offsets and bytes to
cut rows from (the one reader of those buffers: the CSV writer's and the masks' byte work use it too).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit.text import utf8_buffers

#: The bytes RE2's ``\s`` matches ([\t\n\f\r ]: ASCII only, no vertical tab), as ``Column.tail``'s regex reads them.
_SPACE_BYTES = np.array([9, 10, 12, 13, 32], dtype=np.uint8)
#: A text column with at most one distinct value in this many cells is written by its distinct values ...
REPEATS = 8
#: ... judged first on its first rows: a column of mostly different texts (ids, names) is not hashed whole.
GLANCE = 1_000


def any_edge_space(values: pa.Array) -> bool:
    """Whether any text starts or ends with white space (``^\\s|\\s$``), from the first and last byte of
    each text: a whole-column look at the data buffer, several times quicker than the regex."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not len(values):
        return False
    offsets, data = offsets_and_data(values)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts                      # empty text (and nulls, which take no bytes) has no edge
    if not filled.any():
        return False
    chars = np.frombuffer(data, dtype=np.uint8)
    edges = np.concatenate([chars[starts[filled]], chars[ends[filled] - 1]])
    return bool(np.isin(edges, _SPACE_BYTES).any())


def any_byte(values: pa.Array, wanted: np.ndarray) -> bool:
    """Whether any text of a large_string array holds a byte that ``wanted`` (256 flags, by byte value)
    marks, or the UTF-8 of U+FFFE or U+FFFF: a whole-column look at the data buffer, several times
    quicker than a regex over every text."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not len(values):
        return False
    offsets, data = offsets_and_data(values)
    chars = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]]
    if wanted[chars].any():
        return True
    # EF BF BE and EF BF BF: the only UTF-8 of those two characters (a continuation byte starts no text,
    # so no run of bytes across two texts is either).
    lead = np.flatnonzero(chars[:-2] == 0xEF)
    return bool(((chars[lead + 1] == 0xBF) & (chars[lead + 2] >= 0xBE)).any()) if len(lead) else False


def longest_bytes(values: pd.Series) -> int:
    """The most UTF-8 bytes of any text of a column (0 when it holds none): a text has no more
    characters than bytes, so no text is longer than this in characters."""
    text = pa.array(values if values.dtype == "str" else values.astype("str"))
    longest = pc.max(pc.binary_length(text)).as_py() if len(text) else None
    return longest or 0


def repeated_texts(text: pa.Array) -> pa.DictionaryArray | None:
    """``text`` dictionary-encoded when it holds at most one distinct text in ``REPEATS`` cells (nulls stay
    null indices), else None; its first ``GLANCE`` cells are counted first, so a column of mostly
    different texts is not hashed whole."""
    glance = text.slice(0, GLANCE)
    if len(text) < REPEATS or pc.count_distinct(glance).as_py() * REPEATS > len(glance):
        return None
    encoded = pc.dictionary_encode(text)
    return encoded if len(encoded.dictionary) * REPEATS <= len(text) else None


def offsets_and_data(array: pa.Array) -> tuple[np.ndarray, memoryview]:
    """A large_string array without nulls as its strings' offsets into its data buffer (one more than
    strings: the i-th string is ``data[offsets[i]:offsets[i + 1]]``) and that buffer."""
    offsets, data = utf8_buffers(array)
    return offsets, memoryview(data)
