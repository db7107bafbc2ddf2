"""Name resolution and typing of expressions: AST expressions → typed IR expressions.

Over 500 lines: one method per kind of expression, and the name resolution they share
(variables, bare fields of the subjects, parameters, enum values, entities); the operator
typing rules are in `operators`, the missing-value flow analysis in `missing`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

import attrs

from alignrules.diagnostics import Diagnostic, did_you_mean
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.builtins import PUBLIC as BUILTINS
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.typecheck.env import Env
from alignrules.typecheck.missing import facts, narrow
from alignrules.typecheck.operators import (
    ORDER_OPS,
    arith_type,
    common,
    compare_hint,
    compatible,
)
from alignrules.typecheck.regex import regex_problem
from alignrules.typecheck.schema import SchemaBuilder, enum_type, literal_value, snake

Report = Callable[[Diagnostic], None]


@attrs.define
class Context:
    """What the typing of one ruleset shares between its expressions: the schema, the
    parameters and predicates declared, and what the generated module will need."""

    schema: SchemaBuilder
    params: dict[str, ir.Param] = attrs.Factory(dict)
    predicate_decls: dict[str, ast.PredicateDecl] = attrs.Factory(dict)
    regexes: list[tuple[str, bool]] = attrs.Factory(list)  # (pattern, ignore_case)
    uses_today: bool = False


class Expressions:
    """Types expressions in a `Context`, reporting each problem to `report` once: a wrong
    subtree becomes `ir.Invalid`, and nothing built on it is reported again."""

    def __init__(self, ctx: Context, report: Report) -> None:
        self.ctx = ctx
        self.report = report

    def reporting_to(self, report: Report) -> Expressions:
        """The same typing, with problems sent to `report` (a message template collects
        them to report one problem of its own)."""
        return Expressions(self.ctx, report)

    def error(self, code: str, span: Span, message: str, hint: str | None = None) -> ir.Invalid:
        self.report(Diagnostic(code, message, span, hint))
        return ir.Invalid(t.INVALID, span=span)

    def type_by_name(self, name: str, span: Span) -> t.Type:
        typ, _ = self.ctx.schema.resolve_type(ast.TypeRef(name, None, False, span=span))
        return typ

    def expect_bool(self, e: ir.Expr, span: Span) -> ir.Expr:
        if e.type not in (t.BOOL, t.INVALID):
            return self.error("type-mismatch", span, f"expected a condition, got `{e.type}`")
        return e

    def subject_field_named(self, name: str, env: Env) -> bool:
        for _, entity in env.subjects:
            if self.ctx.schema.entities[entity].field(name) is not None:
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
            known = list(self.ctx.schema.entities) + [snake(e) for e in self.ctx.schema.entities]
            self.error(
                "unknown-entity",
                b.span,
                f"unknown entity `{b.name}`",
                did_you_mean(b.name, known)
                or (
                    "no entity is declared: compile the schema file together with the rules "
                    "(`alignrules check schema.rules rules.rules ...`), or `import` it"
                    if not self.ctx.schema.entities
                    else "to range over a list, write `x in <list>`"
                ),
            )
            return None
        var = b.var or snake(entity)
        return var, ir.AllOf(entity, t.CollT(t.EntityT(entity)), span=b.span), t.EntityT(entity)

    def entity_named(self, name: str) -> str | None:
        if name in self.ctx.schema.entities:
            return name
        for e in self.ctx.schema.entities:
            if snake(e) == name:
                return e
        return None

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
        match e:
            case ast.Name():
                return self.x_name(e, env, expected)
            case ast.Attr():
                return self.x_attr(e, env, expected)
            case ast.Literal():
                return self.x_literal(e, env, expected)
            case ast.Today():
                return self.x_today(e, env, expected)
            case ast.SetLit():
                return self.x_setlit(e, env, expected)
            case ast.Call():
                return self.x_call(e, env, expected)
            case ast.Aggregate():
                return self.x_aggregate(e, env, expected)
            case ast.BackReference():
                return self.x_backreference(e, env, expected)
            case ast.Quantifier():
                return self.x_quantifier(e, env, expected)
            case ast.Reference():
                return self.x_reference(e, env, expected)
            case ast.BoolOp():
                return self.x_boolop(e, env, expected)
            case ast.Not():
                return self.x_not(e, env, expected)
            case ast.Compare():
                return self.x_compare(e, env, expected)
            case ast.IsMissing():
                return self.x_ismissing(e, env, expected)
            case ast.Member():
                return self.x_member(e, env, expected)
            case ast.TextMatch():
                return self.x_textmatch(e, env, expected)
            case ast.Arith():
                return self.x_arith(e, env, expected)
            case ast.Neg():
                return self.x_neg(e, env, expected)
            case ast.Otherwise():
                return self.x_otherwise(e, env, expected)
            case _:
                assert_never(e)

    def x_name(self, e: ast.Name, env: Env, expected: t.Type | None) -> ir.Expr:
        typ = env.var(e.id)
        if typ is not None:
            return narrow(ir.Var(e.id, typ, span=e.span), env)
        if e.id in self.ctx.params:
            p = self.ctx.params[e.id]
            return ir.ParamRef(p.name, p.type, span=e.span)
        for var, entity in reversed(env.subjects):
            f = self.ctx.schema.entities[entity].field(e.id)
            if f is not None:
                base = ir.Var(var, t.EntityT(entity), span=e.span)
                return self.field_of(base, entity, f, e.span, env)
        if isinstance(expected, t.EnumT) and e.id in expected.values:
            return ir.EnumConst(expected.name, e.id, expected, span=e.span)
        if e.id in self.ctx.schema.entities:
            return ir.AllOf(e.id, t.CollT(t.EntityT(e.id)), span=e.span)
        owners = [en for en in self.ctx.schema.enums.values() if e.id in en.values]
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
        known = [n for n, _ in env.vars] + list(self.ctx.params)
        for _, entity in env.subjects:
            known += [f.name for f in self.ctx.schema.entities[entity].fields]
        known += list(self.ctx.schema.entities)
        hint = did_you_mean(e.id, known)
        if hint is None and owners:
            hint = f"`{e.id}` is a value of {', '.join(f'`{o.name}`' for o in owners)}; write `{owners[0].name}.{e.id}`"
        return self.error("unknown-name", e.span, f"unknown name `{e.id}`", hint)

    def x_attr(self, e: ast.Attr, env: Env, expected: t.Type | None) -> ir.Expr:
        if (
            isinstance(e.obj, ast.Name)
            and e.obj.id in self.ctx.schema.enums
            and env.var(e.obj.id) is None
        ):
            en = self.ctx.schema.enums[e.obj.id]
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
            entity = self.ctx.schema.entities[typ.name]
            f = entity.field(e.name)
            if f is None:
                return self.unknown_field(entity, e)
            return self.field_of(obj, entity.name, f, e.span, env)
        if isinstance(typ, t.CollT) and isinstance(typ.elem, t.EntityT):
            entity = self.ctx.schema.entities[typ.elem.name]
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
        return narrow(out, env)

    def x_literal(self, e: ast.Literal, env: Env, expected: t.Type | None) -> ir.Expr:
        value, typ, currency = literal_value(e)
        return ir.Const(value, typ, currency, span=e.span)

    def x_today(self, e: ast.Today, env: Env, expected: t.Type | None) -> ir.Expr:
        self.ctx.uses_today = True
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
        decl = self.ctx.predicate_decls.get(e.name)
        if decl is None:
            return self.error(
                "unknown-predicate",
                e.name_span,
                f"unknown predicate `{e.name}`",
                did_you_mean(e.name, [*self.ctx.predicate_decls, *BUILTINS]),
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
        fn = BUILTINS[e.name]
        if not fn.accepts(arg.type):
            return self.error(
                "type-mismatch",
                e.args[0].span,
                f"`{e.name}` takes {fn.takes}, got `{arg.type}`",
            )
        return ir.Builtin(e.name, (arg,), fn.result(arg.type), span=e.span)

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
                did_you_mean(e.entity, self.ctx.schema.entities),
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
        ent = self.ctx.schema.entities[entity]
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
                did_you_mean(
                    e.entity, [*self.ctx.schema.entities, *map(snake, self.ctx.schema.entities)]
                ),
            )
        assert isinstance(subject.type, t.EntityT)
        f = self.ref_field(subject.type.name, target, e.via, e.entity_span)
        if f is None:
            return ir.Invalid(t.INVALID, span=e.span)
        refs = self.field_of(subject, subject.type.name, f, e.span, env)
        var = e.var or snake(target)
        inner = env.bind(var, t.EntityT(target))
        where = None
        if e.cond is not None:
            cond = self.expect_bool(self.expr(e.cond, inner), e.cond.span)
            where = ir.Not(cond, span=e.cond.span) if e.negate else cond
        return ir.Refers(refs, var, target, where, span=e.span)

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
        if env.var(e.id) is not None or e.id in self.ctx.params or e.id in self.ctx.schema.entities:
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
        operand = common(left.type, right.type)
        if operand is None:
            return self.error(
                "type-mismatch",
                e.span,
                f"cannot compare `{left.type}` with `{right.type}`",
                compare_hint(left.type, right.type),
            )
        if e.op in ORDER_OPS and not operand.is_ordered:
            if isinstance(operand, t.EnumT):
                return self.error(
                    "unordered-compare",
                    e.span,
                    f"`{operand}` has no order, so `{e.spelling or e.op}` cannot compare it",
                    "declare it with `<` between its values to order it, or compare with `=` or `in`",
                )
            return self.error("type-mismatch", e.span, f"`{operand}` values have no order")
        return ir.Compare(e.op, left, right, operand, span=e.span)

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
        if coll.type.elem != t.INVALID and common(element.type, coll.type.elem) is None:
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
            regex_id = len(self.ctx.regexes)
            self.ctx.regexes.append((right.value, e.ignore_case))
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


def _text(e: ast.Expr) -> str:
    return e.span.source.text[e.span.start : e.span.end]
