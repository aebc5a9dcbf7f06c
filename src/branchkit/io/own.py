"""branchkit's own outputs met among the ledgers, recognised before they are read as ledgers.

SPEC: "A branchkit output saved into a ledger folder is recognised on the next run: an allocation is
last month's allocation (上月分配); any other output is skipped and named." An allocation saved as
``ledgers/分配.csv`` would otherwise be read as a second customer list (its columns are a customer
list's and more), a scorecard as a second staff list.

What gives an output away, read cheaply before any parsing:

- csv (and json): its header holds the marker columns of one of the commands' tables, under their
  canonical names or (``--lang zh``) their Chinese labels; whatever the file is called;
- xlsx: the workbook properties say it was written by branchkit (kept when Excel saves it again); its
  first sheet says which output (客户分配表 / Allocation: an allocation); ``validate -o``'s cleaned
  ledgers (titled 清洗后的台账) and ``init``'s templates (titled by their ledger: 客户清单, 员工, ...;
  ``io.blank``) are ledgers: a template is a ledger to fill in, read like any other;
- html: the ``generator`` meta tag of branchkit's report template.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from branchkit.labels import column_label
from branchkit.text import header_key

#: Each output and the marker columns of its tables (csv/json carry one table: any of them).
MARKERS: dict[str, tuple[tuple[str, ...], ...]] = {
    # first: the rejected rows carry their ledgers' own columns after these (``io.rejected``), which must
    # not make them an allocation or a ledger; no other output has these five
    "rejected rows": (("ledger", "file", "sheet", "row", "reasons"),),
    "allocation": (("customer_id", "keeper", "source", "previous_keeper"),),
    "plan": (("staff_id", "planned", "done_on_time", "adherence"), ("staff_id", "staff_name", "date", "state"),
             ("staff_id", "visits", "complete", "completeness"), ("customer_id", "cadence_days", "overdue_days")),
    # the branch comparison holds the columns of the parts computed: after plan (whose tables name
    # staff or customers), before staff (whose columns it holds)
    "report": (("branch", "customers_per_keeper", "keeper_coverage"), ("branch", "planned", "done_on_time"),
               ("branch", "scored_staff", "average_total"), ("keeper", "customers_start", "customers_end")),
    "score": (("staff_id", "total", "rank", "bonus"),),
    "staff": (("branch", "tellers_needed", "tellers_current"),
              ("branch", "hour", "counters", "service_level", "occupancy")),
}
#: Chinese headers the outputs use beside ``labels.COLUMNS`` (tables with labels of their own).
_MORE_LABELS = {"customers_start": ("季初客户数",), "customers_end": ("季末客户数",), "state": ("状态", "计划状态"),
                "customers_per_keeper": ("人均维护户数",), "keeper_coverage": ("维护覆盖率",),
                "scored_staff": ("考核人数",), "average_total": ("平均总分",)}
#: The first sheet of an allocation workbook, as ``views.allocate`` titles it.
ALLOCATION_SHEETS = ("客户分配表", "Allocation")
#: The sheet an output may put before its tables: the columns and ledgers not given (``views.absent``).
NOTES_SHEETS = ("缺少的列与台账", "Columns and ledgers not given")
#: Titles of workbooks branchkit writes that are ledgers: ``validate -o``'s cleaned ledgers.
LEDGER_TITLES = ("清洗后的台账", "Cleaned ledgers")
_GENERATOR = re.compile(rb"<meta\s+name=\"generator\"\s+content=\"branchkit", re.IGNORECASE)
_CREATOR = re.compile(r"<dc:creator>\s*branchkit\s*</dc:creator>")
_TITLE = re.compile(r"<dc:title>([^<]*)</dc:title>")
_SHEET = re.compile(r"<sheet\b[^>]*\bname=\"([^\"]*)\"")
_HEAD_BYTES = 65536

if TYPE_CHECKING:
    from branchkit.io.grid import Book
    from branchkit.rules import InputRules


@dataclass(frozen=True)
class OwnOutput:
    """A file branchkit wrote: which output, and (a workbook) the sheet holding the allocation."""

    what: str
    sheet: str | None = None
    title: str | None = None

    @property
    def is_allocation(self) -> bool:
        return self.what == "allocation"

    @property
    def is_template(self) -> bool:
        """``init``'s blank template of a ledger: a ledger to fill in, read as one (``template_skip``,
        ``is_blank``), never an output to pass over."""
        return self.what == "template"

    def describe(self) -> str:
        """What the notes call it: ``a branchkit score output``, ``a workbook written by branchkit (title)``."""
        if self.what == "template":
            return f"template written by branchkit init ({self.title})"
        if self.what == "workbook":
            return f"a workbook written by branchkit ({self.title})" if self.title else "a workbook written by branchkit"
        return f"a branchkit {self.what} output"


def own_output(path: Path, max_bytes: int) -> OwnOutput | None:
    """Which branchkit output ``path`` is, or None for anything else (a ledger, or not readable here:
    the ledger reader then says what is wrong with it). ``max_bytes`` bounds what a json file may hold."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            return _by_columns(_csv_header(path))
        if suffix == ".json":
            return _json_output(path, max_bytes)
        if suffix in (".xlsx", ".xlsm"):
            return _workbook_output(path)
        if suffix in (".html", ".htm"):
            with path.open("rb") as handle:
                return OwnOutput("report") if _GENERATOR.search(handle.read(_HEAD_BYTES)) else None
    except (OSError, ValueError, zipfile.BadZipFile, KeyError, UnicodeError):
        return None
    return None


