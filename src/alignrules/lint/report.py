"""Lint findings → text, JSON or SARIF, through the shared diagnostics renderers.

Each finding becomes the project's `Diagnostic` record; text is `diagnostics.render_text`
(place, source line, caret, hint) with a summary line, JSON and SARIF are the writers in
`alignrules.render`.
"""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.diagnostics import render_text
from alignrules.lint.findings import CODES, Finding
from alignrules.render.json import render_diagnostics_json
from alignrules.render.sarif import render_diagnostics_sarif

#: The tool that SARIF names as reporting lint's findings (each lint code is one of its rules).
SARIF_TOOL = "alignrules-lint"


def render_lint_text(findings: Sequence[Finding]) -> str:
    """Each finding as `file:line:col: warning: message  [code]`, the line, a caret, the hint."""
    if not findings:
        return ""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    blocks = [render_text(f.as_diagnostic()) for f in findings]
    summary = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
    noun = "finding" if len(findings) == 1 else "findings"
    return "\n".join(blocks) + f"\n\n{len(findings)} {noun}: {summary}\n"


def render_lint(findings: Sequence[Finding], fmt: str, *, tool_version: str) -> str:
    """The findings in format `fmt` (one of `LINT_FORMATS`)."""
    diagnostics = [f.as_diagnostic() for f in findings]
    if fmt == "json":
        return render_diagnostics_json(diagnostics)
    if fmt == "sarif":
        return render_diagnostics_sarif(
            diagnostics, tool=SARIF_TOOL, codes=CODES, tool_version=tool_version
        )
    return render_lint_text(findings)
