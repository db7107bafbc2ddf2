"""SARIF results name their related entities with a physical location in the plan, so a
code-scanning viewer can open the capability a claim promises, not only the claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignrules.cli import main
from tests.conftest import ROOT, sarif_validator

PLAN = "examples/quick-commerce/plan.json"


def test_related_locations_are_physical(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    main(["check", "std:strategy", "--data", PLAN, "--as-of", "2026-11-22", "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    sarif_validator().validate(log)
    lines = (ROOT / PLAN).read_text("utf-8").splitlines()
    related = [
        (result, rel)
        for result in log["runs"][0]["results"]
        for rel in result.get("relatedLocations", [])
    ]
    assert related, "the example has findings about related records"
    for _, rel in related:
        physical = rel["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": PLAN, "uriBaseId": "%SRCROOT%"}
        key = rel["logicalLocations"][0]["name"]
        line = lines[physical["region"]["startLine"] - 1]
        assert f'"id": "{key}"' in line, (key, line)  # the line where that record starts
        pointer = rel["logicalLocations"][0]["fullyQualifiedName"]
        assert pointer.startswith("/")


def test_sarif_written_to_a_file_has_them_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "r.sarif"
    main(["check", "std:strategy", "--data", PLAN, "--as-of", "2026-11-22",
          "--output", f"sarif={out}"])  # fmt: skip
    capsys.readouterr()
    log = json.loads(out.read_text("utf-8"))
    sarif_validator().validate(log)
    rels = [r for res in log["runs"][0]["results"] for r in res.get("relatedLocations", [])]
    assert rels and all("physicalLocation" in r for r in rels)
