"""Normalising the words ledgers write: headers, coded values, units.

Full-width forms, stray spaces (also the ideographic space), line breaks
inside header cells, case and punctuation are folded away before anything is
compared, so ``客户 号``, ``客户号\\n``, ``ＣＵＳＴＯＭＥＲ_ID`` all match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# A unit in brackets at the end or the start of a header: 存款余额(万元), （万元）存款.
_BRACKET = re.compile(r"[\(\[（【〔]\s*([^\)\]）】〕]*)\s*[\)\]）】〕]")
_PUNCT = re.compile(r"[\s_\-\.·:：,，;；/\\|'\"“”‘’`~!！?？#＃*＊&%+=<>《》「」]+")

#: Multipliers of amount units (to CNY) and of duration units (to seconds).
MONEY_UNITS = {"元": 1.0, "人民币元": 1.0, "千元": 1e3, "万元": 1e4, "万": 1e4, "十万元": 1e5, "百万元": 1e6,
               "百万": 1e6, "千万元": 1e7, "亿元": 1e8, "亿": 1e8, "yuan": 1.0, "cny": 1.0, "rmb": 1.0}
TIME_UNITS = {"秒": 1.0, "s": 1.0, "sec": 1.0, "seconds": 1.0, "分钟": 60.0, "分": 60.0, "min": 60.0,
              "minutes": 60.0, "小时": 3600.0, "h": 3600.0, "hours": 3600.0}
COUNT_UNITS = {"笔": 1.0, "人": 1.0, "个": 1.0, "户": 1.0, "次": 1.0, "分": 1.0, "个数": 1.0, "名": 1.0}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC (full-width to half-width), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().lower()


@lru_cache(maxsize=65536)
def header_key(text: str) -> str:
    """The comparison key of a header: folded, without brackets' content, spaces or punctuation."""
    folded = fold(text)
    folded = _BRACKET.sub("", folded)
    return _PUNCT.sub("", folded)


#: Currencies other than CNY a header may give its amounts in (as folded: NFKC, lower case). branchkit
#: computes in CNY and converts no currency: a money column in one of these is an error, never read as CNY.
#: 原币 (each account's own currency) and 外币 are no one currency, and no CNY either.
FOREIGN_CURRENCIES = ("美元", "美金", "港元", "港币", "欧元", "日元", "英镑", "澳元", "澳大利亚元", "加元", "加拿大元",
                      "新加坡元", "新元", "瑞士法郎", "法郎", "韩元", "卢布", "外币", "原币", "usd", "hkd", "eur", "jpy",
                      "gbp", "aud", "cad", "sgd", "chf", "krw")
_FOREIGN = "|".join(sorted(map(re.escape, FOREIGN_CURRENCIES), key=len, reverse=True))
#: Amounts converted into CNY (外币折人民币, 折合人民币): CNY, whatever currency the words also name.
_TO_CNY = re.compile(r"折合?(?:人民币|本币|cny|rmb)")
#: Words a bracket may give with its money unit that do not change it: 单位:万元, 人民币万元, 万元人民币, 折人民币万元.
_UNIT_FILLER = re.compile(r"金额单位|计量单位|单位|币种|币别|折合|折|人民币|本币|cny|rmb|金额")
_CNY_WORD = re.compile(r"人民币|本币|cny|rmb")
#: A money unit written after the name rather than in brackets: after a separator (存款余额/万元, 存款余额_万元,
#: 存款余额 万元) any unit; glued on (存款余额万元, 存款余额元) only one ending in 元 (or a currency's Chinese
#: name), so that a name merely ending in 万 or in a Latin word keeps it. The name is at least two characters
#: (单元 is no 单 in yuan); the longest unit wins (百万元 over 万元, 美元 over 元).
_YUAN_UNITS = "千万元|百万元|十万元|亿元|万元|千元|元"
_SUFFIX_UNIT = re.compile(
    rf"^(?P<name>..+?)(?:[\s_\-/\\|:：]+(?:金额单位|单位)?[:：]?\s*(?:折合?)?(?:人民币)?\s*"
    rf"(?P<after>{_FOREIGN}|{_YUAN_UNITS}|百万|万|亿|yuan|cny|rmb)|(?:人民币)?(?P<glued>{_FOREIGN}|{_YUAN_UNITS}))$")
