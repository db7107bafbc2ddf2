"""`--engine duckdb` on a JSON plan file: DuckDB reads the file itself, and the report is the
Python backend's, byte for byte, with locations into the file.

The plans come from the benchmark's generator (every reference rule fires, some references
dangle) and from a small plan whose messages print decimals as written (`100.50`). Where the
native reader cannot read a plan exactly, the engine checks it through the Python reader, and
the report is still the same.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

import alignrules
from alignrules.cli import main
from alignrules.data.json_text import JsonText
from alignrules.sql import native_engine
from tests.conftest import benchmark_plan

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "benchmarks" / "reference.rules"
AS_OF = "2026-11-22"

PRICES = """
entity Offer in "offers" {
    id: text
    price: money
    floor: decimal?
    lead: duration?
    rival: Offer?
    bundle: list of Offer
}

rule under-floor {
    no offer where offer.floor is present and offer.price < offer.floor
    message "offer {offer.id} at {offer.price} is under {offer.floor}, lead {offer.lead}"
}
"""

PRICES_PLAN = {
    "offers": [
        {"id": "A", "price": 100.50, "floor": 120.0, "lead": "3 weeks", "bundle": ["B", "Z"]},
        {"id": "B", "price": 100, "floor": 99.990, "rival": "Q", "bundle": []},
        {"id": "C", "price": 7, "floor": 7.000000001, "bundle": ["A", "Z", "Z"]},
    ]
}


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args, "--as-of", AS_OF, "--format", "json"])
    return code, capsys.readouterr().out


def _native_is_used(rules: Path, plan: Path) -> None:
    """The plan is read by DuckDB, not handed back to the Python reader."""
    checker = alignrules.load(rules)
    native_engine.check_file(
        checker.compiled.program,
        checker.module,
        plan,
        checker._params,
        today=date.fromisoformat(AS_OF),
        raw=JsonText(plan.read_text(encoding="utf-8"), str(plan)).value,
    )


def test_a_generated_plan_gives_the_python_backends_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = benchmark_plan(tmp_path, 3000)
    _native_is_used(REFERENCE, plan)
    python = _cli(capsys, str(REFERENCE), "--data", str(plan))
    sql = _cli(capsys, str(REFERENCE), "--data", str(plan), "--engine", "duckdb")
    assert python[0] == 1
    assert sql == python
    rules = {v["rule"] for v in json.loads(python[1])["violations"]}
    assert {
        "dangling-reference",
        "r1-unfunded-capability",
        "r3-acquisition-unit-economics",
    } <= rules


def test_messages_print_numbers_as_the_python_backend_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.rules").write_text(PRICES, encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PRICES_PLAN).replace("120.0", "120.00"), encoding="utf-8")
    _native_is_used(tmp_path / "p.rules", plan)
    python = _cli(capsys, str(tmp_path / "p.rules"), "--data", str(plan))
    sql = _cli(capsys, str(tmp_path / "p.rules"), "--data", str(plan), "--engine", "duckdb")
    assert sql == python
    messages = [v["message"] for v in json.loads(python[1])["violations"]]
    assert "offer A at 100.5 is under 120, lead 21 days" in messages


def test_a_clean_plan_never_reads_the_file_in_python(tmp_path: Path) -> None:
    (tmp_path / "p.rules").write_text(PRICES, encoding="utf-8")
    plan = tmp_path / "plan.json"
    clean = {"offers": [{"id": "A", "price": 5, "floor": 1, "bundle": []}]}
    plan.write_text(json.dumps(clean), encoding="utf-8")
    checker = alignrules.load(tmp_path / "p.rules")

    def refuse(pointer: str) -> object:
        raise AssertionError(f"the plan text was read for a clean plan, at {pointer}")

    report = native_engine.check_file(
        checker.compiled.program,
        checker.module,
        plan,
        checker._params,
        today=date.fromisoformat(AS_OF),
        raw=refuse,
    )
    assert report.ok and report.violations == ()


def test_a_plan_the_native_reader_cannot_take_is_checked_all_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.rules").write_text(PRICES, encoding="utf-8")
    plan = tmp_path / "plan.json"
    odd = json.loads(json.dumps(PRICES_PLAN))
    odd["offers"][0]["lead"] = "P3W"  # an ISO 8601 duration: the binder reads it
    plan.write_text(json.dumps(odd), encoding="utf-8")
    with pytest.raises(native_engine.NativeUnavailable):
        _native_is_used(tmp_path / "p.rules", plan)
    python = _cli(capsys, str(tmp_path / "p.rules"), "--data", str(plan))
    sql = _cli(capsys, str(tmp_path / "p.rules"), "--data", str(plan), "--engine", "duckdb")
    assert sql == python


def test_bad_data_is_the_python_readers_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.rules").write_text(PRICES, encoding="utf-8")
    plan = tmp_path / "plan.json"
    bad = json.loads(json.dumps(PRICES_PLAN))
    bad["offers"][1]["id"] = "A"
    plan.write_text(json.dumps(bad), encoding="utf-8")
    code = main(["check", str(tmp_path / "p.rules"), "--data", str(plan), "--engine", "duckdb"])
    err = capsys.readouterr().err
    assert code == 2
    assert "duplicate Offer key 'A'" in err and "plan.json:1:" in err
    assert "Traceback" not in err
    assert duckdb.__version__  # the engine under test is installed, not skipped


def test_a_message_printing_a_computed_decimal_is_left_to_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = (
        PRICES
        + """
