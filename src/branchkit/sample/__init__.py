"""A realistic, seeded sample branch network, written as branches keep their ledgers.

``build_sample`` generates every ledger as DataFrames (pure: seed in, frames
out); ``write_sample`` writes them to a folder as xlsx (or csv) files with
Chinese headers, title rows and totals rows, plus a ``rules.toml`` holding
the month's calendar.
"""

from branchkit.sample.build import Sample, SampleConfig, build_sample
from branchkit.sample.write import FORMATS, write_sample

__all__ = ["FORMATS", "Sample", "SampleConfig", "build_sample", "write_sample"]
