"""Several plans in one run: `--data A --data B` (and `-` for standard input) check each plan
on its own and give one report, every finding located in its own file; a broken plan is named
and fails the run, without hiding what the others show."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main
from tests.conftest import junit_schema, run_cli, sarif_validator

RULES = """
entity Capability { id: text  funded: bool }
entity Claim { id: text  capability: Capability }
rule unfunded-claim {
    no claim where not claim.capability.funded
    message "claim {claim.id} promises unfunded {claim.capability.id}"
}
"""

PLAN_A = {
    "capabilities": [{"id": "K1", "funded": False}],
    "claims": [{"id": "C1", "capability": "K1"}],
}
PLAN_B_YAML = """\
capabilities:
  - {id: K1, funded: true}
  - {id: K2, funded: false}
claims:
  - {id: C7, capability: K2}
  - {id: C8, capability: K9}
"""


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    pytest.importorskip("yaml")
    (tmp_path / "r.rules").write_text(RULES)
    (tmp_path / "a.json").write_text(json.dumps(PLAN_A, indent=2))
    (tmp_path / "b.yaml").write_text(PLAN_B_YAML)
    (tmp_path / "broken.json").write_text(
        '{"capabilities": [{"id": "K1", "funded": "yes"}], "claims": []}'
    )
    return tmp_path


def located(out: str) -> list[str]:
    return [line.split(": error:")[0] for line in out.splitlines() if ": error:" in line]


def test_every_plan_is_checked_and_located_in_its_own_file(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(plans / "a.json"), str(plans / "b.yaml")
    code = main(
        ["check", str(plans / "r.rules"), "--data", a, "--data", b, "--as-of", "2026-11-22"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert located(out) == [f"{b}:6:26", f"{a}:11:21", f"{b}:5:26"]
    assert "claim C1 promises unfunded K1  [unfunded-claim]" in out
    assert "claim C7 promises unfunded K2  [unfunded-claim]" in out
    assert "Claim C8 references Capability K9, which does not exist" in out
    assert out.rstrip().endswith("3 violations (3 errors) in 6 entities, 2 rules")


def test_every_format_names_each_plans_file(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = "a.json", "b.yaml"
    args = ["check", "r.rules", "--data", a, "--data", b, "--as-of", "2026-11-22"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(plans)
        outputs = {}
        for fmt in ("json", "sarif", "junit", "github", "markdown"):
            assert main([*args, "--format", fmt]) == 1
            outputs[fmt] = capsys.readouterr().out
    report = json.loads(outputs["json"])
    files = sorted(v["location"]["file"] for v in report["violations"])
    assert files == [a, b, b]
    sarif = json.loads(outputs["sarif"])
    sarif_validator().validate(sarif)
    uris = sorted(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    )
    assert uris == [a, b, b]
    junit_schema().validate(ET.fromstring(outputs["junit"]))
    assert outputs["junit"].count(f"{b}:") == 2 and outputs["junit"].count(f"{a}:") == 1
    assert sorted(line.split(",")[0] for line in outputs["github"].splitlines()) == [
        f"::error file={a}",
        f"::error file={b}",
        f"::error file={b}",
    ]
    assert f"| {a}:11:21<br>" in outputs["markdown"] and f"| {b}:5:26<br>" in outputs["markdown"]


def test_a_broken_plan_is_named_and_the_others_findings_still_reported(
    plans: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = plans / "report.json"
    code = main(
        [
            "check",
            str(plans / "r.rules"),
            "--data",
            str(plans / "a.json"),
            "--data",
            str(plans / "broken.json"),
            "--data",
            str(plans / "b.yaml"),
            "--output",
            f"json={out_file}",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert len(located(captured.out)) == 3
    assert captured.err == (
        f"{plans / 'broken.json'}:1:42: error: /capabilities/0/funded: expected true or false, "
        "got text  [data]\n"
    )
    assert len(json.loads(out_file.read_text())["violations"]) == 3


def test_no_plan_checked_is_only_errors(plans: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = plans / "report.json"
    out_file.write_text("earlier")
    code = main(
        [
            "check",
            str(plans / "r.rules"),
            "--data",
            str(plans / "broken.json"),
            "--data",
            str(plans / "missing.json"),
            "--output",
            f"json={out_file}",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "broken.json:1:42: error:" in captured.err
    assert "missing.json: error: no such file  [data]" in captured.err
    assert out_file.read_text() == "earlier"  # nothing written when nothing was checked


def test_standard_input_is_a_plan_and_the_exit_status_covers_all(plans: Path) -> None:
    result = run_cli(
        "check", "r.rules", "--data", "a.json", "--data", "-", "--as-of", "2026-11-22",
        cwd=plans, input=PLAN_B_YAML,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert located(result.stdout) == ["<stdin>:6:26", "a.json:11:21", "<stdin>:5:26"]
    broken = run_cli(
        "check", "r.rules", "--data", "a.json", "--data", "-", cwd=plans, input='{"claims": [}'
    )  # fmt: skip
    assert broken.returncode == 2
    assert "Traceback" not in broken.stderr
    assert broken.stderr.startswith("<stdin>:1:13: error:")
    assert located(broken.stdout) == ["a.json:11:21"]
    twice = run_cli("check", "r.rules", "--data", "-", "--data", "-", cwd=plans, input="{}")
    assert twice.returncode == 2
    assert "`--data -` is given twice" in twice.stderr


def test_the_api_checks_several_plans(plans: Path) -> None:
    checker = alignrules.load(plans / "r.rules")
    result = checker.check_plans(
        [plans / "a.json", plans / "broken.json", str(plans / "b.yaml")],
        as_of=date(2026, 11, 22),
    )
    assert not result.ok
    assert result.checked == (str(plans / "a.json"), str(plans / "b.yaml"))
    assert [d.where for d in result.errors] == [f"{plans / 'broken.json'}:1:42"]
    assert sorted((v.key, v.location.file) for v in result.report.violations) == [
        ("C1", str(plans / "a.json")),
        ("C7", str(plans / "b.yaml")),
        ("C8", str(plans / "b.yaml")),
    ]
    assert dict(result.report.entities) == {"Capability": 3, "Claim": 3}
