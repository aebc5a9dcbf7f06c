"""The one exception root of branchkit and its few subclasses.

The core raises these; only the CLI turns them into a message on stderr and
an exit code (1 for bad data, 2 for usage, unreadable input or bad rules).
"""

from __future__ import annotations


class BranchkitError(Exception):
    """Root of every error branchkit raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def __reduce__(self):
        # Rebuilt from its state, not by calling __init__ again: an error raised in a worker process
        # (reading files apart with --jobs) comes back whole, whatever its constructor takes.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[BranchkitError], args: tuple, state: dict) -> BranchkitError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UsageError(BranchkitError):
    """The command line asks for something impossible (exit 2)."""


class InputError(BranchkitError):
    """A file cannot be read at all: missing, unsupported, encrypted, hostile (exit 2)."""

    def __init__(self, path: object, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {reason}", hint=hint)
        self.path = str(path)
        self.reason = reason


class RulesError(BranchkitError):
    """The rules file is invalid: unknown key, wrong type (exit 2)."""


class DataError(BranchkitError):
    """The ledgers were read but hold errors; nothing is written (exit 1).

    ``problems`` is every problem found, as a DataFrame (file, sheet, row, column, value, code,
    severity, message, kind): empty when the error concerns no ledger row.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, problems: object = None) -> None:
        super().__init__(message, hint=hint)
        self._problems = problems

    @property
    def problems(self):
        """The problems behind the error (a DataFrame)."""
        from branchkit.problems import public_frame

        return public_frame(self._problems)

    @property
    def log(self):
        """The problems behind the error as a ``ProblemLog``, or None."""
        from branchkit.problems import ProblemLog

        if self._problems is None or isinstance(self._problems, ProblemLog):
            return self._problems
        log = ProblemLog()
        log.extend(self._problems)
        return log


class OutputError(BranchkitError):
    """The output cannot be written where asked (exit 2)."""


def reader_failed(exc: BaseException) -> bool:
    """Whether an exception out of a native reader (calamine) is its failure to read the file: any
    ``Exception`` (it raises several unrelated types for damaged files), or a panic of its Rust code (an .xls
    whose sheet offset points past its stream), which pyo3 raises as ``PanicException``, a ``BaseException``:
    it would otherwise pass every ``except Exception`` and end the run as an internal error."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"
