"""Which dangling keys a rule's findings name as related entities.

A lookup-table rule (`no claim where claim.capability is dangling`) is about a key that
names no record; its finding should say which one, as the related entity the claim points
at ("Capability `K-OCEAN`"), the way the loader's `dangling-reference` does. Only a test
that every finding has passed counts: one in a `where` filter or in the condition of a `no`
rule, as an operand of its top-level `and`s, on a variable the rule binds. A test under
`or`, `not` or a quantifier may not be what made the finding, so it names nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from alignrules.ir import nodes as ir


def related(program: ir.Program) -> ir.Program:
    """`program` with each rule's `dangling_related` chosen."""
    rules = tuple(attrs.evolve(r, dangling_related=tuple(_tests(r))) for r in program.rules)
    return attrs.evolve(program, rules=rules)


def _tests(r: ir.Rule) -> Iterator[ir.IsDangling]:
    bound = {r.subject} | {s.var for s in r.steps if isinstance(s, ir.Bind)}
    conds = [s.cond for s in r.steps if isinstance(s, ir.Filter)]
    if r.cond is not None and r.violate_when:
        conds.append(r.cond)
    seen: set[ir.IsDangling] = set()
    for cond in conds:
        for e in _conjuncts(cond):
            if (
                isinstance(e, ir.IsDangling)
                and not e.negated
                and isinstance(e.obj, ir.Var)
                and e.obj.name in bound
                and e not in seen
            ):
                seen.add(e)
                yield e


def _conjuncts(e: ir.Expr) -> Iterator[ir.Expr]:
    if isinstance(e, ir.BoolOp) and e.op == "and":
        yield from _conjuncts(e.left)
        yield from _conjuncts(e.right)
    elif isinstance(e, ir.Narrowed):
        yield from _conjuncts(e.expr)
    else:
        yield e
