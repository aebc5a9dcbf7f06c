"""Write a built sample to a folder: one file per ledger, xlsx or csv, and rules.toml."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from branchkit.errors import OutputError
from branchkit.sample.build import Sample
from branchkit.sample.calendar import SampleMonth
from branchkit.sample.layout import Ledger, NETWORK, file_names, ledgers
from branchkit.sample.xlsx import write_xlsx

FORMATS = ("xlsx", "csv")
RULES_FILE = "rules.toml"
PARALLEL_MIN_CUSTOMERS = 200_000     # below this, worker processes cost more than they save
WORKERS = 2


def written_at(month: SampleMonth) -> dt.datetime:
    """The fixed document timestamp: 08:00 on the day after month end (the month-end job)."""
    return dt.datetime.combine(month.end + dt.timedelta(days=1), dt.time(8, 0))


def rules_text(month: SampleMonth) -> str:
    """A rules file holding only the month's calendar."""
    def dates(days: tuple[dt.date, ...]) -> str:
        return "[" + ", ".join(d.isoformat() for d in days) + "]"

    return (
        f"# branchkit rules for the sample month {month.label}: only the calendar differs from the defaults.\n"
        "# The holidays and make-up working days below are illustrative (the fixed-date holidays,\n"
        "# with the Saturday after a long break worked): check them against the State Council's\n"
        "# official holiday notice for the year before using them for a real month.\n"
        "[calendar]\n"
        f"holidays = {dates(month.holidays)}\n"
        f"extra_workdays = {dates(month.extra_workdays)}\n"
    )


def _write_csv(path: Path, frame: pd.DataFrame, bom: bool) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_ledger(folder: Path, ledger: Ledger, fmt: str, created: dt.datetime) -> list[Path]:
    ledger = ledger.expanded(fmt)
    if ledger.tables:
        paths = [folder / f"{name}.csv" for name in ledger.tables]
        for path, frame in zip(paths, ledger.tables.values()):
            _write_csv(path, frame, ledger.bom)
        return paths
    path = folder / f"{ledger.path}.{fmt}"
    if ledger.same_as:
        shutil.copyfile(folder / f"{ledger.same_as}.{fmt}", path)
    else:
        write_xlsx(path, ledger.sheets, created, title=f"{NETWORK} {ledger.path}")
    return [path]


class _Workers:
    """Customer snapshots written by worker processes when the network is large.

    Rendering cells is Python-bound, so the five snapshots of a million-row
    network go to two processes (spawned, not forked: pandas' Arrow threads
    do not survive a fork) while this one writes the other ledgers. At most
    ``WORKERS`` snapshots wait at a time, which bounds memory. Files are the
    same whichever process writes them.
    """

    def __init__(self, enabled: bool) -> None:
        self.pool = ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) if enabled else None
        self.pending: list[Future] = []
        self.paths: list[Path] = []

    def write(self, folder: Path, ledger: Ledger, fmt: str, created: dt.datetime) -> None:
        if ledger.same_as:
            self.wait()            # a copy needs its source on disk
        if self.pool is None or ledger.snapshot is None:
            self.paths.extend(_write_ledger(folder, ledger, fmt, created))
            return
        while len(self.pending) >= WORKERS:
            self.paths.extend(self.pending.pop(0).result())
        self.pending.append(self.pool.submit(_write_ledger, folder, ledger, fmt, created))

    def wait(self) -> None:
        while self.pending:
            self.paths.extend(self.pending.pop(0).result())

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def planned_files(folder: str | Path, month: SampleMonth, fmt: str = "xlsx") -> list[Path]:
    """The files ``write_sample`` writes into ``folder`` for ``month``, known before the sample is built."""
    return [Path(folder) / name for name in file_names(month, fmt)] + [Path(folder) / RULES_FILE]


def write_sample(sample: Sample, folder: str | Path, fmt: str = "xlsx") -> list[Path]:
    """Write every ledger of ``sample`` into ``folder`` (created if needed); returns the files written.

    A large sample is written partly by spawned worker processes, so a script
    calling this must guard its entry point (``if __name__ == "__main__":``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    folder = Path(folder)
    try:
        (folder / "history").mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{folder}: not a folder", hint="give a folder path for the sample") from None
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    created = written_at(sample.month)
    workers = _Workers(enabled=len(sample.customers) >= PARALLEL_MIN_CUSTOMERS)
    rules = folder / RULES_FILE
    try:
        for ledger in ledgers(sample, fmt):
            workers.write(folder, ledger, fmt, created)
        workers.wait()
        rules.write_text(rules_text(sample.month), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write the sample: {exc.strerror or exc}") from None
    finally:
        workers.close()
    return sorted(workers.paths) + [rules]
