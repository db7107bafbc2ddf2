"""Plans that are already tables in the layout: a folder of Parquet files, or a DuckDB file.

A pipeline that exports its plan as tables writes one relation per entity and per list field,
named and typed as `sql.layout` says (`Claim.parquet`, `Claim__capabilities.parquet`, or
tables `Claim`, `Claim__capabilities` in a DuckDB database file). `attach_tables` makes each
relation a view in a DuckDB connection, after checking that it has the layout's columns with
the layout's types, that `ar_row` numbers the records 0, 1, 2... and that keys are unique,
and that every enum column holds canonical value names; any difference is a located `data`
error, before a rule runs.

Nothing is copied: DuckDB reads the Parquet files or the database where they are.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.ir.nodes import Program
from alignrules.ir.types import EnumT
from alignrules.sql.layout import (
    OWNER,
    ROW,
    VALUE,
    Layout,
    Mapped,
    Table,
    element_type,
    layout,
    scale_column,
    warehouse,
)

if TYPE_CHECKING:
    import duckdb

__all__ = ["attach_tables"]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fail(message: str, where: str, hint: str | None = None) -> DiagnosticError:
    return DiagnosticError(Diagnostic("data", message, where=where, hint=hint))


def attach_tables(
    con: duckdb.DuckDBPyConnection, program: Program, path: str | os.PathLike[str]
) -> Layout:
    """Make every relation of `layout(program)` a view over the tables at `path`."""
    import duckdb

    lay = layout(program)
    source = Path(path)
    name = os.fspath(path)
    mapped = warehouse(program, lay) if source.is_file() else {}
    try:
        if source.is_file():
            con.execute(f"ATTACH {_literal(name)} AS ar_source (READ_ONLY)")
        for table in lay.tables:
            if source.is_file():
                relation = _warehouse_relation(con, program, table, mapped[table.name], name)
                found = True
                where = f"{name}: table {mapped[table.name].table}"
            else:
                file = source / f"{table.name}.parquet"
                found = file.is_file()
                where = os.fspath(file)
                relation = f"read_parquet({_literal(where)})"
            if not found:
                raise _fail(
                    f"no table `{table.name}` for {table.described}",
                    where,
                    hint="write every relation of the SQL table layout; see docs/scale.md",
                )
            con.execute(f"CREATE VIEW {_quote(table.name)} AS SELECT * FROM {relation}")
            _check_columns(con, table, where)
        for table in lay.tables:
            _check_rows(con, program, lay, table, name)
    except duckdb.Error as exc:
        raise _fail(f"DuckDB could not read the tables: {exc}", name) from None
    return lay


def _warehouse_relation(
    con: duckdb.DuckDBPyConnection, program: Program, table: Table, m: Mapped, name: str
) -> str:
    """The SQL reading relation `table` from the attached database's table `m.table`, its
    columns renamed to the layout's; a table or column not there is an error located at the
    `table` or `column` that names it (or, unmapped, at the database file)."""
    entity = program.entity(table.entity)
    parts = m.table.split(".")[-2:]
    schema = parts[0] if len(parts) == 2 else None
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ar_source'"
        " AND table_name = ? AND (? IS NULL OR schema_name = ?)",
        [parts[-1], schema, schema],
    ).fetchall()[0][0]
    if not found:
        if entity.table is None:
            raise _fail(
                f"no table `{m.table}` for {table.described}",
                f"{name}: table {m.table}",
                hint="write every relation of the SQL table layout; see docs/scale.md",
            )
        raise DiagnosticError(
            Diagnostic(
                "data",
                f"the database `{name}` has no table `{m.table}` for {table.described}",
                entity.span,
            )
        )
    relation = "ar_source." + ".".join(_quote(p) for p in parts)
    have = {row[0] for row in con.execute(f"DESCRIBE {relation}").fetchall()}
    for column, physical in m.columns:
        if physical not in have:
            f = entity.field(table.column(column).field or "")
            raise DiagnosticError(
                Diagnostic(
                    "data",
                    f"table `{m.table}` in `{name}` has no column `{physical}`"
                    f" for field `{entity.name}.{table.column(column).field}`",
                    f.span if f is not None else entity.span,
                )
            )
    if not m.columns:
        return relation
    renames = ", ".join(f"{_quote(p)} AS {_quote(c)}" for c, p in m.columns)
    return f"(SELECT * RENAME ({renames}) FROM {relation})"


def _check_columns(con: duckdb.DuckDBPyConnection, table: Table, where: str) -> None:
    got = {row[0]: row[1] for row in con.execute(f"DESCRIBE {_quote(table.name)}").fetchall()}
    for column in table.columns:
        have = got.get(column.name)
        if have is None:
            raise _fail(f"table `{table.name}` has no column `{column.name}`", where)
        if have.replace(" ", "") != column.sql_type.replace(" ", ""):
            raise _fail(
                f"column `{table.name}.{column.name}` is {have}, where the layout has"
                f" {column.sql_type}",
                where,
            )


def _check_rows(
    con: duckdb.DuckDBPyConnection, program: Program, lay: Layout, table: Table, where: str
) -> None:
    t = _quote(table.name)
    if table.field is None:
        entity = program.entity(table.entity)
        key = _quote(entity.key)
        rows, first, last, distinct, keys = con.execute(
            f"SELECT count(*), min({ROW}), max({ROW}), count(DISTINCT {ROW}),"
            f" count(DISTINCT {key}) FROM {t}"
        ).fetchall()[0]
        if rows and (first != 0 or last != rows - 1 or distinct != rows):
            raise _fail(f"`{table.name}.{ROW}` does not number its rows 0 to {rows - 1}", where)
        if keys != rows:
            raise _fail(f"`{table.name}` has a duplicate or missing {entity.name} key", where)
        checked = [(f.name, f.type) for f in entity.fields if not f.many]
    else:
        owner = program.entity(table.entity)
        f = owner.field(table.field)
        assert f is not None
        checked = [(VALUE, f.type)]
        orphans = con.execute(
            f"SELECT count(*) FROM {t} WHERE {OWNER} NOT IN"
            f" (SELECT {_quote(owner.key)} FROM {_quote(lay.entity_table(owner.name).name)})"
        ).fetchall()[0][0]
        if orphans:
            raise _fail(f"`{table.name}` has elements of no {owner.name}", where)
    names = {c.name for c in table.columns}
    for c in table.columns:
        places = scale_column(c.name)
        if c.role != "value" or places not in names:
            continue
        # The places a number was written with are how it prints (`100.50`): the layout
        # keeps them beside every decimal and money value, and none can be made up.
        unplaced = con.execute(
            f"SELECT count(*) FROM {t} WHERE {_quote(c.name)} IS NOT NULL"
            f" AND {_quote(places)} IS NULL"
        ).fetchall()[0][0]
        if unplaced:
            raise _fail(
                f"`{table.name}.{c.name}` has {unplaced} number(s) with no places in `{places}`",
                where,
                hint="write the places each number was written with (`100.50` has 2)",
            )
    for column, typ in checked:
        base = element_type(typ)
        if not isinstance(base, EnumT):
            continue
        values = next(e.values for e in program.enums if e.name == base.name)
        listed = ", ".join(_literal(v) for v in values)
        bad = con.execute(
            f"SELECT min({_quote(column)}) FROM {t} WHERE {_quote(column)} NOT IN ({listed})"
        ).fetchall()[0][0]
        if bad is not None:
            raise _fail(
                f"`{table.name}.{column}` holds {bad!r}, which is not a value of {base.name}",
                where,
                hint=f"{base.name} has {', '.join(values)}",
            )
