"""Completion: what may be written at a place of a ruleset being edited.

The text being typed rarely parses (`claim.` is not a ruleset), so names are resolved against
the last analysis that produced IR: the variables of the rule around the cursor, entity
names used as variables (`claim` for `Claim`), parameters and the subject's fields; then
through reference fields (`claim.campaign.` offers Campaign's fields).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, Literal

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.syntax import keywords as kw
from alignrules.typecheck.schema import snake

Kind = Literal["field", "value", "keyword", "entity", "param", "predicate", "function", "type"]

_NAME: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH: Final = _NAME + r"(?:\s*\.\s*" + _NAME + r")*"
_AFTER_DOT: Final = re.compile(r"(" + _PATH + r")\s*\.\s*(" + _NAME + r")?$")
_ENUM_PLACE: Final = re.compile(
    r"(" + _PATH + r")\s*(?:!=|<=|>=|=|<|>|\bis(?:\s+not|\s+at\s+least|\s+at\s+most|\s+below"
    r"|\s+above)?|\bnot\s+in|\bin)\s*(?:\{\s*(?:" + _NAME + r"\s*,\s*)*)?(" + _NAME + r")?$"
)
_DECL_START: Final = re.compile(
    r"^[ \t]*(?P<kind>rule|predicate|entity|enum|param|example|import)\b[ \t]*"
    r"(?P<name>[A-Za-z][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*)?",
    re.M,
)
_TYPE_PLACE: Final = re.compile(r":\s*(?:(?:list|set)\s+of\s+)?(" + _NAME + r")?$")


@attrs.frozen
class Item:
    label: str
    kind: Kind
    detail: str = ""


def complete(text: str, offset: int, program: ir.Program | None) -> list[Item]:
    """Completions at `offset` of `text`, a file of the ruleset `program` was typed from."""
    before = text[:offset]
    line = before[before.rfind("\n") + 1 :]
    if "#" in _outside_strings(line):
        return []
    scope = _Scope(program, _enclosing(before), offset) if program is not None else None
    dot = _AFTER_DOT.search(line)
    if dot is not None:
        if scope is None:
            return []
        return list(scope.members(scope.path_type(_split(dot[1]))))
    if _TYPE_PLACE.search(line) and scope is not None:
        return list(_types(scope.program))
    enum_place = _ENUM_PLACE.search(line)
    if enum_place is not None and scope is not None:
        enum = _enum_of(scope.path_type(_split(enum_place[1])))
        if enum is not None:
            return [Item(v, "value", f"{enum.name} value") for v in enum.values]
    return list(_general(scope))


def _outside_strings(line: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"?', '""', line)


def _split(path: str) -> list[str]:
    return [p.strip() for p in path.split(".")]


def _enum_of(typ: t.Type | None) -> t.EnumT | None:
    while isinstance(typ, t.OptT | t.CollT):
        typ = typ.inner if isinstance(typ, t.OptT) else typ.elem
    return typ if isinstance(typ, t.EnumT) else None


def _entity_of(typ: t.Type | None) -> str | None:
    while isinstance(typ, t.OptT | t.CollT):
        typ = typ.inner if isinstance(typ, t.OptT) else typ.elem
    return typ.name if isinstance(typ, t.EntityT) else None


class _Scope:
    """The names visible at the cursor, by the last IR of the ruleset."""

    def __init__(
        self, program: ir.Program, enclosing: tuple[str, str] | None, offset: int = 0
    ) -> None:
        self.program = program
        self.entities = {e.name: e for e in program.entities}
        self.enums: dict[str, t.Type] = {
            e.name: t.EnumT(e.name, e.values, e.ordered) for e in program.enums
        }
        self.vars: dict[str, t.Type] = {}
        self.subject: str | None = None
        #: Entities bound by the rule around the cursor, innermost last: bare field names
        #: belong to the innermost one that has them.
        self.bound: list[str] = []
        for p in program.params:
            self.vars[p.name] = p.type
        for e in program.entities:
            self.vars.setdefault(snake(e.name), t.EntityT(e.name))
        for pred in program.predicates:
            if enclosing == ("predicate", pred.name):
                self.vars.update(pred.params)
        bodies = program.rule_bodies().get(enclosing[1], ()) if enclosing else ()
        # In a rule of several bodies, the names are those of the body the cursor is in: the
        # last one that starts before it.
        here = [r for r in bodies if r.steps and r.steps[0].span.start <= offset]
        for rule in here[-1:] or bodies[:1]:
            if enclosing == ("rule", rule.id):
                self.subject = rule.subject_entity
                for var, typ in _rule_vars(rule):
                    self.vars[var] = typ
                    if (entity := _entity_of(typ)) is not None:
                        self.bound.append(entity)

    def path_type(self, path: list[str]) -> t.Type | None:
        head, *rest = path
        typ = self.vars.get(head) or self.enums.get(head)
        for bound in reversed(self.bound):
            if typ is not None:
                break
            typ = self._field_type(bound, head)
        for name in rest:
            entity = _entity_of(typ)
            typ = None if entity is None else self._field_type(entity, name)
        return typ

    def members(self, typ: t.Type | None) -> Iterator[Item]:
        """What may follow `x.` when `x` has type `typ`: fields, or an enum's values."""
        enum = _enum_of(typ)
        if enum is not None:  # `Status.` names a value
            yield from (Item(v, "value", f"{enum.name} value") for v in enum.values)
        entity = self.entities.get(_entity_of(typ) or "")
        if entity is not None:
            for f in entity.fields:
                yield Item(f.name, "field", f"{entity.name}.{f.name}: {f.type}")

    def _field_type(self, entity: str, name: str) -> t.Type | None:
        decl = self.entities.get(entity)
        f = None if decl is None else decl.field(name)
        return None if f is None else f.type


