"""Constant evaluation: the Python value of a constant written in a ruleset (a parameter's
default, an example's parameter), checked against the type it must have."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from alignrules.diagnostics import Diagnostic, did_you_mean
from alignrules.ir import types as t
from alignrules.syntax import ast
from alignrules.typecheck.operators import compatible
from alignrules.typecheck.schema import literal_value

Report = Callable[[Diagnostic], None]


def constant(e: ast.Expr, typ: t.Type, report: Report) -> object | None:
    """The Python value of constant `e` of type `typ`: an int, `Decimal`, text, bool, date,
    duration in days, `(Decimal, currency)` for money, an enum value's name, or a frozenset
    of those for a set. None once a problem is reported."""
    if isinstance(typ, t.CollT):
        if not isinstance(e, ast.SetLit):
            report(
                Diagnostic(
                    "type-mismatch", f"expected a set such as `{{a, b}}` for `{typ}`", e.span
                )
            )
            return None
        values = [constant(i, typ.elem, report) for i in e.items]
        if any(v is None for v in values):
            return None
        return frozenset(values)
    if isinstance(typ, t.EnumT):
        if isinstance(e, ast.Name) and e.id in typ.values:
            return e.id
        name = e.id if isinstance(e, ast.Name) else "this"
        report(
            Diagnostic(
                "unknown-enum-value",
                f"`{name}` is not a value of `{typ}`",
                e.span,
                did_you_mean(name, typ.values) or f"values are {', '.join(typ.values)}",
            )
        )
        return None
    negate = False
    if isinstance(e, ast.Neg):
        negate, e = True, e.expr
    if not isinstance(e, ast.Literal):
        report(Diagnostic("type-mismatch", f"expected a constant `{typ}`", e.span))
        return None
    value, ltype, currency = literal_value(e)
    if not compatible(typ, ltype) or (typ == t.INT and ltype != t.INT):
        report(Diagnostic("type-mismatch", f"expected `{typ}`, got `{ltype}`", e.span))
        return None
    if negate:
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            value = -value
        else:
            report(Diagnostic("type-mismatch", f"`-` does not apply to `{ltype}`", e.span))
            return None
    if typ == t.DECIMAL:
        assert isinstance(value, int | Decimal)
        return Decimal(value)
    if typ == t.MONEY:
        assert isinstance(value, int | Decimal)
        return (Decimal(value), currency)
    return value
