"""CSV locations are exact: the line and 1-based character column where the cell starts, in
every output, for findings that name a field and for data errors; a finding about a whole
record points at the start of its row. Each location is checked by opening the file there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignrules.cli import main

RULES = """
entity Capability csv "capabilities.csv" {
    id: text
    status: text
    ready: date? from "schedule.ready"
}
entity Claim csv "claims.csv" {
    id: text
    note: text
    budget: money
    capabilities: list of Capability from "capability ids" split ";"
}
rule not-ready {
    no capability where status != "built"
    message "capability {capability.id} is {capability.status}"
}
rule late {
    no capability where ready is present and ready > 2026-06-30
    message "capability {capability.id} is ready late"
}
rule big-budget {
    no claim where budget > 100 USD
    message "claim {claim.id} spends {claim.budget}"
}
rule unbacked {
    no claim may reference a capability where capability.status != "built"
    message "claim {claim.id} promises {capability.id}"
}
"""

CAPABILITIES = 'id,status,schedule.ready\nK1,built,2026-01-01\n"K2","stress, tested",2026-09-01\n'
# A quoted note with a comma and a line break before the cells a finding names.
CLAIMS = (
    'id,note,budget,capability ids\nC1,"long, multi\nline note",USD 500,K1;K9\nC2,"",USD 5,"K2"\n'
)


def at(folder: Path, file: str, line: int, column: int) -> str:
    """The text of `file` from `line`:`column` (1-based) to the end of that line."""
    text = (folder / file).read_text(encoding="utf-8")
    return text.split("\n")[line - 1][column - 1 :]


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    (tmp_path / "r.rules").write_text(RULES)
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "capabilities.csv").write_text(CAPABILITIES)
    (tmp_path / "plan" / "claims.csv").write_text(CLAIMS)
    return tmp_path


def test_findings_point_at_their_cells_in_json_sarif_and_github(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", str(plan / "r.rules"), "--data", str(plan / "plan"), "--as-of", "2026-11-22"]
    assert main([*args, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {}
    for v in report["violations"]:
        where = v.get("field_location") or v["location"]
        found[(v["rule"], v["key"])] = (Path(where["file"]).name, where["line"], where["column"])
    cells = {key: at(plan / "plan", *place) for key, place in found.items()}
    assert cells == {
        ("not-ready", "K2"): '"stress, tested",2026-09-01',
        ("late", "K2"): "2026-09-01",
        ("big-budget", "C1"): "USD 500,K1;K9",
        ("dangling-reference", "C1"): "K1;K9",
        ("unbacked", "C2"): 'C2,"",USD 5,"K2"',  # about the record: the start of its row
    }
    assert found[("big-budget", "C1")][1] == 3  # the row's second line, after the line break

    assert main([*args, "--format", "sarif"]) == 1
    sarif = json.loads(capsys.readouterr().out)
    regions = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]
        for r in sarif["runs"][0]["results"]
    }
    late = regions["late"]
    assert at(plan / "plan", "capabilities.csv", late["startLine"], late["startColumn"]) == (
        "2026-09-01"
    )
    assert main([*args, "--format", "github"]) == 1
    github = capsys.readouterr().out
    assert "file=" + str(plan / "plan" / "claims.csv") + ",line=3,col=12,title=big-budget" in github


def test_a_data_error_in_a_csv_cell_points_at_the_cell(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (plan / "plan" / "claims.csv").write_text('id,note,budget,capability ids\nC1,"a, b",lots,K1\n')
    code = main(["check", str(plan / "r.rules"), "--data", str(plan / "plan")])
    err = capsys.readouterr().err
    assert code == 2
    where = err.split(": error:")[0]
    line, column = map(int, where.rsplit(":", 2)[1:])
    assert at(plan / "plan", "claims.csv", line, column).startswith("lots")
    assert "/claims.csv/0/budget:" in err
