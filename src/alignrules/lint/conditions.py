"""`never-fires`, `always-fires`, `redundant-condition` and `constant-condition`: conditions
whose truth is known before any data is seen.

A rule's filters are folded in order, each with the facts the filters before it assert
(`alignrules.lint.fold`); then its condition. A condition reported whole is not reported again
part by part.
"""

from __future__ import annotations

from collections.abc import Mapping

from alignrules.ir import nodes as ir
from alignrules.ir.nodes import walk
from alignrules.lint.exprs import strip, text_of
from alignrules.lint.findings import Collector
from alignrules.lint.fold import Fact, Folder, facts_of, forget
from alignrules.source import Span


class Conditions(Collector):
    """The condition checks of one program; `rule` for each rule first, then `constant_parts`
    for each expression."""

    def __init__(self, predicates: Mapping[str, ir.Predicate]) -> None:
        super().__init__()
        self.eval = Folder(predicates)
        self.reported: list[Span] = []

    def rule(self, rule: ir.Rule) -> None:
        """A rule that never fires or always does, and filters that are always true."""
        facts: list[Fact] = []
        filters_constant = True
        always_true: list[tuple[ir.Filter, str]] = []
        for step in rule.steps:
            if isinstance(step, ir.Bind | ir.LetStep):
                facts = forget(facts, step.var)
            if isinstance(step, ir.Bind):
                coll = strip(step.coll)
                if isinstance(coll, ir.SetLit) and not coll.items:
                    self.condition(
                        "never-fires",
                        coll.span,
                        f"{rule.name} never fires: `{step.var}` ranges over an empty set",
                    )
                    return
                continue
            if not isinstance(step, ir.Filter):
                continue
            alone = self.eval.fold(step.cond, [])
            value = self.eval.fold(step.cond, facts)
            if value is False:
                self.condition(
                    "never-fires",
                    step.cond.span,
                    f"{rule.name} never fires: this `where` is never true ({self.eval.reason})",
                    "check the condition against the filters before it",
                )
                return
            if value is True:
                always_true.append((step, self.eval.reason))
            if alone is not True:
                filters_constant = False
            facts += facts_of(step.cond)
        cond = rule.cond
        filters = [s for s in rule.steps if isinstance(s, ir.Filter)]
        if cond is None and rule.violate_when and filters and len(always_true) == len(filters):
            # `no X where C` with C always true: the filters are the condition.
            step, reason = always_true[-1]
            self.condition(
                "always-fires",
                step.cond.span,
                f"{rule.name} reports every binding: its `where` is always true ({reason})",
                "the condition probably tests the wrong field or value",
            )
            return
        for step, reason in always_true:
            self.condition(
                "redundant-condition",
                step.cond.span,
                f"this `where` is always true ({reason})",
                "remove it, or fix it if it was meant to select something",
            )
        if cond is None:
            return
        value = self.eval.fold(cond, facts)
        if value is None:
            return
        word = "may" if rule.violate_when else "must"
        said = f"the `{word}` condition is always {str(value).lower()} ({self.eval.reason})"
        if value == rule.violate_when:
            scope = "every binding" if filters_constant else "everything its `where` filters select"
            self.condition(
                "always-fires",
                cond.span,
                f"{rule.name} reports {scope}: {said}",
                "the condition probably tests the wrong field or value",
            )
        else:
            self.condition(
                "never-fires",
                cond.span,
                f"{rule.name} never fires: {said}",
                "the condition probably tests the wrong field or value",
            )

    def condition(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        """A finding about a whole condition; its parts are then not reported again."""
        self.reported.append(span)
        self.add(code, span, message, hint)

    def constant_parts(self, e: ir.Expr) -> None:
        """Comparisons that are constant on their own, inside conditions not reported whole."""
        for node in walk(e):
            if not isinstance(node, ir.Compare | ir.Member | ir.Quant):
                continue
            span = node.span
            if any(
                r.source.name == span.source.name and r.start <= span.start and span.end <= r.end
                for r in self.reported
            ):
                continue
            value = self.eval.fold(node, [])
            if value is None:
                continue
            self.reported.append(span)
            self.add(
                "constant-condition",
                span,
                f"`{text_of(span)}` is always {str(value).lower()} ({self.eval.reason})",
                "remove it, or compare with what was meant",
            )
