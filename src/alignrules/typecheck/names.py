"""Name resolution: what a name, a field, a binder or a reference means at one point of a
ruleset (variables, bare fields of the subjects, parameters, enum values, entities), and the
shared state the typing of one ruleset's expressions works in.
"""

from __future__ import annotations

import abc
from collections.abc import Callable

import attrs

from alignrules.diagnostics import Diagnostic, did_you_mean
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.typecheck.env import Env
from alignrules.typecheck.missing import narrow
from alignrules.typecheck.schema import SchemaBuilder, enum_type, snake

Report = Callable[[Diagnostic], None]


@attrs.frozen
class BareField:
    """A bare name that resolved to a field of the innermost subject having one of that name
    while outer subjects have one too: legal (innermost first, docs/language.md §6.6), but
    easy to misread. Kept for tools that read rulesets (`alignrules lint`), never an error.

    `chosen` is the subject it resolved to and `others` the outer ones, innermost first,
    each as (variable, entity).
    """

    name: str
    span: Span
    chosen: tuple[str, str]
    others: tuple[tuple[str, str], ...]


@attrs.define
class Context:
    """What the typing of one ruleset shares between its expressions: the schema, the
    parameters and predicates declared, and what the generated module will need."""

    schema: SchemaBuilder
    params: dict[str, ir.Param] = attrs.Factory(dict)
    predicate_decls: dict[str, ast.PredicateDecl] = attrs.Factory(dict)
    regexes: list[tuple[str, bool]] = attrs.Factory(list)  # (pattern, ignore_case)
    uses_today: bool = False
    bare_fields: list[BareField] = attrs.Factory(list)


class Names(abc.ABC):
    """Resolves names in a `Context`, reporting each problem to `report` once; the typing
    of the other expressions (`expressions.Expressions`) extends it."""

    def __init__(self, ctx: Context, report: Report) -> None:
        self.ctx = ctx
        self.report = report

    @abc.abstractmethod
    def _expr(self, e: ast.Expr, env: Env, expected: t.Type | None) -> ir.Expr:
        """The typed IR of `e`, which may be missing."""

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

    def x_name(self, e: ast.Name, env: Env, expected: t.Type | None) -> ir.Expr:
        typ = env.var(e.id)
        if typ is not None:
            return narrow(ir.Var(e.id, typ, span=e.span), env)
        if e.id in self.ctx.params:
            p = self.ctx.params[e.id]
            return ir.ParamRef(p.name, p.type, span=e.span)
        for i, (var, entity) in reversed(list(enumerate(env.subjects))):
            f = self.ctx.schema.entities[entity].field(e.id)
            if f is not None:
                self.note_outer_fields(e, env, i)
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

    def note_outer_fields(self, e: ast.Name, env: Env, chosen: int) -> None:
        """Record `e` when subjects outside `env.subjects[chosen]` have a field `e.id` too.

        Only outer subjects a writer can still name are counted: one whose variable a later
        binding hides cannot be spelled out, so it offers no other reading to warn about.
        """
        later = {var for var, _ in env.subjects[chosen:]}
        others: list[tuple[str, str]] = []
        for var, entity in reversed(env.subjects[:chosen]):
            if (
                var not in later
                and env.var(var) == t.EntityT(entity)
                and self.ctx.schema.entities[entity].field(e.id) is not None
            ):
                others.append((var, entity))
            later.add(var)
        if others:
            self.ctx.bare_fields.append(
                BareField(e.id, e.span, env.subjects[chosen], tuple(others))
            )

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
                f"`{source_text(e.obj)}` may be missing, so `.{e.name}` has no value then",
                f"guard it: `{source_text(e.obj)} is present and ...`",
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


def source_text(e: ast.Expr) -> str:
    """`e` as written in the ruleset."""
    return e.span.source.text[e.span.start : e.span.end]
