"""Violations from a rule query's rows: the records bound, the message written in Python.

A message hole is a path (docs/language.md §8): a variable, parameter or `today`, then
`.field` steps. It is read here from the bound records, exactly as the Python backend reads
it, so messages are that backend's, character for character: a missing value prints
`missing`, a dangling key `KEY (dangling)`. A `let` variable is read from its query column;
the translator refuses a message that would print a decimal the database computed, since
its digits (`0.500000000` for `0.5`) would differ. A plain value the rule ranges over
(`tag in claim.tags`) is read from its query column too (`message_values`), a number with
the places it was written with, which its list's table keeps beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.runtime import bind
from alignrules.runtime.dangling import Dangling
from alignrules.runtime.report import RuleInfo, Violation
from alignrules.runtime.values import Money


def is_path(e: ir.Expr) -> bool:
    """Whether `e` is read from records and constants alone (no computation)."""
    if isinstance(e, ir.Var | ir.ParamRef | ir.Today | ir.Const | ir.EnumConst):
        return True
    if isinstance(e, ir.GetField | ir.Deref):
        return is_path(e.obj)
    if isinstance(e, ir.Narrowed):
        return is_path(e.expr)
    if isinstance(e, ir.MapField):  # `claim.capabilities.id`: a path through a list
        return is_path(e.coll) and is_path(e.value)
    return False


def message_values(rule: ir.Rule) -> tuple[str, ...]:
    """The plain values `rule` ranges over (`tag in claim.tags`) that its message prints,
    in the order the rule binds them: directly, or through a `let` that is a path.

    No record holds such a value, so the rule's query returns each as a column
    (`ar_value_<i>`, after the `let` columns), and both readers take it from there."""
    plain = [s.var for s in rule.steps if isinstance(s, ir.Bind) and s.entity is None]
    paths = {s.var: s.expr for s in rule.steps if isinstance(s, ir.LetStep) and is_path(s.expr)}
    read: set[str] = set()
    todo = [part.expr for part in rule.message if part.expr is not None]
    while todo:
        for name in ir.free_vars(todo.pop()) - read:
            read.add(name)
            if name in paths:  # `let t = tag` prints `tag`
                todo.append(paths[name])
    return tuple(var for var in plain if var in read)


def value_types(rule: ir.Rule) -> dict[str, t.Type]:
    """The type of one element of each plain value `rule` ranges over, by variable."""
    out: dict[str, t.Type] = {}
    for s in rule.steps:
        if isinstance(s, ir.Bind) and s.entity is None:
            typ = t.strip_opt(s.coll.type)
            assert isinstance(typ, t.CollT)
            out[s.var] = t.strip_opt(typ.elem)
    return out


@attrs.frozen
class Bound:
    """What the engine knows of a bound plan: records by entity (in `ar_row` order), key
    indexes, field attributes, parameter values, enum members by (enum, value name)."""

    records: Mapping[str, Sequence[Any]]
    indexes: Mapping[str, Mapping[Any, Any]]
    attrs: Mapping[str, Mapping[str, str]]  # entity -> field name -> attribute
    params: Mapping[str, Any]
    members: Mapping[tuple[str, str], Any]
    today: date
    #: (entity, ar_row) -> the record's JSON pointer, when the records are not at hand
    pointers: Callable[[str, int], str] | None = None

    def pointer(self, entity: str, row: int) -> str:
        """The JSON pointer of `entity`'s record `row`."""
        if self.pointers is not None:
            return self.pointers(entity, row)
        return str(self.records[entity][row].ar_pointer)


