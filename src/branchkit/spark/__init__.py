"""branchkit on Apache Spark: the per-branch cores run with ``groupBy(...).applyInPandas`` over a province.

Install with ``pip install 'branchkit[spark]'`` (Java 17 or later on PATH), then::

    python -m branchkit.spark export LEDGERS_DIR layout/
    python -m branchkit.spark allocate layout/ allocation/
    python -m branchkit.spark score layout/ score/ --month 2026-10

``layout`` (no Spark) writes and reads the partitioned ledgers; ``branch``
(no Spark) holds the functions each group runs; ``jobs`` holds the Spark
side. Only ``jobs`` imports pyspark, and only when a job runs.
"""
