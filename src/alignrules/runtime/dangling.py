"""What a dangling reference does inside an expression (docs/language.md, "Missing values
and dangling references").

A key that names no record is reported once, by the loader, as a `dangling-reference`
violation. A rule that then follows it gets `Dangling`, and the *innermost* element or binding
whose value needed the reference is left out: one element of a quantifier, one term of an
aggregate, one step of a navigation through a list, one binding of a rule. The generated code
calls the helpers below only where an element's expression can follow a single reference;
everywhere else it keeps its plain comprehensions.

Leaving an element out (rather than stopping the whole `any(...)` or `sum(...)` at the first
dangling element, as a bare exception would) is what makes the result independent of the
order of the records and of the ids in a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar, TypeVarTuple

T = TypeVar("T")
V = TypeVar("V")
Ts = TypeVarTuple("Ts")


class Dangling(Exception):
    """A rule followed a reference whose key names no record; `key` is that key."""

    def __init__(self, key: object = None) -> None:
        super().__init__(key)
        self.key = key


def known(items: Iterable[T], test: Callable[[T, *Ts], bool], *args: *Ts) -> Iterator[bool]:
    """`test` of each element (and `args`, the loop variables it reads, passed rather than
    closed over), leaving out the elements for which it follows a dangling reference:
    `any(known(xs, p))` is `some`, `all(...)` is `every`, `sum(...)` counts."""
    for item in items:
        try:
            result = test(item, *args)
        except Dangling:
            continue
        yield result


def terms(items: Iterable[T], value: Callable[[T, *Ts], V | None], *args: *Ts) -> Iterator[V]:
    """The present values of `value` over the elements (`args` as for `known`), leaving out
    the elements for which it follows a dangling reference: the terms of an aggregate, the
    steps of a navigation."""
    for item in items:
        try:
            result = value(item, *args)
        except Dangling:
            continue
        if result is not None:
            yield result


def hole(text: Callable[..., str], *args: Any) -> str:
    """A message hole, `text(*args)`; one that follows a dangling reference prints the key
    it could not follow, so the violation is still reported: `M7 (dangling)`."""
    try:
        return text(*args)
    except Dangling as exc:
        return f"{exc.key} (dangling)"
