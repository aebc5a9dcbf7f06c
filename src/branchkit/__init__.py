"""branchkit: read bank-branch ledgers as they are kept, validate them, compute the month."""

__version__ = "0.1.0"
