"""`unmatchable-pattern` and `trivial-pattern`: text tests that can never match, or always do.

Regular expressions are judged by `alignrules.typecheck.regex`, the module that also decides
which patterns a ruleset may use; `contains`, `starts with` and `ends with` by what the
built-in function on their left can give (the facts in `alignrules.ir.builtins`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from alignrules.ir import nodes as ir
from alignrules.ir.builtins import BUILTINS
from alignrules.lint.exprs import strip, text_of
from alignrules.lint.findings import Finding
from alignrules.typecheck.regex import regex_always_matches, regex_never_matches


def pattern_problem(e: ir.TextMatch) -> tuple[str, str] | None:
    """(code, reason) when `e` can never match, or always matches."""
    right = strip(e.right)
    if not (isinstance(right, ir.Const) and isinstance(right.value, str)):
        return None
    pattern = right.value
    shown = json.dumps(pattern, ensure_ascii=False)
    if e.op == "matches":
        if regex_never_matches(pattern):
            return "unmatchable-pattern", f"the pattern {shown} cannot match any text"
        if regex_always_matches(pattern, e.ignore_case):
            return "trivial-pattern", f"the pattern {shown} matches the empty text, so any text"
        return None
    if pattern == "":
        return "trivial-pattern", f"every text {e.op} the empty text"
    left = strip(e.left)
    if (
        not e.ignore_case
        and isinstance(left, ir.Builtin)
        and BUILTINS[left.name].excludes_text(e.op, pattern)
    ):
        return "unmatchable-pattern", f"`{text_of(left.span)}` never {e.op} {shown}"
    return None


def pattern_findings(e: ir.TextMatch) -> Iterator[Finding]:
    """The finding about text test `e`, if it can never match or always does."""
    problem = pattern_problem(e)
    if problem is None:
        return
    code, reason = problem
    hint = (
        "a regular expression anchored with `^` or `\\Z` cannot read text before or after it"
        if code == "unmatchable-pattern" and e.op == "matches"
        else "add `ignoring case`, or change the pattern"
        if code == "unmatchable-pattern"
        else "remove the test, or give it the text it was meant to look for"
    )
    verdict = "can never match" if code == "unmatchable-pattern" else "matches any text"
    yield Finding(code, f"this `{e.op}` {verdict}: {reason}", e.right.span, hint)
