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
from pathlib import Path
from typing import IO, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from branchkit import progress
from branchkit.errors import UsageError
from branchkit.io.ahead import ahead
from branchkit.io.convert import holds_any
from branchkit.io.display import NUMERIC_FORMATS, csv_cells, json_value, machine_columns, machine_frame
from branchkit.io.safety import neutralise_cells
from branchkit.io.tables import Report, Table
from branchkit.io.targets import check_outputs
from branchkit.io.tempfiles import discard, done, new_temporary
from branchkit.io.options import WriteOptions
from branchkit.io.xlsx import write_xlsx
from branchkit.io.xlsxrows import concatenated, join

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
    other way out (``io.tempfiles``: also at exit and on SIGTERM/SIGHUP)."""
    tmp = new_temporary(target)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _set_mode(tmp, target)
        os.replace(tmp, target)
        done(tmp)
    finally:
        discard(tmp)


def remove_stale(side: Path) -> bool:
    """Remove a side file an earlier run left beside its output (``out.rejected.csv`` when no row is
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

    def chunks() -> Iterator[memoryview]:
        for picked in _pieces(table.order, rows):
            fields = [_csv_column(values.iloc[picked] if isinstance(picked, slice)
                                  else pd.Series(values.array.take(picked), name=column),
                                  fmt, options, alone=len(formats) == 1)
                      for (column, values), fmt in zip(columns.items(), formats)]
            # The line end joined to the last field only, not to the joined rows (one copy of them fewer).
            yield concatenated(join(*fields[:-1], join(fields[-1], "\n"), separator=","))

    # Every step is cell by cell, so a chunk of rows is formatted, joined and written before the next:
    # the text of only two chunks is held, not of every column of the table. The next chunk is made in a
    # thread (Arrow kernels) while this one is written (a file write): both release the GIL, and the
    # chunks arrive in order, so the bytes do not depend on the threads' timing.
    for chunk in ahead(chunks(), 1) if rows > _CSV_CHUNK else chunks():
        write(chunk)


def _csv_column(values: pd.Series, fmt: str, options: WriteOptions, alone: bool) -> pa.Array:
    """A column (or a chunk of one) as CSV fields: formatted, neutralised unless --raw-csv, quoted."""
    cells = csv_cells(values, fmt)
    if not options.raw_csv and fmt not in NUMERIC_FORMATS | {"bool", "date"}:
        cells = neutralise_cells(cells)
    return _csv_field(cells, alone=alone)


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
