"""A lookup-table rule names the key it found, a record that does not exist, as the finding's
related entity in every output format, and no format invents a location for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli

RULES = """entity Capability in "capabilities" {
    id: text
}

entity Claim in "claims" {
    id: text
    capability: Capability from "capability_id" dangling unreported
    backups: list of Capability from "backup_ids" dangling unreported
}

rule claim-promises-nothing {
    no claim where claim.capability is dangling
    message "claim {claim.id} promises {claim.capability.id}, which the plan does not have"
}

rule claim-backups-unknown {
    severity warning
    no claim where claim.backups is dangling
    message "claim {claim.id} has unknown backups"
}

rule claim-fine {
    severity info
    no claim where claim.capability is not dangling and claim.capability.id = "K1"
    message "claim {claim.id} promises K1"
}
"""

PLAN = {
    "capabilities": [{"id": "K1"}],
    "claims": [
        {"id": "C1", "capability_id": "K1", "backup_ids": ["K1"]},
        {"id": "C7", "capability_id": "K-OCEAN", "backup_ids": ["K9", "K1", "K8", "K9"]},
    ],
}

FORMATS = ["text", "json", "sarif", "junit", "github", "gitlab", "markdown", "html"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "claims.rules").write_text(RULES, encoding="utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(PLAN, indent=1), encoding="utf-8")
    return tmp_path


def check(workspace: Path, fmt: str) -> str:
    done = run_cli("check", "claims.rules", "--data", "plan.json", "--format", fmt, cwd=workspace)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_the_json_report_names_the_missing_keys_and_nothing_else(workspace: Path) -> None:
    found = {
        (v["rule"], v["key"]): [(r["entity"], r["key"]) for r in v["related"]]
        for v in json.loads(check(workspace, "json"))["violations"]
    }
    # `dangling unreported` on both fields: the rules' findings are the only ones, each
    # naming the keys it found, sorted and once; `is not dangling` names nothing
    assert found == {
        ("claim-promises-nothing", "C7"): [("Capability", "K-OCEAN")],
        ("claim-backups-unknown", "C7"): [("Capability", "K8"), ("Capability", "K9")],
        ("claim-fine", "C1"): [],
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_the_missing_key(workspace: Path, fmt: str) -> None:
    out = check(workspace, fmt)
    assert "K-OCEAN" in out
    assert "K8" in out and "K9" in out  # named by no message: only as related entities


def test_sarif_gives_the_missing_record_a_name_but_no_place(workspace: Path) -> None:
    results = json.loads(check(workspace, "sarif"))["runs"][0]["results"]
    (promise,) = [r for r in results if r["ruleId"] == "claim-promises-nothing"]
    (related,) = promise["relatedLocations"]
    assert related["message"]["text"] == "Capability K-OCEAN"
    assert "physicalLocation" not in related
    assert promise["locations"][0]["physicalLocation"]["region"]["startLine"] > 0


def test_the_text_report_reads_like_the_sentence(workspace: Path) -> None:
    out = check(workspace, "text")
    assert (
        "claim C7 promises K-OCEAN (dangling), which the plan does not have"
        "  [claim-promises-nothing]" in out
    )
    assert (
        "Claim `C7`, field capability at /claims/1/capability_id; related Capability `K-OCEAN`"
        in out
    )
