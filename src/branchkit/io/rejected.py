"""The rejected rows as ``--skip-invalid`` writes them beside a result (``<out>.rejected.csv``).

Per rejected row: where it is (ledger, file, sheet, the row as the spreadsheet shows it), why
(``codes``: each error's stable code; ``reasons``: ``column: message``, in the same order), then the
row's own values in the canonical columns of its ledger, so it can be fixed and fed again. The value
columns are the union of those of the ledgers with rejected rows (blank where a ledger has no such
column), as text written as branchkit's csv writes them (amounts with two decimals, ISO dates, coded
values by their keys). A cell that failed conversion is empty in the ledger as read: it shows the value
as written, as the problem that emptied it recorded it.

This is a problem listing: ID numbers and phones (columns of kind ``sensitive``) are masked as every
problem listing masks them (``safety.mask_column``: ``410105********1234``, ``138****5678``, anything
else starred whole), whatever ``--no-mask`` says. Whole-column work throughout: a million-row ledger
may have many rejected rows.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from branchkit.io.display import csv_text, machine_column
from branchkit.io.safety import mask_column
from branchkit.io.tables import Table
from branchkit.models.ledgers import LEDGERS

#: The columns that place a rejected row and say why, before its values.
PLACE = ("ledger", "file", "sheet", "row", "codes", "reasons")
#: (kind, file, sheet) -> that sheet's header per canonical field, as read (``SourceNote.columns``).
Headers = Mapping[tuple[str, str, "str | None"], Mapping[str, str]]


def rejected_rows(rejected: Mapping[str, pd.DataFrame], problems: pd.DataFrame, headers: Headers) -> pd.DataFrame:
    """Every rejected row of every kind (``rejected``: ``Split.rejected``), ordered by ledger, file, sheet
    and row; ``problems``: the problem frame (``ProblemLog.frame``), whose values fill the cells that
    failed conversion; ``headers``: what names a problem's column in each sheet."""
    kinds = sorted(kind for kind, frame in rejected.items() if len(frame))
    if not kinds:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in PLACE})
    fields = list(dict.fromkeys(name for kind in kinds for name in _fields(kind)))
    parts = [_part(kind, rejected[kind]) for kind in kinds]
    out = pd.concat(parts, ignore_index=True).reindex(columns=[*PLACE, *fields, "_rid"])
    out[fields] = out[fields].astype("str")                  # a column a ledger lacks: blank (NA), as text
    written = _as_written(problems, headers, kinds)
    for name, values in written.groupby("field", sort=False):
        found = values.set_index(["kind", "rid"])["value"]
        looked = found.reindex(pd.MultiIndex.from_arrays([out["ledger"], out["_rid"]])).to_numpy()
        empty = out[name].isna() | (out[name] == "")
        out[name] = out[name].where(~empty, pd.Series(looked, index=out.index, dtype="str"))
    for name in _sensitive(kinds):
        out[name] = mask_column(name, out[name])
    order = out.sort_values(["ledger", "file", "sheet", "row", "_rid"], kind="stable", na_position="first").index
    return out.loc[order].drop(columns="_rid").reset_index(drop=True)


def rejected_table(frame: pd.DataFrame) -> Table:
    """``rejected_rows`` as the table the rejected-rows file writes: every value column is text (already
    formatted and masked: neither ``--mask`` nor a column's own format applies again)."""
    formats = {c: "text" for c in frame.columns if c != "row"}
    return Table("rejected", frame, "拒绝的行", "Rejected rows", formats=formats)


def _fields(kind: str) -> list[str]:
    return [name for name in LEDGERS[kind].columns() if not name.startswith("_")]


def _sensitive(kinds: list[str]) -> list[str]:
    return list(dict.fromkeys(name for kind in kinds for name, column in LEDGERS[kind].columns().items()
                              if column.kind == "sensitive"))


def _part(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One kind's rejected rows: place, reasons and its values as csv text (nulls kept as NA)."""
    fields = [name for name in _fields(kind) if name in frame]
    typed = Table("rejected", frame, "", "")      # formats by column name, else by dtype
    values = {}
    for name in fields:
        machine = machine_column(typed, name, frame[name], mask=False, lang=None)
        values[name] = csv_text(machine, typed.format_of(name)).where(frame[name].notna())
    return pd.DataFrame({"ledger": kind, "file": frame["_file"].astype("str"), "sheet": frame["_sheet"],
                         "row": frame["_row"], "codes": frame["codes"], "reasons": frame["reasons"],
                         **values, "_rid": frame["_rid"]}, index=frame.index)


def _as_written(problems: pd.DataFrame, headers: Headers, kinds: list[str]) -> pd.DataFrame:
    """The values problems recorded for cells of rejected kinds: kind, rid, field (canonical), value.

    A problem names its column by the sheet's header (客户号 in one file, 客户编号 in another): each
    sheet's headers say which field that is; a column named by its field (a DataFrame's) is that field.
    One value per cell: the first problem's, in the log's order."""
    frame = problems[(problems["rid"] >= 0) & problems["kind"].isin(kinds) & problems["value"].notna()
                     & problems["column"].notna()]
    frame = frame[frame["value"].astype("str") != ""]
    columns = ["kind", "rid", "field", "value"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "rid" else "str") for c in columns})
    place = pd.DataFrame({"kind": frame["kind"].astype("str"), "file": frame["file"].fillna("").astype("str"),
                          "sheet": frame["sheet"].fillna("").astype("str"), "column": frame["column"].astype("str"),
                          "rid": frame["rid"], "value": frame["value"].astype("str"), "_n": range(len(frame))})
    named = pd.DataFrame([(kind, file, sheet or "", header, name)
                          for (kind, file, sheet), columns_ in headers.items() if kind in kinds
                          for name, header in columns_.items()],
                         columns=["kind", "file", "sheet", "column", "field"], dtype="str")
    by_header = place.merge(named, on=["kind", "file", "sheet", "column"], how="inner")
    own = pd.DataFrame([(kind, name, name) for kind in kinds for name in _fields(kind)],
                       columns=["kind", "column", "field"], dtype="str")
    rest = place[~place["_n"].isin(by_header["_n"])]
    by_name = rest.merge(own, on=["kind", "column"], how="inner")
    found = pd.concat([by_header, by_name], ignore_index=True).sort_values("_n", kind="stable")
    fields = {name for kind in kinds for name in _fields(kind)}
    found = found[found["field"].isin(fields)]
    return found.drop_duplicates(["kind", "rid", "field"])[columns].reset_index(drop=True)
