"""Which ledger a file or sheet holds: by its file type, its name (Chinese or English keywords) and its headers.

The folder read (``io.discover``) asks these of every file and sheet it is given; ``list_folder`` gives it a
folder's files.
"""

from __future__ import annotations

import re
from pathlib import Path

from branchkit.io.grid import Grid
from branchkit.io.header import find_header, label_keys
from branchkit.models.aliases import alias_index
from branchkit.models.ledgers import LEDGERS
from branchkit.rules import Rules
from branchkit.text import header_key

LEDGER_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".tsv", ".txt", ".htm", ".html", ".xml"}
#: Spreadsheets of formats branchkit does not read: in a folder, each is named (a ledger kept as .ods
#: would otherwise be passed over without a word), with the way to a format it reads.
UNREAD_SPREADSHEETS = {".ods": "an OpenDocument spreadsheet", ".fods": "an OpenDocument spreadsheet",
                       ".xlsb": "an Excel binary workbook", ".et": "a WPS spreadsheet", ".ett": "a WPS template",
                       ".numbers": "an Apple Numbers spreadsheet"}
#: Of those, the workbooks (sheets of their own; the rest are one table each).
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
#: Sheet names that name nothing (Excel's and WPS's defaults, 汇总, 模板): never a manager's nor a branch's.
GENERIC_SHEET = re.compile(r"^(sheet|table|工作表|表|页|汇总|模板|说明)?\s*\d*$", re.IGNORECASE)
#: Kinds that are only ever recognised by name: their headers look like another kind's.
NAMED_ONLY = {"customers_start", "previous"}
#: Words in file and sheet names that name a person's post, not a ledger: 对公客户经理甘特图 is a
#: plan, not a customer list, though it holds 对公客户.
_ROLE_WORDS = ("客户经理", "大堂经理")
#: Kinds a ``--<kind>`` option also takes from the same workbook: SPEC lets one volumes
#: workbook hold a daily and an hourly sheet, and both come in through ``--volumes``.
FAMILIES: dict[str, tuple[str, ...]] = {"volumes": ("volumes", "volumes_hourly")}


def is_wanted(kind: str, wanted: set[str] | None) -> bool:
    """Whether a command that reads ``wanted`` kinds uses a ledger of ``kind`` (or of its family)."""
    if wanted is None:
        return True
    family = next((f for f in FAMILIES.values() if kind in f), (kind,))
    return any(k in wanted for k in family)


def unwanted_sheets(stem: str, wanted: set[str] | None):
    """A ``read_book`` skip rule: pass over, unread, the sheets whose names say they hold a ledger the
    command does not use (the month-start customer list when allocating, say). A sheet's kind is the one
    its name says, else its file's (the sheets 张三, 李四 of 甘特图.xlsx are plans); a sheet of a file
    whose name says nothing either is read, and known by its headers."""
    if wanted is None:
        return None
    stem_kind = kind_from_name(stem)

    def skip(sheet: str, several: bool) -> str | None:
        kind = (sheet_kind_in_file(sheet, stem) if several else None) or stem_kind or kind_from_name(sheet)
        if kind is None or is_wanted(kind, wanted):
            return None
        return f"a {kind} ledger is not used by this command"

    return skip


def kind_from_name(name: str) -> str | None:
    """The ledger kind a file or sheet name announces: the longest keyword it holds wins.

    Post names are not read as keywords (对公客户经理甘特图 holds 对公客户 but is a plan); between
    keywords of equal length the kind listed first wins.
    """
    return _name_match(name)[0]


def _name_match(name: str) -> tuple[str | None, int]:
    """The kind a name announces and the length of the keyword that says so (0: none)."""
    key = header_key(name)
    for word in _ROLE_WORDS:
        key = key.replace(header_key(word), "|")
    best, best_len = None, 0
    for kind, spec in LEDGERS.items():
        for word in spec.names:
            word_key = header_key(word)
            if word_key in key and len(word_key) > best_len:
                best, best_len = kind, len(word_key)
    return best, best_len


def sheet_kind_in_file(sheet: str, stem: str) -> str | None:
    """A sheet's kind by its name, refined by its file's: the sheets 对公客户 and 个人客户 of
    月初客户清单.xlsx are the month-start snapshot, not the customer list. When both names announce
    kinds of the same row model, the more specific (longer) keyword wins."""
    kind, length = _name_match(sheet)
    file_kind, file_length = _name_match(stem)
    if kind is not None and file_kind is not None and file_length > length \
            and LEDGERS[kind].model is LEDGERS[file_kind].model:
        return file_kind
    return kind


def kind_from_headers(grid: Grid, rules: Rules, kinds: list[str] | None = None) -> str | None:
    """The kind whose required headers all appear and that names the most fields."""
    best, best_key = None, None
    head = grid.head(rules.input.header_scan_rows)
    keys = label_keys(head)
    for order, kind in enumerate(kinds or [k for k in LEDGERS if k not in NAMED_ONLY]):
        spec = LEDGERS[kind]
        index = alias_index(kind, rules)
        named = {index[k] for k in keys if k in index}
        if not named or not named.issuperset(spec.required()):
            continue            # no header of this kind here, or none with every required field
        match = find_header(head, index, spec.required())
        if match is None or not all(f in match.columns for f in spec.required()):
            continue
        key = (match.score, -order)
        if best_key is None or key > best_key:
            best, best_key = kind, key
    return best


def list_folder(folder: Path) -> tuple[list[Path], list[str]]:
    """Ledger files directly in a folder, and notes on what was passed over."""
    files, notes = [], []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith("~$"):
            notes.append(f"skipped {path}: an Office lock file (the workbook is open somewhere)")
        elif path.name.startswith("."):
            continue
        elif path.suffix.lower() in UNREAD_SPREADSHEETS:
            notes.append(f"skipped {path}: {UNREAD_SPREADSHEETS[path.suffix.lower()]}, which branchkit does not "
                         "read; save it as .xlsx (or .csv) to have it read")
        elif path.suffix.lower() in LEDGER_SUFFIXES:
            odd = _not_a_file(path)
            if odd:
                notes.append(f"skipped {path}: {odd}")
            else:
                files.append(path)
    return files, notes


def _not_a_file(path: Path) -> str:
    """Why an entry named as a ledger cannot be read as one (a folder, say an unpacked workbook; a pipe, which
    would wait for a writer; a link to nothing), or "" for a regular file."""
    try:
        if path.is_file():
            return ""
        if path.is_dir():
            return "a folder, not a file"
        if not path.exists():
            return "a link to a file that is not there"
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror or exc})"
    return "not a regular file (a pipe, a socket or a device)"
