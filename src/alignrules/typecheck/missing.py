"""Missing-value flow analysis: which optional paths a condition proves present, so that
`x is present and x > 3` may use `x` as a value on the right of `and`."""

from __future__ import annotations

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.typecheck.env import Env


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


def narrow(out: ir.Expr, env: Env) -> ir.Expr:
    """`out`, marked as present where `env` knows its path is."""
    if isinstance(out.type, t.OptT):
        key = path_key(out)
        if key is not None and key in env.present:
            return ir.Narrowed(out, out.type.inner, span=out.span)
    return out
