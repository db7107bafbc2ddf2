"""A plan held as tables (a DuckDB database file, a folder of Parquet files) on which the SQL
queries cannot give the Python engine's report (a rule fails on a record, money in several
currencies, a rule literal with more places than the layout's decimals) is read back into
the plan it holds and checked by the Python engine: the report, exit code and errors are the
Python engine's on the same plan as JSON, with each record at its place in the plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import layout_tables, run_cli

duckdb = pytest.importorskip("duckdb")

import alignrules  # noqa: E402

AS_OF = "2026-01-01"

RULES = """
enum Status { idea < funded < built }

entity Capability in "business.capabilities" {
    id: text
    status: Status
}

entity Claim in "marketing.claims" {
    id: text
    budget: money
    reach: int
    floor: decimal?
    lead: duration?
    starts: date? from "schedule.start"
    capabilities: list of Capability
    tags: list of text?
}

rule per-head {
    no claim where budget / reach > 10
    message "claim {id} spends {budget} on {reach} people"
}

rule unfunded {
    no claim where (some c in capabilities where c.status < Status.funded)
    message "claim {id} promises an unfunded capability"
}

rule under-floor {
    no claim where floor is present and budget < floor
    message "claim {id}: {budget} is under {floor}"
}

rule late {
    no claim where starts is present and lead is present and starts + lead > 2030-01-01
    message "claim {id} comes late"
}
"""

PLAN = {
    "business": {
        "capabilities": [
            {"id": "C1", "status": "idea"},
            {"id": "C2", "status": "built"},
            {"id": "C3", "status": "funded"},
        ]
    },
    "marketing": {
        "claims": [
            {"id": "K1", "budget": "USD 100.50", "reach": 0, "capabilities": ["C1"]},
            {
                "id": "K2",
                "budget": 120,
                "reach": 4,
                "floor": "130.250",
                "lead": 400,
                "schedule": {"start": "2029-06-01"},
                "capabilities": ["C2", "C9"],
                "tags": ["green", "fast"],
            },
            {
                "id": "K3",
                "budget": 7,
                "reach": 7,
                "lead": 60,
                "schedule": {"start": "9999-12-01"},
                "capabilities": ["C3"],
            },
            {"id": "K4", "budget": "EUR 19.90", "reach": 1, "capabilities": [], "tags": []},
        ]
    },
}


def _tables(rules: Path, plan: Path, folder: Path) -> tuple[Path, Path]:
    """The plan at `plan` in the table layout, as the Python loader binds it: a DuckDB file
    and a folder of Parquet files."""
    db, parquet = folder / "plan.duckdb", folder / "tables"
    parquet.mkdir()
    with duckdb.connect(str(db)) as con:
        lay = layout_tables(con, alignrules.load(rules), plan)
        for table in lay.tables:
            con.execute(
                f"COPY \"{table.name}\" TO '{parquet / table.name}.parquet' (FORMAT parquet)"
            )
    return db, parquet


def _check(rules: Path, data: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    """Exit code, JSON report (each finding located by its record's place only: tables have
    no lines) and error output."""
    run = run_cli("check", rules, "--data", data, "--format", "json", "--as-of", AS_OF, *extra)
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout) if run.stdout else {"violations": []}
    for v in report["violations"]:
        v["location"] = v["location"]["pointer"]
        if v.get("field_location") is not None:
            v["field_location"] = v["field_location"]["pointer"]
    return run.returncode, report, run.stderr


def _errors(stderr: str) -> list[str]:
    """The error lines, without the place before the first `: error:` (a JSON plan has a
    line and column, tables only their name)."""
    return [
        line.split(": error: ", 1)[1] if ": error: " in line else line
        for line in stderr.splitlines()
    ]


def _write(tmp_path: Path, rules: str, plan: dict[str, Any]) -> tuple[Path, Path]:
    (tmp_path / "r.rules").write_text(rules, "utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=2), "utf-8")
    return tmp_path / "r.rules", tmp_path / "plan.json"


def test_tables_give_the_python_engines_report_where_a_rule_fails_on_a_record(
    tmp_path: Path,
) -> None:
    rules, plan = _write(tmp_path, RULES, PLAN)
    code, expected, err = _check(rules, plan)
    crashed = [v for v in expected["violations"] if v["rule"] == "rule-crashed"]
    assert [(v["key"], v["location"]) for v in crashed] == [
        ("K1", "/marketing/claims/0"),
        ("K3", "/marketing/claims/2"),
    ]
    assert code == 2 and {v["rule"] for v in expected["violations"]} == {
        "dangling-reference",
        "late",
        "per-head",
        "rule-crashed",
        "under-floor",
        "unfunded",
    }
    db, parquet = _tables(rules, plan, tmp_path)
    for tables in (db, parquet):
        got_code, got, got_err = _check(rules, tables, "--engine", "duckdb")
        assert (got_code, got) == (code, expected)
        assert _errors(got_err) == _errors(err)
        assert f"{tables}: error: rule `per-head` (" in got_err
    # `auto` reads tables with DuckDB too
    assert _check(rules, db, "--engine", "auto")[:2] == (code, expected)


def test_the_messages_print_numbers_with_their_places_and_currencies(tmp_path: Path) -> None:
    rules, plan = _write(tmp_path, RULES, PLAN)
    db, _ = _tables(rules, plan, tmp_path)
    _, got, _ = _check(rules, db, "--engine", "duckdb")
    messages = {v["message"] for v in got["violations"]}
    assert "claim K2: 120 is under 130.250" in messages
    assert "claim K4 spends 19.90 EUR on 1 people" in messages
    assert any("could not be checked on Claim `K1`: division by zero" in m for m in messages)


PARTS = """
entity Part in "parts" {
    id: text
    price: money
    cost: money
    share: decimal
}
"""

REFUSED = {
    # money in several currencies: the queries compare amounts only
    "margin": """
