"""Views: results of the cores turned into reports (tables, charts, text) the output layer writes.

A view never reads or writes files; commands (and ``branchkit report``) call it.
"""
