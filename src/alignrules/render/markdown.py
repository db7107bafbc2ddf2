"""Report → a GitHub-flavoured Markdown summary for pull requests and `$GITHUB_STEP_SUMMARY`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from alignrules.diagnostics import visible
from alignrules.render.text import place, primary_location, rules_of, summary
from alignrules.runtime.report import Report, RuleInfo, Violation, Waived

# Characters that Markdown could read as formatting, a link or a table border. `#` matters in
# headings, where a trailing run of them is taken as the closing sequence.
_BACKSLASHED = frozenset("\\`*_[]|~#")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md(text: str) -> str:
    """`text` from data as inert Markdown: visible, no HTML, no formatting, safe in a table cell,
    and neither mentioning anyone nor linking anywhere.

    >>> md("a|b <script> `x` *y*")
    'a\\\\|b &lt;script&gt; \\\\`x\\\\` \\\\*y\\\\*'
    >>> md("@ops see https://x.example or www.x.example")
    '@&#8203;ops see https&#8203;://x.example or www&#8203;.x.example'
    """
    out = []
    for ch in visible(text):  # visible() also turns a newline, which would end the row, into \n
        if ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(_ENTITIES.get(ch, ch))
    return _INERT.sub(_break, "".join(out))


# A pull-request comment turns `@name` into a notification and `https://...`, `www.` and
# `name@host` into links. A zero-width space after `@`, before `://` and before `www`'s dot
# breaks each, and shows nothing (what dependency bots do with release notes).
_INERT: Final = re.compile(r"@|(?<=[A-Za-z])(?=://)|(?<=\b[Ww]{3})(?=\.)")


def _break(m: re.Match[str]) -> str:
    return m[0] + "&#8203;"


def _entity(v: Violation) -> str:
    out = f"{md(v.entity)} {md(v.key)}"
    if v.field is not None:
        out += f", field {md(v.field)}"
    if v.related:
        out += "<br>related " + ", ".join(f"{md(t)} {md(k)}" for t, k in v.related)
    return out


def _row(v: Violation) -> str:
    loc = primary_location(v)
    where = md(place(loc))
    if loc.line is not None:
        where += f"<br>{md(loc.pointer or '/')}"
    return f"| {where} | {_entity(v)} | {md(v.message)} |"


def render_markdown(
    report: Report,
    *,
    tool_version: str = "",
    ruleset_names: Sequence[str] = (),
    max_rows: int = 50,
) -> str:
    """The report as Markdown: a heading, counts by severity, then a table per failing rule,
    worst first.

    At most `max_rows` violations are listed per rule (a pull-request comment holds 65,536
    characters); the rest are counted in a line below the table.
    """
    about = [f"as of {report.as_of.isoformat()}"]
    if ruleset_names:
        about.append("rulesets: " + ", ".join(md(n) for n in ruleset_names))
    if tool_version:
        about.append(f"alignrules {md(tool_version)}")
    lines: list[str] = []
    if not report.violations:
        lines += ["## alignrules: no violations", "", md(summary(report).capitalize()) + "."]
        lines += ["", " · ".join(about)]
        lines += _waived_and_baseline(report, max_rows)
        return "\n".join(lines) + "\n"

    count = len(report.violations)
    lines += [f"## alignrules: {count} violation{'' if count == 1 else 's'}", ""]
    lines += [md(summary(report)) + ".", "", " · ".join(about), ""]
    lines += ["| Severity | Count |", "| --- | ---: |"]
    lines += [f"| {severity} | {n} |" for severity, n in report.counts().items()]

    # Violations come worst first, so grouping them in order puts the errors' tables on top.
    by_rule: dict[str, list[Violation]] = {}
    for v in report.violations:
        by_rule.setdefault(v.rule, []).append(v)
    infos = {r.id: r for r in reversed(rules_of(report))}  # the first of duplicate ids wins
    for rule_id, found in by_rule.items():
        rule = infos[rule_id]
        heading = md(rule.id) if rule.title == rule.id else f"{md(rule.id)}: {md(rule.title)}"
        facts = [str(rule.severity), f"{len(found)} violation{'' if len(found) == 1 else 's'}"]
        if rule.owner:
            facts.append(f"owner {md(rule.owner)}")
        lines += ["", f"### {heading}", "", " · ".join(facts), ""]
        lines += _why(rule)
        lines += ["| Location | Entity | Message |", "| --- | --- | --- |"]
        lines += [_row(v) for v in found[:max_rows]]
        if len(found) > max_rows:
            lines += ["", f"… and {len(found) - max_rows} more."]
    lines += _waived_and_baseline(report, max_rows)
    return "\n".join(lines) + "\n"


def _why(rule: RuleInfo) -> list[str]:
    """The rule's rationale and links, above its table: why a reviewer should care.

    Links are shown as inert text (escaped like all data), never as Markdown links.
    """
    out = []
    if rule.rationale:
        out += [md(rule.rationale), ""]
    if rule.links:
        out += ["See: " + ", ".join(md(link) for link in rule.links), ""]
    return out


def _waived_row(w: Waived) -> str:
    v = w.violation
    return (
        f"| {md(place(primary_location(v)))} | {md(v.rule)} | {_entity(v)} | {md(w.reason)} "
        f"| {md(w.owner)} | {w.expires.isoformat()}<br>{md(place(w.waiver))} |"
    )


def _waived_and_baseline(report: Report, max_rows: int) -> list[str]:
    """A table of waived violations and the baseline's counts and resolved findings."""
    lines: list[str] = []
    if report.waived:
        lines += ["", f"### Waived ({len(report.waived)})", ""]
        lines += ["| Location | Rule | Entity | Reason | Owner | Expires |"]
        lines += ["| --- | --- | --- | --- | --- | --- |"]
        lines += [_waived_row(w) for w in report.waived[:max_rows]]
        if len(report.waived) > max_rows:
            lines += ["", f"… and {len(report.waived) - max_rows} more."]
    diff = report.baseline
    if diff is not None:
        lines += ["", "### Baseline", ""]
        lines += [
            f"Compared with {md(diff.file)}: {diff.new} new, {len(diff.unchanged)} unchanged, "
            f"{len(diff.resolved)} resolved."
        ]
        if diff.resolved:
            lines += ["", "| Resolved | Rule | Entity | Message |", "| --- | --- | --- | --- |"]
            lines += [
                f"| {md(place(primary_location(v)))} | {md(v.rule)} | {_entity(v)} "
                f"| {md(v.message)} |"
                for v in diff.resolved[:max_rows]
            ]
            if len(diff.resolved) > max_rows:
                lines += ["", f"… and {len(diff.resolved) - max_rows} more."]
    return lines
