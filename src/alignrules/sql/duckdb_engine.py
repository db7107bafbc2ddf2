"""The DuckDB engine (extra `duckdb`): check a plan with the SQL translation of a ruleset.

The baseline loader reads any plan the Python backend reads, through the same reader and
binder (so every data error, and every `dangling-reference` finding, is that backend's), then
bulk-loads the bound records into an in-memory DuckDB database in the table layout
(`sql.layout`), runs one query per rule and builds the same `Report`.

Decimal columns get the scale the plan needs (`sql.limits.plan_scale`). Where the database
could not give the Python backend's answer, the engine does not guess:

- a value the layout cannot hold exactly (numbers needing more than 38 digits at one scale,
  an integer beyond 64 bits, text that is not valid Unicode), or a rule the database cannot
  finish on this data (an overflow, a date out of range, a division by zero), raises
  `sql.limits.PythonNeeded`, and the caller checks the plan with the Python engine;
- a rule that reads money in more than one currency is refused with a located error: the
  Python backend stops on a rule that combines two currencies, and amounts alone cannot tell
  whether this one would.

`ignoring case`, `lower` and `upper` call Python's `str.casefold`, `str.lower` and
`str.upper` as DuckDB functions, so that text is folded exactly as the Python backend does.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlglot import exp

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.runtime import bind
from alignrules.runtime.report import Report, RuleCrashed, RuleInfo, Violation
from alignrules.sql.findings import Columns
from alignrules.sql.layout import (
    DECIMAL_SCALE,
    VALUE,
    Layout,
    Table,
    currency_column,
)
from alignrules.sql.limits import PythonNeeded, RuleNeedsPython, fits, plan_scale
from alignrules.sql.messages import Bound, RowReader
from alignrules.sql.text import query_text
from alignrules.sql.translate import DATE_STOP, RuleQuery, Translation, translate

_INT64 = 2**63


class EngineLimit(Exception):
    """A value or rule the DuckDB engine cannot check as the Python backend would."""


def check(
    program: ir.Program,
    module: Any,
    data: Any,
    params: Any,
    *,
    today: date,
    dialect: str = "json",
) -> Report:
    """Check plain plan `data` (as `module.load` takes it) with DuckDB.

    `module` is the ruleset's generated Python module (its binder, rule metadata and enum
    members); `params` its `Params` object. Raises `bind.DataError` as `module.load` does,
    `sql.limits.PythonNeeded` where only the Python engine gives this plan's report (a
    number no SQL decimal holds, a rule failing on the data, a rule reading money in
    several currencies), `RuleCrashed` when the database stops a rule otherwise, and
    `DiagnosticError` for what this engine cannot check.
    """
    import duckdb

    entities, indexes, problems = module.BINDER.bind(data, dialect)
    members = enum_members(program, module)
    enum_names: dict[object, str] = dict(module.ENUM_TEXT)
    param_values = {spec[0]: getattr(params, spec[1]) for spec in module.PARAM_SPECS}
    fattrs = field_attrs(program, module)
    scale = plan_scale(program, entities, fattrs, param_values)
    tr = translate(
        program,
        dialect="duckdb",
        params=param_values,
        today=today,
        casefold=True,
        enum_names=enum_names,
        stops=True,
        scale=scale,
    )
    bound = Bound(entities, indexes, fattrs, param_values, members, today)
    infos: dict[str, RuleInfo] = {info.id: info for info, _ in module.RULES}
    con = duckdb.connect(":memory:")
    try:
        con.create_function("ar_casefold", str.casefold, ["VARCHAR"], "VARCHAR")
        con.create_function("ar_lower", str.lower, ["VARCHAR"], "VARCHAR")
        con.create_function("ar_upper", str.upper, ["VARCHAR"], "VARCHAR")
        try:
            _load(con, program, tr.layout, entities, fattrs, enum_names, scale)
        except EngineLimit as exc:
            raise PythonNeeded(f"the duckdb engine cannot hold this plan: {exc}") from None
        found: list[Violation] = list(problems)
        found += rule_violations(con, program, tr, infos, bound, param_values)
    finally:
        con.close()
    rules = (bind.DANGLING, *(info for info, _ in module.RULES))
    counts = tuple((e.name, len(entities[e.name])) for e in program.entities)
    return Report.build(found, rules, today, counts)


def rule_violations(
    con: Any,
    program: ir.Program,
    tr: Translation,
    infos: Mapping[str, RuleInfo],
    bound: Bound,
    params: Mapping[str, Any],
) -> list[Violation]:
    """Every rule query run on the tables in `con`, its rows turned into violations (shared
    with the engine that loads the tables with DuckDB's own readers)."""
    found: list[Violation] = []
    # Messages print numbers in the rules' own decimal context, as the Python engine's do
    # (`normalize` and `quantize` round to the context's precision).
    with bind.arithmetic():
        for q in tr.queries:
            found += _violations(con, program, tr, q, infos[q.rule.id], bound, params)
    return found


def _violations(
    con: Any,
    program: ir.Program,
    tr: Translation,
    q: RuleQuery,
    info: RuleInfo,
    bound: Bound,
    params: Mapping[str, Any],
) -> list[Violation]:
    """Rule query `q` run on the tables in `con`, its rows turned into violations."""
    import duckdb

    _check_currencies(con, tr.layout, q, program, params)
    columns = Columns.plan(program, tr.layout, q, info, bound)
    query = query_text(q, "duckdb")
    try:
        rows = con.execute(query if columns is None else columns.wrap(query)).fetchall()
    except duckdb.Error as exc:
        if DATE_STOP in str(exc):  # as the Python engine words it
            cause: Exception = OverflowError("date value out of range")
            raise RuleNeedsPython(info.id, info.origin) from cause
        if isinstance(exc, duckdb.OutOfRangeException | duckdb.ConversionException):
            # an overflow on this data: the Python engine, with 60 digits, may answer
            raise RuleNeedsPython(info.id, info.origin) from exc
        raise RuleCrashed(info.id, info.origin) from exc
    n = len(q.bound)
    if q.crash:
        at = -1 - (0 if columns is None else columns.width)
        crashed = sorted(row[:at] for row in rows if row[at])
        if crashed:
            _crash(program, q, info, bound, crashed[0][0])
    if columns is not None:
        return columns.violations(rows)
    reader = RowReader(program, q.rule, info, bound, q.lets)
    if q.crash:
        rows = [row[:-1] for row in rows]
    return [
        reader.violation(
            row[0], [(var, ent, row[1 + i]) for i, (var, ent) in enumerate(q.bound)], row[1 + n :]
        )
        for row in rows
    ]


def _crash(program: ir.Program, q: RuleQuery, info: RuleInfo, bound: Bound, row: int) -> None:
    """Stop as the Python engine stops on a division by zero: naming the rule and record."""
    entity = program.entity(q.rule.subject_entity)
    record = bound.records[entity.name][row]
    key = getattr(record, bound.attrs[entity.name][entity.key])
    try:
        raise decimal.DivisionByZero("division by zero")
    except decimal.DivisionByZero as exc:
        raise RuleNeedsPython(
            info.id, info.origin, f"{entity.name} `{key}`", record.ar_pointer
        ) from exc


def field_attrs(program: ir.Program, module: Any) -> dict[str, dict[str, str]]:
    """Entity name -> field name -> the attribute of the module's class that holds it."""
    return {
        spec.name: {
            f.name: fs.attr
            for f, fs in zip(program.entity(spec.name).fields, spec.fields, strict=True)
        }
        for spec in module.SPECS
    }


def enum_members(program: ir.Program, module: Any) -> dict[tuple[str, str], Any]:
    """(enum, value name) -> the module's member; `ENUM_TEXT` lists them in declaration order."""
    items = iter(module.ENUM_TEXT.items())
    out: dict[tuple[str, str], Any] = {}
    for en in program.enums:
        for value in en.values:
            member, text = next(items)
            assert text == value
            out[(en.name, value)] = member
    return out


def _check_currencies(
    con: Any, lay: Layout, q: RuleQuery, program: ir.Program, params: Mapping[str, Any]
) -> None:
    codes: set[str] = set()
    for entity, field in q.money:
        f = program.entity(entity).field(field)
        assert f is not None
        codes.update(_currencies(con, lay, entity, f))
    for name in q.money_params:
        value = params[name]
        if getattr(value, "currency", None):
            codes.add(value.currency)
    codes.update(q.currencies)
    if len(codes) > 1:
        # Amounts alone cannot tell whether the Python engine would stop on a rule that
        # combines two currencies, so its report is the report: same as every other engine.
        raise PythonNeeded(f"money in several currencies: {', '.join(sorted(codes))}")


def _currencies(con: Any, lay: Layout, entity: str, f: ir.Field) -> list[str]:
    """The currencies a money field's values are in."""
    table = lay.list_table(entity, f.name) if f.many else lay.entity_table(entity)
    column = currency_column(VALUE if f.many else f.name)
    col = exp.column(column, quoted=True)
    query = (
        exp.select(col)
        .distinct()
        .from_(exp.Table(this=exp.to_identifier(table.name, quoted=True)))
        .where(exp.Not(this=exp.Is(this=col.copy(), expression=exp.null())))
    )
    return [r[0] for r in con.execute(query.sql("duckdb")).fetchall()]


def _create(table: Table) -> str:
    schema = exp.Schema(
        this=exp.Table(this=exp.to_identifier(table.name, quoted=True)),
        expressions=[
            exp.ColumnDef(
                this=exp.to_identifier(c.name, quoted=True), kind=exp.DataType.build(c.sql_type)
            )
            for c in table.columns
        ],
    )
    return exp.Create(kind="TABLE", this=schema).sql("duckdb")


def _load(
    con: Any,
    program: ir.Program,
    lay: Layout,
    entities: Mapping[str, Sequence[Any]],
    fattrs: Mapping[str, Mapping[str, str]],
    enum_names: Mapping[object, str],
    scale: int = DECIMAL_SCALE,
) -> None:
    for table in lay.tables:
        con.execute(_create(table))
    for entity in program.entities:
        records = entities[entity.name]
        table = lay.entity_table(entity.name)
        attrs_of = fattrs[entity.name]
        key_attr = attrs_of[entity.key]
        rows: list[tuple[Any, ...]] = []
        lists: dict[str, list[tuple[Any, ...]]] = {f.name: [] for f in entity.fields if f.many}
        for i, rec in enumerate(records):
            row: list[Any] = [i]
            for f in entity.fields:
                value = getattr(rec, attrs_of[f.name])
                if f.many:
                    row.append(value is not None)
                    owner = getattr(rec, key_attr)
                    for pos, item in enumerate(value or ()):
                        lists[f.name].append((owner, pos, *_cells(f, item, enum_names, scale)))
                else:
                    row.extend(_cells(f, value, enum_names, scale))
            rows.append(tuple(row))
        _insert(con, table, rows)
        for name, items in lists.items():
            _insert(con, lay.list_table(entity.name, name), items)


def _insert(con: Any, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    insert = exp.insert(
        exp.values([tuple(exp.Placeholder() for _ in table.columns)]),
        exp.Table(this=exp.to_identifier(table.name, quoted=True)),
    )
    con.executemany(insert.sql("duckdb"), rows)


def _cells(
    f: ir.Field, value: Any, enum_names: Mapping[object, str], scale: int
) -> tuple[Any, ...]:
    base = t.strip_opt(f.type)
    if isinstance(base, t.CollT):
        base = t.strip_opt(base.elem)
    if base == t.MONEY:
        if value is None:
            return (None, None, None)
        return (_decimal(value.amount, f, scale), value.currency, _scale(value.amount))
    if value is None:
        return (None, None) if base == t.DECIMAL else (None,)
    if isinstance(base, t.EnumT):
        return (enum_names[value],)
    if base == t.DURATION:
        return (value.days,)
    if base == t.DECIMAL:
        return (_decimal(value, f, scale), _scale(value))
    if isinstance(value, bool):
        return (value,)
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise EngineLimit(f"the whole number {value} (field `{f.name}`) is beyond 64 bits")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise EngineLimit(f"text in field `{f.name}` is not valid Unicode") from None
    return (value,)


def _scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _decimal(value: Decimal, f: ir.Field, scale: int) -> Decimal:
    d = Decimal(value)
    if not fits(d, scale):
        raise EngineLimit(
            f"the number {value} (field `{f.name}`) has more than {scale} decimal"
            " places or is too large"
        )
    return d
