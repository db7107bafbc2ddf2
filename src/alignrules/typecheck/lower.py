"""AST to typed IR. Collects every Diagnostic, and never cascades: a wrong subtree becomes
`ir.Invalid` once it is reported, and nothing built on it is reported again.

Over 500 lines: typing, desugaring, template checks and example validation still share this
module; the desugaring and "where a finding points" passes are to move to IR→IR passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError, did_you_mean
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.nodes import walk
from alignrules.runtime.report import DANGLING_RULE
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.typecheck.recursion import recursive_predicates
from alignrules.typecheck.regex import regex_problem
from alignrules.typecheck.schema import SchemaBuilder, enum_type, literal_value, snake

BUILTINS: dict[str, str] = {
    "lower": "text → text",
    "upper": "text → text",
    "trim": "text → text",
    "length": "text or list → int",
    "abs": "number → number",
    "days": "duration → int",
    "year": "date → int",
    "month": "date → int",
}

_ORDER_OPS = frozenset({"<", "<=", ">", ">="})


@attrs.frozen
class Env:
    """What a name can mean at one point: variables (innermost last), the subjects whose
    fields may be named bare, and the optional paths known to be present."""

    vars: tuple[tuple[str, t.Type], ...] = ()
    subjects: tuple[tuple[str, str], ...] = ()  # (variable, entity), innermost last
    present: frozenset[str] = frozenset()

    def bind(self, name: str, typ: t.Type, subject: bool = True) -> Env:
        subjects = self.subjects
        if subject and isinstance(typ, t.EntityT):
            subjects = (*subjects, (name, typ.name))
        return attrs.evolve(self, vars=(*self.vars, (name, typ)), subjects=subjects)

    def var(self, name: str) -> t.Type | None:
        for n, typ in reversed(self.vars):
            if n == name:
                return typ
        return None

    def knowing(self, keys: frozenset[str]) -> Env:
        return attrs.evolve(self, present=self.present | keys) if keys else self


def path_key(e: ir.Expr) -> str | None:
    """A name for a variable-and-fields path (`claim.campaign.launch_on`), used for narrowing."""
    if isinstance(e, ir.Var):
        return e.name
    if isinstance(e, ir.GetField | ir.Deref):
        inner = path_key(e.obj)
        return None if inner is None else f"{inner}.{e.field}"
    if isinstance(e, ir.Narrowed):
        return path_key(e.expr)
    return None


def facts(e: ir.Expr, truth: bool) -> frozenset[str]:
    """Paths known to be present when `e` evaluates to `truth`."""
    if isinstance(e, ir.IsMissing):
        key = path_key(e.expr)
        if key is not None and e.negated == truth:
            return frozenset({key})
    elif isinstance(e, ir.BoolOp):
        if (e.op == "and" and truth) or (e.op == "or" and not truth):
            return facts(e.left, truth) | facts(e.right, truth)
    elif isinstance(e, ir.Not):
        return facts(e.expr, not truth)
    return frozenset()


def compatible(want: t.Type, got: t.Type) -> bool:
    if t.INVALID in (want, got):
        return True
    if want == got:
        return True
    if want == t.DECIMAL and got == t.INT:
        return True
    if want == t.MONEY and got in t.NUMERIC:
        return True
    if isinstance(want, t.OptT):
        return compatible(want.inner, t.strip_opt(got))
    if isinstance(want, t.CollT) and isinstance(got, t.CollT):
        return compatible(want.elem, got.elem) or got.elem == t.INVALID
    return False


class Lowering:
    """Turns the declarations of every file of a ruleset into one `ir.Program`."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.schema = SchemaBuilder(self.report)
        self.params: dict[str, ir.Param] = {}
        self.param_spans: dict[str, Span] = {}
        self.predicates: dict[str, ir.Predicate] = {}
        self.predicate_decls: dict[str, ast.PredicateDecl] = {}
        self.regexes: list[tuple[str, bool]] = []
        self.uses_today = False

    def report(self, d: Diagnostic) -> None:
        self.diagnostics.append(d)

    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> ir.Invalid:
        self.report(Diagnostic(code, message, span, hint))
        return ir.Invalid(t.INVALID, span=span)

    # ------------------------------------------------------------ program
    def program(self, name: str, files: Sequence[ast.Ruleset]) -> ir.Program:
        program = self.typed(name, files)
        if self.diagnostics:
            raise DiagnosticError(self.diagnostics)
        return program

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
                rule = self.rule(d)
                if rule is not None:
                    rules.append(rule)
        examples = [self.example(d, seen_rules) for d in decls if isinstance(d, ast.ExampleDecl)]
        return ir.Program(
            name,
            tuple(self.schema.enums.values()),
            tuple(self.schema.entities.values()),
            tuple(self.params.values()),
            tuple(self.predicates.values()),
            tuple(rules),
            tuple(self.regexes),
            tuple(e for e in examples if e is not None),
            self.uses_today,
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
        value = self.constant(d.default, typ)
        if value is None:
            return
        self.param_spans[d.name] = d.name_span
        self.params[d.name] = ir.Param(d.name, typ, value, span=d.span)

    def constant(self, e: ast.Expr, typ: t.Type) -> object | None:
        """The Python value of a constant expression of type `typ` (defaults, example params)."""
        if isinstance(typ, t.CollT):
            if not isinstance(e, ast.SetLit):
                self.error(
                    "type-mismatch", e.span, f"expected a set such as `{{a, b}}` for `{typ}`"
                )
                return None
            values = [self.constant(i, typ.elem) for i in e.items]
            if any(v is None for v in values):
                return None
            return frozenset(values)
        if isinstance(typ, t.EnumT):
            if isinstance(e, ast.Name) and e.id in typ.values:
                return e.id
            name = e.id if isinstance(e, ast.Name) else "this"
            self.error(
                "unknown-enum-value",
                e.span,
                f"`{name}` is not a value of `{typ}`",
                did_you_mean(name, typ.values) or f"values are {', '.join(typ.values)}",
            )
            return None
        negate = False
        if isinstance(e, ast.Neg):
            negate, e = True, e.expr
        if not isinstance(e, ast.Literal):
            self.error("type-mismatch", e.span, f"expected a constant `{typ}`")
            return None
        value, ltype, currency = literal_value(e)
        if not compatible(typ, ltype) or (typ == t.INT and ltype != t.INT):
            self.error("type-mismatch", e.span, f"expected `{typ}`, got `{ltype}`")
            return None
        if negate:
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                value = -value
            else:
                self.error("type-mismatch", e.span, f"`-` does not apply to `{ltype}`")
                return None
        if typ == t.DECIMAL:
            assert isinstance(value, int | Decimal)
            return Decimal(value)
        if typ == t.MONEY:
            assert isinstance(value, int | Decimal)
            return (Decimal(value), currency)
        return value

    # ------------------------------------------------------------ predicates
    def predicate(self, d: ast.PredicateDecl) -> None:
        env = Env()
        params: list[tuple[str, t.Type]] = []
        ok = True
        for p in d.params:
            typ = self.type_by_name(p.type, p.span)
            if typ == t.INVALID:
                ok = False
            params.append((p.name, typ))
            env = env.bind(p.name, typ)
        self.predicates[d.name] = ir.Predicate(
            d.name, tuple(params), ir.Const(True, t.BOOL, span=d.span), span=d.span
        )
        body = self.expr(d.body, env)
        if ok:
            self.expect_bool(body, d.body.span)
        self.predicates[d.name] = ir.Predicate(d.name, tuple(params), body, span=d.span)

    def type_by_name(self, name: str, span: Span) -> t.Type:
        typ, _ = self.schema.resolve_type(ast.TypeRef(name, None, False, span=span))
        return typ

    def expect_bool(self, e: ir.Expr, span: Span) -> ir.Expr:
        if e.type not in (t.BOOL, t.INVALID):
            return self.error("type-mismatch", span, f"expected a condition, got `{e.type}`")
        return e

    # ------------------------------------------------------------ rules
    def rule(self, d: ast.RuleDecl) -> ir.Rule | None:
        meta: dict[str, tuple[str, ...]] = {}
        for m in d.meta:
            if m.key in meta:
                self.error("bad-metadata", m.span, f"`{m.key}` is given twice in rule `{d.id}`")
            meta[m.key] = m.values
            if m.key in ("title", "rationale", "owner", "severity") and len(m.values) != 1:
                self.error("bad-metadata", m.span, f"`{m.key}` takes one string")
        if d.body is None:
            self.error(
                "missing-subject",
                d.id_span,
                f"rule `{d.id}` has no condition",
                "add `every <Entity> must <condition>` or `no <Entity> where <condition>`",
            )
            return None
        body = d.body
        env = Env()
        steps: list[ir.Step] = []
        related: list[tuple[str, str]] = []
        subject: tuple[str, str] | None = None
        for b in body.binders:
            bound = self.binder(b, env)
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
                test = self.expect_bool(self.expr(c.expr, env), c.expr.span)
                steps.append(ir.Filter(test, span=c.span))
                env = env.knowing(facts(test, True))
            else:
                value = self.expr(c.expr, env, allow_optional=True)  # uses say what missing means
                if env.var(c.name) is not None:
                    self.error("duplicate-name", c.span, f"`{c.name}` is already bound here")
                steps.append(ir.LetStep(c.name, value, span=c.span))
                env = env.bind(
                    c.name, value.type, subject=False
                )  # a `let` names a value; it is not what bare field names mean
        violate_when = body.kind == "no"
        cond: ir.Expr | None = None
        if body.cond is not None:
            cond = self.expect_bool(self.expr(body.cond, env), body.cond.span)
            # Unfold `no X may (some y ...)` and `every X must (every y ...)` into loops, so
            # that each offending pair is its own violation, naming both entities.
            while isinstance(cond, ir.Quant) and cond.kind == ("some" if violate_when else "every"):
                q = cond
                elem = q.coll.type.elem if isinstance(q.coll.type, t.CollT) else t.INVALID
                entity = elem.name if isinstance(elem, t.EntityT) else None
                steps.append(ir.Bind(q.var, q.coll, entity, span=q.span))
                env = env.bind(q.var, elem)
                if entity is not None:
                    related.append((q.var, entity))
                if q.where is not None:
                    steps.append(ir.Filter(q.where, span=q.where.span))
                cond = q.must
        message = self.message(d, env)
        severity = meta.get("severity", ("error",))[0]
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
            message,
            self.subject_field(cond, steps, subject[0]),
            span=d.span,
        )

    def subject_field(
        self, cond: ir.Expr | None, steps: Sequence[ir.Step], subject: str
    ) -> str | None:
        """The first field of the subject that the condition reads: where a finding points."""
        exprs: list[ir.Expr] = [cond] if cond is not None else []
        exprs += [s.cond for s in steps if isinstance(s, ir.Filter)]
        for e in exprs:
            for node in walk(e):
                if (
                    isinstance(node, ir.GetField | ir.Deref)
                    and isinstance(node.obj, ir.Var)
                    and node.obj.name == subject
                ):
                    return node.field
        return None

    def message(self, d: ast.RuleDecl, env: Env) -> tuple[ir.MessagePart, ...]:
        if d.message is None:
            return ()
        parts: list[ir.MessagePart] = []
        for p in d.message.parts:
            if isinstance(p, ast.TemplateText):
                parts.append(ir.MessagePart(p.text, None))
                continue
            head = p.path[0]
            expr: ir.Expr | None = None
            # `{today}` is the evaluation date, as `today` is in a condition (a keyword: a
            # field called `today` is reached as `{claim.today}`).
            is_today = head == "today"
            if (
                env.var(head) is not None
                or head in self.params
                or self.subject_field_named(head, env)
                or is_today
            ):
                probe = Lowering.__new__(Lowering)
                probe.__dict__.update(self.__dict__)
                probe.diagnostics = []
                node: ast.Expr = ast.Today(span=p.span) if is_today else ast.Name(head, span=p.span)
                for name in p.path[1:]:
                    node = ast.Attr(node, name, p.span, span=p.span)
                expr = probe.expr(node, env, allow_optional=True)
                self.uses_today = self.uses_today or probe.uses_today
                if probe.diagnostics:
                    first = probe.diagnostics[0]
                    self.report(
                        Diagnostic(
                            "template",
                            f"the message names `{'.'.join(p.path)}`: {first.message}",
                            p.span,
                            first.hint,
                        )
                    )
                    expr = None
            else:
                known = [n for n, _ in env.vars] + list(self.params)
                self.report(
                    Diagnostic(
                        "template",
                        f"the message names `{head}`, which is not bound in this rule",
                        p.span,
                        did_you_mean(head, known)
                        or f"names bound here: {', '.join(sorted(known)) or 'none'}",
                    )
                )
            if expr is not None:
                parts.append(ir.MessagePart(None, expr))
        return tuple(parts)

    def subject_field_named(self, name: str, env: Env) -> bool:
        for _, entity in env.subjects:
            if self.schema.entities[entity].field(name) is not None:
                return True
        return False

    def binder(self, b: ast.Binder, env: Env) -> tuple[str, ir.Expr, t.Type] | None:
        """The variable, collection and element type a binder ranges over."""
        if b.collection is not None:
            coll = self.expr(b.collection, env)
            if coll.type == t.INVALID:
                return None
            if not isinstance(coll.type, t.CollT):
                self.error(
                    "not-a-collection",
                    b.collection.span,
                    f"`{b.name}` must range over a list, and this is `{coll.type}`",
                )
                return None
            return b.name, coll, coll.type.elem
        entity = self.entity_named(b.name)
        if entity is None:
            known = list(self.schema.entities) + [snake(e) for e in self.schema.entities]
            self.error(
                "unknown-entity",
                b.span,
                f"unknown entity `{b.name}`",
                did_you_mean(b.name, known)
                or (
                    "no entity is declared: compile the schema file together with the rules "
                    "(`alignrules check schema.rules rules.rules ...`), or `import` it"
                    if not self.schema.entities
                    else "to range over a list, write `x in <list>`"
                ),
            )
            return None
        var = b.var or snake(entity)
        return var, ir.AllOf(entity, t.CollT(t.EntityT(entity)), span=b.span), t.EntityT(entity)

    def entity_named(self, name: str) -> str | None:
        if name in self.schema.entities:
            return name
        for e in self.schema.entities:
            if snake(e) == name:
                return e
        return None

    # ------------------------------------------------------------ examples
    def example(self, d: ast.ExampleDecl, rules: dict[str, Span]) -> ir.Example | None:
        params: list[tuple[str, object]] = []
        for i, (name, value) in enumerate(d.params):
            p = self.params.get(name)
            if p is None:
                self.error(
                    "unknown-parameter",
                    d.param_spans[i] if i < len(d.param_spans) else value.span,
                    f"unknown parameter `{name}`",
                    did_you_mean(name, self.params),
                )
                continue
            v = self.constant(value, p.type)
            if v is not None:
                params.append((name, v))
        for exp in d.expects:
            # The loader's own rule is in every ruleset (runtime/bind.py).
            if exp.rule is not None and exp.rule not in rules and exp.rule != DANGLING_RULE:
                self.error(
                    "example",
                    exp.span,
                    f"the example expects rule `{exp.rule}`, which is not declared",
                    did_you_mean(exp.rule, rules),
                )
        return ir.Example(
            d.name,
            d.given,
            d.given_file,
            tuple(params),
            d.today,
            tuple((e.rule, e.keys, e.none) for e in d.expects),
            span=d.span,
        )

    # ------------------------------------------------------------ expressions
    def expr(
        self,
        e: ast.Expr,
        env: Env,
        expected: t.Type | None = None,
        allow_optional: bool = False,
    ) -> ir.Expr:
        """Lower `e`; values that may be missing are refused unless `allow_optional`."""
        out = self._expr(e, env, expected)
        if not allow_optional and isinstance(out.type, t.OptT):
            return self.error(
                "optional-value",
                e.span,
                f"`{e.span.source.text[e.span.start : e.span.end]}` may be missing",
                "say what missing means: `x is present and ...`, `x is missing or ...`, "
                "or `x otherwise <default>`",
            )
        return out

    def _expr(self, e: ast.Expr, env: Env, expected: t.Type | None) -> ir.Expr:
        method = getattr(self, "x_" + type(e).__name__.lower())
        result: ir.Expr = method(e, env, expected)
        return result

    def narrow(self, out: ir.Expr, env: Env) -> ir.Expr:
        if isinstance(out.type, t.OptT):
            key = path_key(out)
            if key is not None and key in env.present:
                return ir.Narrowed(out, out.type.inner, span=out.span)
        return out

    def x_name(self, e: ast.Name, env: Env, expected: t.Type | None) -> ir.Expr:
        typ = env.var(e.id)
        if typ is not None:
            return self.narrow(ir.Var(e.id, typ, span=e.span), env)
        if e.id in self.params:
            p = self.params[e.id]
            return ir.ParamRef(p.name, p.type, span=e.span)
        for var, entity in reversed(env.subjects):
            f = self.schema.entities[entity].field(e.id)
            if f is not None:
                base = ir.Var(var, t.EntityT(entity), span=e.span)
                return self.field_of(base, entity, f, e.span, env)
        if isinstance(expected, t.EnumT) and e.id in expected.values:
            return ir.EnumConst(expected.name, e.id, expected, span=e.span)
        if e.id in self.schema.entities:
            return ir.AllOf(e.id, t.CollT(t.EntityT(e.id)), span=e.span)
        owners = [en for en in self.schema.enums.values() if e.id in en.values]
        if len(owners) == 1 and expected is None:
            en = owners[0]
            return ir.EnumConst(en.name, e.id, enum_type(en), span=e.span)
        if isinstance(expected, t.EnumT):
            return self.error(
                "unknown-enum-value",
                e.span,
                f"`{e.id}` is not a value of `{expected.name}`",
                did_you_mean(e.id, expected.values) or f"values are {', '.join(expected.values)}",
            )
        known = [n for n, _ in env.vars] + list(self.params)
        for _, entity in env.subjects:
            known += [f.name for f in self.schema.entities[entity].fields]
        known += list(self.schema.entities)
        hint = did_you_mean(e.id, known)
        if hint is None and owners:
            hint = f"`{e.id}` is a value of {', '.join(f'`{o.name}`' for o in owners)}; write `{owners[0].name}.{e.id}`"
        return self.error("unknown-name", e.span, f"unknown name `{e.id}`", hint)

    def x_attr(self, e: ast.Attr, env: Env, expected: t.Type | None) -> ir.Expr:
        if (
            isinstance(e.obj, ast.Name)
            and e.obj.id in self.schema.enums
            and env.var(e.obj.id) is None
        ):
            en = self.schema.enums[e.obj.id]
            if e.name not in en.values:
                return self.error(
                    "unknown-enum-value",
                    e.name_span,
                    f"`{en.name}` has no value `{e.name}`",
                    did_you_mean(e.name, en.values) or f"values are {', '.join(en.values)}",
                )
            return ir.EnumConst(en.name, e.name, enum_type(en), span=e.span)
        obj = self._expr(e.obj, env, None)
        typ = obj.type
        if typ == t.INVALID:
            return obj
        if isinstance(typ, t.OptT):
            return self.error(
                "optional-value",
                e.obj.span,
                f"`{_text(e.obj)}` may be missing, so `.{e.name}` has no value then",
                f"guard it: `{_text(e.obj)} is present and ...`",
            )
        if isinstance(typ, t.EntityT):
            entity = self.schema.entities[typ.name]
            f = entity.field(e.name)
            if f is None:
                return self.unknown_field(entity, e)
            return self.field_of(obj, entity.name, f, e.span, env)
        if isinstance(typ, t.CollT) and isinstance(typ.elem, t.EntityT):
            entity = self.schema.entities[typ.elem.name]
            f = entity.field(e.name)
            if f is None:
                return self.unknown_field(entity, e)
            var = "_it"
            inner = self.field_of(ir.Var(var, typ.elem, span=e.span), entity.name, f, e.span, Env())
            value_t = t.strip_opt(inner.type)
            flatten = isinstance(value_t, t.CollT)
            elem_t = value_t.elem if isinstance(value_t, t.CollT) else value_t
            return ir.MapField(obj, var, inner, flatten, t.CollT(elem_t), span=e.span)
        return self.error(
            "type-mismatch", e.name_span, f"`{typ}` has no fields, so `.{e.name}` means nothing"
        )

    def unknown_field(self, entity: ir.Entity, e: ast.Attr) -> ir.Invalid:
        return self.error(
            "unknown-field",
            e.name_span,
            f"`{entity.name}` has no field `{e.name}`",
            did_you_mean(e.name, [f.name for f in entity.fields])
            or f"its fields are {', '.join(f'`{f.name}`' for f in entity.fields)}",
        )

    def field_of(self, obj: ir.Expr, entity: str, f: ir.Field, span: Span, env: Env) -> ir.Expr:
        if f.ref is not None:
            target = t.EntityT(f.ref)
            typ: t.Type = t.CollT(target) if f.many else target
            if f.optional:
                typ = t.OptT(typ)
            out: ir.Expr = ir.Deref(obj, entity, f.name, f.ref, f.many, f.optional, typ, span=span)
        else:
            typ = t.OptT(f.type) if f.optional else f.type
            out = ir.GetField(obj, entity, f.name, typ, span=span)
        return self.narrow(out, env)

    def x_literal(self, e: ast.Literal, env: Env, expected: t.Type | None) -> ir.Expr:
        value, typ, currency = literal_value(e)
        return ir.Const(value, typ, currency, span=e.span)

    def x_today(self, e: ast.Today, env: Env, expected: t.Type | None) -> ir.Expr:
        self.uses_today = True
        return ir.Today(t.DATE, span=e.span)

    def x_setlit(self, e: ast.SetLit, env: Env, expected: t.Type | None) -> ir.Expr:
        elem_expected = expected.elem if isinstance(expected, t.CollT) else None
        items = tuple(self.expr(i, env, elem_expected) for i in e.items)
        types = {i.type for i in items if i.type != t.INVALID}
        if not items:
            elem = elem_expected or t.INVALID
            return ir.SetLit((), t.CollT(elem, "set"), span=e.span)
        if len(types) > 1:
            nums = types <= t.NUMERIC
            if not nums:
                return self.error(
                    "type-mismatch",
                    e.span,
                    f"a set holds one type, and this mixes {', '.join(sorted(map(str, types)))}",
                )
            types = {t.DECIMAL}
        elem = next(iter(types)) if types else t.INVALID
        return ir.SetLit(items, t.CollT(elem, "set"), span=e.span)

    def x_call(self, e: ast.Call, env: Env, expected: t.Type | None) -> ir.Expr:
        if e.name in BUILTINS:
            return self.builtin(e, env)
        decl = self.predicate_decls.get(e.name)
        if decl is None:
            return self.error(
                "unknown-predicate",
                e.name_span,
                f"unknown predicate `{e.name}`",
                did_you_mean(e.name, [*self.predicate_decls, *BUILTINS]),
            )
        if len(e.args) != len(decl.params):
            return self.error(
                "arity",
                e.span,
                f"`{e.name}` takes {len(decl.params)} argument(s), got {len(e.args)}",
            )
        args = []
        for a, p in zip(e.args, decl.params, strict=True):
            want = self.type_by_name(p.type, p.span)
            arg = self.expr(a, env, want)
            if not compatible(want, arg.type):
                self.error(
                    "type-mismatch",
                    a.span,
                    f"`{p.name}` of `{e.name}` is `{want}`, got `{arg.type}`",
                )
            args.append(arg)
        return ir.PredCall(e.name, tuple(args), span=e.span)

    def builtin(self, e: ast.Call, env: Env) -> ir.Expr:
        if len(e.args) != 1:
            return self.error("arity", e.span, f"`{e.name}` takes one argument, got {len(e.args)}")
        arg = self.expr(e.args[0], env)
        if arg.type == t.INVALID:
            return arg
        wants: dict[str, tuple[tuple[t.Type, ...], t.Type | None]] = {
            "lower": ((t.TEXT,), t.TEXT),
            "upper": ((t.TEXT,), t.TEXT),
            "trim": ((t.TEXT,), t.TEXT),
            "abs": ((t.INT, t.DECIMAL, t.MONEY, t.DURATION), None),
            "days": ((t.DURATION,), t.INT),
            "year": ((t.DATE,), t.INT),
            "month": ((t.DATE,), t.INT),
        }
        if e.name == "length":
            if arg.type != t.TEXT and not isinstance(arg.type, t.CollT):
                return self.error(
                    "type-mismatch",
                    e.args[0].span,
                    f"`length` takes text or a list, got `{arg.type}`",
                )
            return ir.Builtin("length", (arg,), t.INT, span=e.span)
        accepted, result = wants[e.name]
        if arg.type not in accepted:
            return self.error(
                "type-mismatch",
                e.args[0].span,
                f"`{e.name}` takes {' or '.join(map(str, accepted))}, got `{arg.type}`",
            )
        return ir.Builtin(e.name, (arg,), result or arg.type, span=e.span)

    def x_aggregate(self, e: ast.Aggregate, env: Env, expected: t.Type | None) -> ir.Expr:
        if e.binder is not None:
            bound = self.binder(e.binder, env)
            if bound is None:
                return ir.Invalid(t.INVALID, span=e.span)
            var, coll, elem = bound
            inner = env.bind(var, elem)
            where = None
            if e.where is not None:
                where = self.expect_bool(self.expr(e.where, inner), e.where.span)
                inner = inner.knowing(facts(where, True))
            value = self.expr(e.expr, inner)
        else:
            coll = self.expr(e.expr, env)
            if coll.type == t.INVALID:
                return coll
            if not isinstance(coll.type, t.CollT):
                return self.error(
                    "not-a-collection",
                    e.expr.span,
                    f"`{e.op}` needs a list, and this is `{coll.type}`",
                    "aggregate a list field, a path through one, or an entity type",
                )
            elem = coll.type.elem
            var = snake(elem.name) if isinstance(elem, t.EntityT) else "it"
            inner = env.bind(var, elem)
            where = None
            if e.where is not None:
                where = self.expect_bool(self.expr(e.where, inner), e.where.span)
            value = ir.Var(var, elem, span=e.expr.span)
        if value.type == t.INVALID or (where is not None and where.type == t.INVALID):
            return ir.Invalid(t.INVALID, span=e.span)
        vt = value.type
        if e.op == "count":
            typ: t.Type = t.INT
        elif e.op == "sum":
            if vt not in (t.INT, t.DECIMAL, t.MONEY, t.DURATION):
                return self.error(
                    "type-mismatch",
                    e.expr.span,
                    f"`sum` adds numbers, money or durations, not `{vt}`",
                )
            typ = vt
        elif e.op == "avg":
            if vt not in (t.INT, t.DECIMAL, t.MONEY):
                return self.error(
                    "type-mismatch", e.expr.span, f"`avg` needs numbers or money, not `{vt}`"
                )
            typ = t.OptT(t.MONEY if vt == t.MONEY else t.DECIMAL)
        else:
            if not vt.is_ordered or isinstance(vt, t.EntityT | t.CollT | t.OptT):
                return self.error(
                    "unordered-compare", e.expr.span, f"`{e.op}` needs ordered values, not `{vt}`"
                )
            typ = t.OptT(vt)
        return ir.Aggregate(e.op, var, coll, value, where, typ, span=e.span)

    def x_backreference(self, e: ast.BackReference, env: Env, expected: t.Type | None) -> ir.Expr:
        entity = self.entity_named(e.entity)
        if entity is None:
            return self.error(
                "unknown-entity",
                e.entity_span,
                f"unknown entity `{e.entity}`",
                did_you_mean(e.entity, self.schema.entities),
            )
        target = self.expr(e.target, env)
        if target.type == t.INVALID:
            return target
        if not isinstance(target.type, t.EntityT):
            return self.error(
                "not-a-reference",
                e.target.span,
                f"`referencing` needs an entity, and this is `{target.type}`",
            )
        f = self.ref_field(entity, target.type.name, e.via, e.span)
        if f is None:
            return ir.Invalid(t.INVALID, span=e.span)
        return ir.BackRef(entity, f.name, target, t.CollT(t.EntityT(entity)), span=e.span)

    def ref_field(self, entity: str, target: str, via: str | None, span: Span) -> ir.Field | None:
        ent = self.schema.entities[entity]
        fields = [f for f in ent.fields if f.ref == target]
        if via is not None:
            f = ent.field(via)
            if f is None or f.ref != target:
                self.error(
                    "not-a-reference",
                    span,
                    f"`{entity}` has no field `{via}` that references `{target}`",
                    did_you_mean(via, [f.name for f in fields])
                    or (
                        f"its references to `{target}`: {', '.join(f.name for f in fields)}"
                        if fields
                        else None
                    ),
                )
                return None
            return f
        if not fields:
            self.error("no-reference", span, f"`{entity}` has no field that references `{target}`")
            return None
        if len(fields) > 1:
            self.error(
                "ambiguous-reference",
                span,
                f"`{entity}` references `{target}` through {len(fields)} fields",
                f"say which with `via {fields[0].name}` (one of {', '.join(f.name for f in fields)})",
            )
            return None
        return fields[0]

    def x_quantifier(self, e: ast.Quantifier, env: Env, expected: t.Type | None) -> ir.Expr:
        bound = self.binder(e.binder, env)
        if bound is None:
            return ir.Invalid(t.INVALID, span=e.span)
        var, coll, elem = bound
        inner = env.bind(var, elem)
        where = None
        if e.where is not None:
            where = self.expect_bool(self.expr(e.where, inner), e.where.span)
            inner = inner.knowing(facts(where, True))
        must = None
        if e.must is not None:
            must = self.expect_bool(self.expr(e.must, inner), e.must.span)
        return ir.Quant(e.kind, var, coll, where, must, span=e.span)

    def x_reference(self, e: ast.Reference, env: Env, expected: t.Type | None) -> ir.Expr:
        if e.subject is not None:
            subject = self.expr(e.subject, env)
            if subject.type == t.INVALID:
                return subject
            if not isinstance(subject.type, t.EntityT):
                return self.error(
                    "not-a-reference",
                    e.subject.span,
                    f"only an entity references others, not `{subject.type}`",
                )
        elif env.subjects:
            var, entity = env.subjects[-1]
            subject = ir.Var(var, t.EntityT(entity), span=e.span)
        else:
            return self.error(
                "missing-subject",
                e.span,
                "`reference` needs a subject here",
                "write `x references a ...`",
            )
        target = self.entity_named(e.entity)
        if target is None:
            return self.error(
                "unknown-entity",
                e.entity_span,
                f"unknown entity `{e.entity}`",
                did_you_mean(e.entity, [*self.schema.entities, *map(snake, self.schema.entities)]),
            )
        assert isinstance(subject.type, t.EntityT)
        f = self.ref_field(subject.type.name, target, e.via, e.entity_span)
        if f is None:
            return ir.Invalid(t.INVALID, span=e.span)
        deref = self.field_of(subject, subject.type.name, f, e.span, env)
        coll: ir.Expr = ir.Builtin("as_list", (deref,), t.CollT(t.EntityT(target)), span=e.span)
        var = e.var or snake(target)
        inner = env.bind(var, t.EntityT(target))
        where = None
        if e.cond is not None:
            cond = self.expect_bool(self.expr(e.cond, inner), e.cond.span)
            where = ir.Not(cond, span=e.cond.span) if e.negate else cond
        return ir.Quant("some", var, coll, where, None, span=e.span)

    def x_boolop(self, e: ast.BoolOp, env: Env, expected: t.Type | None) -> ir.Expr:
        left = self.expect_bool(self.expr(e.left, env), e.left.span)
        right_env = env.knowing(facts(left, e.op == "and"))
        right = self.expect_bool(self.expr(e.right, right_env), e.right.span)
        return ir.BoolOp(e.op, left, right, span=e.span)

    def x_not(self, e: ast.Not, env: Env, expected: t.Type | None) -> ir.Expr:
        return ir.Not(self.expect_bool(self.expr(e.expr, env), e.expr.span), span=e.span)

    def _bare_enum_candidate(self, e: ast.Expr, env: Env) -> bool:
        """A bare name that only an enum could give meaning to."""
        if not isinstance(e, ast.Name):
            return False
        if env.var(e.id) is not None or e.id in self.params or e.id in self.schema.entities:
            return False
        return not self.subject_field_named(e.id, env)

    def x_compare(self, e: ast.Compare, env: Env, expected: t.Type | None) -> ir.Expr:
        if self._bare_enum_candidate(e.left, env) and not self._bare_enum_candidate(e.right, env):
            right = self.expr(e.right, env)
            left = self.expr(e.left, env, right.type)
        else:
            left = self.expr(e.left, env)
            if left.type == t.INVALID and self._bare_enum_candidate(e.right, env):
                return left  # `x.typo < funded`: `funded` cannot be judged without `x.typo`
            right = self.expr(e.right, env, left.type)
        if t.INVALID in (left.type, right.type):
            return ir.Invalid(t.INVALID, span=e.span)
        operand = self.common(left.type, right.type)
        if operand is None:
            return self.error(
                "type-mismatch",
                e.span,
                f"cannot compare `{left.type}` with `{right.type}`",
                self.compare_hint(left.type, right.type),
            )
        if e.op in _ORDER_OPS and not operand.is_ordered:
            if isinstance(operand, t.EnumT):
                return self.error(
                    "unordered-compare",
                    e.span,
                    f"`{operand}` has no order, so `{e.spelling or e.op}` cannot compare it",
                    "declare it with `<` between its values to order it, or compare with `=` or `in`",
                )
            return self.error("type-mismatch", e.span, f"`{operand}` values have no order")
        return ir.Compare(e.op, left, right, operand, span=e.span)

    def compare_hint(self, a: t.Type, b: t.Type) -> str | None:
        if t.DATE in (a, b) and t.DURATION in (a, b):
            return "add the duration to a date first, e.g. `launch_on + 30 days`"
        if t.DATE in (a, b) and ({a, b} - {t.DATE}) <= t.NUMERIC:
            return (
                "compare `year(...)` or `month(...)` of the date with a number, "
                "or the date with a date such as 2026-01-31"
            )
        if t.MONEY in (a, b) and t.TEXT in (a, b):
            return "write an amount with its currency, without quotes: `1000 EUR`"
        if isinstance(a, t.EnumT) or isinstance(b, t.EnumT):
            return "compare an enum with one of its values"
        return None

    def common(self, a: t.Type, b: t.Type) -> t.Type | None:
        if a == b:
            return a
        if {a, b} <= t.NUMERIC:
            return t.DECIMAL
        if t.MONEY in (a, b) and ({a, b} - {t.MONEY}) <= t.NUMERIC:
            return t.MONEY
        return None

    def x_ismissing(self, e: ast.IsMissing, env: Env, expected: t.Type | None) -> ir.Expr:
        inner = self.expr(e.expr, env, allow_optional=True)
        if inner.type == t.INVALID:
            return inner
        if not isinstance(inner.type, t.OptT) and not isinstance(inner, ir.Narrowed):
            self.error(
                "type-mismatch",
                e.span,
                f"`{_text(e.expr)}` is never missing, so this test is always "
                + ("true" if e.negated else "false"),
                "only optional fields (declared with `?`) and `min`/`max`/`avg` can be missing",
            )
        if isinstance(inner, ir.Narrowed):
            inner = inner.expr
        return ir.IsMissing(inner, e.negated, span=e.span)

    def x_member(self, e: ast.Member, env: Env, expected: t.Type | None) -> ir.Expr:
        element = self.expr(e.element, env)
        coll = self.expr(e.collection, env, t.CollT(element.type, "set"))
        if t.INVALID in (element.type, coll.type):
            return ir.Invalid(t.INVALID, span=e.span)
        if not isinstance(coll.type, t.CollT):
            return self.error(
                "not-a-collection",
                e.collection.span,
                f"`in` needs a list or set, and this is `{coll.type}`",
            )
        if coll.type.elem != t.INVALID and self.common(element.type, coll.type.elem) is None:
            return self.error(
                "type-mismatch",
                e.span,
                f"a `{element.type}` is never in a `{coll.type}`",
            )
        return ir.Member(element, coll, e.negated, span=e.span)

    def x_textmatch(self, e: ast.TextMatch, env: Env, expected: t.Type | None) -> ir.Expr:
        left = self.expr(e.left, env)
        right = self.expr(e.right, env)
        for side, node in ((left, e.left), (right, e.right)):
            if side.type not in (t.TEXT, t.INVALID):
                return self.error(
                    "type-mismatch", node.span, f"`{e.op}` works on text, not `{side.type}`"
                )
        regex_id = None
        if e.op == "matches":
            if not (isinstance(right, ir.Const) and isinstance(right.value, str)):
                return self.error(
                    "bad-regex", e.right.span, "the pattern of `matches` must be a string literal"
                )
            problem = regex_problem(right.value, e.ignore_case)
            if problem is not None:
                return self.error("bad-regex", e.right.span, problem.message, problem.hint)
            regex_id = len(self.regexes)
            self.regexes.append((right.value, e.ignore_case))
        return ir.TextMatch(e.op, left, right, e.ignore_case, regex_id, span=e.span)

    def x_arith(self, e: ast.Arith, env: Env, expected: t.Type | None) -> ir.Expr:
        left = self.expr(e.left, env)
        right = self.expr(e.right, env)
        if t.INVALID in (left.type, right.type):
            return ir.Invalid(t.INVALID, span=e.span)
        typ = arith_type(e.op, left.type, right.type)
        if typ is None:
            return self.error(
                "arithmetic-type",
                e.span,
                f"cannot compute `{left.type}` {e.op} `{right.type}`",
                "dates and durations: date - date, date ± duration; money: money ± money, "
                "money × number, money / money",
            )
        return ir.Arith(e.op, left, right, typ, span=e.span)

    def x_neg(self, e: ast.Neg, env: Env, expected: t.Type | None) -> ir.Expr:
        inner = self.expr(e.expr, env)
        if inner.type not in (t.INT, t.DECIMAL, t.MONEY, t.DURATION, t.INVALID):
            return self.error("arithmetic-type", e.span, f"`-` does not apply to `{inner.type}`")
        return ir.Neg(inner, inner.type, span=e.span)

    def x_otherwise(self, e: ast.Otherwise, env: Env, expected: t.Type | None) -> ir.Expr:
        inner = self.expr(e.expr, env, allow_optional=True)
        if inner.type == t.INVALID:
            return inner
        if isinstance(inner, ir.Narrowed):
            inner = inner.expr
        base = t.strip_opt(inner.type)
        default = self.expr(e.default, env, base)
        if default.type == t.INVALID:
            return default
        if not isinstance(inner.type, t.OptT):
            return self.error(
                "type-mismatch",
                e.span,
                f"`{_text(e.expr)}` is never missing, so `otherwise` has no effect",
            )
        if not compatible(base, default.type) and not (
            isinstance(base, t.CollT) and isinstance(default, ir.SetLit) and not default.items
        ):
            return self.error(
                "type-mismatch",
                e.default.span,
                f"the default must be `{base}`, got `{default.type}`",
            )
        return ir.Otherwise(inner, default, base, span=e.span)