#: The last characters of those units: any other header is none without running the pattern (every cell of
#: a Gantt workbook's first rows is looked up, over thousands of sheets).
_SUFFIX_ENDS = frozenset(u[-1] for u in (*FOREIGN_CURRENCIES, "元", "万", "亿", "yuan", "cny", "rmb"))


@lru_cache(maxsize=65536)
def header_unit(text: str) -> str | None:
    """The unit written in a header, e.g. ``万元`` for ``存款余额(万元)``, ``(单位：万元)``, ``(人民币万元)`` or
    ``存款余额/万元``, ``秒`` for ``时长（秒）``; a foreign currency's word (``美元``, see ``FOREIGN_CURRENCIES``)
    for a header giving its amounts in one."""
    folded = fold(text)
    for inner in _BRACKET.findall(folded):
        unit = _bracket_unit(_PUNCT.sub("", inner))
        if unit:
            return unit
    split = unit_suffix(text)
    return split[1] if split else None


def _bracket_unit(words: str) -> str | None:
    """The unit a bracket's words (folded, without punctuation) give, or None when they give none or several."""
    if words in MONEY_UNITS or words in TIME_UNITS or words in COUNT_UNITS:
        return words
    if _TO_CNY.search(words):                 # 外币折人民币: converted to CNY
        words = re.sub(_FOREIGN, "", words)
    else:
        foreign = re.search(_FOREIGN, words)
        if foreign:
            return foreign.group(0)
    rest = _UNIT_FILLER.sub("", words)
    if rest in MONEY_UNITS:
        return rest
    # (人民币), (折人民币): CNY in yuan. Anything else (客户号(文本), 存款(元/万元)) gives no unit, as before.
    return "元" if not rest and _CNY_WORD.search(words) else None


@lru_cache(maxsize=65536)
def unit_suffix(text: str) -> tuple[str, str] | None:
    """A header whose money unit is written after its name, not in brackets (``存款余额/万元``,
    ``存款余额万元``): the name (folded) and the unit; None for any other header. The header reader looks the
    name up only when the whole header names no field, so a name that truly ends in such a word keeps it."""
    folded = fold(text)
    if not folded or folded[-1] not in _SUFFIX_ENDS and folded[-1] not in ")]）】〕":
        return None
    found = _SUFFIX_UNIT.match(_BRACKET.sub("", folded).strip())
    if not found:
        return None
    unit = found.group("after") or found.group("glued")
    return found.group("name").strip(), {"百万": "百万元", "万": "万元", "亿": "亿元"}.get(unit, unit)


@lru_cache(maxsize=65536)
def word_key(text: str) -> str:
    """Key for coded values (是/否, 对公, 在岗...): folded and without inner spaces."""
    return re.sub(r"\s+", "", fold(text))


def fold_series(values: pd.Series) -> pd.Series:
    """``word_key`` for a whole column of strings (nulls stay null)."""
    return per_distinct(values, _fold_all)


def _fold_all(values: pd.Series) -> pd.Series:
    out = values.str.normalize("NFKC").str.strip().str.lower()
    return out.str.replace(r"\s+", "", regex=True)


def clean_text(values: pd.Series) -> pd.Series:
    """Text cells as ledgers mean them: trimmed (also of the ideographic space), empty -> null."""
    out = values.str.strip().str.strip("\u3000\ufeff\u200b")
    return out.mask(out == "")


