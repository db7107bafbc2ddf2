"""The configuration file and rule selection: found upwards like ruff's, overridden by flags;
rules turned off or re-graded, and `--rule/--tag/--owner`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from alignrules.cli import main
from tests.conftest import ROOT

QUICK = ROOT / "examples" / "quick-commerce" / "plan.json"
AS_OF = ["--as-of", "2026-11-22"]

CONFIG = """\
rulesets = ["std:strategy"]
data = "exports/plan.json"
format = "json"
fail-on = "warning"
outputs = { markdown = "reports/alignment.md" }

[params]
ltv_cac_min = 2

[rules]
segment-named-after-product = "off"
acquisition-negative-margin = "warning"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "exports").mkdir()
    shutil.copy(QUICK, tmp_path / "exports" / "plan.json")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")  # found from a subfolder, as ruff finds its
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rules_of(out: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in json.loads(out)["violations"]:
        found.setdefault(v["rule"], []).append(v["severity"])
    return found


def test_baseline_without_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "std:strategy", "--data", "../../exports/plan.json", "--format", "json", *AS_OF)  # fmt: skip
    found = rules_of(out)
    assert code == 1
    assert found["acquisition-negative-margin"] == ["error"] * 3
    assert len(found["ltv-cac-below-threshold"]) == 4
    assert "segment-named-after-product" in found


def test_alignrules_toml_is_found_and_applied(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "alignrules.toml").write_text(CONFIG, "utf-8")
    code, out, err = run(capsys, *AS_OF)
    assert err == ""
    found = rules_of(out)
    assert "segment-named-after-product" not in found  # off
    assert found["acquisition-negative-margin"] == ["warning"] * 3  # re-graded
    assert len(found["ltv-cac-below-threshold"]) < 4  # the parameter applied
    rules = {r["id"]: r for r in json.loads(out)["rules"]}
    assert rules["acquisition-negative-margin"]["severity"] == "warning"
    assert "segment-named-after-product" not in rules
    assert code == 1  # fail-on warning
    md = (project / "reports" / "alignment.md").read_text("utf-8")  # relative to the file
    assert md.startswith("## alignrules: ")


def test_flags_override_the_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "alignrules.toml").write_text(CONFIG, "utf-8")
    code, out, _ = run(
        capsys, "--format", "text", "--fail-on", "never", "--param", "ltv_cac_min=3", *AS_OF
    )
    assert code == 0
    assert out.count("[ltv-cac-below-threshold]") == 4
    assert "[segment-named-after-product]" not in out  # the rest of the file still applies


def test_pyproject_table(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "plans"\n\n[tool.alignrules]\nrulesets = ["std:strategy"]\n'
        'data = "exports/plan.json"\n\n[tool.alignrules.rules]\nltv-cac-below-threshold = "off"\n',
        "utf-8",
    )
    code, out, _ = run(capsys, *AS_OF)
    assert code == 1
    assert "[ltv-cac-below-threshold]" not in out and "[acquisition-negative-margin]" in out
    # --no-config: the file is not read, so the rule is back (and the arguments are needed)
    code, out, _ = run(capsys, "std:strategy", "--data", "../../exports/plan.json", "--no-config", *AS_OF)  # fmt: skip
    assert "[ltv-cac-below-threshold]" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('rulesets = ["std:strategy"]\ndata = "x.json"\nfail_on = "error"\n',
         "alignrules.toml:3: error: unknown setting `fail_on`  [usage]\n    hint: did you mean `fail-on`?"),
        ('[rules]\nltv-cac-below-threshold = "never"\n',
         'alignrules.toml:2: error: rule `ltv-cac-below-threshold` is set to `never`  [usage]\n'
         '    hint: set a rule to "off", "error", "warning", "info"'),
        ('format = "pdf"\n', "alignrules.toml:1: error: `format` is `pdf`  [usage]"),
        ("rulesets = [\n", "alignrules.toml: error: not valid TOML: "),
        ('rulesets = ["std:strategy"]\ndata = "../../exports/plan.json"\n[rules]\nltv-cac-below = "off"\n',
         "alignrules.toml [rules]: error: no rule `ltv-cac-below` in the ruleset  [usage]\n"
         "    hint: did you mean `ltv-cac-below-threshold`?"),
    ],
)  # fmt: skip
def test_bad_configuration_is_a_located_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    config = project / "deep" / "er" / "alignrules.toml"
    config.write_text(text, "utf-8")
    code, out, err = run(capsys, "--output", "json=out.json", *AS_OF)
    assert code == 2 and out == ""
    assert err.startswith(expected), err
    assert "Traceback" not in err
    assert not (project / "deep" / "er" / "out.json").exists()  # nothing written


def test_missing_ruleset_and_data(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert err.startswith("error: the following arguments are required: RULESET, --data  [usage]")


def test_select_by_rule_tag_and_owner(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["std:strategy", "--data", "../../exports/plan.json", "--format", "json", *AS_OF]
    _, out, _ = run(capsys, *base, "--rule", "launch-before-ready")
    assert set(rules_of(out)) == {"launch-before-ready"}
    assert [r["id"] for r in json.loads(out)["rules"]] == ["launch-before-ready"]
    _, out, _ = run(capsys, *base, "--tag", "viral-death-spiral")
    assert set(rules_of(out)) == {"acquisition-negative-margin", "ltv-cac-below-threshold"}
    _, out, _ = run(capsys, *base, "--owner", "brand-governance", "--rule", "launch-before-ready")
    assert set(rules_of(out)) == {
        "claim-capability-funded", "public-claim-stress-tested", "premium-claim-on-cut-capability",
        "launch-before-ready",
    }  # fmt: skip
    code, out, err = run(capsys, *base, "--tag", "viral-death")
    assert code == 2 and out == ""
    assert err == (
        "--tag: error: no tag `viral-death` in the ruleset  [usage]\n"
        "    hint: did you mean `viral-death-spiral`?\n"
    )
