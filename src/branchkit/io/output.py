"""Writing a report where the user asked: the extension picks the format, '-' is CSV on stdout.

Files are written to a temporary file beside the target and renamed into
place, so an interrupted run leaves the previous file intact. A command never
writes over one of its own inputs.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit import progress
from branchkit.errors import OutputError, UsageError
from branchkit.io.convert import holds_any
from branchkit.io.display import NUMERIC_FORMATS, csv_cells, json_value, machine_columns, machine_frame
from branchkit.io.safety import neutralise_cells
from branchkit.io.tables import Report, Table
from branchkit.io.targets import check_outputs
from branchkit.io.tempfiles import discard, done, new_temporary
from branchkit.io.options import WriteOptions
from branchkit.io.xlsx import write_xlsx
from branchkit.io.xlsxrows import concatenated, join
from branchkit.io.xlsxtext import REPEATS

FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".html": "html", ".htm": "html"}


def output_format(target: str) -> str:
    """The format a target names (``-`` is csv); a usage error for anything else."""
    if target == "-":
        return "csv"
    fmt = FORMATS.get(Path(target).suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot write {target}: the extension must be one of .xlsx .csv .json .html "
                         "(or '-' for CSV on stdout)")
    return fmt


def check_target(target: str, inputs: list[Path]) -> None:
    """Refuse a target that cannot be written or is one of the command's inputs (see ``io.targets``)."""
    check_outputs([target], inputs, side_files=False)


def write_report(target: str, report: Report, options: WriteOptions) -> list[str]:
    """Write ``report`` to ``target``; returns warnings (e.g. text cut to fit a cell)."""
    fmt = output_format(target)
    check_target(target, options.inputs)
    if target == "-":
        with _refused_as_output_error("to standard output"):
            write_csv(report.primary_table(), sys.stdout, options)
            sys.stdout.flush()
        return []
    warnings: list[str] = []
    progress.step(f"writing {Path(target).name}")
    with atomic_path(Path(target)) as tmp:
        if fmt == "csv":
            with open(tmp, "w", encoding="utf-8-sig" if options.lang == "zh" else "utf-8", newline="") as fh:
                write_csv(report.primary_table(), fh, options)
        elif fmt == "json":
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                write_json(report.primary_table(), fh, options)
        elif fmt == "xlsx":
            warnings = write_xlsx(report, tmp, options)
        else:
            from branchkit.io.html import write_html    # jinja2 and the page's parts: HTML output only

            write_html(report, tmp, options)
    return warnings


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it only when the block succeeds; removed on any
    other way out (``io.tempfiles``: also at exit and on SIGTERM/SIGHUP).

    The system refusing a write on the way (the disk full, a quota, an I/O error, the disk gone read-only
    since ``check_target`` probed it) is an ``OutputError`` naming the target and the system's reason
    (exit 2), not a failure of branchkit's: the file that was there stays as it was."""
    with _refused_as_output_error(target):
        tmp = new_temporary(target)
    try:
        with _refused_as_output_error(target):
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            _set_mode(tmp, target)
            os.replace(tmp, target)
        done(tmp)
    finally:
        discard(tmp)