def column_letters(j: int) -> str:
    """A 0-based column index as Excel names it: 0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


_STR = pd.StringDtype(storage="pyarrow", na_value=float("nan"))      # pandas 3's default "str"
#: ``to_pandas(types_mapper=AS_STR.get)``: Arrow text becomes pandas' "str" columns without a copy.
AS_STR = {pa.string(): _STR, pa.large_string(): _STR}


def str_series(array: pa.Array | pa.ChunkedArray, index: pd.Index | None = None) -> pd.Series:
    """An Arrow text array as a pandas "str" series (on ``index``, by position, if given)."""
    out = array.to_pandas(types_mapper=AS_STR.get)
    return out if index is None else out.set_axis(index)


def _arrow_text(series: pd.Series) -> pa.Array:
    return pa.array(series.astype("str"), type=pa.large_string(), from_pandas=True)


def text_isin(values: pd.Series, known: pd.Series) -> pd.Series:
    """``values.isin(known)`` for text columns, in Arrow; missing values are never found.

    pandas' isin on Arrow strings turns ``known`` into Python objects one at a
    time; a customer list of 100,000 ids cost a fifth of a second per call.
    """
    cells, known_cells = _arrow_text(values), _arrow_text(known.dropna())
    if _few(cells, known_cells):
        return pd.Series(_positions_of_few(cells, known_cells) >= 0, index=values.index, dtype=bool)
    hits = pc.is_in(cells, value_set=known_cells)     # repeats are fine
    return pd.Series(hits.fill_null(False).to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def text_positions(values: pd.Series, keys: pd.Series | pd.Index) -> np.ndarray:
    """The position in ``keys`` of each value (its first occurrence), -1 where absent or missing.

    An Arrow hash lookup: what ``values.map(series_indexed_by_keys)`` does, without pandas'
    object-dtype index on a million text keys.
    """
    cells, key_cells = _arrow_text(pd.Series(values)), _arrow_text(pd.Series(keys))
    if _few(cells, key_cells):
        return _positions_of_few(cells, key_cells)
    found = pc.index_in(cells, value_set=key_cells)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


#: A lookup hashes the smaller side: a few thousand claims looked up among a million customer ids hash
#: the claims' distinct ids and run the million through them (hashing the million was 0.4 s a call).
_FEW_SHARE = 8


def _few(values: pa.Array | pa.ChunkedArray, keys: pa.Array | pa.ChunkedArray) -> bool:
    return len(values) * _FEW_SHARE < len(keys)


def _positions_of_few(values: pa.Array | pa.ChunkedArray, keys: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``pc.index_in(values, value_set=keys)`` (-1 where absent) with the hash table on ``values``.

    As ``index_in``, a value is found at its first position in ``keys``, and a missing value at the first
    missing key."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    at = pc.index_in(keys, value_set=encoded.dictionary).fill_null(-1).to_numpy(zero_copy_only=False)
    hit = np.flatnonzero(at >= 0)
    first = np.full(len(encoded.dictionary), len(keys), dtype="int64")
    np.minimum.at(first, at[hit], hit)
    first = np.where(first < len(keys), first, -1)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    out = np.where(codes >= 0, first[np.maximum(codes, 0)] if len(first) else -1, -1).astype("int64")
    if values.null_count and keys.null_count:
        missing = pc.is_null(keys).to_numpy(zero_copy_only=False)
        out[codes < 0] = int(np.argmax(missing))
    return out


def text_at(values: pd.Series, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[positions]`` as text, null where a position is negative (one vectorised take)."""
    return values.astype("str").array.take(np.where(positions >= 0, positions, -1), allow_fill=True)


def text_map(values: pd.Series, lookup: pd.Series) -> pd.Series:
    """``values.map(lookup)`` for text values and a text-indexed ``lookup``: missing where not found."""
    where = text_positions(values, lookup.index)
    out = lookup.iloc[np.maximum(where, 0)].set_axis(values.index) if len(lookup) else \
        pd.Series(pd.NA, index=values.index, dtype=lookup.dtype)
    return out.where(where >= 0)