def _enclosing(before: str) -> tuple[str, str] | None:
    """The declaration the cursor is in, by the last `rule ID` or `predicate NAME` that starts
    a line before it: found by name, since the IR's offsets are those of an older text."""
    found = None
    for m in _DECL_START.finditer(before):
        found = (m["kind"], m["name"])
    return found


def _rule_vars(rule: ir.Rule) -> Iterator[tuple[str, t.Type]]:
    exprs: list[ir.Expr] = []
    for step in rule.steps:
        match step:
            case ir.Bind():
                yield step.var, (t.EntityT(step.entity) if step.entity else _elem(step.coll.type))
                exprs.append(step.coll)
            case ir.LetStep():
                yield step.var, step.expr.type
                exprs.append(step.expr)
            case ir.Filter():
                exprs.append(step.cond)
    if rule.cond is not None:
        exprs.append(rule.cond)
    for top in exprs:
        for e in ir.walk(top):
            if isinstance(e, ir.Quant | ir.Aggregate):
                yield e.var, _elem(e.coll.type)


def _elem(typ: t.Type) -> t.Type:
    typ = typ.inner if isinstance(typ, t.OptT) else typ
    return typ.elem if isinstance(typ, t.CollT) else typ


def _types(program: ir.Program) -> Iterator[Item]:
    yield from (Item(name, "type", "built-in type") for name in kw.TYPES)
    yield from (Item(e.name, "type", "enum") for e in program.enums)
    yield from (Item(e.name, "entity", "entity") for e in program.entities)


def _general(scope: _Scope | None) -> Iterator[Item]:
    yield from (Item(w, "keyword") for w in sorted(kw.KEYWORDS))
    yield from (Item(f, "function", "built-in function") for f in kw.BUILTIN_FUNCTIONS)
    if scope is None:
        return
    program = scope.program
    for e in program.entities:
        yield Item(e.name, "entity", "entity")
        yield Item(snake(e.name), "entity", f"every {e.name}")
    yield from (Item(p.name, "param", f"parameter: {p.type}") for p in program.params)
    yield from (Item(p.name, "predicate", "predicate") for p in program.predicates)
    if scope.subject is not None and scope.subject in scope.entities:
        for f in scope.entities[scope.subject].fields:
            yield Item(f.name, "field", f"{scope.subject}.{f.name}: {f.type}")
