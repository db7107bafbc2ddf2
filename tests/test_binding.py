"""How real exports bind: the cases that spreadsheets, id-keyed maps and odd values produce.

Each test writes a small ruleset and plan to disk and checks them through the API the way a
host application would, or through the CLI where the message is the point.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import alignrules
from alignrules.diagnostics import Diagnostic, DiagnosticError
from tests.conftest import run_cli

AS_OF = date(2026, 11, 22)

CSV_RULES = """
entity Capability csv "capabilities.csv" {
    id: text
    owner: text?
    lead: duration?
}

entity Claim csv "claims.csv" {
    id: text
    note: text
    capabilities: list of Capability from "capability_ids" split ";"
}

rule owned {
    no capability where owner is present and trim(owner) = ""
    message "capability {capability.id} has a blank owner"
}

rule slow {
    no capability let wait = days(lead otherwise 0 days) where wait > 60
    message "capability {capability.id} takes {wait} days"
}

rule promises {
    no claim let n = count(claim.capabilities) where n > 2
    message "claim {claim.id} promises {n} capabilities"
}
"""


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def findings(report: alignrules.Report) -> list[tuple[str, str]]:
    return [(v.rule, v.message) for v in report.violations]


def test_csv_cells_empty_optional_text_is_missing_and_splits_drop_empty_items(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "rules.rules": CSV_RULES,
            "plan/capabilities.csv": "id,owner,lead\nK1,,90\nK2, ,\nK3,Ana,30 days\n",
            # Spreadsheets leave `K1;` and `K1;;K2`: neither is a dangling empty key.
            "plan/claims.csv": 'id,note,capability_ids\nC1,,K1;\nC2,,K1;;K2\nC3,,"K1; K2; K3"\n',
        },
    )
    checker = alignrules.load(tmp_path / "rules.rules")
    report = checker.check_file(tmp_path / "plan", as_of=AS_OF)
    assert sorted(findings(report)) == [
        ("owned", "capability K2 has a blank owner"),  # " " is present and blank
        ("promises", "claim C3 promises 3 capabilities"),
        ("slow", "capability K1 takes 90 days"),  # a bare number of days, as JSON allows
    ]
    assert not [v for v in report.violations if v.rule == "dangling-reference"]


def test_a_mapping_keyed_by_id_fills_an_int_key(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "stores.rules": """
entity Store key number {
    number: int
    city: text
}

rule store-city {
    no store where trim(city) = ""
    message "store {store.number} has no city"
}
""",
            "stores.json": '{"stores": {"101": {"city": "Leeds"}, "102": {"city": " "}}}',
            "bad.json": '{"stores": {"101": {"city": "Leeds"}, "10x": {"city": "York"}}}',
        },
    )
    checker = alignrules.load(tmp_path / "stores.rules")
    report = checker.check_file(tmp_path / "stores.json", as_of=AS_OF)
    assert [(v.key, v.message) for v in report.violations] == [("102", "store 102 has no city")]

    bad = run_cli(
        "check", "stores.rules", "--data", "bad.json", "--as-of", "2026-11-22", cwd=tmp_path
    )
    assert bad.returncode == 2, bad.stderr
    assert bad.stderr.startswith("bad.json:1:")
    assert "/stores/10x: the key of this Store: expected a whole number, got '10x'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_duration_parameters_take_days_from_the_api_the_cli_and_examples(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "lead.rules": """
param min_lead_time: duration = 0 days

entity Campaign {
    id: text
    ready_on: date
    launch_on: date
}

rule lead-time {
    no campaign where campaign.launch_on < campaign.ready_on + min_lead_time
}

example "a month of lead time" {
    given \"\"\"
    campaigns: [{id: M1, ready_on: 2026-03-01, launch_on: 2026-03-15}]
    \"\"\"
    param min_lead_time = 30 days
    expect lead-time on "M1"
}
""",
            "plan.json": '{"campaigns": [{"id": "M1", "ready_on": "2026-03-01", '
            '"launch_on": "2026-03-15"}]}',
        },
    )
    checker = alignrules.load(tmp_path / "lead.rules")
    from datetime import timedelta

    for value in (timedelta(days=30), "30 days", "30", "P30D"):
        report = checker.check_file(
            tmp_path / "plan.json", as_of=AS_OF, params={"min_lead_time": value}
        )
        assert [v.key for v in report.violations] == ["M1"], value
    assert checker.check_file(tmp_path / "plan.json", as_of=AS_OF).ok

    examples = run_cli("test", "lead.rules", cwd=tmp_path)
    assert examples.returncode == 0, examples.stdout + examples.stderr
    assert "PASS  a month of lead time" in examples.stdout


def test_sum_over_money_adds_exact_amounts_and_refuses_mixed_currencies(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "spend.rules": """
entity Campaign {
    id: text
    budget: money
}

param total_budget: money = 60000 USD

