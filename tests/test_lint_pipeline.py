"""Where `alignrules lint` sits in the pipeline: on the typed IR, before code generation, with
the project's one `Severity` and its shared renderers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import alignrules
from alignrules import cli, diagnostics
from alignrules.codegen import emit
from alignrules.compile import compile_text, typecheck_paths, typecheck_text
from alignrules.diagnostics import DiagnosticError
from alignrules.lint import lint_text
from tests.conftest import ROOT, sarif_validator

RULESET = """enum Status { proposed < funded < built }
entity Claim { id: text  status: Status }
rule below { no claim where claim.status < proposed }
"""


@pytest.fixture
def no_codegen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code generation fails loudly: whatever still works does not generate a module."""

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("code was generated")

    monkeypatch.setattr(emit, "emit", refuse)


def test_lint_generates_and_runs_no_code(
    no_codegen: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A text no other test compiles, so no cached module could hide a compile.
    text = RULESET + "# lint without code generation\n"
    assert [f.code for f in lint_text(text)] == [
        "missing-rationale",
        "missing-title",
        "never-fires",
    ]
    (tmp_path / "r.rules").write_text(text, "utf-8")
    assert cli.main(["lint", str(tmp_path / "r.rules"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [
        ("missing-rationale", "note"),
        ("missing-title", "note"),
        ("never-fires", "warning"),
    ]
    with pytest.raises(AssertionError, match="code was generated"):
        compile_text(text)


def test_typecheck_gives_the_ir_compile_gives(no_codegen: None) -> None:
    text = RULESET + "# the same IR\n"
    typed = typecheck_text(text, "same.rules")
    assert [tree.source.name for tree in typed.trees] == ["same.rules"]
    assert [r.id for r in typed.program.rules] == ["below"]
    std = typecheck_paths(["std:strategy"])
    assert std.trees and all(t.source.name.startswith("std:strategy/") for t in std.trees)


def test_typecheck_refuses_what_compile_refuses() -> None:
    bad = "entity Claim { id: text }\nrule r { every claim must claim.nme = 1 }\n"
    with pytest.raises(DiagnosticError) as typed:
        typecheck_text(bad, "bad.rules")
    with pytest.raises(DiagnosticError) as compiled:
        compile_text(bad, "bad.rules")
    assert str(typed.value) == str(compiled.value)
    assert typed.value.diagnostics[0].code == "unknown-field"
    with pytest.raises(DiagnosticError, match="cannot import files"):
        typecheck_text('import "other.rules"\n')


def test_one_severity_for_reports_and_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    assert diagnostics.Severity is alignrules.Severity
    case = ROOT / "tests" / "cases" / "lint" / "metadata.rules"
    assert cli.main(["lint", str(case), "--format", "sarif"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert not list(sarif_validator().iter_errors(doc))
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "alignrules-lint"
    assert {r["level"] for r in run["results"]} == {"note"}