@contextlib.contextmanager
def _refused_as_output_error(target: Path | str) -> Iterator[None]:
    """An ``OSError`` with an error number (what the system says when it refuses a file operation) as an
    ``OutputError`` about ``target``; the original kept as its cause, for ``--debug``. A broken pipe is
    left as it is: the reader of the standard output went away (``| head``), which the command line
    takes as the end, quietly."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc


def remove_stale(side: Path) -> bool:
    """Remove a side file an earlier run left beside its output (``out.xlsx.rejected.csv`` when no row is
    rejected now), so what lies beside an output always belongs to it; True if one was removed."""
    if not side.is_file():
        return False
    side.unlink()
    return True


def _set_mode(tmp: Path, target: Path) -> None:
    """Give the new file the old file's mode, or the usual mode for new files (mkstemp makes it 0600)."""
    if target.exists():
        mode = target.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def write_csv(table: Table, stream: IO[str], options: WriteOptions) -> None:
    """The table as CSV: canonical English headers (Chinese with --lang zh), neutralised text.

    RFC 4180 with LF line ends: a field is quoted when it holds a comma, a quote or a line break. The
    rows are joined a chunk of rows at a time in Arrow, not by a Python call per row.
    """
    # The columns, not a frame of them: a frame would copy the numbers into one block, and its take
    # costs more than the columns' own (0.21 + 0.19 -> 0.08 + 0.05 s CPU at a million rows).
    columns = machine_columns(table, mask=options.masked("csv"))
    formats = [table.format_of(column) for column in columns]
    headers = [table.label(c, "zh") for c in columns] if options.lang == "zh" else list(columns)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(headers)
    stream.write(header.getvalue())
    write = _byte_writer(stream)
    rows = len(table.frame) if columns else 0
    if rows <= _CSV_CHUNK:
        parts = _parts(columns, formats, options)
        for picked in _pieces(table.order, rows):
            write(_lines(parts, picked))
        return
    # A big table's columns are prepared and its chunks of rows made by two threads (Arrow's hashing,
    # takes and joins release the GIL) while this one writes; the chunks are written in order, so the
    # bytes do not depend on the threads' timing, and at most ``_WORKERS`` + 1 chunks are held at once.
    with ThreadPoolExecutor(_WORKERS, thread_name_prefix="branchkit-csv") as pool:
        parts = _parts(columns, formats, options, pool.map)
        coming: deque[Future] = deque()
        for picked in _pieces(table.order, rows):
            coming.append(pool.submit(_lines, parts, picked))
            if len(coming) > _WORKERS:
                write(coming.popleft().result())
        while coming:
            write(coming.popleft().result())


def _lines(parts: list[_Part], picked: slice | np.ndarray) -> memoryview:
    """The CSV lines of the rows ``picked`` (a slice, or positions), as UTF-8 bytes."""
    fields = [part.fields(picked) for part in parts]
    # The line end joined to the last field only, not to the joined rows (one copy of them fewer).
    return concatenated(join(*fields[:-1], join(fields[-1], "\n"), separator=","))


def _csv_column(values: pd.Series, fmt: str, options: WriteOptions, alone: bool) -> pa.Array:
    """A column (or a chunk of one) as CSV fields: formatted, neutralised unless --raw-csv, quoted."""
    cells = csv_cells(values, fmt)
    if not options.raw_csv and fmt not in NUMERIC_FORMATS | {"bool", "date"}:
        cells = neutralise_cells(cells)
    return _csv_field(cells, alone=alone)


@dataclass
class _Part:
    """Adjacent columns written together. Plain: one column (``values``), formatted a piece at a time.
    Coded: columns of few distinct values, each row's index (``codes``) into the distinct combinations
    of their fields, made once and joined once (``texts``): a piece takes its rows' texts."""

    values: pd.Series | None = None
    fmt: str = "text"
    codes: np.ndarray | None = None
    texts: pa.Array | None = None
    options: WriteOptions | None = None
    alone: bool = False

    def fields(self, picked: slice | np.ndarray) -> pa.Array:
        """The fields of the rows ``picked`` (a slice, or positions)."""
        if self.codes is not None:
            return self.texts.take(pa.array(self.codes[picked]))
        values = self.values.iloc[picked] if isinstance(picked, slice) else \
            pd.Series(self.values.array.take(picked), name=self.values.name)
        return _csv_column(values, self.fmt, self.options, self.alone)