def joint_codes(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Two text columns factorised together, in one hash: each cell's code in ``first`` and in ``second``
    (equal text, equal code; -1 where missing) and how many distinct values there are. None when either
    column is not text (a library caller's numbers: each use compares them as before)."""
    if not (isinstance(first.dtype, pd.StringDtype) and isinstance(second.dtype, pd.StringDtype)):
        return None
    keys = digit_keys(_arrow_text(first), _arrow_text(second))
    if keys is None:
        codes, uniques = pd.factorize(pd.concat([first, second], ignore_index=True), use_na_sentinel=True)
    else:
        values, missing = keys
        codes, uniques = pd.factorize(values)
        codes[missing] = -1          # the missing cells' key (1) is no text's: its code is left unused
    return codes[:len(first)], codes[len(first):], len(uniques)


#: Digit ids of at most this many digits are hashed as numbers: ``10**length + value`` (the length keeps
#: "012" apart from "12") stays below 2 * 10**17, inside int64. A million customer ids and 890,000 of
#: last month's, 10 digits each: factorised as text 0.20 s, as keys 0.11 s (thread CPU, best of 5).
DIGIT_KEY_LENGTH = 17


def digit_keys(*columns: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """The cells of these text columns, one after the other, as int64 keys equal exactly where the texts
    are, and where a cell is missing (its key 1, no text's); None unless every present cell is 1 to
    ``DIGIT_KEY_LENGTH`` ASCII digits."""
    cells = pa.chunked_array([c.cast(pa.large_string()) for column in columns
                              for c in getattr(column, "chunks", [column])], type=pa.large_string())
    if not pc.all(pc.ascii_is_decimal(cells)).as_py():      # "" and all-missing columns too
        return None
    lengths = pc.binary_length(cells)
    if pc.max(lengths).as_py() > DIGIT_KEY_LENGTH:
        return None
    powers = 10 ** np.arange(DIGIT_KEY_LENGTH + 1, dtype="int64")
    values = pc.cast(cells, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    keys = values + powers[lengths.fill_null(0).to_numpy(zero_copy_only=False)]
    return keys, cells.is_null().to_numpy(zero_copy_only=False)


def digit_positions(ids: pd.Series, others: pd.Series) -> tuple[np.ndarray, int] | None:
    """Where each of ``others`` is among ``ids`` (-1: absent or missing) and how many ids are missing, from
    one hash of the ids' ``digit_keys`` (a million customer ids and 890,000 of last month's: 135 -> 87 ms
    thread CPU, best of 5, against ``joint_codes``); None when a column is not text of digit ids or a present
    id repeats (the caller then goes the general way)."""
    if not (isinstance(ids.dtype, pd.StringDtype) and isinstance(others.dtype, pd.StringDtype)):
        return None
    own, theirs = digit_keys(_arrow_text(ids)), digit_keys(_arrow_text(others))
    if own is None or theirs is None:
        return None
    (keys, missing), (other_keys, other_missing) = own, theirs
    gaps = int(np.count_nonzero(missing))
    present = np.flatnonzero(~missing) if gaps else None       # positions among the present ids
    index = pd.Index(keys if present is None else keys[present])
    if not index.is_unique:
        return None
    where = index.get_indexer(other_keys).astype("int64", copy=False)
    if present is not None and len(present):
        where = np.where(where >= 0, present[np.maximum(where, 0)], -1)
    where[other_missing] = -1                 # a missing id (key 1) is no customer's, whatever the ids miss
    return where, gaps


def any_repeated(values: pd.Series, *, missing: bool = True) -> bool:
    """Whether a text value occurs twice (``values.duplicated().any()``); with ``missing=False`` two
    missing values do not count. Digit ids by one hash of their ``digit_keys`` (993,000 ids: 117 -> 52 ms
    thread CPU, best of 5), other text by one Arrow hash (pandas' duplicated was twice the time); other
    columns (a library caller's numbers) as pandas compares them."""
    if not isinstance(values.dtype, pd.StringDtype):
        return bool((values.duplicated() & (values.notna() | missing)).any())
    cells = _arrow_text(values)
    keys = digit_keys(cells)
    if keys is not None:
        present = keys[0][~keys[1]]
        return not pd.Index(present).is_unique or (missing and len(cells) - len(present) > 1)
    nulls = cells.null_count
    distinct_count = len(pc.unique(cells))
    if not missing:
        return distinct_count - (1 if nulls else 0) < len(cells) - nulls
    return distinct_count < len(cells)


def per_distinct(values: pd.Series, func) -> pd.Series:
    """``func`` (a whole-column text function) run once per distinct value, then spread back:
    coded columns (roles, kinds, yes/no) hold a handful of values over a million rows."""
    found = distinct(values)
    if found is None:
        return func(values)
    codes, uniques = found
    done = func(uniques)
    return pd.Series(done.array.take(codes, allow_fill=True), index=values.index)


#: Below this many cells, or with more than one distinct value per this many cells, a column is
#: converted cell by cell: hashing it would cost more than it saves.
DISTINCT_FROM = 5_000
DISTINCT_SHARE = 4


def few_distinct(uniques: int, n: int) -> bool:
    """Whether ``n`` values of which ``uniques`` differ are worth converting once per distinct value:
    at least ``DISTINCT_FROM`` values, at most one distinct in ``DISTINCT_SHARE``."""
    return n >= DISTINCT_FROM and uniques * DISTINCT_SHARE <= n


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """A text column as codes into its distinct values (-1 for missing), in Arrow's hash table;
    None when the column is short or its values mostly differ."""
    if len(values) < DISTINCT_FROM:
        return None
    encoded = pc.dictionary_encode(_arrow_text(values))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    uniques = encoded.dictionary
    if not few_distinct(len(uniques), len(values)):
        return None
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    return codes, str_series(uniques)


def regex_match_led(values: pd.Series, pattern: str, leads: str, trails: str = "") -> pd.Series:
    """``regex_match`` of a pattern that only matches text starting with white space or a character of
    ``leads``, or ending with white space or a character of ``trails`` (when given): other cells of an Arrow
    text column are ruled out by their first and last bytes (``led_by``, ``trailed_by``) and the pattern
    runs on the few left (a totals row's word over a million names: half the time)."""
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        return regex_match(values, pattern)
    cells = _arrow_text(values)
    hits = np.zeros(len(values), dtype=bool)
    maybe = led_by(cells, leads + WHITE_SPACE)
    if trails:
        maybe |= trailed_by(cells, trails + WHITE_SPACE)
    at = np.flatnonzero(maybe)
    if len(at):
        found = pc.match_substring_regex(cells.take(pa.array(at)), pattern)
        hits[at] = found.fill_null(False).to_numpy(zero_copy_only=False)
    return pd.Series(hits, index=values.index, dtype=bool)


#: Every character ``str.isspace`` takes (RE2's ``\s`` and Arrow's ``utf8_is_space`` take no others).
WHITE_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200b))) + \
    "\u2028\u2029\u202f\u205f\u3000"


def led_by(cells: pa.Array | pa.ChunkedArray, chars: str) -> np.ndarray:
    """Whether each cell of an Arrow text array starts with one of ``chars``: read off each cell's first
    bytes in place (UTF-8), no kernel over the text; missing and empty cells never do. The first byte
    rules most cells out, and each next byte the most of those left (``_Leads``). 1,000,000 CSV customers'
    columns looked at for a totals word (ids, names, kinds, branches): 6, 12, 7, 10 ms CPU (min of 5), where
    ``utf8_slice_codeunits`` and ``is_in`` took 25-30 ms for the names (run where a byte scan for a lead
    anywhere in the column, 20-30 ms a column, found one)."""
    return _Leads(chars, from_end=False).of_all(cells)


def trailed_by(cells: pa.Array | pa.ChunkedArray, chars: str) -> np.ndarray:
    """Whether each cell of an Arrow text array ends with one of ``chars``: ``led_by`` from the cells' last
    bytes (a character's UTF-8 read backwards)."""
    return _Leads(chars, from_end=True).of_all(cells)


class _Leads:
    """The UTF-8 of some characters as tables of their first bytes (``from_end``: of their last bytes, read
    backwards): by each length ``k``, the characters of ``k`` bytes (``whole[k]``) and the first ``k``
    bytes of the longer ones (``part[k]``), each as a lookup table over all ``k``-byte values up to two
    bytes, else as sorted big-endian numbers."""

    def __init__(self, chars: str, from_end: bool) -> None:
        self.from_end = from_end
        encoded = {char.encode()[::-1] if from_end else char.encode() for char in chars}
        self.longest = max(map(len, encoded), default=0)
        self.whole = {k: self._table({e for e in encoded if len(e) == k}, k) for k in range(1, self.longest + 1)}
        self.part = {k: self._table({e[:k] for e in encoded if len(e) > k}, k) for k in range(1, self.longest)}

    @staticmethod
    def _table(found: set[bytes], k: int) -> np.ndarray:
        codes = np.array(sorted(int.from_bytes(e, "big") for e in found), dtype=np.int64)
        if k > 2:
            return codes
        table = np.zeros(256 ** k, dtype=bool)
        table[codes] = True
        return table

    @staticmethod
    def _holds(table: np.ndarray, code: np.ndarray) -> np.ndarray:
        if table.dtype == bool:
            return table[code]
        place = np.minimum(np.searchsorted(table, code), max(len(table) - 1, 0))
        return table[place] == code if len(table) else np.zeros(len(code), dtype=bool)

    def of_all(self, cells: pa.Array | pa.ChunkedArray) -> np.ndarray:
        parts = [self.of(chunk) for chunk in getattr(cells, "chunks", [cells])]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)

    def of(self, chunk: pa.Array) -> np.ndarray:
        out = np.zeros(len(chunk), dtype=bool)
        if not len(chunk) or not self.longest:
            return out
        offsets, data = utf8_buffers(chunk)
        if not data.size:
            return out
        starts, lengths = offsets[:-1], np.diff(offsets)
        step = 1
        if self.from_end:       # each cell's bytes from its last one back
            starts, step = offsets[1:] - 1, -1
        filled = lengths > 0
        if chunk.null_count:
            filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
        code = data[np.clip(starts, 0, len(data) - 1)].astype(np.int64)
        out[:] = self.whole[1][code] & filled
        at = np.flatnonzero(self.part[1][code] & filled) if self.longest > 1 else np.zeros(0, dtype=np.int64)
        code = code[at]
        for k in range(2, self.longest + 1):
            whole = lengths[at] >= k
            at, code = at[whole], code[whole] * 256 + data[starts[at[whole]] + step * (k - 1)]
            out[at[self._holds(self.whole[k], code)]] = True
            if k < self.longest:
                going = self._holds(self.part[k], code)
                at, code = at[going], code[going]
        return out


