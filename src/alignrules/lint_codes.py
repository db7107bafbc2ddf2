"""Every lint code and output format: what the command line offers, without importing the
linter (and with it the compiler) before `alignrules lint` runs."""

from __future__ import annotations

from alignrules.diagnostics import Severity

WARNING, NOTE = Severity.WARNING, Severity.NOTE

#: Every lint code: its severity and a one-line summary (docs/tooling.md lists the same).
CODES: dict[str, tuple[Severity, str]] = {
    "never-fires": (WARNING, "a rule that can never report a violation"),
    "always-fires": (WARNING, "a rule whose condition fails for everything its filters select"),
    "redundant-condition": (NOTE, "a `where` that is always true where it stands"),
    "constant-condition": (WARNING, "a comparison inside a condition that is always true or false"),
    "unmatchable-pattern": (WARNING, "a text test or regular expression that can never match"),
    "trivial-pattern": (WARNING, "a text test or regular expression that matches any text"),
    "quadratic-join": (WARNING, "a loop over all entities, joined by equality to an outer one"),
    "unused-param": (WARNING, "a parameter that no rule reads"),
    "unused-predicate": (WARNING, "a predicate that no rule calls"),
    "unused-entity": (WARNING, "an entity that no rule mentions and no entity references"),
    "unused-enum": (WARNING, "an enum that no field, parameter or predicate uses"),
    "unused-let": (WARNING, "a `let` whose name is never used"),
    "missing-title": (NOTE, "a rule without a `title`"),
    "missing-rationale": (NOTE, "a rule without a `rationale`"),
    "untested-rule": (NOTE, "a rule that no example expects to fire"),
}

LINT_FORMATS = ("text", "json", "sarif")
