"""The one table of built-in functions: what the language reference documents, what the type
checker accepts, what generated code computes and what constant evaluation computes agree."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import alignrules
from alignrules.diagnostics import DiagnosticError
from alignrules.ir import types as t
from alignrules.ir.builtins import BUILTINS, PUBLIC, evaluate
from alignrules.runtime import bind
from alignrules.runtime.values import Money

ROOT = Path(__file__).resolve().parents[1]

#: Arguments of each type, as generated code holds them.
SAMPLES: dict[t.Type, list[object]] = {
    t.TEXT: ["  Mixed Case  ", "", "ß"],
    t.INT: [-3, 0, 7],
    t.DECIMAL: [Decimal("-1.50"), Decimal("2")],
    t.MONEY: [Money(Decimal("-10.5"), "EUR"), Money(Decimal("3"), None)],
    t.DURATION: [timedelta(days=-4), timedelta(days=30)],
    t.DATE: [date(2026, 2, 28)],
    t.CollT(t.TEXT): [(), ("a", "b")],
}


def _documented() -> set[str]:
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    section = text.split("### 7.11 Built-in functions", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([a-z_]+)\(", row.split("|")[1])}


def test_every_documented_builtin_is_in_the_table_and_no_other() -> None:
    assert _documented() == set(PUBLIC)


def test_the_compilers_own_helpers_cannot_be_called_by_name() -> None:
    hidden = set(BUILTINS) - set(PUBLIC)
    assert hidden == {"as_list"}
    with pytest.raises(DiagnosticError) as caught:
        alignrules.load('entity Claim { id: text }\nrule r { no claim where as_list(id) = "x" }')
    assert [d.code for d in caught.value.diagnostics] == ["unknown-predicate"]


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_generated_code_computes_what_evaluation_computes(name: str) -> None:
    fn = BUILTINS[name]
    tried = 0
    for typ, values in SAMPLES.items():
        if not fn.accepts(typ):
            continue
        source = fn.python("x", typ)
        for value in values:
            generated = eval(source, {"bind": bind}, {"x": value})
            assert generated == evaluate(name, value), (source, value)
            tried += 1
    assert tried > 0


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_type_checker_refuses_what_the_table_does_not_accept(name: str) -> None:
    refused = next(typ for typ in (t.BOOL, t.DATE, t.TEXT) if not PUBLIC[name].accepts(typ))
    field = {t.BOOL: "flag", t.DATE: "on", t.TEXT: "id"}[refused]
    with pytest.raises(DiagnosticError) as caught:
        alignrules.load(
            "entity Claim { id: text  flag: bool  on: date }\n"
            f"rule r {{ no claim where {name}({field}) = {name}({field}) }}"
        )
    messages = [d.message for d in caught.value.diagnostics]
    assert messages[0] == f"`{name}` takes {PUBLIC[name].takes}, got `{refused}`"


def test_abs_of_money_keeps_the_currency() -> None:
    checker = alignrules.load(
        "entity Product { id: text  margin: money }\n"
        "rule deep-loss { no product where abs(margin) > 100 EUR }"
    )
    report = checker.check(
        {"products": [{"id": "P1", "margin": "-250 EUR"}, {"id": "P2", "margin": "-20 EUR"}]},
        as_of=date(2026, 1, 1),
    )
    assert [v.key for v in report.violations] == ["P1"]
