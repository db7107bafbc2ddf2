"""`distinct(xs)`: each element of a list once, as users run it from the command line.

A record that two claims promise is counted once by `count` and `sum`, and plain values are
kept once by value, on the Python engine and on DuckDB alike (also on random plans full of
dangling ids and missing values, for every use of the result in
tests/fixtures/distinct.rules; tests/test_spark.py runs the fixture on Spark). The SQL text
is the same form in every dialect; what SQL cannot print as the Python engine does is
refused with a located error, and nothing is written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main

from .test_sql_differential import engines_agree_on_random_plans

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "distinct.rules"

SCHEMA = """\
entity Capability in "capabilities" {
    id: text
    capacity: int?
}
entity Campaign in "campaigns" {
    id: text
    demand: int
}
entity Claim in "claims" {
    id: text
    campaign: Campaign from "campaign_id"
    capabilities: list of Capability from "capability_ids"
    tags: list of text
}
"""

CAPACITY = """
rule over-capacity {
    every campaign
        let promised = distinct((Claim referencing campaign).capabilities)
        must campaign.demand <= sum(c.capacity otherwise 0 for c in promised)
    message "campaign {campaign.id} promises {promised}"
}
"""

TAGS = """
rule repeated-tags {
    no campaign
        let tags = distinct((Claim referencing campaign).tags)
        where count(tags) < count((Claim referencing campaign).tags)
    message "the claims of {campaign.id} repeat tags among {tags}"
}
"""

PLAN = {
    "capabilities": [{"id": "K1", "capacity": 10}, {"id": "K2", "capacity": 5}],
    # Without `distinct`, M1's claims would serve 10 + 5 + 10 = 25 and M2's 20.
    "campaigns": [
        {"id": "M1", "demand": 20},
        {"id": "M2", "demand": 12},
        {"id": "M3", "demand": 5},
    ],
    "claims": [
        {"id": "C1", "campaign_id": "M1", "capability_ids": ["K1", "K2"], "tags": ["eco", "x"]},
        {"id": "C2", "campaign_id": "M1", "capability_ids": ["K1"], "tags": ["eco"]},
        {"id": "C3", "campaign_id": "M2", "capability_ids": ["K1", "K1"], "tags": ["a", "b"]},
        {"id": "C4", "campaign_id": "M3", "capability_ids": ["K2"], "tags": []},
    ],
}


def _files(tmp_path: Path, rules: str) -> tuple[Path, Path]:
    ruleset, data = tmp_path / "d.rules", tmp_path / "d.json"
    ruleset.write_text(SCHEMA + rules, encoding="utf-8")
    data.write_text(json.dumps(PLAN), encoding="utf-8")
    return ruleset, data


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_record_promised_twice_is_counted_once(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    ruleset, data = _files(tmp_path, CAPACITY)
    argv = ["check", str(ruleset), "--data", str(data), "--format", "json", "--engine", engine]
    assert main(argv) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert [(v["key"], v["message"]) for v in found] == [
        ("M1", "campaign M1 promises K1, K2"),
        ("M2", "campaign M2 promises K1"),
    ]


def test_plain_values_are_kept_once_by_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset, data = _files(tmp_path, TAGS)
    assert main(["check", str(ruleset), "--data", str(data), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert [(v["key"], v["message"]) for v in found] == [
        ("M1", "the claims of M1 repeat tags among eco, x"),
    ]


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_plain_values_are_kept_once_by_value_on_both_engines(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    ruleset, data = _files(tmp_path, TAGS)
    argv = ["check", str(ruleset), "--data", str(data), "--format", "json", "--engine", engine]
    assert main(argv) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert [(v["key"], v["message"]) for v in found] == [
        ("M1", "the claims of M1 repeat tags among eco, x"),
    ]


ITEMS = """
entity Item in "items" {
    id: text
    weights: list of decimal
    tags: list of text
}
"""

PRINTED = """
rule listed {
    no item let ws = distinct(item.weights) where count(ws) > 1
    message "item {item.id} weighs {ws}"
}

rule summed {
    no item let total = sum(distinct(item.weights)) where total > 3
    message "item {item.id} weighs {total} in all"
}

