"""`alignrules test`: rule coverage by the examples, `--min-coverage` and `--junit`."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import MINI, junit_schema, run_cli

# More examples for the mini rules, appended to a copy of tests/fixtures/mini/rules.rules.
# With them every rule is shown firing and quiet; `expect nothing` covers the quiet side of all.
MORE_EXAMPLES = '''
example "late capability fires launch-after-ready" {
    given """
    capabilities: [{id: K1, status: stress_tested, readyOn: 2026-05-01}]
    marketing:
      campaigns: [{id: M1, Launch Date: 2026-03-01, Budget (USD): 500, demand: 1}]
      claims: [{id: C1, text: x, channel: tv, capability_ids: [K1], campaign_id: M1}]
    """
    expect launch-after-ready on "C1"
    expect no public-needs-stress
}

example "public claim on a funded capability fires" {
    given """
    capabilities: [{id: K1, status: funded}]
    marketing:
      campaigns: []
      claims: [{id: C1, text: x, channel: tv, capability_ids: [K1]}]
    """
    expect public-needs-stress on "C1"
}

example "small budget fires" {
    given """
    capabilities: []
    marketing:
      campaigns: [{id: M1, Launch Date: 2026-03-01, Budget (USD): 5, demand: 1}]
      claims: []
    """
    expect budget-floor on "M1"
}
'''


def ruleset(tmp_path: Path, extra: str = "", replace: tuple[str, str] = ("", "")) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(MINI / "schema.rules", folder)
    text = (MINI / "rules.rules").read_text()
    if replace[0]:
        assert replace[0] in text
        text = text.replace(*replace)
    (folder / "rules.rules").write_text(text + extra)
    return folder


def table(stdout: str) -> dict[str, tuple[str, str]]:
    """The coverage table's rows: rule → (fires, passes)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("rule coverage")) + 2
    rows: dict[str, tuple[str, str]] = {}
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        rule, fires, passes = line.split()
        rows[rule] = (fires, passes)
    return rows


def test_coverage_table_of_the_mini_ruleset() -> None:
    result = run_cli("test", MINI)
    assert result.returncode == 0, result.stdout + result.stderr
    assert table(result.stdout) == {
        "no-unfunded-claims": ("yes", "yes"),
        "launch-after-ready": ("no", "yes"),  # `expect nothing` shows every rule quiet
        "public-needs-stress": ("no", "yes"),
        "budget-floor": ("no", "yes"),
    }
    assert "1 of 4 rules fully covered (25%)" in result.stdout
    assert result.stdout.rstrip().endswith("2 examples: 2 passed, 0 failed")


def test_min_coverage_fails_the_run_below_the_share(tmp_path: Path) -> None:
    assert run_cli("test", MINI, "--min-coverage", "25").returncode == 0
    low = run_cli("test", MINI, "--min-coverage", "25.5%")
    assert low.returncode == 1
    assert "rule coverage 25% is below --min-coverage 25.5%" in low.stdout

    full = ruleset(tmp_path, MORE_EXAMPLES)
    result = run_cli("test", full, "--min-coverage", "100")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(table(result.stdout).values()) == {("yes", "yes")}
    assert "4 of 4 rules fully covered (100%)" in result.stdout


@pytest.mark.parametrize("value", ["150", "-1", "most", "nan"])
def test_min_coverage_must_be_a_percentage(value: str) -> None:
    result = run_cli("test", MINI, "--min-coverage", value)
    assert result.returncode == 2
    assert "percentage" in result.stderr and "Traceback" not in result.stderr


def test_an_expectation_that_is_not_met_covers_nothing(tmp_path: Path) -> None:
    # The example expects C2, but C1 fires: the rule is not shown firing as expected.
    folder = ruleset(tmp_path, replace=('on "C1"', 'on "C2"'))
    result = run_cli("test", folder, "--min-coverage", "0")
    assert result.returncode == 1  # the example fails, whatever the coverage
    assert table(result.stdout)["no-unfunded-claims"] == ("no", "yes")
    assert "0 of 4 rules fully covered (0%)" in result.stdout


