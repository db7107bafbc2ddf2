"""Smaller ways a ruleset or a plan could mislead the checker, each refused or made exact."""

from __future__ import annotations

import pytest

import alignrules


def error_of(text: str) -> alignrules.Diagnostic:
    with pytest.raises(alignrules.DiagnosticError) as info:
        alignrules.load(text)
    (d,) = info.value.diagnostics
    return d


def test_a_field_bound_to_a_name_holding_nul_reads_the_data_not_the_pointer() -> None:
    checker = alignrules.load(
        'entity Claim { id: text  p: text from "\\0ar_pointer" }\n'
        'rule r { no claim where p = "data" message "{claim.p}" }\n'
    )
    report = checker.check({"claims": [{"id": "C1", "\0ar_pointer": "data"}]})
    assert [v.message for v in report.violations] == ["data"]
    assert report.violations[0].location.pointer == "/claims/0"


def test_two_binders_with_the_same_name_are_refused() -> None:
    d = error_of(
        "entity Claim { id: text  n: int }\nrule r { no claim, claim in Claim where claim.n > 1 }\n"
    )
    assert d.code == "duplicate-name" and d.message == "`claim` is bound twice in this rule"
    assert d.span is not None and (d.span.line, d.span.column) == (2, 20)


@pytest.mark.parametrize("currency", ["usd", "US", "USDX", "U$D", "not a currency\n", 5, "ÜSD"])
def test_currency_codes_must_have_the_iso_4217_shape(currency: object) -> None:
    checker = alignrules.load("entity Claim { id: text  cost: money }\nrule r { no claim }\n")
    plan = {"claims": [{"id": "C1", "cost": {"amount": 1, "currency": currency}}]}
    with pytest.raises(alignrules.DiagnosticError) as info:
        checker.check(plan)
    (d,) = info.value.diagnostics
    assert d.code == "data"
    assert d.message == (
        "/claims/0/cost: expected a currency code of three capital letters, such as `USD`"
    )


def test_any_three_capital_letters_are_a_currency() -> None:
    checker = alignrules.load(
        "entity Claim { id: text  cost: money }\nrule r { no claim where cost > 0 XTS }\n"
    )
    plan = {"claims": [{"id": "C1", "cost": {"amount": 1, "currency": "XTS"}}]}
    assert [v.key for v in checker.check(plan).violations] == ["C1"]


def test_triple_quoted_title_and_message_are_trimmed_alike() -> None:
    checker = alignrules.load(
        'entity Claim { id: text }\nrule r {\n    title """\n        A title\n        """\n'
        '    no claim\n    message """\n        claim {claim.id}\n          indented\n'
        '        """\n}\n'
    )
    report = checker.check({"claims": [{"id": "C1"}]})
    (v,) = report.violations
    assert v.message == "claim C1\n  indented"
    assert [r.title for r in report.rules if r.id == "r"] == ["A title"]
