"""Typing rules of the operators: which types mix, what arithmetic gives, what to suggest
when a comparison mixes types that never compare."""

from __future__ import annotations

from alignrules.ir import types as t
from alignrules.ir.nodes import ArithOp

ORDER_OPS = frozenset({"<", "<=", ">", ">="})


def compatible(want: t.Type, got: t.Type) -> bool:
    """Whether a value of type `got` may stand where `want` is expected."""
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


def common(a: t.Type, b: t.Type) -> t.Type | None:
    """The type two sides are compared at, if they compare at all."""
    if a == b:
        return a
    if {a, b} <= t.NUMERIC:
        return t.DECIMAL
    if t.MONEY in (a, b) and ({a, b} - {t.MONEY}) <= t.NUMERIC:
        return t.MONEY
    return None


def compare_hint(a: t.Type, b: t.Type) -> str | None:
    """How to write a comparison of `a` with `b` that means something."""
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


def arith_type(op: ArithOp, a: t.Type, b: t.Type) -> t.Type | None:
    """The type of `a op b`, or None when the language does not define it."""
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
