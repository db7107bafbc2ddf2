"""Which regular expressions a ruleset may use.

Rules run on untrusted data, and Python's `re` backtracks: `(a+)+$` takes exponential time
and `\\d*\\d*\\d*x` polynomial time on a crafted string. The defence is to refuse, at compile
time, the pattern shapes behind that: a repetition inside a repetition, two repetitions in a
row that can match the same characters, alternatives under a repetition that can start
alike, back-references and look-arounds. What remains is matched by RE2 (linear time) when
`google-re2` is installed (`pip install 'alignrules[re2]'`), else by `re`.

`matches` searches anywhere in the text, an implicit `.*?` before the pattern: an unanchored
pattern whose first repetition can match what precedes it (`\\d+%` on a long run of digits)
is retried from every position and takes quadratic time. Such a pattern is refused with the
fix in the message: `\\d%` finds exactly the same texts, in linear time.
"""

from __future__ import annotations

import re
import string
import warnings
from typing import Any

with warnings.catch_warnings():
    # The regex parser is the only way to see a pattern's structure; these module names
    # are deprecated aliases, but stable across the Python versions we support.
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_compile
    import sre_constants as c
    import sre_parse

#: Characters used to decide whether two parts of a pattern can match the same text.
_PROBE = string.printable + "éß€\u00a0\u202e"
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT)
_SINGLE = (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY)


def _chars(item: Any, state: Any, flags: int) -> frozenset[str]:
    """The probe characters a pattern item can consume first (for a repetition: its body)."""
    op, av = item
    if op in _REPEATS:
        return _first_chars(av[2], state, flags)
    if op == c.SUBPATTERN:
        return _first_chars(av[-1], state, flags)
    if op == c.BRANCH:
        return frozenset().union(*(_first_chars(b, state, flags) for b in av[1]))
    if op not in _SINGLE:
        return frozenset(_PROBE)
    try:
        compiled = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
    except Exception:
        return frozenset(_PROBE)
    return frozenset(ch for ch in _PROBE if compiled.match(ch) is not None)


def _first_chars(items: Any, state: Any, flags: int) -> frozenset[str]:
    out: set[str] = set()
    for item in items:
        if item[0] == c.AT:
            continue
        out |= _chars(item, state, flags)
        if not _can_be_empty(item, state, flags):
            break
    return frozenset(out)


def _unbounded(item: Any) -> bool:
    op, av = item
    return op in _REPEATS and (av[1] == c.MAXREPEAT or av[1] > 100)


