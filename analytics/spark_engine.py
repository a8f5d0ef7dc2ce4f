"""The Spark engine (issue 17): the report's own SQL, transpiled, run on Apache Spark over a lake or a catalog.

Nothing of the domain is written twice. Every query is the DuckDB-dialect file of analytics/sql, its parameters
bound as literals, its macros expanded (analytics/sqlport/expand.py) and written as Spark SQL by SQLGlot
(analytics/sqlport/transpile.py); `SparkEngine.records` answers `store.sql.records`, so the report code
(analytics/report/cohorts.py) runs unchanged and only aggregates come back to Python.

The canonical tables are the lake's Parquet datasets (or a catalog's tables), read with the columns and types of
SPEC §4 (analytics/lake.py's LAYOUT, checked the same way) as temporary views. The fact tables the DuckDB
database keeps (analytics/sql/facts) are built by the same files, in the same order, as cached views of the
session: on a cluster they live in the executors' memory (spilling to disk) for as long as the engine is open.
The session runs in UTC, so a zoned timestamp counts by its UTC date, as the DuckDB engine counts it.

What the product keeps beside the data (decisions, closed weeks, saved settings: the state tables of the schema
migrations) stays in DuckDB: `execute` runs on that state store, an in-memory database for a lake (which carries
no state, as with `report --lake` on DuckDB). Every domain query goes through `records` or `frame`, to Spark.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from analytics import lake, store
from analytics.errors import spark_missing
from analytics.sqlport import expand, transpile
from analytics.store import facts, sql
from analytics.tables import Column

# The Spark types of the canonical columns and of the fact tables, from DuckDB's names (a wall-clock timestamp,
# as DuckDB keeps it, is Spark's timestamp_ntz).
SPARK_TYPES = {
    "date": "date",
    "timestamp": "timestamp_ntz",
    "boolean": "boolean",
    "bigint": "bigint",
    "integer": "int",
    "double": "double",
    "varchar": "string",
    "hugeint": "decimal(38,0)",
}
# Spark's Parquet types by the DuckDB names lake.py accepts them under (lake.accepts).
READ_AS = {
    "DateType": "DATE",
    "TimestampNTZType": "TIMESTAMP",
    "TimestampType": lake.ZONED_TIMESTAMP,  # zoned: read as its UTC wall-clock time (the session runs in UTC)
    "BooleanType": "BOOLEAN",
    "ByteType": "TINYINT",
    "ShortType": "SMALLINT",
    "IntegerType": "INTEGER",
    "LongType": "BIGINT",
    "FloatType": "FLOAT",
    "DoubleType": "DOUBLE",
    "DecimalType": "DECIMAL",
    "StringType": "VARCHAR",
    "NullType": lake.EMPTY_COLUMN,
}
DEFAULT_MASTER = "local[*]"
LOOPBACK = "127.0.0.1"
ENV_MEMORY = "OPTOUT_COHORTS_SPARK_MEMORY"
# pyspark 4.3 warns, when it first converts a row, that it does not fully support pandas 3: the engine hands no
# data to pandas. (Shown by the CLI after a run, that warning also hung the process at exit.)
PANDAS_WARNING = "PySpark does not yet fully support pandas"


def spark_type(duckdb_type: str) -> str:
    return SPARK_TYPES[duckdb_type.lower()]


def session(master: str | None = None, remote: str | None = None):
    """A Spark session: local (`local[*]`, the default), a cluster's master URL, or Spark Connect (sc://…).
    One per process: getOrCreate returns the running one, so every engine of a test run shares it."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise spark_missing() from None
    warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
    builder = SparkSession.builder.appName("optout-cohorts")
    if remote:
        builder = builder.remote(remote)
    else:
        builder = (
            builder.master(master or DEFAULT_MASTER)
            .config("spark.ui.enabled", "false")
            .config(
                "spark.sql.shuffle.partitions", "8"
            )  # Spark's 200 suits a cluster, not the product's aggregates
            .config("spark.ui.showConsoleProgress", "false")
            # Local mode: the driver is the executor, so its memory holds the cached facts (a 10 M-event brand's
            # fit in 4 GB; spark-defaults.conf or this variable change it).
            .config("spark.driver.memory", os.environ.get(ENV_MEMORY, "4g"))
        )
        if (master or DEFAULT_MASTER).startswith("local"):
            # This machine only, like the dashboard: the driver's ports listen on the loopback interface; and
            # the facts Spark spills or shuffles (contact ids) go to the product's private work folder, which
            # Spark empties when it stops, not to a shared /tmp.
            builder = (
                builder.config("spark.driver.bindAddress", LOOPBACK)
                .config("spark.driver.host", LOOPBACK)
                .config("spark.local.dir", str(store.work_dir()))
            )
    spark = builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    if not remote:
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def state_store() -> duckdb.DuckDBPyConnection:
    """An empty database with the product's schema: the state beside a lake (no decisions, no closed weeks)."""
    con = duckdb.connect()
    sql.migrate(con)
    return con


