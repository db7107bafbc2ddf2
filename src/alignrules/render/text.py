"""Report → text for people: one `file:line:col: severity: message  [rule]` line per violation.

The helpers here (`primary_location`, `place`, `describe`, `summary`, `rules_of`) are also used by
the other renderers, so that every format names places and counts things in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.diagnostics import visible
from alignrules.runtime.report import Location, Report, RuleInfo, Severity, Violation, Waived


def primary_location(v: Violation) -> Location:
    """Where to point for `v`: the offending field when its line is known, else the entity."""
    field = v.field_location
    if field is not None and (field.line is not None or v.location.line is None):
        return field
    return v.location


def place(loc: Location) -> str:
    """`file:line:col` when the line is known, else `file /pointer` (`<data>` for in-memory data).

    >>> place(Location("plan.json", "/claims/0", 12, 5)), place(Location(None, "/claims/0"))
    ('plan.json:12:5', '<data> /claims/0')
    """
    name = visible(loc.file) if loc.file is not None else "<data>"
    if loc.line is None:
        return f"{name} {visible(loc.pointer) or '/'}"
    col = f":{loc.column}" if loc.column is not None else ""
    return f"{name}:{loc.line}{col}"


def describe(v: Violation, *, pointer: bool = True) -> str:
    """The entity, field and related entities of `v` as one line, keys in backticks.

    >>> v = Violation("r", Severity.ERROR, "m", "Claim", "C1", Location(None, "/claims/0"),
    ...               related=(("Capability", "K1"),), field="status")
    >>> describe(v)
    'Claim `C1`, field status at /claims/0; related Capability `K1`'
    """
    out = f"{visible(v.entity)} `{visible(v.key)}`"
    if v.field is not None:
        out += f", field {visible(v.field)}"
    if pointer:
        out += f" at {visible(primary_location(v).pointer) or '/'}"
    if v.related:
        out += "; related " + ", ".join(f"{visible(t)} `{visible(k)}`" for t, k in v.related)
    return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(report: Report) -> str:
    """`3 violations (2 error, 1 warning) in 12 entities, 9 rules`, or `no violations: ...`;
    with `; 2 waived` at the end when waivers accepted some."""
    entities = _count(sum(n for _, n in report.entities), "entity", "entities")
    rules = _count(len(report.rules), "rule", "rules")
    waived = f"; {len(report.waived)} waived" if report.waived else ""
    if not report.violations:
        return f"no violations: {rules} over {entities}{waived}"
    total = _count(len(report.violations), "violation", "violations")
    counts = ", ".join(
        f"{n} {sev}" if n == 1 or str(sev) == "info" else f"{n} {sev}s"
        for sev, n in report.counts().items()
        if n
    )
    return f"{total} ({counts}) in {entities}, {rules}{waived}"


def rules_of(report: Report) -> tuple[RuleInfo, ...]:
    """The report's rules, then a stand-in for each rule id that only a violation names.

    Violations can come from outside the ruleset (the loader reports dangling references under
    its own id); formats that index rules (SARIF `ruleIndex`, one JUnit testcase per rule) need
    a descriptor for those too. A stand-in takes the worst severity its violations have.
    """
    known = {r.id for r in report.rules}
    extra: dict[str, Severity] = {}
    for v in (*report.violations, *(w.violation for w in report.waived)):
        if v.rule not in known:
            extra[v.rule] = max(extra.get(v.rule, v.severity), v.severity)
    stand_ins = tuple(
        RuleInfo(id=rule, title=rule, severity=extra[rule], origin="") for rule in sorted(extra)
    )
    return report.rules + stand_ins


def render_text(
    report: Report, *, tool_version: str = "", ruleset_names: Sequence[str] = ()
) -> str:
    """The report as terminal text; data passes through `visible()` so it cannot disguise it.

    `tool_version` and `ruleset_names` are accepted so every renderer has the same signature.

    ```text
    plan.json:12:5: error: claim C1 promises K1, which is not funded  [no-unfunded-claims]
        Claim `C1` at /claims/0; related Capability `K1`
    1 violation (1 error) in 12 entities, 9 rules
    ```
    """
    lines: list[str] = []
    for v in report.violations:
        lines += finding(v)
    lines += waived_lines(report)
    lines += baseline_lines(report)
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def finding(v: Violation) -> list[str]:
    """`place: severity: message  [rule]` and the line that describes the entity."""
    loc = primary_location(v)
    # The pointer is already on the first line when the place had no line number.
    return [
        f"{place(loc)}: {v.severity}: {visible(v.message)}  [{visible(v.rule)}]",
        "    " + describe(v, pointer=loc.line is not None),
    ]


def waived_lines(report: Report) -> list[str]:
    """The waived violations, each with its waiver: listed, never hidden (docs/ci.md)."""
    if not report.waived:
        return []
    lines = [f"waived ({len(report.waived)}):"]
    for w in report.waived:
        lines += ["  " + line for line in finding(w.violation)]
        lines.append("      " + waiver_note(w))
    return lines


def waiver_note(w: Waived) -> str:
    """`waived until 2026-06-30 by brand (waivers.yaml:4:5): the reason`."""
    return (
        f"waived until {w.expires.isoformat()} by {visible(w.owner)} "
        f"({place(w.waiver)}): {visible(w.reason)}"
    )


def baseline_lines(report: Report) -> list[str]:
    """The findings resolved since the baseline, then the baseline's counts; [] without one."""
    diff = report.baseline
    if diff is None:
        return []
    lines: list[str] = []
    if diff.resolved:
        lines.append(f"resolved since the baseline ({len(diff.resolved)}):")
        for v in diff.resolved:
            lines += ["  " + line for line in finding(v)]
    lines.append(
        f"baseline {visible(diff.file)}: {diff.new} new, {len(diff.unchanged)} unchanged, "
        f"{len(diff.resolved)} resolved"
    )
    return lines
