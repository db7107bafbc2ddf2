"""Rebuilding IR trees: one function applied to every expression, children first."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, Final

import attrs

from alignrules.ir import nodes as ir

Rewrite = Callable[[ir.Expr], ir.Expr]

#: Per expression class, the fields that may hold expressions (every one but `type` and
#: `span`), worked out once: the passes visit every node of every rule.
_CHILD_FIELDS: Final[dict[type, tuple[str, ...]]] = {
    cls: tuple(f.name for f in attrs.fields(cls) if f.name not in ("type", "span"))
    for cls in typing.get_args(ir.Expr)
}


def rewrite(e: ir.Expr, fn: Rewrite) -> ir.Expr:
    """`e` with `fn` applied to each node, its children first; unchanged subtrees are kept."""
    changes: dict[str, Any] = {}
    for name in _CHILD_FIELDS[type(e)]:
        value = getattr(e, name)
        if type(value) in _CHILD_FIELDS:
            new = rewrite(value, fn)
            if new is not value:
                changes[name] = new
        elif type(value) is tuple:
            items = tuple(rewrite(v, fn) if type(v) in _CHILD_FIELDS else v for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[name] = items
    return fn(attrs.evolve(e, **changes) if changes else e)


def _step(step: ir.Step, fn: Rewrite) -> ir.Step:
    if isinstance(step, ir.Bind):
        coll = rewrite(step.coll, fn)
        return step if coll is step.coll else attrs.evolve(step, coll=coll)
    if isinstance(step, ir.Filter):
        cond = rewrite(step.cond, fn)
        return step if cond is step.cond else attrs.evolve(step, cond=cond)
    expr = rewrite(step.expr, fn)
    return step if expr is step.expr else attrs.evolve(step, expr=expr)


def _part(part: ir.MessagePart, fn: Rewrite) -> ir.MessagePart:
    if part.expr is None:
        return part
    expr = rewrite(part.expr, fn)
    return part if expr is part.expr else attrs.evolve(part, expr=expr)


def rewrite_rule(rule: ir.Rule, fn: Rewrite) -> ir.Rule:
    """`rule` with `rewrite(e, fn)` applied to each of its expressions."""
    steps = tuple(_step(s, fn) for s in rule.steps)
    message = tuple(_part(p, fn) for p in rule.message)
    cond = None if rule.cond is None else rewrite(rule.cond, fn)
    if (
        cond is rule.cond
        and all(a is b for a, b in zip(steps, rule.steps, strict=True))
        and all(a is b for a, b in zip(message, rule.message, strict=True))
    ):
        return rule
    return attrs.evolve(rule, steps=steps, cond=cond, message=message)