rule doubled {
    no offer
        let twice = offer.price + offer.price
        may twice > 150
    message "offer {offer.id} doubles to {twice}"
}
"""
    )
    (tmp_path / "p.rules").write_text(rules, encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PRICES_PLAN).replace("100.5", "100.50"), encoding="utf-8")
    with pytest.raises(native_engine.NativeUnavailable, match="computed decimal"):
        _native_is_used(tmp_path / "p.rules", plan)
    python = _cli(capsys, str(tmp_path / "p.rules"), "--data", str(plan))
    sql = _cli(capsys, str(tmp_path / "p.rules"), "--data", str(plan), "--engine", "duckdb")
    assert sql == python
    assert "offer A doubles to 201.00" in python[1]


HOLES = """
enum Kind { a, b }

entity Campaign in "campaigns" {
    id: text
    name: text?
    kind: Kind
    launch: date?
    budget: money?
    weeks: duration?
    live: bool?
    size: int?
}

entity Claim in "claims" {
    id: text
    campaign: Campaign? from "campaign_id"
}

rule bare {
    every claim must claim.id = "none"
    message "claim {claim.id} in {claim.campaign}; {claim}"
}

rule shown {
    every claim where claim.campaign is present must claim.id = "none"
    message "{claim.campaign.name}, {claim.campaign.kind}, {claim.campaign.launch}, {claim.campaign.budget}, {claim.campaign.weeks}, {claim.campaign.live}, {claim.campaign.size}"
}
"""

HOLES_PLAN = """{"campaigns": [
  {"id": "M1", "name": "Spring", "kind": "a", "launch": "2026-03-01", "budget": 100.50,
   "weeks": 21, "live": true, "size": 12},
  {"id": "M2", "kind": "b", "budget": 7, "live": false}
 ],
 "claims": [{"id": "C1", "campaign_id": "M1"}, {"id": "C2", "campaign_id": "M2"},
            {"id": "C3", "campaign_id": "M9"}, {"id": "C4"}]}
"""


@pytest.mark.parametrize("form", ["text", "json"])
def test_message_holes_read_as_columns_print_as_the_python_backend_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    (tmp_path / "h.rules").write_text(HOLES, encoding="utf-8")
    plan = tmp_path / "plan.json"
    plan.write_text(HOLES_PLAN, encoding="utf-8")
    _native_is_used(tmp_path / "h.rules", plan)
    args = ["check", str(tmp_path / "h.rules"), "--data", str(plan), "--format", form]
    python = main(args), capsys.readouterr().out
    sql = main([*args, "--engine", "duckdb"]), capsys.readouterr().out
    assert sql == python
    for text in (
        "claim C3 in M9 (dangling); C3",
        "claim C4 in missing; C4",
        "Spring, a, 2026-03-01, 100.50, 21 days, true, 12",
        "missing, b, missing, 7, missing, false, missing",
    ):
        assert text in python[1]
