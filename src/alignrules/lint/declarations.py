"""Declarations: `unused-*` (parameters, predicates, entities, enums, lets nothing uses) and
rule metadata (`missing-title`, `missing-rationale`, `untested-rule`).

Metadata and declaration names are read from the AST, which keeps them as written and with
their spans; what is used is read from the IR, where names are resolved.
"""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.ir import nodes as ir
from alignrules.ir.nodes import free_vars, walk
from alignrules.lint.exprs import (
    entities_in,
    enums_in,
    rule_exprs,
    step_expr,
    used_predicates,
)
from alignrules.lint.findings import Collector
from alignrules.syntax import ast


class Declarations(Collector):
    """The declaration checks of one program, whose files parsed to `trees`."""

    def __init__(self, program: ir.Program, trees: Sequence[ast.Ruleset]) -> None:
        super().__init__()
        self.program = program
        self.predicates = {p.name: p for p in program.predicates}
        self.decls = [d for tree in trees for d in tree.decls]

    def metadata(self) -> None:
        """Rules without a title or rationale, and rules no example expects to fire."""
        tested = {
            x.rule
            for d in self.decls
            if isinstance(d, ast.ExampleDecl)
            for x in d.expects
            if x.rule is not None and not x.none
        }
        has_examples = any(isinstance(d, ast.ExampleDecl) for d in self.decls)
        for d in self.decls:
            if not isinstance(d, ast.RuleDecl):
                continue
            keys = {m.key for m in d.meta}
            if "title" not in keys:
                self.add(
                    "missing-title",
                    d.id_span,
                    f"rule `{d.id}` has no title",
                    'add `title "..."`: reports and dashboards show it instead of the id',
                )
            if "rationale" not in keys:
                self.add(
                    "missing-rationale",
                    d.id_span,
                    f"rule `{d.id}` has no rationale",
                    'add `rationale "..."` saying why the rule exists and what to do when it fires',
                )
            if has_examples and d.id not in tested:
                self.add(
                    "untested-rule",
                    d.id_span,
                    f"no example expects rule `{d.id}` to fire",
                    f'add an example with `expect {d.id} on "KEY"`',
                )

    def unused(self) -> None:
        """Parameters, predicates, entities and enums that nothing a rule needs uses."""
        exprs = [e for r in self.program.rules for e in rule_exprs(r)]
        used_preds = used_predicates(self.program)
        exprs += [self.predicates[p].body for p in used_preds]
        nodes = [n for e in exprs for n in walk(e)]
        params = {n.name for n in nodes if isinstance(n, ir.ParamRef)}
        entities: set[str] = set()
        for n in nodes:
            entities.update(entities_in(n.type))
            if isinstance(n, ir.AllOf | ir.BackRef):
                entities.add(n.entity)
            elif isinstance(n, ir.Deref):
                entities.update((n.entity, n.target))
            elif isinstance(n, ir.GetField):
                entities.add(n.entity)
        for r in self.program.rules:
            entities.add(r.subject_entity)
            entities.update(e for _, e in r.related)
            entities.update(s.entity for s in r.steps if isinstance(s, ir.Bind) and s.entity)
        # An entity that another entity references is what gives those references their
        # `dangling-reference` check: removing it would drop that check, so it is in use.
        entities.update(f.ref for e in self.program.entities for f in e.fields if f.ref)
        enums: set[str] = set()
        for ent in self.program.entities:
            for f in ent.fields:
                enums.update(enums_in(f.type))
        for p in self.program.params:
            enums.update(enums_in(p.type))
        for pred in self.program.predicates:
            for _, typ in pred.params:
                enums.update(enums_in(typ))
        for n in (n for p in self.program.predicates for n in walk(p.body)):
            enums.update(enums_in(n.type))
        for n in nodes:
            enums.update(enums_in(n.type))
        for d in self.decls:
            if isinstance(d, ast.ParamDecl) and d.name not in params:
                self.add(
                    "unused-param",
                    d.name_span,
                    f"parameter `{d.name}` is never read by a rule",
                    "use it in a rule or a predicate a rule calls, or remove it",
                )
            elif isinstance(d, ast.PredicateDecl) and d.name not in used_preds:
                self.add(
                    "unused-predicate",
                    d.name_span,
                    f"predicate `{d.name}` is never called by a rule",
                    "call it from a rule, or remove it",
                )
            elif isinstance(d, ast.EntityDecl) and d.name not in entities:
                self.add(
                    "unused-entity",
                    d.name_span,
                    f"entity `{d.name}` is declared but no rule mentions it",
                    "its data is still read and its references checked; remove it if no rule "
                    "needs it",
                )
            elif isinstance(d, ast.EnumDecl) and d.name not in enums:
                self.add(
                    "unused-enum",
                    d.name_span,
                    f"enum `{d.name}` is declared but nothing has this type",
                    "use it as a field or parameter type, or remove it",
                )

    def unused_lets(self, rule: ir.Rule) -> None:
        """`let` steps whose name no later step, condition or message reads."""
        steps = list(rule.steps)
        for i, step in enumerate(steps):
            if not isinstance(step, ir.LetStep):
                continue
            if any(var == step.var for var, _ in rule.related):
                continue  # `let related`: the violation names it
            later = [step_expr(s) for s in steps[i + 1 :]]
            if rule.cond is not None:
                later.append(rule.cond)
            later += [p.expr for p in rule.message if p.expr is not None]
            if not any(step.var in free_vars(e) for e in later):
                self.add(
                    "unused-let",
                    step.span,
                    f"`{step.var}` is computed but never used",
                    "use it in the condition or the message, or remove the `let`",
                )
