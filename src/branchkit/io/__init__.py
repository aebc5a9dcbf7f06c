"""Readers and writers: ledgers in, workbooks, CSV, JSON and HTML (with charts) out."""
