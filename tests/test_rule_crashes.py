"""A rule that fails on one record is reported for that record; the check goes on.

docs/errors.md (`rule-crashed`): the record becomes a finding naming the rule, its place in
the ruleset and the reason, located at the record; the other records and rules are checked;
the command line prints the report and the located error with a hint, and exits with 2.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main

RULES = """entity Product { id: text  ltv: money  cac: money  lead: duration }
rule ltv-cac { no product where ltv / cac < 3 }
rule lead-in-range { no product where today + lead < 2026-01-01 }
rule named { no product where id = "P2" }
"""

PLAN = {
    "products": [
        {"id": "P1", "ltv": 10, "cac": 0, "lead": 10},
        {"id": "P2", "ltv": 10, "cac": 5, "lead": 3652058},
        {"id": "P3", "ltv": 10, "cac": 0, "lead": 10},
        {"id": "P4", "ltv": 1, "cac": 1, "lead": 10},
    ]
}


def _findings(report: alignrules.Report) -> list[tuple[str, str]]:
    return [(v.rule, v.key) for v in report.violations]


def test_the_api_keeps_the_report_around_a_failing_record() -> None:
    checker = alignrules.load(RULES)
    report = checker.check(PLAN, as_of=date(2026, 6, 1))
    assert _findings(report) == [
        ("ltv-cac", "P2"),
        ("ltv-cac", "P4"),
        ("named", "P2"),
        ("rule-crashed", "P1"),
        ("rule-crashed", "P2"),
        ("rule-crashed", "P3"),
    ]
    messages = {v.key: v.message for v in report.violations if v.rule == "rule-crashed"}
    assert messages["P1"] == (
        "rule `ltv-cac` (<ruleset>:2) could not be checked on Product `P1`: division by zero"
    )
    assert messages["P2"] == (
        "rule `lead-in-range` (<ruleset>:3) could not be checked on Product `P2`: "
        "a date out of range (before the year 1 or after the year 9999)"
    )
    assert not report.ok
    assert "rule-crashed" in [r.id for r in report.rules]


def test_a_report_without_failures_lists_no_crash_rule() -> None:
    checker = alignrules.load(RULES)
    report = checker.check({"products": [PLAN["products"][3]]}, as_of=date(2026, 6, 1))
    assert _findings(report) == [("ltv-cac", "P4")]
    assert "rule-crashed" not in [r.id for r in report.rules]


def test_the_same_findings_whatever_the_order_of_records() -> None:
    checker = alignrules.load(RULES)
    reversed_plan = {"products": PLAN["products"][::-1]}
    a = checker.check(PLAN, as_of=date(2026, 6, 1))
    b = checker.check(reversed_plan, as_of=date(2026, 6, 1))
    assert [(v.rule, v.key, v.message) for v in a.violations] == [
        (v.rule, v.key, v.message) for v in b.violations
    ]


def test_the_command_line_prints_the_report_and_the_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.rules").write_text(RULES, "utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(PLAN, indent=2), "utf-8")
    out_json = tmp_path / "report.json"
    code = main(
        [
            "check",
            str(tmp_path / "r.rules"),
            "--data",
            str(tmp_path / "plan.json"),
            "--as-of",
            "2026-06-01",
            "--output",
            f"json={out_json}",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.out + captured.err
    # The report: the rules' findings and the records they failed on.
    assert "[ltv-cac]" in captured.out and "[named]" in captured.out
    assert captured.out.count("[rule-crashed]") == 3
    # The errors: located at each record, with the pointer and a hint.
    assert "plan.json:3:5: error: rule `ltv-cac` (" in captured.err
    assert "could not be checked on Product `P1` (/products/0): division by zero" in captured.err
    assert "hint: guard the division" in captured.err
    assert "could not be checked on Product `P2` (/products/1): a date out of range" in (
        captured.err
    )
    written = json.loads(out_json.read_text("utf-8"))
    rules = [v["rule"] for v in written["violations"]]
    assert rules.count("rule-crashed") == 3 and "named" in rules