def _parts(columns: dict[str, pd.Series], formats: list[str], options: WriteOptions, each=map) -> list[_Part]:
    """The columns as parts, in order: a run of adjacent columns of few distinct values becomes one coded
    part while its rows hold at most one distinct combination in ``REPEATS`` (an allocation's keeper with
    their name, role and source: 91,320 combinations in 1,000,000 rows); every other column is plain.
    ``each``: ``map``, or a pool's, to look at the columns at once."""
    alone, rows = len(formats) == 1, len(next(iter(columns.values()), ()))
    parts: list[_Part] = []
    run: list[tuple[np.ndarray, pa.Array]] = []      # the coded run: each column's codes and fields
    joint, size = np.zeros(0, dtype="int64"), 0        # the run's combination of each row, and their count
    for values, fmt, coded in zip(columns.values(), formats, each(_coded, columns.values())):
        if coded is None:
            if run:
                parts.append(_coded_part(run, joint, size))
                run = []
            parts.append(_Part(values=values, fmt=fmt, options=options, alone=alone))
            continue
        codes, distinct = coded
        fields = _csv_column(distinct, fmt, options, alone)
        wider = _combined(joint, size, codes, len(fields), rows) if run else None
        if wider is None:
            if run:
                parts.append(_coded_part(run, joint, size))
            run, (joint, size) = [], (codes, len(fields))
        else:
            joint, size = wider
        run.append((codes, fields))
    if run:
        parts.append(_coded_part(run, joint, size))
    return parts


def _coded(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """A column of at most one distinct value in ``REPEATS`` rows as each row's index into its distinct
    values, a null last; None for any other column (judged first on its first ``_GLANCE`` rows)."""
    # Text by Arrow's hashing: quicker than pandas' factorize (1,000,000 rows: branch 7.9 against 9.1 ms,
    # VIP grade 7.3 against 12.0 ms, thread CPU, best of 3).
    if values.dtype == "str":
        text = values.array.__arrow_array__()
        if pc.count_distinct(text.slice(0, _GLANCE), mode="all").as_py() * REPEATS > min(len(text), _GLANCE):
            return None             # ids, names: not copied whole (a CSV's columns come in many pieces)
        encoded = pc.dictionary_encode(text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text)
        distinct = pd.Series(encoded.dictionary.to_pylist(), dtype="str")
        found = encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)
    else:
        if values.iloc[:_GLANCE].nunique(dropna=False) * REPEATS > min(len(values), _GLANCE):
            return None
        found, uniques = pd.factorize(values, use_na_sentinel=True)
        distinct = pd.Series(uniques)
        found[found < 0] = len(distinct)
    if (len(distinct) + 1) * REPEATS > len(values):
        return None
    # The codes in the fewest bytes that hold them (1 MB a million rows for a flag, not 8): a big table's
    # columns are all hashed before they are combined, and their codes are held together meanwhile.
    return _compact(found, len(distinct)), distinct.reindex(range(len(distinct) + 1))


def _compact(codes: np.ndarray, largest: int) -> np.ndarray:
    """``codes`` (none above ``largest``) as the smallest unsigned integers holding them."""
    return codes.astype(np.min_scalar_type(largest), copy=False)


def _combined(joint: np.ndarray, size: int, codes: np.ndarray, count: int, rows: int) -> tuple[np.ndarray, int] | None:
    """The combinations of a run (``joint``, ``size`` of them) with one more column (``codes`` into ``count``
    fields), numbered anew when the product exceeds what a row may hold; None when the combinations
    present are too many for a coded part (more than one in ``REPEATS`` rows)."""
    wider, product = np.multiply(joint, count, dtype="int64"), size * count
    wider += codes
    if product * REPEATS <= rows:
        return wider, product
    if product > _DENSE:
        return None
    present = np.zeros(product, dtype=bool)
    present[wider] = True
    found = int(present.sum())
    if found * REPEATS > rows:
        return None
    return (np.cumsum(present, dtype="int32") - 1)[wider], found


def _coded_part(run: list[tuple[np.ndarray, pa.Array]], joint: np.ndarray, size: int) -> _Part:
    """A coded part of the columns of ``run``, each row's combination in ``joint`` (< ``size``): each
    combination's fields joined once (from a row that holds it; a number no row holds takes row 0's)."""
    if len(run) == 1:
        return _Part(codes=run[0][0], texts=run[0][1])
    holder = np.zeros(size, dtype="int64")
    holder[joint] = np.arange(len(joint))       # any row of a combination will do: they hold the same fields
    texts = join(*(fields.take(pa.array(codes[holder])) for codes, fields in run), separator=",")
    return _Part(codes=_compact(joint, size - 1), texts=texts)


