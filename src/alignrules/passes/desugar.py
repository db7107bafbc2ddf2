"""Desugaring: the conveniences of the language rewritten into the core IR.

- `x references a capability where c` becomes `some capability in <x's reference field>
  where c`, the field's targets as a list whether it holds one, several or none.
- A rule `no X may (some y in ... where w)` (or `every X must (every y ...)`) is unfolded
  into loops: `y` is bound like `X` and `w` filters, so that each offending pair is its own
  violation, naming both entities.
"""

from __future__ import annotations

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.builtins import BUILTINS
from alignrules.passes.rewrite import rewrite, rewrite_rule


def reference_quant(e: ir.Refers) -> ir.Quant:
    """The quantifier that `e` means."""
    as_list = BUILTINS["as_list"]
    coll = ir.Builtin("as_list", (e.refs,), as_list.result(e.refs.type), span=e.span)
    return ir.Quant("some", e.var, coll, e.where, None, span=e.span)


def _core(e: ir.Expr) -> ir.Expr:
    return reference_quant(e) if isinstance(e, ir.Refers) else e


def unfoldable(cond: ir.Expr | None, violate_when: bool) -> list[ir.Quant]:
    """The quantifiers at the head of a rule's condition that become loops of the rule, outer
    first: `some` under `no ... may`, `every` under `every ... must`. The type checker asks it
    too, since a message may name the variables they bind."""
    kind = "some" if violate_when else "every"
    out: list[ir.Quant] = []
    while cond is not None:
        q = _core(cond)
        if not isinstance(q, ir.Quant) or q.kind != kind:
            break
        out.append(q)
        cond = q.must
    return out


def unfold(rule: ir.Rule) -> ir.Rule:
    """`rule` with the quantifiers `unfoldable` finds turned into steps."""
    quants = unfoldable(rule.cond, rule.violate_when)
    if not quants:
        return rule
    steps, related = list(rule.steps), list(rule.related)
    for q in quants:
        elem = q.coll.type.elem if isinstance(q.coll.type, t.CollT) else t.INVALID
        entity = elem.name if isinstance(elem, t.EntityT) else None
        steps.append(ir.Bind(q.var, q.coll, entity, span=q.span))
        if entity is not None:
            related.append((q.var, entity))
        if q.where is not None:
            steps.append(ir.Filter(q.where, span=q.where.span))
    return attrs.evolve(rule, steps=tuple(steps), related=tuple(related), cond=quants[-1].must)


def desugar(program: ir.Program) -> ir.Program:
    """`program` in the core IR: no `Refers`, and each rule unfolded."""
    predicates = tuple(attrs.evolve(p, body=rewrite(p.body, _core)) for p in program.predicates)
    rules = tuple(unfold(rewrite_rule(r, _core)) for r in program.rules)
    return attrs.evolve(program, predicates=predicates, rules=rules)
