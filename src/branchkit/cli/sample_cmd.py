"""``branchkit sample``: generate a realistic sample branch network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from branchkit.cli.app import Command, app
from branchkit.cli.options import Run, command
from branchkit.console import print_note

BranchesOpt = Annotated[int, typer.Option("--branches", metavar="N", help="Number of branches (types cycle large, medium, "
                                          "general, township).")]
CustomersOpt = Annotated[int, typer.Option("--customers", metavar="N", help="Customers on the books at the end of the month, "
                                           "all branches together (at most 1,048,575).")]
StaffCountOpt = Annotated[Optional[int], typer.Option(
    "--staff", metavar="N", help="About this many staff in all (RMs and tellers scale; every branch keeps its posts). "
    "Default: grows with the customers per branch.", show_default=False)]
SeedOpt = Annotated[int, typer.Option("--seed", metavar="N", help="Random seed: the same seed gives byte-identical files.")]
MonthOpt = Annotated[str, typer.Option("--month", metavar="YYYY-MM", help="The month whose month-end ledgers to write (YYYY-MM).")]
FormatOpt = Annotated[Literal["xlsx", "csv"], typer.Option(
    "--format", help="xlsx: ledgers as branches keep them; csv: one plain UTF-8 (BOM) table per ledger, "
    "for benchmarks.")]
DirectoryArg = Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write the ledgers into (created if missing).",
                                              show_default=False)]


@app.command("sample", cls=Command)
@command("quiet", "debug")
def sample_command(
    directory: DirectoryArg,
    branches: BranchesOpt = 4,
    customers: CustomersOpt = 3000,
    staff: StaffCountOpt = None,
    seed: SeedOpt = 7,
    month: MonthOpt = "2026-10",
    fmt: FormatOpt = "xlsx",
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist (a ledger folder's "
                                        "客户清单.xlsx, 员工.xlsx, ...).")] = False,
    *,
    run: Run,
) -> None:
    """Generate a sample branch network: every ledger of a month, with Chinese headers,
    title rows and totals rows, plus a rules.toml with that month's calendar.

    Example: branchkit sample sample_data --branches 4 --customers 3000 --seed 7 --month 2026-10
    """
    from branchkit.io.targets import refuse_overwrite
    from branchkit.sample import SampleConfig, build_sample, write_sample   # this command only
    from branchkit.sample.write import planned_files

    config = SampleConfig(branches=branches, customers=customers, seed=seed, month=month, staff=staff)
    # The sample's file names are a branch's (客户清单.xlsx, 员工.xlsx, ...): given the folder of real
    # ledgers, it would replace them. Refused before anything is built, as init refuses.
    refuse_overwrite(directory, planned_files(directory, config.checked(), fmt), force=force)
    sample = build_sample(config)
    paths = write_sample(sample, directory, fmt)
    active = int((sample.staff["state"] == "在岗").sum())
    print_note(f"wrote {len(paths)} files to {directory}: {branches} branches, {len(sample.staff)} staff "
               f"({active} active), {customers} customers at the end of {sample.month.label}, seed {seed}",
               quiet=run.quiet)
