"""Tables in the layout read back into the plain data of the plan they hold, for the Python
engine.

A plan held as tables (a folder of Parquet files, a DuckDB database file, a Spark session's
tables) has no plan file behind it. Where the SQL queries cannot give the Python engine's
report on it (a rule that fails on a record, a rule reading money in several currencies:
`sql.limits.PythonNeeded`), the engines read every relation of the layout back into the
data a JSON export of the same plan would hold, and the Python engine binds and checks
that: its report, `rule-crashed` findings and all, is then the report.

Each record goes back where its entity's path puts it, in `ar_row` order, so its place in
the plan is the one the SQL engine gives its findings (`/marketing/claims/7`). Values come
back as the Python reader reads them: a decimal with the places its `__scale` column keeps
(`100.50`), money with its currency, a list field only when its `__present` column says it
is in the data, an absent value left out of its record.

>>> import duckdb
>>> from alignrules.compile import compile_text
>>> from alignrules.sql.layout import layout
>>> compiled = compile_text(
...     'entity Claim in "marketing.claims" { id: text  cost: decimal  tags: list of text }'
... )
>>> con = duckdb.connect()
>>> _ = con.execute(
...     'CREATE TABLE "Claim" AS SELECT 0::BIGINT AS ar_row, \\'K1\\' AS id,'
...     ' 1.5::DECIMAL(38, 9) AS cost, 2::SMALLINT AS cost__scale, true AS tags__present'
... )
>>> _ = con.execute(
...     'CREATE TABLE "Claim__tags" AS SELECT \\'K1\\' AS ar_owner, 0::BIGINT AS ar_pos,'
...     ' \\'green\\' AS value'
... )
>>> plan_data(con, compiled.program, compiled.module, layout(compiled.program), "demo")
{'marketing': {'claims': [{'id': 'K1', 'cost': Decimal('1.50'), 'tags': ['green']}]}}
"""

from __future__ import annotations

import decimal
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place
from alignrules.ir import nodes as ir
from alignrules.ir.types import Prim
from alignrules.sql.layout import (
    OWNER,
    POS,
    ROW,
    VALUE,
    Layout,
    Table,
    currency_column,
    element_type,
    present_column,
    scale_column,
)
from alignrules.sql.native_engine import Connection

__all__ = ["plan_data", "read_tables"]

#: Enough digits to give any DECIMAL(38, s) value its written places: the default context's
#: 28 would refuse to quantize a 38-digit amount.
_EXACT: Final = decimal.Context(prec=80)


def read_tables(program: ir.Program, module: Any, path: str | os.PathLike[str]) -> Any:
    """The plain data of the plan held as tables at `path` (Parquet files or a DuckDB file),
    after the checks `sql.sources.attach_tables` makes; what `module.load` binds."""
    import duckdb

    from alignrules.sql.sources import attach_tables

    name = os.fspath(path)
    con = duckdb.connect(":memory:")
    try:
        lay = attach_tables(con, program, path)
        return plan_data(con, program, module, lay, name)
    except (duckdb.Error, ValueError, OverflowError) as exc:
        # e.g. a DATE column holding a day past the year 9999, which Python has no date for
        raise DiagnosticError(
            Diagnostic("data", f"DuckDB could not read the tables: {exc}", where=Place(name))
        ) from None
    finally:
        con.close()


def plan_data(
    con: Connection, program: ir.Program, module: Any, lay: Layout, where: str
) -> dict[str, Any]:
    """Every relation of `lay` in `con`, as the plain data of the plan it holds.

    A schema whose records cannot be put back where the Python reader finds them (an entity
    read through `[]` or with a `from parent` field: the tables do not say which record holds
    each of its records) is a `data` error located at the entity's declaration; a number
    whose places are not given is one located at `where`, the tables' name.
    """
    root: dict[str, Any] = {}
    for entity, spec in zip(program.entities, module.SPECS, strict=True):
        _placeable(entity)
        records = _records(con, program, lay, entity, spec, where)
        if entity.single:
            for record in records:  # the layout's one row, if any
                _put(root, entity.path, record)
        else:
            _put(root, entity.path, records)
    return root


