"""What lint reports: its codes (severity and summary) and the `Finding` record."""

from __future__ import annotations

import attrs

from alignrules.diagnostics import Diagnostic, Severity
from alignrules.source import Span

WARNING, NOTE = Severity.WARNING, Severity.INFO

#: Every lint code: its severity and a one-line summary (docs/tooling.md lists the same).
#: `Severity.INFO` is what text and JSON call a `note`, as compilers do.
CODES: dict[str, tuple[Severity, str]] = {
    "never-fires": (WARNING, "a rule that can never report a violation"),
    "always-fires": (WARNING, "a rule whose condition fails for everything its filters select"),
    "redundant-condition": (NOTE, "a `where` that is always true where it stands"),
    "constant-condition": (WARNING, "a comparison inside a condition that is always true or false"),
    "unmatchable-pattern": (WARNING, "a text test or regular expression that can never match"),
    "trivial-pattern": (WARNING, "a text test or regular expression that matches any text"),
    "ambiguous-field": (
        WARNING,
        "a bare name that several entities in scope have a field for (the innermost is meant)",
    ),
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


@attrs.frozen
class Finding:
    """One lint finding: a stable code, where, what and what to do about it.

    Its severity is its code's; `as_diagnostic()` is the shared record that every renderer
    takes (text, JSON and SARIF alike).
    """

    code: str
    message: str
    span: Span
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.source.name, self.span.start, self.span.end, self.code, self.message)

    def as_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, self.message, self.span, self.hint, severity=self.severity)


class Collector:
    """Where one family of checks puts its findings, for one run."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.findings.append(Finding(code, message, span, hint))
