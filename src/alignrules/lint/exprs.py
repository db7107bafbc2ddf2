"""Questions every lint check asks of IR expressions: their text, what they compute, which
variables they read, what they assert, and where a program has them."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.nodes import walk
from alignrules.source import Span


def text_of(span: Span) -> str:
    """The ruleset text under `span`, on one line, as messages quote it."""
    return " ".join(span.source.text[span.start : span.end].split())


def strip(e: ir.Expr) -> ir.Expr:
    """`e` without the narrowing the type checker wraps around a value known to be present."""
    while isinstance(e, ir.Narrowed):
        e = e.expr
    return e


def key(e: ir.Expr) -> object:
    """A value equal for two expressions that compute the same thing (types and spans apart)."""
    e = strip(e)
    parts: list[object] = [type(e).__name__]
    for f in attrs.fields(type(e)):
        if f.name in ("span", "type", "operand", "regex_id"):
            continue
        value = getattr(e, f.name)
        if isinstance(value, tuple):
            parts.append(tuple(key(v) if ir.is_expr(v) else v for v in value))
        elif ir.is_expr(value):
            parts.append(key(value))
        else:
            parts.append(value)
    return tuple(parts)


def conjuncts(e: ir.Expr) -> Iterator[tuple[ir.Expr, bool]]:
    """The atoms `e` asserts, each with the truth it asserts them at."""
    e = strip(e)
    if isinstance(e, ir.BoolOp) and e.op == "and":
        yield from conjuncts(e.left)
        yield from conjuncts(e.right)
    elif isinstance(e, ir.Not):
        inner = strip(e.expr)
        if isinstance(inner, ir.BoolOp) and inner.op == "or":
            yield from conjuncts(ir.Not(inner.left, span=inner.left.span))
            yield from conjuncts(ir.Not(inner.right, span=inner.right.span))
        else:
            yield inner, False
    else:
        yield e, True


def _names_in(typ: t.Type, kind: type[t.EntityT] | type[t.EnumT]) -> Iterator[str]:
    """The entity (or enum) names a type mentions, through lists and optionals."""
    if isinstance(typ, kind):
        yield typ.name
    elif isinstance(typ, t.CollT):
        yield from _names_in(typ.elem, kind)
    elif isinstance(typ, t.OptT):
        yield from _names_in(typ.inner, kind)


def entities_in(typ: t.Type) -> Iterator[str]:
    return _names_in(typ, t.EntityT)


def enums_in(typ: t.Type) -> Iterator[str]:
    return _names_in(typ, t.EnumT)


def step_expr(step: ir.Step) -> ir.Expr:
    """The one expression of a rule step: what a binder ranges over, a filter, a `let`."""
    if isinstance(step, ir.Bind):
        return step.coll
    if isinstance(step, ir.Filter):
        return step.cond
    return step.expr


def rule_exprs(rule: ir.Rule) -> Iterator[ir.Expr]:
    """Every top-level expression of `rule`: its steps, its condition, its message."""
    for step in rule.steps:
        yield step_expr(step)
    if rule.cond is not None:
        yield rule.cond
    for part in rule.message:
        if part.expr is not None:
            yield part.expr


def program_exprs(program: ir.Program) -> Iterator[ir.Expr]:
    """Every top-level expression of the rules, then of the predicates."""
    for rule in program.rules:
        yield from rule_exprs(rule)
    for p in program.predicates:
        yield p.body


def used_predicates(program: ir.Program) -> set[str]:
    """The predicates a rule calls, directly or through other predicates."""
    predicates = {p.name: p for p in program.predicates}
    todo = [
        n.name
        for r in program.rules
        for e in rule_exprs(r)
        for n in walk(e)
        if isinstance(n, ir.PredCall)
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in predicates:
            continue
        seen.add(name)
        todo += [n.name for n in walk(predicates[name].body) if isinstance(n, ir.PredCall)]
    return seen
