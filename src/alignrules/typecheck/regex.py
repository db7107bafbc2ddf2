"""Which regular expressions a ruleset may use.

Rules run on untrusted data, and Python's `re` backtracks: `(a+)+$` takes exponential time
and `\\d*\\d*\\d*x` polynomial time on a crafted string. The defence is to refuse, at compile
time, the pattern shapes behind that: a repetition inside a repetition, two repetitions in a
row that can match the same characters, alternatives under a repetition that can start
alike, back-references and look-arounds. What remains is matched by RE2 (linear time) when
`google-re2` is installed (`pip install 'alignrules[re2]'`), else by `re`.
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
    items = list(av[2]) if op in _REPEATS else [item]
    sub = sre_parse.SubPattern(state, items)
    try:
        compiled = sre_compile.compile(sub, flags)
    except Exception:
        return frozenset(_PROBE)
    out = set()
    for ch in _PROBE:
        m = compiled.match(ch)
        if m is not None and m.end() > 0:
            out.add(ch)
    return frozenset(out)


def _unbounded(item: Any) -> bool:
    op, av = item
    return op in _REPEATS and (av[1] == c.MAXREPEAT or av[1] > 100)


def regex_problem(pattern: str, ignore_case: bool) -> str | None:
    """Why `pattern` is refused, or None."""
    flags = re.IGNORECASE if ignore_case else 0
    try:
        re.compile(pattern, flags)
        parsed = sre_parse.parse(pattern, flags)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    state = parsed.state

    def sequence(items: Any, inside_repeat: bool) -> str | None:
        pending: frozenset[str] | None = None  # what the last unbounded repetition matches
        for item in items:
            op, av = item
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
                pending = None
            elif op == c.BRANCH:
                for branch in av[1]:
                    found = sequence(branch, inside_repeat)
                    if found:
                        return found
                pending = None
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

    return sequence(parsed, False)