def _placeable(entity: ir.Entity) -> None:
    """Refuse an entity whose records' places the tables do not keep."""
    nested = not entity.path or ir.EACH in entity.path
    parent = next((f for f in entity.fields if f.parent), None)
    if not nested and parent is None:
        return
    why = (
        f"its field `{parent.name}` is read `from parent`"
        if parent is not None
        else "its records are read through `[]`"
    )
    raise DiagnosticError(
        Diagnostic(
            "data",
            f"`{entity.name}` cannot be read back from tables for the Python engine, which"
            f" this plan needs: {why}, and the tables do not say which record holds each"
            f" {entity.name}",
            entity.span,
            hint="check this plan as a JSON or YAML export",
        )
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _records(
    con: Connection,
    program: ir.Program,
    lay: Layout,
    entity: ir.Entity,
    spec: Any,
    where: str,
) -> list[dict[str, Any]]:
    """`entity`'s records in `ar_row` order, each a plain record as JSON would hold it."""
    table = lay.entity_table(entity.name)
    names = [c.name for c in table.columns]
    at = {n: i for i, n in enumerate(names)}
    rows = con.execute(
        f"SELECT {', '.join(_q(n) for n in names)} FROM {_q(table.name)} ORDER BY {_q(ROW)}"
    ).fetchall()
    lists = {
        f.name: _elements(con, lay.list_table(entity.name, f.name), f, where)
        for f in entity.fields
        if f.many
    }
    key_at = at[entity.key]
    out: list[dict[str, Any]] = []
    for row in rows:
        record: dict[str, Any] = {}
        for f, fs in zip(entity.fields, spec.fields, strict=True):
            if f.many:
                if not row[at[present_column(f.name)]]:
                    continue  # FALSE or NULL: the list is not in the data
                value: Any = lists[f.name].get(row[key_at], [])
            else:
                value = _value(f, row, at, f.name, f"{table.name}.{f.name}", where)
                if value is None:
                    continue
            _put(record, fs.path or (fs.data,), value)
        out.append(record)
    return out


def _elements(con: Connection, table: Table, f: ir.Field, where: str) -> dict[Any, list[Any]]:
    """A list field's elements by their owner's key, each list in `ar_pos` order."""
    names = [c.name for c in table.columns]
    at = {n: i for i, n in enumerate(names)}
    rows = con.execute(
        f"SELECT {', '.join(_q(n) for n in names)} FROM {_q(table.name)}"
        f" ORDER BY {_q(OWNER)}, {_q(POS)}"
    ).fetchall()
    out: dict[Any, list[Any]] = {}
    for row in rows:
        value = _value(f, row, at, VALUE, f"{table.name}.{VALUE}", where)
        out.setdefault(row[at[OWNER]], []).append(value)
    return out


def _value(
    f: ir.Field, row: tuple[Any, ...], at: Mapping[str, int], column: str, name: str, where: str
) -> Any:
    """One value of `f` from `column` of `row` (with its scale and currency), as JSON holds
    it, or None for a missing value."""
    value = row[at[column]]
    if value is None:
        return None
    base = element_type(f.type)
    if base not in (Prim("decimal"), Prim("money")):
        # text, whole numbers, booleans, keys and enum value names are as JSON has them;
        # a date is one the Python reader takes as it is, a duration a number of days
        return value
    places = row[at[scale_column(column)]]
    if places is None:
        raise DiagnosticError(
            Diagnostic(
                "data",
                f"`{name}` holds {value} with no places in `{scale_column(name)}`: the layout"
                " keeps the places each number was written with",
                where=Place(where),
            )
        )
    amount = Decimal(value).quantize(Decimal(1).scaleb(-places), context=_EXACT)
    if base == Prim("decimal"):
        return amount
    return {"amount": amount, "currency": row[at[currency_column(column)]]}


def _put(node: dict[str, Any], path: Iterable[str], value: Any) -> None:
    """Set `value` at the keys `path` below `node`, making the objects on the way (and
    merging into one already there: an `at` record can hold another entity's records)."""
    *steps, last = path
    for step in steps:
        node = node.setdefault(step, {})
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        node[last] = {**value, **node[last]}
    else:
        node[last] = value