def test_expect_no_rule_covers_the_quiet_side(tmp_path: Path) -> None:
    # Without the `expect nothing` example, only `expect no budget-floor` shows a quiet rule.
    text = (MINI / "rules.rules").read_text()
    cut = text[text.index('example "funded claim passes"') :]
    folder = ruleset(tmp_path, replace=(cut, ""))
    rows = table(run_cli("test", folder).stdout)
    assert rows["no-unfunded-claims"] == ("yes", "no")
    assert rows["budget-floor"] == ("no", "yes")
    assert rows["launch-after-ready"] == ("no", "no")


# --- JUnit ------------------------------------------------------------------------------------


def test_junit_has_one_testcase_per_example_and_the_diff_of_failures(tmp_path: Path) -> None:
    folder = ruleset(tmp_path, MORE_EXAMPLES, replace=('on "C1"', 'on "C2"'))
    out = tmp_path / "reports" / "examples.xml"
    result = run_cli("test", folder, "--junit", out)
    assert result.returncode == 1
    root = ET.parse(out).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "unfunded claim fires",
        "funded claim passes",
        "late capability fires launch-after-ready",
        "public claim on a funded capability fires",
        "small budget fires",
    ]
    assert {c.get("classname") for c in cases} == {"alignrules.rules"}
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "1", "0")
    failure = cases[0].find("failure")
    assert failure is not None and failure.text is not None
    assert "- no-unfunded-claims on 'C2'   (expected, not found)" in failure.text
    assert "+ no-unfunded-claims on 'C1'   (found, not expected)" in failure.text
    assert all(c.find("failure") is None for c in cases[1:])
    system_out = suite.find("system-out")
    assert system_out is not None and "rules fully covered" in (system_out.text or "")
    # Equal runs give equal files.
    again = tmp_path / "again.xml"
    run_cli("test", folder, "--junit", again)
    assert again.read_bytes() == out.read_bytes()


def test_junit_reports_an_example_whose_data_is_broken_as_an_error(tmp_path: Path) -> None:
    broken = '\nexample "broken data" {\n    given """\n    capabilities: [{id: K1}]\n    """\n    expect nothing\n}\n'
    out = tmp_path / "examples.xml"
    result = run_cli("test", ruleset(tmp_path, broken), "--junit", out)
    assert result.returncode == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    (case,) = [c for c in suite.iter("testcase") if c.get("name") == "broken data"]
    error = case.find("error")
    assert error is not None and "could not be checked" in (error.get("message") or "")


def test_junit_is_valid_against_the_schema(tmp_path: Path) -> None:
    schema = junit_schema()
    broken = (
        '\nexample "broken data" {\n    given "capabilities: [{id: K1}]"\n    expect nothing\n}\n'
    )
    folder = ruleset(tmp_path, MORE_EXAMPLES + broken, replace=('on "C1"', 'on "C2"'))
    out = tmp_path / "examples.xml"
    run_cli("test", folder, "--junit", out)
    schema.validate(str(out))
    passing = tmp_path / "passing.xml"
    assert run_cli("test", MINI, "--junit", passing).returncode == 0
    schema.validate(str(passing))


def test_docstring_examples() -> None:
    import doctest

    import alignrules.testing

    assert doctest.testmod(alignrules.testing).failed == 0


def test_an_example_can_expect_the_loaders_dangling_reference_rule(tmp_path: Path) -> None:
    (tmp_path / "dangling.rules").write_text(
        '''entity Capability { id: text }

entity Claim {
    id: text
    capabilities: list of Capability from "capability_ids"
}

rule too-many { no claim where count(claim.capabilities) > 3 }

example "a claim names a capability nobody declared" {
    given """
    capabilities: [{id: K1}]
    claims: [{id: C1, capability_ids: [K1, K9]}, {id: C2, capability_ids: [K1]}]
    """
    expect dangling-reference on "C1"
    expect no too-many
}

example "the wrong key is a failing example" {
    given """
    capabilities: []
    claims: [{id: C1, capability_ids: [K9]}]
    """
    expect dangling-reference on "C2"
}
''',
        encoding="utf-8",
    )
    done = run_cli("test", "dangling.rules", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PASS  a claim names a capability nobody declared" in done.stdout
    assert "FAIL  the wrong key is a failing example" in done.stdout
    assert "- dangling-reference on 'C2'   (expected, not found)" in done.stdout
    assert "+ dangling-reference on 'C1'   (found, not expected)" in done.stdout
