"""The spine end to end: ruleset files → compiled checker → reports, through the API and CLI."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import alignrules
from alignrules.runtime.report import Severity
from tests.conftest import MINI, run_cli

AS_OF = date(2026, 1, 1)
PLANS = [MINI / "plan.json", MINI / "plan.yaml", MINI / "csv"]

EXPECTED = {
    ("budget-floor", "M2", ()),
    ("dangling-reference", "C2", (("Capability", "K9"),)),
    ("launch-after-ready", "C1", (("Capability", "K1"),)),
    ("launch-after-ready", "C1", (("Capability", "K3"),)),
    ("no-unfunded-claims", "C1", (("Capability", "K3"),)),
    ("public-needs-stress", "C1", (("Capability", "K1"),)),
    ("public-needs-stress", "C1", (("Capability", "K3"),)),
}


def findings(report: alignrules.Report) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return {(v.rule, v.key, v.related) for v in report.violations}


@pytest.fixture(scope="module")
def checker() -> alignrules.Checker:
    return alignrules.load(MINI)


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
def test_every_format_gives_the_same_findings(checker: alignrules.Checker, plan: Path) -> None:
    report = checker.check_file(plan, as_of=AS_OF)
    assert findings(report) == EXPECTED
    assert not report.ok
    assert report.counts() == {"error": 4, "warning": 2, "info": 1}


def test_locations_point_at_the_records_in_the_file(checker: alignrules.Checker) -> None:
    report = checker.check_file(MINI / "plan.json", as_of=AS_OF)
    lines = (MINI / "plan.json").read_text().splitlines()
    for v in report.violations:
        assert v.location.file is not None and v.location.file.endswith("plan.json")
        assert v.location.line is not None
        assert f'"id": "{v.key}"' in lines[v.location.line - 1]
    dangling = next(v for v in report.violations if v.rule == "dangling-reference")
    assert dangling.field_location is not None
    assert dangling.field_location.pointer == "/marketing/claims/1/capability_ids/1"
    assert '"K9"' in lines[(dangling.field_location.line or 0) - 1]


def test_csv_locations_name_the_file_row_and_column(checker: alignrules.Checker) -> None:
    report = checker.check_file(MINI / "csv", as_of=AS_OF)
    budget = next(v for v in report.violations if v.rule == "budget-floor")
    assert budget.location.file is not None and budget.location.file.endswith("campaigns.csv")
    assert budget.location.line == 3
    # The character where the cell starts: `M2,2026-03-01,50,1` has the budget at 15.
    assert budget.field_location is not None and budget.field_location.column == 15


def test_check_in_memory_mapping(checker: alignrules.Checker) -> None:
    data = json.loads((MINI / "plan.json").read_text())
    report = checker.check(data, as_of=AS_OF)
    assert findings(report) == EXPECTED
    assert all(v.location.file is None for v in report.violations)
    assert report.violations[0].location.pointer.startswith("/")


def test_parameters_override_defaults(checker: alignrules.Checker) -> None:
    data = json.loads((MINI / "plan.json").read_text())
    cheap = checker.check(data, as_of=AS_OF, params={"min_budget": "10 USD"})
    assert "budget-floor" not in {v.rule for v in cheap.violations}
    narrow = checker.check(data, as_of=AS_OF, params={"public_channels": "email"})
    assert "public-needs-stress" not in {v.rule for v in narrow.violations}
    with pytest.raises(alignrules.DiagnosticError, match="unknown parameter `nope`"):
        checker.check(data, as_of=AS_OF, params={"nope": "1"})


def test_result_does_not_depend_on_record_order(checker: alignrules.Checker) -> None:
    data = json.loads((MINI / "plan.json").read_text())
    base = checker.check(data, as_of=AS_OF)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = json.loads(json.dumps(data))
        rng.shuffle(shuffled["capabilities"])
        rng.shuffle(shuffled["marketing"]["claims"])
        got = checker.check(shuffled, as_of=AS_OF)
        assert [(v.rule, v.key, v.related, v.message) for v in got.violations] == [
            (v.rule, v.key, v.related, v.message) for v in base.violations
        ]


def test_today_is_the_evaluation_date_not_the_clock() -> None:
    text = (MINI / "schema.rules").read_text() + (
        "\nrule soon { every campaign must campaign.launch_on > today + 30 days }\n"
    )
    checker = alignrules.load(text)
    data = json.loads((MINI / "plan.json").read_text())
    early = checker.check(data, as_of=date(2025, 1, 1))
    late = checker.check(data, as_of=date(2026, 2, 15))
    assert {v.key for v in early.violations if v.rule == "soon"} == set()
    assert {v.key for v in late.violations if v.rule == "soon"} == {"M1", "M2"}
    assert late.as_of == date(2026, 2, 15)


def test_load_is_cached_by_content() -> None:
    a = alignrules.load(MINI)
    b = alignrules.load(MINI)
    assert a.compiled is b.compiled


def test_rule_crash_names_the_ruleset_line(tmp_path: Path) -> None:
    rules = (MINI / "schema.rules").read_text() + (
        "\nrule ratio {\n  every campaign must campaign.demand / (campaign.demand - campaign.demand) > 1\n}\n"
    )
    (tmp_path / "r.rules").write_text(rules)
    result = run_cli("check", tmp_path / "r.rules", "--data", MINI / "plan.json")
    assert result.returncode == 2
    line = rules.splitlines().index("rule ratio {") + 1
    assert f"r.rules:{line}" in result.stderr
    assert "DivisionByZero" in result.stderr or "division" in result.stderr.lower()
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ CLI
def test_cli_exit_codes_and_fail_on() -> None:
    plan = MINI / "plan.json"
    failing = run_cli("check", MINI, "--data", plan, "--as-of", "2026-01-01")
    assert failing.returncode == 1, failing.stderr
    assert "no-unfunded-claims" in failing.stdout
    assert run_cli("check", MINI, "--data", plan, "--fail-on", "never").returncode == 0
    ok_plan = json.loads(plan.read_text())
    assert run_cli("check", "nope.rules", "--data", plan).returncode == 2
    assert run_cli("check", MINI).returncode == 2  # --data is required
    del ok_plan


def test_cli_passes_on_a_clean_plan(tmp_path: Path) -> None:
    plan = {
        "capabilities": [{"id": "K1", "status": "stress_tested", "readyOn": "2025-01-01"}],
        "marketing": {
            "campaigns": [
                {"id": "M1", "Launch Date": "2025-06-01", "Budget (USD)": 500, "demand": 1}
            ],
            "claims": [
                {
                    "id": "C1",
                    "text": "x",
                    "channel": "tv",
                    "capability_ids": ["K1"],
                    "campaign_id": "M1",
                }
            ],
        },
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    result = run_cli("check", MINI, "--data", tmp_path / "plan.json", "--fail-on", "info")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no violations" in result.stdout


def test_cli_output_is_byte_identical_across_runs() -> None:
    args = (
        "check",
        MINI,
        "--data",
        MINI / "plan.yaml",
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
    )
    first, second = run_cli(*args), run_cli(*args)
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    assert doc["summary"]["violations"] == len(EXPECTED)
    assert doc["as_of"] == "2026-01-01"


def test_cli_writes_several_formats_in_one_run(tmp_path: Path) -> None:
    result = run_cli(
        "check", MINI, "--data", MINI / "plan.json", "--as-of", "2026-01-01",
        "--output", f"json={tmp_path / 'r.json'}", "--output", f"sarif={tmp_path / 'r.sarif'}",
    )  # fmt: skip
    assert result.returncode == 1
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["violations"] == len(EXPECTED)
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


def test_cli_param_override() -> None:
    result = run_cli(
        "check", MINI, "--data", MINI / "plan.json", "--param", "min_budget=10", "--format", "json"
    )
    assert "budget-floor" not in {v["rule"] for v in json.loads(result.stdout)["violations"]}
    bad = run_cli("check", MINI, "--data", MINI / "plan.json", "--param", "min_budget=lots")
    assert bad.returncode == 2
    assert "min_budget" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_test_runs_examples() -> None:
    result = run_cli("test", MINI)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS  unfunded claim fires" in result.stdout
    assert "2 examples: 2 passed, 0 failed" in result.stdout


def test_cli_test_fails_with_a_readable_diff(tmp_path: Path) -> None:
    shutil.copy(MINI / "schema.rules", tmp_path)
    text = (MINI / "rules.rules").read_text().replace('on "C1"', 'on "C2"')
    (tmp_path / "rules.rules").write_text(text)
    result = run_cli("test", tmp_path)
    assert result.returncode == 1
    assert "FAIL  unfunded claim fires" in result.stdout
    assert "- no-unfunded-claims on 'C2'   (expected, not found)" in result.stdout
    assert "+ no-unfunded-claims on 'C1'   (found, not expected)" in result.stdout


# ------------------------------------------------------------------ compile
def test_compiled_module_is_typed_stable_and_standalone(tmp_path: Path) -> None:
    out1, out2 = tmp_path / "checks.py", tmp_path / "again.py"
    assert run_cli("compile", MINI, "-o", out1).returncode == 0
    assert run_cli("compile", MINI, "-o", out2).returncode == 0
    assert out1.read_bytes() == out2.read_bytes()
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out1)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout
    spec = importlib.util.spec_from_file_location("checks", out1)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["checks"] = module
    spec.loader.exec_module(module)
    plan = module.load(json.loads((MINI / "plan.json").read_text()))
    report = module.check(plan, today=AS_OF)
    assert findings(report) == EXPECTED
    assert report.violations[0].severity is Severity.ERROR


def test_compile_failure_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.rules").write_text("rule r { every nothing must true }\n")
    out = tmp_path / "checks.py"
    result = run_cli("compile", tmp_path / "bad.rules", "-o", out)
    assert result.returncode == 2
    assert "unknown entity `nothing`" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.rules"]


def test_outputs_go_into_new_folders_with_the_usual_file_mode(tmp_path: Path) -> None:
    """CI jobs name report folders a fresh checkout does not have (as pytest --junitxml)."""
    report = tmp_path / "reports" / "ci" / "alignrules.sarif"
    module = tmp_path / "build" / "checks.py"
    done = run_cli(
        "check", MINI / "schema.rules", MINI / "rules.rules", "--data", MINI / "plan.json",
        "--as-of", "2026-11-22", "--fail-on", "never", "--output", f"sarif={report}",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        run_cli("compile", MINI / "schema.rules", MINI / "rules.rules", "-o", module).returncode
        == 0
    )
    umask = os.umask(0)
    os.umask(umask)
    for path in (report, module):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
        assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_generated_code_names_the_ruleset_in_tracebacks() -> None:
    compiled = alignrules.load(MINI).compiled
    assert (
        "# tests/fixtures/mini/rules.rules:3  rule no-unfunded-claims  (error)" in compiled.python
    )
    assert compiled.module.__file__.startswith("<alignrules ")
    import linecache

    assert linecache.getline(compiled.module.__file__, 1).startswith("# Generated by alignrules")
