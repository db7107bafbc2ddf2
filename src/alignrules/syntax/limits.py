"""How deeply a ruleset's expressions may nest: checked once, right after parsing.

Every stage after the parser (the type checker, the code generator, the formatter, lint)
walks expressions recursively, and the generated Python nests a parenthesis or a call per
level, where Python's own parser stops at 200. A chain of `and` or `or` is not nesting (the
builder balances it: 10,000 conditions nest 14 deep), but `not not ... x`, parentheses
around arithmetic, or `a + b + ... + z` (which is left-nested, since `-` and `/` are not
associative) are. So the depth is bounded here, with the place where it is exceeded, and no
later stage can run out of stack on a ruleset that passed.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.source import Source, Span
from alignrules.syntax import ast

#: The deepest an expression may nest (documented in docs/language.md, "Limits").
MAX_NESTING: Final = 64


def check_nesting(ruleset: ast.Ruleset) -> None:
    """Raise a located `too-deep` DiagnosticError when an expression nests deeper than
    `MAX_NESTING`; iterative, so that any depth can be measured."""
    stack: list[tuple[Any, int]] = [(ruleset, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise DiagnosticError(
                Diagnostic(
                    "too-deep",
                    f"this expression nests more than {MAX_NESTING} levels deep",
                    node.span,
                    "name parts of it with `let` or a predicate; a long `and` / `or` chain is"
                    " fine, it does not nest",
                )
            )
        children: list[tuple[Any, int]] = []
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            for child in value if isinstance(value, tuple) else (value,):
                if attrs.has(type(child)) and not isinstance(child, Span | Source):
                    nested = isinstance(child, ast.Expr)
                    children.append((child, depth + 1 if nested else depth))
        stack.extend(reversed(children))  # leftmost first: the error names the first place
