"""Which regular expressions a ruleset may use: exactly those RE2 can run.

`matches` runs on RE2 only (`alignrules.runtime.regex`), which matches in linear time, so no
pattern shape needs refusing for speed: `^(aa?)+$` is as safe as `^a+$`. What the compiler
refuses is what RE2 refuses (look-arounds, back-references, atomic groups, possessive
repeats, `\\Z`, more than 1,000 repetitions), and every `matches` when RE2 is not installed:
a check never falls back to a backtracking engine.
"""

from __future__ import annotations

import attrs

from alignrules.runtime.regex import INSTALL_HINT, RegexEngineMissing, problem


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
