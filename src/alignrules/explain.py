"""`alignrules explain CODE`: the documentation of an error code, or a rule's rationale.

Error codes are explained by their section of docs/errors.md, which the wheel ships as
`alignrules/docs/errors.md` (an editable install reads the repository's); rule ids by the
rule's own metadata, from the rulesets given (by default the standard one).
"""

from __future__ import annotations

import importlib.resources
import os
import re
from collections.abc import Sequence
from pathlib import Path

from alignrules.compile import compile_paths
from alignrules.diagnostics import CODES, Diagnostic, DiagnosticError, did_you_mean


def errors_doc() -> str:
    """docs/errors.md: from inside the package (a wheel), or the repository's."""
    packaged = importlib.resources.files("alignrules").joinpath("docs", "errors.md")
    if packaged.is_file():
        return packaged.read_text("utf-8")
    return (Path(__file__).resolve().parents[2] / "docs" / "errors.md").read_text("utf-8")


def error_section(code: str) -> str | None:
    """The `## \\`code\\`` section of docs/errors.md, without its heading, or None."""
    text = errors_doc()
    m = re.search(rf"^## `{re.escape(code)}`\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if m is None:
        return None
    # Fences carry attributes for the documentation's tests (`title=`, `exit=`): not for readers.
    body = re.sub(r"^(```+[a-z-]*)[^\n]*$", r"\1", m[1], flags=re.M)
    return body.strip() + "\n"


def explain(name: str, rulesets: Sequence[str | os.PathLike[str]]) -> str:
    """What `name` means: an error code's documentation, else the rule of that id."""
    if name in CODES:
        section = error_section(name)
        if section is not None:
            return f"{name}: {CODES[name]}\n\n{section}"
        return f"{name}: {CODES[name]}\n"
    compiled = compile_paths(rulesets)
    bodies = compiled.program.rule_bodies()
    for rule in compiled.program.rules:
        if rule.id == name:
            lines = [f"{rule.id} ({rule.severity}): {rule.title}", ""]
            if rule.rationale:
                lines += [rule.rationale, ""]
            facts = [f"declared at {rule.span.origin()}"]
            if rule.bodies > 1:  # a rule over several kinds of record: which
                facts.append(
                    "checks " + ", ".join(dict.fromkeys(r.subject_entity for r in bodies[name]))
                )
            if rule.owner:
                facts.append(f"owner {rule.owner}")
            if rule.tags:
                facts.append("tags " + ", ".join(rule.tags))
            lines.append("; ".join(facts))
            lines += [f"see {link}" for link in rule.links]
            return "\n".join(lines) + "\n"
    known = [*CODES, *(r.id for r in compiled.program.rules)]
    raise DiagnosticError(
        Diagnostic(
            "usage",
            f"`{name}` is neither an error code nor a rule of {compiled.name}",
            hint=did_you_mean(name, known) or "error codes are listed in docs/errors.md",
        )
    )
