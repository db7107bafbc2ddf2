"""Predicates may not call themselves, directly or through other predicates.

The language has no base case to stop a recursion on (a predicate is one condition), so a
recursive predicate could only run until Python's recursion limit, on whatever record makes
it reach the call. It is refused when the ruleset compiles, at the call that closes the loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs

from alignrules.diagnostics import Diagnostic
from alignrules.ir import nodes as ir


def _calls(e: ir.Expr) -> Iterator[ir.PredCall]:
    """The predicate calls under `e`, in source order; iterative, so depth does not matter."""
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.PredCall):
            yield node
        children: list[ir.Expr] = []
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            for v in value if isinstance(value, tuple) else (value,):
                if attrs.has(type(v)) and hasattr(v, "type") and hasattr(v, "span"):
                    children.append(v)
        stack.extend(reversed(children))


def recursive_predicates(predicates: Sequence[ir.Predicate]) -> list[Diagnostic]:
    """A `recursive-predicate` diagnostic at every call through which a predicate reaches
    itself again."""
    calls = {p.name: list(_calls(p.body)) for p in predicates}

    def reaches(start: str, goal: str) -> list[str] | None:
        """The chain of predicate names from `start` to `goal`, if calls lead there."""
        seen: set[str] = set()
        stack: list[list[str]] = [[start]]
        while stack:
            path = stack.pop()
            if path[-1] == goal:
                return path
            if path[-1] in seen:
                continue
            seen.add(path[-1])
            stack.extend([*path, c.name] for c in reversed(calls.get(path[-1], [])))
        return None

    found: list[Diagnostic] = []
    for p in predicates:
        for call in calls[p.name]:
            chain = reaches(call.name, p.name)
            if chain is None:
                continue
            loop = " → ".join(f"`{n}`" for n in [p.name, *chain])
            found.append(
                Diagnostic(
                    "recursive-predicate",
                    f"predicate `{p.name}` calls itself ({loop})",
                    call.span,
                    "a predicate cannot be recursive; write the condition out, or use a"
                    " quantifier (`some`, `every`) over the collection",
                )
            )
    return found
