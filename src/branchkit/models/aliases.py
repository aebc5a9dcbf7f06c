"""The header alias table: built-in names per ledger kind, extended from the rules file."""

from __future__ import annotations

from functools import lru_cache

from branchkit.text import header_key
from branchkit.models.ledgers import LEDGERS
from branchkit.rules import Rules


def alias_index(kind: str, rules: Rules) -> dict[str, str]:
    """Header key -> canonical field for one ledger kind (rules-file aliases win over built-ins)."""
    extra = tuple(sorted((f, tuple(names)) for f, names in rules.aliases.get(kind, {}).items()))  # type: ignore[call-overload]
    return dict(_index(kind, extra))


@lru_cache(maxsize=64)
def _index(kind: str, extra: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, str], ...]:
    spec = LEDGERS[kind]
    out: dict[str, str] = {}
    for field, column in spec.columns().items():
        for name in (field, *column.headers):
            out.setdefault(header_key(name), field)
    for field, names in extra:
        for name in names:
            out[header_key(name)] = field
    return tuple(out.items())


def unknown_alias_fields(rules: Rules) -> list[str]:
    """``kind.field`` entries of the rules' alias table that name no field (reported as usage errors)."""
    bad = []
    for kind, table in rules.aliases.items():
        fields = LEDGERS[kind].columns()
        bad.extend(f"aliases.{kind}.{field}" for field in table if field not in fields)
    return bad