def regex_problem(pattern: str, ignore_case: bool) -> str | None:
    """Why `pattern` is refused, or None."""
    flags = re.IGNORECASE if ignore_case else 0
    try:
        compiled = re.compile(pattern, flags)
        parsed = sre_parse.parse(pattern, flags)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    state = parsed.state

    quadratic: list[str] = []

    def sequence(items: Any, inside_repeat: bool, prefix: bool = False) -> str | None:
        # What the last unbounded repetition (or, while `prefix`, the implicit search loop
        # and the fixed items after it) can match: text that a following repetition could
        # take over, so that each retry rescans it.
        pending: frozenset[str] | None = _ALL if prefix else None
        for item in items:
            op, av = item
            if prefix and op == c.AT and av in _START_ANCHORS:
                prefix, pending = False, None
                continue
            if prefix and op in _REPEATS and _unbounded(item):
                if pending is not None and pending & _chars(item, state, flags):
                    quadratic.append(UNANCHORED)  # reported unless something worse is found
                prefix, pending = False, None
            elif prefix:
                found = sequence([item], inside_repeat)
                if found:
                    return found
                pending = _last_chars([item], state, flags)
                continue
            if op in (c.GROUPREF, c.GROUPREF_EXISTS):
                return "back-references can take exponential time"
            if op in (c.ASSERT, c.ASSERT_NOT):
                return "look-arounds are not supported (they defeat linear-time matching)"
            if op in _REPEATS:
                lo, _hi, body = av
                unbounded = _unbounded(item)
                if unbounded and inside_repeat:
                    return "a repetition inside a repetition can take exponential time"
                if unbounded:
                    chars = _chars(item, state, flags)
                    if pending is not None and pending & chars:
                        return "two repetitions in a row that match the same characters can take polynomial time"
                    found = alternatives(body)
                    if found:
                        return found
                    pending = chars
                elif lo > 0 and pending is not None and not (pending & _chars(item, state, flags)):
                    pending = None
                found = sequence(body, inside_repeat or unbounded)
                if found:
                    return found
            elif op == c.SUBPATTERN:
                found = sequence(av[-1], inside_repeat)
                if found:
                    return found
                pending = _after_group(item, pending, state, flags)
            elif op == c.BRANCH:
                for branch in av[1]:
                    found = sequence(branch, inside_repeat)
                    if found:
                        return found
                pending = _after_group(item, pending, state, flags)
            elif (
                op in _SINGLE and pending is not None and not (pending & _chars(item, state, flags))
            ):
                pending = (
                    None  # a character the repetition cannot match separates it from what follows
                )
        return None

    def alternatives(body: Any) -> str | None:
        """Alternatives under a repetition must not start alike (`(a|ab)*`)."""
        items = list(body)
        while len(items) == 1 and items[0][0] == c.SUBPATTERN:
            items = list(items[0][1][-1])
        if len(items) == 1 and items[0][0] == c.BRANCH:
            starts = [
                frozenset().union(*(_chars(i, state, flags) for i in b[:1])) for b in items[0][1][1]
            ]
            for i, a in enumerate(starts):
                for b in starts[i + 1 :]:
                    if a & b:
                        return "alternatives under a repetition that start alike can take exponential time"
        return None

    top: list[Any] = list(parsed.data)
    if len(top) == 1 and top[0][0] == c.BRANCH:
        # `^a|\\d+x`: each alternative is searched on its own, anchored or not.
        for branch in top[0][1][1]:
            found = sequence(branch, False, prefix=True)
            if found:
                return found
    else:
        found = sequence(top, False, prefix=True)
        if found:
            return found
    if quadratic and not (_anchors(top) or compiled.fullmatch("") is None):
        # A pattern that matches the empty text, with nothing (`$`, `\\b`) to refuse that
        # match, succeeds at the first position it tries: no retries to rescan anything.
        return None
    return quadratic[0] if quadratic else None


def _anchors(items: Any) -> bool:
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return True
        if op == c.SUBPATTERN and _anchors(av[-1]):
            return True
        if op == c.BRANCH and any(_anchors(b) for b in av[1]):
            return True
        if op in _REPEATS and _anchors(av[2]):
            return True
    return False


_ALL = frozenset(_PROBE)
_START_ANCHORS = (c.AT_BEGINNING, c.AT_BEGINNING_STRING)
UNANCHORED = (
    "an unanchored pattern is retried from every position of the text, and this repetition"
    " can rescan what the retries already passed: quadratic time on a crafted string"
)
UNANCHORED_HINT = (
    "anchor the pattern with `^`, or drop the repetition's unlimited part where only a match"
    " matters (`\\d+%` finds exactly the texts `\\d%` finds); `contains` never backtracks"
)


def _can_be_empty(item: Any, state: Any, flags: int) -> bool:
    try:
        compiled = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
    except Exception:
        return True
    return compiled.fullmatch("") is not None


def _last_chars(items: Any, state: Any, flags: int) -> frozenset[str]:
    """The probe characters a sequence can end with; all of them when it can match nothing."""
    out: set[str] = set()
    for item in reversed(list(items)):
        op, av = item
        if op == c.AT:
            continue
        if op in _SINGLE:
            out |= _chars(item, state, flags)
        elif op == c.SUBPATTERN:
            out |= _last_chars(av[-1], state, flags)
        elif op == c.BRANCH:
            for branch in av[1]:
                out |= _last_chars(branch, state, flags)
        elif op in _REPEATS:
            out |= _last_chars(av[2], state, flags)
        else:
            return _ALL
        if not _can_be_empty(item, state, flags):
            return frozenset(out)
    return _ALL


def _after_group(
    item: Any, pending: frozenset[str] | None, state: Any, flags: int
) -> frozenset[str] | None:
    """What stays pending after a group: cleared only by a group that must consume a
    character the pending repetition cannot match first."""
    if pending is None:
        return None
    if not _can_be_empty(item, state, flags) and not (pending & _chars(item, state, flags)):
        return None
    return pending | _last_chars([item], state, flags)
