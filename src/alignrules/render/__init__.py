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
from importlib import import_module
from typing import Final

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.report import Report, Severity

#: The output format names, in the order `--help` and error messages list them. Format `x` is
#: written by `render_x` in the module `alignrules.render.x`, imported when the format is first
#: asked for: `alignrules check` prints one or two formats, and importing all eight (HTML, XML,
#: SARIF) would cost every run the start-up time that CI and pre-commit hooks pay again and
#: again. Without the plan's alignment map (which the CLI adds), the HTML map shows only the
#: records that have findings.
FORMATS: Final = ("text", "json", "sarif", "junit", "github", "markdown", "html", "gitlab")


def renderer(fmt: str) -> Callable[..., str]:
    """The function that writes the format named `fmt` (one of `FORMATS`)."""
    if fmt not in FORMATS:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                f"unknown output format `{fmt}`",
                hint="choose one of " + ", ".join(f"`{name}`" for name in FORMATS),
            )
        )
    module = import_module(f"alignrules.render.{fmt}")
    function: Callable[..., str] = getattr(module, f"render_{fmt}")
    return function


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
    write = renderer(fmt)
    if fmt == "junit":  # the one format whose pass/fail must agree with the exit code
        return write(
            report, tool_version=tool_version, ruleset_names=tuple(ruleset_names), fail_on=fail_on
        )
    return write(report, tool_version=tool_version, ruleset_names=tuple(ruleset_names))


__all__ = ["FORMATS", "render", "renderer"]