def utf8_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """An Arrow text (or binary) array's cells as its offsets, one more than its cells, as int64 (the i-th
    cell is ``data[offsets[i]:offsets[i + 1]]``, nulls empty), and its data buffer's bytes (uint8, in place;
    empty when it has none): for byte scans of a column without a copy of its text."""
    if chunk.buffers()[1] is None:
        return np.zeros(len(chunk) + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    wide = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64 if wide else np.int32)[
        chunk.offset:chunk.offset + len(chunk) + 1].astype(np.int64, copy=False)
    data = chunk.buffers()[2]
    return offsets, np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)


def regex_match(values: pd.Series, pattern: str) -> pd.Series:
    """Whether each text cell matches ``pattern`` (RE2 syntax, anchored by the pattern); others False.

    Runs in Arrow: whole-column and many times faster than a Python loop over cells.
    """
    if isinstance(values.dtype, pd.StringDtype):
        cells = _arrow_text(values)
    else:
        array = values.to_numpy(dtype=object)
        # astype(object) first: map() on an empty Arrow string column keeps its dtype, and eq(str) then raises.
        is_str = values.astype("object").map(type).eq(str).to_numpy()
        cells = pa.array(array if is_str.all() else np.where(is_str, array, None), type=pa.string(),
                         from_pandas=True)
    hits = pc.match_substring_regex(cells, pattern)
    return pd.Series(hits.fill_null(False).to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