@cache
def fact_schemas() -> dict[str, list[tuple[str, str]]]:
    """(column, DuckDB type) of every fact table, from the schema migrations (the one place they are declared)."""
    con = state_store()
    try:
        return {
            table: [(row[0], row[1]) for row in con.execute(f"describe {table}").fetchall()]
            for table in facts.FACT_TABLES
        }
    finally:
        con.close()


@dataclass(frozen=True)
class FactStep:
    """One statement of analytics/sql/facts: the table it fills and the query that fills it (DuckDB dialect)."""

    table: str
    columns: tuple[str, ...] | None  # the insert's column list, if it names one
    query: exp.Expression


def fact_steps() -> list[FactStep]:
    steps = []
    for relative in facts.BUILD_STEPS:
        for statement in sqlglot.parse(sql.sql_text(relative), read="duckdb"):
            if isinstance(statement, exp.Create):  # create temp table event_pairs as select …
                steps.append(FactStep(statement.this.name, None, statement.expression))
            elif isinstance(statement, exp.Insert):
                target = statement.this
                if isinstance(target, exp.Schema):
                    columns = tuple(c.name for c in target.expressions)
                    steps.append(FactStep(target.this.name, columns, statement.expression))
                else:
                    steps.append(FactStep(target.name, None, statement.expression))
            elif statement is not None:
                raise ValueError(
                    f"{relative}: a fact step is a CREATE … AS or an INSERT, not {statement.key}"
                )
    return steps


def to_spark_sql(
    query: exp.Expression, params: dict[str, Any] | None = None, views: dict[str, str] | None = None
) -> str:
    """A DuckDB-dialect query as Spark SQL: parameters bound as literals, macros expanded, and each table the
    engine holds (canonical and fact tables) read from its view (views: table → view name)."""
    expanded = expand.expand_query(expand.bind(query, params or {}))
    if views:
        expanded = _read_views(expanded, views)
    return transpile.spark_sql(expanded)


def _read_views(tree: exp.Expression, views: dict[str, str]) -> exp.Expression:
    """tree reading view views[t] for every table t (a CTE of the same name keeps its name: the CTEs are renamed
    apart first). A renamed table keeps its old name as alias, so `contacts.collected_at` still resolves."""
    tree = expand.rename_ctes(tree, "__0")
    for table in list(tree.find_all(exp.Table)):
        name = table.name.lower()
        if table.db or isinstance(table.this, exp.Func) or name not in views:
            continue
        if not table.args.get("alias"):
            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
        table.set("this", exp.to_identifier(views[name]))
    return tree


def query_spark_sql(name: str, params: dict[str, Any], views: dict[str, str] | None = None) -> str:
    return to_spark_sql(sqlglot.parse_one(sql.query_text(name), read="duckdb"), params, views)


