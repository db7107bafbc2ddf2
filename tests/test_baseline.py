"""Baselines through the command line: only findings new since an earlier JSON report count."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MINI, run_cli, sarif_validator

PLAN = MINI / "plan.json"
AS_OF = "2026-01-01"


def check(plan: Path, *extra: str | Path) -> Any:
    return run_cli("check", MINI, "--data", plan, "--as-of", AS_OF, *extra)


def keys(violations: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(v["rule"], v["key"], ",".join(r["key"] for r in v["related"])) for v in violations}


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    """The JSON report of the mini plan as it is: 7 findings (see tests/test_core.py)."""
    path = tmp_path / "baseline.json"
    result = check(PLAN, "--output", f"json={path}")
    assert result.returncode == 1
    return path


def changed_plan(tmp_path: Path) -> Path:
    """The mini plan with one finding fixed and a new one: K3 gets funded (so claim C1 no
    longer promises an unfunded capability) and a new claim C3 references the missing K9."""
    plan = json.loads(PLAN.read_text())
    plan["capabilities"][2]["status"] = "funded"
    plan["marketing"]["claims"].append(
        {"id": "C3", "text": "new", "channel": "search", "capability_ids": ["K9"]}
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    return path


def test_new_and_resolved_findings_and_the_exit_code_of_new_ones(
    tmp_path: Path, baseline: Path
) -> None:
    plan = changed_plan(tmp_path)
    result = check(plan, "--baseline", baseline, "--format", "json")
    assert result.returncode == 1, result.stderr  # the new dangling reference is an error
    doc = json.loads(result.stdout)
    assert keys(doc["violations"]) == {("dangling-reference", "C3", "K9")}
    base = doc["baseline"]
    assert (base["new"], base["unchanged"], base["resolved"]) == (1, 6, 1)
    assert base["file"] == str(baseline)
    assert keys(base["resolved_violations"]) == {("no-unfunded-claims", "C1", "K3")}
    assert ("dangling-reference", "C2", "K9") in keys(base["unchanged_violations"])
    assert doc["summary"]["violations"] == 1

    text = check(plan, "--baseline", baseline)
    assert text.returncode == 1
    head, resolved = text.stdout.split("resolved since the baseline (1):\n")
    assert "[dangling-reference]" in head and "C3" in head
    assert "[no-unfunded-claims]" not in head  # unchanged or resolved, never new
    assert "[no-unfunded-claims]" in resolved
    assert f"baseline {baseline}: 1 new, 6 unchanged, 1 resolved" in text.stdout


def test_the_exit_code_depends_only_on_new_findings(tmp_path: Path, baseline: Path) -> None:
    plan = json.loads(PLAN.read_text())
    plan["capabilities"][2]["status"] = "funded"  # only a fix: nothing new
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(plan))
    assert check(fixed).returncode == 1  # without a baseline the old errors fail the run
    result = check(fixed, "--baseline", baseline)
    assert result.returncode == 0, result.stdout
    assert "0 new, 6 unchanged, 1 resolved" in result.stdout

    plan["marketing"]["campaigns"][0]["Budget (USD)"] = 10  # a new info finding: budget-floor M1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(plan))
    assert check(broken, "--baseline", baseline).returncode == 0
    strict = check(broken, "--baseline", baseline, "--fail-on", "info")
    assert strict.returncode == 1
    assert "campaign M1 has 10" in strict.stdout


def test_findings_match_by_identity_not_place(tmp_path: Path, baseline: Path) -> None:
    """Moving records around the file changes every line, but no finding is new."""
    plan = json.loads(PLAN.read_text())
    random.Random(3).shuffle(plan["capabilities"])
    plan["marketing"]["claims"].reverse()
    plan["marketing"]["campaigns"].reverse()
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(plan, indent=4))
    result = check(moved, "--baseline", baseline, "--format", "json")
    assert result.returncode == 0, result.stdout
    doc = json.loads(result.stdout)
    assert doc["violations"] == []
    assert (doc["baseline"]["new"], doc["baseline"]["unchanged"]) == (0, 7)


def test_a_report_made_with_a_baseline_is_the_next_baseline(tmp_path: Path, baseline: Path) -> None:
    plan = changed_plan(tmp_path)
    second = tmp_path / "second.json"
    check(plan, "--baseline", baseline, "--output", f"json={second}")
    again = check(plan, "--baseline", second, "--format", "json")
    assert again.returncode == 0, again.stdout
    base = json.loads(again.stdout)["baseline"]
    assert (base["new"], base["unchanged"], base["resolved"]) == (0, 7, 0)


def test_a_waived_finding_is_neither_new_nor_resolved(tmp_path: Path, baseline: Path) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - {rule: no-unfunded-claims, key: C1, reason: r, owner: o, expires: 2026-03-31}\n"
    )
    result = check(PLAN, "--baseline", baseline, "--waivers", waivers, "--format", "json")
    assert result.returncode == 0
    doc = json.loads(result.stdout)
    assert keys(doc["waived"]) == {("no-unfunded-claims", "C1", "K3")}
    base = doc["baseline"]
    assert (base["new"], base["unchanged"], base["resolved"]) == (0, 6, 0)


def test_output_is_deterministic(tmp_path: Path, baseline: Path) -> None:
    plan = changed_plan(tmp_path)
    for fmt in ("text", "json", "sarif", "junit", "markdown", "github"):
        first = check(plan, "--baseline", baseline, "--format", fmt)
        second = check(plan, "--baseline", baseline, "--format", fmt)
        assert first.stdout == second.stdout, fmt


def test_sarif_results_are_the_new_findings(tmp_path: Path, baseline: Path) -> None:
    result = check(changed_plan(tmp_path), "--baseline", baseline, "--format", "sarif")
    doc = json.loads(result.stdout)
    errors = sorted(sarif_validator().iter_errors(doc), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    (only,) = doc["runs"][0]["results"]
    assert only["ruleId"] == "dangling-reference"
    assert only["baselineState"] == "new"
    assert doc["runs"][0]["properties"]["baseline"] == {
        "file": str(baseline),
        "new": 1,
        "unchanged": 6,
        "resolved": 1,
    }


# --- bad baselines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('{"violations": [\n', "b.json:2:1", "invalid JSON"),
        ('{"version": "2.1.0", "runs": []}', "b.json:1:1", "not an alignrules JSON report"),
        ("[]", "b.json:1:1", "not an alignrules JSON report"),
        (
            '{"violations": [\n  {"rule": "r", "entity": "Claim", "severity": "error",'
            ' "message": "m", "related": []}\n]}',
            "b.json:2:3",
            "a violation needs `key` as text",
        ),
        (
            '{"violations": [{"rule": "r", "entity": "E", "key": "k", "message": "m",\n'
            '  "severity": "fatal", "related": []}]}',
            "b.json:2:15",
            "`severity` must be error, warning or info",
        ),
        ('{"version": 7, "violations": []}', "b.json:1:13", "unsupported report version"),
    ],
)
def test_a_bad_baseline_is_an_error_naming_the_line(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    (tmp_path / "b.json").write_text(text)
    result = check(PLAN, "--baseline", tmp_path / "b.json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"{tmp_path / where}: error: " in result.stderr, result.stderr
    assert message in result.stderr
    assert "[baseline]" in result.stderr


@pytest.mark.parametrize("name", ["missing.json", "report.sarif"])
def test_a_missing_or_non_json_baseline_is_an_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "report.sarif").write_text("{}")
    result = check(PLAN, "--baseline", tmp_path / name)
    assert result.returncode == 2
    assert f"{tmp_path / name}: error: " in result.stderr
    assert "[baseline]" in result.stderr and "Traceback" not in result.stderr