class RowReader:
    """Turns one rule's query rows into violations."""

    def __init__(
        self, program: ir.Program, rule: ir.Rule, info: RuleInfo, bound: Bound, lets: Sequence[str]
    ) -> None:
        """`lets` are the computed `let` variables the query returns (`RuleQuery.lets`); the
        plain values it returns after them are `message_values(rule)`."""
        self.p, self.r, self.info, self.b = program, rule, info, bound
        self.lets = tuple(lets)
        self.let_exprs = {s.var: s.expr for s in rule.steps if isinstance(s, ir.LetStep)}
        types = value_types(rule)
        #: what the query's cells after the bound rows hold: each returned variable and type
        self.cells = tuple(
            [(name, t.strip_opt(self.let_exprs[name].type)) for name in self.lets]
            + [(name, types[name]) for name in message_values(rule)]
        )

    def violation(
        self, subject_row: int, bound_rows: Sequence[tuple[str, str, int]], lets: Sequence[Any]
    ) -> Violation:
        r, b = self.r, self.b
        env: dict[str, Any] = {var: b.records[ent][row] for var, ent, row in bound_rows}
        subject = b.records[r.subject_entity][subject_row]
        env[r.subject] = subject
        cells = iter(lets)
        for name, typ in self.cells:
            value = next(cells)
            if typ in (t.DECIMAL, t.MONEY):
                scale = next(cells)
                currency = next(cells) if typ == t.MONEY else None
                env[name] = exact(value, scale, currency, typ == t.MONEY)
            else:
                env[name] = self.from_sql(value, typ)
        for name, e in self.let_exprs.items():
            if name not in env and is_path(e):
                env[name] = _Lazy(e)
        entity = self.p.entity(r.subject_entity)
        if r.message:
            message = "".join(
                part.text if part.text is not None else self.hole(part.expr, env)
                for part in r.message
                if part.text is not None or part.expr is not None
            )
        else:
            message = r.title
        related = tuple(
            (ent, self._key_text(self._record(env[var], env), ent))
            for var, ent in r.related
            if var in env
        )
        for d in r.dangling_related:
            raw = getattr(self.value(d.obj, env), b.attrs[d.entity][d.field])
            related += bind.dangling_related(d.target, b.indexes[d.target], raw, d.many)
        field_args: dict[str, Any] = {}
        if r.field is not None:
            f = entity.field(r.field)
            assert f is not None
            field_args = {"field": r.field, "field_data": f.data_name}
            if f.path:
                field_args = {"field": r.field, "field_path": f.path}
        key = getattr(subject, b.attrs[entity.name][entity.key])
        return bind.violation(
            self.info, entity.name, key, subject.ar_pointer, message, related=related, **field_args
        )

    def _record(self, value: Any, env: dict[str, Any]) -> Any:
        """A bound record, or a `let related` path's record read from the records."""
        return self.value(value.expr, env) if isinstance(value, _Lazy) else value

    def _key_text(self, record: Any, entity: str) -> str:
        key = getattr(record, self.b.attrs[entity][self.p.entity(entity).key])
        return key if isinstance(key, str) else str(key)

    def hole(self, e: ir.Expr | None, env: dict[str, Any]) -> str:
        assert e is not None
        try:
            return bind.text(self.value(e, env))
        except Dangling as exc:
            return f"{exc.key} (dangling)"

    def value(self, e: ir.Expr, env: dict[str, Any]) -> Any:
        b = self.b
        if isinstance(e, ir.Var):
            v = env[e.name]
            return self.value(v.expr, env) if isinstance(v, _Lazy) else v
        if isinstance(e, ir.ParamRef):
            return b.params[e.name]
        if isinstance(e, ir.Today):
            return b.today
        if isinstance(e, ir.Narrowed):
            return self.value(e.expr, env)
        if isinstance(e, ir.EnumConst):
            return b.members[(e.enum, e.value)]
        if isinstance(e, ir.Const):
            if e.type == t.DURATION:
                assert isinstance(e.value, int)
                return timedelta(days=e.value)
            if e.type == t.MONEY:
                return Money(e.value, e.currency)  # type: ignore[arg-type]
            return e.value
        if isinstance(e, ir.GetField | ir.Deref):
            obj = self.value(e.obj, env)
            if obj is None:  # pragma: no cover - the type checker proves it present
                return None
            raw = getattr(obj, b.attrs[e.entity][e.field])
            if isinstance(e, ir.GetField):
                return raw
            ix = b.indexes[e.target]
            if e.many:
                return bind.deref_many_opt(ix, raw)
            return bind.deref_opt(ix, raw)
        if isinstance(e, ir.MapField):
            # the values of the elements, missing ones and dangling steps left out
            out: list[Any] = []
            for item in self.value(e.coll, env) or ():
                try:
                    v = self.value(e.value, {**env, e.var: item})
                except Dangling:
                    continue
                if v is None:
                    continue
                out.extend(v) if e.flatten else out.append(v)
            return tuple(out)
        raise AssertionError(f"not a message path: {type(e).__name__}")  # pragma: no cover

    def from_sql(self, value: Any, typ: t.Type) -> Any:
        """A `let` value as the database returned it, as the Python backend holds it."""
        base = t.strip_opt(typ)
        if isinstance(base, t.CollT):
            return tuple(self.from_sql(v, base.elem) for v in value or ())
        if value is None:
            return None
        if isinstance(base, t.EntityT):
            return self.b.indexes[base.name][value]
        if isinstance(base, t.EnumT):
            return self.b.members[(base.name, value)]
        if base == t.DURATION:
            return timedelta(days=value)
        return value


def exact(value: Any, scale: Any, currency: Any, money: bool) -> Any:
    """A computed decimal with the decimal places the Python engine's value has."""
    if value is None:
        return None
    amount = Decimal(value).quantize(Decimal(1).scaleb(-int(scale)))
    return Money(amount, currency) if money else amount


@attrs.frozen
class _Lazy:
    """A `let` that is a path: read from the records when a hole needs it."""

    expr: ir.Expr
