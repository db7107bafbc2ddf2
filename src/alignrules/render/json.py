"""Report → a stable JSON document for machines (version 1)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from alignrules.diagnostics import BIDI_CONTROLS
from alignrules.runtime.report import Report, RuleInfo

#: Bumped only when a field changes meaning or disappears; new fields keep the version.
FORMAT_VERSION = 1

# After json.dumps(ensure_ascii=False) every character outside printable ASCII (and the indent
# newlines) sits inside a string literal, so it may be replaced by a \u escape there.
_NON_ASCII = re.compile(r"[^\x20-\x7e\n]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isprintable() and ch not in BIDI_CONTROLS:
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells astral characters as a UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(document: Any) -> str:
    r"""`document` as sorted, indented JSON text ending in a newline.

    Readable non-ASCII text stays as it is; characters that could disguise a terminal or a
    diff (U+202E, U+2028, lone surrogates...) become `\u` escapes. `json.loads` gives back the
    exact strings, and the text always encodes as UTF-8.

    >>> print(dumps({"b": "café", "a": "\u202e"}), end="")
    {
      "a": "\u202e",
      "b": "café"
    }
    """
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    return _NON_ASCII.sub(_escape, text) + "\n"


def rule_json(rule: RuleInfo) -> dict[str, Any]:
    """A rule's metadata as plain JSON values."""
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": str(rule.severity),
        "origin": rule.origin,
        "rationale": rule.rationale,
        "owner": rule.owner,
        "tags": list(rule.tags),
        "links": list(rule.links),
    }


def render_json(report: Report, *, tool_version: str, ruleset_names: Sequence[str] = ()) -> str:
    """The report as a JSON document.

    ```json
    {"version": 1, "tool": {"name": "alignrules", "version": "0.1.0"}, "as_of": "2024-05-01",
     "rulesets": ["strategy"], "entities": {"Claim": 12},
     "summary": {"violations": 1, "error": 1, "warning": 0, "info": 0, "ok": false},
     "rules": [{"id": "no-unfunded-claims", ...}], "violations": [{"rule": ..., ...}]}
    ```

    With waivers, `waived` lists the accepted violations, each with a `waiver` object
    (`reason`, `owner`, `expires`, `location` in the waiver file); with a baseline,
    `baseline` holds `file`, the counts `new`, `unchanged`, `resolved`, and the lists
    `unchanged_violations` and `resolved_violations`.
    """
    counts = report.counts()
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "tool": {"name": "alignrules", "version": tool_version},
        "as_of": report.as_of.isoformat(),
        "rulesets": list(ruleset_names),
        "entities": dict(report.entities),
        "summary": {"violations": len(report.violations), **counts, "ok": report.ok},
        "rules": [rule_json(r) for r in report.rules],
        "violations": [v.to_json() for v in report.violations],
    }
    # Present only when used, so reports made without waivers or a baseline stay as they were.
    if report.waived:
        document["waived"] = [w.to_json() for w in report.waived]
    if report.baseline is not None:
        document["baseline"] = report.baseline.to_json()
    return dumps(document)
