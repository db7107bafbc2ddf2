"""`distinct(xs)`: each element of a list once, as users run it from the command line.

A record that two claims promise is counted once by `count` and `sum`, on the Python engine
and on DuckDB alike (also on random plans full of dangling ids, for every use of the result
in tests/fixtures/distinct.rules); plain values are compared by value; SQL refuses plain
values, and Spark any `distinct`, with a located error and writes nothing.
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


def test_sql_refuses_plain_values_where_they_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sqlglot")
    ruleset, _ = _files(tmp_path, TAGS)
    out = tmp_path / "rules.sql"
    assert main(["compile", str(ruleset), "--target", "sql", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "d.rules:18:20: error: rule `repeated-tags`: `distinct` of a list of plain values" in err
    assert "[sql-unsupported]" in err and "Traceback" not in err
    assert not out.exists()


def test_distinct_of_a_single_value_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset, data = _files(tmp_path, "rule r { no campaign where count(distinct(id)) > 1 }\n")
    assert main(["check", str(ruleset), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "d.rules:15:43: error: `distinct` takes a list, got `text`" in err
    assert "Traceback" not in err


def test_spark_refuses_distinct_where_it_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sqlglot")
    ruleset, _ = _files(tmp_path, CAPACITY)
    out = tmp_path / "rules.sql"
    argv = ["compile", str(ruleset), "--target", "sql", "--dialect", "spark", "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "d.rules:18:24: error: rule `over-capacity`: `distinct` (Spark resolves" in err
    assert not out.exists()
    argv[-3] = "duckdb"
    assert main(argv) == 0 and "EXISTS" in out.read_text(encoding="utf-8")


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
