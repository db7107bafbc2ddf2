"""The DuckDB engine on a plan file that DuckDB reads itself: no Python object per record.

`check_file` loads a JSON plan with `sql.readers.load_json` (`check_csv` a CSV file or folder
with `sql.csv_reader.load_csv`), finds dangling references with
one anti-join per reference field, runs the same rule queries as `sql.duckdb_engine`, and
builds the same `Report`. Python records are made only for the rows a finding names (the
subject, the records bound beside it, those a message reads), fetched from the tables a
block at a time, so a plan's size costs Python nothing when it is clean.

When the native reader cannot give the Python loader's tables exactly (`NativeUnavailable`),
the caller checks the plan with the baseline engine instead; the report is the same either
way, only the time differs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, Protocol

import duckdb

from alignrules.diagnostics import DiagnosticError
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime import bind
from alignrules.runtime.report import Location, Report, RuleInfo, Violation
from alignrules.runtime.values import Money, finite_decimal
from alignrules.sql.csv_reader import csv_files, load_csv
from alignrules.sql.duckdb_engine import enum_members, field_attrs, rule_violations
from alignrules.sql.layout import (
    DECIMAL_SCALE,
    OWNER,
    POS,
    ROW,
    VALUE,
    Layout,
    currency_column,
    present_column,
    scale_column,
)
from alignrules.sql.limits import PythonNeeded, plan_scale
from alignrules.sql.messages import Bound
from alignrules.sql.readers import NativeUnavailable, load_json, pointer_for
from alignrules.sql.sources import attach_tables
from alignrules.sql.text import query_text
from alignrules.sql.translate import Translation, translate

__all__ = [
    "Connection",
    "NativeUnavailable",
    "check_csv",
    "check_file",
    "check_tables",
    "check_tables_in",
    "python_needed",
]


class Connection(Protocol):
    """What the engine asks of a database: DuckDB's `execute(sql)`, whose result has
    `fetchall()`. The queries are written in DuckDB's SQL."""

    def execute(self, query: str, /) -> Any: ...


#: Records are fetched this many rows at a time: findings come in subject order, so a block
#: usually serves many of them.
_BLOCK: Final = 32768


def check_file(
    program: ir.Program,
    module: Any,
    path: str | os.PathLike[str],
    params: Any,
    *,
    today: date,
    raw: Callable[[str], Any],
) -> Report:
    """Check the JSON plan at `path` in DuckDB, reading it with DuckDB's own reader.

    `raw(pointer)` gives the value at a JSON pointer of the plan as the Python reader reads
    it; it is called only when a finding prints a decimal or money value, whose digits as
    written (`100.50`) the tables do not keep.

    Raises `NativeUnavailable` when that reader cannot match the Python loader for this plan,
    `RuleCrashed` when the database stops a rule, and `DiagnosticError` for what the SQL
    engine cannot check (as `duckdb_engine.check`).
    """
    if plan_scale(program, {}, {}, _param_values(module, params)) > DECIMAL_SCALE:
        # The JSON reader's columns have 9 places; a literal or parameter with more needs
        # the scale the baseline engine picks.
        raise NativeUnavailable("a rule or parameter is written with more than 9 places")
    tr = _translate(program, module, params, today, stops=True)
    texts = [query_text(q, "duckdb") for q in tr.queries]
    scales = [c.name for tb in tr.layout.tables for c in tb.columns if c.role == "scale"]
    if any(f'"{name}"' in text for name in scales for text in texts):
        # DuckDB's JSON reader parses a number into a binary double or a fixed scale, so
        # the places it was written with (`0.50`) are lost; a query that prints a computed
        # decimal needs them.
        raise NativeUnavailable("a rule prints a computed decimal, which needs its places")
    return _run(program, module, tr, params, today, raw, lambda con: load_json(con, program, path))


def check_csv(
    program: ir.Program,
    module: Any,
    path: str | os.PathLike[str],
    params: Any,
    *,
    today: date,
) -> Report:
    """Check the CSV plan at `path` (a `.csv` file, or a folder of them) in DuckDB, reading
    it with DuckDB's own CSV reader (`sql.csv_reader`). Findings are located by pointers
    (`/claims.csv/3/budget`), as the Python engine's are before they get file:line:column.

    Raises as `check_file` does.
    """
    if plan_scale(program, {}, {}, _param_values(module, params)) > DECIMAL_SCALE:
        raise NativeUnavailable("a rule or parameter is written with more than 9 places")
    files = csv_files(path)
    tr = _translate(program, module, params, today, stops=True)
    # The CSV text gives every number's places (the scale columns), so no value needs the
    # plan's text.

    def no_raw(pointer: str) -> Any:  # pragma: no cover - the tables hold every number's places
        raise AssertionError("a CSV plan's numbers are read with their places")

    paths = {e.name: (e.csv,) for e in program.entities}
    return _run(
        program,
        module,
        tr,
        params,
        today,
        no_raw,
        lambda con: load_csv(con, program, module.SPECS, files),
        paths=paths,
    )


