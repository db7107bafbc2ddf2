"""Lint: rulesets that type-check but are probably wrong, slow or unexplained.

Works on the typed IR of a ruleset type-checked without generating code
(`alignrules.compile.typecheck_paths`), and on its AST for what the IR does not keep (rule
metadata as written, declaration names and their spans). Every finding is a `Finding` with a
stable code; the shared renderers make text, JSON and SARIF of it.

    >>> from alignrules.lint import lint_text
    >>> text = '''entity Claim { id: text }
    ... rule r { every claim must claim.id = claim.id }'''
    >>> [f.code for f in lint_text(text)]
    ['missing-rationale', 'missing-title', 'never-fires']

The checks are sound rather than complete: a finding means the problem is certain (given the
documented semantics), and many real problems are not found.

    driver        ruleset → IR and ASTs → every family of checks → sorted findings
    findings      the codes (severity, summary) and the `Finding` record
    declarations  unused declarations and lets; rule metadata
    conditions    rules that never or always fire; constant conditions
    ambiguity     bare names that several entities in scope have a field for
    patterns      text tests that never match or always do
    joins         quadratic joins
    fold          three-valued folding of conditions, with the facts of earlier filters
    builtins      what lint knows of built-in functions' results: one table
    exprs         questions every check asks of IR expressions
    report        findings → text, JSON, SARIF (through `alignrules.render`)
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from alignrules.lint.findings import CODES, Finding

if TYPE_CHECKING:
    from alignrules.lint.driver import lint_paths, lint_program, lint_text
    from alignrules.lint.report import render_lint, render_lint_text
    from alignrules.typecheck.regex import regex_always_matches, regex_never_matches

#: The formats `alignrules lint` prints.
LINT_FORMATS = ("text", "json", "sarif")

# The driver brings the whole compiler with it. The command line names the codes and formats
# when it builds its parser, on every run, so those stay here and the rest is imported on use.
_LAZY = {
    "lint_paths": "alignrules.lint.driver",
    "lint_program": "alignrules.lint.driver",
    "lint_text": "alignrules.lint.driver",
    "render_lint": "alignrules.lint.report",
    "render_lint_text": "alignrules.lint.report",
    "regex_always_matches": "alignrules.typecheck.regex",
    "regex_never_matches": "alignrules.typecheck.regex",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'alignrules.lint' has no attribute {name!r}")


__all__ = [
    "CODES",
    "LINT_FORMATS",
    "Finding",
    "lint_paths",
    "lint_program",
    "lint_text",
    "regex_always_matches",
    "regex_never_matches",
    "render_lint",
    "render_lint_text",
]
