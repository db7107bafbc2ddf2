"""Exact numbers in SQL: comparisons with a quotient or an average, where a rule divides by
zero, and the decimal places and currency a computed value prints with.

The language computes with exact decimals and rounds a quotient to 60 significant digits;
SQL decimals have 38. So a quotient is never computed: `n / d op c` is compared as
`n op c * d` (turned round for a negative `d`), an average as `sum op c * count`, and a
zero divisor becomes the rule's `ar_crash` column, where the Python engine stops the check.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from sqlglot import exp

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.sql.layout import currency_column, scale_column
from alignrules.sql.sqltree import (
    COMPARE,
    Unsupported,
    Val,
    average,
    children,
    conj,
    either,
    is_,
    quotient,
)

if TYPE_CHECKING:
    from alignrules.sql.translate import RuleTranslator


def aux(tr: RuleTranslator, e: ir.Expr, scope: dict[str, Val], kind: str) -> exp.Expr:
    """The decimal places (`kind` "scale") or the currency ("currency") of a decimal or
    money expression, as the Python engine's value has them, for printing it: `+` and
    `-` keep the most places, `*` adds them, a sum has its terms' most (at least 0)."""
    base = t.strip_opt(e.type)
    if kind == "currency" and base != t.MONEY:
        return exp.null()
    if base not in (t.DECIMAL, t.MONEY):
        return exp.Literal.number(0)  # an int (or a duration) in a decimal computation
    if isinstance(e, ir.Narrowed):
        return aux(tr, e.expr, scope, kind)
    if isinstance(e, ir.Const | ir.ParamRef):
        value: object = e.value if isinstance(e, ir.Const) else tr.params[e.name]
        if isinstance(e, ir.Const) and kind == "currency":
            return exp.Literal.string(e.currency) if e.currency else exp.null()
        if kind == "currency":
            code = getattr(value, "currency", None)
            return exp.Literal.string(code) if isinstance(code, str) else exp.null()
        amount = getattr(value, "amount", value)
        assert isinstance(amount, Decimal | int)
        exponent = Decimal(amount).as_tuple().exponent
        assert isinstance(exponent, int)
        return exp.Literal.number(max(0, -exponent))
    if isinstance(e, ir.GetField):
        obj = tr.expr(e.obj, scope)
        column = currency_column(e.field) if kind == "currency" else scale_column(e.field)
        return tr.field_of(obj, e.entity, column)
    if isinstance(e, ir.Var) and e.name in tr.let_env:
        let_expr, let_scope = tr.let_env[e.name]
        return aux(tr, let_expr, let_scope, kind)
    bound = scope.get(e.name) if isinstance(e, ir.Var) else None
    if bound is not None and bound.aux is not None:
        return bound.aux[kind]
    if isinstance(e, ir.Neg) or (isinstance(e, ir.Builtin) and e.name == "abs"):
        return aux(tr, e.expr if isinstance(e, ir.Neg) else e.args[0], scope, kind)
    if isinstance(e, ir.Arith) and e.op in "+-*":
        a, b = aux(tr, e.left, scope, kind), aux(tr, e.right, scope, kind)
        if kind == "currency":
            return exp.Coalesce(this=a, expressions=[b])
        if e.op == "*":
            return exp.Add(this=a, expression=b)
        return exp.Greatest(this=a, expressions=[b])
    if isinstance(e, ir.Otherwise):
        x = tr.expr(e.expr, scope)
        chosen = exp.Case().when(
            exp.Is(this=x.value, expression=exp.null()), aux(tr, e.default, scope, kind)
        )
        return chosen.else_(aux(tr, e.expr, scope, kind))
    if isinstance(e, ir.Aggregate) and e.op == "sum":
        src, where, inner = tr._terms(e, scope)
        term = aux(tr, e.value, inner, kind)
        if kind == "currency":
            return tr._scalar(src, exp.Max(this=term), where).value
        most = tr._scalar(src, exp.Max(this=term), where).value
        return exp.Coalesce(this=most, expressions=[exp.Literal.number(0)])
    raise Unsupported(
        f"a message printing this computed {base} (its digits would not be the Python engine's)",
        e.span,
    )


_Found = TypeVar("_Found")


