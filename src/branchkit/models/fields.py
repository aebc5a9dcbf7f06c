"""Column metadata carried by the ledger row models.

A row model field is declared as ``Annotated[<type>, col(<kind>, <headers>...)]``:
the type and its constraints (``Field(ge=0)``) are declared once there and the
column-wise reader checks whole columns against them; the ``Column`` metadata
tells it how to convert a column (identifiers stay text, amounts honour units,
dates take every form ledgers use) and which headers name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal[
    "id",        # identifier kept as text (leading zeros, 18-digit numbers)
    "text",      # free text
    "money",     # an amount in CNY; header or cell units (万元, 亿) applied
    "number",    # a plain number (seconds, points, scores, averages)
    "date",      # a calendar date in any of the ledger forms
    "bool",      # 是/否, Y/N, true/false, 1/0, √
    "enum",      # a coded value; ``values`` names the rules' word table
    "role",      # a staff role name mapped to a role key
    "hour",      # hour of the day, 0-23 (9, 09:00, 09:00-10:00)
    "staff",     # a staff member named by id or by name, resolved later
    "sensitive", # text that is masked in xlsx/html (ID numbers, phones)
]


@dataclass(frozen=True)
class Column:
    """How one canonical field is found in a ledger and converted."""

    kind: ColumnKind
    headers: tuple[str, ...]
    required: bool = False           # the header must be present (see ``blank`` for its cells)
    values: str | None = None        # for enum: the key of ``rules.values``
    label_zh: str = ""               # the header branchkit writes in templates and zh output
    extra: dict[str, object] = field(default_factory=dict)
    #: A required column whose cells may be blank: the header must be there, an empty cell means "none"
    #: (last month's allocation: a customer nobody kept, as ``allocate`` writes one below the deposit floor).
    blank: bool = False


def col(
    kind: ColumnKind,
    *headers: str,
    required: bool = False,
    values: str | None = None,
    blank: bool = False,
) -> Column:
    """Column metadata; the first header is the Chinese label branchkit writes."""
    return Column(
        kind=kind, headers=tuple(headers), required=required, values=values,
        label_zh=headers[0] if headers else "", blank=blank,
    )