def _by_columns(header: list[str]) -> OwnOutput | None:
    keys = {header_key(cell) for cell in header if cell}
    for what, tables in MARKERS.items():
        if any(all(_names(column) & keys for column in markers) for markers in tables):
            return OwnOutput(what)
    return None


def _names(column: str) -> set[str]:
    """The keys a column's header may have in an output: its name, its Chinese label."""
    return {header_key(column), header_key(column_label(column, "zh")),
            *(header_key(label) for label in _MORE_LABELS.get(column, ()))}


def _csv_header(path: Path) -> list[str]:
    from branchkit.io.csvread import decode, sniff_delimiter

    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    text, _encoding = decode(head)
    line = next((line for line in text.splitlines() if line.strip()), "")
    return next(csv.reader(io.StringIO(line), delimiter=sniff_delimiter(line)), [])


def _json_output(path: Path, max_bytes: int) -> OwnOutput | None:
    if path.stat().st_size > max_bytes:
        return None
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return None
    return _by_columns(list(records[0]))


def _workbook_output(path: Path) -> OwnOutput | None:
    with zipfile.ZipFile(path) as archive:
        core = _member(archive, "docProps/core.xml")
        if core is None or not _CREATOR.search(core):
            return None
        sheets = _SHEET.findall(_member(archive, "xl/workbook.xml") or "")
    title = _TITLE.search(core)
    if title and title.group(1) in LEDGER_TITLES:
        return None
    if title and title.group(1) in _template_titles():
        return OwnOutput("template", title=title.group(1))
    tables = [s for s in sheets if s not in NOTES_SHEETS]
    if tables and tables[0] in ALLOCATION_SHEETS:
        return OwnOutput("allocation", tables[0])
    return OwnOutput("workbook", title=title.group(1) if title and title.group(1) else None)


def _template_titles() -> set[str]:
    """The titles of ``init``'s templates (``io.blank``: each titled by its ledger's Chinese name; the
    English names too, should a template ever be titled so). No output of branchkit's is titled so: the
    outputs are titled by their report (客户分配（包户包效）, 绩效积分卡与绩效工资, ...)."""
    from branchkit.models.ledgers import LEDGERS

    return {name for spec in LEDGERS.values() for name in (spec.label_zh, spec.label_en)}


