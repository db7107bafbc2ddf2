"""Which expressions can meet a dangling reference at run time.

Only following a *single* reference can dangle (`claim.campaign`): a list of references
leaves its dangling keys out. The emitter asks this module where an element of a quantifier,
a term of an aggregate, a step of a navigation, a rule's binding or a message hole must be
guarded, so that a dangling key leaves out just that one (runtime/dangling.py), and keeps
plain comprehensions everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from alignrules.ir import nodes as ir


class Dangles:
    """`may_dangle(e)`: can evaluating `e` follow a single reference? Predicates count by
    their bodies (a predicate's argument is evaluated by its caller)."""

    def __init__(self, program: ir.Program) -> None:
        self._bodies = {p.name: p.body for p in program.predicates}
        self._preds: dict[str, bool] = {}

    def may_dangle(self, e: ir.Expr | None) -> bool:
        if e is None:
            return False
        match e:
            case ir.Deref(many=False):
                return True
            case ir.PredCall():
                return self._pred(e.name) or any(map(self.may_dangle, e.args))
            case ir.Quant() | ir.Aggregate() | ir.MapField():
                # The emitter guards each element of these (bind.known / bind.terms), so
                # only their collection can pass a dangling reference outwards.
                return self.may_dangle(e.coll)
            case _:
                return any(self.may_dangle(c) for c in children(e))

    def _pred(self, name: str) -> bool:
        if name not in self._preds:
            self._preds[name] = False  # a predicate that calls itself adds nothing new
            body = self._bodies.get(name)
            self._preds[name] = self.may_dangle(body)
        return self._preds[name]


def children(e: ir.Expr) -> Iterator[ir.Expr]:
    """The expressions directly under `e`."""
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        for v in value if isinstance(value, tuple) else (value,):
            if attrs.has(type(v)) and hasattr(v, "type") and hasattr(v, "span"):
                yield v
