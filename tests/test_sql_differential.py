"""The DuckDB engine against the Python engine, on generated plans: the same report.

For the standard ruleset (plans from tests/plans.py: every enum spelling, boundary amounts,
durations and dates, missing values, dangling ids) and for every ruleset the language tests
compile (tests/cases/valid, tests/fixtures; plans from tests/randplans.py, full of dangling
ids and missing values), both engines check the same plan and must give the same
violations: rule, subject, related entities, message, severity and location, in the same
order. When the Python engine stops (a rule crashes, data is refused), the DuckDB engine
stops with the same diagnostics. No plan is skipped: amounts with more places than the
default 9 (added to the standard plans) are checked in DuckDB at a wider scale, or, beyond
what SQL decimals hold, handed to the Python engine, with the same report either way.

A ruleset the SQL target refuses is refused with located `sql-unsupported` errors; those
rulesets are listed, so that a newly refused construct is noticed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.api import Checker
from alignrules.diagnostics import DiagnosticError
from alignrules.sql.translate import translate

from .plans import AS_OF, plans
from .randplans import plans_for

pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = sorted(
    [
        *(ROOT / "tests" / "cases" / "valid").glob("*.rules"),
        ROOT / "tests" / "fixtures" / "dangling.rules",
    ]
)
#: Rulesets with a construct the SQL target refuses, and the refused rule ids.
REFUSED: dict[str, set[str]] = {}


def outcome(checker: Checker, raw: dict[str, Any], as_of: date) -> Any:
    """The violations, or the diagnostics when the check stops."""
    try:
        report = checker.check(raw, as_of=as_of)
    except DiagnosticError as exc:
        return ("stopped", tuple((d.code, d.message, d.where) for d in exc.diagnostics))
    return report


def engines_agree_on_random_plans(python: Checker, duck: Checker, examples: int) -> set[str]:
    """Both engines give the same outcome on generated plans of the ruleset (small, with
    dangling ids and missing values, at two dates); returns the rules that fired."""
    seen: set[str] = set()

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        plans_for(python.compiled.program, max_records=5),
        st.sampled_from([AS_OF, date(2026, 1, 1)]),
    )
    def agree(raw: dict[str, Any], as_of: date) -> None:
        result = outcome(duck, raw, as_of)
        expected = outcome(python, raw, as_of)
        assert result == expected
        if not isinstance(expected, tuple):
            seen.update(v.rule for v in expected.violations)

    agree()
    return seen


def both(path: str | Path) -> tuple[Checker, Checker]:
    return alignrules.load(path), alignrules.load(path, engine="duckdb")


STANDARD = both("std:strategy")


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plans())
def test_standard_ruleset_duckdb_equals_python(raw: dict[str, Any]) -> None:
    python, duck = STANDARD
    result = outcome(duck, raw, AS_OF)
    assert result == outcome(python, raw, AS_OF)


#: Amounts added to money written as `{"amount": ..., "currency": ...}`: places beyond the 9
#: of the default layout (the engine widens its scale), and beyond what a product of two such
#: amounts can hold in 38 digits (the plan goes to the Python engine).
NUDGES = tuple(Decimal(x) for x in ("0", "1E-10", "-3E-14", "5E-17", "1E-25"))


def nudged(raw: Any, nudge: Decimal) -> Any:
    """`raw` with `nudge` added to every amount written as an object."""
    if isinstance(raw, list):
        return [nudged(x, nudge) for x in raw]
    if not isinstance(raw, dict):
        return raw
    if set(raw) == {"amount", "currency"} and isinstance(raw["amount"], str):
        return {**raw, "amount": str(Decimal(raw["amount"]) + nudge)}
    return {k: nudged(v, nudge) for k, v in raw.items()}


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plans(), st.sampled_from(NUDGES))
def test_standard_ruleset_with_many_places_duckdb_equals_python(
    raw: dict[str, Any], nudge: Decimal
) -> None:
    python, duck = STANDARD
    raw = nudged(raw, nudge)
    assert outcome(duck, raw, AS_OF) == outcome(python, raw, AS_OF)


def _refused(path: Path) -> set[str]:
    checker = alignrules.load(path)
    try:
        translate(checker.compiled.program, casefold=True)
    except DiagnosticError as exc:
        assert all(d.code == "sql-unsupported" and d.span is not None for d in exc.diagnostics)
        return {d.message.split("`")[1] for d in exc.diagnostics}
    return set()


@pytest.mark.parametrize("path", LANGUAGE, ids=lambda p: p.name)
def test_language_rulesets_duckdb_equals_python(path: Path) -> None:
    refused = _refused(path)
    assert refused == REFUSED.get(path.name, set())
    if refused:
        return
    engines_agree_on_random_plans(*both(path), examples=25)


def test_the_standard_plans_give_findings_on_both_engines() -> None:
    """The comparison above is not vacuous: generated plans do produce violations."""
    _, duck = STANDARD
    seen: set[str] = set()

    @settings(max_examples=30, deadline=None, derandomize=True, database=None)
    @given(plans())
    def collect(raw: dict[str, Any]) -> None:
        result = outcome(duck, raw, AS_OF)
        if not isinstance(result, tuple):
            seen.update(v.rule for v in result.violations)

    collect()
    assert len(seen) >= 5, seen