rule weighed {
    no item, w in distinct(item.weights) where w > 2
    message "item {item.id} weighs {w}"
}
"""

COMPARED = """
rule compared {
    no item where sum(distinct(item.weights)) > 3 and count(distinct(item.tags)) = 1
    message "item {item.id} is heavy and has one tag"
}

rule tagged {
    no item, tag in distinct(item.tags) where tag starts with "e"
    message "item {item.id} is tagged {tag}"
}
"""


def test_sql_refuses_to_print_what_it_cannot_print_as_python_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Python engine keeps the first of equal numbers, with its places (`2.5` before
    `2.50`): a message printing distinct decimals, their sum, or one of them that a rule
    ranges over, is refused. Comparing them is not, and printing a distinct text is not."""
    pytest.importorskip("duckdb")
    ruleset, data = tmp_path / "w.rules", tmp_path / "w.json"
    ruleset.write_text(ITEMS + PRINTED + COMPARED, encoding="utf-8")
    plan = {"items": [{"id": "I1", "weights": ["2.5", "2.50", 1], "tags": ["eco", "eco"]}]}
    data.write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "rules.sql"
    assert main(["compile", str(ruleset), "--target", "sql", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "w.rules:10:36: error: rule `listed`: a message printing a computed list of" in err
    assert "w.rules:14:29: error: rule `summed`: a message printing this computed decimal" in err
    assert "w.rules:20:36: error: rule `weighed`: a message printing a number of" in err
    assert "`compared`" not in err and "`tagged`" not in err and "Traceback" not in err
    assert not out.exists()
    assert main(["check", str(ruleset), "--data", str(data)]) == 1
    python = capsys.readouterr().out
    assert "item I1 weighs 1, 2.5  [listed]" in python and "item I1 weighs 3.5 in all" in python
    assert "item I1 is tagged eco" in python and "item I1 is heavy" in python
    assert "item I1 weighs 2.5  [weighed]" in python
    ruleset.write_text(ITEMS + COMPARED, encoding="utf-8")
    assert main(["check", str(ruleset), "--data", str(data), "--engine", "duckdb"]) == 1
    duck = capsys.readouterr().out
    assert "item I1 is heavy and has one tag  [compared]" in duck
    assert "item I1 is tagged eco  [tagged]" in duck


def test_distinct_of_a_single_value_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset, data = _files(tmp_path, "rule r { no campaign where count(distinct(id)) > 1 }\n")
    assert main(["check", str(ruleset), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "d.rules:15:43: error: `distinct` takes a list, got `text`" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("rules", [CAPACITY, TAGS], ids=["records", "plain values"])
def test_compile_for_spark_writes_distinct_as_a_table_read_one_level_up(
    rules: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spark resolves an enclosing query's column one level up only: the list of elements is
    a derived table that reads no enclosing query, joined where the list is used."""
    sqlglot = pytest.importorskip("sqlglot")
    ruleset, _ = _files(tmp_path, rules)
    out = tmp_path / "rules.sql"
    argv = ["compile", str(ruleset), "--target", "sql", "--dialect", "spark", "-o", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    (query,) = [s for s in sqlglot.parse(out.read_text(encoding="utf-8"), read="spark") if s]
    derived = [
        sub
        for sub in query.find_all(sqlglot.exp.Subquery)
        if sub.alias.startswith("distinct_") and sub.this.args.get("distinct")
    ]
    assert derived, "no SELECT DISTINCT derived table"
    for sub in derived:
        inside = {t.alias_or_name for t in sub.find_all(sqlglot.exp.Table)}
        read = {c.table for c in sub.find_all(sqlglot.exp.Column) if c.table}
        assert read <= inside  # it reads no enclosing query
    assert "IS NOT DISTINCT FROM" in out.read_text(encoding="utf-8")


def test_the_fixture_agrees_on_both_engines_on_random_plans() -> None:
    pytest.importorskip("duckdb")
    python, duck = alignrules.load(FIXTURE), alignrules.load(FIXTURE, engine="duckdb")
    seen = engines_agree_on_random_plans(python, duck, examples=40)
    assert len(seen - {"dangling-reference"}) >= 4, seen  # the comparison is not vacuous


def test_the_generated_module_passes_mypy_strict(tmp_path: Path) -> None:
    module = tmp_path / "distinct_checks.py"
    assert main(["compile", str(FIXTURE), "-o", str(module)]) == 0
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(module)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