class SparkEngine:
    """The canonical tables of a lake (or catalog) and the facts built from them, in a Spark session.

    Stands where a DuckDB connection stands for the report (store.sql.records dispatches to `records`). Its
    tables are temporary views of the session named apart (`oc3_contacts`…), so engines over different lakes
    or catalogs share one session without seeing each other's data.
    """

    _opened = itertools.count(1)

    def __init__(self, spark, *, lake_dir: Path | None = None, catalog: str | None = None) -> None:
        self.spark = spark
        self.lake_dir = lake_dir
        self.catalog = catalog
        self.counts: dict[str, int] = {}
        self._cached: list = []  # the fact tables' cached DataFrames
        self.state = state_store()
        prefix = f"oc{next(SparkEngine._opened)}_"
        names = [*lake.LAYOUT, *(step.table for step in fact_steps())]
        self.views = {name: prefix + name for name in names}

    # --- the canonical tables ------------------------------------------------------------------------------

    def _read(self, lake_table: lake.LakeTable):
        """The table's DataFrame as stored, or None when the lake or catalog lacks it."""
        if self.catalog is not None:
            name = f"{self.catalog}.{lake_table.name}"
            return self.spark.table(name) if self.spark.catalog.tableExists(name) else None
        files = lake.table_files(self.lake_dir, lake_table.name)
        if files is None:
            return None
        return self.spark.read.option("mergeSchema", "true").parquet(*files)

    def _where(self) -> Path | str:
        return self.lake_dir if self.catalog is None else f"catalog {self.catalog}"

    def _canonical(self, lake_table: lake.LakeTable):
        frame = self._read(lake_table)
        if frame is None:
            if lake_table.required:
                raise lake.missing_table(self._where(), lake_table)
            schema = ", ".join(f"{c.name} {spark_type(c.sql_type)}" for c in lake_table.columns)
            return self.spark.createDataFrame([], schema)
        found = {
            field.name.lower(): (field.name, type(field.dataType).__name__) for field in frame.schema.fields
        }
        return frame.selectExpr(*(self._column(lake_table, column, found) for column in lake_table.columns))

    def _column(self, lake_table: lake.LakeTable, column: Column, found: dict[str, tuple[str, str]]) -> str:
        target = spark_type(column.sql_type)
        if column.name not in found:
            if column.required:
                raise lake.column_error(self._where(), lake_table.name, column, None)
            return f"cast(null as {target}) as {column.name}"
        stored, spark_kind = found[column.name]
        kind = READ_AS.get(spark_kind, spark_kind)
        if not lake.accepts(column, kind):
            raise lake.column_error(self._where(), lake_table.name, column, kind)
        return f"cast(`{stored}` as {target}) as {column.name}"

    def _check_values(self, lake_table: lake.LakeTable) -> None:
        """The values lake.load refuses, refused with the same words (empty required values too: a view has no
        NOT NULL constraint to refuse them)."""
        checks = lake.value_checks(lake_table, required=True)
        conditions = ", ".join(f"count_if({condition})" for *_rest, condition in checks)
        counts = self.spark.sql(f"select {conditions} from {self.views[lake_table.name]}").collect()[0]
        lake.refuse_bad_counts(self._where(), lake_table.name, checks, counts)

    def open(self) -> SparkEngine:
        """Register the canonical tables, check them, build the facts."""
        if self.catalog is None and not Path(self.lake_dir).is_dir():
            raise lake.not_a_folder(self.lake_dir)
        for name, lake_table in lake.LAYOUT.items():
            frame = self._canonical(lake_table)
            frame.createOrReplaceTempView(self.views[name])
            self._check_values(lake_table)
        self.build_facts()
        return self

    # --- the facts -------------------------------------------------------------------------------------------

    def build_facts(self) -> None:
        """The fact tables, as cached views, by the files that build them in the database (analytics/sql/facts)."""
        schemas = fact_schemas()
        for step in fact_steps():
            frame = self.spark.sql(to_spark_sql(step.query, views=self.views))
            schema = schemas.get(step.table)  # None: event_pairs, a temporary table of the build
            if schema is not None:
                # As an INSERT fills the table: by position, into the columns it names (else all of them), a
                # column it does not name left null, each value cast to the table's type.
                names = step.columns or tuple(name for name, _type in schema)
                frame = frame.toDF(*names).selectExpr(
                    *(
                        f"cast(`{name}` as {spark_type(kind)}) as {name}"
                        if name in names
                        else f"cast(null as {spark_type(kind)}) as {name}"
                        for name, kind in schema
                    )
                )
            frame = frame.cache()
            frame.createOrReplaceTempView(self.views[step.table])
            self._cached.append(frame)
            self.counts[step.table] = frame.count()  # built now, so a failing step names itself

    # --- queries ---------------------------------------------------------------------------------------------

    def records(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """A named query of analytics/sql (as store.sql.records runs it on DuckDB), run on Spark."""
        rows = self.spark.sql(query_spark_sql(name, params, self.views)).collect()
        return [{key: _python(value) for key, value in row.asDict(recursive=True).items()} for row in rows]

    def frame(self, name: str, **params: Any):
        """A named query run on Spark, as store.sql.frame gives it: a small pandas DataFrame, through Arrow and
        DuckDB so that its column types are those the DuckDB engine's frame has."""
        table = self.spark.sql(query_spark_sql(name, params, self.views)).toArrow()
        return self.state.from_arrow(table).df()

    def execute(self, query: str, parameters: Any = None):
        """The state store's answer (decisions, closed weeks, settings, marks): never the data's."""
        return self.state.execute(query, parameters)

    def close(self) -> None:
        """Drop the engine's views and free its cached facts (the session stays, for other engines)."""
        self.state.close()
        for frame in self._cached:
            frame.unpersist()
        for view in self.views.values():
            self.spark.catalog.dropTempView(view)
        self._cached.clear()


def _python(value: Any) -> Any:
    """A Spark value as DuckDB's Python client gives it (a decimal sum of integers as an int)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, list):
        return [_python(v) for v in value]
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


@contextmanager
def opened(
    *,
    lake_dir: Path | None = None,
    catalog: str | None = None,
    master: str | None = None,
    remote: str | None = None,
) -> Iterator[SparkEngine]:
    """An engine over a lake or a catalog, its views dropped when the block ends (the session stays)."""
    engine = SparkEngine(
        session(master, remote), lake_dir=Path(lake_dir).absolute() if lake_dir else None, catalog=catalog
    )
    try:
        yield engine.open()
    finally:
        engine.close()
