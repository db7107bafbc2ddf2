"""Declarations → one typed `ir.Program`: enums and entities (through `schema`), parameters,
predicates, rules and examples, every file of a ruleset together. The result is the typed IR
before the passes: `lower` runs those.
"""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.diagnostics import Diagnostic
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.builtins import PUBLIC as BUILTINS
from alignrules.passes.desugar import unfoldable
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.typecheck.constants import constant
from alignrules.typecheck.env import Env
from alignrules.typecheck.examples import example
from alignrules.typecheck.expressions import Expressions
from alignrules.typecheck.missing import facts
from alignrules.typecheck.names import Context
from alignrules.typecheck.recursion import recursive_predicates
from alignrules.typecheck.schema import SchemaBuilder
from alignrules.typecheck.templates import message

_SEVERITIES: dict[str, ir.RuleSeverity] = {"error": "error", "warning": "warning", "info": "info"}


class Declarations:
    """Types the declarations of every file of a ruleset into one `ir.Program`, collecting
    every problem in `diagnostics`."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.ctx = Context(SchemaBuilder(self.report))
        self.exprs = Expressions(self.ctx, self.report)
        self.schema = self.ctx.schema
        self.params = self.ctx.params
        self.param_spans: dict[str, Span] = {}
        self.predicates: dict[str, ir.Predicate] = {}
        self.predicate_decls = self.ctx.predicate_decls

    def report(self, d: Diagnostic) -> None:
        self.diagnostics.append(d)

    def error(self, code: str, span: Span, text: str, hint: str | None = None) -> None:
        self.report(Diagnostic(code, text, span, hint))

    def typed(self, name: str, files: Sequence[ast.Ruleset]) -> ir.Program:
        """The Program of what could be typed; the problems are left in `self.diagnostics`."""
        decls = [d for f in files for d in f.decls]
        # Enums are declared before entities (entities use them), but which of two
        # declarations of one type name is the duplicate follows the files' order.
        first_types: dict[str, ast.EnumDecl | ast.EntityDecl] = {}
        for d in decls:
            if isinstance(d, ast.EnumDecl | ast.EntityDecl):
                first_types.setdefault(d.name, d)
        for d in decls:
            if isinstance(d, ast.EnumDecl) and first_types[d.name] is d:
                self.schema.add_enum(d)
        entity_decls = [d for d in decls if isinstance(d, ast.EntityDecl)]
        entity_decls = [
            d for d in entity_decls if first_types[d.name] is d and self.schema.declare_entity(d)
        ]
        for d in decls:  # the duplicates, now that every first declaration is known
            if isinstance(d, ast.EnumDecl) and first_types[d.name] is not d:
                self.schema.add_enum(d)
            elif isinstance(d, ast.EntityDecl) and first_types[d.name] is not d:
                self.schema.declare_entity(d)
        self.schema.set_strict([d for d in decls if isinstance(d, ast.StrictDecl)])
        for d in entity_decls:
            self.schema.add_entity(d)
        self.schema.check_references()  # `from parent` needs every entity's path
        for d in decls:
            if isinstance(d, ast.ParamDecl):
                self.param(d)
        for d in decls:
            if isinstance(d, ast.PredicateDecl):
                if d.name in self.predicate_decls or d.name in BUILTINS:
                    self.error(
                        "duplicate-name", d.name_span, f"predicate `{d.name}` is declared twice"
                    )
                    continue
                self.predicate_decls[d.name] = d
        for d in self.predicate_decls.values():
            self.predicate(d)
        for problem in recursive_predicates(list(self.predicates.values())):
            self.report(problem)
        rules: list[ir.Rule] = []
        seen_rules: dict[str, Span] = {}
        for d in decls:
            if isinstance(d, ast.RuleDecl):
                if d.id in seen_rules:
                    first = seen_rules[d.id]
                    self.error(
                        "duplicate-rule",
                        d.id_span,
                        f"rule id `{d.id}` is used twice",
                        f"the first is at {first.source.name}:{first.line}; rule ids must be unique",
                    )
                    continue
                seen_rules[d.id] = d.id_span
                rules += self.rule(d)
        examples = [
            example(d, self.params, seen_rules, self.report)
            for d in decls
            if isinstance(d, ast.ExampleDecl)
        ]
        return ir.Program(
            name,
            tuple(self.schema.enums.values()),
            tuple(self.schema.entities.values()),
            tuple(self.params.values()),
            tuple(self.predicates.values()),
            tuple(rules),
            tuple(self.ctx.regexes),
            tuple(e for e in examples if e is not None),
            self.ctx.uses_today,
        )

    # ------------------------------------------------------------ parameters
    def param(self, d: ast.ParamDecl) -> None:
        if d.name in self.params:
            first = self.param_spans[d.name]
            self.error(
                "duplicate-name",
                d.name_span,
                f"parameter `{d.name}` is declared twice",
                f"the first is at {first.source.name}:{first.line}",
            )
            return
        typ, target = self.schema.resolve_type(d.type)
        if target is not None:
            self.error("type-mismatch", d.type.span, "a parameter cannot be an entity")
            return
        if isinstance(typ, t.CollT):
            typ = t.CollT(typ.elem, "set")
        if d.type.optional:
            self.error("type-mismatch", d.type.span, "a parameter always has a value")
            return
        value = constant(d.default, typ, self.report)
        if value is None:
            return
        self.param_spans[d.name] = d.name_span
        self.params[d.name] = ir.Param(d.name, typ, value, span=d.span)

    # ------------------------------------------------------------ predicates
    def predicate(self, d: ast.PredicateDecl) -> None:
        env = Env()
        params: list[tuple[str, t.Type]] = []
        ok = True
        for p in d.params:
            typ = self.exprs.type_by_name(p.type, p.span)
            if typ == t.INVALID:
                ok = False
            params.append((p.name, typ))
            env = env.bind(p.name, typ)
        self.predicates[d.name] = ir.Predicate(
            d.name, tuple(params), ir.Const(True, t.BOOL, span=d.span), span=d.span
        )
        body = self.exprs.expr(d.body, env)
        if ok:
            self.exprs.expect_bool(body, d.body.span)
        self.predicates[d.name] = ir.Predicate(d.name, tuple(params), body, span=d.span)

    # ------------------------------------------------------------ rules
    def rule(self, d: ast.RuleDecl) -> list[ir.Rule]:
        """One `ir.Rule` per body of `d` that types (a body that does not is reported)."""
        meta: dict[str, tuple[str, ...]] = {}
        for m in d.meta:
            if m.key in meta:
                self.error("bad-metadata", m.span, f"`{m.key}` is given twice in rule `{d.id}`")
            meta[m.key] = m.values
            if m.key in ("title", "rationale", "owner", "severity") and len(m.values) != 1:
                self.error("bad-metadata", m.span, f"`{m.key}` takes one string")
        if not d.bodies:
            self.error(
                "missing-subject",
                d.id_span,
                f"rule `{d.id}` has no condition",
                "add `every <Entity> must <condition>` or `no <Entity> where <condition>`",
            )
            return []
        rules: list[ir.Rule] = []
        for part, body in enumerate(d.bodies):
            rule = self.body(d, meta, body, part)
            if rule is not None:
                rules.append(rule)
        return rules

    def body(
        self, d: ast.RuleDecl, meta: dict[str, tuple[str, ...]], body: ast.Body, part: int
    ) -> ir.Rule | None:
        """One body of `d` as an `ir.Rule`; its message (its own, else `d`'s) is typed in this
        body's scope."""
        env = Env()
        steps: list[ir.Step] = []
        related: list[tuple[str, str]] = []
        subject: tuple[str, str] | None = None
        for b in body.binders:
            bound = self.exprs.binder(b, env)
            if bound is None:
                return None
            var, coll, etype = bound
            if any(step.var == var for step in steps if isinstance(step, ir.Bind)):
                # The second would hide the first, and the violation would name the wrong one.
                self.error(
                    "duplicate-name",
                    b.span,
                    f"`{var}` is bound twice in this rule",
                    "give the second binder a name of its own",
                )
                return None
            entity = etype.name if isinstance(etype, t.EntityT) else None
            steps.append(ir.Bind(var, coll, entity, span=b.span))
            env = env.bind(var, etype)
            if entity is not None:
                if subject is None:
                    subject = (var, entity)
                else:
                    related.append((var, entity))
        if subject is None:
            self.error(
                "missing-subject",
                body.binders[0].span,
                "a rule's first binder must range over entities",
            )
            return None
        for c in body.clauses:
            if isinstance(c, ast.Where):
                test = self.exprs.expect_bool(self.exprs.expr(c.expr, env), c.expr.span)
                steps.append(ir.Filter(test, span=c.span))
                env = env.knowing(facts(test, True))
            else:
                value = self.exprs.expr(
                    c.expr, env, allow_optional=True
                )  # uses say what missing means
                if env.var(c.name) is not None:
                    self.error("duplicate-name", c.span, f"`{c.name}` is already bound here")
                steps.append(ir.LetStep(c.name, value, span=c.span))
                if c.related:
                    if isinstance(value.type, t.EntityT):
                        related.append((c.name, value.type.name))
                    elif value.type != t.INVALID:
                        self.error(
                            "type-mismatch",
                            c.expr.span,
                            f"a related record must be one record that is present, got"
                            f" `{value.type}`",
                            "say what missing means first: `where x is present`"
                            if isinstance(value.type, t.OptT)
                            else "name one record, such as `campaign.product`",
                        )
                env = env.bind(
                    c.name, value.type, subject=False
                )  # a `let` names a value; it is not what bare field names mean
        violate_when = body.kind == "no"
        cond: ir.Expr | None = None
        if body.cond is not None:
            cond = self.exprs.expect_bool(self.exprs.expr(body.cond, env), body.cond.span)
            # The desugaring pass unfolds `no X may (some y ...)` into loops; a message may
            # name the variables those loops bind.
            for q in unfoldable(cond, violate_when):
                elem = q.coll.type.elem if isinstance(q.coll.type, t.CollT) else t.INVALID
                env = env.bind(q.var, elem)
        parts = message(d, env, self.exprs, body)
        severity = _SEVERITIES[meta.get("severity", ("error",))[0]]  # the grammar's words
        return ir.Rule(
            d.id,
            meta.get("title", (d.id,))[0],
            severity,
            meta.get("rationale", ("",))[0],
            meta.get("owner", (None,))[0],
            meta.get("tags", ()),
            meta.get("links", ()),
            tuple(steps),
            cond,
            violate_when,
            subject[0],
            subject[1],
            tuple(related),
            parts,
            None,  # where findings point: chosen by the `locate` pass
            span=d.span,
            part=part,
            bodies=len(d.bodies),
        )
