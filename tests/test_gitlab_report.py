"""The GitLab Code Quality output, validated against the shape GitLab documents for
`artifacts:reports:codequality` (its "Code Quality report format": an array of issues with
description, check_name, a unique fingerprint, one of five severities, and a location)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from alignrules.cli import main
from alignrules.render.gitlab import render_gitlab
from tests.conftest import ROOT
from tests.test_render import REPORT

#: The documented format, as a JSON schema: every field GitLab requires, and its values.
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def validate(text: str) -> list[dict[str, object]]:
    issues = json.loads(text)
    jsonschema.validate(issues, CODE_QUALITY)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab keeps one issue per fingerprint
    return issues  # type: ignore[no-any-return]


def test_hand_built_report_is_valid() -> None:
    issues = validate(render_gitlab(REPORT))
    assert len(issues) == len(REPORT.violations)
    assert {i["severity"] for i in issues} == {"major", "minor", "info"}


def test_cli_output_points_into_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "gl-code-quality-report.json"
    code = main(["check", "std:strategy", "--data", "examples/quick-commerce/plan.json",
                 "--as-of", "2026-11-22", "--output", f"gitlab={out}", "--format", "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    issues = validate(out.read_text("utf-8"))
    assert len(issues) == len(report["violations"]) == 28
    first = issues[0]
    assert first["location"] == {
        "path": "examples/quick-commerce/plan.json",
        "lines": {"begin": 39},
    }
    assert first["check_name"] == "acquisition-negative-margin" and first["severity"] == "major"