def check_tables(
    program: ir.Program,
    module: Any,
    path: str | os.PathLike[str],
    params: Any,
    *,
    today: date,
) -> Report:
    """Check a plan held as tables in the layout: a folder of Parquet files or a DuckDB
    database file (`sql.sources`). A table that does not fit the layout is a `data` error.

    Raises `PythonNeeded` where the queries cannot give the Python engine's report on these
    tables (`python_needed`); the caller then reads them back for it (`sql.from_tables`).
    """

    def no_raw(pointer: str) -> Any:  # pragma: no cover - the tables hold every number's places
        raise AssertionError("a table source has no plan text")

    if plan_scale(program, {}, {}, _param_values(module, params)) > DECIMAL_SCALE:
        raise PythonNeeded("a rule or parameter is written with more than 9 places")
    tr = _translate(program, module, params, today, stops=True)
    with python_needed():
        return _run(
            program,
            module,
            tr,
            params,
            today,
            no_raw,
            lambda con: attach_tables(con, program, path),
        )


@contextlib.contextmanager
def python_needed() -> Iterator[None]:
    """Around the queries run on a plan held as tables: a rule refused on the data (money in
    several currencies; once the queries are translated, no other refusal is left) raises
    `PythonNeeded`, as a rule the database cannot finish does, for the Python engine to
    check the plan; the Python engine stops only on a rule that combines two currencies."""
    try:
        yield
    except DiagnosticError as exc:
        if exc.diagnostics and all(d.code == "sql-unsupported" for d in exc.diagnostics):
            raise PythonNeeded(exc.diagnostics[0].message) from exc
        raise


def _translate(
    program: ir.Program, module: Any, params: Any, today: date, *, stops: bool = False
) -> Translation:
    """The queries; `stops` raises where date arithmetic leaves the years 1-9999, where the
    Python engine stops the check."""
    return translate(
        program,
        dialect="duckdb",
        params=_param_values(module, params),
        today=today,
        casefold=True,
        enum_names=dict(module.ENUM_TEXT),
        stops=stops,
    )


def _param_values(module: Any, params: Any) -> dict[str, Any]:
    return {spec[0]: getattr(params, spec[1]) for spec in module.PARAM_SPECS}


def _run(
    program: ir.Program,
    module: Any,
    tr: Translation,
    params: Any,
    today: date,
    raw: Callable[[str], Any],
    fill: Callable[[duckdb.DuckDBPyConnection], object],
    *,
    paths: Mapping[str, tuple[str, ...]] | None = None,
) -> Report:
    con = duckdb.connect(":memory:")
    try:
        con.create_function("ar_casefold", str.casefold, ["VARCHAR"], "VARCHAR")
        con.create_function("ar_lower", str.lower, ["VARCHAR"], "VARCHAR")
        con.create_function("ar_upper", str.upper, ["VARCHAR"], "VARCHAR")
        fill(con)
        return check_tables_in(con, program, module, tr, params, today, raw, paths=paths)
    finally:
        con.close()


def check_tables_in(
    con: Connection,
    program: ir.Program,
    module: Any,
    tr: Translation,
    params: Any,
    today: date,
    raw: Callable[[str], Any],
    *,
    paths: Mapping[str, tuple[str, ...]] | None = None,
) -> Report:
    """The report of `tr`'s queries on the layout's tables in `con` (DuckDB, or another
    engine behind an object with DuckDB's `execute(sql).fetchall()`).

    `paths` gives each entity's records' place in the plan, for their pointers: by default
    the entity's path (`/marketing/claims/7`); for a CSV plan its file (`/claims.csv/7`)."""
    param_values = _param_values(module, params)
    members = enum_members(program, module)
    where = {e.name: e.path for e in program.entities} if paths is None else paths
    records = {
        spec.name: _Records(con, program, tr.layout, spec, members, raw, where[spec.name])
        for spec in module.SPECS
    }
    fattrs = field_attrs(program, module)
    indexes = {name: _Index(con, recs) for name, recs in records.items()}
    prefixes = {e.name: pointer_for(where[e.name], 0)[:-1] for e in program.entities}
    bound = Bound(
        records,
        indexes,
        fattrs,
        param_values,
        members,
        today,
        pointers=lambda entity, row: f"{prefixes[entity]}{row}",
    )
    infos: dict[str, RuleInfo] = {info.id: info for info, _ in module.RULES}
    rules = (bind.DANGLING, *(info for info, _ in module.RULES))
    counts = tuple((e.name, len(records[e.name])) for e in program.entities)
    with bind.gc_paused():  # many violations and their messages, no cycles
        found = _dangling(con, program, tr.layout, module, where)
        found += rule_violations(con, program, tr, infos, bound, param_values)
        return Report.build(found, rules, today, counts)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------------ dangling references
