"""Typing of expressions: AST expressions → typed IR expressions, one method per kind.

Name resolution is in `names`, the typing rules of the operators in `operators`, the
missing-value flow analysis in `missing`.
"""

from __future__ import annotations

from typing import assert_never

from alignrules.diagnostics import did_you_mean
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.builtins import PUBLIC as BUILTINS
from alignrules.syntax import ast
from alignrules.typecheck.env import Env
from alignrules.typecheck.missing import facts
from alignrules.typecheck.names import Names, Report, source_text
from alignrules.typecheck.operators import (
    ORDER_OPS,
    arith_type,
    common,
    compare_hint,
    compatible,
)
from alignrules.typecheck.regex import regex_problem
from alignrules.typecheck.schema import literal_value, snake


class Expressions(Names):
    """Types expressions in a `Context`, reporting each problem to `report` once: a wrong
    subtree becomes `ir.Invalid`, and nothing built on it is reported again."""

    def reporting_to(self, report: Report) -> Expressions:
        """The same typing, with problems sent to `report` (a message template collects
        them to report one problem of its own)."""
        return Expressions(self.ctx, report)

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
            case ast.IsDangling():
                return self.x_isdangling(e, env, expected)
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
            scope = self.scope(e.binder, e.where, env)
            if scope is None:
                return ir.Invalid(t.INVALID, span=e.span)
            var, coll, _elem, inner, where = scope
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

    def scope(
        self, binder: ast.Binder, where_expr: ast.Expr | None, env: Env
    ) -> tuple[str, ir.Expr, t.Type, Env, ir.Expr | None] | None:
        """A binder and its `where`: the variable, its collection and element type, the
        environment inside it (knowing what `where` established), and the typed `where`."""
        bound = self.binder(binder, env)
        if bound is None:
            return None
        var, coll, elem = bound
        inner = env.bind(var, elem)
        where = None
        if where_expr is not None:
            where = self.expect_bool(self.expr(where_expr, inner), where_expr.span)
            inner = inner.knowing(facts(where, True))
        return var, coll, elem, inner, where

    def x_quantifier(self, e: ast.Quantifier, env: Env, expected: t.Type | None) -> ir.Expr:
        scope = self.scope(e.binder, e.where, env)
        if scope is None:
            return ir.Invalid(t.INVALID, span=e.span)
        var, coll, _elem, inner, where = scope
        must = None
        if e.must is not None:
            must = self.expect_bool(self.expr(e.must, inner), e.must.span)
        return ir.Quant(e.kind, var, coll, where, must, span=e.span)

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
                f"`{source_text(e.expr)}` is never missing, so this test is always "
                + ("true" if e.negated else "false"),
                "only optional fields (declared with `?`) and `min`/`max`/`avg` can be missing",
            )
        if isinstance(inner, ir.Narrowed):
            inner = inner.expr
        return ir.IsMissing(inner, e.negated, span=e.span)

    def x_isdangling(self, e: ast.IsDangling, env: Env, expected: t.Type | None) -> ir.Expr:
        inner = self.expr(e.expr, env, allow_optional=True)
        if inner.type == t.INVALID:
            return inner
        if isinstance(inner, ir.Narrowed):
            inner = inner.expr
        if not isinstance(inner, ir.Deref):
            return self.error(
                "not-a-reference",
                e.span,
                f"`{source_text(e.expr)}` is not a reference field, so it cannot dangle",
                "test a field declared with an entity type, such as `claim.capability is dangling`",
            )
        return ir.IsDangling(
            inner.obj,
            inner.entity,
            inner.field,
            inner.target,
            inner.many,
            inner.optional,
            e.negated,
            span=e.span,
        )

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
                f"`{source_text(e.expr)}` is never missing, so `otherwise` has no effect",
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
