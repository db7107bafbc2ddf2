"""What lint knows of the results of built-in functions, without running them: one table.

Lint's only evaluator of built-ins is `BUILTINS`: for each function whose results it can say
something about, a `BuiltinFacts`. The rest of lint asks `builtin_facts(name)` and nothing
else, so that when the IR has its own table of built-ins (signature, typing, emission,
evaluation), this module becomes a lookup into it: `lower` and `upper` exclude a pattern
exactly when evaluating them changes it, and the sign and `trim` facts can sit beside the
evaluator there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs


def _not_lower(_op: str, pattern: str) -> bool:
    return pattern != pattern.lower()


def _not_upper(_op: str, pattern: str) -> bool:
    return pattern != pattern.upper()


def _not_trimmed(op: str, pattern: str) -> bool:
    if not pattern:
        return False
    if op == "starts with":
        return pattern[0].isspace()
    if op == "ends with":
        return pattern[-1].isspace()
    if op == "equals":
        return pattern[0].isspace() or pattern[-1].isspace()
    return False


@attrs.frozen
class BuiltinFacts:
    """What is certain of every result of one built-in function."""

    #: Its result is a number that is never negative.
    never_negative: bool = False
    #: `(op, pattern)` → True when no result can `op` (`contains`, `starts with`, `ends with`,
    #: `equals`) `pattern`, matched case-sensitively; None when nothing is known.
    never_text: Callable[[str, str], bool] | None = None

    def excludes_text(self, op: str, pattern: str) -> bool:
        """Whether no result of the function can `op` `pattern` (case-sensitively)."""
        return self.never_text is not None and self.never_text(op, pattern)


_NOTHING_KNOWN = BuiltinFacts()

#: Sound because `str.lower` and `str.upper` are idempotent on every code point (checked by
#: the tests), and `trim` is `str.strip`.
BUILTINS: Mapping[str, BuiltinFacts] = {
    "length": BuiltinFacts(never_negative=True),
    "abs": BuiltinFacts(never_negative=True),
    "lower": BuiltinFacts(never_text=_not_lower),
    "upper": BuiltinFacts(never_text=_not_upper),
    "trim": BuiltinFacts(never_text=_not_trimmed),
}


def builtin_facts(name: str) -> BuiltinFacts:
    """What lint knows of the built-in function `name` (nothing, for most)."""
    return BUILTINS.get(name, _NOTHING_KNOWN)
