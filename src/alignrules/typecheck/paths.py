"""Data paths written in a schema, read into steps at compile time.

Two kinds of path appear in a schema:

- where an entity's records are, `in "market.segments[].needs"` (or `at "strategy"`): names
  of object keys separated by dots, where `[]` after a step means "in each element of this
  list (or each value of this id-keyed map)", so records can sit inside other records;
- where a field's value is inside a record, `from "schedule.start"`: names only, because a
  field reads one value.

A backslash keeps the next `.`, `[`, `]`, `*` or `\\` as part of a key: `"Revenue (k\\.USD)"`
is one key. In a field's path only `.` and a `[]` ending a step mean something, so spreadsheet
headers such as `Cost [EUR]` need no backslash. Every malformed path is a
located compile-time error with a hint, so no path fails only when data arrives.

>>> entity_steps("market.segments[].needs")
('market', 'segments', '[]', 'needs')
>>> field_steps("schedule.start")
('schedule', 'start')
>>> entity_steps("a.*.b").message
'`*` is not a step in a data path'
"""

from __future__ import annotations

from typing import Final

import attrs

from alignrules.diagnostics import Diagnostic
from alignrules.ir.nodes import EACH
from alignrules.source import Span

_SPECIAL: Final = frozenset(".[]*\\")


@attrs.frozen
class PathProblem:
    """What is wrong with a path, and where in its text (offset and length, decoded)."""

    message: str
    hint: str
    offset: int
    length: int = 1

    def diagnostic(self, span: Span | None, fallback: Span) -> Diagnostic:
        """The problem as a `bad-binding` diagnostic at its place in the ruleset.

        `span` is the string literal's span: when the literal holds no escapes the problem is
        underlined exactly, otherwise the whole literal is.
        """
        if span is None:
            return Diagnostic("bad-binding", self.message, fallback, self.hint)
        raw = span.source.text[span.start : span.end]
        if raw.startswith('"') and not raw.startswith('"""') and "\\" not in raw:
            start = span.start + 1 + self.offset
            place = Span(span.source, start, min(start + self.length, span.end - 1))
        else:
            place = span
        return Diagnostic("bad-binding", self.message, place, self.hint)


def _split(
    text: str, field: bool = False
) -> tuple[list[tuple[str, int, bool]], PathProblem | None]:
    """(key, offset, each) per step; `each` when the step ends in `[]`.

    In a `field` path only `.` (and a `[]` that ends a step) mean something: spreadsheet
    headers such as `Cost [EUR]` or `Budget*` are keys as written.
    """
    steps: list[tuple[str, int, bool]] = []
    key: list[str] = []
    start = 0
    i = 0
    each = False
    while i < len(text):
        ch = text[i]
        if each and ch != ".":
            return steps, PathProblem(
                "`[]` must end a step",
                "put a `.` after `[]` before the next key: `segments[].needs`",
                i,
            )
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _SPECIAL:
            key.append(text[i + 1])
            i += 2
            continue
        ends_step = text[i + 2 : i + 3] in ("", ".")
        if field and ch in "[]*" and not (ch == "[" and text[i + 1 : i + 2] == "]" and ends_step):
            key.append(ch)
        elif ch == ".":
            if not key and not each:
                return steps, _empty_step(text, i + 1)
            steps.append(("".join(key), start, each))
            key, each, start = [], False, i + 1
        elif ch == "[":
            if text[i + 1 : i + 2] != "]":
                return steps, PathProblem(
                    "`[` must be followed by `]`",
                    "`[]` after a step reads each element of a list; write `\\[` for a key "
                    "with a `[` in it",
                    i,
                )
            if not key:
                return steps, PathProblem(
                    "`[]` must follow a key", "write the key of the list first: `segments[]`", i
                )
            each = True
            i += 1
        elif ch == "]":
            return steps, PathProblem(
                "`]` without `[`", "write `\\]` for a key with a `]` in it", i
            )
        elif ch == "*":
            return steps, PathProblem(
                "`*` is not a step in a data path",
                "write `[]` after a key to read each element of its list: `segments[].needs`",
                i,
            )
        else:
            key.append(ch)
        i += 1
    if not key and not each:
        return steps, _empty_step(text, len(text))
    steps.append(("".join(key), start, each))
    return steps, None


def _empty_step(text: str, at: int) -> PathProblem:
    if not text:
        return PathProblem(
            "the data path is empty", 'write dotted keys, e.g. `"marketing.claims"`', 0
        )
    return PathProblem(
        "a data path cannot have an empty step",
        'write dotted keys with no `.` at either end or twice in a row, e.g. `"marketing.claims"`',
        max(0, at - 1),
    )


def entity_steps(text: str) -> tuple[str, ...] | PathProblem:
    """The steps of an entity's path, with `EACH` after each step marked `[]`."""
    steps, problem = _split(text)
    if problem is not None:
        return problem
    if steps[-1][2]:
        return PathProblem(
            "the last step of an entity's path cannot end in `[]`",
            "the path names the collection itself: drop the final `[]`",
            len(text) - 2,
            2,
        )
    out: list[str] = []
    for key, _, each in steps:
        out.append(key)
        if each:
            out.append(EACH)
    return tuple(out)


def field_steps(text: str) -> tuple[str, ...] | PathProblem:
    """The keys a field's value is under, from the record down."""
    steps, problem = _split(text, field=True)
    if problem is not None:
        return problem
    for key, offset, each in steps:
        if each:
            return PathProblem(
                "a field's path cannot step into a list with `[]`",
                "a field reads one value; declare the records in the list as an entity "
                'of their own, `in "…[]…"`, with a `from parent` field',
                offset + len(key),
                2,
            )
    return tuple(key for key, _, _ in steps)