def _member(archive: zipfile.ZipFile, name: str) -> str | None:
    """A small member's text (the properties and the sheet list are a few KB; anything larger is not
    read here)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > 4 * _HEAD_BYTES:
        return None
    return archive.read(name).decode("utf-8", errors="replace")


def json_records_csv(path: Path) -> bytes:
    """A json allocation (a list of records, as ``allocate -o x.json`` writes it) as CSV bytes, so it is
    read like the csv form."""
    records = json.loads(path.read_text(encoding="utf-8"))
    columns = list(dict.fromkeys(key for record in records for key in record))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(c) is None else _cell(record.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: The verdict on an own output that is passed over.
SKIPPED = OwnOutput("skipped")
#: The sheet of a template (``io.blank``) that explains its columns: not a ledger.
TEMPLATE_NOTES_SHEET = "说明"


def template_skip(skip: Callable[[str, bool], str | None] | None) -> Callable[[str, bool], str | None]:
    """The sheet rule of a template: its notes sheet (说明) is passed over (named with --verbose), the
    other sheets go by ``skip`` (the command's ledgers), as in any workbook."""
    def rule(sheet: str, several: bool) -> str | None:
        if sheet == TEMPLATE_NOTES_SHEET:
            return "the template's notes on its columns"
        return skip(sheet, several) if skip is not None else None
    return rule


def is_blank(book: "Book") -> bool:
    """Whether a template was left as ``init`` wrote it: no sheet holds a value below its header row.

    Such a template is not read (a blank 月初客户清单 or 拜访记录 is not given, rather than given empty: an
    empty visits ledger would read as no visits made, an empty month-start list as every customer new)."""
    for grid in book.grids:
        if grid.tail is not None and grid.tail.height:
            return False
        if grid.frame is not None and len(grid.frame) > 1:
            return False
        if any(cell is not None and str(cell).strip() for row in grid.rows[1:] for cell in row):
            return False
    return True


def read_own(path: Path, own: OwnOutput, limits: "InputRules") -> "Book":
    """An allocation written by branchkit, to read as last month's: a workbook's allocation sheet only
    (its other sheets are the allocation's own tables and per-keeper books, passed over unread and
    unnamed), a json's records as the csv form would hold them."""
    from branchkit.io.csvread import read_csv_grid
    from branchkit.io.grid import Book
    from branchkit.io.readbook import read_book

    if path.suffix.lower() == ".json":
        return Book(str(path), "csv", [read_csv_grid(json_records_csv(path), str(path))])
    if own.sheet is None:
        return read_book(path, limits)
    book = read_book(path, limits, skip=lambda sheet, _several: None if sheet == own.sheet else "not the allocation")
    book.passed = []
    return book


@dataclass
class FolderOutputs:
    """What becomes of a folder's own outputs: the allocations read as last month's (上月分配), and the
    files passed over with the reason (one note each)."""

    previous: dict[Path, OwnOutput]
    skipped: dict[Path, str]


def folder_outputs(found: dict[Path, OwnOutput], named: set[Path], *, previous_given: bool,
                   previous_wanted: bool) -> FolderOutputs:
    """Decide what a folder's own outputs (``found``) are; ``named``: its files whose names say they are
    last month's allocation (上月分配.csv), own outputs or not.

    An allocation is last month's when nothing else is: not when ``--previous`` gave one, nor beside a
    file named so. Two allocations and no name to choose between them is a usage error naming both.
    """
    out = FolderOutputs({}, {})
    allocations = sorted(p for p, o in found.items() if o.is_allocation)
    for path, own in found.items():
        if not own.is_allocation:
            out.skipped[path] = f"{own.describe()}, not a ledger"
    if not previous_wanted:
        out.skipped.update({p: "an allocation written by branchkit (last month's allocation, 上月分配), which "
                               "this command does not use" for p in allocations})
        return out
    if previous_given:
        out.skipped.update({p: "an allocation written by branchkit; last month's allocation was given by "
                               "--previous" for p in allocations})
        return out
    unnamed = [p for p in allocations if p not in named]
    if named and unnamed:
        names = "、".join(p.name for p in sorted(named))
        out.skipped.update({p: f"an allocation written by branchkit; {names} is last month's allocation "
                               "(上月分配) by its name" for p in unnamed})
    elif len(unnamed) > 1:
        from branchkit.errors import UsageError

        raise UsageError(f"{len(unnamed)} allocations written by branchkit could each be last month's "
                         f"(上月分配): {', '.join(str(p) for p in unnamed)}; keep one in the folder, name last "
                         "month's 上月分配.csv, or give it with --previous")
    out.previous = {p: found[p] for p in allocations if p not in out.skipped}
    return out
