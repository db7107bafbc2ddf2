"""A rule's findings made in bulk: plain columns joined onto its query's rows.

`RowReader` (`sql.messages`) makes a finding from records, one row at a time, which costs a
Python record for every record a finding names. `Columns` asks the database for the values
instead: the rule's query is wrapped in one that joins the records a finding names and
returns the subject's key, the related keys and each message hole's value as plain columns,
and each hole is printed by a function made once per rule. The text is `RowReader`'s,
character for character; a rule whose message this cannot print is left to `RowReader`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.runtime import bind
from alignrules.runtime.report import RuleInfo, Violation
from alignrules.sql.layout import ROW, Layout
from alignrules.sql.messages import Bound, RowReader, exact, is_path
from alignrules.sql.translate import RuleQuery

__all__ = ["Columns"]

_Cells = Sequence[Any]
#: A message hole: its text from a wrapped query's row, whose extras start at the int.
_Hole = Callable[[_Cells, int], str]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Columns:
    """One rule's findings made from columns joined onto its query's rows: the subject's key,
    the related keys and every message hole come back as plain values, each hole formatted
    by a function made once per rule, so no record is built for a finding (`RowReader` does
    that, for the rules this cannot read).

    A hole is read this way when it is a constant, a computed `let` of a plain type, a plain
    value the rule ranges over, or a field path from a bound record through single
    references, the form messages take. A missing step prints `missing` and a dangling one
    `KEY (dangling)`, as `RowReader` does; decimal and money fields print from their
    records, which hold the places as written, and a plain number from the places the query
    returns beside it.
    """

    def __init__(
        self,
        program: ir.Program,
        lay: Layout,
        q: RuleQuery,
        info: RuleInfo,
        bound: Bound,
    ) -> None:
        self.p, self.lay, self.q, self.info, self.b = program, lay, q, info, bound
        self.rule = r = q.rule
        self.reader = RowReader(program, r, info, bound, q.lets)
        self.select: list[str] = []
        self.joins: list[str] = []
        self._aliases: dict[tuple[Any, ...], str] = {}
        self.bases = {var: f"ar_bound_{i}" for i, (var, _) in enumerate(q.bound)}
        self.bases[r.subject] = "ar_subject"
        self.entities = {var: ent for var, ent in q.bound}
        self.entities[r.subject] = r.subject_entity
        self.let_exprs = {s.var: s.expr for s in r.steps if isinstance(s, ir.LetStep)}
        self.key_at = 0
        self.related: list[tuple[str, int]] = []
        self.parts: list[str | _Hole] = []
        self.field_args: dict[str, Any] = {}
        #: where the query returns each computed `let` and plain value, and its type
        self.let_cells: dict[str, tuple[int, t.Type]] = {}
        at = 1 + len(q.bound)
        for name, typ in self.reader.cells:
            self.let_cells[name] = (at, typ)
            at += 3 if typ == t.MONEY else 2 if typ == t.DECIMAL else 1

    @classmethod
    def plan(
        cls, program: ir.Program, lay: Layout, q: RuleQuery, info: RuleInfo, bound: Bound
    ) -> Columns | None:
        """The columns for `q`, or None when a hole or related record is not read this way."""
        self = cls(program, lay, q, info, bound)
        r = self.rule
        if r.dangling_related:
            return None
        entity = program.entity(r.subject_entity)
        self.key_at = self._column(f"{self._base(r.subject)}.{_quote(entity.key)}")
        for var, ent in r.related:
            if var in self.bases:
                alias = self._base(var)
                self.related.append(
                    (ent, self._column(f"{alias}.{_quote(program.entity(ent).key)}"))
                )
            elif var in self.let_exprs:
                return None  # a `let` record: RowReader follows it
        if r.message:
            for part in r.message:
                if part.text is not None:
                    self.parts.append(part.text)
                elif part.expr is not None:
                    hole = self._hole(part.expr)
                    if hole is None:
                        return None
                    self.parts.append(hole)
        else:
            self.parts.append(r.title)
        if r.field is not None:
            f = entity.field(r.field)
            assert f is not None
            self.field_args = {"field": r.field, "field_data": f.data_name}
            if f.path:
                self.field_args = {"field": r.field, "field_path": f.path}
        return self

    @property
    def width(self) -> int:
        """How many columns `wrap` adds after the query's own."""
        return len(self.select)

    def wrap(self, query: str) -> str:
        """`query` with the columns joined on after its own."""
        return f"SELECT ar_q.*, {', '.join(self.select)} FROM ({query}) AS ar_q " + " ".join(
            self.joins
        )

    def violations(self, rows: Sequence[_Cells]) -> list[Violation]:
        """The findings of rows of the wrapped query."""
        entity = self.p.entity(self.rule.subject_entity)
        name, info, key_at, width = entity.name, self.info, self.key_at, self.width
        pointer = self.b.pointer
        parts = [(lambda row, base, text=p: text) if isinstance(p, str) else p for p in self.parts]
        related = self.related
        out: list[Violation] = []
        base = len(rows[0]) - width if rows else 0
        for row in rows:
            message = "".join([hole(row, base) for hole in parts])
            rel = tuple(
                (ent, k if isinstance(k, str) else str(k))
                for ent, k in ((ent, row[base + at]) for ent, at in related)
            )
            out.append(
                bind.violation(
                    info,
                    name,
                    row[base + key_at],
                    pointer(name, row[0]),
                    message,
                    related=rel,
                    **self.field_args,
                )
            )
        return out

    # -------------------------------------------------------------- planning
    def _column(self, sql: str) -> int:
        """The position of extra column `sql` among the extras (added once)."""
        key = ("column", sql)
        if key not in self._aliases:
            self._aliases[key] = str(len(self.select))
            self.select.append(sql)
        return int(self._aliases[key])

    def _join(self, key: tuple[Any, ...], table: str, on: str) -> str:
        alias = self._aliases.get(key)
        if alias is None:
            alias = self._aliases[key] = f"ar_m{len(self.joins)}"
            self.joins.append(f"LEFT JOIN {_quote(table)} AS {alias} ON {on.format(a=alias)}")
        return alias

    def _base(self, var: str) -> str:
        table = self.lay.entity_table(self.entities[var]).name
        return self._join(("base", var), table, f'{{a}}.{ROW} = ar_q."{self.bases[var]}"')

    def _record(self, e: ir.Expr) -> tuple[str, str, tuple[tuple[int, int], ...]] | None:
        """(alias, entity, steps) of the record path `e` leads to; each step of `steps` is
        the extras' positions of a reference's key and of the row it found."""
        if isinstance(e, ir.Narrowed):
            return self._record(e.expr)
        if isinstance(e, ir.Var):
            if e.name in self.bases:
                return self._base(e.name), self.entities[e.name], ()
            let = self.let_exprs.get(e.name)
            if let is not None and e.name not in self.let_cells and is_path(let):
                return self._record(let)
            return None
        if isinstance(e, ir.Deref) and not e.many:
            start = self._record(e.obj)
            if start is None:
                return None
            alias, _, steps = start
            target = self.p.entity(e.target)
            key = f"{alias}.{_quote(e.field)}"
            found = self._join(
                ("deref", alias, e.field),
                self.lay.entity_table(target.name).name,
                f"{{a}}.{_quote(target.key)} = {key}",
            )
            step = (self._column(key), self._column(f"{found}.{ROW}"))
            return found, target.name, (*steps, step)
        return None

    def _hole(self, e: ir.Expr) -> _Hole | None:
        if isinstance(e, ir.Const | ir.ParamRef | ir.Today | ir.EnumConst):
            text = self.reader.hole(e, {})
            return lambda row, base: text
        if isinstance(e, ir.Var) and e.name in self.let_cells:
            at, typ = self.let_cells[e.name]
            if typ in (t.DECIMAL, t.MONEY):
                money = typ == t.MONEY
                return lambda row, base: bind.text(
                    exact(row[at], row[at + 1], row[at + 2] if money else None, money)
                )
            let_plain = self._plain(typ)
            if let_plain is None:
                return None
            show: Callable[[Any], str] = let_plain
            return lambda row, base: "missing" if row[at] is None else show(row[at])
        if isinstance(e, ir.Narrowed):
            return self._hole(e.expr)
        if isinstance(e, ir.Var) and e.name not in self.bases:
            let = self.let_exprs.get(e.name)
            # a `let` that is a path prints what the path reads (`let t = tag`)
            return self._hole(let) if let is not None and is_path(let) else None
        if isinstance(e, ir.Var | ir.Deref):
            # a record prints its key (`bind.text`)
            record = self._record(e)
            if record is None:
                return None
            alias, entity, steps = record
            key = self._column(f"{alias}.{_quote(self.p.entity(entity).key)}")
            return _guarded(steps, str, key)
        if not isinstance(e, ir.GetField):
            return None
        f = self.p.entity(e.entity).field(e.field)
        if f is None or f.many:
            return None
        start = self._record(e.obj)
        if start is None:
            return None
        alias, entity, steps = start
        typ = t.strip_opt(e.type)
        if typ in (t.DECIMAL, t.MONEY):
            # the places a number was written with are in its record (`100.50`)
            at = self._column(f"{alias}.{ROW}")
            records, attr = self.b.records[entity], self.b.attrs[entity][e.field]
            return _guarded(steps, lambda v: bind.text(getattr(records[v], attr)), at)
        plain = self._plain(typ)
        if plain is None:
            return None
        return _guarded(steps, plain, self._column(f"{alias}.{_quote(e.field)}"))

    def _plain(self, typ: t.Type) -> Callable[[Any], str] | None:
        """How a database value of type `typ` prints, as `bind.text` prints the Python one."""
        if typ == t.TEXT:
            return str
        if typ == t.INT:
            return str
        if typ == t.BOOL:
            return lambda v: "true" if v else "false"
        if typ == t.DATE:
            return str  # a `date`: ISO 8601, as `bind.text` prints it
        if typ == t.DURATION:
            return lambda v: f"{v} days"
        if isinstance(typ, t.EnumT):
            name = typ.name
            names = {
                value: bind.text(member)
                for (enum, value), member in self.b.members.items()
                if enum == name
            }
            return names.__getitem__
        return None


def _guarded(steps: tuple[tuple[int, int], ...], show: Callable[[Any], str], at: int) -> _Hole:
    """A hole reading extra column `at` after the references on the way: `missing` where
    one is missing or the value is, `KEY (dangling)` where one names no record."""

    def hole(row: _Cells, base: int) -> str:
        for key_at, found_at in steps:
            key = row[base + key_at]
            if key is None:
                return "missing"
            if row[base + found_at] is None:
                return f"{key} (dangling)"
        value = row[base + at]
        return "missing" if value is None else show(value)

    return hole
