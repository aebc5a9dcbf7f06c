"""Problems found in ledgers: every one with its place and a stable code.

Validation never stops at the first problem. Checks run column-wise and hand
their findings over as whole DataFrames; a ``ProblemLog`` gathers them, and
turns them into ``Problem`` records only for display.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Iterable, Literal, Mapping

import numpy as np
import pandas as pd

Severity = Literal["error", "warning"]

#: Columns of a problem frame, in display order. ``rid`` is the internal row id
#: of the ledger row concerned (-1 when the problem concerns no single row); it
#: is what ``--skip-invalid`` uses to reject rows and is never shown. ``params``
#: holds what the message needs beyond column and value (``messages.render``).
COLUMNS = ["file", "sheet", "row", "column", "value", "code", "severity", "message", "kind", "rid", "params"]
Params = tuple[tuple[str, object], ...]


def _params(given: Mapping[str, object] | Params | None) -> Params:
    """Parameters as a sorted tuple of pairs: hashable, comparable, the same whatever the order given."""
    if not given:
        return ()
    items = given.items() if isinstance(given, Mapping) else given
    return tuple(sorted((str(k), v) for k, v in items))


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: where it is (file, sheet, spreadsheet row, column), what and why."""

    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    kind: str | None = None
    rid: int = -1
    params: Params = field(default=(), compare=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _params(self.params))

    @classmethod
    def of(cls, code: str, *, severity: Severity = "error", kind: str | None = None, value: str | None = None,
           **params: object) -> "Problem":
        """A problem found while computing: its code and parameters; the English message from the catalog."""
        from branchkit.messages import render

        fields = {"kind": kind, "value": value, **params}
        return cls(code=code, message=render(code, "en", fields), severity=severity, kind=kind, value=value,
                   params=params)

    def text(self, lang: str) -> str:
        """The message in ``lang`` (the English one is the message made where the problem was found)."""
        return message_in(lang, self.code, self.message, column=self.column, value=self.value, kind=self.kind,
                          params=self.params)

    def note(self) -> "Note":
        """The problem as a note (its English message, which keeps the code, the place and the parameters)."""
        place = {"column": self.column, "value": self.value, "kind": self.kind}
        return Note(self.code, self.message, {**{k: v for k, v in place.items() if v is not None},
                                              **dict(self.params)})

    def as_dict(self) -> dict[str, object]:
        """The JSON form (``rid`` and ``params`` stay internal)."""
        data = asdict(self)
        data.pop("rid")
        data.pop("params")
        return data

    def location(self) -> str:
        """``file [sheet] row N, column C`` with the parts that are known."""
        parts = [self.file or "-"]
        if self.sheet:
            parts.append(f"[{self.sheet}]")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return " ".join(parts)


def message_in(lang: str, code: str, message: str | None, *, column: object = None, value: object = None,
               kind: object = None, row: object = None, params: Params | None = None) -> str:
    """A problem's message in ``lang``: the catalog's template for its code, filled with its column, value,
    ledger and parameters; in English the message made where it was found when no template fits."""
    from branchkit.messages import render

    fields = {"column": column, "value": value, "kind": kind, "row": row, **dict(params or ())}
    return render(code, lang, {k: v for k, v in fields.items() if not _missing(v)},
                  fallback=None if _missing(message) else str(message))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


class Note(str):
    """A note about the data (English text, as the terminal shows it) that keeps its code and parameters,
    so an html or xlsx output can say it in its own language (``Note.text``)."""

    code: str
    params: Params

    def __new__(cls, code: str, text: str, params: Mapping[str, object] | Params | None = None) -> "Note":
        note = super().__new__(cls, text)
        note.code, note.params = code, _params(params)
        return note

    @classmethod
    def of(cls, code: str, **params: object) -> "Note":
        """A note from the catalog: its English text rendered from the parameters."""
        from branchkit.messages import render

        return cls(code, render(code, "en", params), params)

    def text(self, lang: str) -> str:
        """The note in ``lang``."""
        return message_in(lang, self.code, str(self), params=self.params)

    def __reduce__(self):
        return Note, (self.code, str(self), self.params)


