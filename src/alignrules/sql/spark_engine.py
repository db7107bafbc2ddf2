"""The rules on a Spark session (extra `spark`): the same queries, the same `Report`.

`check(spark, checker, tables)` runs a compiled ruleset's SQL translation where the plan's
tables are: each relation of the layout (`Claim`, `Claim__capabilities`, ...) is read from
the warehouse table the ruleset binds it to (`table "marketing.claims"`, its columns renamed
back from `column "..."`), or from the table `tables` maps it to, and becomes a temporary
view under the layout's name. Every query the engine runs is written in DuckDB's SQL and translated for
Spark by sqlglot, so the queries are the ones the DuckDB engine runs; rows come back to
Python only for findings, as there.

Where the queries cannot give the Python engine's report (a rule fails on a record, a result
too large for Spark's decimals, money in several currencies: `sql.limits.PythonNeeded`), the
relations the ruleset reads are collected into the driver, read back into the plan they hold
(`sql.from_tables`) and checked by the Python engine.

>>> from alignrules.sql.spark_engine import spark_sql
>>> spark_sql('SELECT "id" FROM "Claim" WHERE "ar_row" >= 0')
'SELECT `id` FROM `Claim` WHERE `ar_row` >= 0'
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, Final, cast

import attrs
import sqlglot
from sqlglot import exp

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.ir import nodes as ir
from alignrules.runtime.report import Report
from alignrules.sql.from_tables import plan_data
from alignrules.sql.layout import DECIMAL_SCALE, Layout, Mapped, Table, layout, warehouse
from alignrules.sql.limits import PythonNeeded, plan_scale
from alignrules.sql.native_engine import _param_values, _translate, check_tables_in, python_needed
from alignrules.sql.sources import check_rows, check_values
from alignrules.sql.translate import DATE_STOP, translate

__all__ = ["check", "spark_sql"]

#: Where a data error in a session's tables is located.
_SESSION: Final = "<spark session>"


def spark_sql(query: str) -> str:
    """A query in DuckDB's SQL, as Spark SQL.

    Two of DuckDB's spellings have no Spark twin that sqlglot writes: a date plus a number of
    days, `d + INTERVAL (n) DAY` (Spark's `INTERVAL` takes a literal only), becomes
    `DATE_ADD(d, n)`, and `error(message)`, which stops the query, becomes `RAISE_ERROR`.

    >>> spark_sql('SELECT CAST("on" + INTERVAL ("lead") DAY AS DATE) FROM "Claim"')
    'SELECT CAST(DATE_ADD(`on`, `lead`) AS DATE) FROM `Claim`'
    """
    tree = sqlglot.parse_one(query, read="duckdb")
    return tree.transform(_spark_twin, copy=False).sql("spark")


def _spark_twin(node: exp.Expr) -> exp.Expr:
    """`node`, or what Spark runs for it (`spark_sql`)."""
    if isinstance(node, exp.Add) and isinstance(node.expression, exp.Interval):
        interval = node.expression
        unit = interval.args.get("unit")
        if unit is not None and unit.name.upper() == "DAY":
            days = interval.this.unnest() if isinstance(interval.this, exp.Paren) else interval.this
            if isinstance(days, exp.Literal) and days.is_string:
                days = exp.Literal.number(days.this)
            return exp.DateAdd(this=node.this, expression=days, unit=exp.var("DAY"))
    if isinstance(node, exp.Anonymous) and node.name.lower() == "error":
        return exp.Anonymous(this="RAISE_ERROR", expressions=node.expressions)
    return node


class _Result:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


class _SparkConnection:
    """A Spark session behind DuckDB's `execute(sql).fetchall()`."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def execute(self, query: str, /) -> _Result:
        from pyspark.errors import ArithmeticException, DateTimeException, SparkRuntimeException

        try:
            return _Result([tuple(row) for row in self.spark.sql(spark_sql(query)).collect()])
        except (ArithmeticException, DateTimeException, SparkRuntimeException) as exc:
            # In ANSI mode Spark stops a query on an overflow or a date it cannot hold, and a
            # query stops itself on a date outside the years 1-9999 (`DATE_STOP`), where
            # DuckDB stops too: the Python engine, with 60 digits and its own dates, answers
            # or names the record it fails on.
            if isinstance(exc, SparkRuntimeException) and DATE_STOP not in str(exc):
                raise
            raise PythonNeeded(f"Spark could not finish a query on this plan: {exc}") from exc


def _view(spark: Any, program: ir.Program, table: Table, m: Mapped, given: str | None) -> None:
    """Make relation `table` a temporary view over the session's table holding it."""
    entity = program.entity(table.entity)
    source = given if given is not None else m.table
    if not spark.catalog.tableExists(source):
        raise DiagnosticError(
            Diagnostic(
                "data",
                f"the Spark session has no table `{source}` for {table.described}",
                entity.span if given is None and entity.table is not None else None,
            )
        )
    frame = spark.table(source)
    for column, physical in m.columns:
        if physical not in frame.columns:
            f = entity.field(table.column(column).field or "")
            raise DiagnosticError(
                Diagnostic(
                    "data",
                    f"table `{source}` has no column `{physical}` for field"
                    f" `{entity.name}.{table.column(column).field}`",
                    f.span if f is not None else entity.span,
                )
            )
        frame = frame.withColumnRenamed(physical, column)
    frame.createOrReplaceTempView(table.name)


def _refuse_what_spark_cannot_run(program: ir.Program, module: Any) -> None:
    """Raise the located `sql-unsupported` errors `compile --target sql --dialect spark`
    gives: the engine runs the DuckDB queries translated by sqlglot, and a construct Spark
    cannot run as the language means it (`matches` on Java's regular expressions) must be
    refused, not fail inside Spark or answer differently."""
    translate(program, dialect="spark", casefold=True, enum_names=dict(module.ENUM_TEXT))


def check(
    spark: Any,
    checker: Any,
    tables: Mapping[str, str] | None = None,
    *,
    as_of: date | None = None,
) -> Report:
    """Check the plan held in `spark`'s tables with `checker` (an `alignrules.Checker`).

    `tables` maps a relation of the layout to the session's table holding it; a relation
    not in it is read from the table its entity's `table "..."` names, or else from a table
    of its own name. Fields bound with `column "..."` are read from those columns. A table
    or column the session does not have is a `DiagnosticError` located in the ruleset.
    Decimal and money columns must come with their `__scale` columns (the places each number
    was written with), as the layout says. Before a rule runs, the checks the DuckDB engine
    makes on a database file refuse a table that does not fit the layout, with the same
    `data` `DiagnosticError`s at `<spark session>`: `ar_row` not numbering the records 0,
    1, 2..., a duplicate or missing key, a list element of no record, an enum value that is
    no member's name, a NULL in a required column, a number with no places (a few aggregate
    queries per table; column types are taken as the session has them). Findings point at each record's place in the plan
    (`/marketing/claims/0`). Where the queries cannot give the Python engine's report, the
    tables the ruleset reads are collected into the driver's memory and the Python engine
    checks them; its data errors (a required value missing) are `DiagnosticError`s.
    """
    from pyspark.sql.types import StringType

    program, module = checker.compiled.program, checker.module
    today = as_of if as_of is not None else date.today()
    if plan_scale(program, {}, {}, _param_values(module, checker._params)) > DECIMAL_SCALE:
        # A literal or parameter with more places than the layout's decimals: the queries
        # cannot compare it exactly, the Python engine can.
        _views(spark, program, layout(program), tables)
        return _python_check(spark, checker, layout(program), today)
    _refuse_what_spark_cannot_run(program, module)
    # date arithmetic outside the years 1-9999 stops the query (`RAISE_ERROR`), as on DuckDB
    tr = _translate(program, module, checker._params, today, stops=True)
    names = _views(spark, program, tr.layout, tables)
    # A table that does not fit the layout would give a different report, not an error: the
    # DuckDB engine's checks on a database file (row numbers, keys, list owners, enum
    # values, then what the Python reader would refuse), run as the same queries, in the
    # same order, so that a bad table is the same located error on either engine.
    con = _SparkConnection(spark)
    for table in tr.layout.tables:
        check_rows(con, program, tr.layout, table, _SESSION)
        check_values(con, program, (table,), names, _SESSION)
    for name, fn in (
        ("ar_casefold", str.casefold),
        ("ar_lower", str.lower),
        ("ar_upper", str.upper),
    ):
        spark.udf.register(name, fn, StringType())

    def no_raw(pointer: str) -> Any:  # pragma: no cover - `check_values` refused it
        # A number with no places in its `__scale` column: reading the tables back for
        # the Python engine names it as a data error.
        raise PythonNeeded(f"the number at {pointer} has no places")

    raw: Callable[[str], Any] = no_raw
    try:
        with _exact_decimals(spark), python_needed():
            return check_tables_in(
                _SparkConnection(spark), program, module, tr, checker._params, today, raw
            )
    except PythonNeeded:
        return _python_check(spark, checker, tr.layout, today)


def _views(
    spark: Any, program: ir.Program, lay: Layout, tables: Mapping[str, str] | None
) -> dict[str, Mapped]:
    """Every relation of `lay` a temporary view under its layout name (`_view`); returns
    where each is read from (the session's table and its columns), for errors."""
    mapped = warehouse(program, lay)
    out: dict[str, Mapped] = {}
    for table in lay.tables:
        m = mapped[table.name]
        given = (tables or {}).get(table.name)
        _view(spark, program, table, m, given)
        out[table.name] = m if given is None else attrs.evolve(m, table=given)
    return out


def _python_check(spark: Any, checker: Any, lay: Layout, today: date) -> Report:
    """The Python engine's report on the plan in the views of `lay`: where the queries
    cannot give it (a rule fails on a record, money in several currencies), the relations
    the ruleset reads are collected into the driver and read back into the plan they hold
    (`sql.from_tables`)."""
    program, module = checker.compiled.program, checker.module
    data = plan_data(_SparkConnection(spark), program, module, lay, _SESSION)
    return cast(Report, checker.run(checker.bind(data), as_of=today))


#: Spark settings the queries need, for the length of a check: arithmetic that keeps every
#: decimal place (by default Spark gives the sum of two DECIMAL(38, 9) values 8 places and
#: their product 6, so a rule could miss a finding the Python engine reports), and ANSI
#: mode, in which a result too large for its type is an error rather than a NULL that would
#: silently read as "missing".
_EXACT: Final = {
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "true",
}


@contextlib.contextmanager
def _exact_decimals(spark: Any) -> Iterator[None]:
    """Apply `_EXACT` to the session, then leave its settings as they were: the session is
    the host's."""
    before = {key: spark.conf.get(key, None) for key in _EXACT}
    for key, value in _EXACT.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)
