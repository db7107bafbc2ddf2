"""Rebuilding IR trees: one function applied to every expression, children first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from alignrules.ir import nodes as ir

Rewrite = Callable[[ir.Expr], ir.Expr]


def rewrite(e: ir.Expr, fn: Rewrite) -> ir.Expr:
    """`e` with `fn` applied to each node, its children first; unchanged subtrees are kept."""
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        if isinstance(value, tuple):
            items = tuple(rewrite(v, fn) if isinstance(v, ir.Expr) else v for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[field.name] = items
        elif isinstance(value, ir.Expr):
            new = rewrite(value, fn)
            if new is not value:
                changes[field.name] = new
    return fn(attrs.evolve(e, **changes) if changes else e)


def rewrite_rule(rule: ir.Rule, fn: Rewrite) -> ir.Rule:
    """`rule` with `rewrite(e, fn)` applied to each of its expressions."""
    steps: list[ir.Step] = []
    for step in rule.steps:
        if isinstance(step, ir.Bind):
            steps.append(attrs.evolve(step, coll=rewrite(step.coll, fn)))
        elif isinstance(step, ir.Filter):
            steps.append(attrs.evolve(step, cond=rewrite(step.cond, fn)))
        else:
            steps.append(attrs.evolve(step, expr=rewrite(step.expr, fn)))
    message = tuple(
        p if p.expr is None else attrs.evolve(p, expr=rewrite(p.expr, fn)) for p in rule.message
    )
    cond = None if rule.cond is None else rewrite(rule.cond, fn)
    return attrs.evolve(rule, steps=tuple(steps), cond=cond, message=message)