def _dangling(
    con: Connection,
    program: ir.Program,
    lay: Layout,
    module: Any,
    paths: Mapping[str, tuple[str, ...]],
) -> list[Violation]:
    """The binder's `dangling-reference` findings, found by anti-joins."""
    out: list[Violation] = []
    for entity, spec in zip(program.entities, module.SPECS, strict=True):
        own = lay.entity_table(entity.name)
        key = _q(entity.key)
        for f, fs in zip(entity.fields, spec.fields, strict=True):
            if f.ref is None or not f.report_dangling:
                continue
            target = program.entity(f.ref)
            other = lay.entity_table(target.name)
            tkey = _q(target.key)
            if f.many:
                items = lay.list_table(entity.name, f.name)
                sql = (
                    f"SELECT o.{ROW}, o.{key}, l.{VALUE}, l.{POS},"
                    f" count(*) OVER (PARTITION BY l.{OWNER}, l.{VALUE})"
                    f" FROM {_q(items.name)} l JOIN {_q(own.name)} o ON o.{key} = l.{OWNER}"
                    f" WHERE NOT EXISTS (SELECT 1 FROM {_q(other.name)} x"
                    f" WHERE x.{tkey} = l.{VALUE})"
                )
            else:
                col = _q(f.name)
                sql = (
                    f"SELECT o.{ROW}, o.{key}, o.{col}, NULL, 1 FROM {_q(own.name)} o"
                    f" WHERE o.{col} IS NOT NULL AND NOT EXISTS"
                    f" (SELECT 1 FROM {_q(other.name)} x WHERE x.{tkey} = o.{col})"
                )
            for row, own_key, k, pos, repeats in con.execute(sql).fetchall():
                pointer = pointer_for(paths[entity.name], row)
                sub = f"/{pos}" if pos is not None and repeats == 1 else ""
                out.append(
                    Violation(
                        rule=bind.DANGLING.id,
                        severity=bind.DANGLING.severity,
                        message=f"{entity.name} {own_key} references {f.ref} {k},"
                        " which does not exist",
                        entity=entity.name,
                        key=str(own_key),
                        location=Location(None, pointer),
                        related=((f.ref, str(k)),),
                        field=fs.attr,
                        field_location=Location(None, f"{pointer}{fs.pointer}{sub}"),
                    )
                )
    return out


