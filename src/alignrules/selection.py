"""Which rules a run reports, and at what severity: `--rule/--tag/--owner` and the
configuration's `[rules]` table (`"off"`, or a new severity).

Both act on the report, after the check: a ruleset is compiled and cached once whatever is
selected, and a rule turned off or re-graded reads the same in every output format (its
`RuleInfo` carries the new severity). Findings about the data itself (a dangling reference)
and about waivers are kept whatever the selection: they are not any rule's to switch off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place, did_you_mean
from alignrules.runtime.report import (
    DANGLING_RULE,
    WAIVER_RULES,
    Report,
    RuleInfo,
    Severity,
    Violation,
)

#: Findings no selection removes: about the plan's references and the waiver file.
ALWAYS = frozenset({DANGLING_RULE, *WAIVER_RULES})


@attrs.frozen
class Selection:
    """Rules picked by id, tag or owner (any match picks; nothing given picks all), and rules
    set `off` or to another severity. `where` names where the settings come from."""

    rules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()
    where: str = "--rule"

    def check_against(self, known: Sequence[RuleInfo]) -> None:
        """Every name given must name something the ruleset has (a typo selects nothing)."""
        ids = [r.id for r in known]
        tags = sorted({t for r in known for t in r.tags})
        owners = sorted({r.owner for r in known if r.owner})
        problems = [_unknown("rule", name, ids, "--rule") for name in self.rules if name not in ids]
        problems += [_unknown("tag", t, tags, "--tag") for t in self.tags if t not in tags]
        problems += [
            _unknown("owner", o, owners, "--owner") for o in self.owners if o not in owners
        ]
        problems += [
            _unknown("rule", name, ids, self.where) for name, _ in self.settings if name not in ids
        ]
        if problems:
            raise DiagnosticError(problems)

    def apply(self, report: Report) -> Report:
        """`report` with only the selected rules' findings, at their set severities."""
        settings = dict(self.settings)
        picked = {r.id for r in report.rules if self._picks(r) and settings.get(r.id) != "off"}
        regraded = {rule: Severity.parse(s) for rule, s in settings.items() if s != "off"}
        rules = [_regrade(r, regraded) for r in report.rules if r.id in picked]

        def kept(vs: Iterable[Violation]) -> list[Violation]:
            return [
                _regrade_violation(v, regraded) for v in vs if v.rule in picked or v.rule in ALWAYS
            ]

        waived = [
            attrs.evolve(w, violation=_regrade_violation(w.violation, regraded))
            for w in report.waived
            if w.violation.rule in picked
        ]
        return Report.build(
            kept(report.violations),
            rules,
            report.as_of,
            report.entities,
            waived=waived,
            baseline=report.baseline,
        )

    def _picks(self, rule: RuleInfo) -> bool:
        if not (self.rules or self.tags or self.owners):
            return True
        return (
            rule.id in self.rules
            or any(t in rule.tags for t in self.tags)
            or (rule.owner is not None and rule.owner in self.owners)
        )


def _regrade(rule: RuleInfo, regraded: Mapping[str, Severity]) -> RuleInfo:
    severity = regraded.get(rule.id)
    return rule if severity is None else attrs.evolve(rule, severity=severity)


def _regrade_violation(v: Violation, regraded: Mapping[str, Severity]) -> Violation:
    severity = regraded.get(v.rule)
    return v if severity is None else attrs.evolve(v, severity=severity)


def _unknown(what: str, name: str, known: Sequence[str], where: str) -> Diagnostic:
    return Diagnostic(
        "usage",
        f"no {what} `{name}` in the ruleset",
        where=Place(where),
        hint=did_you_mean(name, known),
    )
