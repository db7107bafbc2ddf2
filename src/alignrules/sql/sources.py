"""Plans that are already tables in the layout: a folder of Parquet files, or a DuckDB file.

A pipeline that exports its plan as tables writes one relation per entity and per list field,
named and typed as `sql.layout` says (`Claim.parquet`, `Claim__capabilities.parquet`, or
tables `Claim`, `Claim__capabilities` in a DuckDB database file). `attach_tables` makes each
relation a view in a DuckDB connection, after checking that it has the layout's columns with
the layout's types, that `ar_row` numbers the records 0, 1, 2... and that keys are unique,
that every enum column holds canonical value names, and that the values the Python reader
would refuse are not there (`check_values`: a NULL in a required column, a number with no
places); any difference is a located `data` error, before a rule runs. The Spark engine
runs the same checks (`check_rows`, `check_values`) on a session's tables.

Nothing is copied: DuckDB reads the Parquet files or the database where they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.ir.nodes import Program
from alignrules.ir.types import EnumT
from alignrules.sql.layout import (
    OWNER,
    POS,
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

    from alignrules.sql.native_engine import Connection

__all__ = ["attach_tables", "check_rows", "check_values"]


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
    places: dict[str, str] = {}  # each relation's file, for errors about its rows
    try:
        if source.is_file():
            con.execute(f"ATTACH {_literal(name)} AS ar_source (READ_ONLY)")
        for table in lay.tables:
            if source.is_file():
                relation = _warehouse_relation(con, program, table, mapped[table.name], name)
                found = True
                where = f"{name}: table {mapped[table.name].table}"
                places[table.name] = name
            else:
                file = source / f"{table.name}.parquet"
                found = file.is_file()
                where = places[table.name] = os.fspath(file)
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
            check_rows(con, program, lay, table, name)
            check_values(con, program, (table,), mapped, places)
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


def check_rows(con: Connection, program: Program, lay: Layout, table: Table, where: str) -> None:
    """Refuse, as a located `data` error at `where`, relation `table` of `lay` if its rows do
    not fit the layout: `ar_row` not numbering the records 0, 1, 2..., a duplicate or missing
    key, a list element whose `ar_owner` is no record, an enum column holding a value that is
    not its enum's canonical spelling.

    Written in DuckDB's SQL, so that a Spark session (through `con`) runs the same checks and
    words its errors the same: one aggregate query for a record table, and for a list table
    one for its elements' owners and one for its values.
    """
    t = _quote(table.name)
    enums: list[tuple[str, EnumT, tuple[str, ...]]] = []
    if table.field is None:
        entity = program.entity(table.entity)
        checked = [(f.name, f.type) for f in entity.fields if not f.many]
    else:
        owner = program.entity(table.entity)
        f = owner.field(table.field)
        assert f is not None
        checked = [(VALUE, f.type)]
    for column, typ in checked:
        base = element_type(typ)
        if isinstance(base, EnumT):
            values = next(e.values for e in program.enums if e.name == base.name)
            enums.append((column, base, tuple(values)))
    # the least value of each enum column that is none of its enum's names
    outside = [
        f"min(CASE WHEN {_quote(column)} NOT IN ({', '.join(_literal(v) for v in values)})"
        f" THEN {_quote(column)} END)"
        for column, _, values in enums
    ]
    if table.field is None:
        key = _quote(program.entity(table.entity).key)
        got = con.execute(
            f"SELECT count(*), min({ROW}), max({ROW}), count(DISTINCT {ROW}),"
            f" count(DISTINCT {key})" + "".join(", " + o for o in outside) + f" FROM {t}"
        ).fetchall()[0]
        rows, first, last, distinct, keys = got[:5]
        bads = got[5:]
        if rows and (first != 0 or last != rows - 1 or distinct != rows):
            raise _fail(f"`{table.name}.{ROW}` does not number its rows 0 to {rows - 1}", where)
        if keys != rows:
            raise _fail(f"`{table.name}` has a duplicate or missing {table.entity} key", where)
    else:
        owner = program.entity(table.entity)
        orphans = con.execute(
            f"SELECT count(*) FROM {t} WHERE {OWNER} NOT IN"
            f" (SELECT {_quote(owner.key)} FROM {_quote(lay.entity_table(owner.name).name)})"
        ).fetchall()[0][0]
        if orphans:
            raise _fail(f"`{table.name}` has elements of no {owner.name}", where)
        bads = con.execute(f"SELECT {', '.join(outside)} FROM {t}").fetchall()[0] if outside else ()
    for (column, base, values), bad in zip(enums, bads, strict=True):
        if bad is not None:
            raise _fail(
                f"`{table.name}.{column}` holds {bad!r}, which is not a value of {base.name}",
                where,
                hint=f"{base.name} has {', '.join(values)}",
            )


def check_values(
    con: Connection,
    program: Program,
    tables: Iterable[Table],
    mapped: Mapping[str, Mapped],
    where: str | Mapping[str, str],
) -> None:
    """Refuse, as a located `data` error, a value the layout's types allow and the Python
    reader refuses: a NULL in a required column (a field not declared optional with `?`, a
    list element, the layout's own `ar_row`, `ar_owner`, `ar_pos`), a required list whose
    `__present` is not TRUE, and a decimal or money value with no places in its `__scale`.

    One aggregate query per relation of `tables` (the views of `attach_tables`, or a Spark
    session's, through `con`), written in DuckDB's SQL; the first offending row is fetched
    only for the error. `mapped` names a relation's warehouse table and columns, for the
    message; `where` is the place of every relation, or of each.
    """
    for table in tables:
        checks = _value_checks(program, table)
        if not checks:
            continue
        counts = con.execute(
            "SELECT "
            + ", ".join(f"count(CASE WHEN {c.condition} THEN 1 END)" for c in checks)
            + f" FROM {_quote(table.name)}"
        ).fetchall()[0]
        for c, n in zip(checks, counts, strict=True):
            if not n:
                continue
            m = mapped.get(table.name)
            named = f"`{m.table}.{m.column(c.column)}`" if m else f"`{table.name}.{c.column}`"
            at = _first_row(con, program, table, c.condition)
            more = f" (and {n - 1} more row(s))" if n > 1 else ""
            place = where if isinstance(where, str) else where[table.name]
            if c.problem == "places":
                raise _fail(
                    f"{named} has {n} number(s) with no places in"
                    f" `{scale_column(c.column)}`, the first at {at}",
                    place,
                    hint="write the places each number was written with (`100.50` has 2)",
                )
            raise _fail(f"{named} is {c.problem} at {at}{more}, {c.reason}", place, hint=c.hint)


@attrs.frozen
class _Check:
    """A row of `column` for which SQL `condition` holds has `problem` (`NULL`, or `places`:
    a number with no places), which the Python reader refuses for `reason`."""

    column: str
    condition: str
    problem: str
    reason: str = ""
    hint: str | None = None


def _value_checks(program: Program, table: Table) -> list[_Check]:
    """The checks `check_values` makes on `table`."""
    entity = program.entity(table.entity)
    names = {c.name for c in table.columns}
    out: list[_Check] = []
    for c in table.columns:
        q = _quote(c.name)
        f = entity.field(c.field) if c.field is not None else None
        if c.role in ("row", "owner", "pos"):
            out.append(
                _Check(c.name, f"{q} IS NULL", "NULL", "and the layout never leaves it NULL")
            )
        elif c.role == "value" and table.field is not None:
            # the Python reader refuses a null element of any list, `?` or not
            out.append(_Check(c.name, f"{q} IS NULL", "NULL", "and a list holds no missing values"))
        elif c.role == "value" and f is not None and not f.optional:
            out.append(
                _Check(
                    c.name,
                    f"{q} IS NULL",
                    "NULL",
                    f"and field `{entity.name}.{f.name}` is required",
                    hint="declare the field optional with `?` where it may be missing",
                )
            )
        elif c.role == "present" and f is not None and not f.optional:
            out.append(
                _Check(
                    c.name,
                    f"({q} IS NULL OR NOT {q})",
                    "not TRUE",
                    f"so the list is absent, and list field `{entity.name}.{f.name}` is required",
                    hint="TRUE with no element rows is an empty list",
                )
            )
        if c.role == "value" and scale_column(c.name) in names:
            # The places a number was written with are how it prints (`100.50`): the
            # layout keeps them beside every decimal and money value, and none can be
            # made up.
            unplaced = f"{q} IS NOT NULL AND {_quote(scale_column(c.name))} IS NULL"
            out.append(_Check(c.name, unplaced, "places"))
    return out


def _first_row(con: Connection, program: Program, table: Table, cond: str) -> str:
    """The first row of `table` where `cond` holds, as an error names it."""
    t = _quote(table.name)
    if table.field is None:
        key = program.entity(table.entity).key
        row, value = con.execute(
            f"SELECT {ROW}, {_quote(key)} FROM {t} WHERE {cond} ORDER BY {ROW} LIMIT 1"
        ).fetchall()[0]
        if row is None or value is None:  # no row number, or no key, to name it by
            return f"{table.entity} `{value}`" if row is None else f"{ROW} {row}"
        return f"{ROW} {row} ({table.entity} `{value}`)"
    owner, pos = con.execute(
        f"SELECT {OWNER}, {POS} FROM {t} WHERE {cond} ORDER BY {OWNER}, {POS} LIMIT 1"
    ).fetchall()[0]
    return f"{POS} {pos}" if owner is None else f"{OWNER} `{owner}`, {POS} {pos}"
