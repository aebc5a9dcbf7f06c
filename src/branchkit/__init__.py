"""branchkit: read bank-branch ledgers as they are kept, validate them, compute the month.

A library first; the ``branchkit`` command line and ``python -m branchkit.spark`` are layers over it::

    import branchkit

    ledgers = branchkit.open("sample_data")            # read and check, as every command does
    allocation = ledgers.allocate()
    allocation.table                                    # one row per customer (a DataFrame)
    allocation.write("分配.xlsx")                        # or .html, .csv, .json
    ledgers.score("2026-10").tables["pools"]

``branchkit.open(customers=df, staff=df)`` reads DataFrames the same way. Bad rows raise
``DataError`` whose ``.problems`` is a DataFrame. Importing branchkit loads no terminal machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public names, loaded on first use so ``import branchkit`` stays light.
_EXPORTS = {
    "open": "branchkit.session", "read": "branchkit.session", "Ledgers": "branchkit.session",
    "Result": "branchkit.results", "Rules": "branchkit.rules", "load_rules": "branchkit.rules",
    "BranchkitError": "branchkit.errors", "DataError": "branchkit.errors", "UsageError": "branchkit.errors",
    "InputError": "branchkit.errors", "RulesError": "branchkit.errors", "OutputError": "branchkit.errors",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from branchkit.errors import BranchkitError, DataError, InputError, OutputError, RulesError, UsageError
    from branchkit.results import Result
    from branchkit.rules import Rules, load_rules
    from branchkit.session import Ledgers, open, read


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'branchkit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
