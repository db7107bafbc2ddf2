"""Report → GitHub Actions workflow commands: one `::error ...::message` annotation per violation."""

from __future__ import annotations

import re
from collections.abc import Sequence

from alignrules.diagnostics import visible
from alignrules.render.text import describe, primary_location
from alignrules.runtime.report import Report, Severity, Violation

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message the way the Actions runner unescapes it.

    >>> escape_data("100%\\nnext")
    '100%25%0Anext'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property (`file=`, `title=`): as data, plus `:` and `,`.

    >>> escape_property("a,b:c")
    'a%2Cb%3Ac'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _shown(text: str) -> str:
    # Line breaks survive (as %0A, so the annotation shows them and no data line can start
    # a workflow command of its own); every other hidden character is made visible.
    parts = re.split(r"([\r\n])", text)
    return "".join(part if part in ("\r", "\n") else visible(part) for part in parts)


def annotation(v: Violation) -> str:
    """One workflow command for `v`; `file`, `line` and `col` only when they are known."""
    loc = primary_location(v)
    props: list[str] = []
    if loc.file is not None:
        path = visible(loc.file.replace("\\", "/"))
        props.append(f"file={escape_property(path)}")
        if loc.line is not None:
            props.append(f"line={loc.line}")
            if loc.column is not None:
                props.append(f"col={loc.column}")
    props.append(f"title={escape_property(visible(v.rule))}")
    message = _shown(v.message) + "\n" + describe(v, pointer=loc.line is None)
    return f"::{COMMANDS[v.severity]} {','.join(props)}::{escape_data(message)}"


def render_github(
    report: Report, *, tool_version: str = "", ruleset_names: Sequence[str] = ()
) -> str:
    """The report as workflow commands, one line per violation (empty when there are none).

    ```text
    ::error file=plan.json,line=12,col=5,title=no-unfunded-claims::claim C1 ...%0AClaim `C1`
    ```

    `tool_version` and `ruleset_names` are accepted so every renderer has the same signature.
    Waived violations get no annotation: they fail nothing, and the other formats list them.
    With a baseline, only the new findings are annotated.
    """
    return "".join(annotation(v) + "\n" for v in report.violations)
