"""Messages that print the plain values a rule ranges over (`no claim, tag in claim.tags
where ... message "... {tag}"`), on the Python engine and on DuckDB alike.

The rules of tests/fixtures/message_values.rules and message_values_numbers.rules print a
value of every plain type: text, enum, whole number, date, bool, duration, decimal and money
(with the places each was written with), from lists with repeated values, missing lists,
lists reached through a bound record, paths through lists, `distinct`, a `let` naming the
value and a rule of several bodies. Both engines must give the same full report (messages
included) on a written plan, on random plans, on a plan DuckDB reads itself, and on a plan
held as tables.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.cli import main
from alignrules.sql import native_engine

from .conftest import layout_tables
from .randplans import plans_for
from .test_sql_differential import engines_agree_on_random_plans, outcome

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALUES = FIXTURES / "message_values.rules"
NUMBERS = FIXTURES / "message_values_numbers.rules"  # imports VALUES
AS_OF = date(2026, 11, 22)

CLAIMS = {
    "capabilities": [
        {"id": "K1", "tags": ["eco", "eco", "x"], "levels": ["blue", "red"], "rank": 2},
        {"id": "K2", "levels": ["blue"], "cost": 3},
        {"id": "K3", "tags": ["K1", "ab"], "levels": [], "rank": 1},
    ],
    "claims": [
        {
            "id": "C1",
            "tags": ["eco", "eco", "a", "xyz"],
            "colors": ["red", "blue", "green", "blue"],
            "counts": [1, 2, 2, 5],
            "dates": ["2027-01-01", "2020-05-05"],
            "flags": [True, False, True],
            "waits": ["30 days", 1, "1 year"],
            "capability_ids": ["K1", "K9", "K2", "K1"],
        },
        {
            "id": "C2",
            "colors": [],
            "counts": [],
            "dates": None,
            "flags": [False],
            "waits": [],
            "capability_ids": [],
        },
    ],
}
OFFERS = [
    {
        "id": "O1",
        "scores": ["2.50", "2.5", 1, "1.000", "100", "-3.10", "2.50"],
        "prices": ["2.50 USD", "USD 3,000.5", {"amount": "1.10", "currency": "USD"}],
        "capability_ids": ["K1", "K2", "K3"],
    },
    {"id": "O2", "prices": [], "capability_ids": []},
]
COSTS = {"K1": "1.50", "K2": 3, "K3": "2.500"}
PLAN = {
    **CLAIMS,
    "capabilities": [{**c, "cost": COSTS[c["id"]]} for c in CLAIMS["capabilities"]],
    "offers": OFFERS,
}

#: (rule, key, message) of findings the written plan must give, each once.
EXPECTED = [
    # a value a list holds twice is one finding: the two are equal, and a report keeps one
    ("banned-tag", "C1", "claim C1 uses tag eco"),
    ("bright-color", "C1", "claim C1 is blue"),
    ("bright-color", "C1", "claim C1 is green"),
    ("big-count", "C1", "claim C1 counts 2, twice 4"),
    ("future-date", "C1", "claim C1 is dated 2027-01-01"),
    ("flagged", "C1", "claim C1 has flag false"),
    ("flagged", "C1", "claim C1 has flag true"),
    ("long-wait", "C1", "claim C1 waits 365 days"),
    ("capability-tag", "C1", "claim C1: capability K1 has tag eco"),
    ("flattened-levels", "C1", "claim C1 reaches level blue"),
    ("mapped-ranks", "C1", "claim C1 reaches rank 2"),
    ("distinct-tags", "C1", "claim C1 has short tag x"),
    ("distinct-levels", "C1", "claim C1 is coloured green"),
    ("named-tag", "C1", "claim C1 names xyz"),
    ("tag-anywhere", "C1", "C1 has tag a"),
    ("tag-anywhere", "K3", "K3 has tag K1"),
    # equal numbers written with different places are two findings, each with its places
    ("high-score", "O1", "offer O1 scores 2.5"),
    ("high-score", "O1", "offer O1 scores 2.50"),
    ("high-score", "O1", "offer O1 scores 100"),
    ("dear-price", "O1", "offer O1 costs 2.50 USD"),
    ("dear-price", "O1", "offer O1 costs 3,000.5 USD"),
    ("dear-price", "O1", "offer O1 costs 1.10 USD"),
    ("costly-capability", "O1", "offer O1 costs 1.50"),
    ("costly-capability", "O1", "offer O1 costs 2.500"),
    ("costly-capability", "O1", "offer O1 costs 3"),
    # written from the records, with the list the message prints
    ("spaced-tag", "C1", "claim C1 has a among a, eco, eco, xyz"),
    ("negative-score", "O1", "offer O1 scores -3.10 of -3.10, 1, 1, 100, 2.5, 2.50, 2.50"),
]


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


@pytest.mark.parametrize("output", ["json", "text"])
def test_each_kind_of_value_prints_as_the_python_engine_prints_it(
    output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "plan.json"
    data.write_text(json.dumps(PLAN), encoding="utf-8")
    argv = ["check", str(NUMBERS), "--data", str(data), "--as-of", "2026-11-22"]
    code, python = _check([*argv, "--format", output], capsys)
    assert code == 1
    duck_code, duck = _check([*argv, "--format", output, "--engine", "duckdb"], capsys)
    assert (duck_code, duck) == (code, python)
    if output == "json":
        found = [(v["rule"], v["key"], v["message"]) for v in json.loads(python)["violations"]]
        for finding in EXPECTED:
            assert found.count(finding) == 1, finding
        assert ("big-count", "C1", "claim C1 counts 5, twice 10") in found
        # C2's dates are missing and its tags absent: no finding, and no error
        assert not [f for f in found if f[1] == "C2" and f[0] != "flagged"]


def test_a_plan_duckdb_reads_itself_gives_the_same_report(tmp_path: Path) -> None:
    """Without numbers in lists, DuckDB's own JSON reader reads the plan (no fallback to
    the Python reader), and the values come back from its tables."""
    data = tmp_path / "claims.json"
    data.write_text(json.dumps(CLAIMS), encoding="utf-8")
    python, duck = alignrules.load(VALUES), alignrules.load(VALUES, engine="duckdb")
    expected = python.check_file(data, as_of=AS_OF)
    assert duck.check_file(data, as_of=AS_OF) == expected
    native = native_engine.check_file(
        duck.compiled.program,
        duck.module,
        data,
        duck._params,
        today=AS_OF,
        raw=lambda pointer: pytest.fail(f"no number is read from the text ({pointer})"),
    )
    assert native.violations == python.check(json.loads(data.read_text()), as_of=AS_OF).violations
    found = {(v.rule, v.key, v.message) for v in native.violations}
    assert {f for f in EXPECTED if f[0] in {r.id for r in python.rules}} <= found


def _tables(tmp_path: Path) -> tuple[Path, Path]:
    """The written plan as JSON, and as a DuckDB file in the table layout (loaded as the
    DuckDB engine loads the records the Python loader binds)."""
    duckdb = pytest.importorskip("duckdb")
    data = tmp_path / "plan.json"
    data.write_text(json.dumps(PLAN), encoding="utf-8")
    tables = tmp_path / "plan.duckdb"
    con = duckdb.connect(str(tables))
    try:
        layout_tables(con, alignrules.load(NUMBERS), data)
    finally:
        con.close()
    return data, tables


def _findings_of(text: str, rules: set[str]) -> list[tuple[str, str, str]]:
    found = json.loads(text)["violations"]
    return sorted((v["rule"], v["key"], v["message"]) for v in found if v["rule"] in rules)


#: Rules whose messages print a whole list of decimals (`{offer.scores}`).
LISTS_OF_DECIMALS = {"negative-score"}


def test_a_plan_held_as_tables_prints_numbers_with_their_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A DuckDB file in the table layout keeps each number's places beside it
    (`value__scale`), and the messages print them."""
    data, tables = _tables(tmp_path)
    argv = ["check", str(NUMBERS), "--as-of", "2026-11-22", "--format", "json"]
    _, python = _check([*argv, "--data", str(data)], capsys)
    _, held = _check([*argv, "--data", str(tables), "--engine", "duckdb"], capsys)
    rules = {r.id for r in alignrules.load(NUMBERS).rules}
    assert _findings_of(held, rules) == _findings_of(python, rules)
    assert ("high-score", "O1", "offer O1 scores 2.50") in _findings_of(held, rules)