def _oriented(
    e: ir.Compare, find: Callable[[ir.Expr], _Found | None]
) -> tuple[_Found, ir.Expr, ir.CompareOp]:
    """What `find` finds on one side of `e`, the other side, and the operator as read with the
    found side on the left (the IR's operator, or its mirror image)."""
    found = find(e.left)
    if found is not None:
        return found, e.right, e.op
    found = find(e.right)
    assert found is not None
    return found, e.left, ir.MIRRORED[e.op]


def compare_quotient(tr: RuleTranslator, e: ir.Compare, scope: dict[str, Val]) -> Val:
    """`n / d op c`, compared exactly as `n op c * d` (the order turned for a negative
    `d`). With `d` zero it is NULL: the rule's crash column reports the division."""
    (num, den), other, op = _oriented(e, quotient)
    n, d, c = tr.expr(num, scope), tr.expr(den, scope), tr.expr(other, scope)
    product = exp.paren(exp.Mul(this=c.value, expression=d.value), copy=False)
    ops = COMPARE
    zero = exp.Literal.number(0)
    value = (
        exp.Case()
        .when(
            exp.GT(this=d.value.copy(), expression=zero),
            ops[op](this=n.value, expression=product),
        )
        .when(
            exp.LT(this=d.value.copy(), expression=zero.copy()),
            ops[op](this=product.copy(), expression=n.value.copy()),
        )
    )
    return Val(value, conj(n.ok, d.ok, c.ok))


def compare_average(tr: RuleTranslator, e: ir.Compare, scope: dict[str, Val]) -> Val:
    """`(avg(xs) otherwise d) op c`, exactly: `d op c` with no terms, else
    `sum op c * count` (the count is positive)."""
    (agg, default), other, op = _oriented(e, average)
    if average(other) is not None:
        raise Unsupported("a comparison of two averages", e.span)
    src, where, inner = tr._terms(agg, scope)
    value = tr.expr(agg.value, inner)
    total = tr._scalar(src, exp.Sum(this=value.value), where).value
    count = tr._scalar(src, exp.Count(this=exp.Star()), where).value
    c, d = tr.expr(other, scope), tr.expr(default, scope)
    product = exp.paren(exp.Mul(this=c.value, expression=count), copy=False)
    empty = exp.EQ(this=count.copy(), expression=exp.Literal.number(0))
    judged = (
        exp.Case()
        .when(empty, COMPARE[op](this=d.value, expression=c.value.copy()))
        .else_(COMPARE[op](this=total, expression=product))
    )
    return Val(judged, conj(src.outer_ok, c.ok, d.ok))


def crash(tr: RuleTranslator, e: ir.Expr, scope: dict[str, Val]) -> exp.Expr | None:
    """When evaluating `e` divides by zero (None: never), following the language's order
    of evaluation: left to right, `and`/`or` stopping early, a dangling reference first."""
    if not any(isinstance(n, ir.Arith) and n.op == "/" for n in ir.walk(e)):
        return None
    if isinstance(e, ir.Arith) and e.op == "/":
        a, b = tr.expr(e.left, scope), tr.expr(e.right, scope)
        zero = exp.EQ(this=b.value, expression=exp.Literal.number(0))
        inner = either(crash(tr, e.right, scope), conj(b.ok, zero))
        return either(crash(tr, e.left, scope), conj(a.ok, inner))
    if isinstance(e, ir.BoolOp):
        a = tr.expr(e.left, scope)
        right = crash(tr, e.right, scope)
        gate = is_(a.value, e.op == "and")
        later = None if right is None else conj(a.ok, gate, right)
        return either(crash(tr, e.left, scope), later)
    if isinstance(e, ir.Quant | ir.Aggregate | ir.MapField | ir.BackRef | ir.PredCall):
        raise Unsupported(
            "a division inside a quantifier, aggregate, navigation or predicate", e.span
        )
    out: exp.Expr | None = None
    prefix: exp.Expr | None = None
    for child in children(e):
        c = crash(tr, child, scope)
        if c is not None:
            out = either(out, conj(prefix, c))
        q = quotient(child)
        parts = q if q is not None else (child,)
        prefix = conj(prefix, *(tr.expr(x, scope).ok for x in parts))
    return out