rule over-budget {
    no campaign let spent = sum(c.budget for c in Campaign)
        where campaign.id = "M1" and spent > total_budget
    message "the campaigns spend {spent}, more than {total_budget}"
}
""",
            "spend.json": '{"campaigns": [{"id": "M1", "budget": "USD 50,000.10"}, '
            '{"id": "M2", "budget": "USD 9,999.90"}, {"id": "M3", "budget": 0.01}]}',
            "mixed.json": '{"campaigns": [{"id": "M1", "budget": "USD 50,000"},\n'
            ' {"id": "M2", "budget": "EUR 12,000"}]}',
        },
    )
    checker = alignrules.load(tmp_path / "spend.rules")
    report = checker.check_file(tmp_path / "spend.json", as_of=AS_OF)
    # 50,000.10 + 9,999.90 + 0.01 is 60,000.01 exactly; in binary floating point it is not.
    assert findings(report) == [
        ("over-budget", "the campaigns spend 60,000.01 USD, more than 60,000 USD")
    ]

    mixed = run_cli(
        "check", "spend.rules", "--data", "mixed.json", "--as-of", "2026-11-22", cwd=tmp_path
    )
    assert mixed.returncode == 2 and "Traceback" not in mixed.stderr
    first = mixed.stderr.splitlines()[0]
    assert first.startswith("mixed.json:1:"), first
    assert "rule `over-budget` (spend.rules:" in first
    assert "on Campaign `M1` (/campaigns/0)" in first
    assert "cannot combine 50,000 USD and 12,000 EUR: different currencies" in first


def test_a_let_bound_entity_does_not_change_what_bare_field_names_mean(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "let.rules": """
entity Campaign {
    id: text
    name: text
}

entity Claim {
    id: text
    name: text
    campaign: Campaign from "campaign_id"
}

rule named-x {
    no claim let c = claim.campaign where name = "x"
    message "claim {claim.id} is named x (campaign {c.id})"
}
""",
        },
    )
    checker = alignrules.load(tmp_path / "let.rules")
    data = {
        "campaigns": [{"id": "M1", "name": "x"}],
        "claims": [
            {"id": "C1", "name": "y", "campaign_id": "M1"},
            {"id": "C2", "name": "x", "campaign_id": "M1"},
        ],
    }
    report = checker.check(data, as_of=AS_OF)
    assert findings(report) == [("named-x", "claim C2 is named x (campaign M1)")]


def test_data_problems_are_listed_in_file_order() -> None:
    error = DiagnosticError(
        [
            Diagnostic("data", "later", where="plan.json:122:5"),
            Diagnostic("data", "first", where="plan.json:29:1"),
            Diagnostic("data", "second", where="plan.json:29:10"),
        ]
    )
    assert [d.message for d in error.diagnostics] == ["first", "second", "later"]


@pytest.mark.parametrize("value", ["90", " 90 ", "90 days", "P90D", "3 months"])
def test_durations_read_from_text(value: str) -> None:
    from alignrules.runtime.values import parse_duration

    assert parse_duration(value).days == 90


def test_the_hosts_decimal_context_does_not_change_results() -> None:
    import decimal

    checker = alignrules.load(
        """
entity Campaign {
    id: text
    budget: money
    share: decimal
}

rule over {
    no campaign where campaign.budget * campaign.share > 1000.01 USD
}
"""
    )
    data = {"campaigns": [{"id": "M1", "budget": "USD 2,000.02", "share": "0.5000001"}]}
    expected = [v.key for v in checker.check(data, as_of=AS_OF).violations]
    assert expected == ["M1"]  # 1000.011000002 USD: exact, so over by a hair
    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN)):
        assert [v.key for v in checker.check(data, as_of=AS_OF).violations] == expected


def test_a_let_may_name_a_value_that_may_be_missing_and_uses_say_what_missing_means() -> None:
    rules = """
entity Capability {
    id: text
    capacity: int?
}

entity Claim {
    id: text
    capabilities: list of Capability from "capability_ids"
}

rule thin {
    no claim let average = avg(c.capacity otherwise 0 for c in claim.capabilities)
        where average is present and average < 10
    message "claim {claim.id} rests on capabilities serving {average} on average"
}
"""
    checker = alignrules.load(rules)
    data = {
        "capabilities": [{"id": "K1", "capacity": 5}, {"id": "K2"}],
        "claims": [
            {"id": "C1", "capability_ids": ["K1", "K2"]},
            {"id": "C2", "capability_ids": []},  # no average at all: missing, not zero
        ],
    }
    report = checker.check(data, as_of=AS_OF)
    assert findings(report) == [("thin", "claim C1 rests on capabilities serving 2.5 on average")]

    with pytest.raises(DiagnosticError) as info:
        alignrules.load(rules.replace("average is present and average < 10", "average < 10"))
    (d,) = info.value.diagnostics
    assert d.code == "optional-value" and "`average` may be missing" in d.message


def test_no_key_of_a_record_stands_for_where_the_record_is() -> None:
    """A record read by the detailed path ("USD 2,000" is not the canonical form) gets its
    own JSON pointer, whatever keys the plan uses, NUL-prefixed ones included."""
    checker = alignrules.load(
        """
entity Campaign {
    id: text
    budget: money
}

rule over { no campaign where campaign.budget > 1000 USD }
"""
    )
    data = {
        "campaigns": [
            {"id": "M0", "budget": "USD 1"},
            {"id": "M1", "budget": "USD 2,000", "\0ar_pointer": "/elsewhere", "ar_pointer": "/x"},
        ]
    }
    (violation,) = checker.check(data, as_of=AS_OF).violations
    assert (violation.key, violation.location.pointer) == ("M1", "/campaigns/1")
