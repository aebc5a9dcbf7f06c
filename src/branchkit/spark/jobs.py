"""The Spark jobs: read a partitioned layout, run the per-branch core with ``applyInPandas``, write by branch.

``allocate`` groups customers, claims and last month's allocation by the
customer's branch and gives each group the whole staff list (broadcast in the
function's closure, as the local ``--jobs`` driver gives every group), so each
group is exactly one call of ``core.allocate.allocate_branch``.

``score`` groups every row by the branch of the person it credits: the
layout already keys visits, referrals, sales, work logs, deductions and
assessments so; customers are re-keyed here by the branch of the person a
month-end row credits (its keeper, or for a new customer its marketer, as
``core.metrics`` does) and month-start rows follow their month-end row. Each
group is one call of ``core.month.score_month``. Piece-rate pay earned in
another branch (a lead helping a closer elsewhere) is added up across groups
afterwards, so pay is the local run's to the cent.

Results are written as Parquet (or CSV) partitioned by branch, one folder per
table, rows in the order the core gives them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Callable

import pandas as pd

from branchkit.errors import DataError, UsageError
from branchkit.rules import Rules
from branchkit.spark import branch as core
from branchkit.spark.layout import kinds_in, typed

SEQ = "_seq"


def require_spark():
    """The pyspark module, or a usage error (exit 2) saying how to install it; Java must be on PATH."""
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession  # noqa: F401
    except ImportError:
        raise UsageError("pyspark is not installed: pip install 'branchkit[spark]'") from None
    if shutil.which("java") is None and not _java_home():
        raise UsageError("Spark needs Java (17 or later) and none was found: install a JDK or set JAVA_HOME")
    return pyspark


def _java_home() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home) and (Path(home) / "bin" / "java").exists()


def spark_session(master: str = "local[*]", shuffle_partitions: int | None = None):
    """Get or start a SparkSession set up for these jobs (text partitions stay text, dates without a zone)."""
    require_spark()
    from pyspark.sql import SparkSession

    if master.startswith("local"):
        # Local workers must import branchkit: run them on this interpreter (a cluster sets its own).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    builder = (SparkSession.builder.master(master).appName("branchkit")
               .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_schema(columns: dict[str, str]):
    """A Spark StructType for pandas dtypes (every field nullable)."""
    from pyspark.sql import types as T

    def of(dtype: str):
        if dtype.startswith("datetime64"):
            return T.TimestampNTZType()
        return {"float64": T.DoubleType(), "Int64": T.LongType(), "int64": T.LongType(),
                "boolean": T.BooleanType(), "bool": T.BooleanType()}.get(dtype, T.StringType())

    return T.StructType([T.StructField(name, of(dtype), True) for name, dtype in columns.items()])


# --- reading --------------------------------------------------------------------------------------


def read_kind(spark, layout: Path, kind: str):
    """One ledger kind of a layout: Parquet files, else CSV files with a header row (``branch=`` folders)."""
    folder = layout / kind
    if any(folder.rglob("*.parquet")):
        return spark.read.parquet(str(folder))
    if any(folder.rglob("*.csv")):
        return spark.read.option("header", True).option("encoding", "UTF-8").csv(str(folder))
    raise UsageError(f"{folder} holds neither Parquet nor CSV files; write it with: python -m branchkit.spark "
                     "export LEDGERS_DIR OUT")


def read_ledgers(spark, layout: Path, wanted: list[str]) -> dict:
    """The Spark frames of the wanted kinds the layout holds."""
    if not layout.is_dir():
        raise UsageError(f"{layout} is not a folder: give the output folder of python -m branchkit.spark export")
    have = kinds_in(layout)
    return {kind: read_kind(spark, layout, kind) for kind in wanted if kind in have}


def packed(frames: dict, group: dict | None = None):
    """Every ledger as one Spark frame: the union of their columns, ``_kind``, and ``_group`` (default: branch)."""
    from pyspark.sql import functions as F

    out = None
    for kind, frame in frames.items():
        key = (group or {}).get(kind, F.col("branch"))
        part = frame.withColumn(core.KIND, F.lit(kind)).withColumn(core.GROUP, key.cast("string"))
        out = part if out is None else out.unionByName(part, allowMissingColumns=True)
    return out


def to_pandas(frame, kind: str) -> pd.DataFrame:
    """A small Spark frame (the staff list) as a typed pandas ledger frame, in ledger order."""
    rows = frame.toPandas()
    if "_rid" in rows:
        rows = rows.sort_values("_rid", kind="stable")
    return typed(rows, kind)


# --- running and writing --------------------------------------------------------------------------


def run_groups(data, fn: Callable[[pd.DataFrame], dict[str, pd.DataFrame]], columns: dict[str, str]):
    """``groupBy(_group).applyInPandas``: ``fn`` gives a group's tables, packed with a sequence number."""
    columns = {**columns, SEQ: "Int64"}

    def apply(group: pd.DataFrame) -> pd.DataFrame:
        out = core.pack(fn(group), {k: v for k, v in columns.items() if k != SEQ})
        out[SEQ] = pd.array(range(len(out)), dtype="Int64")
        return out

    return data.groupBy(core.GROUP).applyInPandas(apply, spark_schema(columns))