rule margin {
    no part where price < cost
    message "part {id} sells at {price}, below {cost}"
}
""",
    # a literal with more places than the layout's decimals hold
    "tiny": """
rule tiny {
    no part where share > 0.0000000001 and share < 0.000000002
    message "part {id} has a tiny share {share}"
}
""",
}

PARTS_PLAN = {
    "parts": [
        {"id": "P1", "price": "USD 5", "cost": "USD 6.10", "share": "0.000000001"},
        {"id": "P2", "price": "EUR 1", "cost": "USD 1", "share": 0.5},
        {"id": "P3", "price": "EUR 1", "cost": "EUR 2.50", "share": 0},
    ]
}


@pytest.mark.parametrize("rule", sorted(REFUSED))
def test_what_the_queries_refuse_on_tables_is_the_python_engines_report(
    tmp_path: Path, rule: str
) -> None:
    rules, plan = _write(tmp_path, PARTS + REFUSED[rule], PARTS_PLAN)
    expected = _check(rules, plan)
    db, parquet = _tables(rules, plan, tmp_path)
    for tables in (db, parquet):
        code, got, err = _check(rules, tables, "--engine", "duckdb")
        assert (code, got) == expected[:2]
        assert _errors(err) == _errors(expected[2])
    found = {v["message"] for v in expected[1]["violations"]}
    if rule == "margin":
        assert expected[0] == 2 and "part P3 sells at 1 EUR, below 2.50 EUR" in found
        assert any("`P2`: cannot combine 1 EUR and 1 USD" in m for m in found)
    else:
        assert (expected[0], found) == (1, {"part P1 has a tiny share 0.000000001"})


NESTED_RULES = """
entity Segment in "market.segments" {
    id: text
    size: int
}

entity Need in "market.segments[].needs" {
    id: text
    weight: int
}

rule heavy {
    no need where 100 / weight > 10
    message "need {id} weighs little"
}
"""


def test_tables_whose_records_cannot_be_placed_back_are_a_located_error(tmp_path: Path) -> None:
    """Records read through `[]` sit inside other records, which the tables do not name: the
    Python engine cannot be handed the plan, and the check says so where the entity is
    declared, instead of giving another report."""
    plan = {"market": {"segments": [{"id": "S1", "size": 3, "needs": [{"id": "N1", "weight": 0}]}]}}
    rules, plan_file = _write(tmp_path, NESTED_RULES, plan)
    assert _check(rules, plan_file)[0] == 2
    db, _ = _tables(rules, plan_file, tmp_path)
    code, got, err = _check(rules, db, "--engine", "duckdb")
    assert (code, got) == (2, {"violations": []})
    assert "r.rules:7:1: error: `Need` cannot be read back from tables" in err
    assert "its records are read through `[]`" in err


def test_the_modules_examples_run() -> None:
    import doctest

    from alignrules.sql import from_tables

    result = doctest.testmod(from_tables)
    assert result.attempted > 0 and result.failed == 0


def test_auto_checks_tables_the_sql_target_cannot_with_the_python_engine(tmp_path: Path) -> None:
    """A ruleset with a construct the SQL target refuses: `--engine auto` checks a plan file
    with Python, and a plan held as tables, which the Python reader cannot open, read back
    from its tables; `--engine duckdb` still refuses it, located in the ruleset."""
    refused = PARTS + (
        "\nrule ratio {\n    no part where (price / cost) * 2 > 3\n"
        '    message "part {id} sells at over 1.5 times its cost"\n}\n'
    )
    plan = {"parts": [{**p, "price": "USD 5", "cost": "USD 2"} for p in PARTS_PLAN["parts"]]}
    rules, plan_file = _write(tmp_path, refused, plan)
    expected = _check(rules, plan_file)
    assert expected[0] == 1 and expected[1]["violations"]
    db, parquet = _tables(rules, plan_file, tmp_path)
    for tables in (db, parquet):
        assert _check(rules, tables, "--engine", "auto") == (*expected[:2], "")
    code, _, err = _check(rules, db, "--engine", "duckdb")
    assert code == 2 and "[sql-unsupported]" in err


def test_a_required_value_missing_in_the_tables_is_refused_before_any_rule(
    tmp_path: Path,
) -> None:
    """A required value missing in the tables: refused as the Python engine refuses the JSON
    plan, before a rule runs (and so before the Python engine is handed the plan for a rule
    that fails on a record), naming the table, the column and the row."""
    rules, plan = _write(tmp_path, RULES, PLAN)
    db, _ = _tables(rules, plan, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE \"Claim\" SET reach = NULL WHERE id = 'K2'")
    code, got, err = _check(rules, db, "--engine", "duckdb")
    assert (code, got) == (2, {"violations": []})
    assert err.startswith(
        f"{db}: error: `Claim.reach` is NULL at ar_row 1 (Claim `K2`),"
        " and field `Claim.reach` is required  [data]"
    )
