"""Waivers through the command line: accepted violations are reported as waived, never hidden;
expired and unused waivers are findings of their own; a bad waiver file stops the run."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MINI, junit_schema, run_cli, sarif_validator

PLAN = MINI / "plan.json"
AS_OF = "2026-01-01"

# Against the mini plan on 2026-01-01 (see tests/test_core.py): public-needs-stress fires for
# C1 twice (K1, K3), no-unfunded-claims for C1/K3, launch-after-ready for C1 twice,
# budget-floor for M2, dangling-reference for C2/K9.
WAIVERS = """\
# Governed exceptions: every waiver has a reason, an owner and an end.
waivers:
  - rule: public-needs-stress
    entity: Claim
    key: "C*"
    reason: "Stress tests of K1 and K3 are booked for Q1"
    owner: brand-governance
    expires: 2026-06-30
  - rule: no-unfunded-claims
    key: C1
    reason: "Funding was due in December"
    owner: finance
    expires: 2025-12-31
  - rule: launch-after-ready
    key: C2
    reason: "C2 launches late anyway"
    owner: ops
    expires: 2026-12-31
"""


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based number of the first line at or after `start` that contains `needle`."""
    lines = text.splitlines()
    return next(i for i in range(start, len(lines) + 1) if needle in lines[i - 1])


def check(tmp_path: Path, waivers: str, *extra: str, name: str = "waivers.yaml") -> Any:
    path = tmp_path / name
    path.write_text(waivers, "utf-8")
    return run_cli("check", MINI, "--data", PLAN, "--as-of", AS_OF, "--waivers", path, *extra)


def findings(doc: dict[str, Any], key: str = "violations") -> set[tuple[str, str, str]]:
    return {
        (v["rule"], v["key"], ",".join(r["key"] for r in v["related"])) for v in doc.get(key, [])
    }


def test_expired_unused_and_valid_waivers_in_one_run(tmp_path: Path) -> None:
    result = check(tmp_path, WAIVERS, "--format", "json")
    assert result.returncode == 1, result.stderr  # errors remain: C1/K3 unfunded, C2 dangling
    doc = json.loads(result.stdout)

    # The valid waiver (a glob key) moved both public-needs-stress findings to `waived`.
    assert findings(doc, "waived") == {
        ("public-needs-stress", "C1", "K1"),
        ("public-needs-stress", "C1", "K3"),
    }
    entry_line = line_of(WAIVERS, "rule: public-needs-stress")
    for w in doc["waived"]:
        assert w["waiver"]["reason"] == "Stress tests of K1 and K3 are booked for Q1"
        assert w["waiver"]["owner"] == "brand-governance"
        assert w["waiver"]["expires"] == "2026-06-30"
        assert w["waiver"]["location"]["file"].endswith("waivers.yaml")
        assert w["waiver"]["location"]["line"] == entry_line
        assert w["location"]["file"].endswith("plan.json")  # the violation keeps its place

    # The expired waiver waives nothing: its violation counts again, and it is reported.
    got = findings(doc)
    assert ("no-unfunded-claims", "C1", "K3") in got
    assert not any(rule == "public-needs-stress" for rule, _, _ in got)
    (expired,) = [v for v in doc["violations"] if v["rule"] == "expired-waiver"]
    assert expired["severity"] == "warning"
    assert "expired on 2025-12-31" in expired["message"]
    assert "counts again" in expired["message"]
    expires_line = line_of(WAIVERS, "expires: 2025-12-31")
    assert expired["field_location"]["line"] == expires_line
    assert expired["field_location"]["file"].endswith("waivers.yaml")

    # The waiver in force that matches nothing is reported with its line.
    (unused,) = [v for v in doc["violations"] if v["rule"] == "unused-waiver"]
    assert unused["severity"] == "info"
    assert unused["location"]["line"] == line_of(WAIVERS, "rule: launch-after-ready")
    assert "matches no violation" in unused["message"]

    assert doc["summary"]["error"] == 2  # unfunded C1/K3 and dangling C2: waived ones do not count
    assert {r["id"] for r in doc["rules"]} >= {"expired-waiver", "unused-waiver"}


def test_text_lists_waived_violations_in_their_own_section(tmp_path: Path) -> None:
    result = check(tmp_path, WAIVERS)
    assert result.returncode == 1
    out = result.stdout
    head, waived = out.split("waived (2):\n")
    assert "[public-needs-stress]" not in head
    assert waived.count("[public-needs-stress]") == 2
    assert "waived until 2026-06-30 by brand-governance (" in waived
    assert "): Stress tests of K1 and K3 are booked for Q1" in waived
    expires_line = line_of(WAIVERS, "expires: 2025-12-31")
    assert f"waivers.yaml:{expires_line}:14: warning: the waiver for `no-unfunded-claims`" in head
    assert out.rstrip().endswith("; 2 waived")


