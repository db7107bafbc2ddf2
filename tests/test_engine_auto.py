"""`--engine auto` (and `engine="auto"`): DuckDB for a large JSON plan file or a plan held as
tables when DuckDB is installed, Python otherwise; the report is the same either way."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

import alignrules
from alignrules.cli import main
from alignrules.sql import choice

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-22"

RULES = """\
entity Claim in "claims" {
    id: text
    reach: int
    cost: decimal
}

rule costly {
    no claim where cost > 2 * reach
    message "claim {id} costs {cost} for a reach of {reach}"
}
"""

#: `/` outside a comparison: the SQL target refuses this rule, the Python engine runs it.
REFUSED = (
    RULES
    + """
rule ratio {
    no claim where cost / reach + 1 > 100
}
"""
)

PLAN = {
    "claims": [
        {"id": "C1", "reach": 10, "cost": 25.50},
        {"id": "C2", "reach": 1, "cost": 1000},
        {"id": "C3", "reach": 5, "cost": 3},
    ]
}


def _runs(
    capsys: pytest.CaptureFixture[str], rules: Path, data: Path
) -> dict[str, tuple[int, str, str]]:
    out = {}
    for engine in ("python", "auto"):
        args = ["check", str(rules), "--data", str(data), "--as-of", AS_OF, "--engine", engine]
        code = main([*args, "--format", "json"])
        captured = capsys.readouterr()
        out[engine] = (code, captured.out, captured.err)
    return out


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rules, plan = tmp_path / "claims.rules", tmp_path / "plan.json"
    rules.write_text(RULES, "utf-8")
    plan.write_text(json.dumps(PLAN), "utf-8")
    return rules, plan


def test_auto_picks_duckdb_only_for_a_large_json_file_or_tables(tmp_path: Path) -> None:
    small = tmp_path / "plan.json"
    small.write_text(json.dumps(PLAN), "utf-8")
    assert choice.duckdb_installed()
    assert not choice.prefers_duckdb(small)
    assert choice.prefers_duckdb(small, min_bytes=small.stat().st_size)
    yaml = tmp_path / "plan.yaml"
    yaml.write_text("claims: []\n", "utf-8")
    assert not choice.prefers_duckdb(yaml, min_bytes=0)
    db = tmp_path / "plan.duckdb"
    duckdb.connect(str(db)).close()
    assert choice.prefers_duckdb(db)


@pytest.mark.parametrize("threshold", [0, choice.AUTO_MIN_BYTES], ids=["duckdb", "python"])
def test_auto_gives_the_python_engines_report(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    files: tuple[Path, Path],
    threshold: int,
) -> None:
    monkeypatch.setattr(choice, "AUTO_MIN_BYTES", threshold)
    runs = _runs(capsys, *files)
    assert runs["auto"] == runs["python"]
    assert runs["auto"][0] == 1 and "claim C2 costs 1000" in runs["auto"][1]


def test_auto_checks_a_ruleset_the_sql_target_refuses_with_python(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, files: tuple[Path, Path]
) -> None:
    monkeypatch.setattr(choice, "AUTO_MIN_BYTES", 0)
    rules, plan = files
    rules.write_text(REFUSED, "utf-8")
    runs = _runs(capsys, rules, plan)
    assert runs["auto"] == runs["python"]
    assert runs["auto"][0] == 1 and '"rule": "ratio"' in runs["auto"][1]
    code = main(["check", str(rules), "--data", str(plan), "--engine", "duckdb"])
    assert code == 2 and "[sql-unsupported]" in capsys.readouterr().err


def test_auto_in_the_api_checks_tables_with_duckdb(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    rules, plan = files
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            'CREATE TABLE "Claim" (ar_row BIGINT, id VARCHAR, reach BIGINT,'
            " cost DECIMAL(38, 9), cost__scale SMALLINT)"
        )
        con.execute("INSERT INTO \"Claim\" VALUES (0, 'C1', 10, 25.5, 1), (1, 'C2', 1, 1000, 0)")
    auto = alignrules.load(rules, engine="auto")
    report = auto.check_file(db)
    assert [v.message for v in report.violations] == [
        "claim C1 costs 25.5 for a reach of 10",
        "claim C2 costs 1000 for a reach of 1",
    ]
    python = alignrules.load(rules).check_file(plan)
    assert [v.message for v in python.violations] == [v.message for v in report.violations]
