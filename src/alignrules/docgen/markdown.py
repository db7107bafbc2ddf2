"""RulesetDoc → one Markdown document for review and sign-off."""

from __future__ import annotations

import re

from alignrules.diagnostics import visible
from alignrules.docgen.model import ExampleDoc, RuleDoc, RulesetDoc
from alignrules.render.markdown import md


def fence(text: str, lang: str = "") -> list[str]:
    """`text` in a code fence longer than any run of backticks inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return [f"{bar}{lang}", text.rstrip("\n"), bar]


def code(text: str) -> str:
    """`text` as a code span (safe in a table cell): backticks longer than any run inside."""
    text = visible(text).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    bar = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{bar}{pad}{text}{pad}{bar}"


def anchor(rule_id: str) -> str:
    """The heading anchor GitHub and most renderers make for `rule_id` (lowercase, [a-z0-9-_])."""
    return re.sub(r"[^a-z0-9_-]", "", rule_id.lower())


def render_markdown_doc(doc: RulesetDoc) -> str:
    n = len(doc.rules)
    lines = [f"# Ruleset {md(doc.name)}", ""]
    lines += [
        f"{n} rule{'' if n == 1 else 's'} · {len(doc.params)} parameters · "
        f"{doc.examples} examples, {doc.examples_passed} passing · "
        f"{doc.coverage_percent:g}% of the rules fully covered by examples",
        "",
    ]
    lines += ["## Rules by tag", ""]
    for tag, rules in by_tag(doc.rules).items():
        lines.append(f"- **{md(tag)}**: " + ", ".join(_link(r) for r in rules))
    lines += ["", "## Rules by owner", ""]
    for owner, rules in by_owner(doc.rules).items():
        lines.append(f"- **{md(owner)}**: " + ", ".join(_link(r) for r in rules))
    if doc.params:
        lines += ["", "## Parameters", "", "| Parameter | Type | Default | Declared at |"]
        lines.append("| --- | --- | --- | --- |")
        lines += [
            f"| {code(p.name)} | {md(p.type)} | {md(p.default)} | {md(p.origin)} |"
            for p in doc.params
        ]
    lines += ["", "## Rules"]
    for rule in doc.rules:
        lines += ["", *_rule(rule)]
    return "\n".join(lines) + "\n"


def _link(r: RuleDoc) -> str:
    return f"[{md(r.id)}](#{anchor(r.id)})"


def by_tag(rules: tuple[RuleDoc, ...]) -> dict[str, list[RuleDoc]]:
    """Rules under each of their tags (`untagged` for none), tags sorted."""
    out: dict[str, list[RuleDoc]] = {}
    for r in rules:
        for tag in dict.fromkeys(r.tags or ("untagged",)):
            out.setdefault(tag, []).append(r)
    return dict(sorted(out.items()))


def by_owner(rules: tuple[RuleDoc, ...]) -> dict[str, list[RuleDoc]]:
    """Rules by owner (`no owner` for none), owners sorted."""
    out: dict[str, list[RuleDoc]] = {}
    for r in rules:
        out.setdefault(r.owner or "no owner", []).append(r)
    return dict(sorted(out.items()))


def _rule(r: RuleDoc) -> list[str]:
    lines = [f"### {md(r.id)}", "", f"**{md(r.title)}**", ""]
    facts = [f"severity **{r.severity}**", f"owner {md(r.owner or 'none')}"]
    if r.tags:
        facts.append("tags " + ", ".join(md(t) for t in r.tags))
    facts.append(f"declared at {md(r.origin)}")
    lines += [" · ".join(facts), ""]
    if r.rationale:
        lines += [md(r.rationale), ""]
    if r.links:
        lines += [*(f"- {md(u)}" for u in r.links), ""]  # as inert text: no link is made
    lines += fence(r.text, "alignrules")
    if r.params:
        lines += ["", "Parameters: " + ", ".join(code(p) for p in r.params)]
    cover = {
        (True, True): "fires and passes",
        (True, False): "fires only",
        (False, True): "passes only",
    }
    lines += ["", f"Coverage: {cover.get((r.fires, r.passes), 'not covered')} in its examples."]
    for ex in r.examples:
        lines += ["", *_example(ex, r.id)]
    return lines


def expected_lines(ex: ExampleDoc, rule_id: str) -> list[str]:
    """What `ex` expects of `rule_id` (and `expect nothing`), or all it expects."""
    mine = [text for rule, text in ex.expects if rule in (rule_id, None)]
    return mine or [text for _, text in ex.expects]


def _example(ex: ExampleDoc, rule_id: str) -> list[str]:
    state = "passes" if ex.passed else "FAILS"
    lines = [f"#### Example: {md(ex.name)} ({state})", "", f"Declared at {md(ex.origin)}."]
    if ex.today is not None:
        lines.append(f"Checked as of {ex.today}.")
    if ex.params:
        lines.append("Parameters: " + ", ".join(f"{code(k)} = {md(v)}" for k, v in ex.params))
    lines.append("")
    if ex.given is not None:
        lines += ["Given:", "", *fence(ex.given, "yaml"), ""]
    elif ex.given_file is not None:
        lines += [f"Given the file {md(ex.given_file)}.", ""]
    lines += ["Expected:", "", *fence("\n".join(expected_lines(ex, rule_id)))]
    return lines
