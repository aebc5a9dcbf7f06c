"""Views: a command's result as an ``io.tables.Report``, so ``branchkit report`` can reuse it.

A view only arranges and words what the core computed: tables in canonical
columns, their titles, charts and notes, in Chinese or English. It neither
reads nor writes files.
"""
