"""Views: results of the cores laid out as reports (sections, tables, charts, sheets) for the output layer.

A view never computes business results and never writes files: it takes a
core result and returns an ``io.tables.Report``, so a command and the
month-end ``report`` command can show the same thing.
"""