def arith_type(op: str, a: t.Type, b: t.Type) -> t.Type | None:
    num = t.NUMERIC
    if a in num and b in num:
        if op == "/" or t.DECIMAL in (a, b):
            return t.DECIMAL
        return t.INT
    if op in "+-":
        if a == b and a in (t.MONEY, t.DURATION):
            return a
        if a == t.DATE and b == t.DURATION:
            return t.DATE
        if op == "+" and a == t.DURATION and b == t.DATE:
            return t.DATE
        if op == "-" and a == b == t.DATE:
            return t.DURATION
        if t.MONEY in (a, b) and ({a, b} - {t.MONEY}) <= num:
            return t.MONEY
        return None
    if op == "*":
        if (a == t.MONEY and b in num) or (b == t.MONEY and a in num):
            return t.MONEY
        if (a == t.DURATION and b == t.INT) or (b == t.DURATION and a == t.INT):
            return t.DURATION
        return None
    if op == "/":
        if a == b == t.MONEY:
            return t.DECIMAL
        if a == t.MONEY and b in num:
            return t.MONEY
        if a == b == t.DURATION:
            return t.DECIMAL
    return None


def _text(e: ast.Expr) -> str:
    return e.span.source.text[e.span.start : e.span.end]


def lower(name: str, files: Sequence[ast.Ruleset]) -> ir.Program:
    """Type-check `files` together; the Program, or DiagnosticError listing every problem."""
    return Lowering().program(name, files)


def lower_all(name: str, files: Sequence[ast.Ruleset]) -> tuple[ir.Program, tuple[Diagnostic, ...]]:
    """`lower` for rulesets being edited: the Program of what could be typed, and every
    problem (sorted, as DiagnosticError sorts them) instead of an exception."""
    lowering = Lowering()
    program = lowering.typed(name, files)
    return program, tuple(sorted(lowering.diagnostics, key=Diagnostic.sort_key))


__all__ = ["arith_type", "date", "lower", "lower_all", "regex_problem"]
