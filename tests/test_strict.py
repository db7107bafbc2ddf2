"""A strict data contract, declared in the ruleset: what lenient binding accepts silently is an
input error with file and place, for the whole ruleset (`strict`) or one entity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignrules.cli import main
from tests.conftest import run_cli

SCHEMA = """
enum Status { proposed < funded "Funded (approved)" < built }

entity Capability {
    id: text
    status: Status
    cost: money
    share: decimal?
}

entity Claim {
    id: text
    capabilities: list of Capability split ";"
}

rule unfunded { no capability where status < funded }
"""

LENIENT_JSON = {
    "capabilities": [
        {"id": "K1", "status": "FUNDED", "cost": "USD 1,200.505", "share": "60,000"},
        {"id": "K2", "status": "Funded (approved)", "cost": {"amount": 5, "currency": "USD"}},
        {"id": " ", "status": "built", "cost": 10.25},
    ],
    "claims": [{"id": "K2", "capabilities": ["K1"]}],
}


def check(
    folder: Path, rules: str, data: object, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    (folder / "r.rules").write_text(rules)
    (folder / "plan.json").write_text(json.dumps(data, indent=1))
    code = main(["check", str(folder / "r.rules"), "--data", str(folder / "plan.json")])
    return code, capsys.readouterr().err


def test_lenient_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = check(tmp_path, SCHEMA, LENIENT_JSON, capsys)
    assert (code, err) == (0, "")


def test_strict_ruleset_refuses_each_lenient_form_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = check(tmp_path, "strict decimals 2\n" + SCHEMA, LENIENT_JSON, capsys)
    assert code == 2
    plan = tmp_path / "plan.json"
    lines = [line.split(f"{plan}:", 1)[1] for line in err.splitlines()]
    assert lines == [
        "5:14: error: /capabilities/0/status: strict: `FUNDED` is not spelled as declared: "
        "write one of `Funded (approved)`, `built`, `funded`, `proposed`  [data]",
        "6:12: error: /capabilities/0/cost: strict: `USD 1,200.505` is a number written as "
        "text: write it as a number  [data]",
        "7:13: error: /capabilities/0/share: strict: `60,000` is a number written as text: "
        "write it as a number  [data]",
        "18:10: error: /capabilities/2/id: strict: a key cannot be empty  [data]",
        "24:3: error: /claims/0: strict: the key `K2` of this Claim is also the key of "
        "Capability at /capabilities/1; keys must be unique across entities  [data]",
    ]


def test_decimals_and_plain_numerals_in_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.rules").write_text("strict decimals 2\n" + SCHEMA)
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "capabilities.csv").write_text(
        'id,status,cost,share\nK1,funded,"USD 1,200.50",7\nK2,funded,12.345,7\nK3,built,USD 12.5,\n'
    )
    (tmp_path / "plan" / "claims.csv").write_text("id,capabilities\nC1,K1;K3\n")
    code = main(["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "plan")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        f"{tmp_path / 'plan' / 'capabilities.csv'}:2:11: error: /capabilities.csv/0/cost: "
        "strict: `USD 1,200.50` is not a plain number: write it like `USD 1200.50` or "
        "`1200.50`  [data]",
        f"{tmp_path / 'plan' / 'capabilities.csv'}:3:11: error: /capabilities.csv/1/cost: "
        "strict: `12.345` has 3 decimals, and at most 2 are allowed  [data]",
    ]


def test_one_strict_entity_leaves_the_others_lenient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = SCHEMA.replace("entity Claim {", "entity Claim strict {")
    data = {**LENIENT_JSON, "claims": [{"id": "", "capabilities": "K1;K2"}]}
    code, err = check(tmp_path, rules, data, capsys)
    assert code == 2
    assert err.splitlines() == [
        f"{tmp_path / 'plan.json'}:25:10: error: /claims/0/id: strict: a key cannot be empty  [data]"
    ]


def test_strict_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "r.rules").write_text("strict\n" + SCHEMA)
    (tmp_path / "plan.json").write_text(json.dumps(LENIENT_JSON))
    result = run_cli("check", "r.rules", "--data", "plan.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert "strict: `FUNDED` is not spelled as declared" in result.stderr
    assert "decimals" not in result.stderr  # no limit was declared


def test_fmt_keeps_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.rules").write_text("strict   decimals 2\nentity X  strict {id:text}\n")
    assert main(["fmt", str(tmp_path / "s.rules")]) == 0
    assert (tmp_path / "s.rules").read_text() == (
        "strict decimals 2\n\nentity X strict {\n    id: text\n}\n"
    )