def _pieces(order: np.ndarray | None, rows: int) -> Iterator[slice | np.ndarray]:
    """The rows of each piece of the CSV, in the order written: ``_CSV_CHUNK`` rows at a time, as a slice
    of the columns; with an order (no reordered copy of the whole table is made), a chunk's rows in at most
    ``_RUNS`` runs of consecutive rows as a slice per run, else as their positions, taken. Every cell is
    formatted alone, so where pieces end never changes the bytes."""
    for start in range(0, rows, _CSV_CHUNK):
        if order is None:
            yield slice(start, min(start + _CSV_CHUNK, rows))
            continue
        picked = order[start:start + _CSV_CHUNK]
        breaks = np.flatnonzero(np.diff(picked) != 1) + 1
        if len(breaks) >= _RUNS:
            yield picked
            continue
        for first, stop in zip([0, *breaks.tolist()], [*breaks.tolist(), len(picked)]):
            yield slice(int(picked[first]), int(picked[first]) + stop - first)


_CSV_CHUNK = 100_000
#: Threads making a big table's chunks (the machine has at least two cores for the write, which runs alone).
_WORKERS = 2
#: ``_coded`` judges a column first on this many rows: ids and names are not hashed whole, a keeper column
#: (1,567 distinct in 1,000,000 rows, nearly all met early) is.
_GLANCE = 20_000
#: ``_combined`` numbers a run's combinations anew with a table of every possible one up to this many
#: (a keeper's id by their name: 1,568 x 1,522 = 2.4 million; 5 bytes each for a moment).
_DENSE = 1 << 22
#: A run costs ~1.3 ms of calls (24 columns of 10 rows: 1.29 ms against a take's 1.36), a chunk's take
#: ~13 ms more than its slices (100,000 rows of the 1,000,000-customer allocation: 66 -> 54 ms); that
#: allocation's chunks have 4 to 6 runs. ``/tmp`` harness, mean of 20.
_RUNS = 8
_NEEDS_QUOTES = '[",\n\r]'
_QUOTED_BYTES = (b'"', b",", b"\n", b"\r")


def _byte_writer(stream: IO[str]):
    """Write UTF-8 bytes to a text stream: straight to its buffer when it encodes UTF-8 (a file, a
    UTF-8 stdout), else decoded for it."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and encoding in ("utf8", "utf8sig"):
        stream.flush()             # what the text layer holds (the header, a BOM) goes first
        return buffer.write
    return lambda data: stream.write(bytes(data).decode("utf-8"))


def _csv_field(text: pd.Series | pa.Array, alone: bool) -> pa.Array:
    """A column of CSV cell text as fields: quoted (quotes doubled) where RFC 4180 needs it."""
    values = text if isinstance(text, pa.Array) else pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = values.fill_null("")
    if alone:                                   # a lone empty field would read back as a blank line
        needs = pc.or_(pc.match_substring_regex(values, _NEEDS_QUOTES), pc.equal(values, ""))
    elif not holds_any(values, _QUOTED_BYTES):   # most columns: nothing to quote, no per-cell look
        return values
    else:
        needs = pc.match_substring_regex(values, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return values
    # Only the cells that need it quoted, put in their places (a column has few: the reasons' 8 in 100,000
    # rows, 6.6 -> 4.2 ms a chunk, against quoting every cell and choosing; min of 20).
    few = pc.filter(values, needs)
    return pc.replace_with_mask(values, needs, join('"', pc.replace_substring(few, '"', '""'), '"'))


def write_json(table: Table, stream: IO[str], options: WriteOptions) -> None:
    """The table as a JSON array of records, one per line, canonical English keys."""
    frame = machine_frame(table, mask=options.masked("json"))
    if table.order is not None:
        frame = frame.take(table.order)
    columns = list(frame.columns)
    stream.write("[")
    first = True
    for row in frame.itertuples(index=False, name=None):
        record = {c: json_value(v) for c, v in zip(columns, row)}
        stream.write(("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False, allow_nan=False))
        first = False
    stream.write("\n]\n" if not first else "]\n")
