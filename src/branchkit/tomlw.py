"""A small TOML writer for the rules (the standard library only reads TOML)."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "nan"
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else json.dumps(key, ensure_ascii=False)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps(data: dict[str, Any]) -> str:
    """TOML text for nested dicts of scalars, lists and arrays of tables."""
    lines: list[str] = []
    _emit(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _emit(table: dict[str, Any], path: list[str], lines: list[str]) -> None:
    simple = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_table_array(v)}
    nested = {k: v for k, v in table.items() if isinstance(v, dict) and v}
    empty = {k: v for k, v in table.items() if isinstance(v, dict) and not v}
    arrays = {k: v for k, v in table.items() if _is_table_array(v)}
    for key, value in {**simple, **empty}.items():
        lines.append(f"{_key(key)} = {_scalar(value)}")
    for key, value in nested.items():
        sub = path + [key]
        if any(not (isinstance(v, dict) and v) and not _is_table_array(v) for v in value.values()):
            lines.append("")
            lines.append("[" + ".".join(_key(p) for p in sub) + "]")
        _emit(value, sub, lines)
    for key, items in arrays.items():
        for item in items:
            lines.append("")
            lines.append("[[" + ".".join(_key(p) for p in path + [key]) + "]]")
            _emit(item, path + [key], lines)
