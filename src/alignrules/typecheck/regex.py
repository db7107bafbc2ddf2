"""Which regular expressions a ruleset may use: exactly those RE2 can run.

`matches` runs on RE2 only (`alignrules.runtime.regex`), which matches in linear time, so no
pattern shape needs refusing for speed: `^(aa?)+$` is as safe as `^a+$`. What the compiler
refuses is what RE2 refuses (look-arounds, back-references, atomic groups, possessive
repeats, `\\Z`, more than 1,000 repetitions), and every `matches` when RE2 is not installed:
a check never falls back to a backtracking engine.

It also judges what an allowed pattern can match without any text to match it on, for
`alignrules lint`: `regex_never_matches` (something must be read before `^` or after `\\Z`)
and `regex_always_matches` (it matches the empty text without looking around). Both read the
pattern with Python's regular-expression parser and judge a pattern it cannot read neither
way; they are sound rather than complete: a True is certain, a False says nothing.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import attrs

from alignrules.runtime.regex import INSTALL_HINT, RegexEngineMissing, problem

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as sc
    import sre_parse


@attrs.frozen
class RegexProblem:
    """Why a pattern is refused, and what to do instead."""

    message: str
    hint: str


#: Hints for RE2's own error messages, by a part of the message (first match wins).
_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("(?=", "(?!", "(?<=", "(?<!"),
        "look-arounds are not supported; match the text itself, or split the condition"
        " with `and` / `not`",
    ),
    (
        ("(?>", "++", "*+", "?+", "}+"),
        "RE2 never backtracks, so atomic groups and possessive repeats are not needed:"
        " write the group or the repeat plainly",
    ),
    (("\\Z",), "write `\\z` (or `$`) for the end of the text"),
    (
        ("repetition size", "repetition operator"),
        "RE2 allows at most 1,000 repetitions,"
        " nested repeats multiplied: `(a{1,100}){1,100}` counts as 10,000",
    ),
    (
        ("(?P=", *(f"escape sequence: \\{n}" for n in range(1, 10))),
        "back-references are not supported; compare fields with `=` instead",
    ),
)
_DEFAULT_HINT = (
    "`matches` uses RE2 syntax (see the language guide, text matching); `contains`,"
    " `starts with` and `ends with` need no pattern"
)


def regex_problem(pattern: str, ignore_case: bool) -> RegexProblem | None:
    """Why `pattern` cannot be a `matches` pattern here, or None."""
    try:
        why = problem(pattern, ignore_case)
    except RegexEngineMissing:
        return RegexProblem(
            "`matches` needs the RE2 regular-expression engine (package `google-re2`),"
            " which is not installed",
            INSTALL_HINT,
        )
    if why is None:
        return None
    # RE2 names only the start of an unknown group syntax: `(?P` for `(?P=name)`.
    said = f"{why} {pattern}" if why.endswith("(?P") else why
    hint = next((h for parts, h in _HINTS if any(p in said for p in parts)), _DEFAULT_HINT)
    return RegexProblem(f"the pattern cannot run on RE2: {why}", hint)


# ------------------------------------------------------------------ what a pattern can match
_IMPOSSIBLE = "impossible"
_END_ORDER = {None: 0, "dollar": 1, "strict": 2}


def regex_never_matches(pattern: str) -> bool:
    """Whether `pattern` can match nowhere: something must be read before `^` or after `\\Z`.

    >>> regex_never_matches("a^b"), regex_never_matches("a$b"), regex_never_matches("a$")
    (True, True, False)
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return False
    if parsed.state.flags & (re.MULTILINE | re.VERBOSE):
        return False
    items: list[Any] = parsed.data
    dotall = bool(parsed.state.flags & re.DOTALL)
    return bool(_walk_regex(items, False, None, dotall) == _IMPOSSIBLE)


def _may_read_newline(op: Any, av: Any, dotall: bool) -> bool:
    """Whether one-character item `op av` can match a line break (the only text after `$`)."""
    nl = ord("\n")
    if op is sc.LITERAL:
        return bool(av == nl)
    if op is sc.NOT_LITERAL:
        return bool(av != nl)
    if op is sc.ANY:
        return dotall
    for kind, value in av:  # IN: a character set
        if kind is sc.LITERAL and value == nl:
            return True
        if kind is sc.RANGE and value[0] <= nl <= value[1]:
            return True
        if kind not in (sc.LITERAL, sc.RANGE):  # NEGATE, CATEGORY ...: assume it may
            return True
    return False


def _walk_regex(items: list[Any], consumed: bool, end: str | None, dotall: bool) -> Any:
    """The weakest state after `items` ((consumed, end)), `_IMPOSSIBLE`, or None (unknown).

    States only grow stronger as more is read (consumed text stays consumed; `$` can only
    become the very end), so skipping an optional part always gives the weakest state.
    """
    for op, av in items:
        if op is sc.AT:
            if av in (sc.AT_BEGINNING, sc.AT_BEGINNING_STRING):
                if consumed:
                    return _IMPOSSIBLE
            elif av is sc.AT_END_STRING:
                end = "strict"
            elif av is sc.AT_END and end is None:
                end = "dollar"
        elif op in (sc.LITERAL, sc.NOT_LITERAL, sc.IN, sc.ANY):
            if end == "strict":
                return _IMPOSSIBLE
            if end == "dollar":
                if not _may_read_newline(op, av, dotall):
                    return _IMPOSSIBLE
                end = "strict"
            consumed = True
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT):
            lo, _hi, sub = av
            if lo == 0:
                continue
            if lo > 4:
                return None
            for _ in range(lo):
                state = _walk_regex(list(sub), consumed, end, dotall)
                if state is None or state == _IMPOSSIBLE:
                    return state
                consumed, end = state
        elif op is sc.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & (re.MULTILINE | re.VERBOSE):
                return None
            state = _walk_regex(list(sub), consumed, end, dotall or bool(add_flags & re.DOTALL))
            if state is None or state == _IMPOSSIBLE:
                return state
            consumed, end = state
        elif op is sc.BRANCH:
            states = [_walk_regex(list(b), consumed, end, dotall) for b in av[1]]
            if all(s == _IMPOSSIBLE for s in states):
                return _IMPOSSIBLE
            if any(s is None for s in states):
                return None
            live = [s for s in states if s != _IMPOSSIBLE]
            consumed = all(c for c, _ in live)
            end = min((e for _, e in live), key=_END_ORDER.__getitem__)
        elif op in (sc.ASSERT, sc.ASSERT_NOT):
            continue  # reads nothing; ignoring it can only miss an impossibility
        else:
            return None
    return consumed, end


def regex_always_matches(pattern: str, ignore_case: bool) -> bool:
    """Whether `pattern` matches the empty text without looking around, so any text matches.

    >>> regex_always_matches(".*", False), regex_always_matches("^$", False)
    (True, False)
    """
    try:
        compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        parsed = sre_parse.parse(pattern)
    except re.error:
        return False
    if compiled.match("") is None:
        return False
    contextual = (sc.AT, sc.ASSERT, sc.ASSERT_NOT, sc.GROUPREF, sc.GROUPREF_EXISTS)

    def has_context(items: Any) -> bool:
        for op, av in items:
            if op in contextual:
                return True
            subs: list[Any] = []
            if op in (sc.MAX_REPEAT, sc.MIN_REPEAT):
                subs = [av[2]]
            elif op is sc.SUBPATTERN:
                subs = [av[3]]
            elif op is sc.BRANCH:
                subs = list(av[1])
            if any(has_context(s) for s in subs):
                return True
        return False

    return not has_context(parsed)
