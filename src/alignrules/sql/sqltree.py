"""The pieces the SQL translator builds queries from: translated values, collections,
refusals, and small sqlglot helpers (conjunction, quoting, the left-to-right `and`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import attrs
from sqlglot import exp

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.source import Span


class Unsupported(Exception):
    """A construct this backend refuses; becomes a located `sql-unsupported` diagnostic."""

    def __init__(self, message: str, span: Span | None) -> None:
        super().__init__(message)
        self.span = span


@attrs.frozen
class Val:
    """A translated expression: its SQL value and when it can be judged (`ok`, None: always).

    An entity value is its key; `entity` and `alias` (a table alias whose row it is, when
    there is one) say how to read its fields.
    """

    value: exp.Expr
    ok: exp.Expr | None = None
    entity: str | None = None
    alias: str | None = None
    #: for a list element of decimal or money values: its "scale" and "currency" columns
    aux: Mapping[str, exp.Expr] | None = None
    #: the SQL scale of a decimal computed at another scale than the layout's (a product);
    #: None: the layout's
    scale: int | None = None


@attrs.frozen
class Source:
    """The elements of a collection: tables to range over, conditions that pick the rows
    (element-level dangling guards included), the element, and the `ok` of the collection
    itself, which belongs to the enclosing unit."""

    tables: tuple[exp.Expr, ...]
    where: tuple[exp.Expr, ...]
    elem: Val
    outer_ok: exp.Expr | None


def conj(*xs: exp.Expr | None) -> exp.Expr | None:
    parts = [x for x in xs if x is not None]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = exp.and_(out, p, copy=False)
    return out


def disj(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.or_(a, b, copy=False)


def is_(x: exp.Expr, value: bool) -> exp.Expr:
    return exp.Is(this=exp.paren(x, copy=False), expression=exp.true() if value else exp.false())


def col(alias: str, name: str) -> exp.Column:
    return exp.column(name, table=alias, quoted=True)


def table(name: str, alias: str) -> exp.Expr:
    return exp.alias_(exp.Table(this=exp.to_identifier(name, quoted=True)), alias, quoted=True)


COMPARE: Final[dict[str, type[exp.Binary]]] = {
    "=": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


def quotient(e: ir.Expr) -> tuple[ir.Expr, ir.Expr] | None:
    inner = e.expr if isinstance(e, ir.Narrowed) else e
    if isinstance(inner, ir.Arith) and inner.op == "/":
        return inner.left, inner.right
    return None


def average(e: ir.Expr) -> tuple[ir.Aggregate, ir.Expr] | None:
    """`avg(...) otherwise d` as (the aggregate, d)."""
    if (
        isinstance(e, ir.Otherwise)
        and isinstance(e.expr, ir.Aggregate)
        and e.expr.op == "avg"
        and not isinstance(t.strip_opt(e.expr.type), t.CollT)
    ):
        return e.expr, e.default
    return None


def children(e: ir.Expr) -> list[ir.Expr]:
    out: list[ir.Expr] = []
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        for v in value if isinstance(value, tuple) else (value,):
            if attrs.has(type(v)) and hasattr(v, "type") and hasattr(v, "span"):
                out.append(v)
    return out


def either(a: exp.Expr | None, b: exp.Expr | None) -> exp.Expr | None:
    if a is None:
        return b
    if b is None:
        return a
    return exp.paren(disj(a, b), copy=False)


def opt(x: exp.Expr | None) -> tuple[exp.Expr, ...]:
    return () if x is None else (x,)


def seq_and(parts: Sequence[Val]) -> Val:
    """`a and b and ...` read left to right: a dangling reference in a later part matters
    only when the earlier parts are all true."""
    if not parts:
        return Val(exp.true())
    value: exp.Expr | None = None
    ok: exp.Expr | None = None
    for p in reversed(parts):
        pv = exp.paren(p.value.copy(), copy=False)
        if value is None:
            value, ok = pv, p.ok
            continue
        later_ok = ok
        value = exp.and_(pv, value, copy=False)
        guard = None if later_ok is None else exp.paren(disj(is_(pv.copy(), False), later_ok))
        ok = conj(p.ok, guard)
    assert value is not None
    return Val(value, ok)
