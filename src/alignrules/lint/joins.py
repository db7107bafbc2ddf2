"""`quadratic-join`: a loop over every entity of a type, kept by an equality with an outer
binding, where a back-reference would look the matches up in an index built once."""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.lint.exprs import conjuncts, strip, text_of
from alignrules.lint.findings import Collector


class Joins(Collector):
    """The join checks: `in_steps` for each rule, `in_loop` for each quantifier and aggregate."""

    def in_steps(self, rule: ir.Rule) -> None:
        """Binders over all entities of a type that a later filter joins to an earlier one."""
        outer: list[str] = []
        for i, step in enumerate(rule.steps):
            if isinstance(step, ir.LetStep):
                outer.append(step.var)
            if not isinstance(step, ir.Bind):
                continue
            coll = strip(step.coll)
            if outer and isinstance(coll, ir.AllOf):
                later = [s.cond for s in rule.steps[i + 1 :] if isinstance(s, ir.Filter)]
                if rule.cond is not None and rule.violate_when:
                    later.append(rule.cond)
                self._join(step.var, coll, later, set(outer))
            outer.append(step.var)

    def in_loop(self, e: ir.Quant | ir.Aggregate) -> None:
        """A quantifier or aggregate over all entities whose `where` joins it to the outside."""
        coll = strip(e.coll)
        if isinstance(coll, ir.AllOf) and e.where is not None:
            self._join(e.var, coll, [e.where], None)

    def _join(
        self, inner: str, coll: ir.AllOf, conds: Sequence[ir.Expr], outer: set[str] | None
    ) -> None:
        for cond in conds:
            for atom, truth in conjuncts(cond):
                if not truth:
                    continue
                hint = self._join_atom(inner, atom, outer)
                if hint is None:
                    continue
                self.add(
                    "quadratic-join",
                    coll.span,
                    f"every `{coll.entity}` is visited for each outer binding and kept when "
                    f"`{text_of(atom.span)}`: the work grows with the product of the two counts",
                    hint,
                )
                return

    def _join_atom(self, inner: str, atom: ir.Expr, outer: set[str] | None) -> str | None:
        """A hint when `atom` equates something of `inner` with something from outside."""
        atom = strip(atom)
        if isinstance(atom, ir.Compare) and atom.op == "=":
            pairs = [(atom.left, atom.right), (atom.right, atom.left)]
        elif isinstance(atom, ir.Member) and not atom.negated:
            pairs = [(atom.coll, atom.element)]
        else:
            return None
        for mine, theirs in pairs:
            mine_vars, their_vars = ir.free_vars(mine), ir.free_vars(theirs)
            if mine_vars != {inner} or not their_vars or inner in their_vars:
                continue
            if outer is not None and not their_vars <= outer:
                continue
            return self._backref_hint(inner, mine, theirs)
        return None

    def _backref_hint(self, inner: str, mine: ir.Expr, theirs: ir.Expr) -> str:
        mine = strip(mine)
        target = strip(theirs)
        ref: ir.Deref | None = None
        if isinstance(mine, ir.Deref) and isinstance(strip(mine.obj), ir.Var):
            ref = mine
        elif (
            isinstance(mine, ir.GetField)
            and isinstance(strip(mine.obj), ir.Deref)
            and isinstance(target, ir.GetField)
        ):
            deref = strip(mine.obj)
            assert isinstance(deref, ir.Deref)
            ref, target = deref, strip(target.obj)
        if ref is not None and t.strip_opt(target.type) == t.EntityT(ref.target):
            return (
                f"write `{ref.entity} referencing {text_of(target.span)} via {ref.field}`: "
                "it looks the matches up in an index built once"
            )
        return (
            "if the entity has a reference field to the outer one, iterate "
            "`Entity referencing x` instead: it uses an index built once"
        )
