"""Renderers: each turns a Report into the text of one output format, and does nothing else.

```python
from alignrules.render import render
text = render(report, "sarif", tool_version="0.1.0", ruleset_names=["strategy"])
```

Every renderer is called as `f(report, *, tool_version=..., ruleset_names=...) -> str`; the
returned text ends in a newline (or is empty), and equal reports give identical text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.render.github import render_github
from alignrules.render.gitlab import render_gitlab
from alignrules.render.html import render_html
from alignrules.render.json import render_json
from alignrules.render.junit import render_junit
from alignrules.render.markdown import render_markdown
from alignrules.render.sarif import render_sarif
from alignrules.render.text import render_text
from alignrules.runtime.report import Report, Severity

#: Format name (as given to `--format`) → renderer.
FORMATS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "github": render_github,
    "markdown": render_markdown,
    # Without the plan's alignment map (which the CLI adds), the map shows only the records
    # that have findings.
    "html": render_html,
    "gitlab": render_gitlab,
}


def render(
    report: Report,
    fmt: str,
    *,
    tool_version: str,
    ruleset_names: Sequence[str] = (),
    fail_on: Severity | None = Severity.INFO,
) -> str:
    """`report` in the format named `fmt` (a key of `FORMATS`).

    Raises DiagnosticError (code `usage`) for an unknown format name.
    """
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                f"unknown output format `{fmt}`",
                hint="choose one of " + ", ".join(f"`{name}`" for name in FORMATS),
            )
        ) from None
    if fmt == "junit":  # the one format whose pass/fail must agree with the exit code
        return render_junit(
            report, tool_version=tool_version, ruleset_names=tuple(ruleset_names), fail_on=fail_on
        )
    return renderer(report, tool_version=tool_version, ruleset_names=tuple(ruleset_names))


__all__ = [
    "FORMATS",
    "render",
    "render_github",
    "render_gitlab",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "render_text",
]
