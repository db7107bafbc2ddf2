"""Message templates: `"claim {claim.id} promises {capability.id}"` → text parts and typed
expressions, each hole checked as an expression in the rule's scope."""

from __future__ import annotations

from alignrules.diagnostics import Diagnostic, did_you_mean
from alignrules.ir import nodes as ir
from alignrules.syntax import ast
from alignrules.typecheck.env import Env
from alignrules.typecheck.expressions import Expressions


def message(
    d: ast.RuleDecl, env: Env, exprs: Expressions, body: ast.Body
) -> tuple[ir.MessagePart, ...]:
    """The parts of the message of `body`, one of `d`'s bodies (its own, else `d`'s), in
    the body's scope; a hole that does not type is one `template` problem."""
    template = body.message or d.message
    if template is None:
        return ()
    # A rule of several bodies shares its message unless each has its own: each body must
    # give every hole of a shared message a meaning, and a problem names the body that does not.
    line = body.span.line if len(d.bodies) > 1 and body.message is None else None
    parts: list[ir.MessagePart] = []
    for p in template.parts:
        if isinstance(p, ast.TemplateText):
            parts.append(ir.MessagePart(p.text, None))
            continue
        expr = _hole(p, env, exprs, line, own=body.message is not None and len(d.bodies) > 1)
        if expr is not None:
            parts.append(ir.MessagePart(None, expr))
    return tuple(parts)


_SHARED = (
    "a shared message names only what every body binds: give the subjects one name,"
    " `every <Entity> as item`"
)


def _hole(
    p: ast.TemplateHole, env: Env, exprs: Expressions, line: int | None, *, own: bool
) -> ir.Expr | None:
    """`p` typed in `env`; `line` is the line of the body a shared message is typed for, and
    `own` says that the message is its body's own."""
    head = p.path[0]
    # `{today}` is the evaluation date, as `today` is in a condition (a keyword: a field
    # called `today` is reached as `{claim.today}`).
    is_today = head == "today"
    if not (
        env.var(head) is not None
        or head in exprs.ctx.params
        or exprs.subject_field_named(head, env)
        or is_today
    ):
        known = [n for n, _ in env.vars] + list(exprs.ctx.params)
        bound = f"names bound here: {', '.join(f'`{n}`' for n in sorted(known)) or 'none'}"
        exprs.report(
            Diagnostic(
                "template",
                f"the message names `{head}`, which is not bound in"
                f" {'its body' if own else 'this rule'}"
                if line is None
                else f"the message names `{head}`, which the body at line {line} does not bind",
                p.span,
                did_you_mean(head, known) or (bound if line is None else f"{bound}; {_SHARED}"),
            )
        )
        return None
    node: ast.Expr = ast.Today(span=p.span) if is_today else ast.Name(head, span=p.span)
    for name in p.path[1:]:
        node = ast.Attr(node, name, p.span, span=p.span)
    # The hole's own problems are collected, to be reported once as the template's.
    problems: list[Diagnostic] = []
    expr = exprs.reporting_to(problems.append).expr(node, env, allow_optional=True)
    if problems:
        first = problems[0]
        where = "" if line is None else f" in the body at line {line}"
        exprs.report(
            Diagnostic(
                "template",
                f"the message names `{'.'.join(p.path)}`{where}: {first.message}",
                p.span,
                first.hint,
            )
        )
        return None
    return expr