def test_waived_violations_never_fail_the_run(tmp_path: Path) -> None:
    waivers = textwrap.dedent(
        """\
        waivers:
          - {rule: public-needs-stress, key: C1, reason: booked, owner: brand, expires: 2026-06-30}
          - {rule: no-unfunded-claims, key: C1, reason: approved, owner: finance, expires: 2026-06-30}
          - {rule: dangling-reference, entity: Claim, key: C2, reason: K9 is in the next export, owner: data, expires: 2026-01-31}
        """
    )
    result = check(tmp_path, waivers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "; 4 waived" in result.stdout
    assert "[launch-after-ready]" in result.stdout  # unwaived warnings are still shown


def test_as_of_is_the_date_waivers_expire_by(tmp_path: Path) -> None:
    waivers = textwrap.dedent(
        """\
        waivers:
          - rule: budget-floor
            key: M2
            reason: pilot campaign
            owner: growth
            expires: 2026-06-30
        """
    )
    (tmp_path / "w.yaml").write_text(waivers)

    def run(as_of: str) -> dict[str, Any]:
        result = run_cli(
            "check", MINI, "--data", PLAN, "--as-of", as_of, "--waivers", tmp_path / "w.yaml",
            "--format", "json",
        )  # fmt: skip
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    last_day = run("2026-06-30")
    assert findings(last_day, "waived") == {("budget-floor", "M2", "")}
    day_after = run("2026-07-01")
    assert "waived" not in day_after
    assert {"budget-floor", "expired-waiver"} <= {v["rule"] for v in day_after["violations"]}


@pytest.mark.parametrize(
    ("entity", "key", "waived"),
    [
        (None, "C*", True),
        ("Claim", "C?", True),
        ("Claim", "C[0-9]", True),
        (None, "C1", True),
        (None, "c*", False),  # keys match case-sensitively
        ("Campaign", "C*", False),  # the entity type must match when given
        (None, "C1*x", False),
    ],
)
def test_key_patterns(tmp_path: Path, entity: str | None, key: str, waived: bool) -> None:
    waiver: dict[str, Any] = {
        "rule": "no-unfunded-claims",
        "key": key,
        "reason": "r",
        "owner": "o",
        "expires": "2026-12-31",
    }
    if entity is not None:
        waiver["entity"] = entity
    result = check(tmp_path, json.dumps({"waivers": [waiver]}), "--format", "json", name="w.json")
    doc = json.loads(result.stdout)
    assert (findings(doc, "waived") == {("no-unfunded-claims", "C1", "K3")}) is waived
    assert any(v["rule"] == "unused-waiver" for v in doc["violations"]) is not waived


def test_a_mistyped_rule_is_an_unused_waiver_with_a_suggestion(tmp_path: Path) -> None:
    waivers = "- {rule: no-unfunded-claim, key: C1, reason: r, owner: o, expires: 2026-12-31}\n"
    result = check(tmp_path, waivers)  # a bare list is a waiver file too
    assert result.returncode == 1
    assert "did you mean `no-unfunded-claims`?" in result.stdout
    assert "[unused-waiver]" in result.stdout


def test_output_is_deterministic(tmp_path: Path) -> None:
    for fmt in ("text", "json", "sarif", "junit", "markdown", "github"):
        first = check(tmp_path, WAIVERS, "--format", fmt)
        second = check(tmp_path, WAIVERS, "--format", fmt)
        assert first.stdout == second.stdout, fmt
        assert first.returncode == second.returncode == 1


# --- formats ------------------------------------------------------------------------------------


def test_sarif_marks_waived_results_as_externally_suppressed(tmp_path: Path) -> None:
    result = check(tmp_path, WAIVERS, "--format", "sarif")
    doc = json.loads(result.stdout)
    errors = sorted(sarif_validator().iter_errors(doc), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    results = doc["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert sorted(r["properties"]["related"][0]["key"] for r in suppressed) == ["K1", "K3"]
    for r in suppressed:
        assert r["ruleId"] == "public-needs-stress"
        (s,) = r["suppressions"]
        assert s["kind"] == "external"
        assert s["status"] == "accepted"
        assert s["justification"] == "Stress tests of K1 and K3 are booked for Q1"
        assert s["properties"] == {"owner": "brand-governance", "expires": "2026-06-30"}
        region = s["location"]["physicalLocation"]["region"]
        assert region["startLine"] == line_of(WAIVERS, "rule: public-needs-stress")
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    expired = next(r for r in results if r["ruleId"] == "expired-waiver")
    location = expired["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("waivers.yaml")


def test_junit_counts_no_waived_violation_as_a_failure(tmp_path: Path) -> None:
    result = check(tmp_path, WAIVERS, "--format", "junit", "--fail-on", "warning")
    root = ET.fromstring(result.stdout)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["public-needs-stress"].find("failure") is None
    assert cases["no-unfunded-claims"].find("failure") is not None
    assert cases["expired-waiver"].find("failure") is not None  # a warning, failing here
    out = root.find("testsuite/system-out")
    assert out is not None and out.text is not None
    assert "waived (2):" in out.text and "booked for Q1" in out.text
    junit_schema().validate(result.stdout)


def test_junit_failures_agree_with_the_exit_code(tmp_path: Path) -> None:
    """With the default `--fail-on error`, a warning is listed but fails no test case."""
    result = check(tmp_path, WAIVERS, "--format", "junit")
    root = ET.fromstring(result.stdout)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["expired-waiver"].find("failure") is None
    assert cases["no-unfunded-claims"].find("failure") is not None
    out = root.find("testsuite/system-out")
    assert out is not None and out.text is not None
    assert "not failing (below --fail-on error) (5):" in out.text
    assert "[expired-waiver]" in out.text


def test_github_annotates_no_waived_violation(tmp_path: Path) -> None:
    result = check(tmp_path, WAIVERS, "--format", "github")
    assert "title=public-needs-stress" not in result.stdout
    assert "title=no-unfunded-claims" in result.stdout
    assert "::warning file=" in result.stdout and "waivers.yaml" in result.stdout


def test_markdown_has_a_waived_table(tmp_path: Path) -> None:
    result = check(tmp_path, WAIVERS, "--format", "markdown")
    _, waived = result.stdout.split("### Waived (2)\n")
    assert "| Location | Rule | Entity | Reason | Owner | Expires |" in waived
    assert waived.count("| public-needs-stress |") == 2
    assert "brand-governance | 2026-06-30<br>" in waived


# --- bad waiver files ---------------------------------------------------------------------------

# Line 2 is the entry (column 5), line 6 its `expires` value (column 14).
GOOD = (
    "waivers:\n"
    "  - rule: budget-floor\n"
    "    key: M2\n"
    "    reason: pilot\n"
    "    owner: growth\n"
    "    expires: 2026-06-30\n"
)


@pytest.mark.parametrize(
    ("name", "text", "where", "message"),
    [
        ("w.yaml", GOOD.replace("    reason: pilot\n", ""), "w.yaml:2:5", "no `reason`"),
        ("w.yaml", GOOD.replace("    owner: growth\n", ""), "w.yaml:2:5", "no `owner`"),
        ("w.yaml", GOOD.replace("    expires: 2026-06-30\n", ""), "w.yaml:2:5", "no `expires`"),
        ("w.yaml", GOOD.replace("2026-06-30", "2026-02-30"), "w.yaml:6:14", "not a date"),
        ("w.yaml", GOOD.replace("2026-06-30", "next spring"), "w.yaml:6:14", "not a date"),
        ("w.yaml", GOOD + "    approver: cfo\n", "w.yaml:7:15", "unknown field `approver`"),
        ("w.yaml", GOOD.replace("pilot", '""'), "w.yaml:4:13", "`reason` must be non-empty"),
        ("w.yaml", GOOD + "owners: [me]\n", "w.yaml:7:9", "unknown field `owners`"),
        ("w.yaml", "waivers:\n  - rule: x\n   key: y\n", "w.yaml:3:4", "invalid YAML"),
        ("w.yaml", "waivers: {rule: x}\n", "w.yaml:1:10", "must be a list"),
        ("w.json", '{"waivers": [}', "w.json:1:14", "invalid JSON"),
        ("w.csv", "rule,key\n", "w.csv", "expected a .json, .yaml, .yml file"),
    ],
)
def test_a_bad_waiver_file_is_an_error_naming_the_line(
    tmp_path: Path, name: str, text: str, where: str, message: str
) -> None:
    result = check(tmp_path, text, name=name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"{tmp_path / where}: error: " in result.stderr, result.stderr
    assert message in result.stderr
    assert "[waiver]" in result.stderr


def test_a_missing_waiver_file_is_an_error(tmp_path: Path) -> None:
    result = run_cli("check", MINI, "--data", PLAN, "--waivers", tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "nope.yaml: error: no such file  [waiver]" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_of_a_waiver_file_is_listed(tmp_path: Path) -> None:
    text = (
        GOOD.replace("    reason: pilot\n", "")  # lines 1-5: no reason
        + GOOD.replace("waivers:\n", "").replace("M2", "[M2]")  # lines 6-10: key is a list
        + GOOD.replace("waivers:\n", "").replace("2026-06-30", "2026-13-01")  # 11-15
    )
    result = check(tmp_path, text, name="w.yaml")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("[waiver]") == 3
    w = tmp_path / "w.yaml"
    assert f"{w}:2:5: error: the waiver has no `reason`" in result.stderr
    assert f"{w}:7:10: error: `key` must be non-empty text" in result.stderr
    assert f"{w}:15:14: error: `expires` is not a date: `2026-13-01`" in result.stderr


def test_docstring_examples() -> None:
    import doctest

    import alignrules.waivers

    assert doctest.testmod(alignrules.waivers).failed == 0
