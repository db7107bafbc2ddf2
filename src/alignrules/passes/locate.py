"""Where a rule's findings point: the first field of the subject its condition reads, so a
violation's location names the field (`/marketing/claims/3/capability_ids`), not just the
record."""

from __future__ import annotations

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir.nodes import walk


def subject_field(rule: ir.Rule) -> str | None:
    """The first field of `rule`'s subject that its condition, then its filters, read."""
    exprs: list[ir.Expr] = [rule.cond] if rule.cond is not None else []
    exprs += [s.cond for s in rule.steps if isinstance(s, ir.Filter)]
    for e in exprs:
        for node in walk(e):
            if (
                isinstance(node, ir.GetField | ir.Deref | ir.IsDangling)
                and isinstance(node.obj, ir.Var)
                and node.obj.name == rule.subject
            ):
                return node.field
    return None


def locate(program: ir.Program) -> ir.Program:
    """`program` with each rule's `field` chosen."""
    rules = tuple(
        r if r.field == (field := subject_field(r)) else attrs.evolve(r, field=field)
        for r in program.rules
    )
    return attrs.evolve(program, rules=rules)