# ------------------------------------------------------------------ records on demand
class _Records(Sequence[Any]):
    """An entity's records as the module's classes, made only for the rows asked for."""

    def __init__(
        self,
        con: Connection,
        program: ir.Program,
        lay: Layout,
        spec: Any,
        members: Mapping[tuple[str, str], Any],
        raw: Callable[[str], Any],
        path: tuple[str, ...],
    ) -> None:
        self.con, self.spec, self.raw, self.path = con, spec, raw, path
        self.entity = program.entity(spec.name)
        self.table = lay.entity_table(spec.name)
        self.lists = {
            f.name: lay.list_table(spec.name, f.name) for f in self.entity.fields if f.many
        }
        self.names = [c.name for c in self.table.columns]
        where = {n: i for i, n in enumerate(self.names)}
        # (attribute, column of the value, how a value is made); a money value read natively
        # has no currency (only JSON numbers are), so its currency column is not read
        self.plan: list[tuple[str, int, str, Callable[..., Any]]] = []
        self.extra: dict[str, tuple[int, int | None]] = {}  # decimal: scale, currency columns
        for f, fs in zip(self.entity.fields, spec.fields, strict=True):
            column = present_column(f.name) if f.many else f.name
            how = "list" if f.many else fs.kind if fs.kind in ("decimal", "money") else "value"
            self.plan.append((fs.attr, where[column], how, _maker(f, members)))
            if how in ("decimal", "money"):
                self.extra[fs.attr] = (
                    where[scale_column(f.name)],
                    where.get(currency_column(f.name)),
                )
        self.blocks: dict[int, tuple[dict[int, tuple[Any, ...]], dict[str, Any]]] = {}
        self.cache: dict[int, Any] = {}
        count = con.execute(f"SELECT count(*) FROM {_q(self.table.name)}").fetchall()
        self.size: int = count[0][0]

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self.size))

    def __getitem__(self, row: Any) -> Any:
        if not isinstance(row, int):
            raise TypeError("records are read one row at a time")
        record = self.cache.get(row)
        if record is None:
            start = row - row % _BLOCK
            block = self.blocks.get(start)
            if block is None:
                block = self.blocks[start] = self._fetch(start)
            record = self.cache[row] = self._record(row, *block)
        return record

    def _fetch(self, start: int) -> tuple[dict[int, tuple[Any, ...]], dict[str, Any]]:
        where = f"{ROW} >= {start} AND {ROW} < {start + _BLOCK}"
        rows = self.con.execute(
            f"SELECT {', '.join(_q(n) for n in self.names)} FROM {_q(self.table.name)}"
            f" WHERE {where}"
        ).fetchall()
        items: dict[str, Any] = {}
        key = _q(self.entity.key)
        for name, lt in self.lists.items():
            have = {c.name for c in lt.columns}
            # an element's places (NULL where the JSON reader could not keep them), then
            # its currency: `_record` makes the element from both
            value = f"l.{VALUE}" + "".join(
                f", l.{_q(c)}" if c in have else ", NULL"
                for c in (scale_column(VALUE), currency_column(VALUE))
            )
            got: dict[int, list[Any]] = {}
            for r in self.con.execute(
                f"SELECT o.{ROW}, {value} FROM {_q(lt.name)} l JOIN {_q(self.table.name)} o"
                f" ON o.{key} = l.{OWNER} WHERE {where.replace(ROW, 'o.' + ROW)}"
                f" ORDER BY o.{ROW}, l.{POS}"
            ).fetchall():
                got.setdefault(r[0], []).append(r[1:])
            items[name] = got
        return {r[0]: r for r in rows}, items

    def _record(
        self, row: int, cells: Mapping[int, tuple[Any, ...]], items: Mapping[str, Any]
    ) -> Any:
        r = cells[row]
        kw: dict[str, Any] = {"ar_pointer": pointer_for(self.path, row)}
        for (attr, column, how, make), f in zip(self.plan, self.entity.fields, strict=True):
            value = r[column]
            if value is None:
                kw[attr] = None
            elif how == "list":
                elements = items[f.name].get(row, ())
                kw[attr] = tuple(make(*_placed(e)) for e in elements) if value else None
            elif how == "value":
                kw[attr] = make(value)
            elif r[self.extra[attr][0]] is not None:  # tables that know the places
                scale_at, currency_at = self.extra[attr]
                number = Decimal(value).quantize(Decimal(1).scaleb(-r[scale_at]))
                currency = None if currency_at is None else r[currency_at]
                kw[attr] = number if how == "decimal" else Money(number, currency)
            else:
                # The native reader took only JSON numbers here: the Python reader's Decimal
                # of the same number is the value, with the digits as written (`100.50`).
                written = self.raw(f"{kw['ar_pointer']}/{escape_pointer(f.data_name)}")
                number = finite_decimal(Decimal(written))
                kw[attr] = number if how == "decimal" else Money(number, None)
        return self.spec.cls(**kw)


def _placed(element: tuple[Any, ...]) -> tuple[Any, ...]:
    """A list element's (value, currency) from its (value, places, currency) cells: a decimal
    with the places it was written with (`2.50`), as a message prints it; a number whose
    places the tables do not know keeps the column's."""
    value, places, currency = element
    if places is not None and value is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-places))
    return value, currency


def _maker(f: ir.Field, members: Mapping[tuple[str, str], Any]) -> Callable[..., Any]:
    """How one value of `f` (with its currency, for money) becomes the Python value."""
    base = t.strip_opt(f.type)
    if isinstance(base, t.CollT):
        base = t.strip_opt(base.elem)
    if isinstance(base, t.EnumT):
        name = base.name
        return lambda v, *_: members[(name, v)]
    if base == t.MONEY:
        return lambda v, c=None: Money(v, c)
    if base == t.DURATION:
        return lambda v, *_: timedelta(days=v)
    return lambda v, *_: v


class _Index(Mapping[Any, Any]):
    """An entity's key index (key -> record): the keys and rows are fetched once, at the first
    lookup, and a record is made only when a lookup finds it."""

    def __init__(self, con: Connection, records: _Records) -> None:
        self.con, self.records = con, records
        self._rows: dict[Any, int] | None = None

    @property
    def rows(self) -> dict[Any, int]:
        if self._rows is None:
            key = _q(self.records.entity.key)
            found = self.con.execute(
                f"SELECT {key}, {ROW} FROM {_q(self.records.table.name)} ORDER BY {ROW}"
            ).fetchall()
            self._rows = dict(found)
        return self._rows

    def __getitem__(self, key: Any) -> Any:
        return self.records[self.rows[key]]

    def __contains__(self, key: object) -> bool:
        return key in self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)
