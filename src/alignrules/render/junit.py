"""Report → JUnit XML (the Apache Ant schema most CI servers read): one testcase per rule."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import PurePosixPath

from alignrules.diagnostics import visible
from alignrules.render.text import (
    baseline_lines,
    describe,
    finding,
    place,
    primary_location,
    rules_of,
    summary,
    waived_lines,
)
from alignrules.runtime.report import Report, RuleInfo, Severity, Violation


def classname(rule: RuleInfo) -> str:
    """`alignrules.<ruleset file stem>` from the rule's origin, so CI groups tests by ruleset.

    >>> from alignrules.runtime.report import Severity
    >>> classname(RuleInfo("r", "t", Severity.ERROR, "rulesets/strategy.rules:14"))
    'alignrules.strategy'
    """
    return origin_classname(rule.origin)


def origin_classname(origin: str) -> str:
    """`alignrules.<file stem>` for an origin `file:line` (a rule's, an example's)."""
    path, _, line = origin.rpartition(":")
    if not line.isdigit():
        path = origin
    if path.startswith("<"):  # `<string>` and the like name no ruleset
        return "alignrules"
    stem = re.sub(r"[^0-9A-Za-z_-]+", "_", PurePosixPath(path.replace("\\", "/")).stem).strip("_")
    return f"alignrules.{stem}" if stem else "alignrules"


def _failure_text(violations: Sequence[Violation]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{place(primary_location(v))}: {v.severity}: {visible(v.message)}")
        lines.append("    " + describe(v))
    return "\n".join(lines)


def render_junit(
    report: Report,
    *,
    tool_version: str,
    ruleset_names: Sequence[str] = (),
    fail_on: Severity | None = Severity.INFO,
) -> str:
    """The report as a `<testsuites>` document holding one `<testsuite name="alignrules">`.

    Each rule is a `<testcase>` named by its id; a rule with violations has one `<failure>`
    listing all of them. (The schema allows at most one failure per testcase, so a failure per
    violation would not validate.) Waived violations are no failures: `<system-out>` lists
    them with their waivers, and the baseline's counts and resolved findings. The timestamp is `as_of` at midnight and the hostname and
    time are fixed, so equal reports give identical XML. Data passes through `visible()`, which
    also escapes every character XML 1.0 forbids (NUL, lone surrogates, U+FFFE...).

    Only violations at or above `fail_on` (the CLI's `--fail-on`; None for `never`) are
    failures, so that the test report of a CI job agrees with its exit code; the others are
    listed in `<system-out>` as passing findings.

    The text declares UTF-8: write it with that encoding.
    """
    rules = rules_of(report)
    by_rule: dict[str, list[Violation]] = {r.id: [] for r in rules}
    passing: list[Violation] = []
    for v in report.violations:
        if fail_on is not None and v.severity >= fail_on:
            by_rule[v.rule].append(v)
        else:
            passing.append(v)

    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": "alignrules",
            "timestamp": f"{report.as_of.isoformat()}T00:00:00",
            "hostname": "alignrules",
            "tests": str(len(rules)),
            "failures": str(sum(1 for vs in by_rule.values() if vs)),
            "errors": "0",
            "time": "0",
            # Required on a testsuite inside <testsuites> by the Ant schema.
            "package": "alignrules",
            "id": "0",
        },
    )
    properties = ET.SubElement(suite, "properties")
    props = [("alignrules.version", tool_version), ("alignrules.as_of", report.as_of.isoformat())]
    props += [("alignrules.ruleset", name) for name in ruleset_names]
    for name, value in props:
        ET.SubElement(properties, "property", {"name": name, "value": visible(value)})

    for rule in rules:
        case = ET.SubElement(
            suite,
            "testcase",
            {"name": visible(rule.id), "classname": classname(rule), "time": "0"},
        )
        found = by_rule[rule.id]
        if found:
            first = visible(found[0].message)
            message = first if len(found) == 1 else f"{len(found)} violations; first: {first}"
            worst = max(v.severity for v in found)
            failure = ET.SubElement(case, "failure", {"message": message, "type": str(worst)})
            failure.text = _failure_text(found)

    out = [summary(report)]
    if passing:
        # Below --fail-on: reported, but the job does not fail for them.
        below = f" {fail_on}" if fail_on is not None else ""
        out.append(f"not failing (below --fail-on{below}) ({len(passing)}):")
        for v in passing:
            out += ["  " + line for line in finding(v)]
    out += waived_lines(report)  # waived violations fail nothing, but the record stays complete
    out += baseline_lines(report)
    ET.SubElement(suite, "system-out").text = "\n".join(out)
    ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