def test_a_list_of_decimals_from_tables_prints_with_its_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, tables = _tables(tmp_path)
    argv = ["check", str(NUMBERS), "--as-of", "2026-11-22", "--format", "json"]
    _, python = _check([*argv, "--data", str(data)], capsys)
    _, held = _check([*argv, "--data", str(tables), "--engine", "duckdb"], capsys)
    assert _findings_of(held, LISTS_OF_DECIMALS) == _findings_of(python, LISTS_OF_DECIMALS)
    # each element with its own places (`value__scale`), not the column's (`2.500000000`)
    assert EXPECTED[-1] in _findings_of(held, LISTS_OF_DECIMALS)


@pytest.mark.parametrize("ruleset", [VALUES, NUMBERS], ids=lambda p: p.stem)
def test_both_engines_agree_on_random_plans(ruleset: Path) -> None:
    """Random plans: repeated values, missing lists and values, dangling ids, two dates."""
    python, duck = alignrules.load(ruleset), alignrules.load(ruleset, engine="duckdb")
    seen = engines_agree_on_random_plans(python, duck, examples=40)
    assert len(seen - {"dangling-reference"}) >= 8, seen  # the comparison is not vacuous


#: Numbers and money written with different places, equal ones among them.
SCORES = ("2.5", "2.50", "2.500", 1, "1.0", "0.10", "-3.10", 100, "100.00", 0)
PRICES = (
    "2.50 USD",
    "USD 2.5",
    "USD 3,000.5",
    "1 USD",
    {"amount": "1.10", "currency": "USD"},
    {"amount": 2, "currency": "USD"},
)


@st.composite
def offers_with_places(draw: st.DrawFn, program: Any) -> dict[str, Any]:
    """A random plan whose offers' scores and prices mix the places of equal numbers."""
    raw = draw(plans_for(program, max_records=4))
    for offer in raw["offers"]:
        if "scores" in offer and offer["scores"] is not None:
            offer["scores"] = draw(st.lists(st.sampled_from(SCORES), max_size=4))
        offer["prices"] = draw(st.lists(st.sampled_from(PRICES), max_size=4))
    for capability in raw["capabilities"]:
        if capability.get("cost") is not None:
            capability["cost"] = draw(st.sampled_from(SCORES))
    return raw


def test_numbers_keep_their_places_on_random_plans() -> None:
    python, duck = alignrules.load(NUMBERS), alignrules.load(NUMBERS, engine="duckdb")
    seen: set[str] = set()

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(offers_with_places(python.compiled.program))
    def agree(raw: dict[str, Any]) -> None:
        expected = outcome(python, raw, AS_OF)
        assert outcome(duck, raw, AS_OF) == expected
        if not isinstance(expected, tuple):
            seen.update(v.rule for v in expected.violations)

    agree()
    assert {"high-score", "dear-price", "costly-capability", "negative-score"} <= seen, seen