def say(text: str, lang: str) -> str:
    """A note or problem message in ``lang``: a ``Note`` is rendered, plain text is as it was written."""
    return text.text(lang) if isinstance(text, Note) else text


def _empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    frame["row"] = frame["row"].astype("Int64")
    frame["rid"] = frame["rid"].astype("int64")
    return frame


class ProblemLog:
    """Collects problems from readers and checks, one frame or one record at a time."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []
        self._records: list[Problem] = []
        self._cache: pd.DataFrame | None = None

    def add(self, problem: Problem) -> None:
        """Record a single problem."""
        self._records.append(problem)
        self._cache = None

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    def add_frame(self, frame: pd.DataFrame) -> None:
        """Record many problems at once; missing columns are filled with nulls."""
        if frame.empty:
            return
        frame = frame.reindex(columns=COLUMNS)
        # A column the frame lacks comes back as float NaN, which newer pandas refuses to fill with text.
        text = [c for c in COLUMNS if c not in ("row", "rid")]
        frame[text] = frame[text].astype("object")
        frame["severity"] = frame["severity"].fillna("error")
        frame["rid"] = frame["rid"].fillna(-1).astype("int64")
        self._frames.append(frame)
        self._cache = None

    def merge(self, other: "ProblemLog") -> None:
        """Take over every problem of another log."""
        self._frames.extend(other._frames)
        self._records.extend(other._records)
        self._cache = None

    def frame(self) -> pd.DataFrame:
        """All problems as one frame, in a stable order (file, sheet, row, column, code)."""
        if self._cache is not None:
            return self._cache
        parts = list(self._frames)
        if self._records:
            records = pd.DataFrame([{**asdict(p)} for p in self._records], columns=COLUMNS)
            records["params"] = [p.params or None for p in self._records]    # None, as in frames, when none
            parts.append(records)
        if not parts:
            self._cache = _empty_frame()
            return self._cache
        frame = pd.concat(parts, ignore_index=True)
        frame["row"] = pd.array(frame["row"], dtype="Int64")
        frame["value"] = frame["value"].map(_display_value, na_action="ignore")
        order = frame.assign(
            _f=frame["file"].fillna(""), _s=frame["sheet"].fillna(""),
            _r=frame["row"].fillna(-1), _c=frame["column"].fillna(""),
        ).sort_values(["_f", "_s", "_r", "_c", "code"], kind="stable")
        self._cache = order[COLUMNS].reset_index(drop=True)
        return self._cache

    def apply_severity(self, overrides: dict[str, str]) -> None:
        """Re-grade problems by code (a rules-file choice: e.g. make a warning an error)."""
        if not overrides:
            return
        frame = self.frame().copy()
        mapped = frame["code"].map(overrides)
        frame["severity"] = mapped.fillna(frame["severity"])
        self._frames, self._records, self._cache = [frame], [], frame

    def name_columns(self, headers: "Mapping[tuple[str, str, str | None], Mapping[str, str]]") -> None:
        """Name by the sheet's header the columns that checks over whole ledgers name by their field
        (``duplicate_id`` on ``customer_id``, ``unknown_staff`` on ``keeper``): ``headers`` maps (kind,
        file, sheet) to that sheet's header per field, as it was read. A reader's problems name the header
        already (a header that is a field's own name maps to itself)."""
        frame = self.frame()
        if frame.empty or not headers:
            return
        lookup = {"\x1f".join((kind, file, sheet or "", name)): header
                  for (kind, file, sheet), columns in headers.items() for name, header in columns.items()}
        key = (frame["kind"].fillna("").astype("str") + "\x1f" + frame["file"].fillna("").astype("str") + "\x1f"
               + frame["sheet"].fillna("").astype("str") + "\x1f" + frame["column"].fillna("").astype("str"))
        named = key.map(lookup)
        if not named.notna().any():
            return
        frame = frame.copy()
        frame["column"] = named.where(named.notna(), frame["column"]).astype("object")
        self._frames, self._records, self._cache = [frame], [], frame

    def shift_rids(self, offsets: dict[str, int]) -> None:
        """Add ``offsets[kind]`` to the row ids of that kind (what was read apart, rows numbered from 0)."""
        offsets = {k: v for k, v in offsets.items() if v}
        if not offsets:
            return
        for frame in self._frames:
            rid = frame["rid"].to_numpy()
            add = frame["kind"].map(offsets).fillna(0).to_numpy(dtype="int64")
            frame["rid"] = np.where(rid >= 0, rid + add, rid)
        self._records = [replace(p, rid=p.rid + offsets.get(p.kind, 0)) if p.rid >= 0 else p
                         for p in self._records]
        self._cache = None

    def bind_rows(self, rid_by_row: "dict[int, int] | pd.Series") -> None:
        """Give row problems still marked ``rid == -2`` the row id of their spreadsheet row (``rid_by_row``:
        a dict, or a series of ids indexed by row)."""
        frame = self.frame()
        pending = frame["rid"] == -2
        if not pending.any():
            return
        frame = frame.copy()
        rows = frame.loc[pending, "row"].astype("int64")
        frame.loc[pending, "rid"] = rows.map(rid_by_row).fillna(-1).astype("int64").to_numpy()
        self._frames, self._records, self._cache = [frame], [], frame

    def errors(self) -> pd.DataFrame:
        """Only the problems that reject a row or stop the run."""
        frame = self.frame()
        return frame[frame["severity"] == "error"]

    def rejected_rids(self, kind: str) -> set[int]:
        """Internal ids of the rows of ``kind`` that carry at least one error."""
        errors = self.errors()
        errors = errors[(errors["kind"] == kind) & (errors["rid"] >= 0)]
        return set(errors["rid"].tolist())

    def distinct(self) -> pd.DataFrame:
        """The problems as people see them: one per place and message.

        Several ledger rows can share one spreadsheet row (a Gantt row read as one row per planned
        day); a problem of that row is recorded for each, to reject each, but shown once.
        """
        frame = self.frame()
        return frame.drop_duplicates(subset=[c for c in COLUMNS if c != "rid"])

    def records(self, limit: int | None = None, errors_only: bool = False) -> list[Problem]:
        """Problems as records, for display, each place and message once (``limit`` keeps the first)."""
        frame = self.distinct()
        if errors_only:
            frame = frame[frame["severity"] == "error"]
        if limit is not None:
            frame = frame.head(limit)
        out = []
        for row in frame.itertuples(index=False):
            out.append(Problem(
                code=row.code, message=row.message, file=_opt(row.file), sheet=_opt(row.sheet),
                row=None if pd.isna(row.row) else int(row.row), column=_opt(row.column),
                value=_opt(row.value), severity=row.severity, kind=_opt(row.kind), rid=int(row.rid),
                params=row.params if isinstance(row.params, tuple) else (),
            ))
        return out

    def __len__(self) -> int:
        return len(self.frame())


def _opt(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return str(value)


def _display_value(value: object) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


#: The columns a problem frame shows outside branchkit (``rid`` is internal).
PUBLIC_COLUMNS = [c for c in COLUMNS if c not in ("rid", "params")]


def public_frame(problems: "ProblemLog | pd.DataFrame | Iterable[Problem] | None") -> pd.DataFrame:
    """Problems as the library hands them out: one row per place and message, in ``PUBLIC_COLUMNS``."""
    if isinstance(problems, ProblemLog):
        frame = problems.distinct()
    elif isinstance(problems, pd.DataFrame):
        frame = problems
    else:
        log = ProblemLog()
        log.extend(problems or [])
        frame = log.distinct()
    return frame.reindex(columns=PUBLIC_COLUMNS).reset_index(drop=True)
