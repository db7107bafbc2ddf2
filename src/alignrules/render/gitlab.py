"""Report → a GitLab Code Quality report (`artifacts: reports: codequality:`).

GitLab reads a JSON array of issues, each with `description`, `check_name`, `fingerprint`
(unique: GitLab shows only the first issue of a fingerprint), `severity` (`info`, `minor`,
`major`, `critical` or `blocker`) and `location` (`path`, relative to the repository root,
and `lines.begin`). Waived violations are left out: they are accepted, not open issues.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from alignrules.diagnostics import visible
from alignrules.render.sarif import artifact_uri, fingerprint
from alignrules.render.text import describe, primary_location
from alignrules.runtime.report import Report, Severity

#: An error fails the pipeline's check, as a `major` issue blocks a merge request in review.
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(
    report: Report, *, tool_version: str = "", ruleset_names: Sequence[str] = ()
) -> str:
    """The report's violations as GitLab Code Quality issues, in the report's order."""
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for v in report.violations:
        loc = primary_location(v)
        # Two findings with the same identity (rule, record, related, field) but different
        # wording would share a fingerprint; a counter keeps every one of them visible.
        fp = fingerprint(v)
        seen[fp] = seen.get(fp, 0) + 1
        if seen[fp] > 1:
            fp = f"{fp}-{seen[fp]}"
        path = "<data>" if loc.file is None else _path(loc.file)
        issues.append(
            {
                "description": f"{visible(v.message)} ({describe(v, pointer=True)})",
                "check_name": v.rule,
                "fingerprint": fp,
                "severity": SEVERITIES[v.severity],
                "location": {"path": path, "lines": {"begin": loc.line or 1}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _path(file: str) -> str:
    """The plan file as GitLab matches it against the repository: forward slashes, relative."""
    uri, relative = artifact_uri(file)
    if relative:
        # A name that is not valid Unicode (undecodable bytes on disk) is shown escaped.
        posix = file.replace("\\", "/").removeprefix("./")
        return posix.encode("utf-8", "backslashreplace").decode("utf-8")
    return uri
