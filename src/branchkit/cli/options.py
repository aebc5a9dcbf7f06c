"""Options shared by commands, declared once, and ``Run``: the one object they arrive in.

A command declares only its own parameters and takes ``run: Run``; ``@command(...)`` names the shared
options it accepts, adds them to the command's signature for Typer (so ``--help`` lists them), builds the
``Run`` from them once, and calls the command inside the error boundary (``cli.app.guard``).
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from branchkit.cli.app import guard
from branchkit.errors import UsageError

RulesOpt = Annotated[
    Optional[Path],
    typer.Option("--rules", metavar="FILE", help="Rules file (TOML); only the keys it changes are needed. Default: the "
                 "rules.toml of the ledger folder given, else the built-in rules.", dir_okay=False,
                 show_default=False),
]
OutputOpt = Annotated[
    Optional[str],
    typer.Option("-o", "--output", metavar="FILE", help="Write here; the extension picks the format "
                 "(.xlsx .csv .json .html); '-' = CSV on stdout.", show_default=False),
]
# Text checked by ``Run.checked``, not a Literal: a wrong value is one plain usage line, not pydantic's words.
LangOpt = Annotated[
    Optional[str],
    typer.Option("--lang", metavar="zh|en", help="Labels and words in xlsx/html: zh (default) or en. CSV keeps the "
                 "canonical English headers unless --lang zh is given (then Chinese headers, UTF-8 with BOM); CSV and "
                 "JSON values are always the keys, and their free text English.", show_default=False),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
VerboseOpt = Annotated[bool, typer.Option(
    "--verbose", "-v", help="Every problem on its own line (not one line per kind of problem), every ledger's "
    "row counts, and what was passed over (sheets and files of ledgers this command does not use).")]
SummaryOpt = Annotated[Optional[str], typer.Option(
    "--summary", metavar="FILE", show_default=False,
    help="Write what the run did as JSON, for batch scripts: rows read/used/rejected per ledger, problems by "
    "code and severity, parts left out, files written, the exit status; written on failure too. '-' = stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the Python traceback of an error.")]
SkipInvalidOpt = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Compute on the valid rows and write the rejected rows, "
                 "with their codes, reasons and values, beside the output (<out>.rejected.csv)."),
]
MaskOpt = Annotated[
    Optional[bool],
    typer.Option("--mask/--no-mask", help="Mask ID numbers and phones (default: masked in xlsx/html, "
                 "as they are in csv/json).", show_default=False),
]
RawCsvOpt = Annotated[
    bool, typer.Option("--raw-csv", help="Do not neutralise CSV cells that start with = + - @ (formula injection).")
]
JobsOpt = Annotated[int, typer.Option(
    "--jobs", "-j", min=1, metavar="N", help="Processes: branches computed, and the sheets of a many-sheet workbook read, "
    "in parallel (same output as one).")]


@dataclass(frozen=True)
class Run:
    """The options every command shares, as given on its command line."""

    rules: Optional[Path] = None
    output: Optional[str] = None
    lang: Optional[str] = None
    mask: Optional[bool] = None
    raw_csv: bool = False
    skip_invalid: bool = False
    jobs: int = 1
    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    summary: Optional[str] = None

    def checked(self) -> "Run":
        """These options, or a ``UsageError`` (exit 2) for a value no option takes."""
        if self.lang is not None and self.lang not in LANGS:
            raise UsageError(f"--lang must be zh or en, not {self.lang!r}")
        return self


#: The languages ``--lang`` takes.
LANGS = ("zh", "en")

#: Each shared option: its Typer declaration and its default (the ``Run`` field of the same name).
SHARED: dict[str, Any] = {
    "rules": RulesOpt, "output": OutputOpt, "lang": LangOpt, "mask": MaskOpt, "raw_csv": RawCsvOpt,
    "skip_invalid": SkipInvalidOpt, "jobs": JobsOpt, "quiet": QuietOpt, "verbose": VerboseOpt, "debug": DebugOpt,
    "summary": SummaryOpt,
}
#: What a command that reads ledgers and writes a result takes.
LEDGER_COMMAND = ("output", "skip_invalid", "jobs", "rules", "lang", "mask", "raw_csv", "summary", "quiet",
                  "verbose", "debug")


def command(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the shared options ``names`` (in that order, after its own) and one ``run: Run``.

    The command's errors go through the boundary of ``cli.app.guard``: one stderr line, an exit code.
    """
    unknown = set(names) - set(SHARED)
    if unknown:
        raise ValueError(f"no shared option {sorted(unknown)}")
    defaults = {f.name: f.default for f in fields(Run)}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        own = [p for name, p in inspect.signature(func, eval_str=True).parameters.items() if name != "run"]
        shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=defaults[name],
                                    annotation=SHARED[name]) for name in names]

        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            run = Run(**{name: kwargs.pop(name) for name in names})
            return guard(lambda: func(**kwargs, run=run.checked()), run, func.__name__.removesuffix("_command"))

        wrapper.__signature__ = inspect.Signature(own + shared)
        wrapper.__annotations__ = {p.name: p.annotation for p in own + shared}
        return wrapper

    return decorate


def _ledger_option(flag: str, what: str) -> object:
    return typer.Option(flag, metavar="FILE", show_default=False,
                        help=f"{what} (file; repeat for several). Overrides what the folder holds.")


LedgersArg = Annotated[
    Optional[list[str]],
    typer.Argument(help="Folders or workbooks holding the ledgers (found by file or sheet name, "
                   "else by headers); '-' reads CSV from stdin.", show_default=False, metavar="LEDGERS"),
]
CustomersOpt = Annotated[Optional[list[str]], _ledger_option("--customers", "Customer list 客户清单")]
CustomersStartOpt = Annotated[Optional[list[str]],
                              _ledger_option("--customers-start", "Month-start customer list 月初客户清单")]
StaffOpt = Annotated[Optional[list[str]], _ledger_option("--staff", "Staff list 员工")]
ClaimsOpt = Annotated[Optional[list[str]], _ledger_option("--claims", "Claims 认领")]
PreviousOpt = Annotated[Optional[list[str]], _ledger_option("--previous", "Last month's allocation 上月分配")]
VisitsOpt = Annotated[Optional[list[str]], _ledger_option("--visits", "Visit records 拜访记录")]
PlanOpt = Annotated[Optional[list[str]], _ledger_option("--plan", "Gantt plans 甘特图")]
VolumesOpt = Annotated[Optional[list[str]], _ledger_option("--volumes", "Transaction volumes 业务量 (daily and/or hourly)")]
ReferralsOpt = Annotated[Optional[list[str]], _ledger_option("--referrals", "Teller referral register 柜员识别客户登记表")]
SalesOpt = Annotated[Optional[list[str]], _ledger_option("--sales", "Product sales 产品营销")]
WorklogOpt = Annotated[Optional[list[str]], _ledger_option("--worklog", "Work logs 工作日志")]
DeductionsOpt = Annotated[Optional[list[str]], _ledger_option("--deductions", "Deductions 扣分")]
AssessmentOpt = Annotated[Optional[list[str]], _ledger_option("--assessment", "1000-point assessment 千分制")]
PoolOpt = Annotated[Optional[list[str]], _ledger_option("--pool", "Performance-pay pool 绩效工资")]
MonthOpt = Annotated[str, typer.Option("--month", metavar="YYYY-MM", help="The month, YYYY-MM.", show_default=False)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the summary and changes; write nothing.")]
