"""Options shared by commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

RulesOpt = Annotated[
    Optional[Path],
    typer.Option("--rules", help="Rules file (TOML); only the keys it changes are needed.",
                 dir_okay=False, show_default=False),
]
OutputOpt = Annotated[
    Optional[str],
    typer.Option("-o", "--output", help="Write here; the extension picks the format "
                 "(.xlsx .csv .json .html); '-' = CSV on stdout.", show_default=False),
]
LangOpt = Annotated[
    Optional[Literal["zh", "en"]],
    typer.Option("--lang", help="Labels in xlsx/html: zh (default) or en. CSV keeps the canonical English "
                 "headers unless --lang zh is given (then Chinese headers, UTF-8 with BOM).", show_default=False),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only errors on stderr.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the Python traceback of an error.")]
SkipInvalidOpt = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Compute on the valid rows and write the rejected rows, "
                 "with their reasons, beside the output."),
]
MaskOpt = Annotated[
    Optional[bool],
    typer.Option("--mask/--no-mask", help="Mask ID numbers and phones (default: masked in xlsx/html, "
                 "as they are in csv/json).", show_default=False),
]
RawCsvOpt = Annotated[
    bool, typer.Option("--raw-csv", help="Do not neutralise CSV cells that start with = + - @ (formula injection).")
]


def _ledger_option(flag: str, what: str) -> object:
    return typer.Option(flag, help=f"{what} (file; repeat for several). Overrides what the folder holds.",
                        show_default=False)


LedgersArg = Annotated[
    Optional[list[str]],
    typer.Argument(help="Folders or workbooks holding the ledgers (found by file or sheet name, "
                   "else by headers); '-' reads CSV from stdin.", show_default=False),
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
MonthOpt = Annotated[str, typer.Option("--month", help="The month, YYYY-MM.", show_default=False)]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes: branches computed, and the sheets of a many-sheet workbook read, in parallel.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the summary and changes; write nothing.")]