def write_tables(result, tables: dict[str, list[str]], out: Path, fmt: str) -> None:
    """Each table under ``out/<table>/branch=<name>/``, rows in the core's order (one file per branch)."""
    from pyspark.sql import functions as F

    for name, columns in tables.items():
        rows = result.filter(F.col(core.TABLE) == name)
        rows = rows.repartition("branch").sortWithinPartitions("branch", SEQ).select(*columns)
        writer = rows.write.mode("overwrite").partitionBy("branch")
        if fmt == "csv":
            writer.option("header", True).csv(str(out / name))
        else:
            writer.parquet(str(out / name))


def table_columns(tables: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Each table's columns, in order."""
    return {name: list(frame.columns) for name, frame in tables.items()}


# --- allocate -------------------------------------------------------------------------------------


ALLOCATE_KINDS = ["customers", "staff", "claims", "previous"]


def allocate_job(spark, layout: Path, out: Path, rules: Rules, fmt: str = "parquet",
                 tables: tuple[str, ...] = core.ALLOCATION_TABLES) -> dict[str, int]:
    """Allocate every branch of a layout on Spark; returns rows written per table."""
    frames = read_ledgers(spark, layout, ALLOCATE_KINDS)
    if "customers" not in frames or "staff" not in frames:
        raise UsageError(f"allocate needs the customers and staff ledgers; {layout} holds {sorted(frames)}")
    staff = to_pandas(frames.pop("staff"), "staff")
    kinds = sorted(frames)
    empty_tables = core.allocate_group(pd.DataFrame({core.KIND: pd.Series(dtype="str")}), core.empty("staff"),
                                       rules, kinds)
    columns = core.output_columns(empty_tables)
    result = run_groups(packed(frames), lambda g: core.allocate_group(g, staff, rules, kinds), columns).cache()
    try:
        wanted = {k: v for k, v in table_columns(empty_tables).items() if k in tables}
        write_tables(result, wanted, out, fmt)
        return _counts(result, wanted)
    finally:
        result.unpersist()


def _counts(result, tables: dict[str, list[str]]) -> dict[str, int]:
    counted = {r[core.TABLE]: r["count"] for r in result.groupBy(core.TABLE).count().collect()}
    return {name: int(counted.get(name, 0)) for name in tables}


# --- score ----------------------------------------------------------------------------------------


def score_job(spark, layout: Path, out: Path, rules: Rules, month: pd.Period, fmt: str = "parquet",
              on_problems: Callable[[pd.DataFrame], None] | None = None) -> dict[str, int]:
    """Score every branch of a layout on Spark; problems go to ``on_problems`` (errors stop before writing)."""
    from pyspark.sql import functions as F

    from branchkit.core.metrics import MonthLedgers, missing_ledgers

    kinds = [k for k in MonthLedgers.kinds() if k != "previous"]
    frames = read_ledgers(spark, layout, kinds)
    if "staff" not in frames:
        raise UsageError(f"score needs the staff ledger; {layout} holds {sorted(frames)}")
    present = sorted(frames)
    missing = missing_ledgers(MonthLedgers.from_frames({k: core.empty(k) for k in present}), rules)
    if missing:
        raise DataError("; ".join(p.message for p in missing))
    empty_tables = core.score_group(pd.DataFrame({core.KIND: pd.Series(dtype="str")}), rules, present, month)
    columns = core.output_columns(empty_tables)
    data = packed(frames, _score_groups(frames))
    result = run_groups(data, lambda g: core.score_group(g, rules, present, month), columns).cache()
    try:
        problems = result.filter(F.col(core.TABLE) == "problems").select(*core.PROBLEM_COLUMNS).distinct().toPandas()
        if on_problems is not None:
            on_problems(problems)
        if (problems["severity"] == "error").any():
            raise DataError(f"{int((problems['severity'] == 'error').sum())} problem(s) stop the scoring "
                            "(see above); nothing was written")
        final = _with_piece_pay(result, frames["staff"])
        wanted = table_columns({k: v for k, v in empty_tables.items() if k in ("score", "pools")})
        write_tables(final, wanted, out, fmt)
        return _counts(final, wanted)
    finally:
        result.unpersist()


def _score_groups(frames: dict) -> dict:
    """Customers keyed by the branch of the person their month-end row credits; month-start rows follow."""
    from pyspark.sql import functions as F

    if "customers" not in frames or "customers_start" not in frames:
        return {}
    staff = frames["staff"].select(F.col("staff_id").alias("_sid"), F.col("branch").alias("_sb"))
    start_ids = frames["customers_start"].select(F.col("customer_id").alias("_cid")).distinct() \
        .withColumn("_in_start", F.lit(True))
    end = frames["customers"].join(start_ids, F.col("customer_id") == F.col("_cid"), "left")
    credited = F.when(F.col("_in_start"), F.col("keeper")).otherwise(F.coalesce(F.col("marketer"), F.col("keeper")))
    end = end.join(staff, credited == F.col("_sid"), "left").withColumn("_route", F.coalesce("_sb", "branch"))
    route = end.select(F.col("customer_id").alias("_rcid"), F.col("_route").alias("_rstart"))
    start = frames["customers_start"].join(route, F.col("customer_id") == F.col("_rcid"), "left") \
        .withColumn("_route", F.coalesce("_rstart", "branch"))
    frames["customers"] = end.drop("_cid", "_in_start", "_sid", "_sb")
    frames["customers_start"] = start.drop("_rcid", "_rstart")
    return {"customers": F.col("_route"), "customers_start": F.col("_route")}


def _with_piece_pay(result, staff):
    """Piece-rate cents summed per person over every branch, then piece-rate pay, total pay and withheld."""
    from pyspark.sql import functions as F

    pieces = result.filter(F.col(core.TABLE) == "piece_pay")
    cents = pieces.groupBy("staff_id").agg(F.sum("cents").alias("_cents"))
    paid = F.coalesce(F.col("_cents"), F.lit(0))
    score = result.filter(F.col(core.TABLE) == "score").drop("piece_rate_pay", "total_pay") \
        .join(cents, "staff_id", "left") \
        .withColumn("piece_rate_pay", paid / 100) \
        .withColumn("total_pay", (F.round(F.col("bonus") * 100).cast("long") + paid) / 100).drop("_cents")
    people = staff.select(F.col("staff_id").alias("_sid"), F.col("branch").alias("_wb"), F.col("state"))
    withheld = cents.join(people, F.col("staff_id") == F.col("_sid")).filter(F.col("state") == "left") \
        .groupBy(F.coalesce(F.col("_wb"), F.lit("")).alias("_wb")).agg(F.sum("_cents").alias("_withheld"))
    pools = result.filter(F.col(core.TABLE) == "pools").drop("piece_rate_withheld") \
        .join(withheld, F.coalesce(F.col("branch"), F.lit("")) == F.col("_wb"), "left") \
        .withColumn("piece_rate_withheld", F.coalesce(F.col("_withheld"), F.lit(0)) / 100).drop("_wb", "_withheld")
    return score.unionByName(pools, allowMissingColumns=True)
